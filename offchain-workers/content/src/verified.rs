//! Which chunk groups of a stored object were verified against its root since its data file
//! last changed: a group verified once is read again without hashing while the file is
//! unchanged (the same device, inode, length, modification and change times).
//!
//! Hashing is most of what serving a large object costs beyond copying it (BLAKE3 at about
//! 9 GB/s per core against a few GB/s of loopback), and the bytes of an unchanged file do not
//! change. What changes a file through the file system changes its change time (`ctime`),
//! which no program can set back; so a copy edited after its groups were verified is verified
//! again before a byte of it is sent (test:
//! `tests/gateway.rs::content_corrupted_after_it_was_served_verified_is_never_served`).
//!
//! Two limits, both of the file system's clock and both closed here:
//! - Timestamps are coarse (the kernel's clock tick): a write in the same tick as the
//!   stamp's would leave it unchanged. Groups are therefore remembered only for files whose
//!   last change is at least [`SETTLED`] old (as git does for its index: "racy git").
//! - A stamp is read before and after every read: a write while bytes are being read makes
//!   them be verified.
//!
//! What no stamp sees is rot below the file system (a flipped bit on the medium with no write
//! through the kernel). Those bytes are served until the object leaves this memory (at most
//! [`MAX_OBJECTS`] objects, least recently read evicted; a restart forgets everything) or a
//! storage challenge reads them; clients verify every byte against the root themselves.

use bitcloud_primitives::ContentId;
use lru::LruCache;
use std::{
	fs::File,
	io,
	num::NonZeroUsize,
	os::unix::fs::MetadataExt,
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

/// Objects whose verified groups are remembered at most (the least recently read forgotten
/// first): at one bit per 16 KiB group, 1,024 objects of 4 GiB take 32 MiB.
pub const MAX_OBJECTS: usize = 1024;

/// Groups of one object remembered at most: 4 GiB of 16 KiB groups (32 KiB of bits). A larger
/// object is verified on every read, so memory stays within [`MAX_OBJECTS`] such maps.
pub const MAX_GROUPS: u64 = 1 << 18;

/// How old a file's last change must be before its verified groups are remembered.
pub const SETTLED: Duration = Duration::from_secs(2);

/// What identifies one version of a file's bytes to the file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStamp {
	dev: u64,
	ino: u64,
	len: u64,
	mtime: (i64, i64),
	ctime: (i64, i64),
}

impl FileStamp {
	/// The stamp of the open `file` (one `fstat`).
	pub fn of(file: &File) -> io::Result<Self> {
		let meta = file.metadata()?;
		Ok(FileStamp {
			dev: meta.dev(),
			ino: meta.ino(),
			len: meta.len(),
			mtime: (meta.mtime(), meta.mtime_nsec()),
			ctime: (meta.ctime(), meta.ctime_nsec()),
		})
	}

	/// Whether the file last changed at least `SETTLED` before `now`.
	fn settled(&self, now: SystemTime) -> bool {
		let Ok(now) = now.duration_since(UNIX_EPOCH) else { return false };
		let changed = self.mtime.max(self.ctime);
		let changed =
			Duration::new(changed.0.max(0) as u64, changed.1.clamp(0, 999_999_999) as u32);
		now.saturating_sub(changed) >= SETTLED
	}
}

/// The verified groups of one version of one object's data file.
#[derive(Debug)]
pub struct Groups {
	stamp: FileStamp,
	bits: Box<[AtomicU64]>,
}

impl Groups {
	fn new(stamp: FileStamp, groups: u64) -> Self {
		let words = groups.div_ceil(64) as usize;
		Groups { stamp, bits: (0..words).map(|_| AtomicU64::new(0)).collect() }
	}

	/// The stamp these groups were verified under.
	pub fn stamp(&self) -> FileStamp {
		self.stamp
	}

	/// Whether every group of `groups` was verified.
	pub fn all(&self, mut groups: std::ops::Range<u64>) -> bool {
		groups.all(|g| {
			let word = self.bits.get((g / 64) as usize).map_or(0, |w| w.load(Ordering::Relaxed));
			word & (1 << (g % 64)) != 0
		})
	}

	/// Marks every group of `groups` verified, if the file had settled when it was stamped.
	pub fn mark(&self, groups: std::ops::Range<u64>, now: SystemTime) {
		if !self.stamp.settled(now) {
			return;
		}
		for g in groups {
			if let Some(word) = self.bits.get((g / 64) as usize) {
				word.fetch_or(1 << (g % 64), Ordering::Relaxed);
			}
		}
	}
}

/// The verified groups of the objects most recently read.
#[derive(Debug)]
pub struct VerifiedGroups {
	objects: Mutex<LruCache<ContentId, Arc<Groups>>>,
}

impl Default for VerifiedGroups {
	fn default() -> Self {
		let capacity = NonZeroUsize::new(MAX_OBJECTS).unwrap_or(NonZeroUsize::MIN);
		VerifiedGroups { objects: Mutex::new(LruCache::new(capacity)) }
	}
}

impl VerifiedGroups {
	/// The verified groups of `id`'s data file as `stamp` describes it, of `groups` groups:
	/// those remembered if the file is unchanged since, else none (and the old ones are
	/// forgotten).
	pub fn of(&self, id: &ContentId, stamp: FileStamp, groups: u64) -> Arc<Groups> {
		if groups > MAX_GROUPS {
			// Remembers nothing: no bit to set, none set.
			return Arc::new(Groups::new(stamp, 0));
		}
		let mut objects = self.objects.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
		if let Some(known) = objects.get(id).filter(|known| known.stamp == stamp) {
			return known.clone();
		}
		let fresh = Arc::new(Groups::new(stamp, groups));
		objects.put(*id, fresh.clone());
		fresh
	}

	/// Forgets `id`.
	pub fn forget(&self, id: &ContentId) {
		self.objects.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop(id);
	}

	/// Objects whose groups are remembered.
	pub fn len(&self) -> usize {
		self.objects.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
	}

	/// Whether no object's groups are remembered.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::Write;

	fn stamp_of(path: &std::path::Path) -> FileStamp {
		FileStamp::of(&File::open(path).unwrap()).unwrap()
	}

	#[test]
	fn a_write_changes_the_stamp_even_with_the_same_length() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("object");
		std::fs::write(&path, b"abcdef").unwrap();
		let before = stamp_of(&path);
		std::thread::sleep(Duration::from_millis(20));
		let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
		file.write_all(b"x").unwrap();
		drop(file);
		assert_ne!(stamp_of(&path), before);
	}

	#[test]
	fn groups_of_a_file_changed_just_now_are_not_remembered() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("object");
		std::fs::write(&path, b"abcdef").unwrap();
		let stamp = stamp_of(&path);
		let groups = Groups::new(stamp, 3);
		groups.mark(0..3, SystemTime::now());
		assert!(!groups.all(0..1), "a file changed this instant was trusted");
		groups.mark(0..2, SystemTime::now() + SETTLED);
		assert!(groups.all(0..2) && !groups.all(0..3));
	}

	#[test]
	fn a_new_stamp_forgets_what_was_verified_and_memory_is_bounded() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("object");
		std::fs::write(&path, b"abcdef").unwrap();
		let stamp = stamp_of(&path);
		let later = SystemTime::now() + SETTLED;
		let verified = VerifiedGroups::default();
		verified.of(&[1; 32], stamp, 130).mark(0..130, later);
		assert!(verified.of(&[1; 32], stamp, 130).all(0..130));
		let changed = FileStamp { ctime: (stamp.ctime.0 + 1, 0), ..stamp };
		assert!(!verified.of(&[1; 32], changed, 130).all(0..1));
		verified.forget(&[1; 32]);
		assert!(verified.is_empty());
		for i in 0..=MAX_OBJECTS as u32 {
			let mut id = [0; 32];
			id[..4].copy_from_slice(&i.to_le_bytes());
			verified.of(&id, stamp, 1);
		}
		assert_eq!(verified.len(), MAX_OBJECTS);
		// An object too large to remember is not kept, and nothing of it is trusted.
		let huge = verified.of(&[2; 32], stamp, MAX_GROUPS + 1);
		huge.mark(0..MAX_GROUPS + 1, later);
		assert!(!huge.all(0..1));
		assert!(!verified.of(&[2; 32], stamp, MAX_GROUPS + 1).all(0..1));
	}
}
