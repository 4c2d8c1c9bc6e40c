//! Types stored and returned by the node registry.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::{CapacityStatus, Standing};
use codec::{Decode, Encode, MaxEncodedLen};
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

/// The moderators a node subscribes to.
pub type SubscriptionsOf<T> = BoundedVec<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	<T as Config>::MaxSubscriptions,
>;

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
	/// The moderators it subscribes to.
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
	/// The moderators it subscribes to.
	pub subscriptions: Vec<AccountId>,
}
