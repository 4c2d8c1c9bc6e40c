//! Obligations that last: a node cannot leave a catalog between two draws and come back
//! unchallenged, nor leave the registry in the middle of its obligations.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::NodeRegistry;
use polkadot_sdk::frame_support::{assert_noop, assert_ok};

/// The moderators `who`'s pending challenges name.
fn challenged_moderators(who: AccountId) -> Vec<AccountId> {
	pending(who).into_iter().filter_map(|(_, c)| c.moderator).collect()
}

#[test]
fn unsubscribing_in_an_epochs_last_block_does_not_dodge_the_next_draw() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		// The attack: Eve leaves Moderator's catalog in the last block of epoch 0...
		run_to_block(EPOCH_LENGTH - 1);
		assert_ok!(Nodes::unsubscribe(RuntimeOrigin::signed(EVE), MODERATOR));
		// ...and the draw of epoch 1 still challenges her on it: she held it during epoch 0.
		assert_challenges_at(EPOCH_LENGTH, &[DAVE, EVE]);
		assert_eq!(challenged_moderators(EVE), vec![MODERATOR]);
		answer_all(DAVE);
		// She is no longer subscribed (no pay for its bytes from now), but must answer.
		assert!(!Nodes::is_subscribed(&EVE, &MODERATOR));
		let (id, _) = only_challenge(EVE);
		assert_missed_at(EPOCH_LENGTH + 6, &[(id, EVE)], &[]);
		assert_eq!(Records::<Test>::get(EVE).map(|r| r.total_strikes), Some(1));

		// ...then comes back after the draw: the next draw covers her again.
		run_to_block(EPOCH_LENGTH + 7);
		assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(EVE), MODERATOR));
		assert_challenges_at(2 * EPOCH_LENGTH, &[DAVE, EVE]);
		assert_eq!(challenged_moderators(EVE), vec![MODERATOR]);
	});
}

#[test]
fn a_subscription_taken_mid_epoch_is_covered_by_the_next_draw_even_if_dropped() {
	new_test_ext(|| {
		// Ferdie subscribes after the draw of epoch 0, and unsubscribes in the same epoch.
		assert_challenges_at(2, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		run_to_block(3);
		assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), MODERATOR_2));
		assert_ok!(Nodes::unsubscribe(RuntimeOrigin::signed(FERDIE), MODERATOR_2));
		assert_challenges_at(EPOCH_LENGTH, &[DAVE, EVE, FERDIE]);
		assert_eq!(challenged_moderators(FERDIE), vec![MODERATOR_2]);
		answer_all(DAVE);
		answer_all(EVE);
		answer_all(FERDIE);
		// Its end has come: no more.
		assert_challenges_at(2 * EPOCH_LENGTH, &[DAVE, EVE]);
		assert!(Nodes::obligations(&FERDIE).is_empty());
	});
}

#[test]
fn deregistering_cannot_skip_the_draw_of_the_current_epoch() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		// Eve tries to leave in the last block of epoch 0: refused while she subscribes.
		run_to_block(EPOCH_LENGTH - 1);
		assert_noop!(
			Nodes::deregister_node(RuntimeOrigin::signed(EVE)),
			pallet_nodes::Error::<Test>::SubscriptionsNotEnded
		);
		assert_ok!(Nodes::unsubscribe(RuntimeOrigin::signed(EVE), MODERATOR));
		assert_noop!(
			Nodes::deregister_node(RuntimeOrigin::signed(EVE)),
			pallet_nodes::Error::<Test>::SubscriptionsNotEnded
		);
		// The draw of epoch 1 covers her; after it she may go, the challenge stays hers.
		assert_challenges_at(EPOCH_LENGTH, &[DAVE, EVE]);
		assert_ok!(Nodes::deregister_node(RuntimeOrigin::signed(EVE)));
		assert_eq!(pending(EVE).len(), 1);
	});
}
