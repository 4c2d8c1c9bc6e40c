//! What the unit tests of several modules share.

use crate::protocol::ReceiptKey;
use bitcloud_primitives::{
	receipt::{self, SignedReceipt},
	AccountId, EpochIndex,
};
use polkadot_sdk::sp_core::{sr25519, Pair, H256};

/// The key pair of a dev seed (`//Dave`) or any other secret URI.
pub(crate) fn pair(seed: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(seed, None).expect("a valid secret URI")
}

/// `client`'s receipt for `bytes` that `node` served in `epoch` under `moderator`, signed
/// for the chain of `genesis`.
pub(crate) fn signed_receipt(
	client: &sr25519::Pair,
	node: &AccountId,
	epoch: EpochIndex,
	moderator: Option<&AccountId>,
	bytes: u64,
	genesis: &H256,
) -> SignedReceipt<AccountId> {
	let key = ReceiptKey {
		client: client.public().into(),
		node: node.clone(),
		epoch,
		moderator: moderator.cloned(),
	};
	receipt::sign(key.receipt(bytes), client, genesis)
}
