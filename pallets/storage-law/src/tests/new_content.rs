//! New content: nothing is challenged during its grace period, unproven content is only
//! probed (a miss costs nothing), the first passed probe of its last chunk proves it, and only
//! proven content is an obligation, for challenges and for capacity.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{
	content_id,
	storage_proof::{build_proof, chunk_count, verify_proof},
	traits::CatalogProofs,
	ContentId, ModeratorRegistry, NodeRegistry, Standing,
};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::Perbill,
};

/// A moderator registered by the tests.
const NEW_MODERATOR: AccountId = NOBODY;

/// Register [`NEW_MODERATOR`].
fn register_new_moderator() {
	assert_ok!(Moderation::register_moderator(
		RuntimeOrigin::signed(NEW_MODERATOR),
		b"new".to_vec(),
		b"uri".to_vec(),
		[0; 32],
		Perbill::zero(),
	));
}

/// List `content` of `size` bytes in `moderator`'s catalog.
fn list(moderator: AccountId, content: ContentId, size: u64) {
	assert_ok!(Moderation::list_content(
		RuntimeOrigin::signed(moderator),
		content,
		size,
		b"t".to_vec(),
		b"m".to_vec(),
		None,
	));
}

/// List sample file `which` in `moderator`'s catalog with its true size.
fn list_file(moderator: AccountId, which: usize) -> ContentId {
	let bytes = file(which);
	let id = content_id(&bytes);
	list(moderator, id, bytes.len() as u64);
	id
}

/// An id nobody can prove.
fn junk(n: u8) -> ContentId {
	[0xe0 | n; 32]
}

/// The pending challenges of `who` of `kind`.
fn pending_of(
	who: AccountId,
	kind: ChallengeKind,
) -> Vec<(ChallengeId, Challenge<AccountId, u64>)> {
	pending(who).into_iter().filter(|(_, c)| c.kind == kind).collect()
}

/// Answer `who`'s obligation challenges (the sample files); leave its probes alone.
fn answer_obligations(who: AccountId) {
	for (id, _) in pending_of(who, ChallengeKind::Obligation) {
		assert_respond(who, id, None);
	}
}

/// Whether any strike was recorded so far.
fn any_strike() -> bool {
	law_events().iter().any(|e| matches!(e, Event::StrikeRecorded { .. }))
}

#[test]
fn a_moderator_listing_an_unprovable_id_gets_nobody_struck() {
	new_test_ext(|| {
		// The attack: the moderator lists an id nobody has, with a size of its choosing.
		list(MODERATOR, junk(1), 10_000);
		let mut probed = 0;
		for epoch in 0..7u64 {
			let start = (epoch * EPOCH_LENGTH).max(2);
			run_to_block(start);
			for node in [DAVE, EVE] {
				let probes = pending_of(node, ChallengeKind::Probe);
				// Not before its grace period is over.
				if start < 1 + CONTENT_GRACE {
					assert!(probes.is_empty(), "no probe in the grace period");
				}
				for (_, probe) in probes {
					assert_eq!((probe.content, probe.size), (junk(1), 10_000));
					assert_eq!(probe.chunks.last(), Some(&(chunk_count(10_000) - 1)));
					assert_spread(&probe, CHUNKS_PER_CHALLENGE);
					probed += 1;
				}
				answer_obligations(node);
			}
		}
		run_to_block(7 * EPOCH_LENGTH);
		// Probed every epoch after the grace, missed every time, and nobody struck.
		assert!(probed >= 8, "probed {probed} times");
		let missed = law_events().iter().filter(|e| matches!(e, Event::ProbeMissed { .. })).count();
		assert!(missed >= 8);
		assert!(!any_strike());
		for node in [DAVE, EVE] {
			assert_eq!(Nodes::standing(&node), Some(Standing::Active));
			assert_eq!(bond_of(node), BOND);
		}
		assert_eq!(Moderation::proven_len(&MODERATOR), 3);
	});
}

#[test]
fn new_content_waits_out_its_grace_then_is_probed_proven_and_enforced() {
	new_test_ext(|| {
		register_new_moderator();
		let id = list_file(NEW_MODERATOR, 4);
		let size = file(4).len() as u64;
		assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), NEW_MODERATOR));
		let others = || {
			answer_all(DAVE);
			answer_all(EVE);
		};

		// Grace: listed in block 1, nothing names it before block 1 + CONTENT_GRACE.
		for block in [2, 10, 20] {
			run_to_block(block);
			assert!(pending(FERDIE).is_empty(), "Ferdie challenged in block {block}");
			others();
		}
		// The first draw after the grace probes it, on chunks ending with its last.
		assert_challenges_at(30, &[DAVE, EVE, FERDIE]);
		let (probe_id, probe) = only_challenge(FERDIE);
		assert_eq!(probe.kind, ChallengeKind::Probe);
		assert_eq!((probe.content, probe.chunks.last()), (id, Some(&(chunk_count(size) - 1))));
		assert_spread(&probe, CHUNKS_PER_CHALLENGE);
		others();
		// A missed probe is free.
		run_to_block(35);
		let before = law_events().len();
		run_to_block(36);
		assert_eq!(
			law_events()[before..],
			[Event::ProbeMissed { challenge_id: probe_id, node: FERDIE }]
		);
		assert_eq!(Records::<Test>::get(FERDIE), None);

		// Probed again; this time Ferdie answers: the content is proven.
		assert_challenges_at(40, &[DAVE, EVE, FERDIE]);
		let (probe_id, _) = only_challenge(FERDIE);
		assert_respond(FERDIE, probe_id, None);
		assert!(law_events().contains(&Event::ContentProven {
			moderator: NEW_MODERATOR,
			content: id,
			node: FERDIE
		}));
		assert_eq!(Moderation::proven_len(&NEW_MODERATOR), 1);
		assert_eq!(Moderation::catalog_bytes(&NEW_MODERATOR), size);
		others();

		// From now on it is an obligation: no probe, and a miss is a strike.
		assert_challenges_at(50, &[DAVE, EVE, FERDIE]);
		let (id_50, challenge) = only_challenge(FERDIE);
		assert_eq!((challenge.kind, challenge.content), (ChallengeKind::Obligation, id));
		others();
		assert_missed_at(56, &[(id_50, FERDIE)], &[]);
		assert_eq!(Records::<Test>::get(FERDIE).map(|r| r.total_strikes), Some(1));
	});
}

#[test]
fn a_listing_with_a_wrong_size_is_never_proven_nor_counted() {
	new_test_ext(|| {
		register_new_moderator();
		// File 4 (4 100 bytes) listed as 5 000 bytes: the same tree shape (five chunks).
		let bytes = file(4);
		let id = content_id(&bytes);
		list(NEW_MODERATOR, id, 5_000);
		// Its first chunk verifies under the wrong size all the same...
		let first = build_proof(&bytes, 0).expect("a chunk");
		assert_ok!(verify_proof(&id, 5_000, 0, &first));
		// ...its last chunk cannot: a probe always asks that one.
		let last = chunk_count(5_000) - 1;
		let real_last = build_proof(&bytes, last).expect("the real last chunk");
		assert!(verify_proof(&id, 5_000, last, &real_last).is_err());

		// And a size inflated far beyond the node's capacity holds it to nothing.
		list(NEW_MODERATOR, junk(2), MAX_CATALOG_BYTES - 5_000);
		assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), NEW_MODERATOR));
		assert_eq!(Moderation::catalog_bytes(&NEW_MODERATOR), 0);

		for epoch in 0..6u64 {
			run_to_block((epoch * EPOCH_LENGTH).max(2));
			answer_all(DAVE);
			answer_all(EVE);
			for (probe_id, probe) in pending(FERDIE) {
				assert_eq!(probe.kind, ChallengeKind::Probe);
				if probe.content == id {
					// The node holds the real file and answers with its real chunks.
					assert_eq!(probe.chunks.last(), Some(&last));
					let real = probe.chunks.iter().map(|c| build_proof(&bytes, *c).unwrap());
					assert_noop!(
						respond(FERDIE, probe_id, answer(real.collect())),
						Error::<Test>::ProofInvalid
					);
				}
			}
		}
		assert_eq!(Moderation::proven_len(&NEW_MODERATOR), 0);
		assert!(!any_strike());
		assert_eq!(
			<Nodes as NodeRegistry<_, _>>::check_capacity(&FERDIE),
			Some(bitcloud_primitives::CapacityStatus::Covered)
		);
	});
}

#[test]
fn unproven_items_do_not_dilute_obligation_challenges() {
	for seed in 0..6 {
		new_test_ext(|| {
			set_seed(seed);
			// The moderator pads its catalog of three with twelve ids nobody can prove.
			for n in 0..12 {
				list(MODERATOR, junk(n), 1_000);
			}
			for epoch in 0..6u64 {
				let start = (epoch * EPOCH_LENGTH).max(2);
				run_to_block(start);
				// Every node still has one obligation challenge on proven content, and, after
				// the grace period, one probe besides.
				let probes = usize::from(start > CONTENT_GRACE);
				for node in [DAVE, EVE] {
					let obligations = pending_of(node, ChallengeKind::Obligation);
					assert_eq!(obligations.len(), 1, "seed {seed}, epoch {epoch}");
					assert!((0..3).any(|i| content_id(&file(i)) == obligations[0].1.content));
					assert_eq!(pending_of(node, ChallengeKind::Probe).len(), probes);
					answer_obligations(node);
				}
			}
		});
	}
}

#[test]
fn a_probe_proves_only_the_listing_it_was_issued_for() {
	new_test_ext(|| {
		register_new_moderator();
		let id = list_file(NEW_MODERATOR, 5);
		assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), NEW_MODERATOR));
		for block in [2, 10, 20] {
			run_to_block(block);
			answer_all(DAVE);
			answer_all(EVE);
		}
		run_to_block(30);
		let (probe_id, _) = only_challenge(FERDIE);
		// Delisted and listed again after the probe was issued: a new listing, with its own
		// grace period. The answer passes, but proves nothing.
		run_to_block(31);
		assert_ok!(Moderation::delist_content(RuntimeOrigin::signed(NEW_MODERATOR), id));
		list(NEW_MODERATOR, id, file(5).len() as u64);
		assert_respond(FERDIE, probe_id, None);
		assert!(!law_events().iter().any(|e| matches!(e, Event::ContentProven { .. })));
		assert_eq!(Moderation::proven_len(&NEW_MODERATOR), 0);
		// The new listing has its own grace period; then a probe of content delisted
		// meanwhile proves nothing either.
		for block in [40, 50] {
			answer_all(DAVE);
			answer_all(EVE);
			run_to_block(block);
			assert!(pending(FERDIE).is_empty(), "Ferdie probed in block {block}");
		}
		answer_all(DAVE);
		answer_all(EVE);
		run_to_block(60);
		let (probe_id, probe) = only_challenge(FERDIE);
		assert_eq!(probe.issued_at, 60);
		assert_ok!(Moderation::delist_content(RuntimeOrigin::signed(NEW_MODERATOR), id));
		assert_respond(FERDIE, probe_id, None);
		assert!(!Moderation::is_listed(&NEW_MODERATOR, &id));
	});
}

#[test]
fn try_state_detects_a_probe_off_the_last_chunk() {
	new_test_ext(|| {
		ferdie_subscribes_to_the_big_item();
		run_to_block(2);
		let (id, mut challenge) = only_challenge(FERDIE);
		challenge.kind = ChallengeKind::Probe;
		challenge.chunks = vec![0, 20].try_into().unwrap();
		Challenges::<Test>::insert(id, challenge.clone());
		assert_eq!(StorageLaw::do_try_state(), Err("probe not on the last chunk".into()));
		challenge.chunks = vec![0, 20, chunk_count(challenge.size) - 1].try_into().unwrap();
		Challenges::<Test>::insert(id, challenge);
		assert_ok!(StorageLaw::do_try_state());
	});
}

#[test]
fn try_state_detects_bad_chunk_lists() {
	new_test_ext(|| {
		ferdie_subscribes_to_the_big_item();
		run_to_block(2);
		let (id, mut challenge) = only_challenge(FERDIE);
		let chunks = chunk_count(challenge.size);
		for (bad, error) in [
			(vec![], "challenge names no chunk"),
			(vec![3, 2], "challenged chunks not ascending and distinct"),
			(vec![2, 2], "challenged chunks not ascending and distinct"),
			(vec![2, chunks], "challenged chunk out of range"),
		] {
			challenge.chunks = bad.try_into().unwrap();
			Challenges::<Test>::insert(id, challenge.clone());
			assert_eq!(StorageLaw::do_try_state(), Err(error.into()));
		}
		challenge.chunks = vec![2, chunks - 1].try_into().unwrap();
		Challenges::<Test>::insert(id, challenge);
		assert_ok!(StorageLaw::do_try_state());
	});
}

#[test]
fn a_probe_of_a_big_item_names_chunks_spread_over_it_ending_with_the_last() {
	for seed in 0..4 {
		new_test_ext(|| {
			set_seed(seed);
			register_new_moderator();
			let id = list_file(NEW_MODERATOR, BIG_FILE);
			let size = file(BIG_FILE).len() as u64;
			assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), NEW_MODERATOR));
			for block in [2, 10, 20] {
				run_to_block(block);
				answer_all(DAVE);
				answer_all(EVE);
			}
			assert_challenges_at(30, &[DAVE, EVE, FERDIE]);
			let (probe_id, probe) = only_challenge(FERDIE);
			assert_eq!((probe.content, probe.kind), (id, ChallengeKind::Probe));
			assert_eq!(probe.chunks.len(), 4);
			assert_eq!(probe.chunks[3], chunk_count(size) - 1);
			for (chunk, stretch) in probe.chunks.iter().zip([0..10, 10..20, 20..30]) {
				assert!(stretch.contains(chunk), "{chunk} in {stretch:?}");
			}
			assert_respond(FERDIE, probe_id, None);
			assert_eq!(Moderation::proven_len(&NEW_MODERATOR), 1);
		});
	}
}
