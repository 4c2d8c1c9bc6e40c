//! Keys: those derived from the account's secret, and the random key of each file.

use crate::{Error, Result};
use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Bytes of every symmetric key and of X25519 keys.
pub const KEY_LEN: usize = 32;

/// The shortest secret [`VaultKeys::from_secret`] accepts: a secret shorter than 128 bits
/// is not an account's secret, and would give every user of it the same files.
pub const MIN_SECRET_LEN: usize = 16;

/// HKDF-SHA256 salt of [`VaultKeys::from_secret`]: names the format and its version.
pub const KDF_SALT: &[u8] = b"bitcloud-vault v1";
/// HKDF `info` of the index key.
pub const KDF_INFO_INDEX: &[u8] = b"bitcloud-vault v1 index key";
/// HKDF `info` of the X25519 secret that opens shares.
pub const KDF_INFO_SHARE: &[u8] = b"bitcloud-vault v1 x25519 share key";
/// HKDF `info` of the key that seals one version of the index (the salt is random and
/// stored in front of it; the input key is the index key).
pub const KDF_INFO_INDEX_SEAL: &[u8] = b"bitcloud-vault v1 index seal";

/// `okm` from HKDF-SHA256.
fn hkdf(salt: &[u8], ikm: &[u8], info: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>> {
	let mut okm = Zeroizing::new([0u8; KEY_LEN]);
	// Expanding 32 bytes (far below 255 hashes) cannot fail; the error is kept anyway.
	Hkdf::<Sha256>::new(Some(salt), ikm)
		.expand(info, &mut okm[..])
		.map_err(|_| Error::Malformed("HKDF output length"))?;
	Ok(okm)
}

/// Fills `bytes` from the operating system's random number generator.
pub(crate) fn random(bytes: &mut [u8]) -> Result<()> {
	OsRng.try_fill_bytes(bytes)?;
	Ok(())
}

/// The operating system's random number generator for crates that take an `RngCore` and
/// would panic on its failure: the first error is kept, to be returned once the crate is
/// done (and its output thrown away).
#[derive(Default)]
pub(crate) struct CheckedOsRng {
	pub(crate) error: Option<rand_core::Error>,
}

impl RngCore for CheckedOsRng {
	fn next_u32(&mut self) -> u32 {
		rand_core::impls::next_u32_via_fill(self)
	}

	fn next_u64(&mut self) -> u64 {
		rand_core::impls::next_u64_via_fill(self)
	}

	fn fill_bytes(&mut self, dest: &mut [u8]) {
		if let Err(e) = OsRng.try_fill_bytes(dest) {
			self.error.get_or_insert(e);
		}
	}

	fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
		OsRng.try_fill_bytes(dest)
	}
}

impl rand_core::CryptoRng for CheckedOsRng {}

/// The keys of an account's vault, derived from the account's secret: the same secret on
/// a new machine gives the same keys, and so every file back.
///
/// Holds the index key (which seals the [`Index`](crate::Index)) and the X25519 secret
/// (which opens shares); both are zeroized on drop. The public X25519 key is published on
/// chain so that others can share with the account.
pub struct VaultKeys {
	index_key: Zeroizing<[u8; KEY_LEN]>,
	share_secret: Zeroizing<[u8; KEY_LEN]>,
	public: [u8; KEY_LEN],
}

impl VaultKeys {
	/// Derives the keys from the account's secret (its seed): HKDF-SHA256 with salt
	/// [`KDF_SALT`], expanded with [`KDF_INFO_INDEX`] and [`KDF_INFO_SHARE`].
	///
	/// Fails with [`Error::WeakSecret`] on a secret shorter than [`MIN_SECRET_LEN`].
	pub fn from_secret(secret: &[u8]) -> Result<VaultKeys> {
		if secret.len() < MIN_SECRET_LEN {
			return Err(Error::WeakSecret(secret.len()));
		}
		let index_key = hkdf(KDF_SALT, secret, KDF_INFO_INDEX)?;
		let share_secret = hkdf(KDF_SALT, secret, KDF_INFO_SHARE)?;
		let public = box_secret(&share_secret).public_key().to_bytes();
		Ok(VaultKeys { index_key, share_secret, public })
	}

	/// The X25519 public key (Montgomery u-coordinate) that others seal shares to.
	pub fn public_key(&self) -> [u8; KEY_LEN] {
		self.public
	}

	/// The index key, for tests.
	#[cfg(test)]
	pub(crate) fn index_key(&self) -> &[u8; KEY_LEN] {
		&self.index_key
	}

	/// The X25519 secret as `crypto_box` takes it.
	pub(crate) fn share_secret(&self) -> crypto_box::SecretKey {
		box_secret(&self.share_secret)
	}

	/// The key that seals (or opens) the index version with this `salt`.
	pub(crate) fn index_seal_key(&self, salt: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>> {
		hkdf(salt, &self.index_key[..], KDF_INFO_INDEX_SEAL)
	}

	/// The raw X25519 secret, for tests.
	#[cfg(test)]
	pub(crate) fn share_secret_bytes(&self) -> &[u8; KEY_LEN] {
		&self.share_secret
	}
}

/// `crypto_box`'s key from our bytes. crypto_box 0.9 zeroizes its scalar on drop but not
/// its copy of the bytes, so the long-lived secret stays in our zeroizing buffer and this
/// key only lives for one operation.
fn box_secret(bytes: &[u8; KEY_LEN]) -> crypto_box::SecretKey {
	crypto_box::SecretKey::from_bytes(*bytes)
}

impl fmt::Debug for VaultKeys {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.debug_struct("VaultKeys").field("public", &self.public).finish_non_exhaustive()
	}
}

/// The key of one file: 32 random bytes, stored only inside the encrypted index (or a
/// share). Zeroized on drop; its `Debug` shows nothing of it.
///
/// Use a new key for every encryption: [`encrypt`](crate::encrypt) picks a random 56-bit
/// nonce prefix, which is safe for a few encryptions under one key, not for millions.
#[derive(Clone)]
pub struct FileKey([u8; KEY_LEN]);

impl FileKey {
	/// A new key from the operating system's random number generator.
	pub fn generate() -> Result<FileKey> {
		let mut key = FileKey([0; KEY_LEN]);
		random(&mut key.0)?;
		Ok(key)
	}

	/// The key stored earlier as [`FileKey::as_bytes`].
	pub fn from_bytes(bytes: [u8; KEY_LEN]) -> FileKey {
		FileKey(bytes)
	}

	/// The key's bytes, to store in the encrypted index.
	pub fn as_bytes(&self) -> &[u8; KEY_LEN] {
		&self.0
	}

	/// Where to decode a key into, so that no other copy is made.
	pub(crate) fn bytes_mut(&mut self) -> &mut [u8; KEY_LEN] {
		&mut self.0
	}
}

impl Drop for FileKey {
	fn drop(&mut self) {
		self.0.zeroize();
	}
}

impl zeroize::ZeroizeOnDrop for FileKey {}

/// Constant time.
impl PartialEq for FileKey {
	fn eq(&self, other: &Self) -> bool {
		self.0.ct_eq(&other.0).into()
	}
}

impl Eq for FileKey {}

impl fmt::Debug for FileKey {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		f.write_str("FileKey(..)")
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn derivation_is_deterministic_and_separated() {
		let a = VaultKeys::from_secret(&[1; 32]).unwrap();
		let a2 = VaultKeys::from_secret(&[1; 32]).unwrap();
		let b = VaultKeys::from_secret(&[2; 32]).unwrap();
		assert_eq!(a.index_key(), a2.index_key());
		assert_eq!(a.share_secret_bytes(), a2.share_secret_bytes());
		assert_eq!(a.public_key(), a2.public_key());
		assert_ne!(a.index_key(), a.share_secret_bytes());
		assert_ne!(a.index_key(), b.index_key());
		assert_ne!(a.share_secret_bytes(), b.share_secret_bytes());
		assert_ne!(a.public_key(), b.public_key());
		assert_ne!(&a.public_key(), a.index_key());
	}

	#[test]
	fn index_seal_keys_depend_on_the_salt() {
		let keys = VaultKeys::from_secret(&[1; 32]).unwrap();
		let one = keys.index_seal_key(&[0; 32]).unwrap();
		let two = keys.index_seal_key(&[1; 32]).unwrap();
		assert_ne!(*one, *two);
		assert_ne!(&*one, keys.index_key());
	}

	/// Pins the derivation: a change here loses every user's files. Never update these
	/// values; add a new format version instead. Computed by another implementation
	/// (Python's `cryptography`: HKDF-SHA256 and X25519).
	#[test]
	fn known_answer() {
		let secret: Vec<u8> = (0u8..32).collect();
		let keys = VaultKeys::from_secret(&secret).unwrap();
		assert_eq!(
			hex::encode(keys.index_key()),
			"e9b7f9a8cf80db8dd2e55e1f44e54105bf766d8437f510b46b27a7fee65a9cf8"
		);
		assert_eq!(
			hex::encode(keys.share_secret_bytes()),
			"862bb5c44cf11d80c0b41de942024a887db20543d45c14eb78fb53c55f04b130"
		);
		assert_eq!(
			hex::encode(keys.public_key()),
			"58158c2615b1aeb7c148bbcf92e6deedd217bb524f5e0ee5d15af3e28d37f912"
		);
		let seal = keys.index_seal_key(&[7; 32]).unwrap();
		assert_eq!(
			hex::encode(*seal),
			"c4418669bf4f0aa53c727331e295d7357ff89d9d2e4599cf368f723d0b09abb7"
		);
	}

	#[test]
	fn short_secrets_are_refused() {
		assert!(matches!(VaultKeys::from_secret(&[]), Err(Error::WeakSecret(0))));
		assert!(matches!(VaultKeys::from_secret(&[1; 15]), Err(Error::WeakSecret(15))));
		assert!(VaultKeys::from_secret(&[1; 16]).is_ok());
	}

	#[test]
	fn file_keys_are_random_and_hidden() {
		let a = FileKey::generate().unwrap();
		let b = FileKey::generate().unwrap();
		assert_ne!(a, b);
		assert_eq!(FileKey::from_bytes(*a.as_bytes()), a);
		assert_eq!(format!("{a:?}"), "FileKey(..)");
		let keys = VaultKeys::from_secret(&[1; 32]).unwrap();
		let shown = format!("{keys:?}");
		assert!(!shown.contains(&format!("{:?}", keys.index_key())));
	}
}
