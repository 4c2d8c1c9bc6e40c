//! Invariants of the storage law, checked by `try_state` and after every unit test.

use crate::*;
use bitcloud_primitives::storage_proof::chunk_count;
use frame_support::ensure;
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - the parameters are within bounds;
	/// - `expiryCursor <= nextChallengeId`, and every pending challenge's id lies between
	///   them (expiry never skips a pending challenge);
	/// - `challenges` and `nodeChallenges` hold the same challenges;
	/// - every challenge names at least one chunk, in strictly ascending order (so distinct),
	///   each a chunk of its content, and a deadline after its issue; a probe's last chunk is
	///   the content's last; an obligation challenge or a probe names its moderator (a lease
	///   challenge may not);
	/// - a record's strikes in the window never exceed its total strikes, and a record with
	///   strikes has a last strike.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		ensure!(Self::params_valid(&Params::<T>::get()), "params out of bounds");
		let cursor = ExpiryCursor::<T>::get();
		let next = NextChallengeId::<T>::get();
		ensure!(cursor <= next, "expiry cursor ahead of the next id");

		let mut challenges = 0u32;
		for (id, challenge) in Challenges::<T>::iter() {
			challenges.saturating_inc();
			ensure!(id >= cursor && id < next, "pending challenge outside the expiry queue");
			ensure!(
				NodeChallenges::<T>::contains_key(&challenge.node, id),
				"challenge missing from nodeChallenges"
			);
			let chunks = chunk_count(challenge.size);
			ensure!(!challenge.chunks.is_empty(), "challenge names no chunk");
			ensure!(
				challenge.chunks.windows(2).all(|pair| pair[0] < pair[1]),
				"challenged chunks not ascending and distinct"
			);
			ensure!(
				challenge.chunks.iter().all(|chunk| *chunk < chunks),
				"challenged chunk out of range"
			);
			ensure!(
				challenge.kind != ChallengeKind::Probe
					|| challenge.chunks.last() == Some(&chunks.saturating_sub(1)),
				"probe not on the last chunk"
			);
			ensure!(
				matches!(challenge.kind, ChallengeKind::Lease(_)) || challenge.moderator.is_some(),
				"catalog challenge without its moderator"
			);
			ensure!(challenge.deadline > challenge.issued_at, "deadline not after issue");
		}
		let mut indexed = 0u32;
		for (node, id, ()) in NodeChallenges::<T>::iter() {
			indexed.saturating_inc();
			ensure!(
				Challenges::<T>::get(id).is_some_and(|c| c.node == node),
				"nodeChallenges entry without its challenge"
			);
		}
		ensure!(indexed == challenges, "nodeChallenges differs from challenges");

		for (_, record) in Records::<T>::iter() {
			ensure!(record.strikes <= record.total_strikes, "more strikes in the window than ever");
			ensure!(
				record.total_strikes == 0 || record.last_strike.is_some(),
				"strikes without a last strike"
			);
		}
		Ok(())
	}
}
