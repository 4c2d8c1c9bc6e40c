//! Storage migrations of the storage law.

/// Version 0 to 1: challenges name several chunks, and the parameters say how many.
///
/// Version 0 challenges named one chunk (`Challenge::chunk: u64`) and `LawParams` had no
/// `chunks_per_challenge`. The migration:
///
/// - translates `Params`, if stored, keeping every field and setting `chunks_per_challenge`
///   to `ChunksPerChallenge` (clamped to `1..=MAX_CHALLENGE_CHUNKS`); stored params keep their
///   `response_blocks`: Root shortens it with `setParams` if it should. Params never stored
///   stay so (the runtime's `DefaultParams`, new format, apply);
/// - **drops every pending challenge**: clears `Challenges` and `NodeChallenges` and moves
///   `ExpiryCursor` up to `NextChallengeId`, so ids go on from where they were. Dropping is
///   fair: a one-chunk challenge cannot be answered in the new format (an answer carries one
///   proof per named chunk, checked against the new `Challenge`), and its node was given no
///   chance to fail it, so it is neither passed nor struck (no event, no record). Nodes are
///   challenged again from the next epoch's draw (`LastChallengedEpoch` is kept, so the
///   current epoch draws no second time).
///
/// Weight: one read and one write per removed key of both maps (their number is bounded by
/// the pending challenges: at most `2 × MaxChallengesPerEpoch` per epoch plus those awaiting
/// expiry, so a few hundred), plus `Params`, `NextChallengeId` and `ExpiryCursor`; the
/// storage version read and write are added by `VersionedMigration`.
pub mod v1 {
	use crate::{
		pallet::{Challenges, ExpiryCursor, NextChallengeId, NodeChallenges, Params},
		Config, LawParams, Pallet,
	};
	use bitcloud_primitives::storage_proof::MAX_CHALLENGE_CHUNKS;
	use codec::{Decode, Encode, MaxEncodedLen};
	use core::marker::PhantomData;
	use polkadot_sdk::{
		frame_support::{
			self,
			migrations::VersionedMigration,
			traits::{Get, UncheckedOnRuntimeUpgrade},
			weights::Weight,
		},
		frame_system,
		sp_runtime::{Perbill, Saturating},
	};
	use scale_info::TypeInfo;

	/// The parameters as version 0 stored them: [`LawParams`] without
	/// `chunks_per_challenge`.
	#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
	pub struct LawParamsV0 {
		/// See [`LawParams::challenge_rate`].
		pub challenge_rate: Perbill,
		/// See [`LawParams::challenges_per_epoch`].
		pub challenges_per_epoch: u32,
		/// See [`LawParams::response_blocks`].
		pub response_blocks: u32,
		/// See [`LawParams::strikes_per_step`].
		pub strikes_per_step: u32,
		/// See [`LawParams::strike_window`].
		pub strike_window: u32,
		/// See [`LawParams::clean_epochs`].
		pub clean_epochs: u32,
		/// See [`LawParams::slash_fraction`].
		pub slash_fraction: Perbill,
	}

	impl LawParamsV0 {
		/// The same parameters with `chunks_per_challenge` chunks per challenge.
		pub fn upgrade(self, chunks_per_challenge: u32) -> LawParams {
			LawParams {
				challenge_rate: self.challenge_rate,
				challenges_per_epoch: self.challenges_per_epoch,
				chunks_per_challenge,
				response_blocks: self.response_blocks,
				strikes_per_step: self.strikes_per_step,
				strike_window: self.strike_window,
				clean_epochs: self.clean_epochs,
				slash_fraction: self.slash_fraction,
			}
		}
	}

	/// Storage of version 0, for the migration and its tests.
	// `storage_alias` adds an undocumented prefix type.
	#[allow(missing_docs)]
	pub mod v0 {
		use super::*;

		/// `Params` in the version 0 format.
		#[frame_support::storage_alias]
		pub type Params<T: Config> =
			StorageValue<Pallet<T>, LawParamsV0, frame_support::pallet_prelude::OptionQuery>;
	}

	/// The migration without the version check: use [`MigrateV0ToV1`].
	pub struct UncheckedMigrateV0ToV1<T, ChunksPerChallenge>(PhantomData<(T, ChunksPerChallenge)>);

	impl<T: Config, ChunksPerChallenge: Get<u32>> UncheckedOnRuntimeUpgrade
		for UncheckedMigrateV0ToV1<T, ChunksPerChallenge>
	{
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);

			// Params: translated if stored.
			let chunks = ChunksPerChallenge::get().clamp(1, MAX_CHALLENGE_CHUNKS);
			reads.saturating_inc();
			let translated =
				Params::<T>::translate::<LawParamsV0, _>(|old| old.map(|p| p.upgrade(chunks)));
			match translated {
				Ok(Some(_)) => writes.saturating_inc(),
				Ok(None) => {},
				Err(()) => {
					// Not the version 0 format: remove it, the runtime's defaults apply.
					frame_support::defensive!("storage-law params undecodable; defaults apply");
					Params::<T>::kill();
					writes.saturating_inc();
				},
			}

			// Every pending challenge, in the old format, dropped: a read (the iteration) and a
			// write per key removed. Counted by iterating the keys (the removal's own count
			// leaves out keys written in this block).
			let keys = (Challenges::<T>::iter_keys().count() as u64)
				.saturating_add(NodeChallenges::<T>::iter_keys().count() as u64);
			let _ = Challenges::<T>::clear(u32::MAX, None);
			let _ = NodeChallenges::<T>::clear(u32::MAX, None);
			reads.saturating_accrue(keys);
			writes.saturating_accrue(keys);
			ExpiryCursor::<T>::put(NextChallengeId::<T>::get());
			reads.saturating_inc();
			writes.saturating_inc();

			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<alloc::vec::Vec<u8>, polkadot_sdk::sp_runtime::TryRuntimeError> {
			Ok((v0::Params::<T>::get(), NextChallengeId::<T>::get()).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(
			state: alloc::vec::Vec<u8>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use frame_support::ensure;
			let (old, next): (Option<LawParamsV0>, u64) = Decode::decode(&mut &state[..])
				.map_err(|_| "storage-law v1: undecodable pre-upgrade state")?;
			let chunks = ChunksPerChallenge::get().clamp(1, MAX_CHALLENGE_CHUNKS);
			match old {
				Some(old) => ensure!(
					Params::<T>::get() == old.upgrade(chunks),
					"storage-law v1: params not translated"
				),
				None => ensure!(!Params::<T>::exists(), "storage-law v1: params appeared"),
			}
			ensure!(
				Challenges::<T>::iter_keys().next().is_none(),
				"storage-law v1: challenges left"
			);
			ensure!(
				NodeChallenges::<T>::iter_keys().next().is_none(),
				"storage-law v1: node challenges left"
			);
			ensure!(NextChallengeId::<T>::get() == next, "storage-law v1: next id changed");
			ensure!(ExpiryCursor::<T>::get() == next, "storage-law v1: expiry cursor behind");
			Ok(())
		}
	}

	/// Migrate the storage law from version 0 to 1 (see [the module](self)), setting
	/// `chunks_per_challenge` of stored params to `ChunksPerChallenge`. Runs only if the
	/// on-chain storage version is 0, and sets it to 1.
	pub type MigrateV0ToV1<T, ChunksPerChallenge> = VersionedMigration<
		0,
		1,
		UncheckedMigrateV0ToV1<T, ChunksPerChallenge>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
