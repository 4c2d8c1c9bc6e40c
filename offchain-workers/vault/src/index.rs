//! The encrypted index: the list of an account's files with the key of each, sealed with
//! the index key so that the account's secret alone recovers everything.

use crate::{
	format::{ciphertext_len, decrypt_with, encrypt_with, plaintext_len},
	keys::{random, FileKey, VaultKeys, KEY_LEN},
	Error, Result,
};
use codec::{Compact, CompactLen, Decode, Encode, Input};
use zeroize::Zeroizing;

/// The most entries of an index.
pub const MAX_ENTRIES: usize = 65_536;
/// The longest path of an entry, in bytes.
pub const MAX_PATH_LEN: usize = 4_096;
/// The version byte that starts the index's plaintext.
pub const INDEX_VERSION: u8 = 1;
/// Bytes of the random salt in front of a sealed index.
pub const INDEX_SALT_LEN: usize = 32;
/// The longest index plaintext: every entry at its longest.
pub const MAX_INDEX_PLAIN_LEN: usize = 1 + 4 + MAX_ENTRIES * MAX_ENTRY_LEN;
/// The longest encoded entry: path (2-byte length and 4,096 bytes), id, lengths, key and
/// a lease.
const MAX_ENTRY_LEN: usize = 2 + MAX_PATH_LEN + 32 + 8 + 8 + KEY_LEN + 9;
/// The shortest encoded entry: a one-byte path and no lease.
const MIN_ENTRY_LEN: usize = 2 + 32 + 8 + 8 + KEY_LEN + 1;

/// One file of the index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
	/// Where the file is: relative, `/`-separated, no empty, `.` or `..` component, at most
	/// [`MAX_PATH_LEN`] bytes (see [`validate_path`]).
	pub path: String,
	/// The content id (BLAKE3 root) of the file's ciphertext.
	pub id: [u8; 32],
	/// Bytes of the ciphertext, [`ciphertext_len`] of `plain_len`.
	pub cipher_len: u64,
	/// Bytes of the plaintext.
	pub plain_len: u64,
	/// The key the file was encrypted with.
	pub file_key: FileKey,
	/// The storage lease (its `LeaseId`) that keeps the ciphertext on nodes, if any.
	pub lease: Option<u64>,
}

/// The account's files. Sealed with [`Index::seal`] and stored like any file; opened on
/// any machine with [`Index::open`] and the keys from the same secret.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Index {
	/// The entries, in no particular order; paths are unique.
	pub entries: Vec<IndexEntry>,
}

/// Checks that `path` is relative, `/`-separated and canonical: not empty, at most
/// [`MAX_PATH_LEN`] bytes, no leading `/`, no empty component (`//`, trailing `/`), no `.`
/// or `..` component and no NUL byte, so that joining it to a folder stays in that folder.
pub fn validate_path(path: &str) -> Result<()> {
	if path.len() > MAX_PATH_LEN {
		return Err(Error::LimitExceeded {
			what: "path bytes",
			limit: MAX_PATH_LEN as u64,
			actual: path.len() as u64,
		});
	}
	let invalid = |reason| Err(Error::InvalidPath { path: path.to_owned(), reason });
	if path.is_empty() {
		return invalid("empty");
	}
	if path.starts_with('/') {
		return invalid("absolute (starts with '/')");
	}
	if path.contains('\0') {
		return invalid("contains a NUL byte");
	}
	for component in path.split('/') {
		match component {
			"" => return invalid("empty component ('//' or a trailing '/')"),
			".." => return invalid("'..' component"),
			"." => return invalid("'.' component"),
			_ => {},
		}
	}
	Ok(())
}

/// Checks that `cipher_len` is the ciphertext length of `plain_len` plaintext bytes.
pub(crate) fn check_lengths(cipher_len: u64, plain_len: u64) -> Result<()> {
	if plaintext_len(cipher_len)? != plain_len {
		return Err(Error::InvalidLength(cipher_len));
	}
	Ok(())
}

impl IndexEntry {
	/// Checks the path and that the lengths agree.
	pub fn validate(&self) -> Result<()> {
		validate_path(&self.path)?;
		check_lengths(self.cipher_len, self.plain_len)
	}

	fn encoded_len(&self) -> usize {
		Compact::<u32>::compact_len(&(self.path.len() as u32))
			+ self.path.len()
			+ 32 + 8 + 8
			+ KEY_LEN + self.lease.encoded_size()
	}

	fn encode_to(&self, out: &mut Vec<u8>) {
		self.path.as_bytes().encode_to(out);
		self.id.encode_to(out);
		self.cipher_len.encode_to(out);
		self.plain_len.encode_to(out);
		out.extend_from_slice(self.file_key.as_bytes());
		self.lease.encode_to(out);
	}

	fn decode(input: &mut &[u8]) -> Result<IndexEntry> {
		let malformed = |_| Error::Malformed("index entry");
		let path_len = Compact::<u32>::decode(input).map_err(malformed)?.0 as usize;
		if path_len > MAX_PATH_LEN {
			return Err(Error::LimitExceeded {
				what: "path bytes",
				limit: MAX_PATH_LEN as u64,
				actual: path_len as u64,
			});
		}
		let mut path = vec![0u8; path_len];
		input.read(&mut path).map_err(malformed)?;
		let path = String::from_utf8(path).map_err(|_| Error::Malformed("path is not UTF-8"))?;
		let id = <[u8; 32]>::decode(input).map_err(malformed)?;
		let cipher_len = u64::decode(input).map_err(malformed)?;
		let plain_len = u64::decode(input).map_err(malformed)?;
		let mut file_key = FileKey::from_bytes([0; KEY_LEN]);
		input.read(file_key.bytes_mut()).map_err(malformed)?;
		let lease = Option::<u64>::decode(input).map_err(malformed)?;
		let entry = IndexEntry { path, id, cipher_len, plain_len, file_key, lease };
		entry.validate()?;
		Ok(entry)
	}
}

impl Index {
	/// An empty index.
	pub fn new() -> Index {
		Index::default()
	}

	/// Adds `entry`, or replaces the entry of the same path (which is returned). Refuses an
	/// invalid entry, or a new one past [`MAX_ENTRIES`].
	pub fn insert(&mut self, entry: IndexEntry) -> Result<Option<IndexEntry>> {
		entry.validate()?;
		if let Some(old) = self.entries.iter_mut().find(|e| e.path == entry.path) {
			return Ok(Some(std::mem::replace(old, entry)));
		}
		if self.entries.len() >= MAX_ENTRIES {
			return Err(Error::LimitExceeded {
				what: "index entries",
				limit: MAX_ENTRIES as u64,
				actual: self.entries.len() as u64 + 1,
			});
		}
		self.entries.push(entry);
		Ok(None)
	}

	/// Removes the entry of `path` and returns it.
	pub fn remove(&mut self, path: &str) -> Option<IndexEntry> {
		let at = self.entries.iter().position(|e| e.path == path)?;
		Some(self.entries.swap_remove(at))
	}

	/// The entry of `path`.
	pub fn get(&self, path: &str) -> Option<&IndexEntry> {
		self.entries.iter().find(|e| e.path == path)
	}

	/// The entries sorted by path (byte order).
	pub fn sorted(&self) -> Vec<&IndexEntry> {
		let mut sorted: Vec<&IndexEntry> = self.entries.iter().collect();
		sorted.sort_by(|a, b| a.path.cmp(&b.path));
		sorted
	}

	/// Checks every bound: at most [`MAX_ENTRIES`] entries, each valid, paths unique.
	pub fn validate(&self) -> Result<()> {
		if self.entries.len() > MAX_ENTRIES {
			return Err(Error::LimitExceeded {
				what: "index entries",
				limit: MAX_ENTRIES as u64,
				actual: self.entries.len() as u64,
			});
		}
		for entry in &self.entries {
			entry.validate()?;
		}
		let sorted = self.sorted();
		if let Some(pair) = sorted.windows(2).find(|pair| pair[0].path == pair[1].path) {
			return Err(Error::InvalidPath {
				path: pair[0].path.clone(),
				reason: "more than one entry has it",
			});
		}
		Ok(())
	}

	/// The plaintext: [`INDEX_VERSION`], then the entries as SCALE's `Vec`. Allocated once
	/// at its exact size, so no copy of a file key is left in freed memory.
	fn encode(&self) -> Zeroizing<Vec<u8>> {
		let count = self.entries.len() as u32;
		let len = 1
			+ Compact::<u32>::compact_len(&count)
			+ self.entries.iter().map(IndexEntry::encoded_len).sum::<usize>();
		let mut out = Zeroizing::new(Vec::with_capacity(len));
		out.push(INDEX_VERSION);
		Compact(count).encode_to(&mut *out);
		for entry in &self.entries {
			entry.encode_to(&mut out);
		}
		out
	}

	fn decode(mut input: &[u8]) -> Result<Index> {
		let malformed = |_| Error::Malformed("index");
		let version = u8::decode(&mut input).map_err(malformed)?;
		if version != INDEX_VERSION {
			return Err(Error::UnsupportedVersion(version));
		}
		let count = Compact::<u32>::decode(&mut input).map_err(malformed)?.0 as usize;
		if count > MAX_ENTRIES {
			return Err(Error::LimitExceeded {
				what: "index entries",
				limit: MAX_ENTRIES as u64,
				actual: count as u64,
			});
		}
		// No more room than the bytes left can fill.
		let mut entries = Vec::with_capacity(count.min(input.len() / MIN_ENTRY_LEN));
		for _ in 0..count {
			entries.push(IndexEntry::decode(&mut input)?);
		}
		if !input.is_empty() {
			return Err(Error::Malformed("bytes after the index's last entry"));
		}
		let index = Index { entries };
		index.validate()?;
		Ok(index)
	}

	/// The index encrypted for `keys`: a fresh random salt of [`INDEX_SALT_LEN`] bytes,
	/// then the encoded index in the segmented format under the key derived from the index
	/// key and that salt (so that a key never meets many nonce prefixes). Refuses an index
	/// that [`Index::validate`] refuses.
	pub fn seal(&self, keys: &VaultKeys) -> Result<Vec<u8>> {
		self.validate()?;
		seal_plaintext(keys, &self.encode())
	}

	/// Opens an index sealed by [`Index::seal`] with the keys of the same secret. Fails
	/// with [`Error::Authentication`] on a wrong key or changed bytes, and refuses an index
	/// past the bounds ([`MAX_ENTRIES`], [`MAX_PATH_LEN`]) or with an invalid path.
	pub fn open(keys: &VaultKeys, sealed: &[u8]) -> Result<Index> {
		let limit = INDEX_SALT_LEN as u64 + ciphertext_len(MAX_INDEX_PLAIN_LEN as u64);
		if sealed.len() as u64 > limit {
			return Err(Error::LimitExceeded {
				what: "sealed index bytes",
				limit,
				actual: sealed.len() as u64,
			});
		}
		let (salt, body) = sealed
			.split_at_checked(INDEX_SALT_LEN)
			.ok_or(Error::InvalidLength(sealed.len() as u64))?;
		let plain_len = plaintext_len(body.len() as u64)? as usize;
		let key = keys.index_seal_key(salt)?;
		let mut plain = Zeroizing::new(Vec::with_capacity(plain_len));
		decrypt_with(&key, body, &mut *plain, body.len() as u64)?;
		Index::decode(&plain)
	}
}

/// Seals index plaintext (checked or not) for `keys`.
fn seal_plaintext(keys: &VaultKeys, plain: &[u8]) -> Result<Vec<u8>> {
	let mut salt = [0u8; INDEX_SALT_LEN];
	random(&mut salt)?;
	let key = keys.index_seal_key(&salt)?;
	let sealed_len = INDEX_SALT_LEN as u64 + ciphertext_len(plain.len() as u64);
	let mut sealed = Vec::with_capacity(usize::try_from(sealed_len).unwrap_or(0));
	sealed.extend_from_slice(&salt);
	encrypt_with(&key, plain, &mut sealed)?;
	Ok(sealed)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::SEGMENT_LEN;

	fn entry(path: &str) -> IndexEntry {
		IndexEntry {
			path: path.to_owned(),
			id: [3; 32],
			cipher_len: ciphertext_len(10),
			plain_len: 10,
			file_key: FileKey::from_bytes([4; 32]),
			lease: None,
		}
	}

	fn keys() -> VaultKeys {
		VaultKeys::from_secret(&[5; 32]).unwrap()
	}

	/// Seals entries past the checks of `seal`, as a buggy or hostile writer with the key
	/// could.
	fn seal_unchecked(index: &Index) -> Vec<u8> {
		seal_plaintext(&keys(), &index.encode()).unwrap()
	}

	#[test]
	fn encoding_is_scale() {
		let mut e = entry("a/b");
		e.lease = Some(7);
		let index = Index { entries: vec![e] };
		let plain = index.encode();
		assert_eq!(plain.len(), plain.capacity());
		let mut expected = vec![INDEX_VERSION];
		expected.extend(Compact(1u32).encode());
		expected.extend("a/b".encode());
		expected.extend([3u8; 32]);
		expected.extend(ciphertext_len(10).encode());
		expected.extend(10u64.encode());
		expected.extend([4u8; 32]);
		expected.extend(Some(7u64).encode());
		assert_eq!(&plain[..], &expected[..]);
		assert_eq!(Index::decode(&plain).unwrap(), index);
	}

	#[test]
	fn opening_refuses_bad_paths() {
		for path in ["../etc/passwd", "a/../b", "/abs", "a//b", "a/", "", "./a", "a\0b"] {
			let sealed = seal_unchecked(&Index { entries: vec![entry(path)] });
			assert!(
				matches!(Index::open(&keys(), &sealed), Err(Error::InvalidPath { .. })),
				"{path:?}"
			);
		}
		let long = "a".repeat(MAX_PATH_LEN + 1);
		let sealed = seal_unchecked(&Index { entries: vec![entry(&long)] });
		assert!(matches!(
			Index::open(&keys(), &sealed),
			Err(Error::LimitExceeded { what: "path bytes", .. })
		));
		let sealed = seal_unchecked(&Index { entries: vec![entry("a"), entry("a")] });
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::InvalidPath { .. })));
	}

	#[test]
	fn opening_refuses_too_many_entries() {
		let entries = (0..=MAX_ENTRIES).map(|i| entry(&i.to_string())).collect();
		let sealed = seal_unchecked(&Index { entries });
		assert!(sealed.len() > SEGMENT_LEN);
		assert!(matches!(
			Index::open(&keys(), &sealed),
			Err(Error::LimitExceeded { what: "index entries", .. })
		));
	}

	#[test]
	fn opening_refuses_bad_encodings() {
		// An announced count with no entries, a path length past the bound (before any
		// allocation), trailing bytes, another version.
		let mut plain = vec![INDEX_VERSION];
		plain.extend(Compact(3u32).encode());
		let sealed = seal_plaintext(&keys(), &plain).unwrap();
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::Malformed(_))));

		let mut plain = vec![INDEX_VERSION];
		plain.extend(Compact(1u32).encode());
		plain.extend(Compact(u32::MAX).encode());
		let sealed = seal_plaintext(&keys(), &plain).unwrap();
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::LimitExceeded { .. })));

		let mut plain = Index { entries: vec![entry("a")] }.encode().to_vec();
		plain.push(0);
		let sealed = seal_plaintext(&keys(), &plain).unwrap();
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::Malformed(_))));

		let mut plain = Index::new().encode().to_vec();
		plain[0] = 2;
		let sealed = seal_plaintext(&keys(), &plain).unwrap();
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::UnsupportedVersion(2))));

		let mut bad = entry("a");
		bad.cipher_len += 1;
		let sealed = seal_unchecked(&Index { entries: vec![bad] });
		assert!(matches!(Index::open(&keys(), &sealed), Err(Error::InvalidLength(_))));
	}
}
