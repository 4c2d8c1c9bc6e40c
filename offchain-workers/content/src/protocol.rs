//! The receipt exchange between a paying client and a gateway, as both sides speak it: the
//! header names and the proof that a request comes from the client it names
//! (`docs/protocol.md`, "Receipts between client and gateway").
//!
//! A client that pays names itself in [`CLIENT_HEADER`] and proves it in [`AUTH_HEADER`]: an
//! sr25519 signature of its key over [`AUTH_DOMAIN`], the chain's genesis hash, the node's
//! account, its own account and the current [`AUTH_PERIOD_SECS`]-second period. One signature
//! serves every request to that node for the period (the gateway verifies it once and
//! remembers it), so the proof costs one signature per node per minute, not one per range.
//! Without it anyone could name a victim and use up the victim's signing window and quota at
//! a node.

use bitcloud_primitives::{AccountId, EpochIndex, Receipt};
use codec::Encode;
use polkadot_sdk::sp_core::{
	sr25519::{Pair, Public, Signature},
	Pair as _, H256,
};
use std::time::{SystemTime, UNIX_EPOCH};

/// Request header naming the client that pays with receipts (`0x` and 64 hex digits).
pub const CLIENT_HEADER: &str = "bitcloud-client";
/// Request header proving that the request comes from the client: `<period>.<signature
/// hex>` (see [`sign_request_proof`]).
pub const AUTH_HEADER: &str = "bitcloud-auth";
/// Request header carrying the client's newest receipt for this node (hex of its SCALE
/// encoding).
pub const RECEIPT_HEADER: &str = "bitcloud-receipt";
/// Response header: the node's account (`0x` hex), the receipt's `node`.
pub const NODE_HEADER: &str = "bitcloud-node";
/// Response header: the current epoch, the receipt's `epoch`.
pub const EPOCH_HEADER: &str = "bitcloud-epoch";
/// Response header: the moderator whose catalog the content is served under.
pub const MODERATOR_HEADER: &str = "bitcloud-moderator";
/// Response header: the signing window in bytes.
pub const WINDOW_HEADER: &str = "bitcloud-window";
/// Response header: hex of the newest receipt the node holds from this client for that node,
/// epoch and moderator.
pub const RECEIPT_HELD_HEADER: &str = "bitcloud-receipt-held";
/// Response header: bytes this node may still send the client in the epoch (its quota left,
/// less what the node already sent it).
pub const QUOTA_LEFT_HEADER: &str = "bitcloud-quota-left";

/// Response header of `/outboard/<id>`: the content's size in bytes.
pub const CONTENT_SIZE_HEADER: &str = "bitcloud-content-size";
/// Response header of `/outboard/<id>`: log2 of the chunks (1 KiB each) in a chunk group,
/// the unit the outboard's tree verifies.
pub const CHUNK_GROUP_LOG_HEADER: &str = "bitcloud-chunk-group-log";

/// Every request header above: what a page from another origin must be allowed to send (the
/// gateway's CORS preflight answer names them).
pub const REQUEST_HEADERS: [&str; 3] = [CLIENT_HEADER, AUTH_HEADER, RECEIPT_HEADER];

/// Every response header above: what a page from another origin must be allowed to read (the
/// gateway exposes them).
pub const RESPONSE_HEADERS: [&str; 8] = [
	NODE_HEADER,
	EPOCH_HEADER,
	MODERATOR_HEADER,
	WINDOW_HEADER,
	RECEIPT_HELD_HEADER,
	QUOTA_LEFT_HEADER,
	CONTENT_SIZE_HEADER,
	CHUNK_GROUP_LOG_HEADER,
];

/// What a cumulative receipt counts bytes for: every field of a [`Receipt`] but its bytes.
/// Both sides keep their newest receipt per key: the gateway per client it serves (its own
/// node fixed), the client per node it pays (itself fixed), the node's duties per claim.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Encode, codec::Decode)]
pub struct ReceiptKey {
	/// The client that signs.
	pub client: AccountId,
	/// The node that served.
	pub node: AccountId,
	/// The epoch the bytes were served in.
	pub epoch: EpochIndex,
	/// The moderator whose catalog the content was served under; `None`: unmoderated.
	pub moderator: Option<AccountId>,
}

impl ReceiptKey {
	/// The receipt for `bytes` under this key.
	pub fn receipt(&self, bytes: u64) -> Receipt<AccountId> {
		Receipt {
			client: self.client.clone(),
			node: self.node.clone(),
			epoch: self.epoch,
			moderator: self.moderator.clone(),
			bytes,
		}
	}
}

impl From<&Receipt<AccountId>> for ReceiptKey {
	fn from(receipt: &Receipt<AccountId>) -> Self {
		ReceiptKey {
			client: receipt.client.clone(),
			node: receipt.node.clone(),
			epoch: receipt.epoch,
			moderator: receipt.moderator.clone(),
		}
	}
}

/// Domain tag of a request proof: no receipt, extrinsic or other signed payload starts so.
pub const AUTH_DOMAIN: &[u8] = b"bitcloud/gateway-auth/v1";
/// Length of the period a request proof is valid for; a gateway takes the current period
/// and the one on either side (clocks differ).
pub const AUTH_PERIOD_SECS: u64 = 60;

/// The period of `time`.
pub fn auth_period(time: SystemTime) -> u64 {
	time.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_secs() / AUTH_PERIOD_SECS)
}

/// The bytes a client signs to prove that its requests to `node` in `period` are its own.
pub fn request_proof_payload(
	genesis: &H256,
	node: &AccountId,
	client: &AccountId,
	period: u64,
) -> Vec<u8> {
	let mut payload = AUTH_DOMAIN.to_vec();
	(genesis, node, client, period).encode_to(&mut payload);
	payload
}

/// The [`AUTH_HEADER`] value of the client whose key is `pair`, for requests to `node` on
/// the chain of `genesis` in `period`.
pub fn sign_request_proof(pair: &Pair, genesis: &H256, node: &AccountId, period: u64) -> String {
	let client = AccountId::from(pair.public());
	let signature = pair.sign(&request_proof_payload(genesis, node, &client, period));
	format!("{period}.{}", hex::encode(signature.0))
}

/// An [`AUTH_HEADER`] value split into its period and signature; none if malformed.
pub fn parse_request_proof(value: &str) -> Option<(u64, Signature)> {
	let (period, signature) = value.split_once('.')?;
	let period = period.parse().ok()?;
	let bytes = hex::decode(signature).ok()?;
	let raw = <[u8; 64]>::try_from(bytes).ok()?;
	Some((period, Signature::from_raw(raw)))
}

/// Whether `signature` is `client`'s proof for requests to `node` in `period`.
pub fn verify_request_proof(
	signature: &Signature,
	genesis: &H256,
	node: &AccountId,
	client: &AccountId,
	period: u64,
) -> bool {
	let public = Public::from_raw(*client.as_ref());
	Pair::verify(signature, request_proof_payload(genesis, node, client, period), &public)
}

/// 32 bytes from `0x` and 64 hex digits: how accounts travel in headers
/// ([`CLIENT_HEADER`], [`NODE_HEADER`], [`MODERATOR_HEADER`]).
pub use bitcloud_primitives::parse_hex32;

#[cfg(test)]
mod tests {
	use super::*;

	const GENESIS: H256 = H256::repeat_byte(3);

	fn pair(seed: &str) -> Pair {
		Pair::from_string(seed, None).expect("a dev seed")
	}

	#[test]
	fn a_proof_verifies_for_its_client_node_chain_and_period_only() {
		let (client, node, other) = (pair("//Bob"), pair("//Dave"), pair("//Eve"));
		let node_id = AccountId::from(node.public());
		let value = sign_request_proof(&client, &GENESIS, &node_id, 7);
		let (period, signature) = parse_request_proof(&value).expect("well formed");
		assert_eq!(period, 7);
		let client_id = AccountId::from(client.public());
		let other_id = AccountId::from(other.public());
		assert!(verify_request_proof(&signature, &GENESIS, &node_id, &client_id, 7));
		// Another client named, another node, another chain, another period: refused.
		assert!(!verify_request_proof(&signature, &GENESIS, &node_id, &other_id, 7));
		assert!(!verify_request_proof(&signature, &GENESIS, &other_id, &client_id, 7));
		assert!(!verify_request_proof(&signature, &H256::zero(), &node_id, &client_id, 7));
		assert!(!verify_request_proof(&signature, &GENESIS, &node_id, &client_id, 8));
	}

	/// A header constant left out of the lists would be invisible to (or refused from) pages
	/// on other origins: every `*_HEADER` constant of this file is in one of them.
	#[test]
	fn every_header_is_listed_as_request_or_response_header() {
		let names: Vec<&str> = include_str!("protocol.rs")
			.lines()
			.filter_map(|line| line.strip_prefix("pub const ")?.split_once("_HEADER: &str = \""))
			.filter_map(|(_, value)| value.strip_suffix("\";"))
			.collect();
		assert_eq!(names.len(), REQUEST_HEADERS.len() + RESPONSE_HEADERS.len());
		for name in names {
			let listed =
				REQUEST_HEADERS.contains(&name) as u8 + RESPONSE_HEADERS.contains(&name) as u8;
			assert_eq!(listed, 1, "{name} is listed {listed} times");
		}
	}

	#[test]
	fn malformed_proofs_are_refused() {
		for value in ["", "7", "7.", "x.00", "7.zz", &format!("7.{}", "00".repeat(63))] {
			assert!(parse_request_proof(value).is_none(), "{value}");
		}
	}
}
