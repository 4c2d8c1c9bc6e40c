//! Accounts given on the command line, to the node's options and to its subcommands alike.

use bitcloud_runtime::AccountId;
use polkadot_sdk::sp_core::{bytes::from_hex, crypto::Ss58Codec};

/// Parses an account as SS58 (any prefix) or 32 bytes of `0x` hex.
pub fn parse_account(text: &str) -> Result<AccountId, String> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = from_hex(hex)
			.ok()
			.and_then(|bytes| bytes.try_into().ok())
			.ok_or("an account in hex is 0x followed by 64 hex digits")?;
		return Ok(bytes.into());
	}
	AccountId::from_ss58check_with_version(text)
		.map(|(account, _)| account)
		.map_err(|e| format!("not an SS58 address: {e}"))
}
