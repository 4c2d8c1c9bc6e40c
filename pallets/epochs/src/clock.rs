//! The epochs pallet as the chain's [`EpochClock`].

use crate::*;
use bitcloud_primitives::{EpochClock, EpochIndex};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{CheckedAdd, CheckedMul};

impl<T: Config> EpochClock<BlockNumberFor<T>> for Pallet<T> {
	fn current_epoch() -> EpochIndex {
		Self::epoch_at(frame_system::Pallet::<T>::block_number())
	}

	fn epoch_start(epoch: EpochIndex) -> Option<BlockNumberFor<T>> {
		let anchor = Anchor::<T>::get();
		let since_anchor: BlockNumberFor<T> = epoch.checked_sub(anchor.epoch)?.into();
		since_anchor.checked_mul(&EpochLength::<T>::get())?.checked_add(&anchor.first_block)
	}

	fn epoch_length() -> BlockNumberFor<T> {
		EpochLength::<T>::get()
	}
}
