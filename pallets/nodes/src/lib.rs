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
mod registry_impl;
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
	use alloc::vec::Vec;
	use bitcloud_primitives::{EpochClock, EpochIndex, ModeratorRegistry, Standing};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{BalancedHold, Credit, Mutate, MutateHold},
			BuildGenesisConfig, EnsureOrigin, OnUnbalanced,
		},
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the node registry.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// The currency bonds are held (and slashed) in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ BalancedHold<Self::AccountId>;

		/// The overarching hold reason; must include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The moderator registry (`pallet-moderation`): which moderators are live and how big
		/// their catalogs are.
		type Moderators: ModeratorRegistry<Self::AccountId>;

		/// Which epoch the chain is in (`pallet-epochs`): unsubscriptions end at epoch starts.
		type Epochs: EpochClock<BlockNumberFor<Self>>;

		/// Where slashed bonds go (e.g. the treasury); `()` burns them.
		type Slash: OnUnbalanced<Credit<Self::AccountId, Self::Currency>>;

		/// Origin allowed to set any node's standing and to lift bans, e.g. Root or a council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Smallest bond a node registers with.
		#[pallet::constant]
		type MinBond: Get<BalanceOf<Self>>;

		/// Longest HTTP endpoint, in bytes.
		#[pallet::constant]
		type MaxEndpointLength: Get<u32>;

		/// Most moderators one node subscribes to.
		#[pallet::constant]
		type MaxSubscriptions: Get<u32>;

		/// Epochs an unsubscription takes: a node that unsubscribes in epoch `e` stays
		/// subscribed until the start of epoch `e + UnsubscribeDelay`, and the storage-law
		/// challenges drawn then still cover the subscription. At least 1, so that a node
		/// cannot leave a catalog between two draws and come back unchallenged.
		#[pallet::constant]
		type UnsubscribeDelay: Get<EpochIndex>;

		/// Blocks between deregistration and the release of the bond; the bond can still be
		/// slashed meanwhile.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks a node has, once a subscribed catalog grows past its capacity, to add capacity
		/// or unsubscribe before the storage law counts it as failing.
		#[pallet::constant]
		type CapacityGracePeriod: Get<BlockNumberFor<Self>>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Bond of a registered (or unbonding) node.
		NodeBond,
	}

	/// Registered nodes, by account.
	#[pallet::storage]
	pub type Nodes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, NodeInfo<T>, OptionQuery>;

	/// Number of registered nodes.
	#[pallet::storage]
	pub type NodeCount<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Dense positions of registered nodes (`0..nodeCount`), used to pick nodes at random.
	#[pallet::storage]
	pub type NodeIndex<T: Config> = StorageMap<_, Twox64Concat, u32, T::AccountId, OptionQuery>;

	/// Subscriptions by moderator: `(moderator, node)` is present while `node` subscribes to
	/// `moderator`.
	#[pallet::storage]
	pub type Subscribers<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// Number of nodes subscribed to each moderator.
	#[pallet::storage]
	pub type SubscriberCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Block at which the chain first saw a node's capacity fall short of its subscribed
	/// catalogs; its grace period runs from there.
	#[pallet::storage]
	pub type OverCapacitySince<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	/// Bonds of deregistered nodes waiting for the end of their unbonding period.
	#[pallet::storage]
	pub type Unbonding<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, UnbondingInfo<T>, OptionQuery>;

	/// Banned accounts, with the block of the ban. They may not register a node.
	#[pallet::storage]
	pub type Banned<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A node registered.
		NodeRegistered {
			/// The node's account.
			node: T::AccountId,
			/// Bond held.
			bond: BalanceOf<T>,
			/// Declared storage capacity in bytes.
			capacity: u64,
			/// Whether it carries unmoderated (onion-only) traffic.
			unmoderated: bool,
		},
		/// A node changed its capacity, endpoint, onion key or unmoderated flag.
		NodeUpdated {
			/// The node's account.
			node: T::AccountId,
			/// Declared storage capacity in bytes.
			capacity: u64,
			/// Whether it carries unmoderated traffic.
			unmoderated: bool,
		},
		/// A node added to its bond.
		BondIncreased {
			/// The node's account.
			node: T::AccountId,
			/// Amount added.
			amount: BalanceOf<T>,
			/// The bond now.
			bond: BalanceOf<T>,
		},
		/// A node subscribed to a moderator: it must now store the moderator's catalog.
		Subscribed {
			/// The node's account.
			node: T::AccountId,
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A node asked to unsubscribe from a live moderator: it stays subscribed (and held to
		/// the catalog) until the start of epoch `ends`, and the challenges drawn then still
		/// cover it.
		UnsubscriptionScheduled {
			/// The node's account.
			node: T::AccountId,
			/// The moderator.
			moderator: T::AccountId,
			/// First epoch in which the node is no longer subscribed.
			ends: EpochIndex,
		},
		/// A node subscribed again to a moderator it was unsubscribing from: the subscription
		/// no longer ends.
		UnsubscriptionCancelled {
			/// The node's account.
			node: T::AccountId,
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A node's subscription was removed: at once for a moderator that is not live, or,
		/// once its scheduled end has come, when the node next subscribes.
		Unsubscribed {
			/// The node's account.
			node: T::AccountId,
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A subscription to a moderator that is no longer live was removed by someone else.
		SubscriptionPruned {
			/// The node's account.
			node: T::AccountId,
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A node deregistered; its bond is released after the unbonding period.
		NodeDeregistered {
			/// The node's account.
			node: T::AccountId,
			/// Bond now unbonding.
			bond: BalanceOf<T>,
			/// First block at which `withdraw_unbonded` releases it.
			unlocks_at: BlockNumberFor<T>,
		},
		/// An unbonded bond was released.
		BondWithdrawn {
			/// The account.
			node: T::AccountId,
			/// Amount released.
			amount: BalanceOf<T>,
		},
		/// A node's capacity no longer covers its subscribed catalogs; its grace period started.
		CapacityShortfall {
			/// The node's account.
			node: T::AccountId,
			/// Bytes its subscriptions require.
			required: u64,
			/// Its declared capacity.
			capacity: u64,
			/// First block at which the shortfall counts as a failure.
			grace_ends: BlockNumberFor<T>,
		},
		/// A node's capacity covers its subscribed catalogs again.
		CapacityRestored {
			/// The node's account.
			node: T::AccountId,
		},
		/// A node's standing changed.
		StandingChanged {
			/// The node's account.
			node: T::AccountId,
			/// Standing before.
			from: Standing,
			/// Standing now.
			to: Standing,
		},
		/// Part of a node's bond was slashed.
		Slashed {
			/// The node's account.
			node: T::AccountId,
			/// Amount slashed.
			amount: BalanceOf<T>,
		},
		/// A node was banned: its whole bond was slashed and its registration ended.
		NodeBanned {
			/// The node's account.
			node: T::AccountId,
			/// Amount slashed.
			slashed: BalanceOf<T>,
		},
		/// A ban was lifted; the account may register again.
		NodeUnbanned {
			/// The account.
			node: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account already has a registered node.
		AlreadyRegistered,
		/// The account has no registered node.
		NotRegistered,
		/// The account is banned.
		NodeBanned,
		/// The account is not banned.
		NotBanned,
		/// The account's previous bond is still unbonding; withdraw it first.
		StillUnbonding,
		/// The account has no unbonding bond.
		NotUnbonding,
		/// The unbonding period has not passed yet.
		UnbondingNotElapsed,
		/// The bond is below `MinBond`.
		BondTooLow,
		/// The amount is zero.
		ZeroAmount,
		/// The declared capacity is zero.
		ZeroCapacity,
		/// The endpoint is empty.
		EmptyEndpoint,
		/// The endpoint is longer than `MaxEndpointLength`.
		EndpointTooLong,
		/// The onion key is all zeros.
		InvalidOnionKey,
		/// The account cannot pay the bond.
		InsufficientBalance,
		/// The moderator is not registered.
		UnknownModerator,
		/// The moderator has retired.
		ModeratorRetired,
		/// The moderator is live and the subscription has not ended: only subscriptions to
		/// moderators that are not live, or whose end has come, can be pruned.
		ModeratorLive,
		/// The node already subscribes to the moderator.
		AlreadySubscribed,
		/// The node does not subscribe to the moderator (or its subscription has ended).
		NotSubscribed,
		/// The node is already unsubscribing from the moderator.
		AlreadyUnsubscribing,
		/// The node still subscribes to a live moderator, or an unsubscription has not ended
		/// yet: unsubscribe, and deregister from the epoch the last subscription ends (its
		/// obligations last until then).
		SubscriptionsNotEnded,
		/// The node subscribes to `MaxSubscriptions` moderators.
		TooManySubscriptions,
		/// The declared capacity does not cover the subscribed catalogs.
		CapacityExceeded,
	}

	/// Nodes at genesis. Bonds are held from the nodes' genesis balances; the moderators they
	/// subscribe to must be live at genesis (put the moderator registry first in the runtime).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Nodes: `(account, bond, capacity, endpoint, onion key, unmoderated, subscriptions)`.
		pub nodes: Vec<GenesisNode<T::AccountId, BalanceOf<T>>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (node, bond, capacity, endpoint, onion_key, unmoderated, subscriptions) in
				&self.nodes
			{
				Pallet::<T>::do_register_node(
					node,
					*bond,
					*capacity,
					endpoint.clone(),
					*onion_key,
					*unmoderated,
				)
				.expect("genesis nodes must be valid and funded");
				for moderator in subscriptions {
					Pallet::<T>::do_subscribe(node, moderator)
						.expect("genesis subscriptions must be to live moderators and fit");
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxEndpointLength::get() > 0, "MaxEndpointLength must allow an endpoint");
			assert!(T::MaxSubscriptions::get() > 0, "MaxSubscriptions must allow a subscription");
			assert!(
				T::UnsubscribeDelay::get() > 0,
				"UnsubscribeDelay must keep an unsubscription in effect to the next draw"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Register the caller's content node.
		///
		/// - `origin`: any signed account that has no node, is not banned and has no bond
		///   still unbonding; `bond` is held.
		/// - `bond`: at least `MinBond`.
		/// - `capacity`: storage the node offers, in bytes (not zero).
		/// - `endpoint`: HTTP endpoint of its gateway, 1 to `MaxEndpointLength` bytes.
		/// - `onion_key`: its x25519 public key for onion circuits (not all zeros).
		/// - `unmoderated`: whether it carries unmoderated, onion-only traffic.
		///
		/// Emits `NodeRegistered`.
		#[pallet::call_index(0)]
		pub fn register_node(
			origin: OriginFor<T>,
			bond: BalanceOf<T>,
			capacity: u64,
			endpoint: Vec<u8>,
			onion_key: [u8; 32],
			unmoderated: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_node(&who, bond, capacity, endpoint, onion_key, unmoderated)
		}

		/// Change the caller's capacity, endpoint, onion key and unmoderated flag. Capacity
		/// cannot be lowered below what the subscribed catalogs require.
		///
		/// - `origin`: a registered node.
		///
		/// Emits `NodeUpdated`, and `CapacityRestored` if the node was short of capacity and
		/// no longer is.
		#[pallet::call_index(1)]
		pub fn update_node(
			origin: OriginFor<T>,
			capacity: u64,
			endpoint: Vec<u8>,
			onion_key: [u8; 32],
			unmoderated: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_node(&who, capacity, endpoint, onion_key, unmoderated)
		}

		/// Add `amount` to the caller's bond (held).
		///
		/// - `origin`: a registered node.
		///
		/// Emits `BondIncreased`.
		#[pallet::call_index(2)]
		pub fn bond_extra(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_bond_extra(&who, amount)
		}

		/// Subscribe the caller to `moderator`: the node must then store its catalog. Subscribing
		/// to a moderator the node is unsubscribing from cancels the unsubscription.
		///
		/// - `origin`: a registered node with fewer than `MaxSubscriptions` subscriptions
		///   (ended ones are removed first), whose capacity covers its subscribed catalogs plus
		///   this one.
		/// - `moderator`: a live moderator.
		///
		/// Emits `Unsubscribed` for each ended subscription removed, then `Subscribed`, or
		/// `UnsubscriptionCancelled`.
		#[pallet::call_index(3)]
		pub fn subscribe(origin: OriginFor<T>, moderator: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_subscribe(&who, &moderator)
		}

		/// Unsubscribe the caller from `moderator`. From a live moderator this takes
		/// `UnsubscribeDelay` epochs: the node stays subscribed (paid for bytes under the
		/// moderator, held to its catalog) until the start of epoch `current +
		/// UnsubscribeDelay`, and the storage-law challenges drawn then still cover it. From a
		/// retired or reaped moderator (whose catalog is nobody's obligation) it is at once.
		///
		/// - `origin`: a registered node subscribed to `moderator`, not already unsubscribing.
		///
		/// Emits `UnsubscriptionScheduled`; or `Unsubscribed`, and `CapacityRestored` if that
		/// ends a capacity shortfall.
		#[pallet::call_index(4)]
		pub fn unsubscribe(origin: OriginFor<T>, moderator: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unsubscribe(&who, &moderator)
		}

		/// Remove `node`'s subscription to a moderator that is no longer live (so that the
		/// retired moderator can be reaped), or a subscription whose scheduled end has come.
		///
		/// - `origin`: any signed account.
		///
		/// Emits `SubscriptionPruned`, and `CapacityRestored` if that ends a capacity
		/// shortfall.
		#[pallet::call_index(5)]
		pub fn prune_subscription(
			origin: OriginFor<T>,
			node: T::AccountId,
			moderator: T::AccountId,
		) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_prune_subscription(&node, &moderator)
		}

		/// Deregister the caller's node: its bond unbonds for `UnbondingPeriod` blocks (it can
		/// still be slashed meanwhile). A node leaves its obligations the way it took them: it
		/// unsubscribes first, and deregisters once its subscriptions to live moderators have
		/// ended (`SubscriptionsNotEnded` before), so that every epoch it was subscribed in
		/// has had its draw. Ended subscriptions and those to moderators that are not live are
		/// removed.
		///
		/// - `origin`: a registered node.
		///
		/// Emits `NodeDeregistered`.
		#[pallet::call_index(6)]
		pub fn deregister_node(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deregister_node(&who)
		}

		/// Release the caller's unbonded bond once the unbonding period is over.
		///
		/// - `origin`: an account with an unbonding bond.
		///
		/// Emits `BondWithdrawn`.
		#[pallet::call_index(7)]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unbonded(&who)
		}

		/// Compare `node`'s capacity with its subscribed catalogs now: start its grace period
		/// if a catalog grew past it, or end a shortfall that is over.
		///
		/// - `origin`: any signed account.
		///
		/// Emits `CapacityShortfall` or `CapacityRestored` when the status changes.
		#[pallet::call_index(8)]
		pub fn check_capacity(origin: OriginFor<T>, node: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_check_capacity(&node).map(|_| ())
		}

		/// Set `node`'s standing by decision of the admin origin. `Banned` bans it (whole bond
		/// slashed, registration ended).
		///
		/// - `origin`: `AdminOrigin`.
		///
		/// Emits `StandingChanged`, or `NodeBanned` for a ban.
		#[pallet::call_index(9)]
		pub fn force_set_standing(
			origin: OriginFor<T>,
			node: T::AccountId,
			standing: Standing,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_standing(&node, standing)
		}

		/// Lift the ban of `node`; the account may register again (with a new bond).
		///
		/// - `origin`: `AdminOrigin`.
		///
		/// Emits `NodeUnbanned`.
		#[pallet::call_index(10)]
		pub fn force_unban(origin: OriginFor<T>, node: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_unban(&node)
		}
	}
}
