//! Bandwidth receipts: what a client signs for the bytes a node delivered to it.
//!
//! A receipt is cumulative and monotone: for one `(client, node, epoch, moderator)` the client
//! keeps signing a growing byte count, the node keeps only the newest, and the chain credits
//! only the increase over the last total it accepted. On-chain cost therefore grows with the
//! number of client-node pairs, never with bytes.
//!
//! The client signs, with sr25519, the bytes
//!
//! ```text
//! RECEIPT_DOMAIN ("bitcloud/receipt/v1", 19 bytes) ++ genesis hash (32 bytes) ++ SCALE(receipt)
//! ```
//!
//! so a receipt can be used neither on another chain nor as any other signature (an
//! extrinsic's payload never starts with the domain tag). `docs/protocol.md`, section
//! "Bandwidth receipts", gives the byte layout for dapp builders.

use crate::epoch::EpochIndex;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	sp_core::{sr25519, H256},
	sp_runtime::traits::Verify,
};
use scale_info::TypeInfo;

/// Domain tag every receipt signature starts with (version 1 of the format).
pub const RECEIPT_DOMAIN: &[u8] = b"bitcloud/receipt/v1";

/// What a client attests: `node` delivered `bytes` bytes in total to `client` during `epoch`,
/// of content served under `moderator` (`None`: unmoderated content).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Receipt<AccountId> {
	/// The client that received the bytes and signs the receipt.
	pub client: AccountId,
	/// The node that served them and submits the receipt.
	pub node: AccountId,
	/// Epoch in which they were served.
	pub epoch: EpochIndex,
	/// Moderator whose catalog the content was served under; `None` for unmoderated content.
	pub moderator: Option<AccountId>,
	/// Bytes delivered by `node` to `client` in `epoch` under `moderator`, cumulative.
	pub bytes: u64,
}

/// A [`Receipt`] with the client's sr25519 signature over its [`signing_payload`].
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct SignedReceipt<AccountId> {
	/// The receipt.
	pub receipt: Receipt<AccountId>,
	/// The client's signature over `signing_payload(receipt, genesis_hash)`.
	pub signature: sr25519::Signature,
}

/// The bytes a client signs: [`RECEIPT_DOMAIN`], the chain's genesis hash, then the SCALE
/// encoding of `receipt`.
pub fn signing_payload<AccountId: Encode>(
	receipt: &Receipt<AccountId>,
	genesis_hash: &H256,
) -> Vec<u8> {
	let mut payload = Vec::with_capacity(RECEIPT_DOMAIN.len() + 32 + receipt.size_hint());
	payload.extend_from_slice(RECEIPT_DOMAIN);
	payload.extend_from_slice(genesis_hash.as_bytes());
	receipt.encode_to(&mut payload);
	payload
}

/// Whether `signed` carries a valid signature of its client for the chain whose genesis hash
/// is `genesis_hash`. The client's account id is its sr25519 public key.
///
/// Uses the host's sr25519 verification, so it runs in the runtime as well as natively.
pub fn verify<AccountId: Encode + AsRef<[u8; 32]>>(
	signed: &SignedReceipt<AccountId>,
	genesis_hash: &H256,
) -> bool {
	let client = sr25519::Public::from_raw(*signed.receipt.client.as_ref());
	let payload = signing_payload(&signed.receipt, genesis_hash);
	signed.signature.verify(&payload[..], &client)
}

/// Sign `receipt` with the client's key `pair` for the chain of `genesis_hash`. The receipt's
/// `client` should be `pair`'s public key, or the signature will not verify.
#[cfg(feature = "std")]
pub fn sign<AccountId: Encode>(
	receipt: Receipt<AccountId>,
	pair: &sr25519::Pair,
	genesis_hash: &H256,
) -> SignedReceipt<AccountId> {
	use polkadot_sdk::sp_core::Pair;
	let signature = pair.sign(&signing_payload(&receipt, genesis_hash));
	SignedReceipt { receipt, signature }
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::AccountId;
	use polkadot_sdk::sp_core::{crypto::Pair as _, sr25519::Pair};

	fn pair(seed: &str) -> Pair {
		Pair::from_string(seed, None).expect("a dev seed")
	}

	fn receipt(client: &Pair, node: &Pair, bytes: u64) -> Receipt<AccountId> {
		Receipt {
			client: client.public().into(),
			node: node.public().into(),
			epoch: 7,
			moderator: Some(pair("//Charlie").public().into()),
			bytes,
		}
	}

	const GENESIS: H256 = H256::repeat_byte(0x11);

	#[test]
	fn payload_is_domain_then_genesis_then_scale() {
		let r = receipt(&pair("//Ferdie"), &pair("//Dave"), 1 << 20);
		let payload = signing_payload(&r, &GENESIS);
		assert_eq!(&payload[..19], b"bitcloud/receipt/v1");
		assert_eq!(&payload[19..51], GENESIS.as_bytes());
		assert_eq!(&payload[51..], &r.encode()[..]);
		// client 32 + node 32 + epoch 4 + Some 1 + moderator 32 + bytes 8.
		assert_eq!(payload.len(), 19 + 32 + 32 + 32 + 4 + 1 + 32 + 8);
		let unmoderated = Receipt { moderator: None, ..r };
		assert_eq!(signing_payload(&unmoderated, &GENESIS).len(), 19 + 32 + 32 + 32 + 4 + 1 + 8);
	}

	#[test]
	fn a_signed_receipt_verifies_on_its_chain_only() {
		let client = pair("//Ferdie");
		let signed = sign(receipt(&client, &pair("//Dave"), 1000), &client, &GENESIS);
		assert!(verify(&signed, &GENESIS));
		assert!(!verify(&signed, &H256::repeat_byte(0x12)), "another chain");
	}

	#[test]
	fn any_change_breaks_the_signature() {
		let client = pair("//Ferdie");
		let signed = sign(receipt(&client, &pair("//Dave"), 1000), &client, &GENESIS);
		let mut inflated = signed.clone();
		inflated.receipt.bytes += 1;
		assert!(!verify(&inflated, &GENESIS));
		let mut other_node = signed.clone();
		other_node.receipt.node = pair("//Eve").public().into();
		assert!(!verify(&other_node, &GENESIS));
		let mut other_epoch = signed.clone();
		other_epoch.receipt.epoch += 1;
		assert!(!verify(&other_epoch, &GENESIS));
		let mut unmoderated = signed.clone();
		unmoderated.receipt.moderator = None;
		assert!(!verify(&unmoderated, &GENESIS));
		let mut forged = signed.clone();
		forged.signature.0[0] ^= 1;
		assert!(!verify(&forged, &GENESIS));
	}

	#[test]
	fn only_the_client_can_sign() {
		let client = pair("//Ferdie");
		let node = pair("//Dave");
		// The node signs a receipt naming Ferdie as the client.
		let forged = sign(receipt(&client, &node, 1000), &node, &GENESIS);
		assert!(!verify(&forged, &GENESIS));
	}

	#[test]
	fn a_receipt_signature_is_not_a_plain_signature_of_the_receipt() {
		let client = pair("//Ferdie");
		let r = receipt(&client, &pair("//Dave"), 1000);
		let plain = SignedReceipt { signature: client.sign(&r.encode()), receipt: r };
		assert!(!verify(&plain, &GENESIS));
	}
}
