//! Content ids and deny-list keys.
//!
//! A piece of content is named by the BLAKE3 root of its bytes (see `docs/protocol.md`):
//! the same 32 bytes name it on chain, in the content store and in a client's request.
//! Deny lists do not store content ids but [`DenyKey`]s, hashes of them, so that a deny list
//! does not advertise what it blocks; whoever already knows a content id can still check it.

use polkadot_sdk::sp_crypto_hashing::blake2_256;

/// Identifier of a piece of content: the 32-byte BLAKE3 root of its bytes.
pub type ContentId = [u8; 32];

/// The content id of `bytes`: their BLAKE3 root.
pub fn content_id(bytes: &[u8]) -> ContentId {
	*blake3::hash(bytes).as_bytes()
}

/// Entry of a moderator's deny list: [`deny_key`] of a content id.
pub type DenyKey = [u8; 32];

/// Domain tag hashed in front of a content id to make its [`DenyKey`].
pub const DENY_KEY_DOMAIN: &[u8; 16] = b"bitcloud/deny/v1";

/// The deny-list key of `content`: `blake2_256(DENY_KEY_DOMAIN ++ content)`.
///
/// The runtime, the node (which must refuse to serve denied content) and moderators' tools
/// all compute it with this one function.
pub fn deny_key(content: &ContentId) -> DenyKey {
	let mut preimage = [0u8; DENY_KEY_DOMAIN.len() + 32];
	preimage[..DENY_KEY_DOMAIN.len()].copy_from_slice(DENY_KEY_DOMAIN);
	preimage[DENY_KEY_DOMAIN.len()..].copy_from_slice(content);
	blake2_256(&preimage)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn content_id_is_the_blake3_root() {
		// BLAKE3 test vector: the hash of no bytes.
		let empty = "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262";
		let hex: String = content_id(b"").iter().map(|b| format!("{b:02x}")).collect();
		assert_eq!(hex, empty);
	}

	#[test]
	fn deny_key_is_domain_separated_and_deterministic() {
		let content = [7u8; 32];
		assert_eq!(deny_key(&content), deny_key(&content));
		assert_ne!(deny_key(&content), blake2_256(&content));
		assert_ne!(deny_key(&content), deny_key(&[8u8; 32]));
	}
}
