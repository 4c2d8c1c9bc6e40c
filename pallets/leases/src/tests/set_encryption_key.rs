//! `set_encryption_key`: an account publishes its X25519 key for shares.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn an_account_publishes_and_replaces_its_key() {
	new_test_ext(|| {
		assert_set_encryption_key(ALICE, KEY);
		assert_set_encryption_key(ALICE, [1; 32]);
		// Any account may, funded or not.
		assert_set_encryption_key(NOBODY, KEY);
		assert_eq!(Leasing::encryption_key(&ALICE), Some([1; 32]));
	});
}

#[test]
fn set_encryption_key_refuses_the_zero_key_and_bad_origins() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::set_encryption_key(RuntimeOrigin::signed(ALICE), [0; 32]),
			Error::<Test>::InvalidEncryptionKey
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::set_encryption_key(origin, KEY), DispatchError::BadOrigin);
		}
	});
}
