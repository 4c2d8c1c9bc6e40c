//! The logic behind each call: checks first, then writes, then the event.

use crate::*;
use bitcloud_primitives::{
	storage_proof::MAX_CHALLENGE_CHUNKS, traits::CatalogProofs, verify_proof, StorageProof,
};
use frame_support::{
	dispatch::{DispatchResultWithPostInfo, Pays},
	ensure,
	pallet_prelude::DispatchResult,
	traits::Get,
};

impl<T: Config> Pallet<T> {
	/// Check `proofs` for `who`'s challenge `challenge_id`, proof `i` against chunk
	/// `chunks[i]`; on success clear the challenge and count the pass (whatever its kind), and
	/// for a probe record that the content is proven.
	pub(crate) fn do_respond(
		who: &T::AccountId,
		challenge_id: ChallengeId,
		proofs: &[StorageProof],
	) -> DispatchResultWithPostInfo {
		let challenge = Challenges::<T>::get(challenge_id).ok_or(Error::<T>::UnknownChallenge)?;
		ensure!(challenge.node == *who, Error::<T>::NotChallengedNode);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= challenge.deadline,
			Error::<T>::ChallengeExpired
		);
		ensure!(proofs.len() == challenge.chunks.len(), Error::<T>::ProofCountMismatch);
		for (chunk, proof) in challenge.chunks.iter().zip(proofs) {
			verify_proof(&challenge.content, challenge.size, *chunk, proof)
				.map_err(|_| Error::<T>::ProofInvalid)?;
		}

		Self::remove_challenge(challenge_id, who);
		Records::<T>::mutate(who, |record| {
			let record = record.get_or_insert_with(Default::default);
			record.passed = record.passed.saturating_add(1);
		});
		Self::deposit_event(Event::ChallengePassed { challenge_id, node: who.clone() });
		// A probe always names its moderator; obligation and lease challenges prove nothing new.
		if let (ChallengeKind::Probe, Some(moderator)) = (challenge.kind, challenge.moderator) {
			if T::Moderators::record_proof(
				&moderator,
				&challenge.content,
				challenge.size,
				challenge.issued_at,
			) {
				Self::deposit_event(Event::ContentProven {
					moderator,
					content: challenge.content,
					node: who.clone(),
				});
			}
		}
		Self::maybe_restore(who);
		// An honest node does not pay to prove; a bad proof fails and pays.
		Ok(Pays::No.into())
	}

	/// Replace the parameters.
	pub(crate) fn do_set_params(params: LawParams) -> DispatchResult {
		ensure!(Self::params_valid(&params), Error::<T>::InvalidParams);
		Params::<T>::put(params);
		Self::deposit_event(Event::ParamsSet { params });
		Ok(())
	}

	/// Whether `params` are within the pallet's bounds.
	pub(crate) fn params_valid(params: &LawParams) -> bool {
		params.challenges_per_epoch <= T::MaxChallengesPerEpoch::get()
			&& (1..=MAX_CHALLENGE_CHUNKS).contains(&params.chunks_per_challenge)
			&& params.response_blocks > 0
			&& params.strikes_per_step > 0
			&& params.strike_window > 0
	}

	/// Remove a pending challenge from both indexes.
	pub(crate) fn remove_challenge(challenge_id: ChallengeId, node: &T::AccountId) {
		Challenges::<T>::remove(challenge_id);
		NodeChallenges::<T>::remove(node, challenge_id);
	}
}
