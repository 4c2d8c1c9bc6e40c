//! Verified downloads: ranges are fetched from the replicas in turn, each checked against
//! the content id (bao-tree outboard, BLAKE3) before it is written; a replica that fails or
//! sends a wrong byte is dropped and its ranges are fetched from the next one. The file
//! appears at its path only when complete.

use crate::{
	http::{self, number_header},
	replicas::Replica,
	Error,
};
use bao_tree::{
	io::{outboard::PostOrderMemOutboard, sync::valid_ranges},
	BaoTree, BlockSize, ChunkNum, ChunkRanges,
};
use bitcloud_content::protocol::{
	auth_period, sign_request_proof, AUTH_HEADER, CLIENT_HEADER, EPOCH_HEADER, MODERATOR_HEADER,
	NODE_HEADER, QUOTA_LEFT_HEADER, RECEIPT_HEADER, RECEIPT_HELD_HEADER,
};
use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	AccountId, ContentId, EpochIndex,
};
use codec::{Decode, Encode};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::{BTreeMap, VecDeque},
	fs,
	io::Write,
	path::Path,
	time::Duration,
};

/// Bytes asked for per range request (a multiple of every chunk group size).
pub const RANGE_BYTES: u64 = 1 << 20;

/// Replicas a download takes ranges from at the same time, by default.
pub const DEFAULT_STRIPE: usize = 2;

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadReport {
	/// Size of the content.
	pub size: u64,
	/// Verified bytes each replica served.
	pub served: Vec<(Replica, u64)>,
	/// Replicas dropped, with the reason.
	pub failures: Vec<(Replica, String)>,
}

/// A client that pays with receipts: its key and the chain its receipts are for.
pub struct Payer {
	/// The client's key.
	pub signer: crate::Signer,
	/// The genesis hash of the chain (from the client's own node, never from a gateway).
	pub genesis: H256,
}

/// What a receipt is for: node, epoch and moderator, as the gateway announced them.
type ReceiptKey = (AccountId, EpochIndex, Option<AccountId>);

/// A replica in use: its outboard (the tree to verify its ranges against the id) and, when
/// paying, the newest receipt signed for it.
struct Source {
	replica: Replica,
	outboard: PostOrderMemOutboard,
	served: u64,
	signed: BTreeMap<ReceiptKey, u64>,
	pending: Option<SignedReceipt<AccountId>>,
	/// The node's account: from the chain, or learnt from the gateway's first answer.
	node: Option<AccountId>,
	/// The proof of this client's requests to the node, and its period.
	proof: Option<(u64, String)>,
}

/// Why a range could not be had from a replica, and what to do about it.
enum RangeFailure {
	/// Drop the replica and take the range from the next one.
	DropReplica(Error),
	/// Stop the download: the client cannot pay for more bytes this epoch, and another
	/// replica would only make it sign for more than its quota.
	Stop(Error),
	/// Ask the same replica again after the wait it gave (`503` with `Retry-After`: the
	/// range holds chunks under a storage challenge, which nodes do not hand out unpaid).
	RetryAfter(Duration, Error),
}

/// Longest `Retry-After` a download waits for; a replica asking for more is dropped.
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// Waits for one range at most; then the replica is dropped.
const MAX_RETRIES_PER_RANGE: u32 = 3;

impl From<Error> for RangeFailure {
	fn from(e: Error) -> Self {
		RangeFailure::DropReplica(e)
	}
}

/// Downloads `id` into `out` from `replicas` (in order of preference), taking ranges from
/// `stripe` of them in turn. With a `payer`, every verified range is paid with a receipt
/// (`docs/protocol.md`, "Receipts between client and gateway"). `progress` hears (verified
/// bytes, size) after every range.
pub fn download(
	replicas: Vec<Replica>,
	id: &ContentId,
	out: &Path,
	stripe: usize,
	payer: Option<&Payer>,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	if replicas.is_empty() {
		return Err(Error("no node serves this content".into()));
	}
	let partial = out.with_extension("part");
	let result = download_to(replicas, id, &partial, stripe.max(1), payer, progress);
	match &result {
		Ok(_) => fs::rename(&partial, out).map_err(Error::from_display)?,
		Err(_) => {
			let _ = fs::remove_file(&partial);
		},
	}
	result
}

/// Downloads `id` from one gateway into `out`; returns the size.
pub fn get(gateway: &str, id: &ContentId, out: &Path) -> Result<u64, Error> {
	let replica = Replica { node: None, gateway: gateway.to_string() };
	let report = download(vec![replica], id, out, 1, None, &mut |_, _| {})?;
	match report.failures.into_iter().next() {
		Some((_, reason)) => Err(Error(reason)),
		None => Ok(report.size),
	}
}

fn download_to(
	replicas: Vec<Replica>,
	id: &ContentId,
	partial: &Path,
	stripe: usize,
	payer: Option<&Payer>,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	let agent = http::agent();
	let mut waiting: VecDeque<Replica> = replicas.into();
	let mut active: Vec<Source> = Vec::new();
	let mut report = DownloadReport::default();
	fill(&agent, id, &mut active, &mut waiting, stripe, &mut report);
	let size = active
		.first()
		.map(|source| source.outboard.tree.size())
		.ok_or_else(|| no_replica_left(&report))?;
	report.size = size;
	let mut file = fs::File::create(partial).map_err(Error::from_display)?;
	let group = active[0].outboard.tree.block_size().bytes() as u64;
	let step = RANGE_BYTES.max(group) / group * group;
	let mut offset = 0;
	let mut turn = 0;
	let mut retries = 0;
	while offset < size {
		let end = offset.saturating_add(step).min(size);
		if active.is_empty() {
			return Err(no_replica_left(&report));
		}
		let index = turn % active.len();
		match fetch_range(&agent, id, &mut active[index], offset, end, payer) {
			Ok(bytes) => {
				file.write_all(&bytes).map_err(Error::from_display)?;
				active[index].served += end - offset;
				offset = end;
				turn += 1;
				retries = 0;
				progress(offset, size);
			},
			Err(RangeFailure::RetryAfter(wait, _)) if retries < MAX_RETRIES_PER_RANGE => {
				retries += 1;
				std::thread::sleep(wait);
			},
			Err(RangeFailure::Stop(reason)) => {
				// The nodes are paid for what they sent before the download stops.
				for source in &active {
					settle(&agent, source);
				}
				return Err(Error(format!(
					"{} (stopped after {offset} verified bytes, all paid for with receipts)",
					reason.0
				)));
			},
			Err(RangeFailure::DropReplica(reason) | RangeFailure::RetryAfter(_, reason)) => {
				retries = 0;
				let dropped = active.remove(index);
				settle(&agent, &dropped);
				report.served.push((dropped.replica.clone(), dropped.served));
				report.failures.push((dropped.replica, reason.0));
				fill(&agent, id, &mut active, &mut waiting, stripe, &mut report);
			},
		}
	}
	file.sync_all().map_err(Error::from_display)?;
	for source in &active {
		settle(&agent, source);
	}
	report.served.extend(active.into_iter().map(|source| (source.replica, source.served)));
	Ok(report)
}

/// Sends a source the receipt for its last verified range (best effort: a node that does not
/// take it loses only that range's pay).
fn settle(agent: &ureq::Agent, source: &Source) {
	if let Some(receipt) = &source.pending {
		let url = format!("{}/receipts", source.replica.gateway.trim_end_matches('/'));
		let _ = agent.post(url).send(&receipt.encode()[..]);
	}
}

/// Takes replicas from `waiting` until `stripe` are active or none is left, dropping those
/// whose outboard cannot be had or whose tree disagrees with the others'.
fn fill(
	agent: &ureq::Agent,
	id: &ContentId,
	active: &mut Vec<Source>,
	waiting: &mut VecDeque<Replica>,
	stripe: usize,
	report: &mut DownloadReport,
) {
	while active.len() < stripe {
		let Some(replica) = waiting.pop_front() else { return };
		let outboard =
			fetch_outboard(agent, &replica.gateway, id).and_then(|outboard| match active.first() {
				Some(first) if first.outboard.tree != outboard.tree => {
					Err(Error("its size or chunk groups differ from the other replicas'".into()))
				},
				_ => Ok(outboard),
			});
		match outboard {
			Ok(outboard) => active.push(Source {
				node: replica.node.clone(),
				replica,
				outboard,
				served: 0,
				signed: BTreeMap::new(),
				pending: None,
				proof: None,
			}),
			Err(reason) => report.failures.push((replica, reason.0)),
		}
	}
}

fn no_replica_left(report: &DownloadReport) -> Error {
	let reasons: Vec<String> = report
		.failures
		.iter()
		.map(|(replica, reason)| format!("{}: {reason}", replica.gateway))
		.collect();
	Error(format!("no replica could serve the content ({})", reasons.join("; ")))
}

/// The outboard a gateway sends for `id`, as a tree to verify its ranges with.
fn fetch_outboard(
	agent: &ureq::Agent,
	gateway: &str,
	id: &ContentId,
) -> Result<PostOrderMemOutboard, Error> {
	let url = format!("{}/outboard", content_url(gateway, id));
	let response = agent.get(url).call().map_err(|e| Error(format!("gateway unreachable: {e}")))?;
	if response.status() != 200 {
		return Err(http::refusal(response));
	}
	let size = number_header(&response, "bitcloud-content-size")?;
	let log = u8::try_from(number_header(&response, "bitcloud-chunk-group-log")?)
		.ok()
		.filter(|log| *log <= 20)
		.ok_or_else(|| Error("gateway sent an unusable chunk group size".into()))?;
	let tree = BaoTree::new(size, BlockSize::from_chunk_log(log));
	let data = http::read_body(response, tree.outboard_size())?;
	if data.len() as u64 != tree.outboard_size() {
		return Err(Error("the outboard has the wrong length".into()));
	}
	if size == 0 && bao_tree::blake3::hash(&[]).as_bytes() != id {
		return Err(Error("the gateway says the content is empty; its id says not".into()));
	}
	Ok(PostOrderMemOutboard { root: bao_tree::blake3::Hash::from_bytes(*id), tree, data })
}

/// Bytes `offset..end` from `source`, verified against the id; paid for with a receipt when
/// there is a `payer`.
fn fetch_range(
	agent: &ureq::Agent,
	id: &ContentId,
	source: &mut Source,
	offset: u64,
	end: u64,
	payer: Option<&Payer>,
) -> Result<Vec<u8>, RangeFailure> {
	let mut response = request_range(agent, id, source, offset, end, payer)?;
	// A gateway that was not known by its node account names it when it refuses the
	// request's proof: sign for it and ask once more.
	if response.status() == 401 && payer.is_some() && source.node.is_none() {
		source.node = account_header(&response, NODE_HEADER)?;
		response = request_range(agent, id, source, offset, end, payer)?;
	}
	if response.status() == 402 && response.headers().contains_key(QUOTA_LEFT_HEADER) {
		return Err(RangeFailure::Stop(http::refusal(response)));
	}
	if response.status() == 503 {
		let wait = response
			.headers()
			.get(ureq::http::header::RETRY_AFTER)
			.and_then(|value| value.to_str().ok()?.trim().parse::<u64>().ok())
			.map(Duration::from_secs)
			.filter(|wait| *wait <= MAX_RETRY_WAIT);
		let reason = http::refusal(response);
		return Err(match wait {
			Some(wait) => RangeFailure::RetryAfter(wait, reason),
			None => RangeFailure::DropReplica(reason),
		});
	}
	let terms = match payer {
		Some(payer) if response.status().is_success() => Some(Terms::read(&response, payer)?),
		_ => None,
	};
	if let (Some(terms), Some(node)) = (&terms, &source.replica.node) {
		if terms.key.0 != *node {
			let reason = "the gateway answers as another node than the chain says";
			return Err(Error(reason.into()).into());
		}
	}
	let whole = response.status() == 200 && offset == 0 && end == source.outboard.tree.size();
	if response.status() != 206 && !whole {
		return Err(http::refusal(response).into());
	}
	let bytes = http::read_body(response, end - offset)?;
	if bytes.len() as u64 != end - offset {
		return Err(Error(format!("short answer for bytes {offset}-{}", end - 1)).into());
	}
	// Ranges start on chunk group boundaries: whole groups are verified.
	let chunks = ChunkRanges::from(ChunkNum(offset / 1024)..ChunkNum(end.div_ceil(1024)));
	let mut valid = 0;
	for range in valid_ranges(&source.outboard, Window { offset, bytes: &bytes }, &chunks) {
		let range = range.map_err(Error::from_display)?;
		valid += range.end.0 - range.start.0;
	}
	if valid != end.div_ceil(1024) - offset / 1024 {
		return Err(Error(format!(
			"bytes {offset}-{} do not match the content id: refused",
			end - 1
		))
		.into());
	}
	if let (Some(payer), Some(terms)) = (payer, terms) {
		source.pending = Some(sign_for(source, payer, terms, end - offset));
	}
	Ok(bytes)
}

/// Asks `source` for bytes `offset..end`, naming and proving the paying client if any.
fn request_range(
	agent: &ureq::Agent,
	id: &ContentId,
	source: &mut Source,
	offset: u64,
	end: u64,
	payer: Option<&Payer>,
) -> Result<ureq::http::Response<ureq::Body>, Error> {
	let mut request = agent
		.get(content_url(&source.replica.gateway, id))
		.header("range", format!("bytes={offset}-{}", end - 1));
	if let Some(payer) = payer {
		request =
			request.header(CLIENT_HEADER, format!("0x{}", hex::encode(payer.signer.account())));
		if let Some(proof) = request_proof(source, payer) {
			request = request.header(AUTH_HEADER, proof);
		}
		if let Some(receipt) = &source.pending {
			request = request.header(RECEIPT_HEADER, hex::encode(receipt.encode()));
		}
	}
	request.call().map_err(|e| Error(format!("gateway unreachable: {e}")))
}

/// The proof of this client's requests to `source`'s node in the current period (signed once
/// per period); none while the node is not known.
fn request_proof(source: &mut Source, payer: &Payer) -> Option<String> {
	let node = source.node.as_ref()?;
	let period = auth_period(std::time::SystemTime::now());
	match &source.proof {
		Some((signed, proof)) if *signed == period => Some(proof.clone()),
		_ => {
			let proof = sign_request_proof(payer.signer.pair(), &payer.genesis, node, period);
			source.proof = Some((period, proof.clone()));
			Some(proof)
		},
	}
}

/// The account in header `name` (`0x` and 64 hex digits); none if absent.
fn account_header(
	response: &ureq::http::Response<ureq::Body>,
	name: &str,
) -> Result<Option<AccountId>, Error> {
	let Some(text) = response.headers().get(name).and_then(|v| v.to_str().ok()) else {
		return Ok(None);
	};
	crate::keys::parse_hex32(text)
		.map(|bytes| Some(AccountId::new(bytes)))
		.ok_or_else(|| Error(format!("gateway sent a bad {name} header")))
}

/// What a paying client is to sign for a response: the gateway's node, epoch and moderator,
/// and the newest receipt it holds from this client (checked: a gateway cannot make the
/// client sign on top of a count it never signed).
struct Terms {
	key: ReceiptKey,
	held: u64,
}

impl Terms {
	fn read(response: &ureq::http::Response<ureq::Body>, payer: &Payer) -> Result<Self, Error> {
		let text = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
		let node = account_header(response, NODE_HEADER)?.ok_or_else(|| {
			Error("the gateway takes no receipts (no bitcloud-node header)".into())
		})?;
		let epoch = number_header(response, EPOCH_HEADER)
			.ok()
			.and_then(|epoch| EpochIndex::try_from(epoch).ok())
			.ok_or_else(|| Error("gateway sent no valid bitcloud-epoch header".into()))?;
		let key = (node, epoch, account_header(response, MODERATOR_HEADER)?);
		let held = text(RECEIPT_HELD_HEADER)
			.and_then(|text| hex::decode(text).ok())
			.and_then(|bytes| SignedReceipt::<AccountId>::decode(&mut &bytes[..]).ok())
			.filter(|held| {
				let r = &held.receipt;
				r.client == payer.signer.account()
					&& (r.node.clone(), r.epoch, r.moderator.clone()) == key
					&& receipt::verify(held, &payer.genesis)
			})
			.map_or(0, |held| held.receipt.bytes);
		Ok(Terms { key, held })
	}
}

/// The receipt for `len` more verified bytes from `source` under `terms`.
fn sign_for(
	source: &mut Source,
	payer: &Payer,
	terms: Terms,
	len: u64,
) -> SignedReceipt<AccountId> {
	let signed = source.signed.entry(terms.key.clone()).or_insert(0);
	*signed = (*signed).max(terms.held).saturating_add(len);
	let (node, epoch, moderator) = terms.key;
	let receipt =
		Receipt { client: payer.signer.account(), node, epoch, moderator, bytes: *signed };
	receipt::sign(receipt, payer.signer.pair(), &payer.genesis)
}

fn content_url(gateway: &str, id: &ContentId) -> String {
	format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id))
}

/// Received bytes at `offset`, as the `ReadAt` that `valid_ranges` reads.
struct Window<'a> {
	offset: u64,
	bytes: &'a [u8],
}

impl bao_tree::io::sync::ReadAt for Window<'_> {
	fn read_at(&self, pos: u64, out: &mut [u8]) -> std::io::Result<usize> {
		let start = pos
			.checked_sub(self.offset)
			.ok_or_else(|| std::io::Error::other("read before the received range"))?;
		let Some(rest) = usize::try_from(start).ok().and_then(|s| self.bytes.get(s..)) else {
			return Ok(0);
		};
		let n = rest.len().min(out.len());
		out[..n].copy_from_slice(&rest[..n]);
		Ok(n)
	}
}
