//! The receipt book: the newest receipt of every (client, epoch, moderator) this node was
//! given, kept on disk so that a restart loses none, until the chain has credited it.
//!
//! File `receipts.log` under the store's directory: a header record (format version and the
//! chain's genesis hash), then one record per accepted receipt, each `u32` length (little
//! endian) + SCALE bytes + BLAKE3 checksum (first 8 bytes). Records are appended as receipts
//! arrive (written through to the OS, so a killed process loses nothing) and synced to disk
//! by [`ReceiptBook::sync`], which the node's duties call every round. Opening replays the
//! log, ignores a torn tail and rewrites it with the newest receipts only.

use crate::window::ReceiptSink;
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

/// Version of the log format.
const FORMAT: u8 = 1;

/// Largest record accepted when reading (a receipt is under 200 bytes).
const MAX_RECORD: u32 = 4096;

/// What a receipt is for.
pub type ReceiptKey = (AccountId, EpochIndex, Option<AccountId>);

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

#[derive(Encode, Decode)]
struct Header {
	format: u8,
	genesis: H256,
}

struct Inner {
	receipts: BTreeMap<ReceiptKey, SignedReceipt<AccountId>>,
	log: File,
}

/// The node's receipts, newest per (client, epoch, moderator).
pub struct ReceiptBook {
	path: PathBuf,
	genesis: H256,
	inner: Mutex<Inner>,
}

impl ReceiptBook {
	/// Opens (or creates) the book in `dir` for the chain of `genesis`.
	pub fn open(dir: &Path, genesis: H256) -> Result<Self, BookError> {
		fs::create_dir_all(dir)?;
		let path = dir.join("receipts.log");
		let receipts = match File::open(&path) {
			Ok(file) => replay(&path, file, genesis)?,
			Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
			Err(e) => return Err(e.into()),
		};
		let log = rewrite(&path, genesis, receipts.values())?;
		Ok(ReceiptBook { path, genesis, inner: Mutex::new(Inner { receipts, log }) })
	}

	/// The genesis hash the receipts are for.
	pub fn genesis(&self) -> H256 {
		self.genesis
	}

	fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
		self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Keeps `signed` if it counts more than the receipt held for its key.
	pub fn insert(&self, signed: SignedReceipt<AccountId>) -> Result<bool, BookError> {
		let r = &signed.receipt;
		let key = (r.client.clone(), r.epoch, r.moderator.clone());
		let mut inner = self.inner();
		if inner.receipts.get(&key).is_some_and(|held| held.receipt.bytes >= r.bytes) {
			return Ok(false);
		}
		inner.log.write_all(&record(&signed.encode()))?;
		inner.receipts.insert(key, signed);
		Ok(true)
	}

	/// Syncs the log to disk.
	pub fn sync(&self) -> Result<(), BookError> {
		Ok(self.inner().log.sync_data()?)
	}

	/// Every receipt held, in key order.
	pub fn receipts(&self) -> Vec<SignedReceipt<AccountId>> {
		self.inner().receipts.values().cloned().collect()
	}

	/// Forgets receipts of epochs before `oldest` (the chain no longer takes them) and
	/// compacts the log. Returns how many were dropped.
	pub fn prune(&self, oldest: EpochIndex) -> Result<usize, BookError> {
		let mut inner = self.inner();
		let before = inner.receipts.len();
		inner.receipts.retain(|(_, epoch, _), _| *epoch >= oldest);
		let dropped = before - inner.receipts.len();
		if dropped > 0 {
			inner.log = rewrite(&self.path, self.genesis, inner.receipts.values())?;
		}
		Ok(dropped)
	}
}

impl ReceiptSink for ReceiptBook {
	fn accepted(&self, receipt: SignedReceipt<AccountId>) {
		if let Err(e) = self.insert(receipt) {
			log::error!(target: "content", "could not keep a receipt: {e}");
		}
	}
}

/// Verifies `receipts` for the chain of `genesis` with one schnorrkel batch verification;
/// if the batch fails, one by one. Returns the valid ones and how many were dropped.
pub fn verify_batch(
	receipts: Vec<SignedReceipt<AccountId>>,
	genesis: &H256,
) -> (Vec<SignedReceipt<AccountId>>, usize) {
	if batch_valid(&receipts, genesis) {
		return (receipts, 0);
	}
	let total = receipts.len();
	let valid: Vec<_> = receipts.into_iter().filter(|r| receipt::verify(r, genesis)).collect();
	let dropped = total - valid.len();
	(valid, dropped)
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

/// The next whole record, or none at the end or at a torn or corrupt tail.
fn next_record(reader: &mut impl Read) -> Option<Vec<u8>> {
	let mut len = [0u8; 4];
	reader.read_exact(&mut len).ok()?;
	let len = u32::from_le_bytes(len);
	if len > MAX_RECORD {
		return None;
	}
	let mut bytes = vec![0u8; len as usize];
	let mut sum = [0u8; 8];
	reader.read_exact(&mut bytes).ok()?;
	reader.read_exact(&mut sum).ok()?;
	(blake3::hash(&bytes).as_bytes()[..8] == sum).then_some(bytes)
}

fn replay(
	path: &Path,
	file: File,
	genesis: H256,
) -> Result<BTreeMap<ReceiptKey, SignedReceipt<AccountId>>, BookError> {
	let mut reader = BufReader::new(file);
	let header = next_record(&mut reader)
		.and_then(|bytes| Header::decode(&mut &bytes[..]).ok())
		.filter(|header| header.format == FORMAT)
		.ok_or_else(|| BookError::NotABook(path.to_path_buf()))?;
	if header.genesis != genesis {
		return Err(BookError::OtherChain { held: header.genesis, chain: genesis });
	}
	let mut receipts: BTreeMap<ReceiptKey, SignedReceipt<AccountId>> = BTreeMap::new();
	while let Some(bytes) = next_record(&mut reader) {
		let Ok(signed) = SignedReceipt::<AccountId>::decode(&mut &bytes[..]) else { break };
		let r = &signed.receipt;
		let key = (r.client.clone(), r.epoch, r.moderator.clone());
		if receipts.get(&key).is_none_or(|held| held.receipt.bytes < r.bytes) {
			receipts.insert(key, signed);
		}
	}
	Ok(receipts)
}

/// Writes a fresh log with `receipts` (temporary file, sync, rename, sync the directory) and
/// returns it open for appending.
fn rewrite<'a>(
	path: &Path,
	genesis: H256,
	receipts: impl Iterator<Item = &'a SignedReceipt<AccountId>>,
) -> Result<File, BookError> {
	let temp = path.with_extension("log.tmp");
	let mut file = File::create(&temp)?;
	file.write_all(&record(&Header { format: FORMAT, genesis }.encode()))?;
	for signed in receipts {
		file.write_all(&record(&signed.encode()))?;
	}
	file.sync_all()?;
	fs::rename(&temp, path)?;
	if let Some(dir) = path.parent() {
		File::open(dir)?.sync_all()?;
	}
	Ok(OpenOptions::new().append(true).open(path)?)
}
