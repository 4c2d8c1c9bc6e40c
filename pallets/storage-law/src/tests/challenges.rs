//! Issuing challenges at epoch starts and expiring them.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::NodeRegistry;
use polkadot_sdk::{frame_support::assert_ok, sp_runtime::Perbill};

#[test]
fn the_first_block_challenges_every_node_with_obligations() {
	new_test_ext(|| {
		// Ferdie subscribes to nothing: nothing to prove.
		assert_challenges_at(2, &[DAVE, EVE]);
		for (_, challenge) in pending(DAVE).into_iter().chain(pending(EVE)) {
			assert_eq!(challenge.moderator, Some(MODERATOR));
			assert_spread(&challenge, CHUNKS_PER_CHALLENGE);
		}
	});
}

#[test]
fn each_epoch_challenges_once() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		// Nothing more in the rest of the epoch.
		let before = MemorySnapshot::new();
		run_to_block(9);
		let mut after = MemorySnapshot::new();
		after.expiry_cursor = before.expiry_cursor;
		assert_eq!(after, before);
		assert_challenges_at(10, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		assert_challenges_at(20, &[DAVE, EVE]);
	});
}

#[test]
fn the_sample_follows_the_rate_and_the_cap() {
	for seed in 0..16 {
		new_test_ext(|| {
			set_seed(seed);
			// One node of three: Ferdie may be the one, then nobody is challenged.
			assert_set_params(LawParams { challenges_per_epoch: 1, ..PARAMS });
			run_to_block(2);
			assert!(NextChallengeId::<Test>::get() <= 1);
		});
		new_test_ext(|| {
			set_seed(seed);
			// A third of three nodes: one.
			assert_set_params(LawParams { challenge_rate: Perbill::from_percent(33), ..PARAMS });
			run_to_block(2);
			assert!(NextChallengeId::<Test>::get() <= 1);
		});
	}
}

#[test]
fn randomness_picks_different_nodes_contents_and_chunks() {
	let mut nodes = std::collections::BTreeSet::new();
	let mut picks = std::collections::BTreeSet::new();
	for seed in 0..24 {
		new_test_ext(|| {
			set_seed(seed);
			assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(DAVE), MODERATOR_2));
			assert_set_params(LawParams { challenges_per_epoch: 1, ..PARAMS });
			run_to_block(2);
			for (_, c) in Challenges::<Test>::iter() {
				nodes.insert(c.node);
				picks.insert((c.content, c.chunks));
			}
		});
	}
	assert_eq!(nodes.len(), 2, "both nodes get picked");
	assert!(picks.len() >= 4, "contents and chunks vary: {picks:?}");
}

#[test]
fn a_full_rate_challenges_each_node_once_whatever_the_seed() {
	for seed in 0..16 {
		new_test_ext(|| {
			set_seed(seed);
			assert_challenges_at(2, &[DAVE, EVE]);
		});
	}
}

#[test]
fn expiry_is_bounded_per_block_and_walks_the_queue() {
	new_test_ext(|| {
		// Three more nodes: five challenges per epoch, four expiries per block.
		for who in [NOBODY, MODERATOR_2, TREASURY] {
			assert_ok!(Nodes::register_node(
				RuntimeOrigin::signed(who),
				BOND,
				CAPACITY,
				b"http://n".to_vec(),
				[1; 32],
				false
			));
			assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(who), MODERATOR));
		}
		assert_eq!(Nodes::node_count(), 6);
		assert_challenges_at(2, &[DAVE, EVE, NOBODY, MODERATOR_2, TREASURY]);
		// Dave answers; his challenge is skipped by expiry (and counts towards the bound).
		let (dave_id, _) = only_challenge(DAVE);
		assert_respond(DAVE, dave_id, None);
		run_to_block(7);
		// The deadline block still accepts answers: nothing expired.
		assert_eq!(ExpiryCursor::<Test>::get(), 0);
		run_to_block(8);
		assert_eq!(ExpiryCursor::<Test>::get(), u64::from(MAX_EXPIRIES_PER_BLOCK));
		let left = if dave_id < 4 { 1 } else { 0 };
		assert_eq!(Challenges::<Test>::iter().count(), left);
		run_to_block(9);
		assert_eq!(ExpiryCursor::<Test>::get(), 5);
		assert_eq!(Challenges::<Test>::iter().count(), 0);
		let missed =
			law_events().iter().filter(|e| matches!(e, Event::ChallengeMissed { .. })).count();
		assert_eq!(missed, 4);
	});
}

#[test]
fn answered_challenges_do_not_expire() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (dave_id, _) = only_challenge(DAVE);
		let (eve_id, _) = only_challenge(EVE);
		assert_respond(DAVE, dave_id, None);
		assert_missed_at(8, &[(eve_id, EVE)], &[]);
		assert_eq!(ExpiryCursor::<Test>::get(), 2);
		assert_eq!(Records::<Test>::get(DAVE).map(|r| r.total_strikes), Some(0));
	});
}

#[test]
fn nodes_with_empty_catalogs_are_not_challenged() {
	new_test_ext(|| {
		// Eve's subscription ends at the start of epoch 1; its draw is the last to cover it.
		assert_ok!(Nodes::unsubscribe(RuntimeOrigin::signed(EVE), MODERATOR));
		assert_challenges_at(2, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		assert_challenges_at(10, &[DAVE, EVE]);
		answer_all(DAVE);
		answer_all(EVE);
		assert_challenges_at(20, &[DAVE]);
	});
}

#[test]
fn no_nodes_no_challenges() {
	new_test_ext(|| {
		for who in [DAVE, EVE] {
			assert_ok!(Nodes::force_set_standing(
				RuntimeOrigin::root(),
				who,
				bitcloud_primitives::Standing::Banned
			));
		}
		assert_ok!(Nodes::deregister_node(RuntimeOrigin::signed(FERDIE)));
		assert_challenges_at(2, &[]);
		assert_eq!(LastChallengedEpoch::<Test>::get(), Some(0));
	});
}

#[test]
fn a_challenge_names_chunks_spread_over_the_item() {
	let mut seen = std::collections::BTreeSet::new();
	for seed in 0..16 {
		new_test_ext(|| {
			set_seed(seed);
			let big = ferdie_subscribes_to_the_big_item();
			// `issued` checks every challenge with `assert_spread`.
			assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
			let (_, challenge) = only_challenge(FERDIE);
			assert_eq!((challenge.content, challenge.kind), (big, ChallengeKind::Obligation));
			// 41 chunks in four stretches: [0, 10), [10, 20), [20, 30), [30, 41).
			assert_eq!(challenge.chunks.len(), 4);
			for (chunk, stretch) in challenge.chunks.iter().zip([0..10, 10..20, 20..30, 30..41]) {
				assert!(stretch.contains(chunk), "{chunk} in {stretch:?}");
			}
			seen.insert(challenge.chunks.to_vec());
		});
	}
	// The draws within the stretches are random.
	assert!(seen.len() >= 12, "{seen:?}");
}

#[test]
fn an_item_with_fewer_chunks_than_a_challenge_names_is_challenged_on_all() {
	new_test_ext(|| {
		ferdie_subscribes_to_the_big_item();
		assert_set_params(LawParams { chunks_per_challenge: 16, ..PARAMS });
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		let (_, big) = only_challenge(FERDIE);
		assert_spread(&big, 16);
		assert_eq!(big.chunks.len(), 16);
		// Dave's and Eve's items have 1 or 3 chunks: all of them.
		for who in [DAVE, EVE] {
			let (_, challenge) = only_challenge(who);
			let all: Vec<u64> =
				(0..bitcloud_primitives::storage_proof::chunk_count(challenge.size)).collect();
			assert_eq!(challenge.chunks.to_vec(), all);
		}
	});
}

#[test]
fn one_chunk_per_challenge_is_one_random_chunk() {
	let mut chunks = std::collections::BTreeSet::new();
	for seed in 0..16 {
		new_test_ext(|| {
			set_seed(seed);
			ferdie_subscribes_to_the_big_item();
			assert_set_params(LawParams { chunks_per_challenge: 1, ..PARAMS });
			assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
			let (id, challenge) = only_challenge(FERDIE);
			assert_eq!(challenge.chunks.len(), 1);
			chunks.insert(challenge.chunks[0]);
			assert_respond(FERDIE, id, None);
		});
	}
	assert!(chunks.len() >= 8, "{chunks:?}");
}
