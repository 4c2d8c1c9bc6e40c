//! Runtime API of the node registry: what a client asks about content nodes.
//!
//! The runtime implements it by calling [`Pallet::node_view`](crate::Pallet::node_view),
//! [`Pallet::nodes_serving`](crate::Pallet::nodes_serving) and
//! [`Pallet::standing_of`](crate::Pallet::standing_of).

use crate::NodeView;
use alloc::vec::Vec;
use bitcloud_primitives::Standing;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about content nodes.
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
	}
}
