//! `respond`: valid proofs clear challenges; anything else fails and changes nothing.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{content_id, storage_proof::build_proof};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn a_valid_proof_passes_and_is_free() {
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
		let mut flipped = good.clone();
		flipped.chunk[0] ^= 1;
		assert_fails(|| respond(DAVE, id, flipped), Error::<Test>::ProofInvalid);
		// A truncated chunk.
		let mut short = good.clone();
		short.chunk.pop();
		assert_fails(|| respond(DAVE, id, short), Error::<Test>::ProofInvalid);
		// A truncated path, and a flipped sibling.
		if !good.siblings.is_empty() {
			let mut truncated = good.clone();
			truncated.siblings.pop();
			assert_fails(|| respond(DAVE, id, truncated), Error::<Test>::ProofInvalid);
			let mut sibling = good.clone();
			sibling.siblings[0][0] ^= 0x80;
			assert_fails(|| respond(DAVE, id, sibling), Error::<Test>::ProofInvalid);
		}
		// Another chunk of the right file.
		let bytes = (0..4).map(file).find(|b| content_id(b) == challenge.content).unwrap();
		let chunks = bitcloud_primitives::storage_proof::chunk_count(bytes.len() as u64);
		if chunks > 1 {
			let other = build_proof(&bytes, (challenge.chunk + 1) % chunks).unwrap();
			assert_fails(|| respond(DAVE, id, other), Error::<Test>::ProofInvalid);
		}
		// The same chunk of another file.
		let other_file = file(3);
		let other = build_proof(&other_file, 0).unwrap();
		assert_fails(|| respond(DAVE, id, other), Error::<Test>::ProofInvalid);

		// The challenge is still there: a valid proof still passes.
		assert_respond(DAVE, id, None);
		// Twice: the challenge is gone.
		assert_fails(|| respond(DAVE, id, good), Error::<Test>::UnknownChallenge);
	});
}

#[test]
fn late_answers_fail_and_the_challenge_counts_as_missed() {
	new_test_ext(|| {
		assert_challenges_at(2, &[DAVE, EVE]);
		let (id, challenge) = only_challenge(EVE);
		let proof = proof_for(&challenge);
		// The block after the deadline, before expiry has run.
		System::set_block_number(challenge.deadline + 1);
		assert_fails(|| respond(EVE, id, proof), Error::<Test>::ChallengeExpired);
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
		let mut bad = proof_for(&challenge);
		bad.chunk[0] ^= 1;
		assert_fails(|| respond(DAVE, id, bad), Error::<Test>::ProofInvalid);
		assert_eq!(Records::<Test>::get(DAVE), None);
		assert_respond(DAVE, id, None);
		let (eve_id, _) = only_challenge(EVE);
		assert_missed_at(8, &[(eve_id, EVE)], &[]);
		assert_eq!(Records::<Test>::get(DAVE).map(|r| r.total_strikes), Some(0));
	});
}
