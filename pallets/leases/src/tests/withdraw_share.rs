//! `withdraw_share`: a sender takes back a share it sent, and its deposit.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn the_sender_withdraws_its_share() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let first = assert_share(ALICE, BOB, b"a");
		let second = assert_share(NODE_1, BOB, b"b");
		assert_withdraw_share(ALICE, BOB, first);
		assert_eq!(Leasing::shares_of(&BOB).iter().map(|s| s.id).collect::<Vec<_>>(), vec![second]);
		assert_withdraw_share(NODE_1, BOB, second);
	});
}

#[test]
fn withdraw_share_refuses_unknown_shares_and_other_senders() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::withdraw_share(RuntimeOrigin::signed(ALICE), BOB, 0),
			Error::<Test>::UnknownShare
		);
		assert_set_encryption_key(BOB, KEY);
		let share = assert_share(ALICE, BOB, b"a");
		// Not the recipient, not another account.
		for who in [BOB, NODE_1] {
			assert_noop!(
				Leasing::withdraw_share(RuntimeOrigin::signed(who), BOB, share),
				Error::<Test>::NotSender
			);
		}
		// The share is in BOB's inbox, not in another.
		assert_noop!(
			Leasing::withdraw_share(RuntimeOrigin::signed(ALICE), NODE_1, share),
			Error::<Test>::UnknownShare
		);
		assert_noop!(
			Leasing::withdraw_share(RuntimeOrigin::none(), BOB, share),
			DispatchError::BadOrigin
		);
		assert_withdraw_share(ALICE, BOB, share);
	});
}
