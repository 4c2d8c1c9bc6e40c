#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
pub mod economics;
pub mod formula;
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

extern crate alloc;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use bitcloud_primitives::{
		BandwidthLedger, EpochClock, EpochIndex, ModeratorRegistry, NodeRegistry,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{fungible::Mutate, BuildGenesisConfig, EnsureOrigin},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the reward distribution.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// The currency rewards are minted in.
		type Currency: Mutate<Self::AccountId>;

		/// The epoch clock (`pallet-epochs`).
		type Epochs: EpochClock<BlockNumberFor<Self>>;

		/// Bytes proven per epoch (`pallet-bandwidth`).
		type Bandwidth: BandwidthLedger<Self::AccountId>;

		/// The node registry (`pallet-nodes`): a node's standing at claim time.
		type Nodes: NodeRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// The moderator registry (`pallet-moderation`): commissions.
		type Moderators: ModeratorRegistry<Self::AccountId>;

		/// Origin allowed to change the emission schedule, e.g. Root or a council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Most a node earns per byte credited to it, in the smallest unit. When demand is low
		/// this cap binds and the rest of the pot is not minted. It also bounds what a node
		/// talking to itself can earn per byte: the bandwidth ledger's per-byte fee must be at
		/// least this (see `docs/rewards.md`).
		#[pallet::constant]
		type MaxRewardPerByte: Get<BalanceOf<Self>>;

		/// Epochs after an epoch during which its rewards can be claimed: epoch `e` can be
		/// claimed while the current epoch is at most `e + ClaimWindow`; afterwards its unclaimed
		/// rewards are never minted.
		#[pallet::constant]
		type ClaimWindow: Get<EpochIndex>;

		/// Most moderators one claim pays a commission to (at least the most moderators a node
		/// may subscribe to); the claim's weight is charged for this many.
		#[pallet::constant]
		type MaxCommissionsPerClaim: Get<u32>;

		/// Most claim records `on_idle` removes per block once their epoch has expired.
		#[pallet::constant]
		type MaxPrunePerBlock: Get<u32>;

		/// Set-up of the ledger, registry and clock for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// The emission schedule in force.
	#[pallet::storage]
	pub type Schedule<T: Config> = StorageValue<_, EmissionSchedule<BalanceOf<T>>, ValueQuery>;

	/// Each epoch's pot, total bytes and payments so far, fixed by the epoch's first claim.
	#[pallet::storage]
	pub type EpochTotals<T: Config> =
		StorageMap<_, Twox64Concat, EpochIndex, EpochRecord<BalanceOf<T>>, OptionQuery>;

	/// Claims made: `(epoch, node)` → total paid for it (node part plus commissions).
	#[pallet::storage]
	pub type Claimed<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		T::AccountId,
		BalanceOf<T>,
		OptionQuery,
	>;

	/// Everything this pallet has ever minted: the total issuance grew by exactly this much
	/// through rewards.
	#[pallet::storage]
	pub type TotalPaid<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// The oldest epoch whose claim records have not been pruned yet.
	#[pallet::storage]
	pub type NextPruneEpoch<T: Config> = StorageValue<_, EpochIndex, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A node's reward for an epoch was paid (minted).
		RewardsClaimed {
			/// The node.
			node: T::AccountId,
			/// The epoch.
			epoch: EpochIndex,
			/// Bytes credited to the node in the epoch.
			bytes: u64,
			/// Paid to the node.
			node_reward: BalanceOf<T>,
			/// Paid to moderators as commission (each in a `CommissionPaid` event).
			commissions: BalanceOf<T>,
			/// Who submitted the claim.
			claimed_by: T::AccountId,
		},
		/// A moderator received its commission on a node's reward.
		CommissionPaid {
			/// The moderator.
			moderator: T::AccountId,
			/// The node whose reward it comes from.
			node: T::AccountId,
			/// The epoch.
			epoch: EpochIndex,
			/// Amount paid (minted).
			amount: BalanceOf<T>,
		},
		/// The emission schedule changed; it applies to every epoch without a claim yet.
		EmissionScheduleSet {
			/// The new schedule.
			schedule: EmissionSchedule<BalanceOf<T>>,
		},
		/// An expired epoch's claim records and totals were removed.
		EpochPruned {
			/// The epoch.
			epoch: EpochIndex,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The epoch's receipt window is still open (or the epoch has not ended): its figures
		/// may still change.
		EpochNotFinal,
		/// The claim window of the epoch is over: its unclaimed rewards were never minted.
		ClaimWindowExpired,
		/// The bandwidth ledger no longer keeps the epoch's figures.
		EpochFiguresPruned,
		/// The node's reward for the epoch was claimed already.
		AlreadyClaimed,
		/// The account is not a registered node.
		NotANode,
		/// The node is suspended or banned: it earns no rewards.
		NodeNotEarning,
		/// The node has no bytes, or a zero reward, in the epoch.
		NothingToClaim,
		/// The epoch's pot is spent (the ledger's figures are inconsistent).
		PotExhausted,
		/// The schedule is invalid: the decay period is zero while a decay is set.
		InvalidSchedule,
	}

	/// The emission schedule at genesis (see [`EmissionSchedule`]).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Coins an epoch emits after the bootstrap period, before decay.
		pub base_emission: BalanceOf<T>,
		/// Epochs from genesis that emit `base_emission × bootstrap_multiplier`.
		pub bootstrap_epochs: EpochIndex,
		/// Multiplier of the bootstrap period.
		pub bootstrap_multiplier: u32,
		/// Fraction removed every `decay_period` epochs after the bootstrap.
		pub decay: Perbill,
		/// Epochs per decay step (`0`: no decay).
		pub decay_period: EpochIndex,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let schedule = EmissionSchedule {
				base: self.base_emission,
				bootstrap_epochs: self.bootstrap_epochs,
				bootstrap_multiplier: self.bootstrap_multiplier,
				decay: self.decay,
				decay_period: self.decay_period,
			};
			assert!(Pallet::<T>::valid_schedule(&schedule), "a decay needs a decay period");
			Schedule::<T>::put(schedule);
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_idle(_n: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_expired(remaining)
		}

		fn integrity_test() {
			assert!(T::ClaimWindow::get() > 0, "ClaimWindow must allow claims");
			assert!(T::MaxPrunePerBlock::get() > 0, "MaxPrunePerBlock must allow pruning");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Claim the caller's reward for `epoch`: mints the node's part to the caller and each
		/// moderator's commission on the bytes served under its catalog, once.
		///
		/// - `origin`: a registered node whose standing earns rewards (`Active` or `Warned`)
		///   at the time of the claim.
		/// - `epoch`: an epoch the bandwidth ledger has closed, at most `ClaimWindow` epochs
		///   ago, not claimed yet.
		///
		/// Emits `CommissionPaid` for each moderator paid, then `RewardsClaimed`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim_rewards(T::MaxCommissionsPerClaim::get()))]
		pub fn claim_rewards(origin: OriginFor<T>, epoch: EpochIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(&who, &who, epoch)
		}

		/// Claim `node`'s reward for `epoch` on its behalf: the same as `claimRewards` signed
		/// by the node, and paid to the node and its moderators, never to the caller.
		///
		/// - `origin`: any signed account.
		///
		/// Emits `CommissionPaid` for each moderator paid, then `RewardsClaimed`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim_rewards(T::MaxCommissionsPerClaim::get()))]
		pub fn claim_rewards_for(
			origin: OriginFor<T>,
			node: T::AccountId,
			epoch: EpochIndex,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(&who, &node, epoch)
		}

		/// Replace the emission schedule. It applies to every epoch that has no claim yet
		/// (an epoch's pot is fixed by its first claim).
		///
		/// - `origin`: `AdminOrigin`.
		/// - `schedule`: a non-zero `decay` needs a non-zero `decay_period`.
		///
		/// Emits `EmissionScheduleSet`.
		#[pallet::call_index(2)]
		pub fn set_emission_schedule(
			origin: OriginFor<T>,
			schedule: EmissionSchedule<BalanceOf<T>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_schedule(schedule)
		}
	}
}
