//! Types stored by the moderator registry.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::{ContentId, EpochIndex};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{
		traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound,
		PartialEqNoBound,
	},
	frame_system::pallet_prelude::BlockNumberFor,
	sp_runtime::Perbill,
};
use scale_info::TypeInfo;

/// Balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// A moderator's display name.
pub type NameOf<T> = BoundedVec<u8, <T as Config>::MaxNameLength>;

/// URI of a moderator's policy.
pub type PolicyUriOf<T> = BoundedVec<u8, <T as Config>::MaxUriLength>;

/// Title of a piece of content.
pub type TitleOf<T> = BoundedVec<u8, <T as Config>::MaxTitleLength>;

/// MIME type of a piece of content.
pub type MimeTypeOf<T> = BoundedVec<u8, <T as Config>::MaxMimeTypeLength>;

/// A moderator's commission rates: the rate in force at the oldest epoch still kept, then
/// each later change, by strictly increasing `from_epoch`, at most `MaxCommissionChanges`.
pub type CommissionRatesOf<T> = BoundedVec<CommissionRate, <T as Config>::MaxCommissionChanges>;

/// A moderator at genesis: `(account, name, policy URI, policy hash, commission)`.
pub type GenesisModerator<AccountId> = (AccountId, Vec<u8>, Vec<u8>, [u8; 32], Perbill);

/// A catalog item at genesis: `(moderator, content id, size, title, MIME type)`.
pub type GenesisCatalogItem<AccountId> = (AccountId, ContentId, u64, Vec<u8>, Vec<u8>);

/// Whether a moderator is live or retired.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ModeratorStatus<BlockNumber> {
	/// Live: its catalog is an obligation of its subscribers.
	Live,
	/// Retired: the catalog and registry entry are frozen and no longer an obligation.
	Retired {
		/// Block of retirement.
		since: BlockNumber,
		/// First block at which the moderator may be reaped and its deposit released.
		deposit_unlocks_at: BlockNumber,
	},
}

/// The rules a moderator curates by: where they are published and the hash of their text.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Policy<T: Config> {
	/// Where the rules text is published.
	pub uri: PolicyUriOf<T>,
	/// BLAKE3 hash of the rules text.
	pub hash: [u8; 32],
}

/// A commission rate and the first epoch it applies to (until the next rate's `from_epoch`).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub struct CommissionRate {
	/// First epoch whose rewards pay this rate.
	pub from_epoch: EpochIndex,
	/// Share of rewards for bytes served under the catalog.
	pub rate: Perbill,
}

/// A registered moderator (`moderation.moderators(AccountId)`).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct ModeratorInfo<T: Config> {
	/// Display name.
	pub name: NameOf<T>,
	/// The rules of the catalog.
	pub policy: Policy<T>,
	/// Commission rates by epoch: the share of rewards for bytes served under this catalog
	/// in each epoch (see [`ModeratorInfo::commission_at`]).
	pub commission_rates: CommissionRatesOf<T>,
	/// Deposit held (reason `ModeratorDeposit`).
	pub deposit: BalanceOf<T>,
	/// Live or retired.
	pub status: ModeratorStatus<BlockNumberFor<T>>,
	/// Block of registration.
	pub registered_at: BlockNumberFor<T>,
	/// Number of items in the catalog.
	pub catalog_items: u32,
	/// Total size of the catalog, in bytes.
	pub catalog_bytes: u64,
	/// Number of proven items (some node proved it holds their last chunk); they occupy
	/// positions `0..proven_items` of `catalogIndex`.
	pub proven_items: u32,
	/// Total size of the proven items, in bytes: what subscribers' capacity must cover.
	pub proven_bytes: u64,
	/// Number of deny-list entries.
	pub deny_entries: u32,
	/// Number of pending proposals.
	pub pending_proposals: u32,
}

impl<T: Config> ModeratorInfo<T> {
	/// Whether the moderator is live.
	pub fn is_live(&self) -> bool {
		matches!(self.status, ModeratorStatus::Live)
	}

	/// The commission rate in force during `epoch`; `None` before the first rate kept.
	pub fn commission_at(&self, epoch: EpochIndex) -> Option<Perbill> {
		self.commission_rates.iter().rev().find(|r| r.from_epoch <= epoch).map(|r| r.rate)
	}
}

/// An item of a catalog (`moderation.catalog(AccountId, ContentId)`).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct CatalogItem<T: Config> {
	/// Size of the content in bytes.
	pub size: u64,
	/// Title.
	pub title: TitleOf<T>,
	/// MIME type.
	pub mime_type: MimeTypeOf<T>,
	/// The publisher, if known.
	pub publisher: Option<T::AccountId>,
	/// Block at which the content was listed.
	pub listed_at: BlockNumberFor<T>,
	/// Block at which a node first proved it holds the content's last chunk (genesis items
	/// count as proven at genesis); `None` while unproven. Only proven items are storage-law
	/// obligations.
	pub proven_at: Option<BlockNumberFor<T>>,
	/// Position in `moderation.catalogIndex(AccountId, u32)`: below the moderator's
	/// `provenItems` exactly when proven.
	pub index: u32,
}

/// A publisher's pending proposal (`moderation.proposals(AccountId, ContentId)`).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Proposal<T: Config> {
	/// The publisher, from whom the deposit is held.
	pub publisher: T::AccountId,
	/// Size of the content in bytes.
	pub size: u64,
	/// Title.
	pub title: TitleOf<T>,
	/// MIME type.
	pub mime_type: MimeTypeOf<T>,
	/// Deposit held (reason `ProposalDeposit`).
	pub deposit: BalanceOf<T>,
}

/// A catalog item as the `ModerationApi` runtime API returns it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct CatalogEntry<AccountId, BlockNumber> {
	/// The content id (BLAKE3 root of the bytes).
	pub content: ContentId,
	/// Size of the content in bytes.
	pub size: u64,
	/// Title.
	pub title: Vec<u8>,
	/// MIME type.
	pub mime_type: Vec<u8>,
	/// The publisher, if known.
	pub publisher: Option<AccountId>,
	/// Block at which the content was listed.
	pub listed_at: BlockNumber,
	/// Block at which a node first proved it holds the content; `None` while unproven.
	pub proven_at: Option<BlockNumber>,
}

/// A pending proposal as the `ModerationApi` runtime API returns it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ProposalEntry<AccountId> {
	/// The content id (BLAKE3 root of the bytes).
	pub content: ContentId,
	/// Size of the content in bytes.
	pub size: u64,
	/// Title.
	pub title: Vec<u8>,
	/// MIME type.
	pub mime_type: Vec<u8>,
	/// Who proposed it.
	pub publisher: AccountId,
}
