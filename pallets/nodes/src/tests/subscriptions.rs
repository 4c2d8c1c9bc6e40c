//! Subscriptions, capacity and the grace period.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::CapacityStatus;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

/// A fourth moderator, for the subscription limit.
const MOD_D: AccountId = 13;

#[test]
fn subscribe_records_the_subscription_both_ways() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(BOB, MOD_A);
		assert_eq!(SubscriberCount::<Test>::get(MOD_A), 2);
		assert_eq!(Registry::nodes_serving(&MOD_A).len(), 2);
	});
}

#[test]
fn subscribe_fills_capacity_exactly() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 3_500, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(ALICE, MOD_C);
	});
}

#[test]
fn subscribe_refuses_when_capacity_does_not_cover_the_catalogs() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 2_999, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_B),
			Error::<Test>::CapacityExceeded
		);
		// A node already short of capacity cannot add even an empty catalog.
		set_moderator(MOD_A, true, 3_000);
		set_moderator(MOD_D, true, 0);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::CapacityExceeded
		);
	});
}

#[test]
fn subscribe_refuses_wrong_moderators_and_state() {
	new_test_ext(|| {
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::UnknownModerator
		);
		set_moderator(MOD_D, false, 100);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::ModeratorRetired
		);
		assert_subscribe(ALICE, MOD_A);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::AlreadySubscribed
		);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(ALICE, MOD_C);
		set_moderator(MOD_D, true, 0);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::TooManySubscriptions
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Registry::subscribe(origin, MOD_D), DispatchError::BadOrigin);
		}
		assert_ban(ALICE, false);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::NodeBanned
		);
	});
}

#[test]
fn unsubscribe_from_a_moderator_that_is_not_live_removes_the_subscription_at_once() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(BOB, MOD_A);
		// From a retired moderator (its catalog is nobody's obligation)...
		set_moderator(MOD_A, false, 1_000);
		assert_unsubscribe(ALICE, MOD_A, None);
		assert_unsubscribe(BOB, MOD_A, None);
		assert!(!SubscriberCount::<Test>::contains_key(MOD_A));
		// ...and from one that is gone.
		remove_moderator(MOD_B);
		assert_unsubscribe(ALICE, MOD_B, None);
	});
}

#[test]
fn an_unsubscription_ends_a_capacity_shortfall_when_it_takes_effect() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 1_500, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_C);
		set_moderator(MOD_A, true, 1_200);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Grace { ends: 1 + GRACE_PERIOD });
		// The catalog is still an obligation until the unsubscription ends.
		assert_schedule_unsubscription(ALICE, MOD_C);
		assert!(OverCapacitySince::<Test>::contains_key(ALICE));
		run_to_epoch(UNSUBSCRIBE_DELAY);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Covered);
		assert!(!OverCapacitySince::<Test>::contains_key(ALICE));
	});
}

#[test]
fn unsubscribe_refuses_unknown_subscription_and_state() {
	new_test_ext(|| {
		assert_noop!(
			Registry::unsubscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Registry::unsubscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::NotSubscribed
		);
		assert_subscribe(ALICE, MOD_A);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Registry::unsubscribe(origin, MOD_A), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn prune_subscription_removes_subscriptions_to_moderators_that_are_not_live() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		set_moderator(MOD_A, false, 1_000);
		assert_unsubscribe(ALICE, MOD_A, Some(BOB));
		remove_moderator(MOD_B);
		assert_unsubscribe(ALICE, MOD_B, Some(ALICE));
	});
}

#[test]
fn prune_subscription_refuses_live_moderators_and_wrong_state() {
	new_test_ext(|| {
		assert_noop!(
			Registry::prune_subscription(RuntimeOrigin::signed(BOB), ALICE, MOD_A),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Registry::prune_subscription(RuntimeOrigin::signed(BOB), ALICE, MOD_A),
			Error::<Test>::NotSubscribed
		);
		assert_subscribe(ALICE, MOD_A);
		assert_noop!(
			Registry::prune_subscription(RuntimeOrigin::signed(BOB), ALICE, MOD_A),
			Error::<Test>::ModeratorLive
		);
		set_moderator(MOD_A, false, 1_000);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Registry::prune_subscription(origin, ALICE, MOD_A),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn catalog_growth_starts_a_grace_period_then_fails() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 1_000, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Covered);

		run_to_block(3);
		set_moderator(MOD_A, true, 1_001);
		// The first check starts the grace period (event), later ones only report.
		assert_check_capacity(BOB, ALICE, CapacityStatus::Grace { ends: 3 + GRACE_PERIOD });
		assert_eq!(OverCapacitySince::<Test>::get(ALICE), Some(3));
		run_to_block(3 + GRACE_PERIOD - 1);
		assert_check_capacity(ALICE, ALICE, CapacityStatus::Grace { ends: 3 + GRACE_PERIOD });
		run_to_block(3 + GRACE_PERIOD);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Failing);

		// The catalog shrinks: covered again.
		set_moderator(MOD_A, true, 900);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Covered);
		assert!(!OverCapacitySince::<Test>::contains_key(ALICE));
	});
}

#[test]
fn a_retired_catalog_no_longer_counts_against_capacity() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 2_000, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_B);
		set_moderator(MOD_B, true, 2_500);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Grace { ends: 1 + GRACE_PERIOD });
		set_moderator(MOD_B, false, 2_500);
		assert_check_capacity(BOB, ALICE, CapacityStatus::Covered);
	});
}

#[test]
fn check_capacity_refuses_unregistered_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Registry::check_capacity(RuntimeOrigin::signed(BOB), ALICE),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Registry::check_capacity(origin, ALICE), DispatchError::BadOrigin);
		}
	});
}
