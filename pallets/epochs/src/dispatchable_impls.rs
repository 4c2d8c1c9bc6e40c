//! What the calls and hooks of the epochs pallet do.

use crate::*;
use bitcloud_primitives::{EpochClock, EpochIndex};
use frame_support::{ensure, pallet_prelude::*};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_set_epoch_length(length: BlockNumberFor<T>) -> DispatchResult {
		ensure!(length >= T::MinEpochLength::get(), Error::<T>::EpochLengthTooShort);
		ensure!(length <= T::MaxEpochLength::get(), Error::<T>::EpochLengthTooLong);
		NextEpochLength::<T>::put(length);
		let from_epoch = Self::current_epoch().saturating_add(1);
		Self::deposit_event(Event::EpochLengthScheduled { length, from_epoch });
		Ok(())
	}

	/// At the first block of an epoch: apply a scheduled length and announce the epoch.
	pub(crate) fn do_start_epoch_if_due(now: BlockNumberFor<T>) -> Weight {
		let epoch = Self::epoch_at(now);
		if Self::epoch_start(epoch) != Some(now) || epoch == 0 {
			return T::WeightInfo::on_initialize_within_epoch();
		}
		let length = match NextEpochLength::<T>::take() {
			Some(length) => {
				Anchor::<T>::put(EpochAnchor { epoch, first_block: now });
				EpochLength::<T>::put(length);
				length
			},
			None => EpochLength::<T>::get(),
		};
		Self::deposit_event(Event::EpochStarted { epoch, length });
		T::WeightInfo::on_initialize_epoch_start()
	}

	/// The epoch block `now` belongs to under the current anchor and length.
	pub(crate) fn epoch_at(now: BlockNumberFor<T>) -> EpochIndex {
		let anchor = Anchor::<T>::get();
		let length = EpochLength::<T>::get().max(1u32.into());
		let elapsed = now.saturating_sub(anchor.first_block) / length;
		let elapsed: EpochIndex = elapsed.try_into().unwrap_or(EpochIndex::MAX);
		anchor.epoch.saturating_add(elapsed)
	}

	/// Where the chain is in its epochs (for the runtime API).
	pub fn epoch_info() -> EpochInfo<BlockNumberFor<T>> {
		let epoch = Self::current_epoch();
		EpochInfo {
			epoch,
			first_block: Self::epoch_start(epoch).unwrap_or_default(),
			length: EpochLength::<T>::get(),
			next_length: NextEpochLength::<T>::get(),
		}
	}
}
