//! Strikes and the standing state machine: `Active → Warned → Suspended → Banned`, the strike
//! window, restoration after clean epochs, capacity shortfalls, deregistered and banned nodes.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{NodeRegistry, Standing};
use polkadot_sdk::frame_support::assert_ok;

/// Run epoch `epoch`: Dave answers his challenge, Eve misses hers; check the expiry block
/// (the 8th of the epoch, or the 8th block for epoch 0) with the step Eve takes, if any.
fn epoch_where_eve_misses(epoch: u64, step: Option<(Standing, Standing, Balance, Balance)>) {
	let start = (epoch * EPOCH_LENGTH).max(2);
	run_to_block(start);
	let (dave_id, _) = only_challenge(DAVE);
	assert_respond(DAVE, dave_id, None);
	let (eve_id, _) = only_challenge(EVE);
	let lowered: Vec<_> = step.map(|(f, t, s, r)| (EVE, f, t, s, r)).into_iter().collect();
	assert_missed_at(start + 6, &[(eve_id, EVE)], &lowered);
}

#[test]
fn missed_challenges_walk_a_node_down_to_a_ban() {
	new_test_ext(|| {
		// Two strikes per step; 10% of the bond slashed per step.
		epoch_where_eve_misses(0, None);
		epoch_where_eve_misses(1, Some((Standing::Active, Standing::Warned, 1_000, 0)));
		assert_eq!(Nodes::standing(&EVE), Some(Standing::Warned));
		epoch_where_eve_misses(2, None);
		epoch_where_eve_misses(3, Some((Standing::Warned, Standing::Suspended, 900, 0)));
		assert_eq!(Nodes::standing(&EVE), Some(Standing::Suspended));
		// Suspended nodes are still challenged: they must keep proving.
		epoch_where_eve_misses(4, None);
		epoch_where_eve_misses(5, Some((Standing::Suspended, Standing::Banned, 810, 7_290)));
		assert_eq!(Nodes::standing(&EVE), Some(Standing::Banned));
		assert_eq!(bond_of(EVE), 0);
		assert!(!Nodes::is_subscribed(&EVE, &MODERATOR));
		// A banned node is challenged no more; Dave, who answered everything, is active.
		assert_challenges_at(60, &[DAVE]);
		assert_eq!(Nodes::standing(&DAVE), Some(Standing::Active));
		assert_eq!(bond_of(DAVE), BOND);
		let record = Records::<Test>::get(EVE).unwrap();
		assert_eq!((record.total_strikes, record.strikes, record.last_strike), (6, 0, Some(5)));
	});
}

#[test]
fn strikes_outside_the_window_start_a_new_count() {
	ExtBuilder::default().with_params(LawParams { strike_window: 1, ..PARAMS }).build_and_execute(
		|| {
			epoch_where_eve_misses(0, None);
			// The next strike is in a new window: one strike again, no step.
			epoch_where_eve_misses(1, None);
			assert_eq!(Records::<Test>::get(EVE).map(|r| r.strikes), Some(1));
			assert_eq!(Nodes::standing(&EVE), Some(Standing::Active));
		},
	);
}

#[test]
fn clean_epochs_restore_a_warned_node() {
	new_test_ext(|| {
		epoch_where_eve_misses(0, None);
		epoch_where_eve_misses(1, Some((Standing::Active, Standing::Warned, 1_000, 0)));
		// Epoch 2: Eve answers; her last strike (epoch 1) is one epoch old.
		run_to_block(20);
		let (id, _) = only_challenge(EVE);
		assert_respond(EVE, id, None);
		answer_all(DAVE);
		// Epoch 3: two epochs clean. The epoch start restores her before challenging.
		run_to_block(29);
		let before = law_events().len();
		run_to_block(30);
		assert!(law_events()[before..]
			.contains(&Event::StandingRestored { node: EVE, from: Standing::Warned }));
		assert_eq!(Nodes::standing(&EVE), Some(Standing::Active));
		assert_eq!(Records::<Test>::get(EVE).map(|r| r.strikes), Some(0));
		// The slash stays slashed.
		assert_eq!(bond_of(EVE), BOND - 1_000);
	});
}

#[test]
fn a_valid_answer_restores_a_node_clean_long_enough() {
	ExtBuilder::default()
		.with_params(LawParams { strikes_per_step: 1, ..PARAMS })
		.build_and_execute(|| {
			epoch_where_eve_misses(0, Some((Standing::Active, Standing::Warned, 1_000, 0)));
			// No challenge for two epochs (rate zero), then one: her answer restores her.
			assert_set_params(LawParams {
				strikes_per_step: 1,
				challenge_rate: polkadot_sdk::sp_runtime::Perbill::zero(),
				..PARAMS
			});
			answer_all(DAVE);
			run_to_block(29);
			assert_set_params(LawParams { strikes_per_step: 1, ..PARAMS });
			run_to_block(30);
			// The epoch start restored her already (sampled): check the event.
			assert!(law_events()
				.contains(&Event::StandingRestored { node: EVE, from: Standing::Warned }));
			// Warn her by hand with a strike record in place, then answer: restored by respond.
			let (id, _) = only_challenge(EVE);
			assert_ok!(Nodes::force_set_standing(RuntimeOrigin::root(), EVE, Standing::Suspended));
			assert_respond(EVE, id, Some(Standing::Suspended));
		});
}

#[test]
fn a_standing_set_by_the_admin_is_left_alone() {
	new_test_ext(|| {
		assert_ok!(Nodes::force_set_standing(RuntimeOrigin::root(), DAVE, Standing::Warned));
		for epoch in 0..4 {
			run_to_block((epoch * EPOCH_LENGTH).max(2));
			answer_all(DAVE);
			answer_all(EVE);
		}
		assert_eq!(Nodes::standing(&DAVE), Some(Standing::Warned));
	});
}

#[test]
fn a_capacity_shortfall_after_the_grace_period_is_a_strike() {
	ExtBuilder::default()
		.with_params(LawParams { strikes_per_step: 1, ..PARAMS })
		.build_and_execute(|| {
			// The catalog outgrows the nodes' capacity with content a node proved it holds
			// (recorded here directly; unproven content holds nobody to its size).
			assert_ok!(Moderation::list_content(
				RuntimeOrigin::signed(MODERATOR),
				[9; 32],
				CAPACITY,
				b"big".to_vec(),
				b"m".to_vec(),
				None
			));
			assert!(
				<Moderation as bitcloud_primitives::traits::CatalogProofs<_, _>>::record_proof(
					&MODERATOR, &[9; 32], CAPACITY, 2
				)
			);
			// Epoch 0: the check starts the grace period; no strike yet.
			run_to_block(2);
			assert!(!law_events().iter().any(|e| matches!(e, Event::StrikeRecorded { .. })));
			answer_all_valid(DAVE);
			answer_all_valid(EVE);
			// Epoch 1: the grace period (5 blocks) is over: a strike each, and a step down.
			run_to_block(10);
			for node in [DAVE, EVE] {
				assert!(law_events().iter().any(|e| matches!(
					e,
					Event::StrikeRecorded { node: n, reason: StrikeReason::CapacityShortfall, .. }
						if *n == node
				)));
				assert_ne!(Nodes::standing(&node), Some(Standing::Active));
			}
		});
}

/// Answer `who`'s challenges on sample files (a challenge on the fake big item cannot be
/// answered and is left to expire).
fn answer_all_valid(who: AccountId) {
	for (id, c) in pending(who) {
		if (0..4).any(|i| bitcloud_primitives::content_id(&file(i)) == c.content) {
			assert_respond(who, id, None);
		}
	}
}

/// Dave and Eve answer their challenges of epoch 0; Eve leaves her catalog, then the registry:
/// not before the draw of the epoch her subscription ends in, which challenges her once more.
/// Returns that challenge, left pending.
fn eve_deregisters_with_a_challenge_pending() -> ChallengeId {
	assert_challenges_at(2, &[DAVE, EVE]);
	answer_all(DAVE);
	answer_all(EVE);
	assert_ok!(Nodes::unsubscribe(RuntimeOrigin::signed(EVE), MODERATOR));
	assert_challenges_at(10, &[DAVE, EVE]);
	let (id, _) = only_challenge(EVE);
	assert_ok!(Nodes::deregister_node(RuntimeOrigin::signed(EVE)));
	id
}

#[test]
fn a_deregistered_node_still_pays_for_missed_challenges() {
	new_test_ext(|| {
		let id = eve_deregisters_with_a_challenge_pending();
		run_to_block(15);
		let before = law_events().len();
		run_to_block(16);
		assert!(law_events()[before..].contains(&Event::StrikeRecorded {
			node: EVE,
			reason: StrikeReason::MissedChallenge(id),
			strikes: 1,
		}));
		// 10% of the unbonding funds.
		assert_eq!(bond_of(EVE), BOND - 1_000);
		assert_eq!(Nodes::standing(&EVE), None);
	});
}

#[test]
fn a_strike_with_nothing_left_to_slash_says_why() {
	new_test_ext(|| {
		eve_deregisters_with_a_challenge_pending();
		// She takes her bond back once it unbonded (the challenge she missed took 10%).
		run_to_block(110);
		assert_ok!(Nodes::withdraw_unbonded(RuntimeOrigin::signed(EVE)));
		// A strike now finds nothing to slash: it is recorded, and the refusal is told.
		let before = law_events().len();
		StorageLaw::strike(&EVE, StrikeReason::CapacityShortfall);
		assert_eq!(
			law_events()[before..],
			[
				Event::StrikeRecorded {
					node: EVE,
					reason: StrikeReason::CapacityShortfall,
					strikes: 1
				},
				Event::SlashFailed {
					node: EVE,
					error: pallet_nodes::Error::<Test>::NotRegistered.into()
				},
			]
		);
		assert_eq!(Records::<Test>::get(EVE).map(|r| r.total_strikes), Some(2));
		assert_eq!(Nodes::standing(&EVE), None);
	});
}

#[test]
fn challenges_of_a_banned_node_are_discarded() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, _) = only_challenge(EVE);
		assert_ok!(Nodes::force_set_standing(RuntimeOrigin::root(), EVE, Standing::Banned));
		answer_all(DAVE);
		run_to_block(7);
		let before = law_events().len();
		run_to_block(8);
		assert_eq!(
			law_events()[before..],
			[Event::ChallengeDiscarded { challenge_id: id, node: EVE }]
		);
		assert_eq!(Records::<Test>::get(EVE), None);
	});
}
