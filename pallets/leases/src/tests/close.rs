//! `close`: anyone removes a lease whose paid epochs and grace are over.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn close_pays_the_keepers_refunds_the_rest_and_removes_the_lease() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		assert_keep(NODE_1, lease);
		run_to_epoch(2);
		assert_keep(NODE_2, lease);
		run_to_epoch(3);
		assert_claim(NODE_1, lease);
		// Paid epochs 0-3, grace 4-5.
		run_to_epoch(4 + GRACE_EPOCHS);
		// NODE_1 is owed epoch 3, NODE_2 epoch 3; the rest goes back to ALICE.
		assert_eq!(assert_close(BOB, lease), 2_400 - 3 * 300 - 300);
		assert!(Leases::<Test>::get(lease).is_none());
		assert!(Leasing::leases_of(&ALICE).is_empty());
		assert!(Leasing::leases_of_content(&content(1)).is_empty());
		assert!(Leasing::kept_by(&NODE_1).is_empty() && Leasing::kept_by(&NODE_2).is_empty());
	});
}

#[test]
fn keepers_that_earn_nothing_at_close_forfeit_to_the_owner() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		assert_keep(NODE_2, lease);
		set_standing(NODE_2, Standing::Suspended);
		run_to_epoch(2 + GRACE_EPOCHS);
		assert_eq!(assert_close(NODE_1, lease), 1_200 - 300);
	});
}

#[test]
fn closing_the_index_lease_removes_the_index() {
	new_test_ext(|| {
		let index = assert_create_lease(ALICE, content(7), 10, 1, None, 1);
		let other = assert_create_lease(ALICE, content(8), 10, 1, None, 1);
		assert_set_index(ALICE, Some(index));
		run_to_epoch(1 + GRACE_EPOCHS);
		assert_close(ALICE, other);
		assert_eq!(Leasing::index_of(&ALICE), Some(index));
		assert_close(ALICE, index);
		assert_eq!(Leasing::index_of(&ALICE), None);
	});
}

#[test]
fn close_refuses_unknown_leases_and_leases_not_expired() {
	new_test_ext(|| {
		assert_noop!(Leasing::close(RuntimeOrigin::signed(BOB), 0), Error::<Test>::UnknownLease);
		let lease = lease_under_mod_a(2);
		// Paid epochs, then the grace period: not before the epoch after it.
		for epoch in [0, 1, 2, 1 + GRACE_EPOCHS] {
			run_to_end_of_epoch(epoch);
			assert_noop!(
				Leasing::close(RuntimeOrigin::signed(BOB), lease),
				Error::<Test>::LeaseNotExpired
			);
		}
		assert_noop!(Leasing::close(RuntimeOrigin::none(), lease), DispatchError::BadOrigin);
		run_to_epoch(2 + GRACE_EPOCHS);
		assert_close(BOB, lease);
		assert_noop!(
			Leasing::close(RuntimeOrigin::signed(BOB), lease),
			Error::<Test>::UnknownLease
		);
	});
}
