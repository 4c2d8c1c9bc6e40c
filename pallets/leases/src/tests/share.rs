//! `share`: a sealed capsule into a recipient's inbox, with a deposit.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

fn share(from: AccountId, to: AccountId, bytes: &[u8]) -> polkadot_sdk::sp_runtime::DispatchResult {
	Leasing::share(RuntimeOrigin::signed(from), to, capsule(bytes))
}

#[test]
fn share_holds_the_deposit_and_fills_the_inbox() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let first = assert_share(ALICE, BOB, b"x");
		let second = assert_share(NODE_1, BOB, &[7; MAX_CAPSULE_LEN as usize]);
		assert_eq!((first, second), (0, 1));
		// Deposits of one sender add up; one may share with oneself.
		assert_set_encryption_key(ALICE, KEY);
		assert_share(ALICE, ALICE, b"note");
		let inbox = Leasing::shares_of(&BOB);
		assert_eq!(
			inbox.iter().map(|s| (s.id, s.from)).collect::<Vec<_>>(),
			vec![(0, ALICE), (1, NODE_1)]
		);
	});
}

#[test]
fn share_refuses_empty_capsules_recipients_without_a_key_and_bad_origins() {
	new_test_ext(|| {
		assert_noop!(share(ALICE, BOB, b"x"), Error::<Test>::RecipientHasNoKey);
		assert_set_encryption_key(BOB, KEY);
		assert_noop!(share(ALICE, BOB, b""), Error::<Test>::EmptyCapsule);
		// A capsule longer than `MaxCapsuleLen` cannot even be decoded into the call.
		assert!(CapsuleOf::<Test>::try_from(vec![0u8; MAX_CAPSULE_LEN as usize + 1]).is_err());
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::share(origin, BOB, capsule(b"x")), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn share_refuses_senders_that_cannot_pay_the_deposit() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		assert_noop!(share(NOBODY, BOB, b"x"), Error::<Test>::InsufficientBalance);
		// POOR (20) may hold two deposits of 7 and keep its existential deposit, not three.
		assert_share(POOR, BOB, b"a");
		assert_share(POOR, BOB, b"b");
		assert_set_encryption_key(ALICE, KEY);
		assert_noop!(share(POOR, ALICE, b"c"), Error::<Test>::InsufficientBalance);
	});
}

#[test]
fn a_full_inbox_refuses_shares_until_one_is_removed() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		for _ in 0..MAX_SHARES {
			assert_share(ALICE, BOB, b"spam");
		}
		assert_noop!(share(NODE_1, BOB, b"x"), Error::<Test>::InboxFull);
		assert_dismiss_share(BOB, 0);
		assert_share(NODE_1, BOB, b"x");
	});
}
