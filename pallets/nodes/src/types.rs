//! Types stored and returned by the node registry.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::{CapacityStatus, EpochIndex, Standing};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{
		traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound,
		PartialEqNoBound,
	},
	frame_system::pallet_prelude::BlockNumberFor,
};
use scale_info::TypeInfo;

/// Balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// A node's HTTP endpoint.
pub type EndpointOf<T> = BoundedVec<u8, <T as Config>::MaxEndpointLength>;

/// The subscriptions of a node, including those it asked to end until they are removed.
pub type SubscriptionsOf<T> = BoundedVec<
	Subscription<<T as polkadot_sdk::frame_system::Config>::AccountId>,
	<T as Config>::MaxSubscriptions,
>;

/// A node's subscription to a moderator (in `NodeInfo::subscriptions`).
///
/// Unsubscribing does not end it at once: `ends` is set to the epoch `UnsubscribeDelay`
/// epochs after the current one. The node is subscribed (may be paid for bytes under the
/// moderator, must hold its catalog) until the start of epoch `ends`, and the storage-law
/// challenges drawn at the start of `ends` still cover it; from then on it may be removed.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Subscription<AccountId> {
	/// The moderator.
	pub moderator: AccountId,
	/// First epoch in which the node is no longer subscribed, once it asked to unsubscribe.
	pub ends: Option<EpochIndex>,
}

impl<AccountId> Subscription<AccountId> {
	/// Whether the node is subscribed in `epoch` (its end, if any, is later).
	pub fn in_effect(&self, epoch: EpochIndex) -> bool {
		self.ends.is_none_or(|ends| epoch < ends)
	}

	/// Whether the challenges drawn at the start of `epoch` cover it: in effect, or ending
	/// at the start of `epoch` (it was held during the epoch before).
	pub fn obliges(&self, epoch: EpochIndex) -> bool {
		self.ends.is_none_or(|ends| epoch <= ends)
	}

	/// Whether it has ended by `epoch` (and the draw of its last epoch is made): it may be
	/// removed, and no longer keeps its node registered.
	pub fn ended(&self, epoch: EpochIndex) -> bool {
		!self.in_effect(epoch)
	}
}

/// An x25519 public key for onion circuits.
pub type OnionKey = [u8; 32];

/// A node at genesis: `(account, bond, capacity, endpoint, onion key, unmoderated,
/// subscriptions)`.
pub type GenesisNode<AccountId, Balance> =
	(AccountId, Balance, u64, Vec<u8>, OnionKey, bool, Vec<AccountId>);

/// A registered node (`nodes.nodes(AccountId)`).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct NodeInfo<T: Config> {
	/// Bond held (reason `NodeBond`).
	pub bond: BalanceOf<T>,
	/// Declared storage capacity in bytes.
	pub capacity: u64,
	/// HTTP endpoint of the node's gateway.
	pub endpoint: EndpointOf<T>,
	/// x25519 public key for onion circuits.
	pub onion_key: OnionKey,
	/// Whether it carries unmoderated (onion-only) traffic.
	pub unmoderated: bool,
	/// Standing (never `Banned`: banned nodes are removed).
	pub standing: Standing,
	/// The moderators it subscribes to, with the end of those it asked to leave.
	pub subscriptions: SubscriptionsOf<T>,
	/// Block of registration.
	pub registered_at: BlockNumberFor<T>,
	/// Position in `nodes.nodeIndex(u32)`.
	pub index: u32,
}

/// A bond waiting for the end of its unbonding period (`nodes.unbonding(AccountId)`).
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct UnbondingInfo<T: Config> {
	/// Amount still held (reason `NodeBond`).
	pub amount: BalanceOf<T>,
	/// First block at which `withdraw_unbonded` releases it.
	pub unlocks_at: BlockNumberFor<T>,
}

/// Everything a client needs to know about a node, as returned by the `NodesApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct NodeView<AccountId, Balance, BlockNumber> {
	/// Bond held.
	pub bond: Balance,
	/// Declared storage capacity in bytes.
	pub capacity: u64,
	/// Bytes its live subscriptions require.
	pub required: u64,
	/// Whether the capacity covers them, and if not until when it may catch up.
	pub capacity_status: CapacityStatus<BlockNumber>,
	/// HTTP endpoint of the node's gateway.
	pub endpoint: Vec<u8>,
	/// x25519 public key for onion circuits.
	pub onion_key: OnionKey,
	/// Whether it carries unmoderated traffic.
	pub unmoderated: bool,
	/// Standing.
	pub standing: Standing,
	/// The moderators whose catalogs it must hold: its subscriptions, including those it
	/// asked to end, until the challenges of their last epoch are drawn (see
	/// `NodeRegistry::obligations`).
	pub subscriptions: Vec<AccountId>,
	/// Those of `subscriptions` that end, with the first epoch in which the node is no
	/// longer subscribed to them.
	pub unsubscribing: Vec<(AccountId, EpochIndex)>,
}
