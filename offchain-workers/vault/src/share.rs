//! Shares: a file's key and where to find it, sealed to another account's public key
//! (NaCl's anonymous sealed box, libsodium's `crypto_box_seal`).

use crate::{
	index::check_lengths,
	keys::{CheckedOsRng, FileKey, VaultKeys, KEY_LEN},
	Error, Result,
};
use codec::{Compact, CompactLen, Decode, Encode, Input};
use curve25519_dalek::MontgomeryPoint;
use zeroize::Zeroizing;

/// The longest name of a shared file, in bytes.
pub const MAX_NAME_LEN: usize = 255;
/// The longest capsule, in bytes (the longest name gives 386).
pub const MAX_CAPSULE_LEN: usize = 512;
/// The version byte that starts a capsule's plaintext.
pub const SHARE_VERSION: u8 = 1;
/// Bytes a sealed box adds: the ephemeral public key and the tag.
pub const SEAL_OVERHEAD: usize = crypto_box::SEALBYTES;

/// A file given to another account: enough to fetch it by id and decrypt it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedFile {
	/// The file's name: one path component (see [`validate_name`]).
	pub name: String,
	/// The content id (BLAKE3 root) of the ciphertext.
	pub id: [u8; 32],
	/// Bytes of the ciphertext.
	pub cipher_len: u64,
	/// Bytes of the plaintext.
	pub plain_len: u64,
	/// The key the file was encrypted with.
	pub file_key: FileKey,
}

/// Checks that `name` is one file name: 1 to [`MAX_NAME_LEN`] bytes, no `/` or NUL, not
/// `.` or `..`.
pub fn validate_name(name: &str) -> Result<()> {
	if name.len() > MAX_NAME_LEN {
		return Err(Error::LimitExceeded {
			what: "shared file name bytes",
			limit: MAX_NAME_LEN as u64,
			actual: name.len() as u64,
		});
	}
	if name.is_empty() {
		return Err(Error::InvalidName("empty"));
	}
	if name.contains('/') || name.contains('\0') {
		return Err(Error::InvalidName("contains '/' or a NUL byte"));
	}
	if name == "." || name == ".." {
		return Err(Error::InvalidName("'.' or '..'"));
	}
	Ok(())
}

impl SharedFile {
	/// Checks the name and that the lengths agree.
	pub fn validate(&self) -> Result<()> {
		validate_name(&self.name)?;
		check_lengths(self.cipher_len, self.plain_len)
	}

	/// [`SHARE_VERSION`], name (SCALE `String`), id, lengths (u64 little endian), key;
	/// allocated once at its exact size.
	fn encode(&self) -> Zeroizing<Vec<u8>> {
		let len =
			1 + Compact::<u32>::compact_len(&(self.name.len() as u32))
				+ self.name.len()
				+ 32 + 8 + 8 + KEY_LEN;
		let mut out = Zeroizing::new(Vec::with_capacity(len));
		out.push(SHARE_VERSION);
		self.name.as_bytes().encode_to(&mut *out);
		self.id.encode_to(&mut *out);
		self.cipher_len.encode_to(&mut *out);
		self.plain_len.encode_to(&mut *out);
		out.extend_from_slice(self.file_key.as_bytes());
		out
	}

	fn decode(mut input: &[u8]) -> Result<SharedFile> {
		let malformed = |_| Error::Malformed("share");
		let version = u8::decode(&mut input).map_err(malformed)?;
		if version != SHARE_VERSION {
			return Err(Error::UnsupportedVersion(version));
		}
		let name_len = Compact::<u32>::decode(&mut input).map_err(malformed)?.0 as usize;
		if name_len > MAX_NAME_LEN {
			return Err(Error::LimitExceeded {
				what: "shared file name bytes",
				limit: MAX_NAME_LEN as u64,
				actual: name_len as u64,
			});
		}
		let mut name = vec![0u8; name_len];
		input.read(&mut name).map_err(malformed)?;
		let name = String::from_utf8(name).map_err(|_| Error::InvalidName("not UTF-8"))?;
		let id = <[u8; 32]>::decode(&mut input).map_err(malformed)?;
		let cipher_len = u64::decode(&mut input).map_err(malformed)?;
		let plain_len = u64::decode(&mut input).map_err(malformed)?;
		let mut file_key = FileKey::from_bytes([0; KEY_LEN]);
		input.read(file_key.bytes_mut()).map_err(malformed)?;
		if !input.is_empty() {
			return Err(Error::Malformed("bytes after the share"));
		}
		let file = SharedFile { name, id, cipher_len, plain_len, file_key };
		file.validate()?;
		Ok(file)
	}
}

/// Seals `file` to the account whose public key (from its
/// [`VaultKeys::public_key`], published on chain) is `recipient_public`. The capsule is
/// anonymous: it does not tell, nor prove, who sealed it. At most [`MAX_CAPSULE_LEN`]
/// bytes; refuses an invalid name (longer than [`MAX_NAME_LEN`] bytes, say) and a
/// low-order public key.
pub fn seal_share(recipient_public: &[u8; 32], file: &SharedFile) -> Result<Vec<u8>> {
	file.validate()?;
	// What libsodium refuses: a key whose shared secret is the same for every sender.
	if MontgomeryPoint(*recipient_public).mul_clamped([0x55; 32]).to_bytes() == [0; 32] {
		return Err(Error::InvalidPublicKey);
	}
	let plain = file.encode();
	let mut rng = CheckedOsRng::default();
	let capsule = crypto_box::PublicKey::from_bytes(*recipient_public)
		.seal(&mut rng, &plain)
		.map_err(|_| Error::Malformed("the sealed box refused the share"))?;
	if let Some(e) = rng.error {
		return Err(Error::Rng(e));
	}
	if capsule.len() > MAX_CAPSULE_LEN {
		return Err(Error::LimitExceeded {
			what: "capsule bytes",
			limit: MAX_CAPSULE_LEN as u64,
			actual: capsule.len() as u64,
		});
	}
	Ok(capsule)
}

/// Opens a capsule sealed to `keys`' public key. Fails with [`Error::Authentication`] if
/// it was sealed to another key or changed; the file itself is then fetched by its id and
/// decrypted with its key, which authenticates every byte.
pub fn open_share(keys: &VaultKeys, capsule: &[u8]) -> Result<SharedFile> {
	if capsule.len() > MAX_CAPSULE_LEN {
		return Err(Error::LimitExceeded {
			what: "capsule bytes",
			limit: MAX_CAPSULE_LEN as u64,
			actual: capsule.len() as u64,
		});
	}
	let plain =
		Zeroizing::new(keys.share_secret().unseal(capsule).map_err(|_| Error::Authentication)?);
	SharedFile::decode(&plain)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::ciphertext_len;

	fn file(name: &str) -> SharedFile {
		SharedFile {
			name: name.to_owned(),
			id: [1; 32],
			cipher_len: ciphertext_len(1000),
			plain_len: 1000,
			file_key: FileKey::from_bytes([2; 32]),
		}
	}

	#[test]
	fn longest_capsule_fits() {
		let keys = VaultKeys::from_secret(&[1; 32]).unwrap();
		let capsule = seal_share(&keys.public_key(), &file(&"n".repeat(MAX_NAME_LEN))).unwrap();
		assert_eq!(capsule.len(), 386);
		assert_eq!(open_share(&keys, &capsule).unwrap().name.len(), MAX_NAME_LEN);
	}

	#[test]
	fn low_order_keys_are_refused() {
		// u = 0 (order 2), u = 1 (order 4) and a point of order 8.
		let mut one = [0u8; 32];
		one[0] = 1;
		let mut eight = [0u8; 32];
		hex::decode_to_slice(
			"e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
			&mut eight,
		)
		.unwrap();
		for key in [[0u8; 32], one, eight] {
			assert!(matches!(seal_share(&key, &file("a")), Err(Error::InvalidPublicKey)));
		}
	}

	#[test]
	fn bad_plaintexts_are_refused() {
		let keys = VaultKeys::from_secret(&[1; 32]).unwrap();
		let seal = |plain: &[u8]| {
			crypto_box::PublicKey::from_bytes(keys.public_key())
				.seal(&mut CheckedOsRng::default(), plain)
				.unwrap()
		};
		let mut plain = file("a").encode().to_vec();
		plain.push(0);
		assert!(matches!(open_share(&keys, &seal(&plain)), Err(Error::Malformed(_))));
		let mut plain = file("a").encode().to_vec();
		plain[0] = 9;
		assert!(matches!(open_share(&keys, &seal(&plain)), Err(Error::UnsupportedVersion(9))));
		let plain = file("..").encode();
		assert!(matches!(open_share(&keys, &seal(&plain)), Err(Error::InvalidName(_))));
		let mut bad = file("a");
		bad.plain_len += 1;
		assert!(matches!(open_share(&keys, &seal(&bad.encode())), Err(Error::InvalidLength(_))));
		assert!(matches!(open_share(&keys, &[0; 10]), Err(Error::Authentication)));
		assert!(matches!(open_share(&keys, &[0; 513]), Err(Error::LimitExceeded { .. })));
	}
}
