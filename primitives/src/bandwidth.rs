//! What the bandwidth ledger tells the reward distribution.
//!
//! `pallet-bandwidth` credits bytes proven by client receipts per epoch; `pallet-rewards`
//! pays nodes and moderators from those figures once an epoch is final.

use crate::epoch::EpochIndex;
use alloc::vec::Vec;

/// Bytes proven by receipts, per epoch. Implemented by `pallet-bandwidth`.
pub trait BandwidthLedger<AccountId> {
	/// Whether `epoch`'s receipt submission window has closed, so its figures no longer change.
	fn is_final(epoch: EpochIndex) -> bool;

	/// Bytes credited to all nodes in `epoch`.
	fn total_bytes(epoch: EpochIndex) -> u64;

	/// Bytes credited to `node` in `epoch`, under all moderators and unmoderated.
	fn node_bytes(epoch: EpochIndex, node: &AccountId) -> u64;

	/// Bytes credited to `node` in `epoch` split by moderator (`None`: unmoderated content).
	/// Bounded by the number of moderators a node may subscribe to, plus one.
	fn node_bytes_by_moderator(
		epoch: EpochIndex,
		node: &AccountId,
	) -> Vec<(Option<AccountId>, u64)>;

	/// Oldest epoch whose figures are still kept (older ones were pruned).
	fn oldest_kept_epoch() -> EpochIndex;
}
