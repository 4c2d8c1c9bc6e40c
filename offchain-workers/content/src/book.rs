//! The receipt book: the newest receipt of every (client, epoch, moderator) this node was
//! given, kept on disk so that a restart loses none, until the chain has credited it.
//!
//! Nothing enters the book unchecked: receipts come through the door of
//! [`admission`](crate::admission), which asks what the chain would ask, and the book itself
//! holds at most [`Limits`] receipts. A receipt the chain still refuses when the duties submit
//! it is marked refused ([`ReceiptBook::refuse`]) and never submitted again.
//!
//! File `receipts.log` under the store's directory: a header record (format version and the
//! chain's genesis hash), then one record per change: a receipt kept, or the [`ReceiptKey`]
//! and bytes of a receipt the chain refused. Each record is a `u32` length (little endian) + SCALE bytes + BLAKE3 checksum
//! (first 8 bytes). Records are appended as receipts arrive (written through to the OS, so a
//! killed process loses nothing) and synced to disk by [`ReceiptBook::sync`], which the node's
//! duties call every round; the log is rewritten with the live entries only when epochs leave
//! the submission window ([`ReceiptBook::prune`]) and when it has grown to several times their
//! size.
//!
//! **Replay** at start: a record whose checksum or contents are wrong but whose length is sound
//! is skipped and counted, and the replay goes on with the next one (a flipped bit costs one
//! receipt, not the rest of the book); a record whose length is implausible or that ends past
//! the end of the file stops the replay there (the framing is lost: this is the torn tail a
//! killed process leaves). Both are counted, the first of them is reported with its offset
//! and cause ([`Damage`]) and logged, the damaged log is kept as `receipts.log.damaged`, and
//! the book is rewritten clean ([`OpenReport`]). The book keeps what it read before.
//!
//! Formats 1 (bare receipts) and 2 (refusals keyed without the node) are still read, and
//! rewritten as the current one.

pub use crate::protocol::ReceiptKey;

use bitcloud_primitives::{
	receipt::{self, SignedReceipt},
	AccountId, EpochIndex,
};
use codec::{Decode, Encode};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::BTreeMap,
	fs::{self, File, OpenOptions},
	io::{self, BufReader, Read, Write},
	path::{Path, PathBuf},
	sync::Mutex,
};

/// Version of the log format: records are [`Record`]s.
const FORMAT: u8 = 3;

/// Version 2 of the log format (records are [`RecordV2`]s): still read, rewritten as
/// [`FORMAT`].
const FORMAT_V2: u8 = 2;

/// Version 1 of the log format (records are bare receipts): still read, rewritten as
/// [`FORMAT`].
const FORMAT_V1: u8 = 1;

/// Largest record accepted when reading (a receipt is under 200 bytes).
const MAX_RECORD: u32 = 4096;

/// Records the log may hold beyond twice the live entries before [`ReceiptBook::sync`]
/// rewrites it: rewriting costs as much as the live entries, so it runs at most once per as
/// many appends and its cost per receipt stays constant.
const COMPACT_SLACK: usize = 1024;

/// Receipts the book holds per epoch, all clients together.
///
/// Why 16 384: the book must be able to submit everything it holds before the submission
/// window closes. At `MaxBatch` (256) receipts per `submitReceipts` transaction that is 64
/// transactions per epoch and node, which fit easily in the two epochs of the window (200
/// blocks of six seconds at ten-minute epochs). In memory and on disk it is about 3 MiB per
/// epoch (a receipt with its key is under 200 bytes), 10 MiB for the three epochs the chain
/// takes. A node with more paying clients per epoch than this is a large node, and can raise
/// it; a flood of fresh keys stops here (every one of them needs coins locked on chain to pass
/// the door first).
pub const MAX_RECEIPTS_PER_EPOCH: usize = 16_384;

/// How many receipts the book holds at most; a receipt for a new key beyond them is refused
/// (a newer receipt for a key held always replaces the old one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
	/// Keys per client and epoch: one per moderator the content was served under. The chain
	/// credits a node under at most `MaxModeratorsPerNode` moderators per epoch (its
	/// subscriptions and unmoderated content), so more can never be paid.
	pub per_client_epoch: usize,
	/// Keys per epoch, all clients together ([`MAX_RECEIPTS_PER_EPOCH`]).
	pub per_epoch: usize,
}

impl Limits {
	/// The limits for a chain that credits a node under at most `max_moderators_per_node`
	/// moderators per epoch (the runtime's `MaxModeratorsPerNode`).
	pub fn new(max_moderators_per_node: u32) -> Self {
		Limits {
			per_client_epoch: max_moderators_per_node as usize,
			per_epoch: MAX_RECEIPTS_PER_EPOCH,
		}
	}
}

/// An error opening or writing the book.
#[derive(Debug)]
pub enum BookError {
	/// Reading or writing the disk failed.
	Io(io::Error),
	/// The book holds receipts of another chain: the node refuses to run against it.
	OtherChain {
		/// The genesis hash of the receipts held.
		held: H256,
		/// The genesis hash of the chain the node runs.
		chain: H256,
	},
	/// The file is not a receipt book of a known format.
	NotABook(PathBuf),
}

impl std::fmt::Display for BookError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			BookError::Io(e) => write!(f, "receipt book: {e}"),
			BookError::OtherChain { held, chain } => write!(
				f,
				"the receipt book holds receipts of the chain with genesis {held:?}, but this \
				 chain's genesis is {chain:?}: move it away or use another base path"
			),
			BookError::NotABook(path) => write!(f, "{} is not a receipt book", path.display()),
		}
	}
}

impl std::error::Error for BookError {}

impl From<io::Error> for BookError {
	fn from(e: io::Error) -> Self {
		BookError::Io(e)
	}
}

/// How a receipt was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
	/// Its key was new.
	New,
	/// It replaced an older receipt (or a refused one) for its key.
	Replaced,
}

/// Why the book did not keep a receipt.
#[derive(Debug)]
pub enum NotKept {
	/// It does not count more than the receipt held for its key.
	NotNewer {
		/// Bytes of the receipt held.
		held: u64,
	},
	/// The chain refused a receipt for its key counting as many bytes or more.
	RefusedBefore {
		/// Bytes of the refused receipt.
		refused: u64,
	},
	/// Its client already has [`Limits::per_client_epoch`] keys in its epoch.
	ClientFull {
		/// The limit.
		limit: usize,
	},
	/// Its epoch already has [`Limits::per_epoch`] keys.
	EpochFull {
		/// The limit.
		limit: usize,
	},
	/// Writing it to the log failed (the book is unchanged).
	Io(io::Error),
}

impl NotKept {
	/// A short label for metrics.
	pub fn reason(&self) -> &'static str {
		match self {
			NotKept::NotNewer { .. } => "not_newer",
			NotKept::RefusedBefore { .. } => "refused_before",
			NotKept::ClientFull { .. } => "client_full",
			NotKept::EpochFull { .. } => "epoch_full",
			NotKept::Io(_) => "io",
		}
	}
}

impl std::fmt::Display for NotKept {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			NotKept::NotNewer { held } => {
				write!(f, "it does not count more than the {held} bytes held")
			},
			NotKept::RefusedBefore { refused } => write!(
				f,
				"the chain refused a receipt of {refused} bytes for the same client, epoch \
				 and moderator"
			),
			NotKept::ClientFull { limit } => {
				write!(f, "its client already has {limit} receipts in the epoch")
			},
			NotKept::EpochFull { limit } => {
				write!(f, "the book already holds {limit} receipts of the epoch")
			},
			NotKept::Io(e) => write!(f, "receipt book: {e}"),
		}
	}
}

impl std::error::Error for NotKept {}

/// What opening the book found in its log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenReport {
	/// Receipts held after the replay (refused ones not counted).
	pub receipts: usize,
	/// Records skipped because their checksum or contents were wrong; the replay went on.
	pub corrupt_records: usize,
	/// Bytes at the end of the log that did not form a whole record, dropped.
	pub torn_bytes: u64,
	/// Receipts beyond the [`Limits`] (a log written before them), dropped.
	pub over_limits: usize,
	/// The first damage the replay met, if any: where, and why.
	pub first_damage: Option<Damage>,
}

impl OpenReport {
	/// Whether the log was damaged (something was skipped or dropped).
	pub fn damaged(&self) -> bool {
		self.corrupt_records > 0 || self.torn_bytes > 0
	}

	/// Counts `damage`, remembering the first.
	fn damage(&mut self, damage: Damage) {
		match damage.cause {
			DamageCause::Torn { dropped } => self.torn_bytes = dropped,
			DamageCause::Checksum | DamageCause::Undecodable => self.corrupt_records += 1,
		}
		self.first_damage.get_or_insert(damage);
	}
}

/// A damaged part of the log: the record at `offset` (bytes from the start of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
	/// Where the record starts.
	pub offset: u64,
	/// What is wrong with it.
	pub cause: DamageCause,
}

/// What is wrong with a damaged record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DamageCause {
	/// Its checksum does not match its bytes: skipped, the replay went on.
	Checksum,
	/// Its checksum matches, but its bytes are no record of the log's format: skipped, the
	/// replay went on.
	Undecodable,
	/// It is cut short or its length is implausible: the replay stopped, dropping the rest.
	Torn {
		/// Bytes dropped, from the record's start to the end of the file.
		dropped: u64,
	},
}

impl std::fmt::Display for Damage {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		let offset = self.offset;
		match self.cause {
			DamageCause::Checksum => write!(f, "record at byte {offset} fails its checksum"),
			DamageCause::Undecodable => write!(f, "record at byte {offset} is not a record"),
			DamageCause::Torn { dropped } => {
				write!(f, "record at byte {offset} is torn: {dropped} bytes dropped")
			},
		}
	}
}

#[derive(Encode, Decode)]
struct Header {
	format: u8,
	genesis: H256,
}

/// A change to the book, as the log records it.
#[derive(Encode, Decode)]
enum Record {
	/// A receipt kept for its key.
	Kept(SignedReceipt<AccountId>),
	/// The chain refused the receipt for `key` counting `bytes`.
	Refused { key: ReceiptKey, bytes: u64 },
}

/// A record of a format-2 log: its refusals name no node.
#[derive(Decode)]
enum RecordV2 {
	/// A receipt kept for its key.
	Kept(SignedReceipt<AccountId>),
	/// The chain refused the receipt of `client` in `epoch` under `moderator` for `bytes`.
	Refused { client: AccountId, epoch: EpochIndex, moderator: Option<AccountId>, bytes: u64 },
}

/// A record as the replay reads it, whatever the log's format.
enum Replayed {
	/// A record of the current format.
	Record(Record),
	/// A format-2 refusal, applied to the receipt held for its client, epoch and moderator.
	RefusedV2 { client: AccountId, epoch: EpochIndex, moderator: Option<AccountId>, bytes: u64 },
}

/// What the book holds for a key.
enum Slot {
	/// The newest receipt.
	Kept(SignedReceipt<AccountId>),
	/// The chain refused the receipt counting `bytes`: only a receipt counting more is taken.
	/// The slot still counts against the limits, so that refused receipts cannot make room
	/// for more.
	Refused { bytes: u64 },
}

impl Slot {
	fn record(&self, key: &ReceiptKey) -> Record {
		match self {
			Slot::Kept(signed) => Record::Kept(signed.clone()),
			Slot::Refused { bytes } => Record::Refused { key: key.clone(), bytes: *bytes },
		}
	}
}

/// The book's entries and their counts, in memory.
#[derive(Default)]
struct Ledger {
	slots: BTreeMap<ReceiptKey, Slot>,
	per_epoch: BTreeMap<EpochIndex, usize>,
	per_client: BTreeMap<(EpochIndex, AccountId), usize>,
}

impl Ledger {
	/// Whether a receipt counting `bytes` for `key` would be kept, and how.
	fn admits(&self, key: &ReceiptKey, bytes: u64, limits: &Limits) -> Result<Kept, NotKept> {
		match self.slots.get(key) {
			Some(Slot::Kept(held)) if held.receipt.bytes >= bytes => {
				Err(NotKept::NotNewer { held: held.receipt.bytes })
			},
			Some(Slot::Refused { bytes: refused }) if *refused >= bytes => {
				Err(NotKept::RefusedBefore { refused: *refused })
			},
			Some(_) => Ok(Kept::Replaced),
			None => {
				let (client, epoch) = (&key.client, &key.epoch);
				let of_client = self.per_client.get(&(*epoch, client.clone())).copied();
				if of_client.unwrap_or(0) >= limits.per_client_epoch {
					return Err(NotKept::ClientFull { limit: limits.per_client_epoch });
				}
				if self.per_epoch.get(epoch).copied().unwrap_or(0) >= limits.per_epoch {
					return Err(NotKept::EpochFull { limit: limits.per_epoch });
				}
				Ok(Kept::New)
			},
		}
	}

	/// Puts `slot` under `key`, counting a new key.
	fn put(&mut self, key: ReceiptKey, slot: Slot) {
		let (client, epoch) = (key.client.clone(), key.epoch);
		if self.slots.insert(key, slot).is_none() {
			*self.per_epoch.entry(epoch).or_default() += 1;
			*self.per_client.entry((epoch, client)).or_default() += 1;
		}
	}

	/// Keeps `signed` if the limits and the slot held allow.
	fn keep(&mut self, signed: SignedReceipt<AccountId>, limits: &Limits) -> Result<Kept, NotKept> {
		let key = ReceiptKey::from(&signed.receipt);
		let kept = self.admits(&key, signed.receipt.bytes, limits)?;
		self.put(key, Slot::Kept(signed));
		Ok(kept)
	}

	/// Marks `key` refused at `bytes` if the receipt held counts no more (a newer receipt that
	/// arrived meanwhile keeps its chance). Returns whether the slot changed.
	fn refuse(&mut self, key: &ReceiptKey, bytes: u64) -> bool {
		let Some(slot) = self.slots.get_mut(key) else { return false };
		let changes = match slot {
			Slot::Kept(held) => held.receipt.bytes <= bytes,
			Slot::Refused { bytes: refused } => *refused < bytes,
		};
		if changes {
			*slot = Slot::Refused { bytes };
		}
		changes
	}

	/// Replays a refusal of the log: marks `key` refused at `bytes`, taking a slot for it if
	/// the book holds none (the log is rewritten with refused slots on their own).
	fn replay_refusal(
		&mut self,
		key: ReceiptKey,
		bytes: u64,
		limits: &Limits,
	) -> Result<(), NotKept> {
		if self.slots.contains_key(&key) {
			self.refuse(&key, bytes);
			return Ok(());
		}
		self.admits(&key, bytes, limits)?;
		self.put(key, Slot::Refused { bytes });
		Ok(())
	}

	/// The key held for `client`'s receipt in `epoch` under `moderator`, whichever node it
	/// names (a format-2 refusal names none; a book holds one node's receipts).
	fn key_without_node(
		&self,
		client: &AccountId,
		epoch: EpochIndex,
		moderator: &Option<AccountId>,
	) -> Option<ReceiptKey> {
		self.slots
			.keys()
			.find(|key| key.client == *client && key.epoch == epoch && key.moderator == *moderator)
			.cloned()
	}

	/// Forgets epochs before `oldest`. Returns how many receipts were dropped.
	fn prune(&mut self, oldest: EpochIndex) -> usize {
		let before = self.slots.len();
		self.slots.retain(|key, _| key.epoch >= oldest);
		self.per_epoch.retain(|epoch, _| *epoch >= oldest);
		self.per_client.retain(|(epoch, _), _| *epoch >= oldest);
		before - self.slots.len()
	}

	fn receipts(&self) -> impl Iterator<Item = &SignedReceipt<AccountId>> {
		self.slots.values().filter_map(|slot| match slot {
			Slot::Kept(signed) => Some(signed),
			Slot::Refused { .. } => None,
		})
	}

	fn records(&self) -> impl Iterator<Item = Record> + '_ {
		self.slots.iter().map(|(key, slot)| slot.record(key))
	}
}

struct Inner {
	ledger: Ledger,
	log: File,
	/// Records in the log, the header included: what [`ReceiptBook::sync`] compares with the
	/// live entries to decide on a rewrite.
	log_records: usize,
}

/// The node's receipts, newest per (client, epoch, moderator).
pub struct ReceiptBook {
	path: PathBuf,
	genesis: H256,
	limits: Limits,
	inner: Mutex<Inner>,
}

impl ReceiptBook {
	/// Opens (or creates) the book in `dir` for the chain of `genesis`, holding at most
	/// `limits`. A damaged log is replayed as far as it can be, kept as
	/// `receipts.log.damaged`, logged, and rewritten clean.
	pub fn open(
		dir: &Path,
		genesis: H256,
		limits: Limits,
	) -> Result<(Self, OpenReport), BookError> {
		fs::create_dir_all(dir)?;
		let path = dir.join("receipts.log");
		let (ledger, mut report) = match File::open(&path) {
			Ok(file) => replay(&path, file, genesis, &limits)?,
			Err(e) if e.kind() == io::ErrorKind::NotFound => Default::default(),
			Err(e) => return Err(e.into()),
		};
		report.receipts = ledger.receipts().count();
		keep_damaged(&path, &report)?;
		if report.over_limits > 0 {
			log::warn!(
				target: "content",
				"Receipt book {}: {} receipts beyond the limits dropped",
				path.display(),
				report.over_limits
			);
		}
		let (log, log_records) = rewrite(&path, genesis, ledger.records())?;
		let inner = Mutex::new(Inner { ledger, log, log_records });
		Ok((ReceiptBook { path, genesis, limits, inner }, report))
	}

	/// The genesis hash the receipts are for.
	pub fn genesis(&self) -> H256 {
		self.genesis
	}

	/// The limits the book keeps to.
	pub fn limits(&self) -> Limits {
		self.limits
	}

	fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
		self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Whether a receipt counting `bytes` for `key` would be kept now (the cheap check the
	/// door makes before verifying a signature).
	pub fn would_keep(&self, key: &ReceiptKey, bytes: u64) -> Result<Kept, NotKept> {
		self.inner().ledger.admits(key, bytes, &self.limits)
	}

	/// Keeps `signed` if it counts more than the receipt held for its key (or refused for it)
	/// and, for a new key, if the [`Limits`] leave room. It is not checked further: receipts
	/// reach the book through the door of [`admission`](crate::admission).
	pub fn insert(&self, signed: SignedReceipt<AccountId>) -> Result<Kept, NotKept> {
		let mut inner = self.inner();
		inner.ledger.admits(
			&ReceiptKey::from(&signed.receipt),
			signed.receipt.bytes,
			&self.limits,
		)?;
		inner
			.log
			.write_all(&record(&Record::Kept(signed.clone()).encode()))
			.map_err(NotKept::Io)?;
		inner.log_records += 1;
		inner.ledger.keep(signed, &self.limits)
	}

	/// Marks `signed` as refused by the chain: it is no longer among [`Self::receipts`], and
	/// only a receipt counting more bytes for its key is taken again. Returns false if the
	/// book holds a newer receipt for the key (which keeps its chance) or none.
	pub fn refuse(&self, signed: &SignedReceipt<AccountId>) -> Result<bool, BookError> {
		let key = ReceiptKey::from(&signed.receipt);
		let bytes = signed.receipt.bytes;
		let mut inner = self.inner();
		if !inner.ledger.refuse(&key, bytes) {
			return Ok(false);
		}
		let written = inner.log.write_all(&record(&Record::Refused { key, bytes }.encode()));
		inner.log_records += 1;
		// In memory the receipt is refused either way: it is never submitted again by this
		// process, and at worst once more after a restart if the record was lost.
		written?;
		Ok(true)
	}

	/// Syncs the log to disk, rewriting it first if it has grown to more than twice the live
	/// entries (plus [`COMPACT_SLACK`]).
	pub fn sync(&self) -> Result<(), BookError> {
		let mut inner = self.inner();
		if inner.log_records > 2 * inner.ledger.slots.len() + COMPACT_SLACK {
			let (log, records) = rewrite(&self.path, self.genesis, inner.ledger.records())?;
			inner.log = log;
			inner.log_records = records;
			return Ok(());
		}
		Ok(inner.log.sync_data()?)
	}

	/// Every receipt held (refused ones excepted), in key order.
	pub fn receipts(&self) -> Vec<SignedReceipt<AccountId>> {
		self.inner().ledger.receipts().cloned().collect()
	}

	/// Forgets receipts of epochs before `oldest` (the chain no longer takes them) and
	/// rewrites the log without them. Returns how many were dropped.
	pub fn prune(&self, oldest: EpochIndex) -> Result<usize, BookError> {
		let mut inner = self.inner();
		let dropped = inner.ledger.prune(oldest);
		if dropped > 0 {
			let (log, records) = rewrite(&self.path, self.genesis, inner.ledger.records())?;
			inner.log = log;
			inner.log_records = records;
		}
		Ok(dropped)
	}
}

/// Verifies `receipts` for the chain of `genesis` with one schnorrkel batch verification;
/// if the batch fails, one by one. Returns the valid ones and the invalid ones.
pub fn verify_batch(
	receipts: Vec<SignedReceipt<AccountId>>,
	genesis: &H256,
) -> (Vec<SignedReceipt<AccountId>>, Vec<SignedReceipt<AccountId>>) {
	if batch_valid(&receipts, genesis) {
		return (receipts, Vec::new());
	}
	receipts.into_iter().partition(|r| receipt::verify(r, genesis))
}

fn batch_valid(receipts: &[SignedReceipt<AccountId>], genesis: &H256) -> bool {
	let mut transcripts = Vec::with_capacity(receipts.len());
	let mut signatures = Vec::with_capacity(receipts.len());
	let mut keys = Vec::with_capacity(receipts.len());
	for signed in receipts {
		let key: &[u8; 32] = signed.receipt.client.as_ref();
		let (Ok(signature), Ok(key)) = (
			schnorrkel::Signature::from_bytes(&signed.signature.0),
			schnorrkel::PublicKey::from_bytes(key),
		) else {
			return false;
		};
		let payload = receipt::signing_payload(&signed.receipt, genesis);
		transcripts.push(schnorrkel::signing_context(b"substrate").bytes(&payload));
		signatures.push(signature);
		keys.push(key);
	}
	schnorrkel::verify_batch(transcripts, &signatures, &keys, false).is_ok()
}

/// A log record: length, bytes, checksum.
fn record(bytes: &[u8]) -> Vec<u8> {
	let mut out = Vec::with_capacity(bytes.len() + 12);
	out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
	out.extend_from_slice(bytes);
	out.extend_from_slice(&blake3::hash(bytes).as_bytes()[..8]);
	out
}

/// Keeps a copy of a damaged log as `receipts.log.damaged` and logs what the replay
/// skipped or dropped, and why.
fn keep_damaged(path: &Path, report: &OpenReport) -> Result<(), BookError> {
	let Some(first) = &report.first_damage else { return Ok(()) };
	let damaged = path.with_extension("log.damaged");
	fs::copy(path, &damaged)?;
	log::warn!(
		target: "content",
		"Receipt book {}: {} corrupt records skipped and {} bytes of a torn tail dropped (first: \
		 {first}); {} receipts kept; the damaged log is kept as {}",
		path.display(),
		report.corrupt_records,
		report.torn_bytes,
		report.receipts,
		damaged.display()
	);
	Ok(())
}

/// What the log holds at the reader's position.
enum Frame {
	/// A whole record with a good checksum.
	Record(Vec<u8>),
	/// A whole record with a bad checksum: skipped, the next one follows.
	Corrupt,
	/// The end of the file.
	End,
	/// A record that is cut short or whose length is implausible: the framing ends here.
	Torn,
}

/// Reads the next frame from `reader`, at `*offset` of a file of `len` bytes; advances
/// `*offset` past whole frames only.
fn next_frame(reader: &mut impl Read, offset: &mut u64, len: u64) -> Frame {
	if *offset >= len {
		return Frame::End;
	}
	let mut size = [0u8; 4];
	if reader.read_exact(&mut size).is_err() {
		return Frame::Torn;
	}
	let size = u32::from_le_bytes(size);
	if size > MAX_RECORD {
		return Frame::Torn;
	}
	let mut bytes = vec![0u8; size as usize];
	let mut sum = [0u8; 8];
	if reader.read_exact(&mut bytes).is_err() || reader.read_exact(&mut sum).is_err() {
		return Frame::Torn;
	}
	*offset += 4 + u64::from(size) + 8;
	if blake3::hash(&bytes).as_bytes()[..8] == sum {
		Frame::Record(bytes)
	} else {
		Frame::Corrupt
	}
}

/// Decodes a record of a log of `format`.
fn decode_record(format: u8, bytes: &[u8]) -> Option<Replayed> {
	let mut input = bytes;
	let record = match format {
		FORMAT_V1 => Replayed::Record(Record::Kept(Decode::decode(&mut input).ok()?)),
		FORMAT_V2 => match RecordV2::decode(&mut input).ok()? {
			RecordV2::Kept(signed) => Replayed::Record(Record::Kept(signed)),
			RecordV2::Refused { client, epoch, moderator, bytes } => {
				Replayed::RefusedV2 { client, epoch, moderator, bytes }
			},
		},
		_ => Replayed::Record(Record::decode(&mut input).ok()?),
	};
	// Trailing bytes mean the record is not what it claims to be.
	input.is_empty().then_some(record)
}

/// Reads the log's header: its format, if the book is of `genesis`'s chain.
fn read_header(
	path: &Path,
	reader: &mut impl Read,
	offset: &mut u64,
	len: u64,
	genesis: H256,
) -> Result<u8, BookError> {
	let header = match next_frame(reader, offset, len) {
		Frame::Record(bytes) => Header::decode(&mut &bytes[..]).ok(),
		_ => None,
	}
	.filter(|header| [FORMAT, FORMAT_V2, FORMAT_V1].contains(&header.format))
	.ok_or_else(|| BookError::NotABook(path.to_path_buf()))?;
	if header.genesis != genesis {
		return Err(BookError::OtherChain { held: header.genesis, chain: genesis });
	}
	Ok(header.format)
}

/// Applies one replayed record to `ledger`, counting in `report` what it cannot take.
fn apply(ledger: &mut Ledger, replayed: Replayed, limits: &Limits, report: &mut OpenReport) {
	let taken = match replayed {
		Replayed::Record(Record::Kept(signed)) => ledger.keep(signed, limits).map(drop),
		Replayed::Record(Record::Refused { key, bytes }) => {
			ledger.replay_refusal(key, bytes, limits)
		},
		Replayed::RefusedV2 { client, epoch, moderator, bytes } => {
			// Without a receipt held for it the node of the key is unknown: it is dropped.
			if let Some(key) = ledger.key_without_node(&client, epoch, &moderator) {
				ledger.refuse(&key, bytes);
			}
			Ok(())
		},
	};
	match taken {
		Ok(()) | Err(NotKept::NotNewer { .. } | NotKept::RefusedBefore { .. }) => {},
		Err(_) => report.over_limits += 1,
	}
}

/// Replays the log in `file`: the ledger it leaves, and what was skipped or dropped.
fn replay(
	path: &Path,
	file: File,
	genesis: H256,
	limits: &Limits,
) -> Result<(Ledger, OpenReport), BookError> {
	let len = file.metadata()?.len();
	let mut reader = BufReader::new(file);
	let mut offset = 0u64;
	let format = read_header(path, &mut reader, &mut offset, len, genesis)?;
	let mut ledger = Ledger::default();
	let mut report = OpenReport::default();
	loop {
		let at = offset;
		let cause = match next_frame(&mut reader, &mut offset, len) {
			Frame::Record(bytes) => match decode_record(format, &bytes) {
				Some(replayed) => {
					apply(&mut ledger, replayed, limits, &mut report);
					continue;
				},
				None => DamageCause::Undecodable,
			},
			Frame::Corrupt => DamageCause::Checksum,
			Frame::End => break,
			Frame::Torn => DamageCause::Torn { dropped: len - at },
		};
		report.damage(Damage { offset: at, cause });
		if matches!(cause, DamageCause::Torn { .. }) {
			break;
		}
	}
	Ok((ledger, report))
}

/// Writes a fresh log with `records` (temporary file, sync, rename, sync the directory) and
/// returns it open for appending, with the number of records it holds (the header included).
fn rewrite(
	path: &Path,
	genesis: H256,
	records: impl Iterator<Item = Record>,
) -> Result<(File, usize), BookError> {
	let temp = path.with_extension("log.tmp");
	let mut file = io::BufWriter::new(File::create(&temp)?);
	file.write_all(&record(&Header { format: FORMAT, genesis }.encode()))?;
	let mut count = 1;
	for entry in records {
		file.write_all(&record(&entry.encode()))?;
		count += 1;
	}
	file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
	fs::rename(&temp, path)?;
	if let Some(dir) = path.parent() {
		File::open(dir)?.sync_all()?;
	}
	Ok((OpenOptions::new().append(true).open(path)?, count))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::test_support::signed_receipt;
	use polkadot_sdk::sp_core::{sr25519, Pair};

	const GENESIS: H256 = H256::repeat_byte(1);
	const LIMITS: Limits = Limits { per_client_epoch: 3, per_epoch: 5 };
	const NODE: AccountId = AccountId::new([9; 32]);

	fn signed(
		client: &sr25519::Pair,
		epoch: u32,
		moderator: u8,
		bytes: u64,
	) -> SignedReceipt<AccountId> {
		let moderator = (moderator > 0).then(|| AccountId::new([moderator; 32]));
		signed_receipt(client, &NODE, epoch, moderator.as_ref(), bytes, &GENESIS)
	}

	fn fresh(n: u32) -> sr25519::Pair {
		sr25519::Pair::from_string(&format!("//fresh{n}"), None).unwrap()
	}

	#[test]
	fn a_flood_of_fresh_keys_stops_at_the_limits_and_held_keys_still_grow() {
		let dir = tempfile::tempdir().unwrap();
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		let one = fresh(0);
		for moderator in 0..3 {
			assert!(matches!(book.insert(signed(&one, 4, moderator, 10)), Ok(Kept::New)));
		}
		// A fourth moderator for the same client and epoch: refused.
		assert!(matches!(
			book.insert(signed(&one, 4, 3, 10)),
			Err(NotKept::ClientFull { limit: 3 })
		));
		// The same client in another epoch has its own room.
		assert!(book.insert(signed(&one, 5, 3, 10)).is_ok());
		// Fresh clients fill epoch 4 up to 5 keys, then are refused, however many come.
		assert!(book.insert(signed(&fresh(1), 4, 0, 10)).is_ok());
		assert!(book.insert(signed(&fresh(2), 4, 0, 10)).is_ok());
		for n in 3..40 {
			assert!(matches!(
				book.insert(signed(&fresh(n), 4, 0, 10)),
				Err(NotKept::EpochFull { limit: 5 })
			));
		}
		// A newer receipt for a key held still replaces the old one.
		assert!(matches!(book.insert(signed(&one, 4, 1, 20)), Ok(Kept::Replaced)));
		assert!(matches!(book.insert(signed(&one, 4, 1, 20)), Err(NotKept::NotNewer { held: 20 })));
		assert_eq!(book.receipts().len(), 6);
		// The limits hold after a restart too: the log holds no refused receipt.
		drop(book);
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!((report.receipts, report.over_limits), (6, 0));
		assert!(matches!(
			book.insert(signed(&fresh(99), 4, 0, 10)),
			Err(NotKept::EpochFull { .. })
		));
	}

	#[test]
	fn a_refused_receipt_leaves_the_book_for_good_and_keeps_its_slot() {
		let dir = tempfile::tempdir().unwrap();
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		let bad = signed(&fresh(0), 4, 0, 10);
		book.insert(bad.clone()).unwrap();
		book.insert(signed(&fresh(1), 4, 0, 10)).unwrap();
		assert!(book.refuse(&bad).unwrap());
		assert_eq!(book.receipts().len(), 1);
		// Sent again, it is not taken; a receipt counting more is.
		assert!(matches!(book.insert(bad.clone()), Err(NotKept::RefusedBefore { refused: 10 })));
		drop(book);
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!(report.receipts, 1, "the refusal survives a restart");
		assert!(matches!(book.insert(bad), Err(NotKept::RefusedBefore { .. })));
		assert!(matches!(book.insert(signed(&fresh(0), 4, 0, 11)), Ok(Kept::Replaced)));
		// A refusal of an older receipt leaves the newer one alone.
		assert!(!book.refuse(&signed(&fresh(0), 4, 0, 10)).unwrap());
		assert_eq!(book.receipts().len(), 2);
	}

	#[test]
	fn the_log_is_compacted_when_it_outgrows_the_live_receipts() {
		let dir = tempfile::tempdir().unwrap();
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		let client = fresh(0);
		for bytes in 1..=(COMPACT_SLACK as u64 + 10) {
			book.insert(signed(&client, 4, 0, bytes)).unwrap();
		}
		let log = dir.path().join("receipts.log");
		let grown = fs::metadata(&log).unwrap().len();
		book.sync().unwrap();
		let compacted = fs::metadata(&log).unwrap().len();
		assert!(compacted * 100 < grown, "{compacted} bytes after compaction, {grown} before");
		drop(book);
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!(book.receipts()[0].receipt.bytes, COMPACT_SLACK as u64 + 10);
	}

	#[test]
	fn replay_skips_a_corrupt_record_in_the_middle_and_goes_on() {
		let dir = tempfile::tempdir().unwrap();
		let log = dir.path().join("receipts.log");
		let lengths: Vec<u64> = {
			let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
			(0..3)
				.map(|n| {
					book.insert(signed(&fresh(n), 4, 0, 10 + u64::from(n))).unwrap();
					fs::metadata(&log).unwrap().len()
				})
				.collect()
		};
		// Flip a byte inside the second receipt's record.
		let mut bytes = fs::read(&log).unwrap();
		let inside = (lengths[0] + 20) as usize;
		bytes[inside] ^= 0xff;
		fs::write(&log, &bytes).unwrap();
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		let first_damage = Some(Damage { offset: lengths[0], cause: DamageCause::Checksum });
		assert_eq!(
			report,
			OpenReport {
				receipts: 2,
				corrupt_records: 1,
				torn_bytes: 0,
				over_limits: 0,
				first_damage
			}
		);
		let held: Vec<u64> = book.receipts().iter().map(|s| s.receipt.bytes).collect();
		let mut held = held;
		held.sort();
		assert_eq!(held, vec![10, 12], "the receipt after the corrupt one is kept");
		assert_eq!(fs::read(dir.path().join("receipts.log.damaged")).unwrap(), bytes);
		// The book was rewritten clean: reopening finds no damage.
		drop(book);
		let (_, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert!(!report.damaged());
	}

	#[test]
	fn replay_stops_at_a_broken_length_and_reports_the_bytes_dropped() {
		let dir = tempfile::tempdir().unwrap();
		let log = dir.path().join("receipts.log");
		let after_first = {
			let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
			book.insert(signed(&fresh(0), 4, 0, 10)).unwrap();
			let after_first = fs::metadata(&log).unwrap().len();
			book.insert(signed(&fresh(1), 4, 0, 11)).unwrap();
			after_first
		};
		let mut bytes = fs::read(&log).unwrap();
		// The second record's length now claims more than any record may hold.
		bytes[after_first as usize + 3] = 0xff;
		fs::write(&log, &bytes).unwrap();
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!(report.torn_bytes, bytes.len() as u64 - after_first);
		assert_eq!(book.receipts().len(), 1);
		let dropped = bytes.len() as u64 - after_first;
		let torn = Damage { offset: after_first, cause: DamageCause::Torn { dropped } };
		assert_eq!(report.first_damage, Some(torn));
	}

	#[test]
	fn a_record_that_is_no_record_is_reported_with_its_cause_and_the_rest_is_kept() {
		let dir = tempfile::tempdir().unwrap();
		let log = dir.path().join("receipts.log");
		let after_first = {
			let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
			book.insert(signed(&fresh(0), 4, 0, 10)).unwrap();
			fs::metadata(&log).unwrap().len()
		};
		// A record with a sound length and checksum whose bytes are no record, then a receipt.
		let mut bytes = fs::read(&log).unwrap();
		bytes.extend(record(b"\xffnot a record"));
		bytes.extend(record(&Record::Kept(signed(&fresh(1), 4, 0, 11)).encode()));
		fs::write(&log, &bytes).unwrap();
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!((report.corrupt_records, report.torn_bytes, report.receipts), (1, 0, 2));
		assert_eq!(
			report.first_damage,
			Some(Damage { offset: after_first, cause: DamageCause::Undecodable })
		);
		assert_eq!(book.receipts().len(), 2, "what came before and after it is kept");
		assert!(dir.path().join("receipts.log.damaged").exists());
	}

	#[test]
	fn a_refusal_survives_any_number_of_restarts() {
		let dir = tempfile::tempdir().unwrap();
		let bad = signed(&fresh(0), 4, 0, 10);
		{
			let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
			book.insert(bad.clone()).unwrap();
			assert!(book.refuse(&bad).unwrap());
		}
		// Each open rewrites the log: the refused slot is then on its own in it.
		for _ in 0..2 {
			let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
			assert_eq!(report.receipts, 0);
			assert!(matches!(book.insert(bad.clone()), Err(NotKept::RefusedBefore { .. })));
		}
	}

	#[test]
	fn a_format_2_book_is_read_with_its_refusals() {
		let dir = tempfile::tempdir().unwrap();
		let log = dir.path().join("receipts.log");
		let (kept, refused) = (signed(&fresh(0), 4, 0, 10), signed(&fresh(1), 4, 7, 20));
		let refusal = |signed: &SignedReceipt<AccountId>| {
			let r = &signed.receipt;
			// Format 2: `Refused { key: (client, epoch, moderator), bytes }`.
			let mut bytes = vec![1u8];
			(&r.client, r.epoch, &r.moderator, r.bytes).encode_to(&mut bytes);
			bytes
		};
		let mut bytes = record(&Header { format: FORMAT_V2, genesis: GENESIS }.encode());
		for signed in [&kept, &refused] {
			bytes.extend(record(&Record::Kept(signed.clone()).encode()));
		}
		bytes.extend(record(&refusal(&refused)));
		fs::write(&log, &bytes).unwrap();
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!((report.receipts, report.damaged()), (1, false));
		assert_eq!(book.receipts(), vec![kept]);
		assert!(matches!(book.insert(refused), Err(NotKept::RefusedBefore { refused: 20 })));
	}

	#[test]
	fn a_format_1_book_is_read_and_rewritten() {
		let dir = tempfile::tempdir().unwrap();
		let log = dir.path().join("receipts.log");
		let mut bytes = record(&Header { format: FORMAT_V1, genesis: GENESIS }.encode());
		bytes.extend(record(&signed(&fresh(0), 4, 0, 10).encode()));
		fs::write(&log, &bytes).unwrap();
		let (book, report) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!((report.receipts, report.damaged()), (1, false));
		drop(book);
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, LIMITS).unwrap();
		assert_eq!(book.receipts()[0].receipt.bytes, 10);
	}
}
