//! Pruning of old epochs, a bounded step per block.
//!
//! Once the current epoch is past `e + RetentionEpochs` for the oldest kept epoch `e`,
//! `oldestKeptEpoch` moves to `e + 1` (so `e` reads as pruned at once) and `pruning` records
//! `e`; then each block's `on_initialize` removes at most `PruneLimit` entries of `e`, one
//! storage map after the other, until none is left. Each step reads the keys left under the
//! epoch's prefix (what earlier blocks removed is gone), so no cursor is needed.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{EpochClock, EpochIndex};
use codec::FullCodec;
use frame_support::{storage::IterableStorageDoubleMap, traits::Get, weights::Weight};
use sp_runtime::traits::Saturating;

/// Number of storage maps cleared per epoch, in order: `clientEpochs`, `nodeEpochs`,
/// `moderatorBytes`, `epochTotals`.
const STAGES: u8 = 4;

impl<T: Config> Pallet<T> {
	/// Prune up to `PruneLimit` entries of the epoch being pruned, starting its pruning if the
	/// oldest kept epoch is out of retention. Returns the weight used.
	pub(crate) fn prune_step() -> Weight {
		let mut progress = match Pruning::<T>::get() {
			Some(progress) => progress,
			None => {
				let oldest = OldestKeptEpoch::<T>::get();
				let current = T::EpochClock::current_epoch();
				if oldest.saturating_add(T::RetentionEpochs::get()) >= current {
					return T::WeightInfo::on_initialize_idle();
				}
				OldestKeptEpoch::<T>::put(oldest.saturating_add(1));
				PruneProgress { epoch: oldest, stage: 0 }
			},
		};

		let limit = T::PruneLimit::get();
		let mut removed = 0u32;
		while progress.stage < STAGES && removed < limit {
			let budget = limit.saturating_sub(removed) as usize;
			let epoch = progress.epoch;
			let done = match progress.stage {
				0 => remove_some::<ClientEpochs<T>, _, _>(epoch, budget, &mut removed),
				1 => remove_some::<NodeEpochs<T>, _, _>(epoch, budget, &mut removed),
				2 => remove_some::<ModeratorBytes<T>, _, _>(epoch, budget, &mut removed),
				_ => {
					EpochTotals::<T>::remove(epoch);
					removed.saturating_inc();
					true
				},
			};
			if !done {
				break;
			}
			progress.stage = progress.stage.saturating_add(1);
		}

		if progress.stage >= STAGES {
			Pruning::<T>::kill();
			Self::deposit_event(Event::EpochPruned { epoch: progress.epoch });
		} else {
			Pruning::<T>::put(progress);
		}
		T::WeightInfo::on_initialize_prune(removed)
	}
}

/// Remove up to `budget` entries of `epoch` from the epoch-keyed double map `M`, counting
/// them in `removed`. Returns whether none is left.
fn remove_some<M, K, V>(epoch: EpochIndex, budget: usize, removed: &mut u32) -> bool
where
	M: IterableStorageDoubleMap<EpochIndex, K, V>,
	K: FullCodec,
	V: FullCodec,
{
	// Read one key more than the budget, to know whether the map is done.
	let keys: Vec<K> = M::iter_key_prefix(epoch).take(budget.saturating_add(1)).collect();
	let done = keys.len() <= budget;
	for key in keys.into_iter().take(budget) {
		M::remove(epoch, key);
		removed.saturating_inc();
	}
	done
}
