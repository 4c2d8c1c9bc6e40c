//! The content store: verified content on disk.
//!
//! Layout under the store directory (see `docs/content-node.md`):
//!
//! ```text
//! LAYOUT                      "bitcloud-content-store 1"
//! objects/<2 hex>/<64 hex>    the content bytes, named by their BLAKE3 root
//! objects/<2 hex>/<64 hex>.obao
//!                             bao-tree post-order outboard (chunk groups of 16 KiB),
//!                             followed by the content size as 8 bytes little endian
//! unlisted/<64 hex>           marks an object held while no subscribed moderator lists it
//!                             (`proposed <unix seconds>` or `unmoderated <unix seconds>`)
//! tmp/                        imports in progress; emptied at every start
//! ```
//!
//! An import streams into `tmp/` with constant memory, fsyncs while it computes the root and
//! outboard from what the file holds, checks the root, and only then renames the outboard and then the data
//! into `objects/` (and fsyncs the directory). A crash therefore leaves at worst files in
//! `tmp/` or an outboard without data, both removed at the next start. At start every object
//! is checked (outboard present, sizes agreeing), and while serving every chunk group read
//! from disk is checked against the outboard before a byte of it is sent.
//!
//! **Unlisted content.** Content taken because it is proposed to a subscribed moderator, or
//! published anonymously through the onion layer, is held under a budget
//! ([`UnlistedPolicy`]): bytes, items and age per [`Unlisted`] kind. An import beyond the budget
//! is refused before it reads a byte ([`StoreError::UnlistedFull`]); the node's sweep
//! (`crate::expiry`) clears the mark once the content is listed and removes what expired. The
//! mark is written before the data is renamed into place and removed after it, so a crash
//! never leaves an unlisted object unmarked; a mark without its object is removed at start.

pub use crate::verify::range_is_valid;

use bao_tree::{
	io::{
		outboard::PostOrderOutboard,
		sync::{outboard_post_order, ReadAt},
	},
	BaoTree, BlockSize,
};
use bitcloud_primitives::ContentId;
use std::{
	collections::BTreeMap,
	fs::{self, File},
	io::{self, BufReader, BufWriter, Read, Write},
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex, MutexGuard, RwLock,
	},
	time::{Duration, SystemTime, UNIX_EPOCH},
};

use crate::{
	hot::HotObjects,
	id::to_hex,
	verified::{FileStamp, Groups, VerifiedGroups},
};

/// Chunk groups of 2^4 BLAKE3 chunks = 16 KiB: the outboard keeps one hash pair (64 bytes)
/// per group, 0.4% of the content, and verification works in units of one group.
pub const BLOCK_SIZE: BlockSize = BlockSize::from_chunk_log(4);

/// Bytes in one chunk group.
pub const GROUP_BYTES: u64 = 1024 << 4;

/// First line of the `LAYOUT` file.
const LAYOUT: &str = "bitcloud-content-store 1\n";

/// Copy buffer of an import.
const COPY_BUFFER: usize = 64 * 1024;

/// Bytes of proposed content held at most while its moderators decide.
pub const PROPOSED_MAX_BYTES: u64 = 16 << 30;
/// Proposed items held at most (the chain keeps at most 64 pending proposals per moderator).
pub const PROPOSED_MAX_ITEMS: usize = 512;
/// How long proposed content is held unlisted before it is removed: a moderator that lists
/// it later gets it pushed again (`bitcloud publish`) or replicated from a node that still
/// holds it.
pub const PROPOSED_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// Bytes of unmoderated (onion) content held at most.
pub const UNMODERATED_MAX_BYTES: u64 = 64 << 30;
/// Unmoderated items held at most.
pub const UNMODERATED_MAX_ITEMS: usize = 16_384;
/// How long unmoderated content is held after its upload.
pub const UNMODERATED_MAX_AGE: Duration = Duration::from_secs(30 * 24 * 3600);
/// Bytes of leased objects (personal storage paid per epoch) held at most.
pub const LEASED_MAX_BYTES: u64 = 64 << 30;
/// Leased objects held at most (the runtime lets a node keep 1,024 leases; the rest wait for a
/// place or go).
pub const LEASED_MAX_ITEMS: usize = 2_048;
/// Leased objects do not expire by age: they are held while a lease pays for them, which the
/// sweep asks every time.
pub const LEASED_MAX_AGE: Duration = Duration::from_secs(100 * 365 * 24 * 3600);
/// How often the node sweeps unlisted content (promotes what got listed, removes what
/// expired or is no longer wanted).
pub const UNLISTED_SWEEP_EVERY: Duration = Duration::from_secs(120);

/// Why the store holds content that no subscribed moderator lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Unlisted {
	/// Proposed to a subscribed moderator and pushed before its decision.
	Proposed,
	/// Published anonymously through the onion layer: no moderator is asked.
	Unmoderated,
	/// A leased object (personal storage): held while a lease under a subscribed moderator
	/// pays for it and this node keeps it or may still.
	Leased,
}

impl Unlisted {
	/// Every kind.
	pub const ALL: [Unlisted; 3] = [Unlisted::Proposed, Unlisted::Unmoderated, Unlisted::Leased];

	/// Its name in marks, metrics and errors.
	pub fn label(self) -> &'static str {
		match self {
			Unlisted::Proposed => "proposed",
			Unlisted::Unmoderated => "unmoderated",
			Unlisted::Leased => "leased",
		}
	}

	fn from_label(label: &str) -> Option<Self> {
		Self::ALL.into_iter().find(|kind| kind.label() == label)
	}

	fn index(self) -> usize {
		self as usize
	}
}

/// The most unlisted content of one kind the store holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlistedBudget {
	/// Bytes held at most.
	pub max_bytes: u64,
	/// Items held at most.
	pub max_items: usize,
	/// Age past which an item is removed (unless it got listed).
	pub max_age: Duration,
}

/// How the store bounds content held unlisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlistedPolicy {
	/// Budget of proposed content.
	pub proposed: UnlistedBudget,
	/// Budget of unmoderated content.
	pub unmoderated: UnlistedBudget,
	/// Budget of leased objects.
	pub leased: UnlistedBudget,
	/// How often the node sweeps.
	pub sweep_every: Duration,
}

impl Default for UnlistedPolicy {
	fn default() -> Self {
		UnlistedPolicy {
			proposed: UnlistedBudget {
				max_bytes: PROPOSED_MAX_BYTES,
				max_items: PROPOSED_MAX_ITEMS,
				max_age: PROPOSED_MAX_AGE,
			},
			unmoderated: UnlistedBudget {
				max_bytes: UNMODERATED_MAX_BYTES,
				max_items: UNMODERATED_MAX_ITEMS,
				max_age: UNMODERATED_MAX_AGE,
			},
			leased: UnlistedBudget {
				max_bytes: LEASED_MAX_BYTES,
				max_items: LEASED_MAX_ITEMS,
				max_age: LEASED_MAX_AGE,
			},
			sweep_every: UNLISTED_SWEEP_EVERY,
		}
	}
}

impl UnlistedPolicy {
	/// The budget of `kind`.
	pub fn budget(&self, kind: Unlisted) -> &UnlistedBudget {
		match kind {
			Unlisted::Proposed => &self.proposed,
			Unlisted::Unmoderated => &self.unmoderated,
			Unlisted::Leased => &self.leased,
		}
	}
}

/// One object held unlisted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlistedItem {
	/// The content.
	pub id: ContentId,
	/// Why it is held.
	pub kind: Unlisted,
	/// Its size in bytes.
	pub size: u64,
	/// When it was imported.
	pub since: SystemTime,
}

/// The unlisted objects and the imports of unlisted content under way.
#[derive(Debug, Default)]
struct UnlistedState {
	policy: UnlistedPolicy,
	items: BTreeMap<ContentId, UnlistedItem>,
	/// Per kind: bytes and items of imports under way.
	reserved: [(u64, usize); Unlisted::ALL.len()],
}

impl UnlistedState {
	/// Bytes and items of `kind` held or being imported.
	fn usage(&self, kind: Unlisted) -> (u64, usize) {
		let (mut bytes, mut items) = self.reserved[kind.index()];
		for item in self.items.values().filter(|item| item.kind == kind) {
			bytes = bytes.saturating_add(item.size);
			items += 1;
		}
		(bytes, items)
	}
}

/// An error of the store.
#[derive(Debug)]
pub enum StoreError {
	/// Reading or writing the disk failed.
	Io(io::Error),
	/// The imported bytes are not the content that was expected.
	RootMismatch {
		/// The id the caller expected.
		expected: ContentId,
		/// The BLAKE3 root of what arrived.
		actual: ContentId,
	},
	/// The imported bytes exceed the allowed size.
	TooLarge {
		/// The limit.
		limit: u64,
	},
	/// The store does not hold this content.
	NotFound,
	/// Bytes on disk do not match their outboard: the object was removed from the store.
	Corrupt {
		/// The content whose bytes failed.
		id: ContentId,
	},
	/// Taking the content would exceed the budget of unlisted content of its kind.
	UnlistedFull {
		/// The kind.
		kind: Unlisted,
		/// Bytes of that kind held or being imported.
		bytes: u64,
		/// Items of that kind held or being imported.
		items: usize,
	},
}

impl std::fmt::Display for StoreError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			StoreError::Io(e) => write!(f, "content store i/o: {e}"),
			StoreError::RootMismatch { expected, actual } => write!(
				f,
				"content root mismatch: expected {}, got {}",
				to_hex(expected),
				to_hex(actual)
			),
			StoreError::TooLarge { limit } => write!(f, "content larger than {limit} bytes"),
			StoreError::NotFound => f.write_str("content not in the store"),
			StoreError::Corrupt { id } => {
				write!(f, "stored content {} failed verification and was removed", to_hex(id))
			},
			StoreError::UnlistedFull { kind, bytes, items } => write!(
				f,
				"no room for more {} content awaiting a listing: {items} items, {bytes} bytes held",
				kind.label()
			),
		}
	}
}

impl std::error::Error for StoreError {}

impl From<io::Error> for StoreError {
	fn from(e: io::Error) -> Self {
		StoreError::Io(e)
	}
}

/// What [`ContentStore::open`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OpenReport {
	/// Objects checked and indexed.
	pub items: usize,
	/// Their total size in bytes.
	pub bytes: u64,
	/// Leftovers of interrupted imports removed from `tmp/`.
	pub temp_files_removed: usize,
	/// Objects removed because they were incomplete or inconsistent (missing or mismatched
	/// outboard, wrong size, stray files).
	pub broken_removed: usize,
	/// Objects held unlisted (marks found in `unlisted/` for objects present).
	pub unlisted: usize,
}

/// The content store: an index in memory over the objects on disk.
#[derive(Debug)]
pub struct ContentStore {
	dir: PathBuf,
	index: RwLock<BTreeMap<ContentId, u64>>,
	bytes: AtomicU64,
	next_temp: AtomicU64,
	unlisted: Mutex<UnlistedState>,
	hot: HotObjects,
	verified: VerifiedGroups,
}

impl ContentStore {
	/// Opens (creating if needed) the store in `dir`: removes leftovers of interrupted
	/// imports and every object that is not complete and consistent, and indexes the rest.
	pub fn open(dir: impl Into<PathBuf>) -> Result<(Self, OpenReport), StoreError> {
		let dir = dir.into();
		fs::create_dir_all(dir.join("objects"))?;
		fs::create_dir_all(dir.join("tmp"))?;
		fs::create_dir_all(dir.join("unlisted"))?;
		let layout = dir.join("LAYOUT");
		match fs::read_to_string(&layout) {
			Ok(text) if text == LAYOUT => {},
			Ok(text) => {
				return Err(StoreError::Io(io::Error::other(format!(
					"{} holds an unknown store layout {:?}",
					layout.display(),
					text.trim()
				))))
			},
			Err(e) if e.kind() == io::ErrorKind::NotFound => {
				fs::write(&layout, LAYOUT)?;
			},
			Err(e) => return Err(e.into()),
		}

		let mut report = OpenReport::default();
		for entry in fs::read_dir(dir.join("tmp"))? {
			let path = entry?.path();
			remove_path(&path)?;
			report.temp_files_removed += 1;
		}

		let mut index = BTreeMap::new();
		for shard in fs::read_dir(dir.join("objects"))? {
			let shard = shard?.path();
			if !shard.is_dir() {
				remove_path(&shard)?;
				report.broken_removed += 1;
				continue;
			}
			for entry in fs::read_dir(&shard)? {
				let path = entry?.path();
				let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
				let (stem, is_outboard) = match name.strip_suffix(".obao") {
					Some(stem) => (stem, true),
					None => (name, false),
				};
				let id = parse_object_name(stem).filter(|id| {
					shard.file_name().and_then(|n| n.to_str()) == Some(&to_hex(id)[..2])
				});
				let Some(id) = id else {
					remove_path(&path)?;
					report.broken_removed += 1;
					continue;
				};
				if is_outboard {
					// An outboard whose data is missing: its import stopped between the renames
					// (or its object was just removed as broken, with this outboard).
					if !path.with_extension("").exists() && remove_path(&path)? {
						report.broken_removed += 1;
					}
					continue;
				}
				match check_object(&path) {
					Ok(size) => {
						index.insert(id, size);
						report.items += 1;
						report.bytes = report.bytes.saturating_add(size);
					},
					Err(reason) => {
						log::warn!(
							target: "content",
							"removing broken object {}: {reason}",
							path.display()
						);
						remove_path(&path)?;
						remove_path(&outboard_path(&path))?;
						report.broken_removed += 1;
					},
				}
			}
		}
		let items = read_unlisted_marks(&dir.join("unlisted"), &index)?;
		report.unlisted = items.len();
		let store = ContentStore {
			dir,
			bytes: AtomicU64::new(report.bytes),
			index: RwLock::new(index),
			next_temp: AtomicU64::new(0),
			unlisted: Mutex::new(UnlistedState { items, ..Default::default() }),
			hot: HotObjects::default(),
			verified: VerifiedGroups::default(),
		};
		Ok((store, report))
	}

	/// Small objects kept whole in memory after a verified read ([`crate::hot`]).
	pub fn hot(&self) -> &HotObjects {
		&self.hot
	}

	/// The store directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	/// Path of the data file of `id` (whether or not it exists).
	pub fn data_path(&self, id: &ContentId) -> PathBuf {
		let hex = to_hex(id);
		self.dir.join("objects").join(&hex[..2]).join(hex)
	}

	/// Path of the outboard of `id` (whether or not it exists).
	pub fn outboard_path(&self, id: &ContentId) -> PathBuf {
		outboard_path(&self.data_path(id))
	}

	/// Whether the store holds `id`.
	pub fn contains(&self, id: &ContentId) -> bool {
		self.read_index().contains_key(id)
	}

	/// Size of `id` if the store holds it.
	pub fn size(&self, id: &ContentId) -> Option<u64> {
		self.read_index().get(id).copied()
	}

	/// Number of items.
	pub fn len(&self) -> usize {
		self.read_index().len()
	}

	/// Whether the store is empty.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	/// Total bytes of content held (outboards not counted).
	pub fn total_bytes(&self) -> u64 {
		self.bytes.load(Ordering::Relaxed)
	}

	/// Every item with its size, in id order.
	pub fn list(&self) -> Vec<(ContentId, u64)> {
		self.read_index().iter().map(|(id, size)| (*id, *size)).collect()
	}

	/// Imports `bytes` (see [`Self::import`]).
	pub fn import_bytes(&self, bytes: &[u8]) -> Result<ContentId, StoreError> {
		self.import(bytes, None, None)
	}

	/// Imports the file at `path` (see [`Self::import`]).
	pub fn import_file(&self, path: &Path) -> Result<ContentId, StoreError> {
		self.import(File::open(path)?, None, None)
	}

	/// Streams `reader` into the store with constant memory and returns the content id.
	///
	/// With `expected`, the content must have that root or nothing is stored
	/// ([`StoreError::RootMismatch`]); with `max_size`, reading stops with
	/// [`StoreError::TooLarge`] past that many bytes. Blocking: call it from a blocking
	/// thread in async code.
	pub fn import(
		&self,
		reader: impl Read,
		expected: Option<ContentId>,
		max_size: Option<u64>,
	) -> Result<ContentId, StoreError> {
		self.import_marked(reader, expected, max_size, None)
	}

	/// Imports content that no subscribed moderator lists (yet) as [`Self::import`] does,
	/// exactly `id` and at most `size` bytes, under the budget of `kind`: beyond it the import
	/// fails with [`StoreError::UnlistedFull`] before reading a byte. The object stays marked
	/// until [`Self::mark_listed`] or its removal. Content already held is not marked.
	pub fn import_unlisted(
		&self,
		reader: impl Read,
		id: ContentId,
		size: u64,
		kind: Unlisted,
	) -> Result<ContentId, StoreError> {
		let _reservation = self.reserve_unlisted(kind, size)?;
		self.import_marked(reader, Some(id), Some(size), Some(kind))
	}

	fn import_marked(
		&self,
		reader: impl Read,
		expected: Option<ContentId>,
		max_size: Option<u64>,
		unlisted: Option<Unlisted>,
	) -> Result<ContentId, StoreError> {
		let n = self.next_temp.fetch_add(1, Ordering::Relaxed);
		let temp = self.dir.join("tmp").join(format!("import-{}-{n}", std::process::id()));
		let temp_outboard = outboard_path(&temp);
		let result = self.import_to(reader, expected, max_size, &temp, unlisted);
		if result.is_err() {
			let _ = fs::remove_file(&temp);
			let _ = fs::remove_file(&temp_outboard);
			let _ = fs::remove_file(temp.with_extension("unlisted"));
		}
		result
	}

	fn import_to(
		&self,
		mut reader: impl Read,
		expected: Option<ContentId>,
		max_size: Option<u64>,
		temp: &Path,
		unlisted: Option<Unlisted>,
	) -> Result<ContentId, StoreError> {
		// 1. Copy to a temporary file.
		let mut size = 0u64;
		let mut file = File::create(temp)?;
		let mut buf = vec![0u8; COPY_BUFFER];
		loop {
			let n = match reader.read(&mut buf) {
				Ok(0) => break,
				Ok(n) => n,
				Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
				Err(e) => return Err(e.into()),
			};
			size = size.saturating_add(n as u64);
			if let Some(limit) = max_size.filter(|limit| size > *limit) {
				return Err(StoreError::TooLarge { limit });
			}
			file.write_all(&buf[..n])?;
		}

		// 2. The copy made durable while its root and outboard are computed from what the
		// file holds (the page cache: the disk's flush and the hashing overlap); check the root.
		let root = std::thread::scope(|scope| {
			let durable = scope.spawn(|| file.sync_all());
			let outboard = write_outboard(temp, size);
			let durable = durable.join().unwrap_or_else(|_| Err(io::Error::other("sync panicked")));
			durable?;
			outboard
		})?;
		if let Some(expected) = expected.filter(|expected| *expected != root) {
			return Err(StoreError::RootMismatch { expected, actual: root });
		}

		// 3. The unlisted mark, if any, before the object exists: an object of this import
		// is never found unmarked.
		let mark = match unlisted {
			Some(kind) if !self.contains(&root) => {
				let since = SystemTime::now();
				let temp_mark = temp.with_extension("unlisted");
				write_durably(&temp_mark, unlisted_mark(kind, since).as_bytes())?;
				let mark = self.unlisted_mark_path(&root);
				fs::rename(&temp_mark, &mark)?;
				File::open(self.dir.join("unlisted"))?.sync_all()?;
				Some((UnlistedItem { id: root, kind, size, since }, mark))
			},
			_ => None,
		};

		// 4. Into place: outboard first, then data (its presence marks the object complete).
		let data_path = self.data_path(&root);
		let shard = data_path.parent().map(Path::to_path_buf).unwrap_or_default();
		fs::create_dir_all(&shard)?;
		fs::rename(outboard_path(temp), outboard_path(&data_path))?;
		fs::rename(temp, &data_path)?;
		File::open(&shard)?.sync_all()?;

		let mut index = self.write_index();
		let new = index.insert(root, size).is_none();
		if new {
			self.bytes.fetch_add(size, Ordering::Relaxed);
		}
		if let Some((item, mark)) = mark {
			let mut state = self.lock_unlisted();
			if new || state.items.contains_key(&root) {
				state.items.insert(root, item);
			} else {
				// Stored meanwhile by another import (replication, listed): not unlisted.
				let _ = remove_path(&mark);
			}
		}
		Ok(root)
	}

	/// Reserves room for an unlisted import of `size` bytes, or says why there is none.
	fn reserve_unlisted(&self, kind: Unlisted, size: u64) -> Result<Reservation<'_>, StoreError> {
		let mut state = self.lock_unlisted();
		let (bytes, items) = state.usage(kind);
		let budget = state.policy.budget(kind);
		if items >= budget.max_items || bytes.saturating_add(size) > budget.max_bytes {
			return Err(StoreError::UnlistedFull { kind, bytes, items });
		}
		let reserved = &mut state.reserved[kind.index()];
		reserved.0 = reserved.0.saturating_add(size);
		reserved.1 += 1;
		Ok(Reservation { store: self, kind, size })
	}

	/// The budget of unlisted content.
	pub fn unlisted_policy(&self) -> UnlistedPolicy {
		self.lock_unlisted().policy.clone()
	}

	/// Sets the budget of unlisted content (content already held stays until the sweep).
	pub fn set_unlisted_policy(&self, policy: UnlistedPolicy) {
		self.lock_unlisted().policy = policy;
	}

	/// The objects held unlisted, oldest first.
	pub fn unlisted(&self) -> Vec<UnlistedItem> {
		let mut items: Vec<_> = self.lock_unlisted().items.values().cloned().collect();
		items.sort_by_key(|item| (item.since, item.id));
		items
	}

	/// Bytes of `kind` held unlisted.
	pub fn unlisted_bytes(&self, kind: Unlisted) -> u64 {
		let state = self.lock_unlisted();
		state.items.values().filter(|item| item.kind == kind).map(|item| item.size).sum()
	}

	/// Why `id` is held unlisted, if it is.
	pub fn unlisted_kind(&self, id: &ContentId) -> Option<Unlisted> {
		self.lock_unlisted().items.get(id).map(|item| item.kind)
	}

	/// Clears the unlisted mark of `id` (a subscribed moderator lists it now): it is kept
	/// like any listed content. Whether it was marked.
	pub fn mark_listed(&self, id: &ContentId) -> Result<bool, StoreError> {
		let mut state = self.lock_unlisted();
		if state.items.remove(id).is_none() {
			return Ok(false);
		}
		remove_path(&self.unlisted_mark_path(id))?;
		Ok(true)
	}

	fn unlisted_mark_path(&self, id: &ContentId) -> PathBuf {
		self.dir.join("unlisted").join(to_hex(id))
	}

	fn lock_unlisted(&self) -> MutexGuard<'_, UnlistedState> {
		self.unlisted.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Removes `id` from the store (index first, so it is no longer served, then the files).
	pub fn remove(&self, id: &ContentId) -> Result<bool, StoreError> {
		let removed = self.write_index().remove(id);
		self.hot.remove(id);
		self.verified.forget(id);
		if let Some(size) = removed {
			self.bytes.fetch_sub(size, Ordering::Relaxed);
		}
		let data = self.data_path(id);
		remove_path(&data)?;
		remove_path(&outboard_path(&data))?;
		// The mark last: a crash before it leaves a mark without object, removed at start.
		self.lock_unlisted().items.remove(id);
		remove_path(&self.unlisted_mark_path(id))?;
		Ok(removed.is_some())
	}

	/// Opens `id` for verified reading.
	pub fn reader(&self, id: &ContentId) -> Result<ContentReader, StoreError> {
		let size = self.size(id).ok_or(StoreError::NotFound)?;
		let data_path = self.data_path(id);
		let opened = File::open(&data_path).and_then(|data| {
			let outboard = File::open(outboard_path(&data_path))?;
			Ok((data, outboard))
		});
		let (data, outboard) = match opened {
			Ok(files) => files,
			Err(e) if e.kind() == io::ErrorKind::NotFound => {
				self.write_index().remove(id);
				self.hot.remove(id);
				return Err(StoreError::NotFound);
			},
			Err(e) => return Err(e.into()),
		};
		let outboard = PostOrderOutboard {
			root: blake3::Hash::from_bytes(*id),
			tree: BaoTree::new(size, BLOCK_SIZE),
			data: outboard,
		};
		let groups = self.verified.of(id, FileStamp::of(&data)?, size.div_ceil(GROUP_BYTES));
		Ok(ContentReader { id: *id, size, data, outboard, groups })
	}

	/// Checks every byte of `id` against its root, whatever was verified before; a corrupt
	/// object is removed.
	pub fn verify(&self, id: &ContentId) -> Result<(), StoreError> {
		self.verified.forget(id);
		let reader = self.reader(id)?;
		let mut offset = 0;
		while offset < reader.size() {
			let len = (reader.size() - offset).min(64 * GROUP_BYTES);
			match reader.read_verified(offset, len as usize) {
				Ok(_) => offset += len,
				Err(StoreError::Corrupt { .. }) => {
					self.remove(id)?;
					return Err(StoreError::Corrupt { id: *id });
				},
				Err(e) => return Err(e),
			}
		}
		Ok(())
	}

	/// Reports `id` as corrupt after a failed read: removes it so it is never served again.
	pub fn quarantine(&self, id: &ContentId) {
		log::error!(target: "content", "content {} failed verification; removing it", to_hex(id));
		if let Err(e) = self.remove(id) {
			log::error!(target: "content", "could not remove {}: {e}", to_hex(id));
		}
	}

	fn read_index(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<ContentId, u64>> {
		self.index.read().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	fn write_index(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<ContentId, u64>> {
		self.index.write().unwrap_or_else(|poisoned| poisoned.into_inner())
	}
}

/// One stored item open for verified reads.
#[derive(Debug)]
pub struct ContentReader {
	id: ContentId,
	size: u64,
	data: File,
	outboard: PostOrderOutboard<File>,
	/// The groups of this version of the data file verified before.
	groups: Arc<Groups>,
}

impl ContentReader {
	/// The content id.
	pub fn id(&self) -> &ContentId {
		&self.id
	}

	/// Size of the content in bytes.
	pub fn size(&self) -> u64 {
		self.size
	}

	/// Whether every chunk group of bytes `offset..offset + len` was verified before in the
	/// data file as it is now, so that reading them hashes nothing.
	pub fn verified(&self, offset: u64, len: u64) -> bool {
		let end = offset.saturating_add(len).min(self.size);
		let groups = offset / GROUP_BYTES..end.div_ceil(GROUP_BYTES);
		self.unchanged().unwrap_or(false) && self.groups.all(groups)
	}

	/// Whether the data file is the version its verified groups are about.
	fn unchanged(&self) -> io::Result<bool> {
		Ok(FileStamp::of(&self.data)? == self.groups.stamp())
	}

	/// The outboard file (post-order hash pairs followed by the 8-byte size).
	pub fn outboard_file(&self) -> &File {
		&self.outboard.data
	}

	/// Length of the outboard's hash pairs (without the trailing size).
	pub fn outboard_len(&self) -> u64 {
		self.outboard.tree.outboard_size()
	}

	/// `len` bytes of the outboard's hash pairs from `offset`, which must lie within
	/// [`Self::outboard_len`]: a piece of what `GET /content/{id}/outboard` streams. Blocking.
	pub fn read_outboard(&self, offset: u64, len: usize) -> io::Result<Vec<u8>> {
		if offset.saturating_add(len as u64) > self.outboard_len() {
			return Err(io::Error::new(io::ErrorKind::InvalidInput, "read beyond the outboard"));
		}
		let mut buf = vec![0u8; len];
		self.outboard.data.read_exact_at(offset, &mut buf)?;
		Ok(buf)
	}

	/// The outboard's hash pairs (without the trailing size) in one buffer: what a client
	/// verifies any range with. Blocking.
	pub fn outboard_bytes(&self) -> io::Result<Vec<u8>> {
		let len = usize::try_from(self.outboard_len()).map_err(io::Error::other)?;
		self.read_outboard(0, len)
	}

	/// Reads `len` bytes at `offset` after checking every chunk group they touch against the
	/// outboard and so the root, unless each was checked before in this very version of the
	/// file ([`crate::verified`]). Blocking.
	pub fn read_verified(&self, offset: u64, len: usize) -> Result<Vec<u8>, StoreError> {
		let end = offset.saturating_add(len as u64).min(self.size);
		if offset >= end {
			return Ok(Vec::new());
		}
		// Whole chunk groups around the range.
		let start_byte = offset / GROUP_BYTES * GROUP_BYTES;
		let end_byte = end.div_ceil(GROUP_BYTES).saturating_mul(GROUP_BYTES).min(self.size);
		let groups = start_byte / GROUP_BYTES..end_byte.div_ceil(GROUP_BYTES);
		// Filled, not zero-allocated: a zeroed allocation of this size is fresh pages from the
		// OS under jemalloc, each faulted in by the read (a sixth of a large download's CPU);
		// memory just freed by the previous block is reused instead.
		#[allow(clippy::slow_vector_initialization)]
		let mut buf = Vec::with_capacity((end_byte - start_byte) as usize);
		buf.resize((end_byte - start_byte) as usize, 0u8);
		// Stamped before and after: a write while reading makes the bytes be verified.
		let unchanged_before = self.unchanged()?;
		self.data.read_exact_at(start_byte, &mut buf).map_err(|e| {
			if e.kind() == io::ErrorKind::UnexpectedEof {
				StoreError::Corrupt { id: self.id }
			} else {
				StoreError::Io(e)
			}
		})?;
		let unchanged = unchanged_before && self.unchanged()?;
		if !(unchanged && self.groups.all(groups.clone())) {
			if !range_is_valid(&self.outboard, start_byte, &buf)? {
				return Err(StoreError::Corrupt { id: self.id });
			}
			if unchanged {
				self.groups.mark(groups, SystemTime::now());
			}
		}
		let from = (offset - start_byte) as usize;
		let to = (end - start_byte) as usize;
		buf.truncate(to);
		buf.drain(..from);
		Ok(buf)
	}
}

/// Computes the root and outboard of the `size` bytes of the file at `data`, writes the
/// outboard (and the size after it) beside it, durably; the root.
fn write_outboard(data: &Path, size: u64) -> io::Result<ContentId> {
	let tree = BaoTree::new(size, BLOCK_SIZE);
	let reader = BufReader::with_capacity(COPY_BUFFER, File::open(data)?);
	let mut out = BufWriter::new(File::create(outboard_path(data))?);
	let root = outboard_post_order(reader, tree, &mut out)?;
	out.write_all(&size.to_le_bytes())?;
	out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
	Ok(*root.as_bytes())
}

/// `<data path>.obao`.
fn outboard_path(data: &Path) -> PathBuf {
	let mut name = data.file_name().unwrap_or_default().to_os_string();
	name.push(".obao");
	data.with_file_name(name)
}

/// A 64-hex-character object name (lowercase, as the store writes them).
fn parse_object_name(name: &str) -> Option<ContentId> {
	if name.len() != 64 || name.bytes().any(|b| b.is_ascii_uppercase()) {
		return None;
	}
	let mut id = [0u8; 32];
	hex::decode_to_slice(name, &mut id).ok()?;
	Some(id)
}

/// Checks that the object at `data` has an outboard for its size: returns the size.
fn check_object(data: &Path) -> Result<u64, String> {
	let data_len = fs::metadata(data).map_err(|e| e.to_string())?.len();
	let outboard = outboard_path(data);
	let file = File::open(&outboard).map_err(|e| format!("outboard: {e}"))?;
	let outboard_len = file.metadata().map_err(|e| e.to_string())?.len();
	if outboard_len < 8 {
		return Err("outboard shorter than its size suffix".into());
	}
	let mut suffix = [0u8; 8];
	file.read_exact_at(outboard_len - 8, &mut suffix).map_err(|e| e.to_string())?;
	let size = u64::from_le_bytes(suffix);
	if size != data_len {
		return Err(format!("data is {data_len} bytes, its outboard says {size}"));
	}
	let expected = BaoTree::new(size, BLOCK_SIZE).outboard_size() + 8;
	if outboard_len != expected {
		return Err(format!("outboard is {outboard_len} bytes, {expected} expected"));
	}
	Ok(size)
}

/// Room reserved for an unlisted import under way; dropping it frees the room.
struct Reservation<'a> {
	store: &'a ContentStore,
	kind: Unlisted,
	size: u64,
}

impl Drop for Reservation<'_> {
	fn drop(&mut self) {
		let mut state = self.store.lock_unlisted();
		let reserved = &mut state.reserved[self.kind.index()];
		reserved.0 = reserved.0.saturating_sub(self.size);
		reserved.1 = reserved.1.saturating_sub(1);
	}
}

/// The text of an unlisted mark: `<kind> <unix seconds>`.
fn unlisted_mark(kind: Unlisted, since: SystemTime) -> String {
	let secs = since.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
	format!("{} {secs}\n", kind.label())
}

/// Reads the unlisted marks in `dir` for the objects of `index`; removes the others (a
/// crash between a mark and its object's rename, or after an object's removal). A mark that
/// cannot be read counts as proposed content imported now, so it stays bounded.
fn read_unlisted_marks(
	dir: &Path,
	index: &BTreeMap<ContentId, u64>,
) -> Result<BTreeMap<ContentId, UnlistedItem>, StoreError> {
	let mut items = BTreeMap::new();
	for entry in fs::read_dir(dir)? {
		let path = entry?.path();
		let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
		let Some((id, size)) =
			parse_object_name(name).and_then(|id| index.get(&id).map(|size| (id, *size)))
		else {
			remove_path(&path)?;
			continue;
		};
		let text = fs::read_to_string(&path).unwrap_or_default();
		let mut words = text.split_whitespace();
		let kind = words.next().and_then(Unlisted::from_label);
		let since = words.next().and_then(|secs| secs.parse::<u64>().ok());
		let (kind, since) = match (kind, since) {
			(Some(kind), Some(secs)) => (kind, UNIX_EPOCH + Duration::from_secs(secs)),
			_ => {
				log::warn!(target: "content", "unreadable unlisted mark {}", path.display());
				(Unlisted::Proposed, SystemTime::now())
			},
		};
		items.insert(id, UnlistedItem { id, kind, size, since });
	}
	Ok(items)
}

/// Writes `bytes` to a new file at `path` and syncs it.
fn write_durably(path: &Path, bytes: &[u8]) -> io::Result<()> {
	let mut file = File::create(path)?;
	file.write_all(bytes)?;
	file.sync_all()
}

/// Removes a file or directory tree: whether there was one.
fn remove_path(path: &Path) -> io::Result<bool> {
	let result = if path.is_dir() { fs::remove_dir_all(path) } else { fs::remove_file(path) };
	match result {
		Ok(()) => Ok(true),
		Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
		Err(e) => Err(e),
	}
}
