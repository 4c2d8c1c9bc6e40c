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
		QUOTA_LEFT_HEADER, RECEIPT_HEADER, RECEIPT_HELD_HEADER,
	},
	range_is_valid, WINDOW_BYTES,
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
	mem::discriminant,
	os::unix::fs::FileExt,
	path::Path,
	sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError},
	time::Duration,
};

/// Bytes asked for per range request (a multiple of every chunk group size).
pub const RANGE_BYTES: u64 = 1 << 20;

/// Replicas a download takes ranges from at the same time, by default.
pub const DEFAULT_STRIPE: usize = 2;

/// Ranges asked of one replica at a time: while one crosses the network, the one before it
/// is verified and written.
pub const RANGES_IN_FLIGHT: usize = 2;

// A paying client signs for a range once it is verified: the ranges under way must fit in the
// gateway's signing window, or the gateway would hold back the next one.
const _: () = assert!(RANGES_IN_FLIGHT as u64 * RANGE_BYTES < WINDOW_BYTES);

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
/// paying, what it has been signed for.
struct Source {
	replica: Replica,
	outboard: PostOrderMemOutboard,
	payment: Mutex<Payment>,
}

/// What a paying client knows of its bill with one replica; shared by the ranges under way.
#[derive(Default)]
struct Payment {
	/// The node's account: from the chain, or learnt from the gateway's first answer.
	node: Option<AccountId>,
	/// Bytes signed for per receipt key.
	signed: BTreeMap<ReceiptKey, u64>,
	/// The newest receipt signed, sent with the next request and when the download ends.
	pending: Option<SignedReceipt<AccountId>>,
	/// The proof of this client's requests to the node, and its period.
	proof: Option<(u64, String)>,
	/// What the node last said the client may still be sent in the epoch
	/// (`Bitcloud-Quota-Left`); unknown before its first answer.
	quota_left: Option<u64>,
}

impl Source {
	fn new(replica: Replica, outboard: PostOrderMemOutboard) -> Self {
		let payment = Payment { node: replica.node.clone(), ..Payment::default() };
		Source { replica, outboard, payment: Mutex::new(payment) }
	}

	/// The bill, even if a range's thread panicked while holding it (it only ever grows).
	fn payment(&self) -> MutexGuard<'_, Payment> {
		self.payment.lock().unwrap_or_else(PoisonError::into_inner)
	}

	/// Ranges of `step` bytes this source may be asked for at once. A paying client asks for
	/// a second only once the node has said its quota leaves room for every range under way
	/// and one more: ranges under way at once are each checked against the quota when they
	/// start, so past it the node would cut them all short rather than refuse the last.
	fn ranges_in_flight(&self, paying: bool, step: u64) -> usize {
		if !paying {
			return RANGES_IN_FLIGHT;
		}
		let room = (RANGES_IN_FLIGHT as u64 + 1).saturating_mul(step);
		match self.payment().quota_left {
			Some(left) if left >= room => RANGES_IN_FLIGHT,
			_ => 1,
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

/// One replica a download took in: its source, the ranges asked of it and not yet answered,
/// the verified bytes it served, and whether it was dropped.
struct Slot {
	source: Arc<Source>,
	in_flight: usize,
	served: u64,
	dropped: bool,
}

/// What became of one range asked of a replica.
enum Outcome {
	/// Verified and written.
	Written,
	/// The replica did not give it (after its retries).
	Missed(Miss),
	/// Verified, but the local file refused it.
	CannotWrite(Error),
}

/// A range's answer, back at the download: which slot, which bytes, the buffer to reuse.
struct Answer {
	slot: usize,
	range: (u64, u64),
	buffer: Vec<u8>,
	outcome: Outcome,
}

/// A download under way: the replicas in use and in reserve, and what became of each.
struct Download<'a> {
	fetcher: Fetcher<'a>,
	stripe: usize,
	waiting: VecDeque<Replica>,
	slots: Vec<Slot>,
	/// Every replica dropped, with the reason, in the order it happened.
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
			slots: Vec::new(),
			failures: Vec::new(),
		}
	}

	/// Writes the verified content to `path`; its size. Every active replica has up to
	/// [`RANGES_IN_FLIGHT`] ranges asked of it at once, each fetched, verified and written on
	/// its own thread; ranges land at their offsets in any order.
	fn write_to(&mut self, path: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<u64, Error> {
		self.fill();
		let tree = self.active().next().map(|slot| slot.source.outboard.tree);
		let tree = tree.ok_or_else(|| self.no_replica_left())?;
		let size = tree.size();
		let group = tree.block_size().bytes() as u64;
		let step = RANGE_BYTES.max(group) / group * group;
		let mut ranges: VecDeque<(u64, u64)> = (0..size)
			.step_by(step as usize)
			.map(|a| (a, a.saturating_add(step).min(size)))
			.collect();
		let file = fs::File::create(path)
			.map_err(|e| Error::Input(format!("cannot create {}: {e}", path.display())))?;
		let (sender, answers) = mpsc::channel::<Answer>();
		let mut buffers = Vec::new();
		let stopped = std::thread::scope(|scope| {
			let (mut asked, mut verified) = (0, 0);
			let mut stop = None;
			loop {
				while stop.is_none() {
					let Some(slot) = self.free_slot(step) else { break };
					let Some(range) = ranges.pop_front() else { break };
					let (fetcher, file, sender) = (self.fetcher.clone(), &file, sender.clone());
					let source = self.slots[slot].source.clone();
					let buffer = buffers.pop().unwrap_or_default();
					self.slots[slot].in_flight += 1;
					asked += 1;
					scope.spawn(move || {
						let (buffer, outcome) = fetcher.fetch(&source, range, buffer, file, path);
						let _ = sender.send(Answer { slot, range, buffer, outcome });
					});
				}
				if asked == 0 {
					return match stop {
						Some(error) => Some(stopped_after(error, verified)),
						None if !ranges.is_empty() => Some(self.no_replica_left()),
						None => None,
					};
				}
				// Every range under way holds a sender until it answers.
				let Ok(answer) = answers.recv() else { return stop };
				asked -= 1;
				buffers.push(answer.buffer);
				let slot = &mut self.slots[answer.slot];
				slot.in_flight -= 1;
				let (offset, end) = answer.range;
				match answer.outcome {
					Outcome::Written => {
						slot.served += end - offset;
						verified += end - offset;
						progress(verified, size);
					},
					Outcome::CannotWrite(error)
					| Outcome::Missed(Miss { error: error @ Error::Refused(_), .. }) => {
						stop.get_or_insert(error);
					},
					Outcome::Missed(miss) => {
						ranges.push_front(answer.range);
						self.drop_slot(answer.slot, miss.error);
					},
				}
			}
		});
		self.settle_all();
		match stopped {
			Some(error) => Err(error),
			None => file.sync_all().map(|()| size).map_err(|e| cannot_write(path, e)),
		}
	}

	/// The active slots.
	fn active(&self) -> impl Iterator<Item = &Slot> {
		self.slots.iter().filter(|slot| !slot.dropped)
	}

	/// The active slot with the fewest ranges under way, if it can take one more range of
	/// `step` bytes.
	fn free_slot(&self, step: u64) -> Option<usize> {
		let paying = self.fetcher.payer.is_some();
		let takes_one = |slot: &Slot| slot.in_flight < slot.source.ranges_in_flight(paying, step);
		(0..self.slots.len())
			.filter(|&i| !self.slots[i].dropped && takes_one(&self.slots[i]))
			.min_by_key(|&i| self.slots[i].in_flight)
	}

	/// Takes replicas from `waiting` until `stripe` are active or none is left, dropping those
	/// whose outboard cannot be had (after retries, if they are unavailable) or whose tree
	/// disagrees with the others'. Nothing is paid for yet, so even a refusal only drops the
	/// replica: if every replica refuses, [`Download::no_replica_left`] says so.
	fn fill(&mut self) {
		while self.active().count() < self.stripe {
			let Some(replica) = self.waiting.pop_front() else { return };
			let outboard = retrying(|| Ok(self.fetcher.outboard(&replica.gateway)?))
				.map_err(|miss| miss.error)
				.and_then(|outboard| match self.slots.first() {
					Some(first) if first.source.outboard.tree != outboard.tree => {
						Err(Error::BadPeer(
							"its size or chunk groups differ from the other replicas'".into(),
						))
					},
					_ => Ok(outboard),
				});
			match outboard {
				Ok(outboard) => self.slots.push(Slot {
					source: Arc::new(Source::new(replica, outboard)),
					in_flight: 0,
					served: 0,
					dropped: false,
				}),
				Err(error) => self.failures.push((replica, error)),
			}
		}
	}

	/// Drops slot `index` for `error` (once: its other ranges under way may fail too) and takes
	/// the next replica in. What it served is paid for when the download ends.
	fn drop_slot(&mut self, index: usize, error: Error) {
		let slot = &mut self.slots[index];
		if slot.dropped {
			return;
		}
		slot.dropped = true;
		self.failures.push((slot.source.replica.clone(), error));
		self.fill();
	}

	/// Sends every replica that served verified bytes the receipt for them.
	fn settle_all(&self) {
		for slot in &self.slots {
			self.fetcher.settle(&slot.source);
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
		let served = self.slots.iter().map(|slot| (slot.source.replica.clone(), slot.served));
		let failures = self.failures.into_iter().map(|(replica, e)| (replica, e.to_string()));
		DownloadReport { size, served: served.collect(), failures: failures.collect() }
	}
}

/// `error`, which stopped a download once `verified` bytes had come: the nodes were paid for
/// what they sent.
fn stopped_after(error: Error, verified: u64) -> Error {
	error.map_message(|reason| {
		format!("{reason} (stopped after {verified} verified bytes, all paid for with receipts)")
	})
}

fn cannot_write(path: &Path, e: std::io::Error) -> Error {
	Error::Local(format!("cannot write {}: {e}", path.display()))
}

/// What every request of a download shares: the agent, the content and the paying client.
#[derive(Clone)]
struct Fetcher<'a> {
	agent: ureq::Agent,
	id: &'a ContentId,
	payer: Option<&'a Payer>,
}

impl Fetcher<'_> {
	/// Sends a source the receipt for its last verified range (best effort: a node that does not
	/// take it loses only that range's pay).
	fn settle(&self, source: &Source) {
		if let Some(receipt) = source.payment().pending.take() {
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

	/// Bytes `range` from `source` (asked again while it is only unavailable), verified, paid
	/// for and written to `file` at their offset; `buffer` is read into and handed back.
	fn fetch(
		&self,
		source: &Source,
		(offset, end): (u64, u64),
		mut buffer: Vec<u8>,
		file: &fs::File,
		path: &Path,
	) -> (Vec<u8>, Outcome) {
		if let Err(miss) = retrying(|| self.range(source, offset, end, &mut buffer)) {
			return (buffer, Outcome::Missed(miss));
		}
		let outcome = match file.write_all_at(&buffer, offset) {
			Ok(()) => Outcome::Written,
			Err(e) => Outcome::CannotWrite(cannot_write(path, e)),
		};
		(buffer, outcome)
	}

	/// Reads bytes `offset..end` from `source` into `bytes`, verified against the id; paid for
	/// with a receipt when there is a payer.
	fn range(
		&self,
		source: &Source,
		offset: u64,
		end: u64,
		bytes: &mut Vec<u8>,
	) -> Result<(), Miss> {
		let payer = self.payer;
		let (mut response, proved) = self.request(source, offset, end)?;
		// A gateway that was not known by its node account names it when it refuses a request
		// without a proof: sign for it and ask once more (the first range to learn it says).
		if response.status() == 401 && payer.is_some() && !proved {
			if let Some(named) = account_header(&response, NODE_HEADER)? {
				source.payment().node.get_or_insert(named);
				response = self.request(source, offset, end)?.0;
			}
		}
		if !response.status().is_success() {
			let retry_after = retry_after(&response);
			return Err(Miss { error: http::refusal(response), retry_after });
		}
		let terms = payer.map(|payer| Terms::read(&response, payer)).transpose()?;
		if payer.is_some() {
			source.payment().quota_left = number_header(&response, QUOTA_LEFT_HEADER).ok();
		}
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
		http::read_body_into(response, end - offset, bytes)?;
		if bytes.len() as u64 != end - offset {
			return Err(
				Error::BadPeer(format!("short answer for bytes {offset}-{}", end - 1)).into()
			);
		}
		verify(&source.outboard, offset, bytes)?;
		if let (Some(payer), Some(terms)) = (payer, terms) {
			sign_for(&mut source.payment(), payer, terms, end - offset);
		}
		Ok(())
	}

	/// Asks `source` for bytes `offset..end`, naming and proving the paying client if any;
	/// the answer, and whether the request carried a proof.
	fn request(
		&self,
		source: &Source,
		offset: u64,
		end: u64,
	) -> Result<(ureq::http::Response<ureq::Body>, bool), Error> {
		let mut proved = false;
		let mut request = self
			.agent
			.get(content_url(&source.replica.gateway, self.id))
			.header("range", format!("bytes={offset}-{}", end - 1));
		if let Some(payer) = self.payer {
			request =
				request.header(CLIENT_HEADER, format!("0x{}", hex::encode(payer.signer.account())));
			let mut payment = source.payment();
			if let Some(proof) = request_proof(&mut payment, payer) {
				request = request.header(AUTH_HEADER, proof);
				proved = true;
			}
			if let Some(receipt) = &payment.pending {
				request = request.header(RECEIPT_HEADER, hex::encode(receipt.encode()));
			}
		}
		let response = request.call().map_err(|e| http::no_answer("gateway", e))?;
		Ok((response, proved))
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

/// The proof of this client's requests to the node in the current period (signed once per
/// period); none while the node is not known.
fn request_proof(payment: &mut Payment, payer: &Payer) -> Option<String> {
	let node = payment.node.as_ref()?;
	let period = auth_period(std::time::SystemTime::now());
	match &payment.proof {
		Some((signed, proof)) if *signed == period => Some(proof.clone()),
		_ => {
			let proof = sign_request_proof(payer.signer.pair(), &payer.genesis, node, period);
			payment.proof = Some((period, proof.clone()));
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

/// Signs for `len` more verified bytes under `terms`: the receipt to send next. Ranges under
/// way at once are signed in turn (under the bill's lock), so each receipt counts more than
/// the one before.
fn sign_for(payment: &mut Payment, payer: &Payer, terms: Terms, len: u64) {
	let signed = payment.signed.entry(terms.key.clone()).or_insert(0);
	*signed = (*signed).max(terms.held).saturating_add(len);
	let receipt = receipt::sign(terms.key.receipt(*signed), payer.signer.pair(), &payer.genesis);
	payment.pending = Some(receipt);
}

fn content_url(gateway: &str, id: &ContentId) -> String {
	format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id))
}
