//! `dismiss_share`: a recipient removes a share from its inbox; the sender gets its deposit.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn the_recipient_dismisses_and_the_sender_is_refunded() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let first = assert_share(ALICE, BOB, b"a");
		let second = assert_share(ALICE, BOB, b"b");
		assert_dismiss_share(BOB, second);
		assert_dismiss_share(BOB, first);
		assert!(!ShareCount::<Test>::contains_key(BOB));
	});
}

#[test]
fn nobody_else_can_dismiss_a_share() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let share = assert_share(ALICE, BOB, b"a");
		// Not the sender, not anyone: each looks in its own inbox.
		for who in [ALICE, NODE_1, MOD_A] {
			assert_noop!(
				Leasing::dismiss_share(RuntimeOrigin::signed(who), share),
				Error::<Test>::UnknownShare
			);
		}
		assert_noop!(
			Leasing::dismiss_share(RuntimeOrigin::none(), share),
			DispatchError::BadOrigin
		);
		assert_dismiss_share(BOB, share);
		assert_noop!(
			Leasing::dismiss_share(RuntimeOrigin::signed(BOB), share),
			Error::<Test>::UnknownShare
		);
	});
}
