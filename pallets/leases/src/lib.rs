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
mod obligations_impl;
pub mod runtime_api;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

extern crate alloc;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

/// What the benchmarks need from the rest of the runtime to build worst cases (through the
/// real registries).
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `moderator` a live moderator.
	fn live_moderator(moderator: &AccountId);
	/// Register `node` as a content node in standing `Active`, subscribed to `moderator`
	/// (made live first), or carrying unmoderated traffic if `moderator` is `None`.
	fn node(node: &AccountId, moderator: Option<&AccountId>);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use bitcloud_primitives::{
		ContentId, EpochClock, EpochIndex, LeaseId, ModeratorRegistry, NodeRegistry,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			BuildGenesisConfig,
		},
	};
	use frame_system::pallet_prelude::*;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the storage leases.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// The currency leases are paid in: their funds and the share deposits are held on
		/// the payer's account, and keepers are paid from the hold.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason; must include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The moderator registry (`pallet-moderation`): which moderators are live, and their
		/// deny lists.
		type Moderators: ModeratorRegistry<Self::AccountId>;

		/// The node registry (`pallet-nodes`): which nodes exist, their standing, what they
		/// subscribe to and whether they carry unmoderated traffic.
		type Nodes: NodeRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// Which epoch the chain is in (`pallet-epochs`): leases are paid per epoch.
		type Epochs: EpochClock<BlockNumberFor<Self>>;

		/// Price per byte per epoch of a lease with no moderator (kept by nodes carrying
		/// unmoderated traffic).
		#[pallet::constant]
		type UnmoderatedPrice: Get<BalanceOf<Self>>;

		/// Most keepers one lease may pay for.
		#[pallet::constant]
		type MaxReplicas: Get<u32>;

		/// Epochs after a lease's `paid_until` before it can be closed (unless its owner
		/// ended it) and its keepers may delete the object; the owner may still top it up
		/// meanwhile. Keepers are not paid for these epochs.
		#[pallet::constant]
		type GraceEpochs: Get<EpochIndex>;

		/// Largest object a lease may be for, in bytes.
		#[pallet::constant]
		type MaxLeaseBytes: Get<u64>;

		/// Most leases one owner may have.
		#[pallet::constant]
		type MaxLeasesPerOwner: Get<u32>;

		/// Most leases one node may keep.
		#[pallet::constant]
		type MaxKeptPerNode: Get<u32>;

		/// Most leases of one content id.
		#[pallet::constant]
		type MaxLeasesPerContent: Get<u32>;

		/// Most shares in one recipient's inbox.
		#[pallet::constant]
		type MaxSharesPerRecipient: Get<u32>;

		/// Longest capsule of a share, in bytes.
		#[pallet::constant]
		type MaxCapsuleLen: Get<u32>;

		/// Deposit held from the sender of a share until the share is dismissed or withdrawn.
		#[pallet::constant]
		type ShareDeposit: Get<BalanceOf<Self>>;

		/// Sets up what the benchmarks need outside this pallet.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// What is left of the payments of an owner's leases.
		LeaseFunds,
		/// Deposits of the shares an account sent.
		ShareDeposit,
	}

	/// Id of the next lease.
	#[pallet::storage]
	pub type NextLeaseId<T: Config> = StorageValue<_, LeaseId, ValueQuery>;

	/// Leases, by id.
	#[pallet::storage]
	pub type Leases<T: Config> = StorageMap<_, Twox64Concat, LeaseId, Lease<T>, OptionQuery>;

	/// The leases of each owner.
	#[pallet::storage]
	pub type OwnerLeases<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, OwnerLeasesOf<T>, ValueQuery>;

	/// The leases of each content id.
	#[pallet::storage]
	pub type ContentLeases<T: Config> =
		StorageMap<_, Blake2_128Concat, ContentId, ContentLeasesOf<T>, ValueQuery>;

	/// The leases each node keeps.
	#[pallet::storage]
	pub type KeptBy<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, KeptLeasesOf<T>, ValueQuery>;

	/// Storage offers of moderators: price per byte per epoch of new leases under them.
	#[pallet::storage]
	pub type Offers<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, OptionQuery>;

	/// Public X25519 keys accounts published, so that others can seal shares to them.
	#[pallet::storage]
	pub type EncryptionKeys<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, EncryptionKey, OptionQuery>;

	/// Each account's index: the lease whose object is the account's encrypted index of its
	/// personal storage.
	#[pallet::storage]
	pub type Indexes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, LeaseId, OptionQuery>;

	/// Id of the next share.
	#[pallet::storage]
	pub type NextShareId<T: Config> = StorageValue<_, ShareId, ValueQuery>;

	/// Inboxes: `(recipient, id)` is a share sent to `recipient`.
	#[pallet::storage]
	pub type Shares<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ShareId,
		Share<T>,
		OptionQuery,
	>;

	/// Number of shares in each inbox.
	#[pallet::storage]
	pub type ShareCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The storage offers a chain starts with.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Moderators offering storage, with their price per byte per epoch. Each must be a
		/// live moderator at genesis (moderation's genesis is built first).
		pub offers: alloc::vec::Vec<(T::AccountId, BalanceOf<T>)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (moderator, price) in &self.offers {
				assert!(
					T::Moderators::is_live(moderator),
					"a genesis offer needs a live moderator"
				);
				assert!(!sp_runtime::traits::Zero::is_zero(price), "a genesis offer needs a price");
				Offers::<T>::insert(moderator, price);
			}
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A moderator offered storage (or changed its price) for new leases under it.
		StorageOffered {
			/// The moderator.
			moderator: T::AccountId,
			/// Price per byte per epoch.
			price: BalanceOf<T>,
		},
		/// A moderator withdrew its storage offer: no new lease under it until it offers again.
		OfferWithdrawn {
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A lease was created and its first epochs paid.
		LeaseCreated {
			/// The lease.
			lease: LeaseId,
			/// Its owner.
			owner: T::AccountId,
			/// The object's content id.
			content: ContentId,
			/// The object's size in bytes.
			bytes: u64,
			/// Keepers paid for.
			replicas: u32,
			/// The moderator whose nodes may keep it (`None`: unmoderated).
			moderator: Option<T::AccountId>,
			/// Price per byte per epoch.
			price: BalanceOf<T>,
			/// First epoch not paid for.
			paid_until: EpochIndex,
			/// Amount held from the owner.
			held: BalanceOf<T>,
		},
		/// An owner paid for more epochs of a lease.
		LeaseToppedUp {
			/// The lease.
			lease: LeaseId,
			/// Epochs added.
			epochs: EpochIndex,
			/// Amount held from the owner.
			held: BalanceOf<T>,
			/// First epoch not paid for now.
			paid_until: EpochIndex,
		},
		/// An owner ended a lease: paid to the end of the current epoch, the funds of later
		/// epochs released to the owner.
		LeaseEnded {
			/// The lease.
			lease: LeaseId,
			/// First epoch not paid for now (the epoch after the current one, or earlier).
			paid_until: EpochIndex,
			/// Amount released to the owner.
			refunded: BalanceOf<T>,
		},
		/// A lease was closed: its keepers paid, the rest of its funds released to the owner,
		/// the lease removed.
		LeaseClosed {
			/// The lease.
			lease: LeaseId,
			/// Its owner.
			owner: T::AccountId,
			/// Amount released to the owner.
			refunded: BalanceOf<T>,
		},
		/// A node started keeping a lease's object.
		KeeperJoined {
			/// The lease.
			lease: LeaseId,
			/// The node.
			node: T::AccountId,
			/// First epoch it is paid for (the one after it joined).
			paid_from: EpochIndex,
		},
		/// A keeper was paid for the epochs `from..to`, from the owner's hold.
		KeeperPaid {
			/// The lease.
			lease: LeaseId,
			/// The node.
			node: T::AccountId,
			/// First epoch paid.
			from: EpochIndex,
			/// First epoch not paid.
			to: EpochIndex,
			/// Amount moved to the node.
			amount: BalanceOf<T>,
		},
		/// A keeper lost what it was owed for the epochs `from..to`: it missed a storage
		/// challenge, or its standing earned nothing when it was settled. The funds stay in
		/// the lease and go back to the owner at close.
		KeeperForfeited {
			/// The lease.
			lease: LeaseId,
			/// The node.
			node: T::AccountId,
			/// First epoch forfeited.
			from: EpochIndex,
			/// First epoch not forfeited.
			to: EpochIndex,
			/// Amount forfeited.
			amount: BalanceOf<T>,
		},
		/// A keeper stopped keeping a lease's object.
		KeeperReleased {
			/// The lease.
			lease: LeaseId,
			/// The node.
			node: T::AccountId,
		},
		/// A keeper missed a storage challenge on a lease's object and no longer keeps it.
		KeeperDropped {
			/// The lease.
			lease: LeaseId,
			/// The node.
			node: T::AccountId,
		},
		/// An account published its encryption key.
		EncryptionKeySet {
			/// The account.
			account: T::AccountId,
			/// Its X25519 public key.
			key: EncryptionKey,
		},
		/// An account removed its encryption key.
		EncryptionKeyCleared {
			/// The account.
			account: T::AccountId,
		},
		/// An account's index changed (`None`: removed, by the account or because its lease
		/// was closed).
		IndexSet {
			/// The account.
			account: T::AccountId,
			/// The lease whose object is its index.
			lease: Option<LeaseId>,
		},
		/// A capsule was shared into a recipient's inbox.
		Shared {
			/// The sender.
			from: T::AccountId,
			/// The recipient.
			to: T::AccountId,
			/// The share's id.
			share: ShareId,
			/// Deposit held from the sender.
			deposit: BalanceOf<T>,
		},
		/// A recipient dismissed a share; the deposit went back to the sender.
		ShareDismissed {
			/// The recipient.
			to: T::AccountId,
			/// The share's id.
			share: ShareId,
			/// The sender.
			from: T::AccountId,
		},
		/// A sender withdrew a share; its deposit was released.
		ShareWithdrawn {
			/// The sender.
			from: T::AccountId,
			/// The recipient.
			to: T::AccountId,
			/// The share's id.
			share: ShareId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The caller is not a live moderator.
		NotLiveModerator,
		/// The price is zero.
		ZeroPrice,
		/// The moderator has no storage offer.
		NoOffer,
		/// The lease's moderator is not live (retired or unknown).
		ModeratorNotLive,
		/// The size is zero.
		ZeroBytes,
		/// The size is above `MaxLeaseBytes`.
		TooManyBytes,
		/// The number of replicas is zero.
		ZeroReplicas,
		/// The number of replicas is above `MaxReplicas`.
		TooManyReplicas,
		/// The number of epochs is zero.
		ZeroEpochs,
		/// The amount to pay does not fit in a balance.
		CostOverflow,
		/// The last paid epoch would be past the largest epoch index.
		EpochOverflow,
		/// The account cannot pay the amount to hold.
		InsufficientBalance,
		/// The owner has `MaxLeasesPerOwner` leases.
		TooManyLeases,
		/// The content id has `MaxLeasesPerContent` leases.
		TooManyLeasesForContent,
		/// The content is on the moderator's deny list.
		ContentDenied,
		/// No lease has this id.
		UnknownLease,
		/// The caller does not own the lease.
		NotOwner,
		/// The lease was ended by its owner.
		LeaseEnded,
		/// The lease's grace period is over: it can no longer be topped up, only closed.
		LeaseExpired,
		/// The lease is not paid for the current epoch: nodes may not start keeping it.
		LeaseNotCovered,
		/// The caller is not a registered node.
		NotANode,
		/// The node's standing (suspended) earns nothing.
		NodeNotEarning,
		/// The node does not subscribe to the lease's moderator.
		NotSubscribed,
		/// The lease is unmoderated and the node does not carry unmoderated traffic.
		UnmoderatedNotCarried,
		/// The node already keeps the lease.
		AlreadyKeeper,
		/// The lease has as many keepers as replicas.
		LeaseFull,
		/// The node keeps `MaxKeptPerNode` leases.
		TooManyKept,
		/// The caller does not keep the lease.
		NotKeeper,
		/// No whole epoch is owed to the keeper yet.
		NothingDue,
		/// The lease cannot be closed yet: its paid epochs and grace period are not over.
		LeaseNotExpired,
		/// The encryption key is all zeros.
		InvalidEncryptionKey,
		/// The account has no encryption key.
		NoEncryptionKey,
		/// The account has no index.
		NoIndex,
		/// The recipient has published no encryption key to seal a share to.
		RecipientHasNoKey,
		/// The capsule is empty.
		EmptyCapsule,
		/// The recipient's inbox holds `MaxSharesPerRecipient` shares.
		InboxFull,
		/// No share has this id in the inbox.
		UnknownShare,
		/// The caller did not send the share.
		NotSender,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxReplicas::get() > 0, "MaxReplicas must allow a keeper");
			assert!(T::MaxLeaseBytes::get() > 0, "MaxLeaseBytes must allow an object");
			assert!(T::MaxLeasesPerOwner::get() > 0, "MaxLeasesPerOwner must allow a lease");
			assert!(T::MaxLeasesPerContent::get() > 0, "MaxLeasesPerContent must allow a lease");
			assert!(T::MaxKeptPerNode::get() > 0, "MaxKeptPerNode must allow a lease");
			assert!(
				T::MaxSharesPerRecipient::get() > 0,
				"MaxSharesPerRecipient must allow a share"
			);
			assert!(T::MaxCapsuleLen::get() > 0, "MaxCapsuleLen must allow a capsule");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Offer storage under the caller's moderation at `price` per byte per epoch (or
		/// change the price). Leases keep the price they were created with.
		///
		/// - `origin`: a live moderator.
		/// - `price`: not zero.
		///
		/// Emits `StorageOffered`.
		#[pallet::call_index(0)]
		pub fn offer_storage(origin: OriginFor<T>, price: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_offer_storage(&who, price)
		}

		/// Withdraw the caller's storage offer: no new lease under it. Existing leases go on.
		///
		/// - `origin`: a moderator with an offer (live or not).
		///
		/// Emits `OfferWithdrawn`.
		#[pallet::call_index(1)]
		pub fn withdraw_offer(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_offer(&who)
		}

		/// Lease storage for the object `content` of `bytes` bytes, kept by `replicas` nodes,
		/// and pay `epochs` epochs from the current one: `price × bytes × replicas × epochs`
		/// is held (reason `LeaseFunds`). The price is the moderator's offer, or
		/// `UnmoderatedPrice` without a moderator.
		///
		/// - `origin`: any signed account that can pay, with fewer than `MaxLeasesPerOwner`
		///   leases.
		/// - `content`: the object's content id, with fewer than `MaxLeasesPerContent` leases
		///   and not on the moderator's deny list.
		/// - `bytes`: 1 to `MaxLeaseBytes`.
		/// - `replicas`: 1 to `MaxReplicas`.
		/// - `moderator`: a live moderator with a storage offer, whose subscribed nodes may
		///   keep the object; `None`: nodes carrying unmoderated traffic may.
		/// - `epochs`: at least 1.
		///
		/// Emits `LeaseCreated`.
		#[pallet::call_index(2)]
		pub fn create_lease(
			origin: OriginFor<T>,
			content: ContentId,
			bytes: u64,
			replicas: u32,
			moderator: Option<T::AccountId>,
			epochs: EpochIndex,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_create_lease(&who, content, bytes, replicas, moderator, epochs)
		}

		/// Pay `epochs` more epochs of a lease (held from the owner). If the lease had lapsed
		/// (its paid epochs are over, its grace period is not), coverage starts again from the
		/// current epoch: the epochs in between are not paid, and each keeper is first settled
		/// for what it was owed before the lapse.
		///
		/// - `origin`: the lease's owner.
		/// - `lease`: a lease that was not ended and whose grace period is not over, whose
		///   moderator (if any) is live and does not deny its content.
		/// - `epochs`: at least 1.
		///
		/// Emits `KeeperPaid` / `KeeperForfeited` for each keeper settled after a lapse, then
		/// `LeaseToppedUp`.
		#[pallet::call_index(3)]
		pub fn top_up(origin: OriginFor<T>, lease: LeaseId, epochs: EpochIndex) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_top_up(&who, lease, epochs)
		}

		/// End a lease: it stays paid to the end of the current epoch (its keepers are paid for
		/// it), the funds of later epochs are released to the owner at once, and it can be
		/// closed from the next epoch.
		///
		/// - `origin`: the lease's owner.
		/// - `lease`: a lease not already ended.
		///
		/// Emits `LeaseEnded`.
		#[pallet::call_index(4)]
		pub fn end_lease(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_end_lease(&who, lease)
		}

		/// Start keeping a lease's object. The node is paid from the epoch after this one.
		///
		/// - `origin`: a registered node in standing `Active` or `Warned`, subscribed to the
		///   lease's moderator (or carrying unmoderated traffic for a lease without one),
		///   keeping fewer than `MaxKeptPerNode` leases and not this one.
		/// - `lease`: a lease not ended, paid for the current epoch, with fewer keepers than
		///   replicas, whose moderator is live and does not deny its content.
		///
		/// Emits `KeeperJoined`.
		#[pallet::call_index(5)]
		pub fn keep(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_keep(&who, lease)
		}

		/// Stop keeping a lease's object. The keeper is first paid the whole epochs it is owed
		/// (forfeited if its standing earns nothing); the current epoch is not paid.
		///
		/// - `origin`: a keeper of the lease.
		///
		/// Emits `KeeperPaid` (or `KeeperForfeited`) if epochs were owed, then
		/// `KeeperReleased`.
		#[pallet::call_index(6)]
		pub fn release(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_release(&who, lease)
		}

		/// Claim the pay of the whole epochs kept since the last payment: `price × bytes` per
		/// epoch, up to the current epoch (exclusive) and the lease's paid epochs, moved from
		/// the owner's hold to the caller.
		///
		/// - `origin`: a keeper of the lease in standing `Active` or `Warned`, owed at least one
		///   epoch.
		///
		/// Emits `KeeperPaid`.
		#[pallet::call_index(7)]
		pub fn claim(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(&who, lease)
		}

		/// Close a lease whose paid epochs and grace period are over (or, for a lease its owner
		/// ended, whose paid epochs are over): pay every keeper what it is owed (forfeited if
		/// its standing earns nothing), release the rest of the funds to the owner, and remove
		/// the lease (and the owner's index, if it was this lease).
		///
		/// - `origin`: any signed account.
		///
		/// Emits `KeeperPaid` / `KeeperForfeited` per keeper owed epochs, `LeaseClosed`, and
		/// `IndexSet { lease: None }` if the owner's index was the lease.
		#[pallet::call_index(8)]
		pub fn close(origin: OriginFor<T>, lease: LeaseId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_close(lease)
		}

		/// Publish the caller's X25519 public key (or replace it), so that others can seal
		/// shares to it.
		///
		/// - `key`: not all zeros.
		///
		/// Emits `EncryptionKeySet`.
		#[pallet::call_index(9)]
		pub fn set_encryption_key(origin: OriginFor<T>, key: EncryptionKey) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_encryption_key(&who, key)
		}

		/// Remove the caller's encryption key: nobody can share with it any more (shares in its
		/// inbox stay).
		///
		/// - `origin`: an account with an encryption key.
		///
		/// Emits `EncryptionKeyCleared`.
		#[pallet::call_index(10)]
		pub fn clear_encryption_key(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_clear_encryption_key(&who)
		}

		/// Set the caller's index to `lease` (whose object is the caller's encrypted index of
		/// its personal storage), or remove it with `None`.
		///
		/// - `lease`: a lease the caller owns; `None` needs an index to remove.
		///
		/// Emits `IndexSet`.
		#[pallet::call_index(11)]
		pub fn set_index(origin: OriginFor<T>, lease: Option<LeaseId>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_index(&who, lease)
		}

		/// Put a sealed `capsule` in `to`'s inbox, holding `ShareDeposit` from the caller until
		/// the share is dismissed or withdrawn.
		///
		/// - `to`: an account with an encryption key and fewer than `MaxSharesPerRecipient`
		///   shares.
		/// - `capsule`: 1 to `MaxCapsuleLen` bytes, sealed to `to`'s key.
		///
		/// Emits `Shared`.
		#[pallet::call_index(12)]
		pub fn share(
			origin: OriginFor<T>,
			to: T::AccountId,
			capsule: CapsuleOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_share(&who, &to, capsule)
		}

		/// Remove share `share` from the caller's inbox; its deposit goes back to its sender.
		///
		/// - `origin`: the share's recipient.
		///
		/// Emits `ShareDismissed`.
		#[pallet::call_index(13)]
		pub fn dismiss_share(origin: OriginFor<T>, share: ShareId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_dismiss_share(&who, share)
		}

		/// Take back share `share` the caller sent to `to`; its deposit is released.
		///
		/// - `origin`: the share's sender.
		///
		/// Emits `ShareWithdrawn`.
		#[pallet::call_index(14)]
		pub fn withdraw_share(
			origin: OriginFor<T>,
			to: T::AccountId,
			share: ShareId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_share(&who, &to, share)
		}
	}
}
