//! The seeds of every target, made by the real encoders (`valid-*`: the harness must accept
//! them) and by hand for the edges (`edge-*`: anything but a panic).
//!
//! The committed copies in `seeds/<target>/` are what the fuzzer starts from; regenerate
//! them with `cargo test --profile release -p bitcloud-fuzz --test replay -- --ignored
//! write_seeds` after a format change (signatures and handshakes are randomised, so the
//! bytes differ from run to run).

use bao_tree::io::outboard::PostOrderMemOutboard;
use bitcloud_content::{book::Limits, ReceiptBook};
use bitcloud_content::{protocol::sign_request_proof, store::BLOCK_SIZE};
use bitcloud_fuzz::{
	book_input, BOOK_FRAMED, BOOK_LIMITS, CLIENT_SEED, GENESIS, NODE, RELAY_SECRET,
};
use bitcloud_onion::{
	cell::{create_frame, created_frame, max_body, payload_len, Cell, Refusal, MAGIC},
	noise::{respond, Initiator, OnionSecret, HANDSHAKE_LEN},
};
use bitcloud_primitives::{
	content_id,
	receipt::{sign, Receipt, SignedReceipt},
	storage_proof::{worst_case_proof, Prover},
	AccountId, StorageProof,
};
use codec::Encode;
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::sync::atomic::{AtomicU64, Ordering};

/// One seed: target, file name, bytes.
pub type Seed = (&'static str, String, Vec<u8>);

/// The seeds of one target: file name, bytes.
type Seeds = Vec<(String, Vec<u8>)>;

/// Every seed of every target.
pub fn all() -> Vec<Seed> {
	let mut seeds = Vec::new();
	let targets = [
		("receipt", receipts()),
		("signed_receipt", signed_receipts()),
		("storage_proof", storage_proofs()),
		("cell", cells()),
		("handshake", handshakes()),
		("range", ranges()),
		("book", books()),
		("content_id", content_ids()),
		("request_proof", request_proofs()),
		("outboard", outboards()),
		("site_manifest", site_manifests()),
	];
	for (target, made) in targets {
		seeds.extend(made.into_iter().map(|(name, bytes)| (target, name, bytes)));
	}
	seeds
}

fn pair(seed: &str) -> sr25519::Pair {
	sr25519::Pair::from_string(seed, None).expect("a dev seed")
}

fn account(seed: &str) -> AccountId {
	pair(seed).public().into()
}

fn named(name: &str, bytes: Vec<u8>) -> (String, Vec<u8>) {
	(name.to_string(), bytes)
}

/// A receipt of Ferdie's for the fuzzed node.
fn ferdie_receipt(epoch: u32, moderator: Option<AccountId>, bytes: u64) -> Receipt<AccountId> {
	Receipt { client: account("//Ferdie"), node: AccountId::new(NODE), epoch, moderator, bytes }
}

fn signed(receipt: Receipt<AccountId>, genesis: [u8; 32]) -> SignedReceipt<AccountId> {
	sign(receipt, &pair("//Ferdie"), &H256(genesis))
}

fn receipts() -> Seeds {
	let moderated = ferdie_receipt(7, Some(account("//Charlie")), 1 << 20).encode();
	let extremes = Receipt {
		client: AccountId::new([0; 32]),
		node: AccountId::new([0xFF; 32]),
		epoch: u32::MAX,
		moderator: None,
		bytes: u64::MAX,
	};
	// client 32 + node 32 + epoch 4, then the moderator's `Option` tag.
	let mut bad_tag = moderated.clone();
	bad_tag[68] = 2;
	vec![
		named("valid-moderated", moderated.clone()),
		named("valid-unmoderated", ferdie_receipt(7, None, 4096).encode()),
		named("valid-extremes", extremes.encode()),
		named("edge-option-tag-2", bad_tag),
		named("edge-truncated", moderated[..moderated.len() - 1].to_vec()),
		named("edge-empty", Vec::new()),
	]
}

fn signed_receipts() -> Seeds {
	let for_node = signed(ferdie_receipt(7, None, 4096), GENESIS);
	let mut trailing = for_node.encode();
	trailing.extend_from_slice(&[0xFF; 3]);
	let mut other_node = ferdie_receipt(7, None, 4096);
	other_node.node = account("//Dave");
	let mut no_marker = for_node.clone();
	// schnorrkel signatures carry a marker bit; without it the signature does not parse.
	no_marker.signature.0[63] &= 0x7F;
	let mut not_a_point = for_node.clone();
	not_a_point.receipt.client = AccountId::new([0xFF; 32]);
	let encoded = for_node.encode();
	vec![
		named("valid-for-node", encoded.clone()),
		named(
			"valid-moderated",
			signed(ferdie_receipt(7, Some(account("//Charlie")), 1), GENESIS).encode(),
		),
		named("valid-other-node", signed(other_node, GENESIS).encode()),
		named("valid-trailing-bytes", trailing),
		named("edge-other-chain", signed(ferdie_receipt(7, None, 4096), [0x12; 32]).encode()),
		named("edge-signature-marker", no_marker.encode()),
		named("edge-client-not-a-point", not_a_point.encode()),
		named("edge-truncated", encoded[..encoded.len() - 1].to_vec()),
	]
}

/// Deterministic pseudo-random bytes.
fn content(len: usize, seed: u8) -> Vec<u8> {
	(0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8).collect()
}

fn proof_input(root: [u8; 32], size: u64, index: u64, proof: &StorageProof) -> Vec<u8> {
	(root, size, index, proof).encode()
}

fn storage_proofs() -> Seeds {
	let mut seeds = Vec::new();
	for (len, index) in [(0, 0), (1, 0), (1024, 0), (1025, 0), (1025, 1), (5000, 2), (65_537, 64)] {
		let data = content(len, len as u8);
		let proof = Prover::new(&data).prove(index).expect("a chunk of the content");
		let input = proof_input(content_id(&data), len as u64, index, &proof);
		seeds.push(named(&format!("valid-{len}-bytes-chunk-{index}"), input));
	}
	let (root, size, deepest) = worst_case_proof();
	seeds.push(named("valid-deepest", proof_input(root, size, 0, &deepest)));

	let data = content(5000, 9);
	let root = content_id(&data);
	let proof = Prover::new(&data).prove(4).expect("the last chunk");
	let mut short = proof.clone();
	short.chunk.pop();
	let mut long = proof.clone();
	long.siblings.try_push([0; 32]).expect("room for a sibling");
	let mut other_root = root;
	other_root[0] ^= 1;
	let too_deep = (root, 5000u64, 4u64, (vec![0u8; 1], vec![[0u8; 32]; 55])).encode();
	seeds.extend([
		named("edge-index-out-of-range", proof_input(root, 5000, 5, &proof)),
		named("edge-other-index", proof_input(root, 5000, 3, &proof)),
		named("edge-chunk-short", proof_input(root, 5000, 4, &short)),
		named("edge-path-long", proof_input(root, 5000, 4, &long)),
		named("edge-root-mismatch", proof_input(other_root, 5000, 4, &proof)),
		named("edge-too-deep", too_deep),
	]);
	seeds
}

/// `cell` encoded and cut after its body, plus a few bytes of padding.
fn encoded_cell(cell: &Cell) -> Vec<u8> {
	let mut out = vec![0u8; payload_len(3)];
	cell.encode_into(&mut out).expect("the cell fits");
	let end = 3 + usize::from(u16::from_be_bytes([out[1], out[2]]));
	out.truncate(end + 8);
	out
}

fn cells() -> Seeds {
	let receipt = signed(ferdie_receipt(7, None, 4096), GENESIS).encode();
	let valid = [
		("extend", Cell::Extend { node: AccountId::new(NODE), handshake: [2; HANDSHAKE_LEN] }),
		("extended", Cell::Extended { handshake: [3; HANDSHAKE_LEN] }),
		("get", Cell::Get { id: [4; 32], offset: 5, len: u64::MAX, local: true }),
		("outboard", Cell::Outboard { id: [6; 32], local: false }),
		("put", Cell::Put { id: [7; 32], size: 8, local: true }),
		("meta", Cell::Meta { size: 9 }),
		("data", Cell::Data(content(100, 1))),
		("data-full", Cell::Data(content(max_body(3), 2))),
		("end", Cell::End),
		("receipt", Cell::Receipt(receipt)),
		("error", Cell::Error { refusal: Refusal::NotFound, reason: "nobody holds it".into() }),
	];
	let mut seeds: Vec<_> = valid
		.iter()
		.map(|(name, cell)| named(&format!("valid-{name}"), encoded_cell(cell)))
		.collect();
	let get = encoded_cell(&Cell::Outboard { id: [0; 32], local: true });
	let mut bad_flag = get.clone();
	bad_flag[3 + 32] = 2;
	let end = encoded_cell(&Cell::End)[0];
	let error = encoded_cell(&Cell::Error { refusal: Refusal::Busy, reason: String::new() });
	seeds.extend([
		named("edge-empty", Vec::new()),
		named("edge-no-body-length", vec![get[0]]),
		named("edge-body-longer-than-cell", vec![get[0], 0xFF, 0xFF, 1, 2]),
		named("edge-body-too-short", vec![get[0], 0, 2, 1, 2]),
		named("edge-unknown-command", vec![42, 0, 0]),
		named("edge-trailing-bytes", vec![end, 0, 1, 0]),
		named("edge-unknown-refusal", vec![error[0], 0, 1, 77]),
		named("edge-reason-not-utf8", vec![error[0], 0, 4, error[3], 0xC3, 0xFF, b'x']),
		named("edge-flag-2", bad_flag),
	]);
	seeds
}

fn handshakes() -> Seeds {
	let relay = OnionSecret::from_bytes(RELAY_SECRET);
	let opening = MAGIC.len() + 1 + HANDSHAKE_LEN;
	let first = |genesis: &[u8; 32]| {
		Initiator::start(&relay.public(), genesis).expect("a handshake starts").1
	};
	let mut seeds = Vec::new();
	for depth in [1, 2, 3, 8] {
		let frame = create_frame(depth, &first(&GENESIS));
		seeds.push(named(&format!("valid-create-depth-{depth}"), frame[..opening].to_vec()));
	}
	// An opening frame, then the start of a next frame the relay cannot open.
	let mut with_next = create_frame(1, &first(&GENESIS))[..opening].to_vec();
	with_next.extend(content(256, 3));
	seeds.push(named("valid-create-then-more", with_next));
	let (answer, _) = respond(&relay, &GENESIS, &first(&GENESIS)).expect("the relay answers");
	let created = created_frame(&answer)[..opening - 1].to_vec();
	let mut zero_key = create_frame(1, &[0; HANDSHAKE_LEN]);
	zero_key.truncate(opening);
	seeds.extend([
		named("edge-created", created),
		named("edge-depth-0", create_frame(0, &first(&GENESIS))[..opening].to_vec()),
		named("edge-depth-9", create_frame(9, &first(&GENESIS))[..opening].to_vec()),
		named("edge-other-chain", create_frame(1, &first(&[0x12; 32]))[..opening].to_vec()),
		named("edge-zero-ephemeral", zero_key),
		named("edge-other-magic", [b"BCO2".as_slice(), &[1; HANDSHAKE_LEN + 1]].concat()),
		named("edge-magic-only", MAGIC.to_vec()),
	]);
	seeds
}

fn ranges() -> Seeds {
	let input = |size: u64, header: &str| [&size.to_le_bytes()[..], header.as_bytes()].concat();
	let valid = [
		("first-byte", 10, "bytes=0-0"),
		("from", 10, "bytes=2-"),
		("past-the-end", 10, "bytes=2-100"),
		("suffix", 10, "bytes=-3"),
		("suffix-longer", 10, "bytes=-30"),
		("spaces-and-case", 10, " Bytes = 1-2 "),
		("trailing-comma", 10, "bytes=1-2,"),
		("largest-from", u64::MAX, "bytes=18446744073709551614-"),
		("largest-suffix", u64::MAX, "bytes=-18446744073709551615"),
	];
	let edge = [
		("from-the-end", 10, "bytes=10-"),
		("empty-content", 0, "bytes=0-"),
		("suffix-0", 10, "bytes=-0"),
		("multiple", 10, "bytes=0-1,3-4"),
		("backwards", 10, "bytes=5-1"),
		("huge-number", 10, "bytes=99999999999999999999999-"),
		("not-numbers", 10, "bytes=a-b"),
		("dash-only", 10, "bytes=-"),
		("no-spec", 10, "bytes="),
		("no-dash", 10, "bytes=1"),
		("plus-sign", 10, "bytes=+1-2"),
		("other-unit", 10, "items=0-1"),
		("garbage", 10, "garbage"),
		("nul", 10, "\u{0}"),
	];
	let mut seeds: Vec<_> = valid
		.iter()
		.map(|(name, size, header)| named(&format!("valid-{name}"), input(*size, header)))
		.collect();
	seeds.extend(
		edge.iter()
			.map(|(name, size, header)| named(&format!("edge-{name}"), input(*size, header))),
	);
	seeds.push(named("edge-no-header", Vec::new()));
	seeds
}

/// A receipt book's log as the node writes it, for the chain of `genesis`: `receipts`
/// inserted, then the last of `refused` refused by the chain.
fn book_log(
	genesis: [u8; 32],
	limits: Limits,
	receipts: &[SignedReceipt<AccountId>],
	refused: &[SignedReceipt<AccountId>],
) -> Vec<u8> {
	static NEXT: AtomicU64 = AtomicU64::new(0);
	let n = NEXT.fetch_add(1, Ordering::Relaxed);
	let dir =
		std::env::temp_dir().join(format!("bitcloud-fuzz-seed-book-{}-{n}", std::process::id()));
	let _ = std::fs::remove_dir_all(&dir);
	let (book, _) = ReceiptBook::open(&dir, H256(genesis), limits).expect("a new book");
	for signed in receipts.iter().chain(refused) {
		book.insert(signed.clone()).expect("the book takes a receipt");
	}
	for signed in refused {
		assert!(book.refuse(signed).expect("the log takes a record"));
	}
	drop(book);
	let log = std::fs::read(dir.join("receipts.log")).expect("the book's log");
	let _ = std::fs::remove_dir_all(&dir);
	log
}

fn books() -> Seeds {
	let receipts = [
		signed(ferdie_receipt(7, None, 1000), GENESIS),
		signed(ferdie_receipt(7, None, 2000), GENESIS),
		signed(ferdie_receipt(7, Some(account("//Charlie")), 500), GENESIS),
		signed(ferdie_receipt(8, None, 42), GENESIS),
	];
	let refused = [signed(ferdie_receipt(9, None, 7), GENESIS)];
	let raw = |log: &[u8]| [&[0][..], log].concat();
	let log = book_log(GENESIS, BOOK_LIMITS, &receipts, &refused);
	let mut corrupt = log.clone();
	*corrupt.last_mut().expect("a non-empty log") ^= 1;
	let framed = book_input(&log);
	// A book of one receipt, a record of junk, then a whole log again (its header too).
	let mut junk = book_input(&book_log(GENESIS, BOOK_LIMITS, &receipts[..1], &[]));
	junk.extend_from_slice(&3u16.to_le_bytes());
	junk.extend_from_slice(&[1, 2, 3]);
	junk.extend_from_slice(&book_input(&log)[1..]);
	// More keys than the fuzzed book's limits, from a book with larger ones.
	let many: Vec<_> = (1..=5u8)
		.map(|m| signed(ferdie_receipt(7, Some(AccountId::new([m; 32])), 10), GENESIS))
		.collect();
	let over_limits = book_log(GENESIS, Limits::new(16), &many, &[]);
	let header_only = book_log(GENESIS, BOOK_LIMITS, &[], &[]);
	vec![
		named("valid-log", raw(&log)),
		named("valid-framed", framed),
		named("valid-torn-tail", raw(&log[..log.len() - 5])),
		named("valid-corrupt-checksum", raw(&corrupt)),
		named("valid-framed-junk-record", junk),
		named("valid-over-limits", book_input(&over_limits)),
		named("edge-other-chain", raw(&book_log([0x12; 32], BOOK_LIMITS, &receipts[..1], &[]))),
		named("edge-header-only", book_input(&header_only)),
		named("edge-huge-length", raw(&[header_only, vec![0xFF; 4]].concat())),
		named("edge-empty", Vec::new()),
		named("edge-framed-nothing", vec![BOOK_FRAMED]),
		named("edge-not-a-book", raw(b"not a receipt book")),
	]
}

fn content_ids() -> Seeds {
	let id = content_id(b"hello");
	let hex = bitcloud_content::to_hex(&id);
	let cid = bitcloud_content::to_cid(&id);
	let mut sha = vec![0x01, 0x55, 0x12, 32];
	sha.extend_from_slice(&[0u8; 32]);
	let sha_cid = format!("b{}", data_encoding::BASE32_NOPAD.encode(&sha).to_ascii_lowercase());
	let mut mixed = cid.clone().into_bytes();
	for byte in mixed.iter_mut().skip(1).step_by(2) {
		*byte = byte.to_ascii_uppercase();
	}
	vec![
		named("valid-hex", hex.clone().into_bytes()),
		named("valid-hex-upper", hex.to_uppercase().into_bytes()),
		named("valid-cid", cid.clone().into_bytes()),
		named("valid-cid-mixed-case", mixed),
		named("edge-sha2-cid", sha_cid.into_bytes()),
		named("edge-cid-upper-prefix", format!("B{}", &cid[1..]).into_bytes()),
		named("edge-hex-63", hex.as_bytes()[..63].to_vec()),
		named("edge-not-base32", format!("b{}", "1".repeat(58)).into_bytes()),
		named("edge-multibyte-64", "é".repeat(32).into_bytes()),
		named("edge-empty", Vec::new()),
	]
}

fn request_proofs() -> Seeds {
	let client = pair(CLIENT_SEED);
	let node = AccountId::new(NODE);
	let proof = |period: u64| sign_request_proof(&client, &H256(GENESIS), &node, period);
	let valid = proof(29_000_000);
	let (period, signature) = valid.split_once('.').expect("period.signature");
	vec![
		named("valid-proof", valid.clone().into_bytes()),
		named("valid-period-0", proof(0).into_bytes()),
		named("valid-period-max", proof(u64::MAX).into_bytes()),
		named("valid-upper-hex", format!("{period}.{}", signature.to_uppercase()).into_bytes()),
		named("edge-plus-period", format!("+{valid}").into_bytes()),
		named(
			"edge-other-node",
			sign_request_proof(&client, &H256(GENESIS), &account("//Dave"), 7).into_bytes(),
		),
		named("edge-short-signature", valid.as_bytes()[..valid.len() - 2].to_vec()),
		named("edge-odd-hex", valid.as_bytes()[..valid.len() - 1].to_vec()),
		named("edge-no-dot", valid.replace('.', "").into_bytes()),
		named("edge-period-overflow", format!("18446744073709551616.{signature}").into_bytes()),
		named("edge-empty", Vec::new()),
	]
}

fn outboard_input(id: [u8; 32], size: u64, outboard: &[u8], offset: u64, bytes: &[u8]) -> Vec<u8> {
	(id, size, outboard, offset, bytes).encode()
}

fn outboards() -> Seeds {
	let mut seeds = Vec::new();
	// One chunk group is 16 KiB: sizes within one, at its end and past it.
	for len in [0usize, 1, 1000, 16_384, 16_500] {
		let data = content(len, len as u8);
		let outboard = PostOrderMemOutboard::create(&data, BLOCK_SIZE);
		let (id, size) = (*outboard.root.as_bytes(), len as u64);
		seeds.push(named(
			&format!("valid-{len}-bytes"),
			outboard_input(id, size, &outboard.data, 0, &data),
		));
	}
	// The last group of a content of two (what a download checks last), and its edges.
	let data = content(16_500, 5);
	let outboard = PostOrderMemOutboard::create(&data, BLOCK_SIZE);
	let (id, size) = (*outboard.root.as_bytes(), data.len() as u64);
	let last = &data[16_384..];
	let mut flipped = last.to_vec();
	flipped[50] ^= 1;
	let mut other_id = id;
	other_id[0] ^= 1;
	let mut bad_pair = outboard.data.clone();
	bad_pair[0] ^= 1;
	let short = &outboard.data[..outboard.data.len() - 1];
	seeds.extend([
		named("valid-last-group", outboard_input(id, size, &outboard.data, 16_384, last)),
		named("edge-flipped-byte", outboard_input(id, size, &outboard.data, 16_384, &flipped)),
		named("edge-other-id", outboard_input(other_id, size, &outboard.data, 16_384, last)),
		named("edge-bad-hash-pair", outboard_input(id, size, &bad_pair, 16_384, last)),
		named("edge-short-outboard", outboard_input(id, size, short, 16_384, last)),
		named(
			"edge-size-in-last-group",
			outboard_input(id, size - 1, &outboard.data, 16_384, &last[..last.len() - 1]),
		),
		named("edge-off-boundary", outboard_input(id, size, &outboard.data, 16_385, &last[1..])),
		named("edge-too-large", outboard_input(id, 5 << 30, &[], 0, &[])),
	]);
	seeds
}

/// A path of `path` and `manifest`, as the `site_manifest` harness reads them.
fn site_input(path: &str, manifest: &[u8]) -> Vec<u8> {
	let mut input = vec![path.len() as u8];
	input.extend_from_slice(path.as_bytes());
	input.extend_from_slice(manifest);
	input
}

fn site_manifests() -> Seeds {
	use bitcloud_content::site::{site_file, Manifest};
	let files =
		[("index.html", 1u8), ("docs/index.html", 2), ("docs/a b.html", 3), ("404.html", 4)]
			.into_iter()
			.map(|(path, byte)| {
				(path.to_string(), site_file(&[byte; 32], u64::from(byte), "text/html"))
			})
			.collect();
	let manifest =
		Manifest::new(files, "index.html", Some("404.html")).expect("a manifest").to_bytes();
	let text = String::from_utf8(manifest.clone()).expect("JSON");
	vec![
		named("valid-root", site_input("/", &manifest)),
		named("valid-redirect", site_input("/docs", &manifest)),
		named("valid-encoded", site_input("/docs/a%20b.html", &manifest)),
		named("valid-fallback", site_input("/nothing", &manifest)),
		named("valid-traversal", site_input("/docs/%2e%2e/index.html", &manifest)),
		named(
			"edge-escaping-path",
			site_input("/", text.replace("docs/index.html", "../x").as_bytes()),
		),
		named("edge-bad-id", site_input("/", text.replacen("0101", "zz01", 1).as_bytes())),
		named(
			"edge-version-2",
			site_input("/", text.replace("\"bitcloudSite\": 1", "\"bitcloudSite\": 2").as_bytes()),
		),
		named("edge-truncated", site_input("/", &manifest[..manifest.len() / 2])),
		named("edge-empty", Vec::new()),
	]
}
