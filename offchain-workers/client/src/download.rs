//! Verified downloads: ranges are fetched from the replicas in turn, each checked against
//! the content id (bao-tree outboard, BLAKE3) before it is written. What a replica's failure
//! means decides what comes next:
//!
//! - [`Error::Unavailable`] (a reset, a timeout, a `503`): the same replica is asked again, up
//!   to [`MAX_RETRIES`] times after a short backoff (or the wait its `Retry-After` asks for),
//!   then dropped;
//! - [`Error::Refused`] (the client's quota is used up, the content denied): the download
//!   stops, once what was verified is paid for;
//! - anything else ([`Error::BadPeer`]: a wrong byte, a bad outboard, a malformed answer;
//!   [`Error::NotFound`]): the replica is dropped at once and its ranges come from the next.
//!
//! The file appears at its path only when complete.

use crate::{
	http::{self, number_header},
	replicas::Replica,
	Error,
};
use bao_tree::{io::outboard::PostOrderMemOutboard, BaoTree, BlockSize};
use bitcloud_content::{
	protocol::{
		auth_period, sign_request_proof, ReceiptKey, AUTH_HEADER, CHUNK_GROUP_LOG_HEADER,
		CLIENT_HEADER, CONTENT_SIZE_HEADER, EPOCH_HEADER, MODERATOR_HEADER, NODE_HEADER,
		RECEIPT_HEADER, RECEIPT_HELD_HEADER,
	},
	range_is_valid,
};
use bitcloud_primitives::{
	receipt::{self, SignedReceipt},
	AccountId, ContentId, EpochIndex,
};
use codec::{Decode, Encode};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::{BTreeMap, VecDeque},
	fs,
	io::Write,
	mem::discriminant,
	path::Path,
	time::Duration,
};

/// Bytes asked for per range request (a multiple of every chunk group size).
pub const RANGE_BYTES: u64 = 1 << 20;

/// Replicas a download takes ranges from at the same time, by default.
pub const DEFAULT_STRIPE: usize = 2;

/// Times an unavailable replica is asked again for the same thing before it is dropped.
pub const MAX_RETRIES: u32 = 3;

/// The wait before asking an unavailable replica again, doubled at each retry (0.25 s, 0.5 s,
/// 1 s): enough for a restarting gateway or a reset connection, short next to a download.
pub const RETRY_BACKOFF: Duration = Duration::from_millis(250);

/// Longest `Retry-After` a download waits for; a replica asking for more is dropped.
pub const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadReport {
	/// Size of the content.
	pub size: u64,
	/// Verified bytes each replica served.
	pub served: Vec<(Replica, u64)>,
	/// Replicas dropped, with the reason (the error's message).
	pub failures: Vec<(Replica, String)>,
}

/// A client that pays with receipts: its key and the chain its receipts are for.
pub struct Payer {
	/// The client's key.
	pub signer: crate::Signer,
	/// The genesis hash of the chain (from the client's own node, never from a gateway).
	pub genesis: H256,
}

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

impl Source {
	fn new(replica: Replica, outboard: PostOrderMemOutboard) -> Self {
		Source {
			node: replica.node.clone(),
			replica,
			outboard,
			served: 0,
			signed: BTreeMap::new(),
			pending: None,
			proof: None,
		}
	}
}

/// Something not had from a replica: why, and the wait it asked for before it is asked again
/// (`Retry-After`; a `503` with one: the range holds chunks under a storage challenge, which
/// nodes do not hand out unpaid).
struct Miss {
	error: Error,
	retry_after: Option<Duration>,
}

impl From<Error> for Miss {
	fn from(error: Error) -> Self {
		Miss { error, retry_after: None }
	}
}

/// How long to wait before asking a replica again after `miss`, when it has been asked again
/// `retries` times already; none: do not ask it again.
fn retry_wait(miss: &Miss, retries: u32) -> Option<Duration> {
	if !matches!(miss.error, Error::Unavailable(_)) || retries >= MAX_RETRIES {
		return None;
	}
	match miss.retry_after {
		Some(wait) => (wait <= MAX_RETRY_WAIT).then_some(wait),
		None => Some(RETRY_BACKOFF * 2u32.pow(retries)),
	}
}

/// `attempt`'s first success, or its failure once [`retry_wait`] says not to ask again.
fn retrying<T>(mut attempt: impl FnMut() -> Result<T, Miss>) -> Result<T, Miss> {
	let mut retries = 0;
	loop {
		let miss = match attempt() {
			Ok(value) => return Ok(value),
			Err(miss) => miss,
		};
		let wait = retry_wait(&miss, retries).ok_or(miss)?;
		retries += 1;
		std::thread::sleep(wait);
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
		return Err(Error::NotFound("no node serves this content".into()));
	}
	let partial = out.with_extension("part");
	let mut download = Download::new(replicas, id, stripe.max(1), payer);
	let result = download.write_to(&partial, progress).and_then(|size| {
		fs::rename(&partial, out).map_err(|e| cannot_write(out, e))?;
		Ok(download.report(size))
	});
	if result.is_err() {
		// Never leave unverified or partial bytes behind.
		let _ = fs::remove_file(&partial);
	}
	result
}

/// Downloads `id` from one gateway into `out`; returns the size.
pub fn get(gateway: &str, id: &ContentId, out: &Path) -> Result<u64, Error> {
	let replica = Replica { node: None, gateway: gateway.to_string() };
	// A lone replica that fails leaves none: its failure is the download's.
	download(vec![replica], id, out, 1, None, &mut |_, _| {}).map(|report| report.size)
}

/// A download under way: the replicas in use and in reserve, and what became of each.
struct Download<'a> {
	fetcher: Fetcher<'a>,
	stripe: usize,
	waiting: VecDeque<Replica>,
	active: Vec<Source>,
	served: Vec<(Replica, u64)>,
	failures: Vec<(Replica, Error)>,
}

impl<'a> Download<'a> {
	fn new(
		replicas: Vec<Replica>,
		id: &'a ContentId,
		stripe: usize,
		payer: Option<&'a Payer>,
	) -> Self {
		Download {
			fetcher: Fetcher { agent: http::agent(), id, payer },
			stripe,
			waiting: replicas.into(),
			active: Vec::new(),
			served: Vec::new(),
			failures: Vec::new(),
		}
	}

	/// Writes the verified content to `path`; its size.
	fn write_to(&mut self, path: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, Error> {
		self.fill();
		let tree = self
			.active
			.first()
			.map(|source| source.outboard.tree)
			.ok_or_else(|| self.no_replica_left())?;
		let size = tree.size();
		let group = tree.block_size().bytes() as u64;
		let step = RANGE_BYTES.max(group) / group * group;
		let mut file = fs::File::create(path)
			.map_err(|e| Error::Input(format!("cannot create {}: {e}", path.display())))?;
		for (turn, offset) in (0..size).step_by(step as usize).enumerate() {
			let end = offset.saturating_add(step).min(size);
			let bytes = self.range(turn, offset, end)?;
			file.write_all(&bytes).map_err(|e| cannot_write(path, e))?;
			progress(end, size);
		}
		file.sync_all().map_err(|e| cannot_write(path, e))?;
		self.settle_all();
		Ok(size)
	}

	/// Bytes `offset..end`, verified, from the active replica whose `turn` it is, or the next
	/// ones as replicas are dropped; a refusal stops the download.
	fn range(&mut self, turn: usize, offset: u64, end: u64) -> Result<Vec<u8>, Error> {
		loop {
			if self.active.is_empty() {
				return Err(self.no_replica_left());
			}
			let index = turn % self.active.len();
			let (fetcher, source) = (&self.fetcher, &mut self.active[index]);
			match retrying(|| fetcher.range(source, offset, end)) {
				Ok(bytes) => {
					source.served += end - offset;
					return Ok(bytes);
				},
				Err(Miss { error: error @ Error::Refused(_), .. }) => {
					return Err(self.stop(error, offset))
				},
				Err(miss) => self.drop_source(index, miss.error),
			}
		}
	}

	/// Takes replicas from `waiting` until `stripe` are active or none is left, dropping those
	/// whose outboard cannot be had (after retries, if they are unavailable) or whose tree
	/// disagrees with the others'. Nothing is paid for yet, so even a refusal only drops the
	/// replica: if every replica refuses, [`Download::no_replica_left`] says so.
	fn fill(&mut self) {
		while self.active.len() < self.stripe {
			let Some(replica) = self.waiting.pop_front() else { return };
			let outboard = retrying(|| Ok(self.fetcher.outboard(&replica.gateway)?))
				.map_err(|miss| miss.error)
				.and_then(|outboard| match self.active.first() {
					Some(first) if first.outboard.tree != outboard.tree => Err(Error::BadPeer(
						"its size or chunk groups differ from the other replicas'".into(),
					)),
					_ => Ok(outboard),
				});
			match outboard {
				Ok(outboard) => self.active.push(Source::new(replica, outboard)),
				Err(error) => self.failures.push((replica, error)),
			}
		}
	}

	/// Drops active replica `index` for `error`, paying for what it served, and takes the
	/// next one in.
	fn drop_source(&mut self, index: usize, error: Error) {
		let dropped = self.active.remove(index);
		self.fetcher.settle(&dropped);
		self.served.push((dropped.replica.clone(), dropped.served));
		self.failures.push((dropped.replica, error));
		self.fill();
	}

	/// Stops the download for `error` at `offset`: the nodes are paid for what they sent.
	fn stop(&self, error: Error, offset: u64) -> Error {
		self.settle_all();
		error.map_message(|reason| {
			format!("{reason} (stopped after {offset} verified bytes, all paid for with receipts)")
		})
	}

	fn settle_all(&self) {
		for source in &self.active {
			self.fetcher.settle(source);
		}
	}

	/// Every reason a replica was dropped, under the advice they share; when they differ,
	/// "try later" if a replica was only unavailable, else "not to be had here".
	fn no_replica_left(&self) -> Error {
		let reasons: Vec<String> = self
			.failures
			.iter()
			.map(|(replica, reason)| format!("{}: {reason}", replica.gateway))
			.collect();
		let message = format!("no replica could serve the content ({})", reasons.join("; "));
		let errors: Vec<&Error> = self.failures.iter().map(|(_, error)| error).collect();
		let advice = match errors.as_slice() {
			[first, rest @ ..] if rest.iter().all(|e| discriminant(*e) == discriminant(*first)) => {
				(*first).clone()
			},
			_ if errors.iter().any(|e| matches!(e, Error::Unavailable(_))) => {
				Error::Unavailable(String::new())
			},
			_ => Error::NotFound(String::new()),
		};
		advice.map_message(|_| message)
	}

	/// What happened, once the content is complete.
	fn report(self, size: u64) -> DownloadReport {
		let mut served = self.served;
		served.extend(self.active.into_iter().map(|source| (source.replica, source.served)));
		let failures = self.failures.into_iter().map(|(replica, e)| (replica, e.to_string()));
		DownloadReport { size, served, failures: failures.collect() }
	}
}

fn cannot_write(path: &Path, e: std::io::Error) -> Error {
	Error::Local(format!("cannot write {}: {e}", path.display()))
}

/// What every request of a download shares: the agent, the content and the paying client.
struct Fetcher<'a> {
	agent: ureq::Agent,
	id: &'a ContentId,
	payer: Option<&'a Payer>,
}

impl Fetcher<'_> {
	/// Sends a source the receipt for its last verified range (best effort: a node that does not
	/// take it loses only that range's pay).
	fn settle(&self, source: &Source) {
		if let Some(receipt) = &source.pending {
			let url = format!("{}/receipts", source.replica.gateway.trim_end_matches('/'));
			let _ = self.agent.post(url).send(&receipt.encode()[..]);
		}
	}

	/// The outboard a gateway sends for `id`, as a tree to verify its ranges with.
	fn outboard(&self, gateway: &str) -> Result<PostOrderMemOutboard, Error> {
		let id = self.id;
		let url = format!("{}/outboard", content_url(gateway, id));
		let response = self.agent.get(url).call().map_err(|e| http::no_answer("gateway", e))?;
		if response.status() != 200 {
			return Err(http::refusal(response));
		}
		let size = number_header(&response, CONTENT_SIZE_HEADER)?;
		let log = u8::try_from(number_header(&response, CHUNK_GROUP_LOG_HEADER)?)
			.ok()
			.filter(|log| *log <= BlockSize::MAX.chunk_log())
			.ok_or_else(|| Error::BadPeer("gateway sent an unusable chunk group size".into()))?;
		let tree = BaoTree::new(size, BlockSize::from_chunk_log(log));
		let data = http::read_body(response, tree.outboard_size())?;
		if data.len() as u64 != tree.outboard_size() {
			return Err(Error::BadPeer("the outboard has the wrong length".into()));
		}
		if size == 0 && bao_tree::blake3::hash(&[]).as_bytes() != id {
			return Err(Error::BadPeer(
				"the gateway says the content is empty; its id says not".into(),
			));
		}
		Ok(PostOrderMemOutboard { root: bao_tree::blake3::Hash::from_bytes(*id), tree, data })
	}

	/// Bytes `offset..end` from `source`, verified against the id; paid for with a receipt when
	/// there is a payer.
	fn range(&self, source: &mut Source, offset: u64, end: u64) -> Result<Vec<u8>, Miss> {
		let payer = self.payer;
		let mut response = self.request(source, offset, end)?;
		// A gateway that was not known by its node account names it when it refuses the
		// request's proof: sign for it and ask once more.
		if response.status() == 401 && payer.is_some() && source.node.is_none() {
			source.node = account_header(&response, NODE_HEADER)?;
			response = self.request(source, offset, end)?;
		}
		if !response.status().is_success() {
			let retry_after = retry_after(&response);
			return Err(Miss { error: http::refusal(response), retry_after });
		}
		let terms = payer.map(|payer| Terms::read(&response, payer)).transpose()?;
		if let (Some(terms), Some(node)) = (&terms, &source.replica.node) {
			if terms.key.node != *node {
				let reason = "the gateway answers as another node than the chain says";
				return Err(Error::BadPeer(reason.into()).into());
			}
		}
		let whole = response.status() == 200 && offset == 0 && end == source.outboard.tree.size();
		if response.status() != 206 && !whole {
			return Err(http::refusal(response).into());
		}
		let bytes = http::read_body(response, end - offset)?;
		if bytes.len() as u64 != end - offset {
			return Err(
				Error::BadPeer(format!("short answer for bytes {offset}-{}", end - 1)).into()
			);
		}
		verify(&source.outboard, offset, &bytes)?;
		if let (Some(payer), Some(terms)) = (payer, terms) {
			source.pending = Some(sign_for(source, payer, terms, end - offset));
		}
		Ok(bytes)
	}

	/// Asks `source` for bytes `offset..end`, naming and proving the paying client if any.
	fn request(
		&self,
		source: &mut Source,
		offset: u64,
		end: u64,
	) -> Result<ureq::http::Response<ureq::Body>, Error> {
		let mut request = self
			.agent
			.get(content_url(&source.replica.gateway, self.id))
			.header("range", format!("bytes={offset}-{}", end - 1));
		if let Some(payer) = self.payer {
			request =
				request.header(CLIENT_HEADER, format!("0x{}", hex::encode(payer.signer.account())));
			if let Some(proof) = request_proof(source, payer) {
				request = request.header(AUTH_HEADER, proof);
			}
			if let Some(receipt) = &source.pending {
				request = request.header(RECEIPT_HEADER, hex::encode(receipt.encode()));
			}
		}
		request.call().map_err(|e| http::no_answer("gateway", e))
	}
}

/// The wait a `Retry-After` header (in seconds) asks for.
fn retry_after(response: &ureq::http::Response<ureq::Body>) -> Option<Duration> {
	let value = response.headers().get(ureq::http::header::RETRY_AFTER)?;
	value.to_str().ok()?.trim().parse().ok().map(Duration::from_secs)
}

/// Checks `bytes`, found at `offset` (on a chunk group boundary), against `outboard` and so
/// the content id: whole groups are verified, with the store's own verifier.
fn verify(outboard: &PostOrderMemOutboard, offset: u64, bytes: &[u8]) -> Result<(), Error> {
	let valid = range_is_valid(outboard, offset, bytes)
		.map_err(|e| Error::BadPeer(format!("unverifiable answer: {e}")))?;
	if !valid {
		let end = offset + bytes.len() as u64;
		return Err(Error::BadPeer(format!(
			"bytes {offset}-{} do not match the content id: refused",
			end.saturating_sub(1)
		)));
	}
	Ok(())
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
		.ok_or_else(|| Error::BadPeer(format!("gateway sent a bad {name} header")))
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
			Error::BadPeer("the gateway takes no receipts (no bitcloud-node header)".into())
		})?;
		let epoch = number_header(response, EPOCH_HEADER)
			.ok()
			.and_then(|epoch| EpochIndex::try_from(epoch).ok())
			.ok_or_else(|| Error::BadPeer("gateway sent no valid bitcloud-epoch header".into()))?;
		let moderator = account_header(response, MODERATOR_HEADER)?;
		let key = ReceiptKey { client: payer.signer.account(), node, epoch, moderator };
		// A held receipt that is not this client's own under this key is ignored, not
		// signed on top of.
		let held = text(RECEIPT_HELD_HEADER)
			.and_then(|text| hex::decode(text).ok())
			.and_then(|bytes| SignedReceipt::<AccountId>::decode(&mut &bytes[..]).ok())
			.filter(|held| {
				ReceiptKey::from(&held.receipt) == key && receipt::verify(held, &payer.genesis)
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
	receipt::sign(terms.key.receipt(*signed), payer.signer.pair(), &payer.genesis)
}

fn content_url(gateway: &str, id: &ContentId) -> String {
	format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id))
}
