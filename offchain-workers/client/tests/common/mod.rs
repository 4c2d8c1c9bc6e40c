//! The chain behind the gateways of the tests and of `examples/bench.rs` (which takes this
//! file by `#[path]`): one moderator listing the items, and every client a quota it cannot
//! use up.

use bitcloud_content::{ChainError, ChainView, ItemMeta, Quota};
use bitcloud_primitives::{AccountId, ContentId, EpochIndex};
use polkadot_sdk::sp_core::H256;

/// The chain the gateways pretend to be on: receipts are signed for it.
pub const GENESIS: H256 = H256::repeat_byte(0xbe);

/// The current epoch.
const EPOCH: EpochIndex = 1;

/// Epochs the chain takes receipts for after theirs (the runtime's is 2 as well).
const SUBMISSION_WINDOW: EpochIndex = 2;

/// One moderator listing every item; epoch 1; every client has a quota of `u64::MAX` bytes.
pub struct OneCatalog(pub Vec<(ContentId, ItemMeta)>);

impl ChainView for OneCatalog {
	fn subscriptions(&self, _: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		Ok(vec![AccountId::new([2; 32])])
	}
	fn catalog(&self, _: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		Ok(self.0.clone())
	}
	fn catalog_item(&self, _: &AccountId, id: &ContentId) -> Result<Option<ItemMeta>, ChainError> {
		Ok(self.0.iter().find(|(item, _)| item == id).map(|(_, meta)| meta.clone()))
	}
	fn is_denied(&self, _: &AccountId, _: &ContentId) -> Result<bool, ChainError> {
		Ok(false)
	}
	fn submission_window(&self) -> EpochIndex {
		SUBMISSION_WINDOW
	}
	fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
		Ok((EPOCH, GENESIS))
	}
	fn client_quota(&self, _: &AccountId, _: EpochIndex) -> Result<Quota, ChainError> {
		Ok(Quota { quota: u64::MAX, used: 0 })
	}
}
