//! Keys: the sr25519 pairs that sign the client's transactions (and, with the receipts
//! protocol, its receipts), and the secret personal storage derives its keys from.

use crate::Error;
use bitcloud_primitives::AccountId;
use polkadot_sdk::sp_core::{
	crypto::{Ss58AddressFormat, Ss58Codec},
	sr25519, Pair,
};
use std::path::Path;
use zeroize::Zeroizing;

/// Bytes of [`Signer::vault_secret`]: the sr25519 secret scalar.
pub const VAULT_SECRET_LEN: usize = 32;

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

	/// The secret personal storage derives its keys from (`bitcloud_vault::VaultKeys::
	/// from_secret`): the sr25519 secret scalar, the first [`VAULT_SECRET_LEN`] bytes of the
	/// pair's raw secret (`to_raw_vec()`). It never leaves this machine; the same secret URI on
	/// a new machine gives the same bytes, and so every stored file back.
	///
	/// The other half of the raw secret, the signing nonce seed, is left out: a soft
	/// derivation (`phrase/soft`) draws it at random each time the pair is made, so it would
	/// give another vault on every run. The scalar is the same every time.
	pub fn vault_secret(&self) -> Zeroizing<Vec<u8>> {
		let mut raw = Zeroizing::new(self.pair.to_raw_vec());
		raw.truncate(VAULT_SECRET_LEN);
		raw
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_vault_secret_is_the_same_on_every_load() {
		for suri in [
			"//Alice",
			"//Alice/soft",
			"bottom drive obey lake curtain smoke basket hold race lonely fit walk//x/y",
		] {
			let first = Signer::from_suri(suri).unwrap().vault_secret();
			let again = Signer::from_suri(suri).unwrap().vault_secret();
			assert_eq!(first.len(), VAULT_SECRET_LEN, "{suri}");
			assert_eq!(first, again, "{suri}");
		}
		let alice = Signer::from_suri("//Alice").unwrap().vault_secret();
		let bob = Signer::from_suri("//Bob").unwrap().vault_secret();
		assert_ne!(alice, bob);
		assert!(bitcloud_vault::VaultKeys::from_secret(&alice).is_ok());
	}
}
