//! Files on this machine: plaintext encrypted into a ciphertext file before it leaves, and a
//! downloaded ciphertext decrypted into the output, which appears only once every byte is
//! authentic. Ciphertexts in transit live in a [`Scratch`] directory, removed after.

use super::errors::vault_error;
use crate::{publish::content_id_of, Error};
use bitcloud_primitives::ContentId;
use bitcloud_vault::FileKey;
use std::{
	cell::Cell,
	ffi::OsString,
	fs::{self, File},
	io::{BufReader, BufWriter, Read},
	path::{Path, PathBuf},
	time::{SystemTime, UNIX_EPOCH},
};

/// A directory of its own in the system's temporary directory (readable by this user only),
/// removed with everything in it when dropped.
pub struct Scratch {
	dir: PathBuf,
	next: Cell<u64>,
}

impl Scratch {
	/// A new, empty scratch directory.
	pub fn new() -> Result<Self, Error> {
		let base = std::env::temp_dir();
		let stamp = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
		let mut last = None;
		// A name taken already (by another run, or planted) is never reused: the next one is
		// tried.
		for attempt in 0..16u32 {
			let dir = base.join(format!("bitcloud-store-{}-{stamp}-{attempt}", std::process::id()));
			match create_private_dir(&dir) {
				Ok(()) => return Ok(Scratch { dir, next: Cell::new(0) }),
				Err(e) => last = Some(e),
			}
		}
		let why = last.map(|e| e.to_string()).unwrap_or_default();
		Err(Error::Local(format!("cannot create a directory in {}: {why}", base.display())))
	}

	/// A new path in the directory (nothing is created), its name ending in `suffix`.
	pub fn path(&self, suffix: &str) -> PathBuf {
		let n = self.next.get();
		self.next.set(n + 1);
		self.dir.join(format!("{n}.{suffix}"))
	}

	/// The directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}
}

impl Drop for Scratch {
	fn drop(&mut self) {
		let _ = fs::remove_dir_all(&self.dir);
	}
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
	let mut builder = fs::DirBuilder::new();
	#[cfg(unix)]
	std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
	builder.create(dir)
}

/// A file encrypted for storage: its ciphertext on disk, the ciphertext's content id and
/// length, the plaintext's length and the key.
#[derive(Debug)]
pub struct Encrypted {
	/// The ciphertext's file.
	pub file: PathBuf,
	/// Its content id (BLAKE3 root).
	pub id: ContentId,
	/// Bytes of ciphertext.
	pub cipher_len: u64,
	/// Bytes of plaintext.
	pub plain_len: u64,
	/// The fresh key it was encrypted with.
	pub key: FileKey,
}

/// Encrypts `source` under a fresh [`FileKey`] into the new file `dest`; what it made.
pub fn encrypt_file(source: &Path, dest: PathBuf) -> Result<Encrypted, Error> {
	let key = FileKey::generate().map_err(|e| vault_error("making a file key", e))?;
	let reader = File::open(source)
		.map_err(|e| Error::Input(format!("cannot read {}: {e}", source.display())))?;
	let writer = create_new(&dest)?;
	let what = format!("encrypting {}", source.display());
	let cipher_len = bitcloud_vault::encrypt(&key, BufReader::new(reader), BufWriter::new(writer))
		.map_err(|e| vault_error(&what, e))?;
	let plain_len = bitcloud_vault::plaintext_len(cipher_len).map_err(|e| vault_error(&what, e))?;
	let (id, len) = content_id_of(&dest)?;
	if len != cipher_len {
		return Err(Error::Local(format!("{}: the ciphertext changed on disk", dest.display())));
	}
	Ok(Encrypted { file: dest, id, cipher_len, plain_len, key })
}

/// Checks, before anything is fetched, that `out` can be written: its directory exists and
/// it is not a directory itself.
pub fn check_output(out: &Path) -> Result<(), Error> {
	if out.is_dir() {
		return Err(Error::Input(format!("{} is a directory: give a file name", out.display())));
	}
	let parent = match out.parent() {
		Some(parent) if !parent.as_os_str().is_empty() => parent,
		_ => Path::new("."),
	};
	if !parent.is_dir() {
		return Err(Error::Input(format!("{}: no such directory", parent.display())));
	}
	Ok(())
}

/// `OUT.part`: where a decryption writes until it is complete.
pub fn part_path(out: &Path) -> PathBuf {
	let mut name = OsString::from(out.as_os_str());
	name.push(".part");
	PathBuf::from(name)
}

/// Decrypts the ciphertext in `cipher` (`cipher_len` bytes) with `key` into `out`: written to
/// [`part_path`] and renamed to `out` only when every segment authenticated; on any error
/// nothing is left at either (an existing `out` is untouched). `what` names the object in
/// errors. Returns the plaintext's length.
pub fn decrypt_file(
	key: &FileKey,
	cipher: &Path,
	cipher_len: u64,
	out: &Path,
	what: &str,
) -> Result<u64, Error> {
	let len = fs::metadata(cipher).map_err(|e| cannot(cipher, "read", e))?.len();
	if len != cipher_len {
		return Err(Error::BadPeer(format!(
			"{what}: the object is {len} bytes, {cipher_len} were stored"
		)));
	}
	let part = part_path(out);
	let result = decrypt_into(key, cipher, cipher_len, &part, what).and_then(|plain| {
		fs::rename(&part, out).map(|()| plain).map_err(|e| cannot(out, "write", e))
	});
	if result.is_err() {
		// Never leave unauthenticated bytes behind.
		let _ = fs::remove_file(&part);
	}
	result
}

fn decrypt_into(
	key: &FileKey,
	cipher: &Path,
	cipher_len: u64,
	part: &Path,
	what: &str,
) -> Result<u64, Error> {
	let reader = File::open(cipher).map_err(|e| cannot(cipher, "read", e))?;
	let file = File::create(part)
		.map_err(|e| Error::Input(format!("cannot create {}: {e}", part.display())))?;
	let mut writer = BufWriter::new(file);
	let plain = bitcloud_vault::decrypt(key, BufReader::new(reader), &mut writer, cipher_len)
		.map_err(|e| vault_error(what, e))?;
	let file = writer.into_inner().map_err(|e| cannot(part, "write", e.into_error()))?;
	file.sync_all().map_err(|e| cannot(part, "write", e))?;
	Ok(plain)
}

/// Writes `bytes` to the new file `path`.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Error> {
	use std::io::Write;
	create_new(path)?.write_all(bytes).map_err(|e| cannot(path, "write", e))
}

/// The bytes of `path`, refused past `limit` bytes.
pub fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, Error> {
	let file = File::open(path).map_err(|e| cannot(path, "read", e))?;
	let mut bytes = Vec::new();
	file.take(limit.saturating_add(1))
		.read_to_end(&mut bytes)
		.map_err(|e| cannot(path, "read", e))?;
	if bytes.len() as u64 > limit {
		return Err(Error::BadPeer(format!("{} is longer than {limit} bytes", path.display())));
	}
	Ok(bytes)
}

/// A new file at `path`, which must not exist.
fn create_new(path: &Path) -> Result<File, Error> {
	File::options()
		.write(true)
		.create_new(true)
		.open(path)
		.map_err(|e| Error::Local(format!("cannot create {}: {e}", path.display())))
}

fn cannot(path: &Path, verb: &str, e: std::io::Error) -> Error {
	Error::Local(format!("cannot {verb} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn plaintext(len: usize) -> Vec<u8> {
		(0..len).map(|i| (i % 251) as u8).collect()
	}

	#[test]
	fn a_file_goes_through_encryption_and_back() {
		let dir = tempfile::tempdir().unwrap();
		let scratch = Scratch::new().unwrap();
		for len in [0, 1, 65_536, 200_000] {
			let source = dir.path().join(format!("in-{len}"));
			fs::write(&source, plaintext(len)).unwrap();
			let encrypted = encrypt_file(&source, scratch.path("cipher")).unwrap();
			let cipher = fs::read(&encrypted.file).unwrap();
			assert_eq!(encrypted.plain_len, len as u64);
			assert_eq!(encrypted.cipher_len, bitcloud_vault::ciphertext_len(len as u64));
			assert_eq!(cipher.len() as u64, encrypted.cipher_len);
			// The content id is the ciphertext's, never the plaintext's.
			assert_eq!(encrypted.id, *blake3::hash(&cipher).as_bytes());
			assert_ne!(encrypted.id, *blake3::hash(&plaintext(len)).as_bytes());

			let out = dir.path().join(format!("out-{len}"));
			let plain =
				decrypt_file(&encrypted.key, &encrypted.file, encrypted.cipher_len, &out, "test")
					.unwrap();
			assert_eq!(plain, len as u64);
			assert_eq!(fs::read(&out).unwrap(), plaintext(len));
			assert!(!part_path(&out).exists());
		}
		let dir_path = scratch.dir().to_path_buf();
		drop(scratch);
		assert!(!dir_path.exists(), "the scratch directory is removed");
	}

	#[test]
	fn a_wrong_key_or_a_changed_byte_leaves_nothing_behind() {
		let dir = tempfile::tempdir().unwrap();
		let scratch = Scratch::new().unwrap();
		let source = dir.path().join("in");
		fs::write(&source, plaintext(100_000)).unwrap();
		let encrypted = encrypt_file(&source, scratch.path("cipher")).unwrap();
		let out = dir.path().join("out");
		fs::write(&out, "older").unwrap();

		let wrong = FileKey::generate().unwrap();
		let len = encrypted.cipher_len;
		let error = decrypt_file(&wrong, &encrypted.file, len, &out, "docs/a").unwrap_err();
		assert!(matches!(error, Error::Input(_)), "{error:?}");
		assert!(error.message().starts_with("docs/a: wrong key or tampered data"), "{error}");
		assert_eq!(fs::read(&out).unwrap(), b"older", "the output is untouched");
		assert!(!part_path(&out).exists());

		let mut bytes = fs::read(&encrypted.file).unwrap();
		bytes[70_000] ^= 1;
		let tampered = scratch.path("tampered");
		write_new(&tampered, &bytes).unwrap();
		let error = decrypt_file(&encrypted.key, &tampered, len, &out, "docs/a").unwrap_err();
		assert!(error.message().contains("wrong key or tampered data"), "{error}");
		assert!(!part_path(&out).exists());

		let error = decrypt_file(&encrypted.key, &encrypted.file, len + 1, &out, "x").unwrap_err();
		assert!(matches!(error, Error::BadPeer(_)), "{error:?}");
		assert_eq!(fs::read(&out).unwrap(), b"older");
	}

	#[test]
	fn outputs_are_checked_before_anything_is_fetched() {
		let dir = tempfile::tempdir().unwrap();
		assert!(check_output(&dir.path().join("new.txt")).is_ok());
		assert!(check_output(Path::new("relative.txt")).is_ok());
		assert!(matches!(check_output(dir.path()), Err(Error::Input(_))));
		let error = check_output(&dir.path().join("missing/out")).unwrap_err().to_string();
		assert!(error.contains("no such directory"), "{error}");
	}

	#[test]
	fn part_files_append_to_the_name() {
		assert_eq!(part_path(Path::new("/a/b.tar.gz")), PathBuf::from("/a/b.tar.gz.part"));
		assert_eq!(part_path(Path::new("out")), PathBuf::from("out.part"));
	}

	#[test]
	fn reads_are_bounded_and_new_files_never_overwrite() {
		let scratch = Scratch::new().unwrap();
		let path = scratch.path("bytes");
		write_new(&path, &[1; 10]).unwrap();
		assert_eq!(read_at_most(&path, 10).unwrap().len(), 10);
		assert!(matches!(read_at_most(&path, 9), Err(Error::BadPeer(_))));
		assert!(matches!(write_new(&path, &[2]), Err(Error::Local(_))));
	}
}
