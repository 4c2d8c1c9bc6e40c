//! Harnesses of Bitcloud's fuzz targets: one function per decoder of peer input.
//!
//! Each harness takes the bytes libFuzzer (or a corpus file) gives it, feeds them to the
//! decoder exactly as a node or client receives them from a peer, and checks what must hold
//! of the result: no panic, a decode → encode round trip wherever the format is canonical,
//! results within bounds, and agreement between the ways the code base checks the same
//! thing. A violation panics, which libFuzzer reports as a crash and the replay test as a
//! failure. The binaries of `fuzz_targets/` call these functions; `tests/replay.rs` runs
//! every committed input through them in the ordinary test suite. `docs/fuzzing.md` says how
//! to run a target and what each has been run for.

#![deny(missing_docs)]

use bitcloud_content::{
	book::{verify_batch, Limits, NotKept, ReceiptBook},
	id::{parse_id, to_cid, to_hex},
	protocol::{parse_request_proof, verify_request_proof},
	range::{parse_range, RangeRequest},
	site::{Manifest, Resolved},
	BookError, ReceiptSink,
};
use bitcloud_onion::{
	cell::{
		create_frame, created_frame, parse_create, parse_created, payload_len, sealed_len, Cell,
		FRAME_LEN, MAGIC, MAX_DEPTH,
	},
	noise::{respond, Initiator, OnionSecret, HANDSHAKE_LEN},
	payment::{take_receipt, ReceiptRefusal},
	verify::{bytes_match, checked_outboard},
};
use bitcloud_primitives::{
	content_id as root_of,
	receipt::{self, Receipt, SignedReceipt, RECEIPT_DOMAIN},
	storage_proof::{chunk_count, chunk_len, root_from_proof, verify_proof, ProofError},
	AccountId, ContentId, EpochIndex, StorageProof,
};
use codec::{Decode, Encode, MaxEncodedLen};
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::{
	collections::BTreeMap,
	path::{Path, PathBuf},
	sync::{
		atomic::{AtomicU64, Ordering},
		Mutex, OnceLock,
	},
};

/// Genesis hash of the chain the harnesses check signatures and handshakes for; the seeds
/// are made for it.
pub const GENESIS: [u8; 32] = [0x11; 32];

/// Account of the node that takes receipts in the `signed_receipt` target.
pub const NODE: [u8; 32] = [0xDA; 32];

/// Dev seed of the client whose request proofs the `request_proof` target checks.
pub const CLIENT_SEED: &str = "//Ferdie";

/// Secret onion key of the relay in the `handshake` target (its public key is what the
/// seeds' initiators handshake with).
pub const RELAY_SECRET: [u8; 32] = [0x42; 32];

/// What a harness made of an input. The replay test checks that the seeds made by the real
/// encoders (`valid-*` files) are still accepted, so a format change cannot leave the fuzzer
/// exploring only refusals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
	/// The decoder took the input as what it should be (see each harness).
	Accepted,
	/// The decoder refused it, cleanly.
	Refused,
}

impl From<bool> for Outcome {
	fn from(accepted: bool) -> Self {
		if accepted {
			Outcome::Accepted
		} else {
			Outcome::Refused
		}
	}
}

/// A harness: decodes one input and checks what must hold of it (a violation panics).
pub type Harness = fn(&[u8]) -> Outcome;

/// Every fuzz target: the name of its binary (`fuzz_targets/<name>.rs`), of its corpus
/// (`corpus/<name>/`) and of its seeds (`seeds/<name>/`), and its harness.
pub const TARGETS: &[(&str, Harness)] = &[
	("receipt", receipt),
	("signed_receipt", signed_receipt),
	("storage_proof", storage_proof),
	("cell", cell),
	("handshake", handshake),
	("range", range),
	("book", book),
	("content_id", content_id),
	("request_proof", request_proof),
	("outboard", outboard),
	("site_manifest", site_manifest),
];

/// SCALE-decodes a `T` from the start of `data` and checks that encoding it again gives
/// back exactly the bytes it was decoded from (every type fuzzed here has one encoding per
/// value: fixed-size fields, `Option` tags 0 and 1 only, minimal compact lengths).
fn decode_canonical<T: Decode + Encode>(data: &[u8]) -> Option<T> {
	let mut rest = data;
	let value = T::decode(&mut rest).ok()?;
	let consumed = data.len() - rest.len();
	assert_eq!(
		value.encode(),
		data[..consumed],
		"SCALE decoding of {} accepted a non-canonical encoding",
		std::any::type_name::<T>()
	);
	Some(value)
}

/// `Receipt` in SCALE (what a client signs). Accepted: it decodes; its signing payload is
/// the domain tag, the genesis hash and the encoding.
pub fn receipt(data: &[u8]) -> Outcome {
	let Some(r) = decode_canonical::<Receipt<AccountId>>(data) else { return Outcome::Refused };
	assert!(r.encoded_size() <= Receipt::<AccountId>::max_encoded_len());
	let payload = receipt::signing_payload(&r, &H256(GENESIS));
	let (domain, rest) = payload.split_at(RECEIPT_DOMAIN.len());
	assert_eq!(domain, RECEIPT_DOMAIN);
	assert_eq!((&rest[..32], &rest[32..]), (&GENESIS[..], &r.encode()[..]));
	Outcome::Accepted
}

/// Receipts a [`ReceiptSink`] was given.
#[derive(Default)]
struct Kept(Mutex<Vec<SignedReceipt<AccountId>>>);

impl ReceiptSink for Kept {
	fn accepted(&self, receipt: SignedReceipt<AccountId>) {
		self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(receipt);
	}
}

/// `SignedReceipt` in SCALE, as a relay takes it from an exit's `Receipt` cell
/// ([`take_receipt`]; a gateway decodes a client's receipt the same way, after undoing its
/// hex). Checks the round trip, that the single (sp-core) and batch (schnorrkel) signature
/// checks agree, and that the relay keeps it exactly when it is for this node, unmoderated
/// and validly signed. Accepted: the signature is valid.
pub fn signed_receipt(data: &[u8]) -> Outcome {
	let genesis = H256(GENESIS);
	let node = AccountId::new(NODE);
	let kept = Kept::default();
	let taken = take_receipt(data, Some(&node), &GENESIS, Some(&kept));
	let Some(signed) = decode_canonical::<SignedReceipt<AccountId>>(data) else {
		assert_eq!(taken, Err(ReceiptRefusal::Undecodable));
		return Outcome::Refused;
	};
	assert!(signed.encoded_size() <= SignedReceipt::<AccountId>::max_encoded_len());
	let valid = receipt::verify(&signed, &genesis);
	let (batch_valid, batch_invalid) = verify_batch(vec![signed.clone()], &genesis);
	assert_eq!((batch_valid.len(), batch_invalid.len()), if valid { (1, 0) } else { (0, 1) });
	let for_node = signed.receipt.node == node && signed.receipt.moderator.is_none();
	let kept = kept.0.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner());
	match taken {
		Ok(taken) => {
			assert!(for_node && valid, "the relay kept a receipt it should have refused");
			assert_eq!((&taken, &kept[..]), (&signed, &[signed.clone()][..]));
		},
		Err(ReceiptRefusal::NotForThisNode) => assert!(!for_node && kept.is_empty()),
		Err(ReceiptRefusal::BadSignature) => assert!(for_node && !valid && kept.is_empty()),
		Err(refusal) => panic!("a decodable receipt refused as {refusal:?}"),
	}
	valid.into()
}

/// A storage proof as the chain receives it, with what the verifier knows: SCALE of
/// `(content id, content size, chunk index, StorageProof)`. Checks the round trip, that a
/// proof passing the shape checks has the shape the size gives, and that
/// [`verify_proof`] agrees with [`root_from_proof`]. Accepted: the proof verifies.
pub fn storage_proof(data: &[u8]) -> Outcome {
	let Some((root, size, index, proof)) =
		decode_canonical::<(ContentId, u64, u64, StorageProof)>(data)
	else {
		return Outcome::Refused;
	};
	let verdict = verify_proof(&root, size, index, &proof);
	match root_from_proof(size, index, &proof) {
		Ok(computed) => {
			assert_eq!(Some(proof.chunk.len() as u64), chunk_len(size, index));
			if chunk_count(size) == 1 {
				// One chunk: the content is the chunk and the root its BLAKE3 hash.
				assert!(proof.siblings.is_empty());
				assert_eq!(computed, root_of(&proof.chunk));
			} else {
				assert!(!proof.siblings.is_empty());
			}
			let expected = if computed == root { Ok(()) } else { Err(ProofError::RootMismatch) };
			assert_eq!(verdict, expected);
		},
		Err(e) => assert_eq!(verdict, Err(e)),
	}
	verdict.is_ok().into()
}

/// A cell as a hop reads it once its layer is off ([`Cell::decode`]). Checks that encoding
/// the decoded cell into a cell of the same size gives back the same header and body
/// followed by zeros (an `Error` cell's reason, read as lossy UTF-8, comes back as a prefix
/// of it). Accepted: it decodes.
pub fn cell(data: &[u8]) -> Outcome {
	let Ok(decoded) = Cell::decode(data) else { return Outcome::Refused };
	// Decoding checked that the header and the body are there.
	let end = 3 + usize::from(u16::from_be_bytes([data[1], data[2]]));
	let mut out = vec![0xAA; data.len()];
	decoded.encode_into(&mut out).expect("a decoded cell fits the cell it came from");
	let again = Cell::decode(&out).expect("an encoded cell decodes");
	if let (
		Cell::Error { refusal, reason },
		Cell::Error { refusal: refusal_again, reason: reason_again },
	) = (&decoded, &again)
	{
		assert_eq!(refusal, refusal_again);
		// Invalid UTF-8 comes back replaced, and cut to the cell's room.
		assert!(reason.starts_with(reason_again.as_str()));
		if std::str::from_utf8(&data[4..end]).is_err() {
			return Outcome::Accepted;
		}
	}
	assert_eq!(again, decoded);
	assert_eq!(out, data_with_zero_padding(data, end));
	Outcome::Accepted
}

/// The first `used` bytes of `data`, then zeros up to its length.
fn data_with_zero_padding(data: &[u8], used: usize) -> Vec<u8> {
	let mut padded = data.to_vec();
	padded[used..].fill(0);
	padded
}

/// The relay's onion key and its public half (computed once).
fn relay_key() -> &'static (OnionSecret, [u8; 32]) {
	static KEY: OnceLock<(OnionSecret, [u8; 32])> = OnceLock::new();
	KEY.get_or_init(|| {
		let secret = OnionSecret::from_bytes(RELAY_SECRET);
		let public = secret.public();
		(secret, public)
	})
}

/// `data` as the start of a frame: cut or zero-filled to [`FRAME_LEN`] bytes.
fn frame_of(data: &[u8]) -> Vec<u8> {
	let mut frame = vec![0u8; FRAME_LEN];
	let len = data.len().min(FRAME_LEN);
	frame[..len].copy_from_slice(&data[..len]);
	frame
}

/// The frames that open a hop and the Noise handshake in them, as a relay and a client
/// read them. The input is the start of the first frame a relay receives (zero-filled to a
/// frame); what follows the handshake message is also the start of the next frame, which
/// the relay opens under the new layer. Checks: a parsed opening frame re-encodes to the
/// same bytes; a handshake message either fails or is answered; a forged next frame never
/// opens; a client never completes a handshake with an answer it did not get from the relay.
/// Accepted: the relay answered the handshake.
pub fn handshake(data: &[u8]) -> Outcome {
	let (secret, public) = relay_key();
	if data.len() != FRAME_LEN {
		assert!(parse_create(data).is_err() && parse_created(data).is_err(), "a short frame");
	}
	let frame = frame_of(data);
	let opening = &frame[..MAGIC.len() + 1 + HANDSHAKE_LEN];

	// The client reading an answer: only the relay it handshakes with can make one.
	match parse_created(&frame) {
		Ok(answer) => {
			let answered = MAGIC.len() + HANDSHAKE_LEN;
			assert_eq!(created_frame(&answer)[..answered], frame[..answered]);
			let (initiator, _) = Initiator::start(public, &GENESIS).expect("a handshake starts");
			assert!(initiator.finish(&answer).is_err(), "a forged handshake answer completed");
		},
		Err(_) => assert_ne!(&frame[..MAGIC.len()], MAGIC),
	}

	// The relay reading an opening frame.
	let (depth, message) = match parse_create(&frame) {
		Ok(parsed) => parsed,
		Err(_) => {
			assert!(&frame[..MAGIC.len()] != MAGIC || !(1..=MAX_DEPTH).contains(&frame[4]));
			return Outcome::Refused;
		},
	};
	assert_eq!(create_frame(depth, &message)[..opening.len()], *opening);
	let Ok((_answer, mut layer)) = respond(secret, &GENESIS, &message) else {
		return Outcome::Refused;
	};
	// The next frame: whoever sent a replayed or made-up handshake holds no session key.
	let next = frame_of(data.get(opening.len()..).unwrap_or_default());
	let mut plain = vec![0u8; FRAME_LEN];
	let opened =
		layer.opener.open(&next[..sealed_len(depth)], &mut plain[..payload_len(depth)]).is_ok();
	assert!(!opened, "a frame opened under a session key nobody else holds");
	Outcome::Accepted
}

/// The `Range` header as the gateway parses it for a content of some size: the input is
/// the size (8 bytes, little endian) then the header's value (lossy UTF-8; none without
/// those 8 bytes). Checks that a single range lies within the content and that its
/// canonical form parses to itself. Accepted: a single satisfiable range.
pub fn range(data: &[u8]) -> Outcome {
	let (size, header) = match data.split_first_chunk::<8>() {
		Some((size, header)) => (u64::from_le_bytes(*size), Some(String::from_utf8_lossy(header))),
		None => (data.len() as u64, None),
	};
	let request = parse_range(header.as_deref(), size);
	if header.is_none() {
		assert_eq!(request, RangeRequest::Full);
	}
	let RangeRequest::Single { start, end } = request else { return Outcome::Refused };
	assert!(start <= end && end < size, "bytes {start}-{end} of {size}");
	let canonical = format!("bytes={start}-{end}");
	assert_eq!(parse_range(Some(&canonical), size), request);
	Outcome::Accepted
}

/// Limits of the book in the `book` target: small, so that inputs reach them.
pub const BOOK_LIMITS: Limits = Limits { per_client_epoch: 3, per_epoch: 8 };

/// Flag of a `book` input (its first byte): the rest is records for the harness to frame,
/// each a `u16` length (little endian) and that many bytes; else the rest is the log as it
/// is (a last record cut short is written as far as it goes either way).
pub const BOOK_FRAMED: u8 = 1;

/// A record of the book's log: `u32` length (little endian), the bytes, the first 8 bytes of
/// their BLAKE3 hash (the framing `bitcloud_content::book` documents; the fuzzer cannot make
/// checksums, so the harness makes them for it and the fuzzer mutates what is inside).
fn book_record(bytes: &[u8]) -> Vec<u8> {
	let mut record = (bytes.len() as u32).to_le_bytes().to_vec();
	record.extend_from_slice(bytes);
	record.extend_from_slice(&root_of(bytes)[..8]);
	record
}

/// The log a `book` input stands for (see [`BOOK_FRAMED`]).
pub fn book_log(data: &[u8]) -> Vec<u8> {
	let Some((&flags, mut rest)) = data.split_first() else { return Vec::new() };
	if flags & BOOK_FRAMED == 0 {
		return rest.to_vec();
	}
	let mut log = Vec::new();
	while let Some((len, tail)) = rest.split_first_chunk::<2>() {
		let Some((record, tail)) = tail.split_at_checked(usize::from(u16::from_le_bytes(*len)))
		else {
			log.extend_from_slice(tail);
			return log;
		};
		log.extend(book_record(record));
		rest = tail;
	}
	log.extend_from_slice(rest);
	log
}

/// The inverse of [`book_log`] for a log of whole records: the framed `book` input of it.
pub fn book_input(mut log: &[u8]) -> Vec<u8> {
	let mut input = vec![BOOK_FRAMED];
	while let Some((len, rest)) = log.split_first_chunk::<4>() {
		let len = u32::from_le_bytes(*len) as usize;
		let Some((bytes, rest)) = rest.split_at_checked(len + 8) else { break };
		let bytes = &bytes[..len];
		input.extend_from_slice(&u16::try_from(len).expect("a record under 64 KiB").to_le_bytes());
		input.extend_from_slice(bytes);
		log = rest;
	}
	input
}

/// The records of a log that have a sound length and checksum (whatever is inside them).
fn book_records(mut log: &[u8]) -> Vec<&[u8]> {
	let mut records = Vec::new();
	while let Some((len, rest)) = log.split_first_chunk::<4>() {
		let len = u32::from_le_bytes(*len) as usize;
		let Some((bytes, rest)) = rest.split_at_checked(len) else { break };
		let Some((sum, rest)) = rest.split_first_chunk::<8>() else { break };
		if root_of(bytes)[..8] == sum[..] {
			records.push(bytes);
		}
		log = rest;
	}
	records
}

/// A directory of its own under the temporary directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
	fn new() -> Self {
		static NEXT: AtomicU64 = AtomicU64::new(0);
		let n = NEXT.fetch_add(1, Ordering::Relaxed);
		let dir =
			std::env::temp_dir().join(format!("bitcloud-fuzz-book-{}-{n}", std::process::id()));
		std::fs::create_dir_all(&dir).expect("a scratch directory");
		Scratch(dir)
	}

	fn path(&self) -> &Path {
		&self.0
	}
}

impl Drop for Scratch {
	fn drop(&mut self) {
		let _ = std::fs::remove_dir_all(&self.0);
	}
}

/// The receipt book's log replay, through its public entry point: the log the input stands
/// for ([`book_log`]) is written as `receipts.log` and the book opened on it
/// ([`ReceiptBook::open`]), with [`BOOK_LIMITS`]. Checks: the book either opens or says the
/// file is no book or another chain's; every receipt it holds is in a record of the log, one
/// per key, within the limits, and counted by its report; none is taken again; the log it
/// rewrote opens again, undamaged, to the same receipts. Accepted: the book opened with at
/// least one receipt. Runs fastest with `TMPDIR` on a tmpfs (the book syncs what it rewrites).
pub fn book(data: &[u8]) -> Outcome {
	let log = book_log(data);
	let scratch = Scratch::new();
	std::fs::write(scratch.path().join("receipts.log"), &log).expect("the log is written");
	let genesis = H256(GENESIS);
	let (book, report) = match ReceiptBook::open(scratch.path(), genesis, BOOK_LIMITS) {
		Ok(opened) => opened,
		Err(BookError::Io(e)) => panic!("opening the book failed: {e}"),
		Err(BookError::NotABook(_) | BookError::OtherChain { .. }) => return Outcome::Refused,
	};
	let held = book.receipts();
	assert_eq!(report.receipts, held.len());

	let records = book_records(&log);
	let mut per_epoch: BTreeMap<EpochIndex, usize> = BTreeMap::new();
	let mut per_client: BTreeMap<(EpochIndex, &AccountId), usize> = BTreeMap::new();
	for signed in &held {
		let encoded = signed.encode();
		assert!(
			records.iter().any(|record| record.windows(encoded.len()).any(|w| w == encoded)),
			"the book holds a receipt that is in no record of its log"
		);
		*per_epoch.entry(signed.receipt.epoch).or_default() += 1;
		*per_client.entry((signed.receipt.epoch, &signed.receipt.client)).or_default() += 1;
	}
	assert!(per_epoch.values().all(|&n| n <= BOOK_LIMITS.per_epoch), "over the epoch limit");
	assert!(per_client.values().all(|&n| n <= BOOK_LIMITS.per_client_epoch), "over a limit");
	for signed in &held {
		let again = book.insert(signed.clone());
		assert!(matches!(again, Err(NotKept::NotNewer { .. })), "taken again: {again:?}");
	}
	drop(book);
	let (again, clean) =
		ReceiptBook::open(scratch.path(), genesis, BOOK_LIMITS).expect("the book it rewrote opens");
	assert_eq!(again.receipts(), held, "the rewritten book holds other receipts");
	assert!(!clean.damaged() && clean.over_limits == 0, "the rewritten log: {clean:?}");
	(!held.is_empty()).into()
}

/// A content id in text, as the gateway reads it from a URL and the client from its
/// command line ([`parse_id`], lossy UTF-8 of the input). Checks that an accepted id is the
/// input's hex or CID in another case only, and that both forms parse back to it.
/// Accepted: an id.
pub fn content_id(data: &[u8]) -> Outcome {
	let text = String::from_utf8_lossy(data);
	let Ok(id) = parse_id(&text) else { return Outcome::Refused };
	let (hex, cid) = (to_hex(&id), to_cid(&id));
	assert_eq!((parse_id(&hex), parse_id(&cid)), (Ok(id), Ok(id)));
	let canonical = if text.len() == hex.len() { hex } else { cid };
	assert!(canonical.eq_ignore_ascii_case(&text), "{text:?} parsed as {canonical}");
	// Multibase `b` is lowercase base32 (`B` would be uppercase).
	assert!(text.len() == 64 || text.starts_with('b'), "{text:?} parsed as a CID");
	Outcome::Accepted
}

/// A website's manifest and a request path, as a gateway gets them: the first byte is the
/// path's length `n`, the next `n` bytes the request path (lossy UTF-8), the rest the
/// manifest ([`Manifest::from_bytes`]). Checks that an accepted manifest writes back to bytes
/// that read as the same manifest, that every file it names has a content id, and that the
/// path resolves without a panic to a file of the manifest, a redirect that ends with `/` and
/// resolves in turn, or a refusal. Accepted: the manifest was read.
pub fn site_manifest(data: &[u8]) -> Outcome {
	let Some((&len, rest)) = data.split_first() else { return Outcome::Refused };
	let (path, manifest) = rest.split_at(usize::from(len).min(rest.len()));
	let Ok(manifest) = Manifest::from_bytes(manifest) else { return Outcome::Refused };
	assert_eq!(Manifest::from_bytes(&manifest.to_bytes()).as_ref(), Ok(&manifest));
	assert!(manifest.files.values().all(|file| file.content_id().is_ok()));
	let path = String::from_utf8_lossy(path);
	match manifest.resolve(&path) {
		Ok(Resolved::File(file)) | Ok(Resolved::Fallback(file)) => {
			assert!(manifest.files.values().any(|listed| listed == file))
		},
		Ok(Resolved::Redirect(to)) => {
			assert!(to.ends_with('/'), "{to}");
			assert!(manifest.resolve(&to).is_ok(), "{to}");
		},
		Ok(Resolved::NotFound) | Err(_) => {},
	}
	Outcome::Accepted
}

/// The account of [`CLIENT_SEED`] (derived once).
fn client() -> &'static AccountId {
	static CLIENT: OnceLock<AccountId> = OnceLock::new();
	CLIENT.get_or_init(|| {
		sr25519::Pair::from_string(CLIENT_SEED, None).expect("a dev seed").public().into()
	})
}

/// A client's request proof, the value of the gateway's `bitcloud-auth` header
/// ([`parse_request_proof`], lossy UTF-8 of the input), checked as the gateway checks it for
/// [`CLIENT_SEED`]'s requests to [`NODE`]. Checks that the canonical form of what was parsed
/// (`<period>.<128 lowercase hex digits>`) parses to the same, and that verification does not
/// panic. Accepted: the proof is the client's.
pub fn request_proof(data: &[u8]) -> Outcome {
	let text = String::from_utf8_lossy(data);
	let Some((period, signature)) = parse_request_proof(&text) else { return Outcome::Refused };
	let canonical = format!("{period}.{}", hex::encode(signature.0));
	assert_eq!(parse_request_proof(&canonical), Some((period, signature)));
	verify_request_proof(&signature, &H256(GENESIS), &AccountId::new(NODE), client(), period).into()
}

/// A content's outboard and bytes as a client or an exit receives them from a peer through
/// a circuit: SCALE of `(content id, announced size, outboard bytes, offset, bytes)`. The
/// outboard is checked against the id ([`checked_outboard`]), then the bytes at the offset
/// against the outboard ([`bytes_match`]). Checks that bytes of the whole content that pass
/// hash to the content id: the property every verified download rests on. Accepted: the
/// bytes passed.
pub fn outboard(data: &[u8]) -> Outcome {
	let Some((id, size, outboard, offset, bytes)) =
		decode_canonical::<(ContentId, u64, Vec<u8>, u64, Vec<u8>)>(data)
	else {
		return Outcome::Refused;
	};
	let Ok(checked) = checked_outboard(&id, size, outboard) else { return Outcome::Refused };
	let valid = bytes_match(&checked, offset, &bytes);
	if valid && offset == 0 && bytes.len() as u64 == size {
		assert_eq!(root_of(&bytes), id, "bytes that are not the content passed as the content");
	}
	valid.into()
}
