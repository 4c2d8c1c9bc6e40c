//! Traits through which the Bitcloud pallets use each other.
//!
//! Pallets never read each other's storage: a pallet that needs another's state names one of
//! these traits in its `Config`, and the runtime plugs in the pallet that implements it.
//!
//! | Trait | Implemented by | Used by |
//! |---|---|---|
//! | [`ModeratorRegistry`] | `pallet-moderation` | `pallet-nodes`, storage law, rewards |
//! | [`CatalogProofs`] | `pallet-moderation` | storage law |
//! | [`SubscriberCount`] | `pallet-nodes` | `pallet-moderation` |
//! | [`NodeRegistry`] | `pallet-nodes` | storage law, rewards, receipts |
//! | [`NodePenalties`] | `pallet-nodes` | storage law |

use crate::content::ContentId;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use core::fmt::Debug;
use polkadot_sdk::sp_runtime::{DispatchError, DispatchResult, Perbill};
use scale_info::TypeInfo;

/// Standing of a content node, driven by the storage law.
///
/// `Active → Warned → Suspended → Banned`; a clean record brings a `Warned` or `Suspended`
/// node back to `Active`. A `Suspended` node earns no rewards. A `Banned` account has lost
/// its bond and can never register a node again.
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
	Default,
)]
pub enum Standing {
	/// In good standing: serves, is challenged and earns rewards.
	#[default]
	Active,
	/// Failed recently; one step from suspension. Still earns rewards.
	Warned,
	/// Failed repeatedly: earns no rewards until restored.
	Suspended,
	/// Banned for good: bond slashed, subscriptions ended, account may not register again.
	Banned,
}

impl Standing {
	/// Whether a node in this standing earns rewards.
	pub fn earns_rewards(&self) -> bool {
		matches!(self, Standing::Active | Standing::Warned)
	}
}

/// Whether a node's declared capacity covers the catalogs it subscribes to.
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
pub enum CapacityStatus<BlockNumber> {
	/// Capacity covers every subscribed catalog.
	Covered,
	/// A catalog grew past the node's capacity; the node has until block `ends` to add
	/// capacity or unsubscribe before it counts as failing.
	Grace {
		/// First block at which the shortfall counts as a failure.
		ends: BlockNumber,
	},
	/// The grace period is over and capacity still does not cover the subscriptions: the
	/// storage law counts this as a failure.
	Failing,
}

/// What the moderator registry tells other pallets. Implemented by `pallet-moderation`.
///
/// A moderator is *live* from registration until it retires; a retired moderator still
/// exists (its deposit is held and its deny list still answers) until it is reaped. Only a
/// live moderator's catalog is an obligation for its subscribers.
pub trait ModeratorRegistry<AccountId> {
	/// Whether `moderator` is registered, live or retired (not yet reaped).
	fn exists(moderator: &AccountId) -> bool;

	/// Whether `moderator` is registered and not retired.
	fn is_live(moderator: &AccountId) -> bool;

	/// Bytes a subscriber of `moderator` can be held to: the total size of the **proven** items
	/// of its catalog (see [`CatalogProofs`]) while it is live, zero once it retired or if it is
	/// unknown. Items nobody has proved to hold do not count: their size is only the
	/// moderator's claim until a proof of their last chunk confirms it, so a moderator cannot
	/// push its subscribers over capacity by listing sizes that do not exist.
	fn catalog_bytes(moderator: &AccountId) -> u64;

	/// Number of items in the catalog of `moderator` (zero if unknown).
	fn catalog_len(moderator: &AccountId) -> u32;

	/// The catalog item at position `index` (`0..catalog_len`) with its size in bytes. Positions
	/// are dense but not stable: delisting moves another item into the freed position, and a
	/// proof moves the item into the proven part ([`CatalogProofs`]). Meant for random
	/// sampling.
	fn catalog_item_at(moderator: &AccountId, index: u32) -> Option<(ContentId, u64)>;

	/// Size in bytes of `content` if it is in the catalog of `moderator`.
	fn content_size(moderator: &AccountId, content: &ContentId) -> Option<u64>;

	/// Whether `content` is in the catalog of `moderator`.
	fn is_listed(moderator: &AccountId, content: &ContentId) -> bool {
		Self::content_size(moderator, content).is_some()
	}

	/// Whether `content` is on the deny list of `moderator` (looked up by its deny key).
	fn is_denied(moderator: &AccountId, content: &ContentId) -> bool;

	/// Commission `moderator` takes from rewards for bytes served under its catalog in
	/// `epoch`: the rate that was in force during `epoch`, whenever it is asked. A change of
	/// rate takes effect only from an epoch after the one it was made in, so the rate of an
	/// epoch was announced before the epoch began and cannot be raised once its bytes are
	/// served. `None` if the moderator is not live, or for an epoch before its registration or
	/// older than the registry keeps rates for (it keeps at least every epoch whose rewards
	/// can still be claimed).
	fn commission(moderator: &AccountId, epoch: crate::EpochIndex) -> Option<Perbill>;

	/// Benchmarking only: make `moderator` a live moderator whose catalog holds at least
	/// `catalog_bytes` proven bytes. The default does nothing.
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_live_moderator(_moderator: &AccountId, _catalog_bytes: u64) {}

	/// Benchmarking only: make `moderator` (if it exists) retired. The default does nothing.
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_retired_moderator(_moderator: &AccountId) {}
}

/// A catalog item as the storage law sees it ([`CatalogProofs::listed_item_at`]).
#[derive(Encode, Decode, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct ListedItem<BlockNumber> {
	/// The content id (BLAKE3 root).
	pub content: ContentId,
	/// Size in bytes, as the moderator listed it.
	pub size: u64,
	/// Block in which it was listed.
	pub listed_at: BlockNumber,
	/// Whether some node has proved it holds the item's last chunk.
	pub proven: bool,
}

/// What the storage law reads and records about catalog items beyond [`ModeratorRegistry`]:
/// when each was listed, and whether some node has proved it holds it. Implemented by
/// `pallet-moderation`.
///
/// A moderator can list any id with any size. Until a node has proved it holds the item's
/// **last chunk** for the listed size, the item is *unproven*: nobody may exist who can prove
/// it, and its size is only a claim (a proof of the last chunk authenticates the length, as
/// in Bao's verified streaming; other chunks of a wrong-size listing can still verify). The
/// storage law strikes nodes only on proven items and *probes* unproven ones (a failed probe
/// costs nothing); the first passed probe makes the item proven.
///
/// Positions `0..catalog_len` of a live catalog are partitioned: the proven items first
/// (`0..proven_len`), then the unproven ones, so that either kind can be sampled uniformly.
pub trait CatalogProofs<AccountId, BlockNumber> {
	/// Number of proven items in the catalog of `moderator` (zero unless it is live).
	fn proven_len(moderator: &AccountId) -> u32;

	/// The item at position `index` (`0..catalog_len`) of the live catalog of `moderator`;
	/// proven exactly when `index < proven_len`. Positions are dense but not stable.
	fn listed_item_at(moderator: &AccountId, index: u32) -> Option<ListedItem<BlockNumber>>;

	/// A node proved it holds the last chunk of `content` of `size` bytes, for a probe issued
	/// in block `issued_at`: mark the item proven if it is still the listing the probe was
	/// issued for (listed before `issued_at`, same size), in a live catalog, and not proven
	/// yet. Returns whether it became proven.
	fn record_proof(
		moderator: &AccountId,
		content: &ContentId,
		size: u64,
		issued_at: BlockNumber,
	) -> bool;
}

/// How many nodes subscribe to a moderator. Implemented by `pallet-nodes`; the moderator
/// registry keeps a retired moderator's deposit until its subscribers are gone.
pub trait SubscriberCount<AccountId> {
	/// Number of nodes subscribed to `moderator`.
	fn subscriber_count(moderator: &AccountId) -> u32;
}

impl<AccountId> SubscriberCount<AccountId> for () {
	fn subscriber_count(_moderator: &AccountId) -> u32 {
		0
	}
}

/// What the node registry tells other pallets. Implemented by `pallet-nodes`.
pub trait NodeRegistry<AccountId, BlockNumber> {
	/// Whether `node` is a registered node (not unbonding, not banned).
	fn is_registered(node: &AccountId) -> bool;

	/// Standing of `node`: `Some(Banned)` for a banned account, `None` if it was never
	/// registered or has deregistered.
	fn standing(node: &AccountId) -> Option<Standing>;

	/// The moderators `node` subscribes to now (empty if it is not registered). A subscription
	/// the node asked to end counts until the epoch it ends in.
	fn subscriptions(node: &AccountId) -> Vec<AccountId>;

	/// Whether `node` subscribes to `moderator` now (as [`NodeRegistry::subscriptions`]).
	fn is_subscribed(node: &AccountId, moderator: &AccountId) -> bool;

	/// The moderators whose catalogs the storage-law challenges of the current epoch may ask
	/// `node` about: its subscriptions, plus those that end at the start of the current epoch.
	/// The challenges of an epoch are drawn in its first block, so a subscription held during
	/// part of the previous epoch only (taken, or ended, mid-epoch) is covered by this draw.
	/// The default is [`NodeRegistry::subscriptions`], for registries whose subscriptions end
	/// at once.
	fn obligations(node: &AccountId) -> Vec<AccountId> {
		Self::subscriptions(node)
	}

	/// Whether `node` carries unmoderated (onion-only) traffic.
	fn carries_unmoderated(node: &AccountId) -> bool;

	/// Number of registered nodes.
	fn node_count() -> u32;

	/// The registered node at position `index` (`0..node_count`). Positions are dense but not
	/// stable: removing a node moves the last one into its position. Meant for random sampling.
	fn node_at(index: u32) -> Option<AccountId>;

	/// Compare `node`'s capacity with the catalogs it subscribes to, and start (or end) its
	/// grace period accordingly. `None` if `node` is not registered.
	fn check_capacity(node: &AccountId) -> Option<CapacityStatus<BlockNumber>>;
}

/// Penalties the storage law applies to nodes. Implemented by `pallet-nodes`.
///
/// Every method fails with an error (and changes nothing) when `node` is neither registered nor
/// unbonding, or is already banned.
pub trait NodePenalties<AccountId> {
	/// The balance type of bonds.
	type Balance: Copy + Debug;

	/// Slash `fraction` of `node`'s bond (of its unbonding funds if it deregistered) to the
	/// slash destination. Returns the amount slashed.
	fn slash(node: &AccountId, fraction: Perbill) -> Result<Self::Balance, DispatchError>;

	/// Move a registered `node` to [`Standing::Warned`].
	fn warn(node: &AccountId) -> DispatchResult;

	/// Move a registered `node` to [`Standing::Suspended`].
	fn suspend(node: &AccountId) -> DispatchResult;

	/// Ban `node`: slash its whole bond, end its subscriptions and registration, and refuse
	/// the account as a node forever.
	fn ban(node: &AccountId) -> DispatchResult;

	/// Bring a warned or suspended `node` back to [`Standing::Active`].
	fn restore(node: &AccountId) -> DispatchResult;
}
