//! A bandwidth ledger that credits nothing, for runtimes and tests without receipts.

use crate::{bandwidth::BandwidthLedger, epoch::EpochIndex};
use alloc::vec::Vec;

/// No bytes are ever credited and every epoch is final: rewards built on it pay nothing.
impl<AccountId> BandwidthLedger<AccountId> for () {
	fn is_final(_epoch: EpochIndex) -> bool {
		true
	}

	fn total_bytes(_epoch: EpochIndex) -> u64 {
		0
	}

	fn node_bytes(_epoch: EpochIndex, _node: &AccountId) -> u64 {
		0
	}

	fn node_bytes_by_moderator(
		_epoch: EpochIndex,
		_node: &AccountId,
	) -> Vec<(Option<AccountId>, u64)> {
		Vec::new()
	}

	fn oldest_kept_epoch() -> EpochIndex {
		0
	}
}
