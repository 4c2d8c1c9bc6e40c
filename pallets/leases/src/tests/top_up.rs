//! `top_up`: the owner pays more epochs of a lease that has not expired.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{
	frame_support::{assert_noop, traits::fungible::Mutate},
	sp_runtime::DispatchError,
};

#[test]
fn top_up_extends_a_covered_lease_from_its_paid_epochs() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		run_to_end_of_epoch(1);
		assert_top_up(ALICE, lease, 3);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.paid_until), Some(5));
		// In the first epoch not paid for, coverage still continues without a gap.
		run_to_epoch(5);
		assert_top_up(ALICE, lease, 1);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.paid_until), Some(6));
		// The keeper is owed every epoch from the one after it joined.
		run_to_epoch(6);
		assert_eq!(assert_claim(NODE_1, lease), 3 * 100 * 5);
	});
}

#[test]
fn a_lapsed_lease_starts_again_from_the_current_epoch_and_settles_its_keepers() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		assert_keep(NODE_3, lease);
		set_standing(NODE_3, Standing::Suspended);
		// Paid epochs 0 and 1; the grace period is epochs 2 and 3.
		run_to_epoch(3);
		// NODE_1 is paid epoch 1; suspended NODE_3 forfeits it; epoch 2 is nobody's.
		assert_top_up(ALICE, lease, 2);
		let record = Leases::<Test>::get(lease).expect("the lease");
		assert_eq!(record.paid_until, 5);
		assert!(record.keepers.iter().all(|k| k.paid_from == 3));
		set_standing(NODE_3, Standing::Active);
		run_to_epoch(5);
		assert_eq!(assert_claim(NODE_1, lease), 3 * 100 * 2);
		assert_eq!(assert_claim(NODE_3, lease), 3 * 100 * 2);
		// What nobody earned goes back to ALICE at close.
		run_to_epoch(7);
		assert_eq!(assert_close(BOB, lease), 3 * 100 * 2 * 4 - 3 * 100 * 5);
	});
}

#[test]
fn top_up_refuses_unknown_leases_other_callers_and_ended_leases() {
	new_test_ext(|| {
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), 0, 1),
			Error::<Test>::UnknownLease
		);
		let lease = lease_under_mod_a(2);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(BOB), lease, 1),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, 0),
			Error::<Test>::ZeroEpochs
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::top_up(origin, lease, 1), DispatchError::BadOrigin);
		}
		assert_end_lease(ALICE, lease);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, 1),
			Error::<Test>::LeaseEnded
		);
	});
}

#[test]
fn top_up_refuses_an_expired_lease() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		let other = assert_create_lease(ALICE, content(2), 1, 1, None, 1);
		// The last epoch of `lease`'s grace, the first after `other`'s.
		run_to_end_of_epoch(1 + GRACE_EPOCHS);
		assert_top_up(ALICE, lease, 1);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), other, 1),
			Error::<Test>::LeaseExpired
		);
	});
}

#[test]
fn top_up_refuses_a_moderator_that_retired_or_denies_the_content() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		set_denied(MOD_A, content(1), true);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, 1),
			Error::<Test>::ContentDenied
		);
		set_moderator(MOD_A, false);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, 1),
			Error::<Test>::ModeratorNotLive
		);
	});
}

#[test]
fn top_up_refuses_overflowing_amounts_and_epochs() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(1);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, u32::MAX),
			Error::<Test>::EpochOverflow
		);
		// 600 per epoch: more than ALICE has.
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(ALICE), lease, 2_000),
			Error::<Test>::InsufficientBalance
		);
		Balances::set_balance(&BOB, u64::MAX / 2);
		UnmoderatedPrice::set(u64::MAX / 4);
		let big = assert_create_lease(BOB, content(2), 1, 1, None, 1);
		// The cost of five epochs does not fit; that of four does, not the funds with it.
		for epochs in [5, 4] {
			assert_noop!(
				Leasing::top_up(RuntimeOrigin::signed(BOB), big, epochs),
				Error::<Test>::CostOverflow
			);
		}
	});
}
