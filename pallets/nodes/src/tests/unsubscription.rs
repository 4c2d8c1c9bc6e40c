//! Obligations that last: unsubscribing from a live moderator takes `UnsubscribeDelay` epochs,
//! the subscription still counts (and obliges) until then, and a node leaves the registry only
//! once its subscriptions have ended.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::NodeRegistry;
use polkadot_sdk::{
	frame_support::{assert_err, assert_noop},
	sp_runtime::DispatchError,
};

/// A fourth moderator, for the subscription limit.
const MOD_D: AccountId = 13;

#[test]
fn an_unsubscription_takes_effect_after_the_delay_and_obliges_through_the_next_draw() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		// The last block of epoch 0.
		run_to_block(EPOCH_LENGTH - 1);
		assert_schedule_unsubscription(ALICE, MOD_A);
		let ends = UNSUBSCRIBE_DELAY;

		// Until `ends` the node is subscribed: paid, served, held to the catalog.
		for epoch in 0..ends {
			if epoch > 0 {
				run_to_epoch(epoch);
			}
			assert!(Registry::is_subscribed(&ALICE, &MOD_A), "subscribed in epoch {epoch}");
			assert_eq!(Registry::subscriptions(&ALICE), vec![MOD_A, MOD_B]);
			assert_eq!(Registry::obligations(&ALICE), vec![MOD_A, MOD_B]);
			assert_eq!(Registry::nodes_serving(&MOD_A), vec![ALICE]);
		}
		// In epoch `ends` it is no longer subscribed, but the challenges drawn at its start
		// still cover the catalog: it was held during the epoch before.
		run_to_epoch(ends);
		assert!(!Registry::is_subscribed(&ALICE, &MOD_A));
		assert_eq!(Registry::subscriptions(&ALICE), vec![MOD_B]);
		assert_eq!(Registry::obligations(&ALICE), vec![MOD_A, MOD_B]);
		assert_eq!(Registry::nodes_serving(&MOD_A), Vec::<AccountId>::new());
		let view = Registry::node_view(&ALICE).expect("registered");
		assert_eq!(view.subscriptions, vec![MOD_A, MOD_B]);
		assert_eq!(view.unsubscribing, vec![(MOD_A, ends)]);
		// From the epoch after, nothing.
		run_to_epoch(ends + 1);
		assert_eq!(Registry::obligations(&ALICE), vec![MOD_B]);
		let view = Registry::node_view(&ALICE).expect("registered");
		assert_eq!((view.subscriptions, view.unsubscribing), (vec![MOD_B], vec![]));
	});
}

#[test]
fn subscribing_again_cancels_a_pending_unsubscription() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_A);
		run_to_epoch(UNSUBSCRIBE_DELAY - 1);
		assert_cancel_unsubscription(ALICE, MOD_A);
		run_to_epoch(UNSUBSCRIBE_DELAY + 5);
		assert!(Registry::is_subscribed(&ALICE, &MOD_A));
		assert_eq!(Registry::obligations(&ALICE), vec![MOD_A]);
		// Subscribed: a second subscription is refused, an unsubscription starts over.
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::AlreadySubscribed
		);
		assert_schedule_unsubscription(ALICE, MOD_A);
	});
}

#[test]
fn unsubscribe_refuses_a_second_unsubscription_and_ended_subscriptions() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_A);
		assert_noop!(
			Registry::unsubscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::AlreadyUnsubscribing
		);
		// A later epoch would not postpone the end either.
		run_to_epoch(UNSUBSCRIBE_DELAY - 1);
		assert_noop!(
			Registry::unsubscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::AlreadyUnsubscribing
		);
		run_to_epoch(UNSUBSCRIBE_DELAY);
		assert_noop!(
			Registry::unsubscribe(RuntimeOrigin::signed(ALICE), MOD_A),
			Error::<Test>::NotSubscribed
		);
	});
}

#[test]
fn an_ended_subscription_is_removed_when_the_node_subscribes_or_by_anyone() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(BOB, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_B);
		assert_schedule_unsubscription(BOB, MOD_A);
		// Not before its end: the moderator is live.
		assert_noop!(
			Registry::prune_subscription(RuntimeOrigin::signed(CHARLIE), BOB, MOD_A),
			Error::<Test>::ModeratorLive
		);
		run_to_epoch(UNSUBSCRIBE_DELAY);
		// ALICE subscribes to MOD_C: her two ended subscriptions go first (`Unsubscribed`).
		assert_subscribe(ALICE, MOD_C);
		assert_eq!(Nodes::<Test>::get(ALICE).unwrap().subscriptions.len(), 1);
		// Anyone may remove BOB's.
		assert_unsubscribe(BOB, MOD_A, Some(CHARLIE));
		assert!(!SubscriberCount::<Test>::contains_key(MOD_A));
		// Subscribing again after the end is a new subscription.
		assert_subscribe(BOB, MOD_A);
	});
}

#[test]
fn a_pending_unsubscription_still_takes_a_slot_and_capacity_until_it_ends() {
	new_test_ext(|| {
		register(ALICE);
		assert_update_node(ALICE, 3_000, ENDPOINT, ONION_KEY, false);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_C);
		assert_schedule_unsubscription(ALICE, MOD_A);
		// MOD_B (2 000 bytes) does not fit beside MOD_A (1 000) and MOD_C (500)... yet.
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_B),
			Error::<Test>::CapacityExceeded
		);
		set_moderator(MOD_B, true, 1_000);
		assert_subscribe(ALICE, MOD_B);
		set_moderator(MOD_D, true, 0);
		assert_noop!(
			Registry::subscribe(RuntimeOrigin::signed(ALICE), MOD_D),
			Error::<Test>::TooManySubscriptions
		);
		// Once MOD_A's subscription has ended, its slot and bytes are free.
		run_to_epoch(UNSUBSCRIBE_DELAY);
		assert_subscribe(ALICE, MOD_D);
		set_moderator(MOD_B, true, 2_000);
		assert_check_capacity(BOB, ALICE, bitcloud_primitives::CapacityStatus::Covered);
	});
}

#[test]
fn deregistering_waits_until_the_subscriptions_have_ended() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::SubscriptionsNotEnded
		);
		// The last block of an epoch: leaving now would escape the next draw.
		run_to_block(EPOCH_LENGTH - 1);
		assert_schedule_unsubscription(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_B);
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::SubscriptionsNotEnded
		);
		run_to_epoch(UNSUBSCRIBE_DELAY - 1);
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::SubscriptionsNotEnded
		);
		// Its challenges of this epoch are drawn in its first block, before any call.
		run_to_epoch(UNSUBSCRIBE_DELAY);
		assert_deregister_node(ALICE);
	});
}

#[test]
fn subscriptions_to_moderators_that_are_not_live_do_not_hold_a_node() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_schedule_unsubscription(ALICE, MOD_A);
		set_moderator(MOD_B, false, 2_000);
		assert_noop!(
			Registry::deregister_node(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::SubscriptionsNotEnded
		);
		remove_moderator(MOD_A);
		assert_deregister_node(ALICE);
		assert_eq!(SubscriberCount::<Test>::iter().count(), 0);
	});
}

#[test]
fn unsubscribe_and_subscribe_refuse_bad_origins() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_A);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Registry::subscribe(origin, MOD_A), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn try_state_detects_an_end_beyond_the_delay() {
	new_test_ext(|| {
		register(ALICE);
		assert_subscribe(ALICE, MOD_A);
		assert_schedule_unsubscription(ALICE, MOD_A);
		Nodes::<Test>::mutate(ALICE, |info| {
			info.as_mut().unwrap().subscriptions[0].ends = Some(UNSUBSCRIBE_DELAY + 1);
		});
		assert_err!(
			Registry::do_try_state(),
			"subscription ends later than UnsubscribeDelay allows"
		);
		Nodes::<Test>::mutate(ALICE, |info| {
			info.as_mut().unwrap().subscriptions[0].ends = Some(UNSUBSCRIBE_DELAY);
		});
	});
}
