//! Accounts given on the command line, to the node's options and to its subcommands alike:
//! the one parser of `bitcloud_primitives` (SS58 with any prefix, or `0x` and 64 hex digits),
//! with its reason as clap shows it.

use bitcloud_runtime::AccountId;

/// Parses an account as SS58 (any prefix) or 32 bytes of `0x` hex.
pub fn parse_account(text: &str) -> Result<AccountId, String> {
	bitcloud_primitives::parse_account(text).map_err(|e| e.to_string())
}
