//! Runtime API of the node registry: what a client asks about content nodes.
//!
//! The runtime implements it by calling [`Pallet::node_view`](crate::Pallet::node_view),
//! [`Pallet::nodes_serving`](crate::Pallet::nodes_serving),
//! [`Pallet::standing_of`](crate::Pallet::standing_of) and
//! [`Pallet::onion_relays`](crate::Pallet::onion_relays).

use crate::NodeView;
use alloc::vec::Vec;
use bitcloud_primitives::Standing;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about content nodes.
	///
	/// Version 2 added [`onion_relays`](NodesApi::onion_relays).
	#[api_version(2)]
	pub trait NodesApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A registered node's bond, capacity (and whether it covers its subscriptions),
		/// endpoint, onion key, unmoderated flag, standing and subscriptions.
		fn node(node: AccountId) -> Option<NodeView<AccountId, Balance, BlockNumber>>;

		/// The nodes that subscribe to `moderator` and may serve its catalog (not suspended).
		fn nodes_serving(moderator: AccountId) -> Vec<AccountId>;

		/// A node's standing: `Banned` for a banned account, `None` for an account with no
		/// node.
		fn standing(node: AccountId) -> Option<Standing>;

		/// The nodes onion clients build circuits through: registered, `Active` and carrying
		/// unmoderated traffic.
		#[api_version(2)]
		fn onion_relays() -> Vec<AccountId>;
	}
}
