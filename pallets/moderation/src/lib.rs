#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod commission;
mod dispatchable_impls;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
#[cfg(test)]
mod mock;
mod proofs;
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
	use bitcloud_primitives::{ContentId, DenyKey, EpochClock, EpochIndex, SubscriberCount};
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			BuildGenesisConfig, EnsureOrigin,
		},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(0);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the moderator registry.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls of this pallet.
		type WeightInfo: WeightInfo;

		/// The currency deposits are held in.
		type Currency: Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The overarching hold reason; must include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Origin allowed to retire any moderator (`force_retire_moderator`), e.g. Root or a
		/// council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Number of nodes subscribed to a moderator (the node registry). A retired moderator
		/// is reaped only once it has no subscribers left.
		type Subscribers: SubscriberCount<Self::AccountId>;

		/// Deposit held from a moderator while it is registered (until it is reaped).
		#[pallet::constant]
		type ModeratorDeposit: Get<BalanceOf<Self>>;

		/// Deposit held from a publisher for each pending proposal; returned when the proposal
		/// is accepted, rejected or withdrawn.
		#[pallet::constant]
		type ProposalDeposit: Get<BalanceOf<Self>>;

		/// Largest commission a moderator may set.
		#[pallet::constant]
		type MaxCommission: Get<Perbill>;

		/// The epoch clock (`pallet-epochs`): commission rates apply per epoch.
		type Epochs: EpochClock<BlockNumberFor<Self>>;

		/// Epochs between a commission change and the first epoch it applies to: a change made
		/// in epoch `e` applies from epoch `e + CommissionChangeDelay`. At least 1, so the rate
		/// of every epoch is fixed before the epoch begins; each epoch more gives subscribed
		/// nodes a full epoch's notice to leave before a new rate applies.
		#[pallet::constant]
		type CommissionChangeDelay: Get<EpochIndex>;

		/// Epochs back from the current one whose commission rate stays readable: at least the
		/// reward claim window, since a claim pays the rate of the epoch it is for.
		#[pallet::constant]
		type CommissionHistoryEpochs: Get<EpochIndex>;

		/// Most commission rates a moderator's history holds (the oldest one needed plus the
		/// changes since); a change that would not fit fails with `CommissionHistoryFull`.
		/// At least 2.
		#[pallet::constant]
		type MaxCommissionChanges: Get<u32>;

		/// Blocks between a moderator's retirement and the release of its deposit, so that
		/// subscribed nodes have time to leave.
		#[pallet::constant]
		type RetirementDelay: Get<BlockNumberFor<Self>>;

		/// Longest moderator name, in bytes.
		#[pallet::constant]
		type MaxNameLength: Get<u32>;

		/// Longest policy URI, in bytes.
		#[pallet::constant]
		type MaxUriLength: Get<u32>;

		/// Longest content title, in bytes.
		#[pallet::constant]
		type MaxTitleLength: Get<u32>;

		/// Longest content MIME type, in bytes.
		#[pallet::constant]
		type MaxMimeTypeLength: Get<u32>;

		/// Most items in one catalog.
		#[pallet::constant]
		type MaxCatalogItems: Get<u32>;

		/// Largest total size of one catalog, in bytes.
		#[pallet::constant]
		type MaxCatalogBytes: Get<u64>;

		/// Most entries in one deny list.
		#[pallet::constant]
		type MaxDenyListEntries: Get<u32>;

		/// Most pending proposals to one moderator.
		#[pallet::constant]
		type MaxPendingProposals: Get<u32>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// Deposit of a registered moderator.
		ModeratorDeposit,
		/// Deposit of a publisher's pending proposal.
		ProposalDeposit,
	}

	/// Registered moderators (live or retired, until reaped), by account.
	#[pallet::storage]
	pub type Moderators<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, ModeratorInfo<T>, OptionQuery>;

	/// Catalog items, by moderator and content id.
	#[pallet::storage]
	pub type Catalog<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		ContentId,
		CatalogItem<T>,
		OptionQuery,
	>;

	/// Dense positions of catalog items, by moderator and position `0..catalog_items`; used
	/// to pick catalog items at random.
	#[pallet::storage]
	pub type CatalogIndex<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		u32,
		ContentId,
		OptionQuery,
	>;

	/// Deny lists, by moderator and deny key (`bitcloud_primitives::deny_key(content_id)`).
	#[pallet::storage]
	pub type DenyList<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		DenyKey,
		(),
		OptionQuery,
	>;

	/// Pending proposals, by moderator and content id.
	#[pallet::storage]
	pub type Proposals<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		ContentId,
		Proposal<T>,
		OptionQuery,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A moderator registered.
		ModeratorRegistered {
			/// The moderator.
			moderator: T::AccountId,
			/// Deposit held from the moderator.
			deposit: BalanceOf<T>,
			/// Its commission.
			commission: Perbill,
		},
		/// A moderator changed its name or policy (and maybe its commission: see
		/// `CommissionChangeScheduled`).
		ModeratorUpdated {
			/// The moderator.
			moderator: T::AccountId,
		},
		/// A moderator changed its commission: the new rate applies to the rewards of
		/// `from_epoch` and later epochs; earlier epochs keep the rate in force during them.
		CommissionChangeScheduled {
			/// The moderator.
			moderator: T::AccountId,
			/// The new rate.
			rate: Perbill,
			/// First epoch the new rate applies to.
			from_epoch: EpochIndex,
		},
		/// A moderator retired: its catalog is no longer an obligation of its subscribers.
		ModeratorRetired {
			/// The moderator.
			moderator: T::AccountId,
			/// First block at which the moderator can be reaped and its deposit released.
			deposit_unlocks_at: BlockNumberFor<T>,
			/// Whether the admin origin retired it.
			forced: bool,
		},
		/// A retired moderator was removed with its catalog and deny list; its deposit was
		/// released.
		ModeratorReaped {
			/// The moderator.
			moderator: T::AccountId,
			/// Deposit released to the moderator.
			deposit: BalanceOf<T>,
		},
		/// Content was added to a catalog.
		ContentListed {
			/// The moderator whose catalog it is.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// Size of the content in bytes.
			size: u64,
			/// The publisher, if any.
			publisher: Option<T::AccountId>,
		},
		/// Content was removed from a catalog.
		ContentDelisted {
			/// The moderator whose catalog it was.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// Size of the content in bytes.
			size: u64,
		},
		/// A publisher proposed content to a moderator.
		ContentProposed {
			/// The moderator.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// The publisher.
			publisher: T::AccountId,
			/// Deposit held from the publisher.
			deposit: BalanceOf<T>,
		},
		/// A moderator accepted a proposal and listed the content; the deposit was released.
		ProposalAccepted {
			/// The moderator.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// The publisher.
			publisher: T::AccountId,
		},
		/// A proposal was rejected (by the moderator, or because the moderator was reaped); the
		/// deposit was released.
		ProposalRejected {
			/// The moderator.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// The publisher.
			publisher: T::AccountId,
		},
		/// A publisher withdrew its proposal; the deposit was released.
		ProposalWithdrawn {
			/// The moderator.
			moderator: T::AccountId,
			/// The content id.
			content: ContentId,
			/// The publisher.
			publisher: T::AccountId,
		},
		/// A deny key was added to a moderator's deny list.
		ContentDenied {
			/// The moderator.
			moderator: T::AccountId,
			/// The deny key (hash of the content id).
			deny_key: DenyKey,
		},
		/// A deny key was removed from a moderator's deny list.
		ContentAllowed {
			/// The moderator.
			moderator: T::AccountId,
			/// The deny key (hash of the content id).
			deny_key: DenyKey,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The account is already a moderator (live or retired).
		AlreadyRegistered,
		/// The account is not a moderator.
		UnknownModerator,
		/// The moderator has retired: its registry entry and catalog are frozen.
		ModeratorRetired,
		/// The moderator has not retired.
		ModeratorLive,
		/// The retirement delay has not passed yet.
		RetirementDelayNotElapsed,
		/// Nodes still subscribe to the retired moderator; they must unsubscribe (or be pruned)
		/// first.
		SubscribersRemain,
		/// The commission is above `MaxCommission`.
		CommissionTooHigh,
		/// The moderator's commission history holds `MaxCommissionChanges` rates, all still
		/// needed for claimable epochs: wait until the oldest change is `CommissionHistoryEpochs`
		/// epochs old.
		CommissionHistoryFull,
		/// The name is empty.
		EmptyName,
		/// The name is longer than `MaxNameLength`.
		NameTooLong,
		/// The policy URI is longer than `MaxUriLength`.
		PolicyUriTooLong,
		/// The title is longer than `MaxTitleLength`.
		TitleTooLong,
		/// The MIME type is longer than `MaxMimeTypeLength`.
		MimeTypeTooLong,
		/// The content has size zero.
		EmptyContent,
		/// The content is already in the catalog.
		AlreadyListed,
		/// The content is not in the catalog.
		NotListed,
		/// The catalog holds `MaxCatalogItems` items.
		CatalogFull,
		/// The catalog would exceed `MaxCatalogBytes`.
		CatalogTooLarge,
		/// The content is on the moderator's deny list.
		ContentDenied,
		/// The content is already proposed to this moderator.
		AlreadyProposed,
		/// There is no such pending proposal.
		ProposalNotFound,
		/// The caller is not the publisher of the proposal.
		NotProposer,
		/// The moderator has `MaxPendingProposals` pending proposals.
		TooManyProposals,
		/// The deny key is already on the deny list.
		AlreadyDenied,
		/// The deny key is not on the deny list.
		NotDenied,
		/// The deny list holds `MaxDenyListEntries` entries.
		DenyListFull,
		/// The account cannot pay the deposit.
		InsufficientBalance,
	}

	/// Moderators, catalogs and deny lists at genesis. Deposits are held from the moderators'
	/// genesis balances.
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// Moderators: `(account, name, policy URI, policy hash, commission)`.
		pub moderators: Vec<GenesisModerator<T::AccountId>>,
		/// Catalog items: `(moderator, content id, size, title, MIME type)`.
		pub catalog: Vec<GenesisCatalogItem<T::AccountId>>,
		/// Deny-list entries: `(moderator, deny key)`.
		pub deny_list: Vec<(T::AccountId, DenyKey)>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			for (moderator, name, uri, hash, commission) in &self.moderators {
				Pallet::<T>::do_register_moderator(
					moderator,
					name.clone(),
					uri.clone(),
					*hash,
					*commission,
				)
				.expect("genesis moderators must be valid and funded");
			}
			for (moderator, content, size, title, mime) in &self.catalog {
				Pallet::<T>::do_list_content(
					moderator,
					*content,
					*size,
					title.clone(),
					mime.clone(),
					None,
				)
				.expect("genesis catalog items must be valid");
				// The genesis author vouches that the genesis nodes hold its catalogs.
				Pallet::<T>::vouch_for_item(moderator, content);
			}
			for (moderator, key) in &self.deny_list {
				Pallet::<T>::do_deny_content(moderator, *key)
					.expect("genesis deny-list entries must be valid");
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn integrity_test() {
			assert!(T::MaxNameLength::get() > 0, "MaxNameLength must allow a name");
			assert!(T::MaxCatalogItems::get() > 0, "MaxCatalogItems must allow an item");
			assert!(
				T::CommissionChangeDelay::get() > 0,
				"CommissionChangeDelay must defer changes to a later epoch"
			);
			assert!(
				T::MaxCommissionChanges::get() >= 2,
				"MaxCommissionChanges must hold the rate in force and a change"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Register the caller as a moderator.
		///
		/// - `origin`: any signed account that is not a moderator; `ModeratorDeposit` is held.
		/// - `name`: display name, 1 to `MaxNameLength` bytes.
		/// - `policy_uri`: where the rules of the catalog are published, up to `MaxUriLength`.
		/// - `policy_hash`: BLAKE3 hash of the rules text.
		/// - `commission`: share of rewards for bytes served under this catalog, at most
		///   `MaxCommission`; in force from the current epoch (no node can have served the
		///   catalog before it existed).
		///
		/// Emits `ModeratorRegistered`.
		#[pallet::call_index(0)]
		pub fn register_moderator(
			origin: OriginFor<T>,
			name: Vec<u8>,
			policy_uri: Vec<u8>,
			policy_hash: [u8; 32],
			commission: Perbill,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_register_moderator(&who, name, policy_uri, policy_hash, commission)
		}

		/// Change the caller's name and policy at once, and its commission from epoch
		/// `current + CommissionChangeDelay` (raises and cuts alike; the epochs before keep
		/// their rates).
		///
		/// - `origin`: a live moderator.
		/// - `commission`: at most `MaxCommission`; the same as the last rate set changes
		///   nothing. Changed again in the same epoch, the later value replaces the earlier.
		///   The history must have room (`CommissionHistoryFull`).
		///
		/// Emits `CommissionChangeScheduled` if the commission changed, then
		/// `ModeratorUpdated`.
		#[pallet::call_index(1)]
		pub fn update_moderator(
			origin: OriginFor<T>,
			name: Vec<u8>,
			policy_uri: Vec<u8>,
			policy_hash: [u8; 32],
			commission: Perbill,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_update_moderator(&who, name, policy_uri, policy_hash, commission)
		}

		/// Retire the caller. Its catalog stops being an obligation of its subscribers at once;
		/// its deposit can be released (`reap_moderator`) after `RetirementDelay` blocks, once
		/// no node subscribes to it.
		///
		/// - `origin`: a live moderator.
		///
		/// Emits `ModeratorRetired`.
		#[pallet::call_index(2)]
		pub fn retire_moderator(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire_moderator(&who, false)
		}

		/// Retire `moderator` by decision of the admin origin.
		///
		/// - `origin`: `AdminOrigin`.
		///
		/// Emits `ModeratorRetired` with `forced: true`.
		#[pallet::call_index(3)]
		pub fn force_retire_moderator(
			origin: OriginFor<T>,
			moderator: T::AccountId,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_retire_moderator(&moderator, true)
		}

		/// Remove a retired moderator whose delay has passed and which has no subscribers:
		/// delete its catalog and deny list, reject its pending proposals (deposits back) and
		/// release its deposit.
		///
		/// - `origin`: any signed account.
		///
		/// Emits `ProposalRejected` for each pending proposal, then `ModeratorReaped`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::reap_moderator(
			T::MaxCatalogItems::get(),
			T::MaxDenyListEntries::get(),
			T::MaxPendingProposals::get(),
		))]
		pub fn reap_moderator(
			origin: OriginFor<T>,
			moderator: T::AccountId,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_reap_moderator(&moderator)
		}

		/// Add content to the caller's catalog.
		///
		/// - `origin`: a live moderator.
		/// - `content`: BLAKE3 root of the content; must not be denied by this moderator.
		/// - `size`: size in bytes (not zero); the catalog stays within `MaxCatalogItems` and
		///   `MaxCatalogBytes`.
		/// - `title`, `mime_type`: up to `MaxTitleLength` and `MaxMimeTypeLength` bytes.
		/// - `publisher`: who published it, if known.
		///
		/// Emits `ContentListed`.
		#[pallet::call_index(5)]
		pub fn list_content(
			origin: OriginFor<T>,
			content: ContentId,
			size: u64,
			title: Vec<u8>,
			mime_type: Vec<u8>,
			publisher: Option<T::AccountId>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_list_content(&who, content, size, title, mime_type, publisher)
		}

		/// Remove content from the caller's catalog.
		///
		/// - `origin`: a live moderator.
		///
		/// Emits `ContentDelisted`.
		#[pallet::call_index(6)]
		pub fn delist_content(origin: OriginFor<T>, content: ContentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_delist_content(&who, content)
		}

		/// Propose content to a moderator's catalog.
		///
		/// - `origin`: any signed account (the publisher); `ProposalDeposit` is held until the
		///   proposal is accepted, rejected or withdrawn.
		/// - `moderator`: a live moderator with fewer than `MaxPendingProposals` proposals.
		/// - `content`, `size`, `title`, `mime_type`: as for `list_content`.
		///
		/// Emits `ContentProposed`.
		#[pallet::call_index(7)]
		pub fn propose_content(
			origin: OriginFor<T>,
			moderator: T::AccountId,
			content: ContentId,
			size: u64,
			title: Vec<u8>,
			mime_type: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_propose_content(&who, &moderator, content, size, title, mime_type)
		}

		/// Accept a proposal: list the content with its publisher and release the deposit.
		///
		/// - `origin`: the live moderator the content was proposed to.
		///
		/// Emits `ContentListed` and `ProposalAccepted`.
		#[pallet::call_index(8)]
		pub fn accept_proposal(origin: OriginFor<T>, content: ContentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_accept_proposal(&who, content)
		}

		/// Reject a proposal and release the deposit.
		///
		/// - `origin`: the moderator the content was proposed to (live or retired).
		///
		/// Emits `ProposalRejected`.
		#[pallet::call_index(9)]
		pub fn reject_proposal(origin: OriginFor<T>, content: ContentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_reject_proposal(&who, content)
		}

		/// Withdraw one's own proposal and get the deposit back.
		///
		/// - `origin`: the publisher of the proposal.
		///
		/// Emits `ProposalWithdrawn`.
		#[pallet::call_index(10)]
		pub fn withdraw_proposal(
			origin: OriginFor<T>,
			moderator: T::AccountId,
			content: ContentId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_proposal(&who, &moderator, content)
		}

		/// Add a deny key (`bitcloud_primitives::deny_key(content_id)`) to the caller's deny
		/// list. Subscribed nodes must refuse to serve denied content. Denying does not delist:
		/// call `delist_content` too if the content is listed.
		///
		/// - `origin`: a live moderator with fewer than `MaxDenyListEntries` entries.
		///
		/// Emits `ContentDenied`.
		#[pallet::call_index(11)]
		pub fn deny_content(origin: OriginFor<T>, deny_key: DenyKey) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_deny_content(&who, deny_key)
		}

		/// Remove a deny key from the caller's deny list.
		///
		/// - `origin`: a live moderator.
		///
		/// Emits `ContentAllowed`.
		#[pallet::call_index(12)]
		pub fn allow_content(origin: OriginFor<T>, deny_key: DenyKey) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_allow_content(&who, deny_key)
		}
	}
}
