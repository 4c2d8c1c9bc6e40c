#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod ledger_impl;
#[cfg(test)]
mod mock;
mod pruning;
pub mod runtime_api;
mod submission;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

extern crate alloc;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

/// What the benchmarks need from the rest of the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `node` a registered node in good standing, subscribed to `moderators` (made live
	/// moderators first) and carrying unmoderated traffic if `unmoderated`.
	fn register_node(node: &AccountId, moderators: &[AccountId], unmoderated: bool);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use bitcloud_primitives::{EpochClock, EpochIndex, NodeRegistry};
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the bandwidth ledger.
	#[pallet::config]
	pub trait Config:
		polkadot_sdk::frame_system::Config<
		RuntimeEvent: From<Event<Self>>,
		// A client's account id is its sr25519 public key: receipts are checked against it.
		AccountId: AsRef<[u8; 32]>,
	>
	{
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// The currency bandwidth locks are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason; must include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The node registry (`pallet-nodes`): standing and subscriptions of nodes.
		type Nodes: NodeRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// Which epoch the chain is in (`pallet-epochs`).
		type EpochClock: EpochClock<BlockNumberFor<Self>>;

		/// Locked balance that buys [`Config::BytesPerQuotaUnit`] bytes of quota per epoch.
		#[pallet::constant]
		type QuotaUnit: Get<BalanceOf<Self>>;

		/// Bytes per epoch a client may prove for each `QuotaUnit` it has locked.
		#[pallet::constant]
		type BytesPerQuotaUnit: Get<u64>;

		/// Fee a client pays, from its locked coins, for each byte credited to a node (burnt).
		/// At least the reward distribution's `MaxRewardPerByte`, so that a node serving its
		/// own client pays more than it can earn (see `docs/threat-model.md`).
		#[pallet::constant]
		type FeePerByte: Get<BalanceOf<Self>>;

		/// Blocks between `unlock` and the release of the coins by `withdraw_unlocked`. Should
		/// cover `SubmissionWindow + 1` epochs, so that locked coins cannot back receipts of
		/// two accounts whose submission windows overlap.
		#[pallet::constant]
		type UnlockDelay: Get<BlockNumberFor<Self>>;

		/// Most receipts in one `submit_receipts` call.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// Past epochs whose receipts are still accepted: receipts for the current epoch and
		/// the `SubmissionWindow` epochs before it are.
		#[pallet::constant]
		type SubmissionWindow: Get<EpochIndex>;

		/// Epochs whose figures are kept: those of epoch `e` are pruned once the current epoch
		/// is past `e + RetentionEpochs`. Must exceed `SubmissionWindow` and leave the reward
		/// distribution time to read final epochs.
		#[pallet::constant]
		type RetentionEpochs: Get<EpochIndex>;

		/// Most node-moderator pairs one client may receive bytes from in one epoch.
		#[pallet::constant]
		type MaxPairsPerClient: Get<u32>;

		/// Most moderators (counting "unmoderated" as one) one node may be credited under in
		/// one epoch; at least the node registry's `MaxSubscriptions + 1`.
		#[pallet::constant]
		type MaxModeratorsPerNode: Get<u32>;

		/// Most storage entries removed per block when old epochs are pruned.
		#[pallet::constant]
		type PruneLimit: Get<u32>;

		/// Sets up what the benchmarks need outside this pallet.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Coins a client locked for bandwidth (locked or unlocking).
		BandwidthLock,
	}

	/// Clients' bandwidth locks, by account.
	#[pallet::storage]
	pub type Locks<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ClientLock<T>, OptionQuery>;

	/// What each client received in an epoch: bytes used of its quota and the last claimed
	/// total of each node-moderator pair. Key: `(epoch, client)`.
	#[pallet::storage]
	pub type ClientEpochs<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		T::AccountId,
		ClientEpoch<T>,
		OptionQuery,
	>;

	/// Bytes credited to each node in an epoch, in total and by moderator. Key:
	/// `(epoch, node)`.
	#[pallet::storage]
	pub type NodeEpochs<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		T::AccountId,
		NodeEpoch<T>,
		OptionQuery,
	>;

	/// Bytes credited under each moderator (`None`: unmoderated) in an epoch, all nodes
	/// together. Key: `(epoch, moderator)`.
	#[pallet::storage]
	pub type ModeratorBytes<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		EpochIndex,
		Blake2_128Concat,
		Option<T::AccountId>,
		u64,
		ValueQuery,
	>;

	/// Bytes credited to all nodes in an epoch.
	#[pallet::storage]
	pub type EpochTotals<T: Config> = StorageMap<_, Twox64Concat, EpochIndex, u64, ValueQuery>;

	/// Oldest epoch whose figures are kept; older ones are pruned (or being pruned).
	#[pallet::storage]
	pub type OldestKeptEpoch<T: Config> = StorageValue<_, EpochIndex, ValueQuery>;

	/// The epoch being pruned, and how far pruning got.
	#[pallet::storage]
	pub type Pruning<T: Config> = StorageValue<_, PruneProgress, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A client locked coins for bandwidth.
		Locked {
			/// The client.
			client: T::AccountId,
			/// Amount added to the lock.
			amount: BalanceOf<T>,
			/// The client's locked amount now.
			locked: BalanceOf<T>,
		},
		/// A client started unlocking coins: they count for its quota only up to the current
		/// epoch and are released after the unlock delay, once that epoch is final.
		UnlockStarted {
			/// The client.
			client: T::AccountId,
			/// Amount taken from the lock.
			amount: BalanceOf<T>,
			/// All the client's coins now unlocking.
			unlocking: BalanceOf<T>,
			/// First block at which `withdraw_unlocked` releases them.
			unlocks_at: BlockNumberFor<T>,
		},
		/// Unlocked coins were released to the client.
		Withdrawn {
			/// The client.
			client: T::AccountId,
			/// Amount released.
			amount: BalanceOf<T>,
		},
		/// A node's batch of receipts was accepted and their increases credited.
		ReceiptsAccepted {
			/// The node.
			node: T::AccountId,
			/// Receipts in the batch.
			receipts: u32,
			/// Bytes newly credited by the batch (sum of the increases).
			bytes: u64,
			/// Fees taken from the clients' locked coins for those bytes.
			fees: BalanceOf<T>,
		},
		/// A client had signed a node more bytes than it could still pay for in the epoch
		/// (past its quota, summed over all nodes, or past what its lock could pay fees for):
		/// those bytes were not credited, and the node was paid for them from what was left
		/// of the client's lock, at `FeePerByte`.
		QuotaOverdrawn {
			/// The client.
			client: T::AccountId,
			/// The node.
			node: T::AccountId,
			/// The epoch of the receipt.
			epoch: EpochIndex,
			/// Bytes signed beyond what the client could pay for.
			bytes: u64,
			/// Coins moved from the client's hold to the node for them.
			paid: BalanceOf<T>,
		},
		/// Bandwidth fees a client paid were burnt from its hold.
		FeesBurnt {
			/// The client.
			client: T::AccountId,
			/// Amount burnt.
			amount: BalanceOf<T>,
		},
		/// The figures of an old epoch were removed.
		EpochPruned {
			/// The epoch.
			epoch: EpochIndex,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The amount is zero.
		ZeroAmount,
		/// The account cannot pay the amount to lock.
		InsufficientBalance,
		/// The client has no bandwidth lock.
		NoBandwidthLock,
		/// The amount exceeds the client's locked coins.
		NotEnoughLocked,
		/// The client has no coins unlocking.
		NothingUnlocking,
		/// The unlock delay has not passed yet.
		UnlockNotElapsed,
		/// The coins unlocking still back receipts of an epoch whose submission window is
		/// open (the client unlocked in that epoch).
		StillBackingReceipts,
		/// The batch holds no receipt.
		EmptyBatch,
		/// The submitter is not a registered node.
		NotANode,
		/// The submitter's standing (suspended) earns no rewards.
		NodeNotEarning,
		/// A receipt names another node than the submitter.
		WrongNode,
		/// A receipt names the node itself as the client.
		SelfServed,
		/// A receipt's epoch is in the future or older than the submission window.
		EpochOutsideWindow,
		/// A receipt is for a moderator the node does not subscribe to.
		NotSubscribed,
		/// A receipt is for unmoderated content and the node does not carry it.
		UnmoderatedNotCarried,
		/// A receipt's total does not exceed the total already claimed for its client, node,
		/// epoch and moderator (a replay or a lower total).
		NotIncreasing,
		/// A receipt's signature is not its client's for this chain (forged, altered, or
		/// signed for another chain).
		BadSignature,
		/// A receipt's client has no coins that can pay for its epoch: none locked, and none
		/// unlocking that were unlocked in that epoch or later.
		ClientHasNoLock,
		/// A receipt's client already has receipts with `MaxPairsPerClient` node-moderator
		/// pairs in the epoch.
		TooManyPairs,
		/// The node was already credited under `MaxModeratorsPerNode` moderators in the epoch.
		TooManyModerators,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			Self::prune_step()
		}

		fn integrity_test() {
			assert!(T::MaxBatch::get() > 0, "MaxBatch must allow a receipt");
			assert!(T::MaxPairsPerClient::get() > 0, "MaxPairsPerClient must allow a pair");
			assert!(T::MaxModeratorsPerNode::get() > 1, "MaxModeratorsPerNode must allow two");
			assert!(T::PruneLimit::get() > 0, "PruneLimit must allow pruning");
			assert!(
				T::RetentionEpochs::get() > T::SubmissionWindow::get(),
				"epochs must be kept past their submission window"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Lock `amount` of the caller's coins for bandwidth (held, reason `BandwidthLock`).
		/// The caller's quota per epoch is `locked / QuotaUnit * BytesPerQuotaUnit` bytes.
		///
		/// - `origin`: any signed account that can pay `amount`.
		///
		/// Emits `Locked`.
		#[pallet::call_index(0)]
		pub fn lock(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_lock(&who, amount)
		}

		/// Start unlocking `amount` of the caller's locked coins: its quota drops from the next
		/// epoch (the coins still back what it signed in this one), and the coins stay held
		/// until `UnlockDelay` blocks have passed and this epoch is final (a later unlock
		/// restarts both for everything unlocking).
		///
		/// - `origin`: a client with at least `amount` locked.
		///
		/// Emits `UnlockStarted`.
		#[pallet::call_index(1)]
		pub fn unlock(origin: OriginFor<T>, amount: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unlock(&who, amount)
		}

		/// Release the caller's unlocking coins once the unlock delay has passed and the
		/// submission window of the epoch they were unlocked in has closed (until then they
		/// back the receipts the client signed).
		///
		/// - `origin`: a client with coins unlocking.
		///
		/// Emits `Withdrawn`.
		#[pallet::call_index(2)]
		pub fn withdraw_unlocked(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_unlocked(&who)
		}

		/// Submit clients' receipts for bytes the caller served. All or nothing: one invalid
		/// receipt fails the whole batch with an error naming what is wrong, and nothing is
		/// credited. Each accepted receipt credits the increase of its total over the last
		/// total claimed for its `(epoch, node, client, moderator)`, as far as the client can
		/// still pay for it: up to its quota left in the epoch (summed over all nodes) and
		/// what its lock can pay fees for. Bytes signed beyond that are not credited; the
		/// node is paid for them at `FeePerByte` from what is left of the client's lock.
		///
		/// - `origin`: a registered node in standing `Active` or `Warned`.
		/// - `receipts`: 1 to `MaxBatch` receipts, each naming the caller as node, signed by
		///   its client for this chain, for an epoch in the submission window, under a
		///   moderator the node subscribes to (or unmoderated if it carries unmoderated
		///   traffic), with a total above the last one claimed, from a client whose coins
		///   back the epoch.
		///
		/// Emits `ReceiptsAccepted`, and `QuotaOverdrawn` for each receipt signed past what
		/// its client could pay for.
		///
		/// Weighed as if every receipt were signed past its client's quota (the node is then
		/// paid from the client's lock: two more writes); the weight of those that were not is
		/// refunded.
		#[pallet::call_index(3)]
		#[pallet::weight(<T as Config>::WeightInfo::submit_receipts(0, receipts.len() as u32))]
		pub fn submit_receipts(
			origin: OriginFor<T>,
			receipts: BoundedVec<SignedReceiptOf<T>, T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_submit_receipts(&who, receipts.into_inner())
		}
	}
}
