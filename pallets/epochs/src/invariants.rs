//! Invariants of the epochs pallet, checked by `try_state` and after every unit test.

use crate::*;
use frame_support::{ensure, traits::Get};
use sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// The length (current and scheduled) is within bounds and the anchor is not in the
	/// future.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let within =
			|length| length >= T::MinEpochLength::get() && length <= T::MaxEpochLength::get();
		ensure!(within(EpochLength::<T>::get()), "EpochLength out of bounds");
		ensure!(NextEpochLength::<T>::get().is_none_or(within), "NextEpochLength out of bounds");
		ensure!(
			Anchor::<T>::get().first_block <= frame_system::Pallet::<T>::block_number(),
			"Anchor starts in the future"
		);
		Ok(())
	}
}
