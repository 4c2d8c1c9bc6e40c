//! Leases: a node that keeps storage leases is challenged on a random one of them each time it
//! is sampled, like an obligation and independently of its catalogs; a miss is a strike and
//! drops it from the lease.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{
	content_id, storage_proof::chunk_count, ContentId, LeaseId, NodeRegistry, Standing,
};
use polkadot_sdk::frame_support::{assert_ok, traits::Hooks};
use std::collections::{BTreeMap, BTreeSet};

/// The id of sample file `which` and its size.
fn sample(which: usize) -> (ContentId, u64) {
	let bytes = file(which);
	(content_id(&bytes), bytes.len() as u64)
}

/// `node` keeps lease `lease` of sample file `which`.
fn keeps(node: AccountId, lease: LeaseId, which: usize) {
	let (content, bytes) = sample(which);
	keep_lease(node, lease, content, bytes);
}

/// The pending lease challenges of `who`.
fn lease_challenges(who: AccountId) -> Vec<(ChallengeId, Challenge<AccountId, u64>)> {
	pending(who).into_iter().filter(|(_, c)| lease_of(c).is_some()).collect()
}

/// The pending challenges of `who` of `kind`.
fn pending_of(
	who: AccountId,
	kind: ChallengeKind,
) -> Vec<(ChallengeId, Challenge<AccountId, u64>)> {
	pending(who).into_iter().filter(|(_, c)| c.kind == kind).collect()
}

/// The pending obligation challenges of `who`, without their ids (which other challenges
/// issued before them shift).
fn obligations_of(who: AccountId) -> Vec<Challenge<AccountId, u64>> {
	pending_of(who, ChallengeKind::Obligation).into_iter().map(|(_, c)| c).collect()
}

/// Dave and Eve answer everything they are challenged on.
fn others_answer() {
	answer_all(DAVE);
	answer_all(EVE);
}

#[test]
fn a_node_keeping_a_lease_is_challenged_on_its_object() {
	new_test_ext(|| {
		// Ferdie subscribes to nothing: its lease is all it must prove.
		keeps(FERDIE, 7, BIG_FILE);
		let (content, size) = sample(BIG_FILE);
		// `issued` checks that the lease challenge is one of the leases Ferdie keeps.
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		let (id, challenge) = only_challenge(FERDIE);
		assert_eq!(
			challenge,
			Challenge {
				node: FERDIE,
				moderator: None,
				content,
				size,
				chunks: challenge.chunks.clone(),
				issued_at: 2,
				deadline: 2 + u64::from(PARAMS.response_blocks),
				kind: ChallengeKind::Lease(7),
			}
		);
		// Spread over the object like an obligation's chunks: one per stretch, within it.
		assert_spread(&challenge, CHUNKS_PER_CHALLENGE);
		assert!(challenge.chunks.iter().all(|c| *c < chunk_count(size)));
		assert!(law_events().contains(&Event::ChallengeIssued {
			challenge_id: id,
			node: FERDIE,
			moderator: None,
			content,
			chunks: challenge.chunks.clone(),
			deadline: challenge.deadline,
			kind: ChallengeKind::Lease(7),
		}));
		// Listed for the gateways and counted in the standing like any challenge.
		assert!(StorageLaw::open_challenges().contains(&(
			content,
			challenge.chunks.clone(),
			challenge.deadline
		)));
		assert_eq!(StorageLaw::standing_view(&FERDIE).map(|v| v.pending), Some(1));
	});
}

#[test]
fn a_valid_answer_to_a_lease_challenge_passes_and_keeps_the_lease() {
	new_test_ext(|| {
		keeps(FERDIE, 7, BIG_FILE);
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		let (id, _) = only_challenge(FERDIE);
		// Cleared, counted as a pass, free, and no `ContentProven` (`assert_respond` checks).
		assert_respond(FERDIE, id, None);
		assert_eq!(Records::<Test>::get(FERDIE).map(|r| r.passed), Some(1));
		others_answer();
		run_to_block(9);
		assert!(missed_leases().is_empty());
		assert_eq!(kept_leases(FERDIE).len(), 1);
		// Challenged again the next epoch.
		assert_challenges_at(10, &[DAVE, EVE, FERDIE]);
		assert_eq!(lease_of(&only_challenge(FERDIE).1), Some(7));
	});
}

#[test]
fn a_bad_answer_to_a_lease_challenge_fails_and_changes_nothing() {
	new_test_ext(|| {
		keeps(FERDIE, 7, BIG_FILE);
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		let (id, challenge) = only_challenge(FERDIE);
		let mut bad = proof_for(&challenge).to_vec();
		bad[1].chunk[0] ^= 1;
		assert_fails(|| respond(FERDIE, id, answer(bad)), Error::<Test>::ProofInvalid);
		assert_fails(|| respond(FERDIE, id, answer(vec![])), Error::<Test>::ProofCountMismatch);
		assert!(missed_leases().is_empty());
		assert_respond(FERDIE, id, None);
	});
}

#[test]
fn a_missed_lease_challenge_is_a_strike_and_drops_the_keeper() {
	new_test_ext(|| {
		keeps(FERDIE, 7, BIG_FILE);
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		others_answer();
		let (id, challenge) = only_challenge(FERDIE);
		// `assert_missed_at` expects the strike and the `missed(Ferdie, 7)` call.
		assert_missed_at(challenge.deadline + 1, &[(id, FERDIE)], &[]);
		assert_eq!(missed_leases(), vec![(FERDIE, 7)]);
		assert!(kept_leases(FERDIE).is_empty());
		let record = Records::<Test>::get(FERDIE).expect("struck");
		assert_eq!((record.strikes, record.total_strikes, record.passed), (1, 1, 0));
		assert!(law_events().contains(&Event::StrikeRecorded {
			node: FERDIE,
			reason: StrikeReason::MissedChallenge(id),
			strikes: 1,
		}));
		// It keeps nothing now: not challenged any more.
		assert_challenges_at(10, &[DAVE, EVE]);
	});
}

#[test]
fn lease_misses_walk_the_same_standing_machine_as_obligation_misses() {
	new_test_ext(|| {
		// Two strikes per step: two missed leases warn Ferdie and slash 10% of its bond.
		keeps(FERDIE, 7, BIG_FILE);
		keeps(FERDIE, 8, 4);
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		others_answer();
		let (first, challenge) = only_challenge(FERDIE);
		let first_lease = lease_of(&challenge).expect("a lease challenge");
		assert_missed_at(8, &[(first, FERDIE)], &[]);
		assert_challenges_at(10, &[DAVE, EVE, FERDIE]);
		others_answer();
		let (second, challenge) = only_challenge(FERDIE);
		let second_lease = lease_of(&challenge).expect("a lease challenge");
		assert_ne!(first_lease, second_lease, "the first lease was dropped");
		assert_missed_at(
			16,
			&[(second, FERDIE)],
			&[(FERDIE, Standing::Active, Standing::Warned, BOND / 10, 0)],
		);
		assert_eq!(Nodes::standing(&FERDIE), Some(Standing::Warned));
		assert_eq!(missed_leases(), vec![(FERDIE, first_lease), (FERDIE, second_lease)]);
	});
}

#[test]
fn a_banned_nodes_lease_challenge_is_discarded_but_still_drops_it_from_the_lease() {
	new_test_ext(|| {
		keeps(FERDIE, 7, BIG_FILE);
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		others_answer();
		let (id, challenge) = only_challenge(FERDIE);
		assert_ok!(Nodes::force_set_standing(RuntimeOrigin::root(), FERDIE, Standing::Banned));
		run_to_block(challenge.deadline);
		let block = challenge.deadline + 1;
		check(
			|| {
				System::set_block_number(block);
				StorageLaw::on_initialize(block);
			},
			|s| {
				s.remove_challenge(id);
				s.lease_missed(FERDIE, 7);
				s.expiry_cursor = s.next_challenge_id;
				vec![Event::ChallengeDiscarded { challenge_id: id, node: FERDIE }]
			},
		);
		assert_eq!(Records::<Test>::get(FERDIE), None);
		assert_eq!(missed_leases(), vec![(FERDIE, 7)]);
	});
}

#[test]
fn a_node_without_leases_gets_no_lease_challenge() {
	for seed in 0..8 {
		new_test_ext(|| {
			set_seed(seed);
			// Dave keeps a lease, Eve none, Ferdie neither a lease nor a subscription.
			keeps(DAVE, 3, 5);
			// Dave twice: his obligation and his lease.
			assert_challenges_at(2, &[DAVE, DAVE, EVE]);
			assert!(lease_challenges(EVE).is_empty());
			assert_eq!(pending_of(EVE, ChallengeKind::Obligation).len(), 1);
			assert_eq!(lease_challenges(DAVE).len(), 1);
			assert_eq!(pending_of(DAVE, ChallengeKind::Obligation).len(), 1);
			assert!(pending(FERDIE).is_empty());
			assert!(missed_leases().is_empty());
		});
	}
}

#[test]
fn lease_picks_are_uniform_over_the_kept_leases() {
	// Four leases of objects from one to 41 chunks; over 64 seeds each is drawn about 16 times.
	let mut picks = BTreeMap::<LeaseId, u32>::new();
	let mut chunks = BTreeSet::new();
	for seed in 0..64 {
		new_test_ext(|| {
			set_seed(seed);
			for (lease, which) in [(10, 1), (11, 2), (12, 4), (13, BIG_FILE)] {
				keeps(FERDIE, lease, which);
			}
			assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
			let (id, challenge) = only_challenge(FERDIE);
			let lease = lease_of(&challenge).expect("a lease challenge");
			*picks.entry(lease).or_default() += 1;
			if lease == 13 {
				chunks.insert(challenge.chunks.to_vec());
			}
			assert_respond(FERDIE, id, None);
		});
	}
	assert_eq!(picks.keys().copied().collect::<Vec<_>>(), vec![10, 11, 12, 13]);
	assert!(picks.values().all(|n| *n >= 6), "{picks:?}");
	// Unlike a probe's, a lease challenge's last chunk is drawn like the others.
	assert!(chunks.len() >= 4, "{chunks:?}");
	assert!(chunks.iter().any(|c| c.last() != Some(&40)), "{chunks:?}");
}

#[test]
fn leases_and_catalogs_neither_dilute_nor_shield_each_other() {
	for seed in 0..6 {
		// The catalog draws of a node that keeps no lease...
		let mut without = Vec::new();
		new_test_ext(|| {
			set_seed(seed);
			for epoch in 0..3u64 {
				run_to_block((epoch * EPOCH_LENGTH).max(2));
				without.push(obligations_of(DAVE));
				others_answer();
			}
		});
		// ...are the same when it keeps twelve leases, and each epoch it gets one lease
		// challenge besides: leases take no catalog challenge's place, and many leases do not
		// make any one of them less likely to be drawn than one lease is.
		new_test_ext(|| {
			set_seed(seed);
			for lease in 0..12 {
				keeps(DAVE, lease, [0, 1, 2, 3, 4, 5][lease as usize % 6]);
			}
			for (epoch, catalog) in without.iter().enumerate() {
				run_to_block((epoch as u64 * EPOCH_LENGTH).max(2));
				assert_eq!(&obligations_of(DAVE), catalog, "seed {seed}");
				assert_eq!(lease_challenges(DAVE).len(), 1, "seed {seed}, epoch {epoch}");
				others_answer();
			}
		});
	}
}

#[test]
fn a_sampled_node_gets_at_most_an_obligation_a_probe_and_a_lease_challenge() {
	new_test_ext(|| {
		// An unproven item past its grace period, and a kept lease: three challenges.
		assert_ok!(Moderation::list_content(
			RuntimeOrigin::signed(MODERATOR),
			sample(5).0,
			sample(5).1,
			b"t".to_vec(),
			b"m".to_vec(),
			None,
		));
		keeps(DAVE, 1, BIG_FILE);
		for block in [2, 10, 20] {
			run_to_block(block);
			others_answer();
		}
		assert_challenges_at(30, &[DAVE, EVE, DAVE, EVE, DAVE]);
		let kinds: Vec<_> = pending(DAVE).into_iter().map(|(_, c)| c.kind).collect();
		assert_eq!(
			kinds,
			vec![ChallengeKind::Obligation, ChallengeKind::Probe, ChallengeKind::Lease(1)]
		);
		// Each answered like any other; the probe proves the item.
		answer_all(DAVE);
		assert!(law_events().iter().any(|e| matches!(e, Event::ContentProven { .. })));
	});
}

#[test]
fn try_state_wants_a_moderator_on_catalog_challenges_only() {
	new_test_ext(|| {
		keeps(FERDIE, 7, BIG_FILE);
		run_to_block(2);
		// A lease challenge has none, and is not held to a probe's last chunk.
		assert_ok!(StorageLaw::do_try_state());
		let (id, mut challenge) = only_challenge(DAVE);
		challenge.moderator = None;
		Challenges::<Test>::insert(id, challenge.clone());
		assert_eq!(
			StorageLaw::do_try_state(),
			Err("catalog challenge without its moderator".into())
		);
		challenge.moderator = Some(MODERATOR);
		Challenges::<Test>::insert(id, challenge);
		assert_ok!(StorageLaw::do_try_state());
	});
}
