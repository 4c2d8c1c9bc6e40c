//! The runtime's fixed parameters the node's services depend on, read from the runtime crate
//! in one place rather than retyped: a change of the runtime changes the node with it.

use std::time::Duration;

use bitcloud_primitives::EpochIndex;
use bitcloud_runtime::{BlockNumber, Runtime, MILLI_SECS_PER_BLOCK};
use polkadot_sdk::frame_support::traits::Get;

/// Time between two blocks.
pub const BLOCK_TIME: Duration = Duration::from_millis(MILLI_SECS_PER_BLOCK);

/// The time `blocks` blocks take (saturating).
pub const fn blocks(blocks: BlockNumber) -> Duration {
	Duration::from_millis(MILLI_SECS_PER_BLOCK.saturating_mul(blocks as u64))
}

/// How many epochs back the chain takes receipts: those of the current epoch and of the
/// `SubmissionWindow` epochs before it.
pub fn submission_window() -> EpochIndex {
	<<Runtime as pallet_bandwidth::Config>::SubmissionWindow as Get<u32>>::get()
}

/// The oldest epoch whose receipts the chain still takes while `current` is open.
pub fn oldest_submittable_epoch(current: EpochIndex) -> EpochIndex {
	current.saturating_sub(submission_window())
}

/// Receipts one `submit_receipts` transaction takes at most.
pub fn max_batch() -> usize {
	<<Runtime as pallet_bandwidth::Config>::MaxBatch as Get<u32>>::get() as usize
}

/// Moderators a node's receipts may name in one epoch at most.
pub fn max_moderators_per_node() -> u32 {
	<<Runtime as pallet_bandwidth::Config>::MaxModeratorsPerNode as Get<u32>>::get()
}
