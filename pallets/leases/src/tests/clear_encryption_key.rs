//! `clear_encryption_key`: an account withdraws its key; nobody can share with it any more.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn clearing_the_key_stops_new_shares_but_keeps_the_inbox() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let share = assert_share(ALICE, BOB, b"sealed");
		assert_clear_encryption_key(BOB);
		assert_noop!(
			Leasing::share(RuntimeOrigin::signed(ALICE), BOB, capsule(b"more")),
			Error::<Test>::RecipientHasNoKey
		);
		assert_eq!(Leasing::shares_of(&BOB).len(), 1);
		assert_dismiss_share(BOB, share);
	});
}

#[test]
fn clear_encryption_key_refuses_accounts_without_a_key_and_bad_origins() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::clear_encryption_key(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NoEncryptionKey
		);
		assert_set_encryption_key(ALICE, KEY);
		assert_noop!(
			Leasing::clear_encryption_key(RuntimeOrigin::none()),
			DispatchError::BadOrigin
		);
		assert_clear_encryption_key(ALICE);
		assert_noop!(
			Leasing::clear_encryption_key(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NoEncryptionKey
		);
	});
}
