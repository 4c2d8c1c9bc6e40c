#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod clock;
mod dispatchable_impls;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use bitcloud_primitives::EpochIndex;
	use frame_support::{pallet_prelude::*, traits::BuildGenesisConfig};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the epochs pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls and hooks of this pallet.
		type WeightInfo: WeightInfo;

		/// Origin that may change the epoch length (root on Bitcloud).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Shortest epoch, in blocks.
		#[pallet::constant]
		type MinEpochLength: Get<BlockNumberFor<Self>>;

		/// Longest epoch, in blocks.
		#[pallet::constant]
		type MaxEpochLength: Get<BlockNumberFor<Self>>;
	}

	/// Length of the current epoch in blocks.
	#[pallet::storage]
	pub type EpochLength<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The epoch from which the current length counts, and its first block.
	#[pallet::storage]
	pub type Anchor<T: Config> = StorageValue<_, EpochAnchor<BlockNumberFor<T>>, ValueQuery>;

	/// A new length that takes effect when the next epoch begins.
	#[pallet::storage]
	pub type NextEpochLength<T: Config> = StorageValue<_, BlockNumberFor<T>, OptionQuery>;

	/// Events of the epochs pallet.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A new epoch began at this block.
		EpochStarted {
			/// The new epoch.
			epoch: EpochIndex,
			/// Its length in blocks.
			length: BlockNumberFor<T>,
		},
		/// A new epoch length was scheduled; it takes effect when `from_epoch` begins.
		EpochLengthScheduled {
			/// The new length in blocks.
			length: BlockNumberFor<T>,
			/// First epoch of that length.
			from_epoch: EpochIndex,
		},
	}

	/// Errors of the epochs pallet.
	#[pallet::error]
	pub enum Error<T> {
		/// The requested epoch length is shorter than `MinEpochLength`.
		EpochLengthTooShort,
		/// The requested epoch length is longer than `MaxEpochLength`.
		EpochLengthTooLong,
	}

	/// Genesis: the length of the first epochs.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Epoch length in blocks; `MinEpochLength` when left at zero.
		pub epoch_length: BlockNumberFor<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let length = self.epoch_length.max(T::MinEpochLength::get());
			assert!(
				length <= T::MaxEpochLength::get(),
				"genesis epoch length above MaxEpochLength"
			);
			EpochLength::<T>::put(length);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::do_start_epoch_if_due(now)
		}

		fn integrity_test() {
			assert!(T::MinEpochLength::get() > 0u32.into(), "MinEpochLength must be at least 1");
			assert!(
				T::MinEpochLength::get() <= T::MaxEpochLength::get(),
				"MinEpochLength must not exceed MaxEpochLength"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Change the epoch length from the next epoch on (the current epoch keeps its
		/// length, so no block changes epoch). Origin: `AdminOrigin`.
		#[pallet::call_index(0)]
		pub fn set_epoch_length(origin: OriginFor<T>, length: BlockNumberFor<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_epoch_length(length)
		}
	}
}
