//! Epochs: the chain's accounting period for bandwidth, rewards and storage challenges.
//!
//! An epoch is a run of consecutive blocks (ten minutes by default). Pallets that count per
//! epoch name an [`EpochClock`] in their `Config`; `pallet-epochs` implements it, so every
//! pallet agrees on which epoch a block belongs to even after the length is changed.

/// Index of an epoch; epoch 0 starts at genesis.
pub type EpochIndex = u32;

/// Which epoch the chain is in. Implemented by `pallet-epochs`.
pub trait EpochClock<BlockNumber> {
	/// The epoch the current block belongs to.
	fn current_epoch() -> EpochIndex;

	/// First block of `epoch`, if it is known: the current epoch, a past one, or a future one
	/// under the current length. `None` only on overflow.
	fn epoch_start(epoch: EpochIndex) -> Option<BlockNumber>;

	/// Number of blocks in the current epoch.
	fn epoch_length() -> BlockNumber;
}
