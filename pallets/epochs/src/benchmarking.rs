//! Benchmarks of the epochs pallet (v2).

use super::*;
use bitcloud_primitives::EpochClock;
use frame_support::traits::{EnsureOrigin, Get, Hooks};
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::traits::{One, Saturating};

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn set_epoch_length() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let length = T::MaxEpochLength::get();

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, length);

		assert_eq!(NextEpochLength::<T>::get(), Some(length));
		Ok(())
	}

	/// The worst case of the hook: an epoch begins and a scheduled length takes effect.
	#[benchmark]
	fn on_initialize_epoch_start() {
		let length = T::MinEpochLength::get();
		EpochLength::<T>::put(length);
		NextEpochLength::<T>::put(T::MaxEpochLength::get());
		let start = Pallet::<T>::epoch_start(2).unwrap_or_default();
		frame_system::Pallet::<T>::set_block_number(start);

		#[block]
		{
			Pallet::<T>::on_initialize(start);
		}

		assert_eq!(Anchor::<T>::get().first_block, start);
		assert_eq!(EpochLength::<T>::get(), T::MaxEpochLength::get());
	}

	/// The hook in any other block.
	#[benchmark]
	fn on_initialize_within_epoch() {
		let length = T::MinEpochLength::get().max(2u32.into());
		EpochLength::<T>::put(length);
		let block = Pallet::<T>::epoch_start(2).unwrap_or_default().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(block);

		#[block]
		{
			Pallet::<T>::on_initialize(block);
		}

		assert_eq!(Anchor::<T>::get().epoch, 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
