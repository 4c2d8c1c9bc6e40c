//! Storage migrations of the storage law: [`v1`] (several chunks per challenge) and [`v2`]
//! (optional moderators, for lease challenges).

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

/// Version 1 to 2: a challenge's moderator is optional, for the challenges of leases.
///
/// Version 1 stored `Challenge::moderator` as an account: every challenge was of a catalog
/// item. Version 2 stores an `Option` (`None` for a lease challenge, `ChallengeKind::Lease`,
/// whose lease may have no moderator). `ChallengeKind::Lease` is appended to the kinds, so the
/// kinds of version 1 (`Obligation`, `Probe`) encode as before. The migration:
///
/// - translates every pending challenge, its `moderator` becoming `Some(moderator)`; nothing
///   else changes (ids, chunks, deadlines, `NodeChallenges`, the expiry queue, records), so a
///   pending challenge is answered with the same proofs, or missed, as if nothing happened;
/// - drops, with its `NodeChallenges` entry, a challenge that does not decode in the version 1
///   format (there should be none): neither passed nor struck, as version 1 dropped the
///   one-chunk challenges.
///
/// Weight: one read and one write per pending challenge (one more write for a dropped one's
/// index entry); their number is bounded by the pending challenges (at most
/// `2 × MaxChallengesPerEpoch` issued per epoch in version 1, plus those awaiting expiry).
/// The storage version read and write are added by `VersionedMigration`.
pub mod v2 {
	use crate::{
		pallet::{Challenges, NodeChallenges},
		Challenge, ChallengeId, ChallengeKind, Config, Pallet,
	};
	use alloc::vec::Vec;
	use bitcloud_primitives::{ChallengeChunks, ContentId};
	use codec::{Decode, DecodeAll, Encode};
	use core::marker::PhantomData;
	use polkadot_sdk::{
		frame_support::{
			self,
			migrations::VersionedMigration,
			storage::unhashed,
			traits::{Get, UncheckedOnRuntimeUpgrade},
			weights::Weight,
		},
		frame_system::{self, pallet_prelude::BlockNumberFor},
		sp_runtime::Saturating,
	};
	use scale_info::TypeInfo;

	/// A challenge as version 1 stored it: [`Challenge`] with a moderator always.
	#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
	pub struct ChallengeV1<AccountId, BlockNumber> {
		/// See [`Challenge::node`].
		pub node: AccountId,
		/// The moderator whose catalog lists the content.
		pub moderator: AccountId,
		/// See [`Challenge::content`].
		pub content: ContentId,
		/// See [`Challenge::size`].
		pub size: u64,
		/// See [`Challenge::chunks`].
		pub chunks: ChallengeChunks,
		/// See [`Challenge::issued_at`].
		pub issued_at: BlockNumber,
		/// See [`Challenge::deadline`].
		pub deadline: BlockNumber,
		/// `Obligation` or `Probe` (encoded as in version 2).
		pub kind: ChallengeKind,
	}

	impl<AccountId, BlockNumber> ChallengeV1<AccountId, BlockNumber> {
		/// The same challenge in the version 2 format: `moderator` becomes `Some(moderator)`.
		pub fn upgrade(self) -> Challenge<AccountId, BlockNumber> {
			Challenge {
				node: self.node,
				moderator: Some(self.moderator),
				content: self.content,
				size: self.size,
				chunks: self.chunks,
				issued_at: self.issued_at,
				deadline: self.deadline,
				kind: self.kind,
			}
		}
	}

	/// A challenge of `T` as version 1 stored it.
	pub type ChallengeV1Of<T> =
		ChallengeV1<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;

	/// Storage of version 1, for the migration and its tests.
	// `storage_alias` adds an undocumented prefix type.
	#[allow(missing_docs)]
	pub mod v1 {
		use super::*;

		/// `Challenges` in the version 1 format.
		#[frame_support::storage_alias]
		pub type Challenges<T: Config> = StorageMap<
			Pallet<T>,
			frame_support::Twox64Concat,
			ChallengeId,
			ChallengeV1Of<T>,
			frame_support::pallet_prelude::OptionQuery,
		>;
	}

	/// The migration without the version check: use [`MigrateV1ToV2`].
	pub struct UncheckedMigrateV1ToV2<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for UncheckedMigrateV1ToV2<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			// The keys first (a few hundred at most), then each value rewritten in place.
			let ids: Vec<ChallengeId> = Challenges::<T>::iter_keys().collect();
			for id in ids {
				reads.saturating_inc();
				let key = Challenges::<T>::hashed_key_for(id);
				let Some(raw) = unhashed::get_raw(&key) else { continue };
				writes.saturating_inc();
				match ChallengeV1Of::<T>::decode_all(&mut &raw[..]) {
					Ok(old) => Challenges::<T>::insert(id, old.upgrade()),
					Err(_) => {
						frame_support::defensive!("storage-law challenge undecodable; dropped");
						unhashed::kill(&key);
						// The node comes first in either format: its index entry goes too.
						if let Ok(node) = T::AccountId::decode(&mut &raw[..]) {
							NodeChallenges::<T>::remove(node, id);
							writes.saturating_inc();
						}
					},
				}
			}
			T::DbWeight::get().reads_writes(reads, writes)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, polkadot_sdk::sp_runtime::TryRuntimeError> {
			let old: Vec<(ChallengeId, ChallengeV1Of<T>)> = v1::Challenges::<T>::iter().collect();
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(state: Vec<u8>) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			use frame_support::ensure;
			let old: Vec<(ChallengeId, ChallengeV1Of<T>)> = Decode::decode(&mut &state[..])
				.map_err(|_| "storage-law v2: undecodable pre-upgrade state")?;
			ensure!(
				Challenges::<T>::iter_keys().count() == old.len(),
				"storage-law v2: challenges added or lost"
			);
			for (id, challenge) in old {
				ensure!(
					Challenges::<T>::get(id) == Some(challenge.upgrade()),
					"storage-law v2: challenge not translated"
				);
			}
			Ok(())
		}
	}

	/// Migrate the storage law from version 1 to 2 (see [the module](self)). Runs only if the
	/// on-chain storage version is 1, and sets it to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		UncheckedMigrateV1ToV2<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;
}
