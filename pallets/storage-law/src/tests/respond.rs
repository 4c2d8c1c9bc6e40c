//! `respond`: an answer with a valid proof of every named chunk, in order, clears the
//! challenge; anything else fails and changes nothing.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{
	content_id,
	storage_proof::{build_proof, chunk_count, MAX_CHALLENGE_CHUNKS},
	StorageProof,
};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

/// Ferdie's challenge on the big item (issued in block 2, with Dave's and Eve's, which are
/// answered) and its valid proofs, in order.
fn ferdie_challenged_on_the_big_item() -> (ChallengeId, Challenge<AccountId, u64>, Vec<StorageProof>)
{
	ferdie_subscribes_to_the_big_item();
	assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
	answer_all(DAVE);
	answer_all(EVE);
	let (id, challenge) = only_challenge(FERDIE);
	assert_eq!(challenge.chunks.len() as u32, CHUNKS_PER_CHALLENGE);
	let good = proof_for(&challenge).to_vec();
	(id, challenge, good)
}

#[test]
fn a_valid_answer_passes_and_is_free() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, _) = only_challenge(DAVE);
		assert_respond(DAVE, id, None);
		assert!(pending(DAVE).is_empty());
		assert_eq!(Records::<Test>::get(DAVE).map(|r| r.passed), Some(1));
		// In the deadline block, too.
		let (id, c) = only_challenge(EVE);
		run_to_block(c.deadline);
		assert_respond(EVE, id, None);
	});
}

#[test]
fn an_answer_proving_every_chunk_of_a_big_item_passes() {
	new_test_ext(|| {
		let (id, challenge, good) = ferdie_challenged_on_the_big_item();
		assert_eq!(good.len(), 4);
		// `assert_respond` answers with the proofs of `proof_for`: the same, in order.
		assert_eq!(proof_for(&challenge).to_vec(), good);
		assert_respond(FERDIE, id, None);
		assert_eq!(Records::<Test>::get(FERDIE).map(|r| r.passed), Some(1));
	});
}

#[test]
fn the_most_chunks_a_challenge_can_name_are_answered() {
	new_test_ext(|| {
		ferdie_subscribes_to_the_big_item();
		assert_set_params(LawParams { chunks_per_challenge: MAX_CHALLENGE_CHUNKS, ..PARAMS });
		assert_challenges_at(2, &[DAVE, EVE, FERDIE]);
		let (id, challenge) = only_challenge(FERDIE);
		assert_eq!(challenge.chunks.len() as u32, MAX_CHALLENGE_CHUNKS);
		assert_respond(FERDIE, id, None);
	});
}

#[test]
fn bad_answers_fail_and_change_nothing() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, challenge) = only_challenge(DAVE);
		let good = proof_for(&challenge);

		assert_fails(|| respond(DAVE, 99, good.clone()), Error::<Test>::UnknownChallenge);
		assert_fails(|| respond(EVE, id, good.clone()), Error::<Test>::NotChallengedNode);
		assert_noop!(
			StorageLaw::respond(RuntimeOrigin::none(), id, good.clone()),
			DispatchError::BadOrigin
		);

		// A flipped bit in the chunk.
		let mut flipped = good.to_vec();
		flipped[0].chunk[0] ^= 1;
		assert_fails(|| respond(DAVE, id, answer(flipped)), Error::<Test>::ProofInvalid);
		// A truncated chunk.
		let mut short = good.to_vec();
		short[0].chunk.pop();
		assert_fails(|| respond(DAVE, id, answer(short)), Error::<Test>::ProofInvalid);
		// A truncated path, and a flipped sibling.
		if !good[0].siblings.is_empty() {
			let mut truncated = good.to_vec();
			truncated[0].siblings.pop();
			assert_fails(|| respond(DAVE, id, answer(truncated)), Error::<Test>::ProofInvalid);
			let mut sibling = good.to_vec();
			sibling[0].siblings[0][0] ^= 0x80;
			assert_fails(|| respond(DAVE, id, answer(sibling)), Error::<Test>::ProofInvalid);
		}
		// The same chunks of another file.
		let other_file = file(3);
		let other = challenge.chunks.iter().map(|c| build_proof(&other_file, *c).unwrap());
		assert_fails(|| respond(DAVE, id, answer(other.collect())), Error::<Test>::ProofInvalid);
		// No proof at all.
		assert_fails(|| respond(DAVE, id, answer(vec![])), Error::<Test>::ProofCountMismatch);

		// The challenge is still there: a valid answer still passes.
		assert_respond(DAVE, id, None);
		// Twice: the challenge is gone.
		assert_fails(|| respond(DAVE, id, good), Error::<Test>::UnknownChallenge);
	});
}

#[test]
fn a_proof_missing_or_one_too_many_fails_with_proof_count_mismatch() {
	new_test_ext(|| {
		let (id, challenge, good) = ferdie_challenged_on_the_big_item();
		let bytes = file_with_id(challenge.content);
		for missing in 0..good.len() {
			let mut fewer = good.clone();
			fewer.remove(missing);
			assert_fails(|| respond(FERDIE, id, answer(fewer)), Error::<Test>::ProofCountMismatch);
		}
		// One more: a repeated proof, or a valid proof of a chunk the challenge does not name.
		let mut repeated = good.clone();
		repeated.push(good[3].clone());
		assert_fails(|| respond(FERDIE, id, answer(repeated)), Error::<Test>::ProofCountMismatch);
		let unnamed = (0..chunk_count(challenge.size))
			.find(|c| !challenge.chunks.contains(c))
			.expect("41 chunks, 4 named");
		let mut extra = good.clone();
		extra.push(build_proof(&bytes, unnamed).unwrap());
		assert_fails(|| respond(FERDIE, id, answer(extra)), Error::<Test>::ProofCountMismatch);

		assert_respond(FERDIE, id, None);
	});
}

#[test]
fn one_wrong_proof_among_correct_ones_fails_with_proof_invalid() {
	new_test_ext(|| {
		let (id, challenge, good) = ferdie_challenged_on_the_big_item();
		let bytes = file_with_id(challenge.content);
		for wrong in 0..good.len() {
			// A flipped bit.
			let mut flipped = good.clone();
			flipped[wrong].chunk[5] ^= 0x10;
			assert_fails(|| respond(FERDIE, id, answer(flipped)), Error::<Test>::ProofInvalid);
			// A valid proof of the next chunk, which the challenge does not name.
			let mut neighbour = good.clone();
			neighbour[wrong] =
				build_proof(&bytes, challenge.chunks[wrong] + 1).unwrap_or_else(|_| {
					build_proof(&bytes, challenge.chunks[wrong] - 1).expect("a chunk before")
				});
			assert_fails(|| respond(FERDIE, id, answer(neighbour)), Error::<Test>::ProofInvalid);
		}
		assert_respond(FERDIE, id, None);
	});
}

#[test]
fn proofs_in_another_order_than_the_chunks_fail() {
	new_test_ext(|| {
		let (id, _, good) = ferdie_challenged_on_the_big_item();
		let mut swapped = good.clone();
		swapped.swap(0, 1);
		assert_fails(|| respond(FERDIE, id, answer(swapped)), Error::<Test>::ProofInvalid);
		let mut reversed = good.clone();
		reversed.reverse();
		assert_fails(|| respond(FERDIE, id, answer(reversed)), Error::<Test>::ProofInvalid);
		let mut rotated = good.clone();
		rotated.rotate_left(1);
		assert_fails(|| respond(FERDIE, id, answer(rotated)), Error::<Test>::ProofInvalid);
		assert_respond(FERDIE, id, None);
	});
}

/// The attack of a node that deleted most of an item: with one chunk named per challenge, a
/// node that kept a chunk (or fetched the named one on demand) could answer. Now the named
/// chunks are spread over the whole item, one per stretch: a node that kept the first half
/// of it, with every proof of that half, still lacks the chunks named in the second half.
#[test]
fn a_node_that_kept_part_of_an_item_cannot_answer() {
	new_test_ext(|| {
		let (id, challenge, _) = ferdie_challenged_on_the_big_item();
		let bytes = file(BIG_FILE);
		let half = chunk_count(bytes.len() as u64) / 2;
		// What Ferdie kept: the first half, and the proofs of its chunks.
		let kept = |chunk: u64| (chunk < half).then(|| build_proof(&bytes, chunk).unwrap());
		// What it can make of the rest: proofs of the item with zeros for the deleted bytes.
		let mut forged_bytes = bytes.clone();
		forged_bytes[(half * 1024) as usize..].fill(0);
		let forged = |chunk: u64| build_proof(&forged_bytes, chunk).unwrap();
		// Four stretches of about ten chunks: two named chunks lie in the deleted half.
		assert_eq!(challenge.chunks.iter().filter(|c| **c >= half).count(), 2);

		// One chunk, as a one-chunk challenge would have named: not an answer any more.
		let one = kept(challenge.chunks[0]).expect("in the first stretch");
		assert_fails(|| respond(FERDIE, id, answer(vec![one])), Error::<Test>::ProofCountMismatch);
		// All it holds: not enough.
		let held: Vec<_> = challenge.chunks.iter().filter_map(|c| kept(*c)).collect();
		assert_eq!(held.len(), 2);
		assert_fails(|| respond(FERDIE, id, answer(held)), Error::<Test>::ProofCountMismatch);
		// All it holds, with forged proofs of the rest.
		let mixed = challenge.chunks.iter().map(|c| kept(*c).unwrap_or_else(|| forged(*c)));
		assert_fails(|| respond(FERDIE, id, answer(mixed.collect())), Error::<Test>::ProofInvalid);
		// All it holds, with proofs of kept chunks in place of the deleted ones.
		let substituted =
			challenge.chunks.iter().map(|c| kept(*c).unwrap_or_else(|| kept(c % half).unwrap()));
		assert_fails(
			|| respond(FERDIE, id, answer(substituted.collect())),
			Error::<Test>::ProofInvalid,
		);

		// So it misses the challenge: a strike.
		assert_missed_at(challenge.deadline + 1, &[(id, FERDIE)], &[]);
		assert_eq!(Records::<Test>::get(FERDIE).map(|r| r.total_strikes), Some(1));
		assert_eq!(content_id(&bytes), challenge.content);
	});
}

#[test]
fn late_answers_fail_and_the_challenge_counts_as_missed() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, challenge) = only_challenge(EVE);
		let proofs = proof_for(&challenge);
		// The block after the deadline, before expiry has run.
		System::set_block_number(challenge.deadline + 1);
		assert_fails(|| respond(EVE, id, proofs), Error::<Test>::ChallengeExpired);
		System::set_block_number(challenge.deadline);
		let (dave_id, _) = only_challenge(DAVE);
		assert_missed_at(challenge.deadline + 1, &[(dave_id, DAVE), (id, EVE)], &[]);
	});
}

#[test]
fn a_bad_proof_is_no_strike_by_itself() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, challenge) = only_challenge(DAVE);
		let mut bad = proof_for(&challenge).to_vec();
		bad[0].chunk[0] ^= 1;
		assert_fails(|| respond(DAVE, id, answer(bad)), Error::<Test>::ProofInvalid);
		assert_eq!(Records::<Test>::get(DAVE), None);
		assert_respond(DAVE, id, None);
		let (eve_id, _) = only_challenge(EVE);
		assert_missed_at(8, &[(eve_id, EVE)], &[]);
		assert_eq!(Records::<Test>::get(DAVE).map(|r| r.total_strikes), Some(0));
	});
}
