//! Types stored by the epochs pallet.

use bitcloud_primitives::EpochIndex;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// The epoch that began at a known block under the current length; every later epoch is
/// counted from it. Moves forward whenever a new length takes effect.
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
pub struct EpochAnchor<BlockNumber> {
	/// The epoch that starts at `first_block`.
	pub epoch: EpochIndex,
	/// Its first block.
	pub first_block: BlockNumber,
}

/// Where the chain is in its epochs, as the runtime API reports it.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct EpochInfo<BlockNumber> {
	/// The current epoch.
	pub epoch: EpochIndex,
	/// Its first block.
	pub first_block: BlockNumber,
	/// Its length in blocks.
	pub length: BlockNumber,
	/// Length of the epochs after it, if a change is scheduled.
	pub next_length: Option<BlockNumber>,
}
