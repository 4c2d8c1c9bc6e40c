//! Runtime API of the epochs pallet: which epoch the chain is in.

use crate::EpochInfo;
use bitcloud_primitives::EpochIndex;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about epochs.
	pub trait EpochsApi<BlockNumber>
	where
		BlockNumber: Codec,
	{
		/// The current epoch, its first block and length, and a scheduled length change.
		fn current_epoch() -> EpochInfo<BlockNumber>;

		/// First block of `epoch` under the current length (`None` before the last length
		/// change or on overflow).
		fn epoch_start(epoch: EpochIndex) -> Option<BlockNumber>;
	}
}
