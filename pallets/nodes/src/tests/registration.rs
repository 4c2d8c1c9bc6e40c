//! Registering, updating, bonding, deregistering and withdrawing.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, pallet_prelude::DispatchResult},
	sp_runtime::DispatchError,
};

fn register_call(
	who: AccountId,
	bond: Balance,
	capacity: u64,
	endpoint: &[u8],
	key: [u8; 32],
) -> DispatchResult {
	Registry::register_node(
		RuntimeOrigin::signed(who),
		bond,
		capacity,
		endpoint.to_vec(),
		key,
		false,
	)
}

#[test]
fn register_node_holds_bond_and_records_node() {
	new_test_ext(|| {
		assert_register_node(ALICE, MIN_BOND, 1, b"h", ONION_KEY, true);
		assert_register_node(BOB, 5_000, u64::MAX, &[b'e'; 32], [1; 32], false);
		register(CHARLIE);
	});
}

#[test]
fn register_node_refuses_bad_input() {
	new_test_ext(|| {
		assert_noop!(
			register_call(ALICE, MIN_BOND - 1, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::BondTooLow
		);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 0, ENDPOINT, ONION_KEY),
			Error::<Test>::ZeroCapacity
		);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 1, b"", ONION_KEY),
			Error::<Test>::EmptyEndpoint
		);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 1, &[b'e'; 33], ONION_KEY),
			Error::<Test>::EndpointTooLong
		);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 1, ENDPOINT, [0; 32]),
			Error::<Test>::InvalidOnionKey
		);
		assert_noop!(
			register_call(DAVE, MIN_BOND, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			register_call(ALICE, INITIAL_BALANCE + 1, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::InsufficientBalance
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Registry::register_node(origin, MIN_BOND, 1, ENDPOINT.to_vec(), ONION_KEY, false),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn register_node_refuses_registered_unbonding_and_banned_accounts() {
	new_test_ext(|| {
		register(ALICE);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::AlreadyRegistered
		);
		assert_deregister_node(ALICE);
		assert_noop!(
			register_call(ALICE, MIN_BOND, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::StillUnbonding
		);
		register(BOB);
		assert_ban(BOB, false);
		assert_noop!(
			register_call(BOB, MIN_BOND, 1, ENDPOINT, ONION_KEY),
			Error::<Test>::NodeBanned
		);
	});
}

#[test]
fn update_node_replaces_its_fields() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 1, b"https://x", [3; 32], true);
		assert_update_node(ALICE, 50_000, &[b'e'; 32], ONION_KEY, false);
	});
}

#[test]
fn update_node_cannot_lower_capacity_below_the_subscriptions() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		// Exactly the requirement is fine.
		assert_update_node(ALICE, 3_000, ENDPOINT, ONION_KEY, false);
		assert_noop!(
			Registry::update_node(
				RuntimeOrigin::signed(ALICE),
				2_999,
				ENDPOINT.to_vec(),
				ONION_KEY,
				false
			),
			Error::<Test>::CapacityExceeded
		);
	});
}

#[test]
fn update_node_while_short_of_capacity() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 1_500, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		set_moderator(MOD_A, true, 2_000);
		// Keeping or raising a capacity that is still short is allowed and starts the grace.
		assert_update_node(ALICE, 1_500, b"http://new", ONION_KEY, false);
		assert!(OverCapacitySince::<Test>::contains_key(ALICE));
		assert_update_node(ALICE, 1_800, ENDPOINT, ONION_KEY, false);
		// Lowering it further is not.
		assert_noop!(
			Registry::update_node(
				RuntimeOrigin::signed(ALICE),
				1_700,
				ENDPOINT.to_vec(),
				ONION_KEY,
				false
			),
			Error::<Test>::CapacityExceeded
		);
		// Enough capacity ends the shortfall.
		assert_update_node(ALICE, 2_000, ENDPOINT, ONION_KEY, false);
		assert!(!OverCapacitySince::<Test>::contains_key(ALICE));
	});
}

#[test]
fn update_node_refuses_bad_input_and_state() {
	new_test_ext(|| {
		let update = |who, capacity, endpoint: &[u8], key| {
			Registry::update_node(
				RuntimeOrigin::signed(who),
				capacity,
				endpoint.to_vec(),
				key,
				false,
			)
		};
		assert_noop!(update(ALICE, 1, ENDPOINT, ONION_KEY), Error::<Test>::NotRegistered);
		register(ALICE);
		assert_noop!(update(ALICE, 0, ENDPOINT, ONION_KEY), Error::<Test>::ZeroCapacity);
		assert_noop!(update(ALICE, 1, b"", ONION_KEY), Error::<Test>::EmptyEndpoint);
		assert_noop!(update(ALICE, 1, &[b'e'; 33], ONION_KEY), Error::<Test>::EndpointTooLong);
		assert_noop!(update(ALICE, 1, ENDPOINT, [0; 32]), Error::<Test>::InvalidOnionKey);
		assert_noop!(
			Registry::update_node(RuntimeOrigin::none(), 1, ENDPOINT.to_vec(), ONION_KEY, false),
			DispatchError::BadOrigin
		);
		assert_ban(ALICE, false);
		assert_noop!(update(ALICE, 1, ENDPOINT, ONION_KEY), Error::<Test>::NodeBanned);
	});
}

#[test]
fn bond_extra_adds_to_the_bond() {
	new_test_ext(|| {
		register(ALICE);
		assert_bond_extra(ALICE, 1);
		assert_bond_extra(ALICE, 500);
	});
}

#[test]
fn bond_extra_refuses_zero_unaffordable_unregistered_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Registry::bond_extra(RuntimeOrigin::signed(ALICE), 10),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(
			Registry::bond_extra(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::ZeroAmount
		);
		assert_noop!(
			Registry::bond_extra(RuntimeOrigin::signed(ALICE), INITIAL_BALANCE),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(Registry::bond_extra(RuntimeOrigin::none(), 10), DispatchError::BadOrigin);
	});
}

#[test]
fn deregister_node_ends_subscriptions_and_starts_unbonding() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		register(CHARLIE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(BOB, MOD_A);
		// ALICE leaves her catalogs first; her subscriptions end, and go with her node.
		assert_schedule_unsubscription(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_B);
		assert_schedule_unsubscription(BOB, MOD_A);
		run_to_epoch(UNSUBSCRIBE_DELAY);
		// ALICE is at position 0: CHARLIE moves into it.
		assert_deregister_node(ALICE);
		assert_eq!(NodeIndex::<Test>::get(0), Some(CHARLIE));
		// The last node.
		assert_deregister_node(CHARLIE);
		assert_deregister_node(BOB);
		assert_eq!(NodeCount::<Test>::get(), 0);
	});
}

#[test]
fn deregister_node_ends_a_capacity_shortfall() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 1_000, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		set_moderator(MOD_A, true, 5_000);
		assert_check_capacity(
			BOB,
			ALICE,
			bitcloud_primitives::CapacityStatus::Grace { ends: 1 + GRACE_PERIOD },
		);
		// A retired catalog holds nobody: the node may leave at once.
		set_moderator(MOD_A, false, 5_000);
		assert_deregister_node(ALICE);
	});
}

#[test]
fn deregister_node_refuses_unregistered_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		assert_noop!(Registry::deregister_node(RuntimeOrigin::none()), DispatchError::BadOrigin);
		assert_deregister_node(ALICE);
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotRegistered
		);
	});
}

#[test]
fn withdraw_unbonded_releases_the_bond_after_the_period() {
	new_test_ext(|| {
		register(ALICE);
		run_to_block(4);
		assert_deregister_node(ALICE);
		run_to_block(4 + UNBONDING_PERIOD - 1);
		assert_noop!(
			Registry::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::UnbondingNotElapsed
		);
		run_to_block(4 + UNBONDING_PERIOD);
		assert_withdraw_unbonded(ALICE);
		assert_eq!(Balances::free_balance(ALICE), INITIAL_BALANCE);
		// The account may register again.
		register(ALICE);
	});
}

#[test]
fn withdraw_unbonded_refuses_nothing_unbonding_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Registry::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotUnbonding
		);
		register(ALICE);
		assert_noop!(
			Registry::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotUnbonding
		);
		assert_noop!(Registry::withdraw_unbonded(RuntimeOrigin::none()), DispatchError::BadOrigin);
	});
}
