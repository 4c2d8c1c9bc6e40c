//! Pruning of old epochs, a bounded step per block.
//!
//! Once the current epoch is past `e + RetentionEpochs` for the oldest kept epoch `e`,
//! `oldestKeptEpoch` moves to `e + 1` (so `e` reads as pruned at once) and `pruning` records
//! `e`; then each block's `on_initialize` removes at most `PruneLimit` entries of `e`, one
//! storage map after the other, until none is left. Each block starts its `clear_prefix`
//! afresh: what earlier blocks removed is gone from the state, so no cursor is needed.

use crate::*;
use bitcloud_primitives::EpochClock;
use frame_support::{traits::Get, weights::Weight};

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
			let budget = limit.saturating_sub(removed);
			let epoch = progress.epoch;
			let result = match progress.stage {
				0 => ClientEpochs::<T>::clear_prefix(epoch, budget, None),
				1 => NodeEpochs::<T>::clear_prefix(epoch, budget, None),
				2 => ModeratorBytes::<T>::clear_prefix(epoch, budget, None),
				_ => {
					EpochTotals::<T>::remove(epoch);
					removed = removed.saturating_add(1);
					progress.stage = STAGES;
					break;
				},
			};
			removed = removed.saturating_add(result.loops.max(result.unique));
			if result.maybe_cursor.is_none() {
				progress.stage = progress.stage.saturating_add(1);
			} else {
				break;
			}
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
