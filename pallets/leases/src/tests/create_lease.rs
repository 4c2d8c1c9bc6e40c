//! `create_lease`: an owner pays nodes to keep an object, per byte per epoch.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, traits::fungible::Mutate},
	sp_runtime::DispatchError,
};

fn create(
	owner: AccountId,
	bytes: u64,
	replicas: u32,
	moderator: Option<AccountId>,
	epochs: u32,
) -> polkadot_sdk::sp_runtime::DispatchResult {
	Leasing::create_lease(
		RuntimeOrigin::signed(owner),
		content(1),
		bytes,
		replicas,
		moderator,
		epochs,
	)
}

#[test]
fn create_lease_holds_the_cost_and_indexes_the_lease() {
	new_test_ext(|| {
		assert_offer_storage(MOD_A, 3);
		// 3 × 100 bytes × 2 replicas × 4 epochs.
		let first = assert_create_lease(ALICE, content(1), 100, 2, Some(MOD_A), 4);
		assert_eq!(Leases::<Test>::get(first).map(|l| l.funds), Some(2_400));
		// Unmoderated: `UnmoderatedPrice` (2) × 1 byte × 1 replica × 1 epoch.
		let second = assert_create_lease(ALICE, content(2), 1, 1, None, 1);
		// The largest object, the most replicas, a later epoch, another owner.
		run_to_epoch(5);
		let third =
			assert_create_lease(BOB, content(1), MAX_LEASE_BYTES, MAX_REPLICAS, Some(MOD_A), 1);
		assert_eq!((first, second, third), (0, 1, 2));
		assert_eq!(Leases::<Test>::get(third).map(|l| (l.start, l.paid_until)), Some((5, 6)));
		// One owner's leases add up in one hold (checked by the invariants after each call).
		assert_eq!(Leasing::leases_of(&ALICE), vec![0, 1]);
		assert_eq!(Leasing::leases_of_content(&content(1)), vec![0, 2]);
	});
}

#[test]
fn create_lease_refuses_bad_sizes_replicas_and_epochs() {
	new_test_ext(|| {
		assert_noop!(create(ALICE, 0, 1, None, 1), Error::<Test>::ZeroBytes);
		assert_noop!(create(ALICE, MAX_LEASE_BYTES + 1, 1, None, 1), Error::<Test>::TooManyBytes);
		assert_noop!(create(ALICE, 1, 0, None, 1), Error::<Test>::ZeroReplicas);
		assert_noop!(create(ALICE, 1, MAX_REPLICAS + 1, None, 1), Error::<Test>::TooManyReplicas);
		assert_noop!(create(ALICE, 1, 1, None, 0), Error::<Test>::ZeroEpochs);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Leasing::create_lease(origin, content(1), 1, 1, None, 1),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn create_lease_refuses_moderators_without_an_offer_or_not_live_and_denied_content() {
	new_test_ext(|| {
		assert_noop!(create(ALICE, 1, 1, Some(MOD_A), 1), Error::<Test>::NoOffer);
		assert_noop!(create(ALICE, 1, 1, Some(ALICE), 1), Error::<Test>::NoOffer);
		assert_offer_storage(MOD_A, 3);
		set_moderator(MOD_A, false);
		assert_noop!(create(ALICE, 1, 1, Some(MOD_A), 1), Error::<Test>::ModeratorNotLive);
		set_moderator(MOD_A, true);
		set_denied(MOD_A, content(1), true);
		assert_noop!(create(ALICE, 1, 1, Some(MOD_A), 1), Error::<Test>::ContentDenied);
		// Another moderator's deny list does not matter.
		set_denied(MOD_A, content(1), false);
		set_denied(MOD_B, content(1), true);
		assert_create_lease(ALICE, content(1), 1, 1, Some(MOD_A), 1);
	});
}

#[test]
fn create_lease_refuses_overflowing_amounts_and_epochs() {
	new_test_ext(|| {
		assert_offer_storage(MOD_A, u64::MAX / 2);
		// u64::MAX / 2 × 3 bytes does not fit: refused, not wrapped.
		assert_noop!(create(ALICE, 3, 1, Some(MOD_A), 1), Error::<Test>::CostOverflow);
		assert_offer_storage(MOD_A, 1);
		assert_noop!(
			create(ALICE, MAX_LEASE_BYTES, 3, Some(MOD_A), u32::MAX),
			Error::<Test>::InsufficientBalance
		);
		UnmoderatedPrice::set(u64::MAX / 4);
		assert_noop!(create(ALICE, 1, 1, None, 5), Error::<Test>::CostOverflow);
		// The last paid epoch must fit in an epoch index.
		UnmoderatedPrice::set(0);
		run_to_epoch(1);
		assert_noop!(create(ALICE, 1, 1, None, u32::MAX), Error::<Test>::EpochOverflow);
		// Free storage is allowed if the runtime sets it so: nothing is held.
		assert_create_lease(ALICE, content(3), 1, 1, None, u32::MAX - 1);
	});
}

#[test]
fn create_lease_refuses_what_the_owner_cannot_pay() {
	new_test_ext(|| {
		// 2 × 10 bytes: POOR has 20, and must keep its existential deposit.
		assert_noop!(create(POOR, 10, 1, None, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(create(NOBODY, 1, 1, None, 1), Error::<Test>::InsufficientBalance);
		assert_noop!(create(ALICE, 10_000, 3, None, 17), Error::<Test>::InsufficientBalance);
		// A rich account may hold amounts near the limit.
		Balances::set_balance(&BOB, u64::MAX / 2);
		UnmoderatedPrice::set(u64::MAX / 4);
		assert_create_lease(BOB, content(1), 1, 1, None, 1);
	});
}

#[test]
fn create_lease_refuses_past_the_owner_and_content_limits() {
	new_test_ext(|| {
		for n in 0..MAX_LEASES_PER_OWNER {
			assert_create_lease(ALICE, content(n as u8 + 10), 1, 1, None, 1);
		}
		assert_noop!(create(ALICE, 1, 1, None, 1), Error::<Test>::TooManyLeases);
		for _ in 0..MAX_LEASES_PER_CONTENT {
			assert_create_lease(BOB, content(1), 1, 1, None, 1);
		}
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(ALICE), content(1), 1, 1, None, 1),
			Error::<Test>::TooManyLeases
		);
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(MOD_A), content(1), 1, 1, None, 1),
			Error::<Test>::TooManyLeasesForContent
		);
		// Closing a lease frees its places.
		run_to_epoch(1 + GRACE_EPOCHS);
		assert_close(MOD_B, 0);
		assert_close(MOD_B, MAX_LEASES_PER_OWNER as u64);
		assert_create_lease(ALICE, content(1), 1, 1, None, 1);
	});
}
