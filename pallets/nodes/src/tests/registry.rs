//! The `NodeRegistry` and `SubscriberCount` traits, the runtime-API queries, genesis and the
//! invariant checker.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{CapacityStatus, NodeRegistry, Standing, SubscriberCount as _};
use polkadot_sdk::frame_support::assert_err;

#[test]
fn registry_answers_about_nodes() {
	new_test_ext(|| {
		register(ALICE);
		assert_register_node(BOB, MIN_BOND, 5_000, ENDPOINT, ONION_KEY, true);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_C);

		assert!(Registry::is_registered(&ALICE));
		assert!(!Registry::is_registered(&CHARLIE));
		assert_eq!(<Registry as NodeRegistry<_, _>>::standing(&ALICE), Some(Standing::Active));
		assert_eq!(<Registry as NodeRegistry<_, _>>::standing(&CHARLIE), None);
		assert_eq!(Registry::subscriptions(&ALICE), vec![MOD_A, MOD_C]);
		assert_eq!(Registry::subscriptions(&CHARLIE), Vec::<AccountId>::new());
		assert!(Registry::is_subscribed(&ALICE, &MOD_A));
		assert!(!Registry::is_subscribed(&BOB, &MOD_A));
		assert!(Registry::carries_unmoderated(&BOB));
		assert!(!Registry::carries_unmoderated(&ALICE));
		assert_eq!(Registry::node_count(), 2);
		assert_eq!(Registry::node_at(0), Some(ALICE));
		assert_eq!(Registry::node_at(1), Some(BOB));
		assert_eq!(Registry::node_at(2), None);
		assert_eq!(
			<Registry as NodeRegistry<_, _>>::check_capacity(&ALICE),
			Some(CapacityStatus::Covered)
		);
		assert_eq!(<Registry as NodeRegistry<_, _>>::check_capacity(&CHARLIE), None);
		assert_eq!(Registry::subscriber_count(&MOD_A), 1);
		assert_eq!(Registry::subscriber_count(&MOD_B), 0);

		assert_ban(ALICE, false);
		assert_eq!(<Registry as NodeRegistry<_, _>>::standing(&ALICE), Some(Standing::Banned));
		assert_eq!(Registry::node_at(0), Some(BOB));
		assert_eq!(Registry::subscriber_count(&MOD_A), 0);
	});
}

#[test]
fn node_view_shows_what_a_client_needs() {
	new_test_ext(|| {
		assert_eq!(Registry::node_view(&ALICE), None);
		register(ALICE);
		assert_update_node(ALICE, 1_200, b"http://alice", [5; 32], true);
		assert_subscribe(ALICE, MOD_A);
		set_moderator(MOD_A, true, 1_500);
		assert_eq!(
			Registry::node_view(&ALICE),
			Some(NodeView {
				bond: 1_000,
				capacity: 1_200,
				required: 1_500,
				// Not yet observed on chain: the grace period would start now.
				capacity_status: CapacityStatus::Grace { ends: 1 + GRACE_PERIOD },
				endpoint: b"http://alice".to_vec(),
				onion_key: [5; 32],
				unmoderated: true,
				standing: Standing::Active,
				subscriptions: vec![MOD_A],
				unsubscribing: vec![],
			})
		);
	});
}

#[test]
fn nodes_serving_lists_subscribers_that_are_not_suspended() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		register(CHARLIE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(BOB, MOD_A);
		assert_subscribe(CHARLIE, MOD_B);
		assert_set_standing(BOB, Standing::Warned, false);
		let mut serving = Registry::nodes_serving(&MOD_A);
		serving.sort();
		assert_eq!(serving, vec![ALICE, BOB]);
		assert_set_standing(BOB, Standing::Suspended, false);
		assert_eq!(Registry::nodes_serving(&MOD_A), vec![ALICE]);
		assert_eq!(Registry::nodes_serving(&MOD_C), Vec::<AccountId>::new());
	});
}

#[test]
fn onion_relays_are_active_nodes_carrying_unmoderated_traffic() {
	new_test_ext(|| {
		assert_eq!(Registry::onion_relays(), Vec::<AccountId>::new());
		register(ALICE);
		assert_register_node(BOB, MIN_BOND, 5_000, ENDPOINT, ONION_KEY, true);
		assert_register_node(CHARLIE, MIN_BOND, 5_000, ENDPOINT, ONION_KEY, true);
		let mut relays = Registry::onion_relays();
		relays.sort();
		assert_eq!(relays, vec![BOB, CHARLIE]);
		assert_set_standing(BOB, Standing::Warned, false);
		assert_eq!(Registry::onion_relays(), vec![CHARLIE]);
		assert_update_node(CHARLIE, 5_000, ENDPOINT, ONION_KEY, false);
		assert_eq!(Registry::onion_relays(), Vec::<AccountId>::new());
	});
}

#[test]
fn genesis_registers_nodes_and_subscriptions() {
	let genesis = GenesisConfig::<Test> {
		nodes: vec![
			(ALICE, 1_000, 10_000, b"http://a".to_vec(), [1; 32], false, vec![MOD_A, MOD_B]),
			(BOB, 500, 1_000, b"http://b".to_vec(), [2; 32], true, vec![MOD_A]),
		],
	};
	ExtBuilder::default().with_genesis(genesis).build_and_execute(|| {
		assert_eq!(NodeCount::<Test>::get(), 2);
		assert_eq!(Registry::subscriptions(&ALICE), vec![MOD_A, MOD_B]);
		assert_eq!(SubscriberCount::<Test>::get(MOD_A), 2);
		assert_eq!(Balances::free_balance(BOB), INITIAL_BALANCE - 500);
	});
}

#[test]
#[should_panic(expected = "genesis subscriptions must be to live moderators and fit")]
fn genesis_refuses_subscriptions_beyond_capacity() {
	let genesis = GenesisConfig::<Test> {
		nodes: vec![(ALICE, 1_000, 100, b"http://a".to_vec(), [1; 32], false, vec![MOD_A])],
	};
	ExtBuilder::default().with_genesis(genesis).build();
}

#[test]
fn try_state_detects_corruption() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		assert_subscribe(ALICE, MOD_A);

		Nodes::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().bond = 1);
		assert_err!(Registry::do_try_state(), "node bond differs from its hold");
		Nodes::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().bond = 1_000);

		NodeCount::<Test>::put(3);
		assert_err!(Registry::do_try_state(), "nodeCount differs from the nodes");
		NodeCount::<Test>::put(2);

		SubscriberCount::<Test>::insert(MOD_A, 2);
		assert_err!(Registry::do_try_state(), "subscriberCount differs from the subscribers");
		SubscriberCount::<Test>::insert(MOD_A, 1);

		// A reaped moderator with a subscriber left behind.
		remove_moderator(MOD_A);
		assert_err!(Registry::do_try_state(), "subscription to a moderator that no longer exists");
		set_moderator(MOD_A, true, 1_000);

		OverCapacitySince::<Test>::insert(CHARLIE, 1);
		assert_err!(Registry::do_try_state(), "shortfall of an unregistered node");
		OverCapacitySince::<Test>::remove(CHARLIE);
	});
}
