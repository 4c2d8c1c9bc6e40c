//! `set_index`: an account names the lease whose object is its encrypted index.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn an_owner_sets_changes_and_removes_its_index() {
	new_test_ext(|| {
		let first = assert_create_lease(ALICE, content(1), 10, 1, None, 3);
		let second = assert_create_lease(ALICE, content(2), 10, 1, None, 3);
		assert_set_index(ALICE, Some(first));
		assert_set_index(ALICE, Some(second));
		assert_eq!(Leasing::index_of(&ALICE), Some(second));
		assert_set_index(ALICE, None);
		assert_eq!(Leasing::index_of(&ALICE), None);
	});
}

#[test]
fn set_index_refuses_unknown_leases_others_leases_and_no_index_to_remove() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::set_index(RuntimeOrigin::signed(ALICE), Some(0)),
			Error::<Test>::UnknownLease
		);
		let lease = assert_create_lease(BOB, content(1), 10, 1, None, 3);
		assert_noop!(
			Leasing::set_index(RuntimeOrigin::signed(ALICE), Some(lease)),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Leasing::set_index(RuntimeOrigin::signed(ALICE), None),
			Error::<Test>::NoIndex
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::set_index(origin, Some(lease)), DispatchError::BadOrigin);
		}
	});
}
