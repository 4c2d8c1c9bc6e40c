//! Accounts as people type them (command lines of the node and the client, headers): SS58
//! with any network prefix, or `0x` and 64 hex digits. One parser for every program.

use crate::AccountId;
use polkadot_sdk::sp_core::crypto::{PublicError, Ss58Codec};

/// Why a text is not an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountTextError {
	/// It starts with `0x` but is not 64 hex digits.
	BadHex,
	/// It is not an SS58 address.
	BadSs58(PublicError),
}

impl core::fmt::Display for AccountTextError {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			AccountTextError::BadHex => f.write_str("an account in hex is 0x and 64 hex digits"),
			AccountTextError::BadSs58(e) => write!(f, "not an SS58 address: {e}"),
		}
	}
}

impl std::error::Error for AccountTextError {}

/// 32 bytes from `0x` and 64 hex digits; none otherwise.
pub fn parse_hex32(text: &str) -> Option<[u8; 32]> {
	let digits = text.strip_prefix("0x")?.as_bytes();
	// `from_str_radix` alone would take a sign ("+0").
	if digits.len() != 64 || !digits.iter().all(u8::is_ascii_hexdigit) {
		return None;
	}
	let mut bytes = [0; 32];
	for (byte, pair) in bytes.iter_mut().zip(digits.chunks_exact(2)) {
		let pair = core::str::from_utf8(pair).ok()?;
		*byte = u8::from_str_radix(pair, 16).ok()?;
	}
	Some(bytes)
}

/// The account `text` names: SS58 (any prefix) or `0x` and 64 hex digits.
pub fn parse_account(text: &str) -> Result<AccountId, AccountTextError> {
	if text.starts_with("0x") {
		return parse_hex32(text).map(AccountId::new).ok_or(AccountTextError::BadHex);
	}
	AccountId::from_ss58check_with_version(text)
		.map(|(account, _)| account)
		.map_err(AccountTextError::BadSs58)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn hex_and_ss58_of_any_prefix_name_the_same_account() {
		let account = AccountId::new([7; 32]);
		let hex = format!("0x{}", "07".repeat(32));
		assert_eq!(parse_account(&hex), Ok(account.clone()));
		for prefix in [0u16, 42, 4253] {
			let ss58 = account.to_ss58check_with_version(prefix.into());
			assert_eq!(parse_account(&ss58), Ok(account.clone()), "{ss58}");
		}
	}

	#[test]
	fn malformed_accounts_say_why() {
		for bad in
			["0x", "0x1234", &format!("0x{}", "zz".repeat(32)), &format!("0x{}", "07".repeat(33))]
		{
			assert_eq!(parse_account(bad), Err(AccountTextError::BadHex), "{bad}");
		}
		assert!(matches!(parse_account("nobody"), Err(AccountTextError::BadSs58(_))));
		assert!(parse_hex32(&format!("0x{}", "+0".repeat(32))).is_none());
	}
}
