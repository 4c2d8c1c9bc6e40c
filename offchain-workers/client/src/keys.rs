//! Keys: the sr25519 pairs that sign the client's transactions (and, with the receipts
//! protocol, its receipts).

use crate::Error;
use bitcloud_primitives::AccountId;
use polkadot_sdk::sp_core::{
	crypto::{Ss58AddressFormat, Ss58Codec},
	sr25519, Pair,
};
use std::path::Path;

/// An account's key pair.
#[derive(Clone)]
pub struct Signer {
	pair: sr25519::Pair,
}

impl Signer {
	/// A signer from a secret URI: a mnemonic, `0x` seed, or a dev path such as `//Ferdie`
	/// (optionally `phrase//hard/soft`).
	pub fn from_suri(suri: &str) -> Result<Self, Error> {
		sr25519::Pair::from_string(suri.trim(), None)
			.map(|pair| Signer { pair })
			.map_err(|e| Error::Input(format!("not a usable secret: {e:?}")))
	}

	/// A signer from a key file written by [`Signer::generate`] (its first line is the
	/// secret URI).
	pub fn from_file(path: &Path) -> Result<Self, Error> {
		let text = std::fs::read_to_string(path)
			.map_err(|e| Error::Input(format!("cannot read key file {}: {e}", path.display())))?;
		Self::from_suri(text.lines().next().unwrap_or_default())
	}

	/// A new random key and its secret phrase (12 words).
	pub fn generate() -> (Self, String) {
		let (pair, phrase, _) = sr25519::Pair::generate_with_phrase(None);
		(Signer { pair }, phrase)
	}

	/// The account.
	pub fn account(&self) -> AccountId {
		self.pair.public().into()
	}

	/// The sr25519 pair.
	pub fn pair(&self) -> &sr25519::Pair {
		&self.pair
	}

	/// Signs `message`.
	pub fn sign(&self, message: &[u8]) -> sr25519::Signature {
		self.pair.sign(message)
	}
}

/// Writes a secret phrase to a new key file readable by its owner only; refuses to overwrite.
pub fn write_key_file(path: &Path, phrase: &str) -> Result<(), Error> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut file = options
		.open(path)
		.map_err(|e| Error::Input(format!("cannot create key file {}: {e}", path.display())))?;
	writeln!(file, "{phrase}")
		.and_then(|()| file.sync_all())
		.map_err(|e| Error::Local(format!("cannot write key file {}: {e}", path.display())))
}

/// An account in Bitcloud's SS58 form.
pub fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
}

/// 32 bytes written as `0x` and 64 hex digits (accounts, onion keys), if `text` is that.
pub use bitcloud_primitives::parse_hex32;

/// Parses an account: SS58 (any prefix) or `0x` and 64 hex digits (the one parser of
/// `bitcloud_primitives`, which the node's command line uses too).
pub fn parse_account(text: &str) -> Result<AccountId, Error> {
	bitcloud_primitives::parse_account(text)
		.map_err(|e| Error::Input(format!("{text} is not an account: {e}")))
}
