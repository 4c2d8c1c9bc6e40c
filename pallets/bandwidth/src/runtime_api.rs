//! Runtime API of the bandwidth ledger: what clients, nodes and dapps ask about receipts.
//!
//! The runtime implements it with [`Pallet::client_quota`](crate::Pallet::client_quota),
//! [`Pallet::claimed`](crate::Pallet::claimed),
//! [`Pallet::epoch_summary`](crate::Pallet::epoch_summary) and
//! [`Pallet::node_figures`](crate::Pallet::node_figures).

use crate::{ClientQuota, EpochSummary, NodeBytes};
use bitcloud_primitives::EpochIndex;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about bandwidth receipts.
	pub trait BandwidthApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// The current epoch and the chain's genesis hash, which receipts are signed for.
		fn receipt_context() -> (EpochIndex, polkadot_sdk::sp_core::H256);

		/// A client's locked and unlocking coins, its quota per epoch and the bytes used of it
		/// in `epoch` (known while the epoch is kept).
		fn client_quota(client: AccountId, epoch: EpochIndex) -> ClientQuota<Balance>;

		/// The last total the chain accepted for `(epoch, node, client, moderator)`: a node
		/// submits only receipts above it.
		fn claimed(
			epoch: EpochIndex,
			node: AccountId,
			client: AccountId,
			moderator: Option<AccountId>,
		) -> u64;

		/// An epoch's total bytes and whether it is final (or pruned).
		fn epoch_totals(epoch: EpochIndex) -> EpochSummary;

		/// Bytes credited to `node` in `epoch`, in total and by moderator.
		fn node_bytes(node: AccountId, epoch: EpochIndex) -> NodeBytes<AccountId>;

		/// Bytes credited under `moderator` (`None`: unmoderated) in `epoch`, all nodes
		/// together.
		fn moderator_bytes(moderator: Option<AccountId>, epoch: EpochIndex) -> u64;
	}
}
