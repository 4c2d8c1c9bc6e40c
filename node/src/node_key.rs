//! The content node's account key (key type `bcnd`) in the keystore: where it comes from on
//! a test chain, and the one way the node signs with it (the duties' transactions, the
//! receipts an onion exit pays with).

use std::fmt;

use bitcloud_runtime::AccountId;
use polkadot_sdk::{
	sp_core::{crypto::KeyTypeId, sr25519},
	sp_keyring::Sr25519Keyring,
	sp_keystore::{Error as KeystoreError, KeystorePtr},
};

/// Key type of the content node's account key in the keystore
/// (`bitcloud-node key insert --key-type bcnd --scheme sr25519 --suri ...`).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bcnd");

/// Why the node's key did not sign.
#[derive(Debug)]
pub enum SignError {
	/// The keystore failed.
	Keystore(KeystoreError),
	/// The keystore holds no `bcnd` key of the account (never inserted, or removed since).
	KeyMissing,
}

impl fmt::Display for SignError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			SignError::Keystore(e) => write!(f, "keystore: {e}"),
			SignError::KeyMissing => write!(f, "the node's key left the keystore"),
		}
	}
}

impl std::error::Error for SignError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			SignError::Keystore(e) => Some(e),
			SignError::KeyMissing => None,
		}
	}
}

/// The node account's key, held by the keystore.
#[derive(Clone)]
pub struct NodeKey {
	keystore: KeystorePtr,
	account: AccountId,
}

impl NodeKey {
	/// The key of `account` in `keystore` (which may not hold it: see [`Self::is_present`]).
	pub fn new(keystore: KeystorePtr, account: AccountId) -> Self {
		NodeKey { keystore, account }
	}

	/// The account the key signs for.
	pub fn account(&self) -> &AccountId {
		&self.account
	}

	fn public(&self) -> sr25519::Public {
		sr25519::Public::from_raw(*self.account.as_ref())
	}

	/// Whether the keystore holds the key.
	pub fn is_present(&self) -> bool {
		self.keystore.has_keys(&[(self.public().to_vec(), KEY_TYPE)])
	}

	/// `payload` signed with the key.
	pub fn sign(&self, payload: &[u8]) -> Result<sr25519::Signature, SignError> {
		self.keystore
			.sr25519_sign(KEY_TYPE, &self.public(), payload)
			.map_err(SignError::Keystore)?
			.ok_or(SignError::KeyMissing)
	}

	/// On a test chain, a node account that is a well-known development account (Dave,
	/// Eve...) gets its key in the keystore, as `--alice` does for Aura and GRANDPA; other
	/// accounts are left alone.
	pub fn insert_dev_key(&self) -> Result<(), KeystoreError> {
		let Some(keyring) = dev_account(&self.account) else { return Ok(()) };
		self.keystore.sr25519_generate_new(KEY_TYPE, Some(&dev_seed(keyring))).map(drop)
	}
}

/// The well-known development account `account` is, if it is one.
pub fn dev_account(account: &AccountId) -> Option<Sr25519Keyring> {
	Sr25519Keyring::from_account_id(account)
}

/// The secret URI of a well-known development account: `//Alice`, `//Alice//stash`. (Not
/// `Sr25519Keyring::to_seed`, which gives `//AliceStash` for the stash accounts: a key of
/// another account.)
fn dev_seed(keyring: Sr25519Keyring) -> String {
	format!("//{}", <&'static str>::from(keyring))
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::Pair;

	#[test]
	fn dev_seeds_give_the_well_known_accounts_stashes_included() {
		for keyring in Sr25519Keyring::well_known() {
			let pair = sr25519::Pair::from_string(&dev_seed(keyring), None).expect("a valid URI");
			assert_eq!(AccountId::from(pair.public()), keyring.to_account_id(), "{keyring:?}");
		}
	}
}
