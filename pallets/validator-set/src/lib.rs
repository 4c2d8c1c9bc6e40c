#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
mod session_impl;
#[cfg(test)]
mod tests;
pub mod weights;

pub use weights::WeightInfo;

extern crate alloc;

use polkadot_sdk::{frame_support, frame_system};

/// What the benchmarks need from the runtime: accounts with session keys, since only those
/// may be added to the set.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Give `who` session keys (unique to it), so that `Config::ValidatorRegistration` counts
	/// it as registered.
	fn set_session_keys(who: &AccountId);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{BuildGenesisConfig, EnsureOrigin, ValidatorRegistration},
	};
	use frame_system::pallet_prelude::*;
	#[cfg(feature = "try-runtime")]
	use polkadot_sdk::sp_runtime::TryRuntimeError;
	use polkadot_sdk::sp_staking::SessionIndex;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the validator set.
	///
	/// The pallet is pallet-session's `SessionManager` with `ValidatorId = AccountId`: the
	/// runtime sets `pallet_session::Config::ValidatorId` to its `AccountId`,
	/// `ValidatorIdOf` to the identity (`sp_runtime::traits::ConvertInto`) and
	/// `SessionManager` to this pallet.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// Origin that may add and remove validators (root on Bitcloud).
		type AddRemoveOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Which accounts have session keys: pallet-session (`Session`) in the runtime. Only
		/// those can be added, since pallet-session leaves validators without keys out of the
		/// sets it queues.
		type ValidatorRegistration: ValidatorRegistration<Self::AccountId>;

		/// Fewest validators the set may hold; removals stop there. At least 1.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Most validators the set may hold. At most the `MaxAuthorities` of the consensus
		/// pallets (Aura, GRANDPA), which would otherwise truncate the set.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Builds the benchmarks' accounts with session keys.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The validator set, in authoring order. pallet-session takes it when it plans the next
	/// session after a change, and it becomes the set in force one session later: a change
	/// made during session `n` takes effect at session `n + 2`.
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether `Validators` changed since pallet-session last took it. The next session
	/// planned takes the set and clears the flag.
	#[pallet::storage]
	pub type SetChanged<T: Config> = StorageValue<_, bool, ValueQuery>;

	/// Events of the validator set.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An account joined the set; it validates from the session after next.
		ValidatorAdded {
			/// The new validator.
			who: T::AccountId,
		},
		/// An account left the set; it stops validating from the session after next.
		ValidatorRemoved {
			/// The former validator.
			who: T::AccountId,
		},
		/// The changed set was handed to pallet-session at a session boundary: it is the set
		/// of session `session` (the session after the one that has just started).
		ValidatorSetPlanned {
			/// The session whose validators these are.
			session: SessionIndex,
			/// The validators, in authoring order.
			validators: Vec<T::AccountId>,
		},
	}

	/// Errors of the validator set.
	#[pallet::error]
	pub enum Error<T> {
		/// The account has not set session keys (`session.setKeys`).
		NoSessionKeys,
		/// The account is already in the set.
		AlreadyValidator,
		/// The account is not in the set.
		NotValidator,
		/// The set holds `MinValidators` validators: none can be removed.
		TooFewValidators,
		/// The set holds `MaxValidators` validators: none can be added.
		TooManyValidators,
	}

	/// The validators at genesis.
	///
	/// pallet-session's genesis must give each of them session keys (its `keys`, as
	/// `(account, account, keys)`), and the runtime must build this pallet's genesis first
	/// (put it before `Session`): pallet-session asks it for the first two sets while building
	/// its own. Aura's and GRANDPA's genesis authorities stay empty; pallet-session sets them.
	///
	/// An empty list (the default) builds no set: pallet-session then takes the first sets
	/// from its own `keys`, and this pallet's invariants do not hold until a set is stored. A
	/// chain must list its validators here.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The initial validators, in authoring order: `MinValidators` to `MaxValidators`
		/// distinct accounts (or none, for the default config only).
		pub initial_validators: Vec<T::AccountId>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let validators = &self.initial_validators;
			if validators.is_empty() {
				// The default config (which FRAME's generated genesis test builds): no set.
				return;
			}
			assert!(
				validators.len() >= T::MinValidators::get() as usize,
				"genesis validators fewer than MinValidators"
			);
			assert!(
				validators.iter().enumerate().all(|(i, v)| !validators[..i].contains(v)),
				"duplicate genesis validator"
			);
			let validators = BoundedVec::<_, T::MaxValidators>::try_from(validators.clone())
				.expect("genesis validators more than MaxValidators");
			Validators::<T>::put(validators);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MinValidators::get() >= 1, "MinValidators must be at least 1");
			assert!(
				T::MinValidators::get() <= T::MaxValidators::get(),
				"MinValidators must not exceed MaxValidators"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Add `who` to the validator set. It validates from the session after next (the
		/// session after the next rotation).
		///
		/// - `origin`: `AddRemoveOrigin`.
		/// - `who`: an account with session keys (`session.setKeys`), not in the set; the set
		///   must hold fewer than `MaxValidators`.
		///
		/// Emits `ValidatorAdded`.
		#[pallet::call_index(0)]
		pub fn add_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			Self::do_add_validator(who)
		}

		/// Remove `who` from the validator set. It stops validating from the session after
		/// next; until then it must keep its node and keys running.
		///
		/// - `origin`: `AddRemoveOrigin`.
		/// - `who`: a validator; the set must hold more than `MinValidators`.
		///
		/// Emits `ValidatorRemoved`.
		#[pallet::call_index(1)]
		pub fn remove_validator(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			T::AddRemoveOrigin::ensure_origin(origin)?;
			Self::do_remove_validator(who)
		}
	}
}
