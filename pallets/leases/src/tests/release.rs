//! `release`: a keeper stops keeping a lease, paid its whole epochs first.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn release_pays_the_whole_epochs_owed_then_removes_the_keeper() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(5);
		assert_keep(NODE_1, lease);
		assert_keep(NODE_2, lease);
		// Epochs 1 and 2 are owed; epoch 3 is not over.
		run_to_end_of_epoch(3);
		let before = Balances::free_balance(NODE_1);
		assert_release(NODE_1, lease);
		assert_eq!(Balances::free_balance(NODE_1), before + 3 * 100 * 2);
		assert!(Leasing::kept_by(&NODE_1).is_empty());
		// Its place is free; a new keeper is paid from the next epoch only.
		assert_keep(NODE_3, lease);
		// A keeper owed nothing just leaves.
		assert_release(NODE_3, lease);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.keepers.len()), Some(1));
	});
}

#[test]
fn a_keeper_that_earns_nothing_forfeits_what_it_was_owed_when_it_releases() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(5);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		set_standing(NODE_1, Standing::Suspended);
		let before = Balances::free_balance(NODE_1);
		assert_release(NODE_1, lease);
		assert_eq!(Balances::free_balance(NODE_1), before);
		// The funds stay in the lease.
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.funds), Some(3 * 100 * 2 * 5));
		// A node that deregistered leaves the same way.
		assert_keep(NODE_2, lease);
		remove_node(NODE_2);
		run_to_epoch(5);
		assert_release(NODE_2, lease);
	});
}

#[test]
fn a_keeper_may_release_a_lease_in_its_grace_period() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		// Paid up to the lease's paid epochs only.
		assert_release(NODE_1, lease);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.funds), Some(1_200 - 300));
	});
}

#[test]
fn release_refuses_unknown_leases_and_non_keepers() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::release(RuntimeOrigin::signed(NODE_1), 0),
			Error::<Test>::UnknownLease
		);
		let lease = lease_under_mod_a(2);
		assert_noop!(
			Leasing::release(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NotKeeper
		);
		assert_noop!(
			Leasing::release(RuntimeOrigin::signed(ALICE), lease),
			Error::<Test>::NotKeeper
		);
		assert_keep(NODE_1, lease);
		assert_noop!(Leasing::release(RuntimeOrigin::none(), lease), DispatchError::BadOrigin);
		assert_release(NODE_1, lease);
		assert_noop!(
			Leasing::release(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NotKeeper
		);
	});
}
