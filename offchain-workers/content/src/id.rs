//! Content ids in text: 64 lowercase hex characters, or a CIDv1 (raw codec, BLAKE3
//! multihash) in multibase base32 (`b…`), the form IPFS tools print.

use bitcloud_primitives::ContentId;
use std::fmt;

/// Multicodec of raw bytes.
const CODEC_RAW: u8 = 0x55;
/// Multihash code of BLAKE3 (256-bit digest).
const MULTIHASH_BLAKE3: u8 = 0x1e;
/// The binary CIDv1 prefix of a Bitcloud content id: version, codec, hash code, length.
const CID_PREFIX: [u8; 4] = [0x01, CODEC_RAW, MULTIHASH_BLAKE3, 32];

/// Why a text is not a content id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
	/// Neither 64 hex characters nor a `b…` CIDv1.
	BadFormat,
	/// A CIDv1 that is not raw bytes hashed with 32-byte BLAKE3.
	UnsupportedCid,
}

impl fmt::Display for IdError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			IdError::BadFormat => f.write_str(
				"a content id is 64 hex characters (the BLAKE3 root) or a base32 CIDv1 (b...)",
			),
			IdError::UnsupportedCid => {
				f.write_str("only CIDv1 of raw bytes with a 32-byte BLAKE3 multihash name content")
			},
		}
	}
}

impl std::error::Error for IdError {}

/// Parses a content id from 64 hex characters (either case) or a base32 CIDv1.
pub fn parse_id(text: &str) -> Result<ContentId, IdError> {
	if text.len() == 64 {
		let mut id = [0u8; 32];
		hex::decode_to_slice(text, &mut id).map_err(|_| IdError::BadFormat)?;
		return Ok(id);
	}
	let Some(base32) = text.strip_prefix('b') else { return Err(IdError::BadFormat) };
	// 36 bytes in base32 without padding: 58 characters.
	if base32.len() != 58 {
		return Err(IdError::BadFormat);
	}
	let bytes = data_encoding::BASE32_NOPAD
		.decode(base32.to_ascii_uppercase().as_bytes())
		.map_err(|_| IdError::BadFormat)?;
	if bytes.len() != 36 || bytes[0] != CID_PREFIX[0] {
		return Err(IdError::BadFormat);
	}
	if bytes[..4] != CID_PREFIX {
		return Err(IdError::UnsupportedCid);
	}
	let mut id = [0u8; 32];
	id.copy_from_slice(&bytes[4..]);
	Ok(id)
}

/// The id as 64 lowercase hex characters (the canonical form in URLs and JSON).
pub fn to_hex(id: &ContentId) -> String {
	// Into a buffer in one pass: `hex::encode` builds the string a char at a time, which
	// showed in the profile of answering small files (an ETag per answer).
	let mut text = [0u8; 64];
	match hex::encode_to_slice(id, &mut text) {
		Ok(()) => String::from_utf8_lossy(&text).into_owned(),
		Err(_) => hex::encode(id),
	}
}

/// The id as a CIDv1 (raw, BLAKE3) in multibase base32: `b` followed by 58 characters.
pub fn to_cid(id: &ContentId) -> String {
	let mut bytes = Vec::with_capacity(36);
	bytes.extend_from_slice(&CID_PREFIX);
	bytes.extend_from_slice(id);
	format!("b{}", data_encoding::BASE32_NOPAD.encode(&bytes).to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_and_cid_round_trip() {
		let id = bitcloud_primitives::content_id(b"hello");
		assert_eq!(parse_id(&to_hex(&id)), Ok(id));
		assert_eq!(parse_id(&to_hex(&id).to_uppercase()), Ok(id));
		let cid = to_cid(&id);
		assert!(cid.starts_with("bafkr4i"), "{cid}");
		assert_eq!(parse_id(&cid), Ok(id));
	}

	#[test]
	fn malformed_ids_are_refused() {
		assert_eq!(parse_id(""), Err(IdError::BadFormat));
		assert_eq!(parse_id("zz"), Err(IdError::BadFormat));
		assert_eq!(parse_id(&"g".repeat(64)), Err(IdError::BadFormat));
		assert_eq!(parse_id(&"a".repeat(63)), Err(IdError::BadFormat));
		assert_eq!(parse_id(&format!("b{}", "1".repeat(58))), Err(IdError::BadFormat));
		// A CIDv1 with the sha2-256 multihash is well-formed but not a Bitcloud id.
		let mut sha = vec![0x01, 0x55, 0x12, 32];
		sha.extend_from_slice(&[0u8; 32]);
		let cid = format!("b{}", data_encoding::BASE32_NOPAD.encode(&sha).to_ascii_lowercase());
		assert_eq!(parse_id(&cid), Err(IdError::UnsupportedCid));
	}
}
