//! `end_lease`: the owner stops paying after the current epoch.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn ending_refunds_later_epochs_and_keepers_still_get_the_current_one() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(5);
		assert_keep(NODE_1, lease);
		run_to_end_of_epoch(2);
		// Epochs 3 and 4 are refunded: 3 × 100 × 2 replicas × 2.
		assert_end_lease(ALICE, lease);
		assert_eq!(Leases::<Test>::get(lease).map(|l| (l.paid_until, l.funds)), Some((3, 1_800)));
		assert_noop!(
			Leasing::close(RuntimeOrigin::signed(BOB), lease),
			Error::<Test>::LeaseNotExpired
		);
		// From the next epoch it can be closed: the keeper is paid epochs 1 and 2.
		run_to_epoch(3);
		assert_eq!(assert_close(BOB, lease), 1_800 - 600);
	});
}

#[test]
fn a_keeper_that_joined_in_the_ending_epoch_earns_nothing() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(5);
		run_to_epoch(2);
		assert_keep(NODE_1, lease);
		assert_end_lease(ALICE, lease);
		run_to_epoch(3);
		assert_noop!(
			Leasing::claim(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NothingDue
		);
		// Nothing is owed to it: everything left goes back to ALICE.
		assert_eq!(assert_close(NODE_1, lease), 3 * 100 * 2 * 3);
	});
}

#[test]
fn ending_a_lapsed_lease_refunds_nothing_and_lets_it_close_at_once() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		assert_end_lease(ALICE, lease);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.paid_until), Some(2));
		assert_eq!(assert_close(ALICE, lease), 3 * 100 * 2 * 2 - 3 * 100);
	});
}

#[test]
fn end_lease_refuses_unknown_leases_other_callers_and_a_second_end() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::end_lease(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::UnknownLease
		);
		let lease = lease_under_mod_a(2);
		assert_noop!(
			Leasing::end_lease(RuntimeOrigin::signed(BOB), lease),
			Error::<Test>::NotOwner
		);
		assert_noop!(Leasing::end_lease(RuntimeOrigin::none(), lease), DispatchError::BadOrigin);
		assert_end_lease(ALICE, lease);
		assert_noop!(
			Leasing::end_lease(RuntimeOrigin::signed(ALICE), lease),
			Error::<Test>::LeaseEnded
		);
	});
}
