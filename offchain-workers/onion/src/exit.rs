//! The last hop: answers `Get`, `Outboard` and `Put` from its own store, or as an exit,
//! through a one-hop circuit to the relay that stores the content (asked in
//! [`storage_order`]). The client never learns which node stores what it fetches; the
//! storing node sees only the exit.
//!
//! An exit passes nothing on and pays for nothing it has not checked against the content id
//! ([`crate::verify`]): the outboard pair by pair up to the id, the size by the bytes of the
//! last chunk group, and every chunk group of a `Get` before a byte of it goes to the client.
//! A storing relay that sends anything else (bytes the id refutes, more than it was asked
//! for, an early end, an empty cell, another size) is dropped: its circuit is closed, it is
//! paid nothing for that request, it is not asked again for [`DISTRUST_FOR`], and the exit
//! goes on from the last checked byte with the next relay in storage order. The client gets
//! the checked content, or an `Error` cell saying why not.
//!
//! Unmoderated content never goes over plain HTTP: between exit and storing node it travels
//! in a circuit too.

use crate::{
	cell::{Cell, Refusal, FRAME_LEN},
	circuit::{Circuit, CircuitError},
	directory::{storage_order, RelayInfo},
	payment,
	relay::{lock, Hop, HopEnd, JOURNAL_CONTENTS},
	verify::{self, GROUP_BYTES},
};
use bao_tree::{io::outboard::PostOrderMemOutboard, BaoTree};
use bitcloud_content::{ContentStore, StoreError};
use bitcloud_primitives::{AccountId, ContentId};
use std::{
	collections::{HashMap, VecDeque},
	io::Read,
	ops::Range,
	os::unix::fs::FileExt,
	sync::{atomic::Ordering, Arc},
	time::Duration,
};
use tokio::{
	io::{AsyncRead, AsyncWrite},
	sync::{OwnedSemaphorePermit, Semaphore},
	time::Instant,
};

pub use crate::verify::MAX_UNMODERATED_SIZE;

/// Storing relays an exit asks for one request, in storage order (without the ones it
/// distrusts): a request for an id nobody holds costs at most this many one-hop circuits. A
/// `Put` lands on the first of them that stores unmoderated content, so a `Get` finds it
/// among the same ones.
pub const STORAGE_CANDIDATES: usize = 8;

/// Time an exit spends finding a storing relay that answers (and, for an outboard, checking
/// it). With [`PIECE_TIME`] it stays below the client's `ANSWER_TIMEOUT`, so that the client
/// hears why rather than timing out.
pub const SEARCH_TIME: Duration = Duration::from_secs(10);

/// Time a storing relay has to send each chunk group of a `Get`; a slower one is left for the
/// next relay.
pub const PIECE_TIME: Duration = Duration::from_secs(8);

/// Bytes of verified outboards an exit's circuits hold together (a 4 GiB item's outboard is
/// 16 MiB); a request whose outboard does not fit is refused as `Busy`.
pub const OUTBOARD_MEMORY: usize = 256 << 20;

/// Time a storing relay that sent an exit what its content id refutes is not asked again.
pub const DISTRUST_FOR: Duration = Duration::from_secs(3600);

/// Storing relays an exit remembers distrusting (those whose time is up are forgotten first,
/// then the ones distrusted longest ago).
pub const MAX_DISTRUSTED: usize = 1024;

/// Contents per circuit whose payment an exit remembers, to pay each at most its size.
const PAID_ITEMS: usize = 16;

/// Bytes read from the store per step of a transfer.
const READ_STEP: usize = 256 * 1024;

/// A refusal to send back.
type Refused = (Refusal, String);

/// What the last hop of one circuit keeps between requests as an exit.
#[derive(Default)]
pub(crate) struct ExitMemory {
	/// The outboard of the content the circuit asked about last, checked against its id.
	outboard: Option<Checked>,
	/// Bytes paid to storing relays for each of the last contents (at most its size each).
	paid: VecDeque<(ContentId, u64)>,
}

impl ExitMemory {
	/// Of `bytes` more checked bytes of `id` (a content of `size` bytes), those this circuit
	/// still pays for: never more than `size` in all.
	fn payable(&mut self, id: &ContentId, size: u64, bytes: u64) -> u64 {
		let index = match self.paid.iter().position(|(paid, _)| paid == id) {
			Some(index) => index,
			None => {
				if self.paid.len() == PAID_ITEMS {
					self.paid.pop_front();
				}
				self.paid.push_back((*id, 0));
				self.paid.len() - 1
			},
		};
		let Some((_, paid)) = self.paid.get_mut(index) else { return 0 };
		let payable = bytes.min(size.saturating_sub(*paid));
		*paid += payable;
		payable
	}
}

/// An outboard checked against its id (hash pairs and size), with the share of the relay's
/// outboard memory it takes.
struct Checked {
	id: ContentId,
	outboard: PostOrderMemOutboard,
	_memory: OwnedSemaphorePermit,
}

/// Storing relays an exit does not ask, and until when.
#[derive(Default)]
pub(crate) struct Distrusted(HashMap<AccountId, Instant>);

impl Distrusted {
	fn add(&mut self, account: AccountId, now: Instant) {
		if self.0.len() >= MAX_DISTRUSTED && !self.0.contains_key(&account) {
			self.0.retain(|_, until| *until > now);
			let oldest = self.0.iter().min_by_key(|(_, until)| **until).map(|(a, _)| a.clone());
			if let (true, Some(oldest)) = (self.0.len() >= MAX_DISTRUSTED, oldest) {
				self.0.remove(&oldest);
			}
		}
		self.0.insert(account, now + DISTRUST_FOR);
	}

	fn contains(&self, account: &AccountId, now: Instant) -> bool {
		self.0.get(account).is_some_and(|until| *until > now)
	}
}

/// Why a storing relay's answer ended early, and so what the exit does next.
#[derive(Debug)]
enum SourceError {
	/// It sent what its content id refutes or the protocol forbids: drop it, pay it nothing,
	/// do not ask it again for [`DISTRUST_FOR`].
	Lied(String),
	/// Its circuit broke, it was too slow or it refused: go on with the next relay.
	Failed(String),
	/// It answered, but nothing can be done with the answer (a size above the limit): go on
	/// with the next relay; refuse with this if none does better.
	Unusable(Refused),
	/// This relay is at its limits: stop; the client tries another circuit.
	Busy(String),
	/// The client's side of the circuit ended: stop.
	Client(HopEnd),
}

/// The storing relays still to ask for one request, and the time left to find one.
struct Search {
	genesis: [u8; 32],
	relays: VecDeque<RelayInfo>,
	deadline: Instant,
	/// A circuit to a relay that answered for this content: asked first next time.
	ready: Option<(RelayInfo, Circuit)>,
	/// The refusal to give if no relay answers.
	last: Refused,
	/// Why a relay that had the content failed, if one did (the client may try again).
	failed: Option<String>,
	/// Whether a relay was dropped for sending what the id refutes.
	lied: bool,
}

impl Search {
	fn new(relays: VecDeque<RelayInfo>, genesis: [u8; 32]) -> Self {
		Search {
			genesis,
			relays,
			deadline: Instant::now() + SEARCH_TIME,
			ready: None,
			last: (Refusal::NotFound, "no relay holds the content".into()),
			failed: None,
			lied: false,
		}
	}

	/// Gives the search [`SEARCH_TIME`] again (once the client has heard from the exit).
	fn renew(&mut self) {
		self.deadline = Instant::now() + SEARCH_TIME;
	}

	/// The next relay that answers `request` with `Meta`: its circuit and the size it says.
	async fn next(&mut self, request: &Cell) -> Option<(RelayInfo, Circuit, u64)> {
		loop {
			let (relay, circuit) = match self.ready.take() {
				Some((relay, circuit)) => (relay, Some(circuit)),
				None => (self.relays.pop_front()?, None),
			};
			let genesis = self.genesis;
			let asked = tokio::time::timeout_at(self.deadline, async {
				let mut circuit = match circuit {
					Some(circuit) => circuit,
					None => Circuit::open(&relay, &genesis).await?,
				};
				let size = circuit.request(request).await?;
				Ok::<_, CircuitError>((circuit, size))
			});
			match asked.await {
				Ok(Ok((circuit, size))) => return Some((relay, circuit, size)),
				Ok(Err(CircuitError::Refused { refusal, reason })) => self.last = (refusal, reason),
				// An unreachable relay is one that does not hold the content, as far as the
				// client can tell: a killed node must not turn "not found" into "try again".
				Ok(Err(e)) => log::debug!(target: "onion", "storing relay unreachable: {e}"),
				Err(_) => {
					self.failed = Some("no storing relay answered in time".into());
					self.relays.clear();
					return None;
				},
			}
		}
	}

	/// Why no relay served the request: a failure is worth another try, a lie is not.
	fn refusal(&self) -> Refused {
		match (&self.failed, self.lied) {
			(Some(why), _) => (Refusal::Unreachable, why.clone()),
			(None, true) if self.last.0 == Refusal::NotFound => {
				(Refusal::NotFound, "no copy found matches the content id".into())
			},
			_ => self.last.clone(),
		}
	}
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Hop<S> {
	/// Answers one request as the last hop.
	pub(crate) async fn answer(&mut self, request: Cell) -> Result<(), HopEnd> {
		let (Cell::Get { id, local, .. }
		| Cell::Outboard { id, local }
		| Cell::Put { id, local, .. }) = request
		else {
			return self.refuse_malformed("a cell that is not a request").await;
		};
		self.relay.note(self.serial, |record| {
			if record.contents.len() < JOURNAL_CONTENTS {
				record.contents.push(id)
			}
		});
		let store = self.relay.config.store.clone();
		let result = match (&request, store) {
			(Cell::Put { size, .. }, Some(store)) if self.relay.config.stores_unmoderated => {
				self.store_here(&store, id, *size).await?
			},
			(Cell::Put { .. }, _) if local => {
				Err((Refusal::Refused, "this node stores no unmoderated content".into()))
			},
			(Cell::Put { size, .. }, _) => self.put_through(id, *size).await?,
			(_, Some(store)) if store.contains(&id) => self.serve_here(&store, request).await?,
			// An index lookup, no disk: an unknown id costs one cell.
			_ if local => Err((Refusal::NotFound, "not stored here".into())),
			_ => self.read_through(request).await?,
		};
		match result {
			Ok(()) => Ok(()),
			Err((refusal, reason)) => self.send(&Cell::Error { refusal, reason }).await,
		}
	}

	/// The refusal of a `Get` overlapping chunks under a pending storage challenge: an onion
	/// request is anonymous, so it could come from the challenged node itself
	/// (`bitcloud_content::challenges`).
	fn challenged(&self, id: &ContentId, range: Option<(u64, u64)>, size: u64) -> Option<Refused> {
		let (offset, len) = range?;
		let board = self.relay.config.challenges.as_ref()?;
		let end = offset.saturating_add(len).min(size);
		let wait = board.overlap(id, offset.min(end), end)?;
		let reason = format!(
			"chunks under a storage challenge are not served anonymously: try again in {} s",
			wait.as_secs().max(1)
		);
		Some((Refusal::Busy, reason))
	}

	/// `Get` or `Outboard` from the relay's own store (checked as it is read).
	async fn serve_here(
		&mut self,
		store: &Arc<ContentStore>,
		request: Cell,
	) -> Result<Result<(), Refused>, HopEnd> {
		let (id, range) = match request {
			Cell::Get { id, offset, len, .. } => (id, Some((offset, len))),
			Cell::Outboard { id, .. } => (id, None),
			_ => return Ok(Err((Refusal::BadRequest, "not a read".into()))),
		};
		let opened = blocking({
			let store = store.clone();
			move || store.reader(&id)
		})
		.await;
		let reader = match opened {
			Ok(reader) => Arc::new(reader),
			Err(StoreError::NotFound) => return Ok(Err((Refusal::NotFound, "not stored".into()))),
			Err(e) => return Ok(Err(internal(e))),
		};
		let size = reader.size();
		if let Some(refused) = self.challenged(&id, range, size) {
			return Ok(Err(refused));
		}
		self.send(&Cell::Meta { size }).await?;
		let mut steps = match range {
			// The outboard, in steps as the bytes: a large one is never held whole.
			None => {
				let total = BaoTree::new(size, verify::BLOCK_SIZE).outboard_size();
				ReadAhead::new(
					0,
					total,
					Arc::new(move |at: u64, step: usize| {
						let mut bytes = vec![0u8; step];
						reader.outboard_file().read_exact_at(&mut bytes, at)?;
						Ok(bytes)
					}),
				)
			},
			Some((offset, len)) => {
				let end = offset.saturating_add(len).min(size);
				let read = move |at: u64, step: usize| reader.read_verified(at, step);
				ReadAhead::new(offset.min(end), end, Arc::new(read))
			},
		};
		while let Some(read) = steps.next().await {
			match read {
				Ok(bytes) => self.send_data(&bytes).await?,
				Err(e @ StoreError::Corrupt { .. }) => {
					store.quarantine(&id);
					return Ok(Err((Refusal::Internal, e.to_string())));
				},
				Err(e) => return Ok(Err(internal(e))),
			}
		}
		self.send(&Cell::End).await.map(Ok)
	}

	/// `Put` into the relay's own store: the bytes enter it only if they hash to `id`.
	async fn store_here(
		&mut self,
		store: &Arc<ContentStore>,
		id: ContentId,
		size: u64,
	) -> Result<Result<(), Refused>, HopEnd> {
		if size > MAX_UNMODERATED_SIZE {
			return Ok(Err((
				Refusal::Refused,
				format!("larger than {MAX_UNMODERATED_SIZE} bytes"),
			)));
		}
		self.send(&Cell::Meta { size }).await?;
		let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
		let import = tokio::task::spawn_blocking({
			let store = store.clone();
			move || {
				// Anonymous content is unlisted: it counts against the store's budget for
				// unmoderated content and expires (`docs/content-node.md`).
				store.import_unlisted(
					ChannelReader { receiver, pending: Vec::new(), at: 0 },
					id,
					size,
					bitcloud_content::Unlisted::Unmoderated,
				)
			}
		});
		let mut received = 0u64;
		loop {
			match self.recv().await? {
				// Every cell carries bytes: the number of cells is bounded by the size.
				Cell::Data(bytes) if bytes.is_empty() => {
					return self.refuse_malformed("an empty data cell").await.map(Ok)
				},
				Cell::Data(bytes) => {
					received = received.saturating_add(bytes.len() as u64);
					// A full channel waits for the import (back-pressure to the client); a
					// closed one means the import stopped: its result says why.
					if sender.send(bytes).await.is_err() || received > size {
						break;
					}
				},
				Cell::End => break,
				_ => return self.refuse_malformed("cell in an upload").await.map(Ok),
			}
		}
		drop(sender);
		let result = import.await.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e))));
		Ok(match result {
			Ok(_) if received == size => {
				log::info!(target: "onion", "stored unmoderated content {}", hex::encode(id));
				self.send(&Cell::End).await?;
				Ok(())
			},
			Ok(_) => Err((Refusal::Refused, format!("{received} bytes sent, {size} announced"))),
			Err(e) => Err((Refusal::Refused, e.to_string())),
		})
	}

	/// `Put` through the first storing relay in storage order that takes it.
	async fn put_through(
		&mut self,
		id: ContentId,
		size: u64,
	) -> Result<Result<(), Refused>, HopEnd> {
		if size > MAX_UNMODERATED_SIZE {
			let reason = format!("larger than {MAX_UNMODERATED_SIZE} bytes");
			return Ok(Err((Refusal::Refused, reason)));
		}
		let mut search = match self.search(&id).await {
			Ok(search) => search,
			Err(refused) => return Ok(Err(refused)),
		};
		let Some((_, mut upstream, _)) = search.next(&Cell::Put { id, size, local: true }).await
		else {
			return Ok(Err(search.refusal()));
		};
		self.send(&Cell::Meta { size }).await?;
		self.pipe_upload(&mut upstream, size).await
	}

	/// `Get` or `Outboard` through storing relays, checked on the way.
	async fn read_through(&mut self, request: Cell) -> Result<Result<(), Refused>, HopEnd> {
		let (id, range) = match request {
			Cell::Get { id, offset, len, .. } => (id, Some((offset, len))),
			Cell::Outboard { id, .. } => (id, None),
			_ => return Ok(Err((Refusal::BadRequest, "not a read".into()))),
		};
		let mut search = match self.search(&id).await {
			Ok(search) => search,
			Err(refused) => return Ok(Err(refused)),
		};
		// Another content's outboard is let go first (its memory with it).
		let checked = match self.exit.outboard.take().filter(|checked| checked.id == id) {
			Some(checked) => checked,
			None => match self.find_outboard(&mut search, &id).await {
				Ok(checked) => checked,
				Err(refused) => return Ok(Err(refused)),
			},
		};
		let size = checked.outboard.tree.size();
		self.send(&Cell::Meta { size }).await?;
		let result = match range {
			None => {
				self.send_data(&checked.outboard.data).await?;
				self.send(&Cell::End).await.map(Ok)
			},
			Some((offset, len)) => self.relay_range(&mut search, &checked, offset, len).await,
		};
		self.exit.outboard = Some(checked);
		result
	}

	/// The outboard of `id` from the first storing relay whose answer checks out; that
	/// relay's circuit stays in `search`, to be asked first for the bytes.
	async fn find_outboard(
		&mut self,
		search: &mut Search,
		id: &ContentId,
	) -> Result<Checked, Refused> {
		let request = Cell::Outboard { id: *id, local: true };
		while let Some((relay, mut circuit, size)) = search.next(&request).await {
			let memory = &self.relay.outboard_memory;
			let taken = tokio::time::timeout_at(
				search.deadline,
				take_outboard(&mut circuit, id, size, memory),
			)
			.await
			.unwrap_or_else(|_| Err(SourceError::Failed("outboard not sent in time".into())));
			match taken {
				Ok(checked) => {
					search.ready = Some((relay, circuit));
					return Ok(checked);
				},
				Err(SourceError::Lied(why)) => self.drop_liar(search, &relay, &why),
				Err(SourceError::Busy(why)) => return Err((Refusal::Busy, why)),
				Err(SourceError::Unusable(refused)) => search.last = refused,
				Err(SourceError::Failed(why)) => search.failed = Some(why),
				Err(SourceError::Client(end)) => return Err((Refusal::Internal, end.to_string())),
			}
		}
		Err(search.refusal())
	}

	/// Bytes `offset..offset + len` of the content `checked` describes: fetched from storing
	/// relays in whole chunk groups (only those can be checked), checked, and the part asked
	/// for passed on; each relay is paid for what it sent that checked out.
	async fn relay_range(
		&mut self,
		search: &mut Search,
		checked: &Checked,
		offset: u64,
		len: u64,
	) -> Result<Result<(), Refused>, HopEnd> {
		let size = checked.outboard.tree.size();
		let end = offset.saturating_add(len).min(size);
		let start = offset.min(end);
		let last = end.div_ceil(GROUP_BYTES).saturating_mul(GROUP_BYTES).min(size);
		let mut at = if start == end { last } else { start / GROUP_BYTES * GROUP_BYTES };
		while at < last {
			search.renew();
			let request = Cell::Get { id: checked.id, offset: at, len: last - at, local: true };
			let Some((relay, mut circuit, announced)) = search.next(&request).await else {
				return Ok(Err(search.refusal()));
			};
			if announced != size {
				let why = format!("announced {announced} bytes where its id proves {size}");
				self.drop_liar(search, &relay, &why);
				continue;
			}
			let from = at;
			let streamed = self
				.stream_checked(&mut circuit, &checked.outboard, &mut at, last, start..end)
				.await;
			let (node, id, checked_bytes) = (&relay.account, &checked.id, at - from);
			match streamed {
				Ok(()) => self.pay(&mut circuit, node, id, size, checked_bytes).await,
				// Nothing for a relay that lied, not even for the bytes before the lie.
				Err(SourceError::Lied(why)) => self.drop_liar(search, &relay, &why),
				Err(SourceError::Client(end)) => {
					self.pay(&mut circuit, node, id, size, checked_bytes).await;
					return Err(end);
				},
				Err(SourceError::Failed(why) | SourceError::Busy(why)) => {
					log::debug!(target: "onion", "storing relay failed mid-transfer: {why}");
					self.pay(&mut circuit, node, id, size, checked_bytes).await;
					search.failed = Some(format!("the storing relay failed: {why}"));
				},
				Err(SourceError::Unusable(refused)) => search.last = refused,
			}
		}
		self.send(&Cell::End).await.map(Ok)
	}

	/// Reads a storing relay's answer from `*at` to `last`, checks it one chunk group at a
	/// time, and passes on the part in `wanted`. `*at` ends after the last checked byte.
	async fn stream_checked(
		&mut self,
		circuit: &mut Circuit,
		outboard: &PostOrderMemOutboard,
		at: &mut u64,
		last: u64,
		wanted: Range<u64>,
	) -> Result<(), SourceError> {
		let group = GROUP_BYTES as usize;
		// At most a group and a cell: what the exit holds per circuit.
		let mut pending: Vec<u8> = Vec::with_capacity(group + FRAME_LEN);
		let mut deadline = Instant::now() + PIECE_TIME;
		loop {
			let received = *at + pending.len() as u64;
			let next = tokio::time::timeout_at(deadline, next_data(circuit)).await;
			let next = next.map_err(|_| SourceError::Failed("too slow".into()))??;
			let Some(bytes) = next else {
				if received == last {
					return Ok(());
				}
				return Err(SourceError::Lied(format!("the answer ended at {received} of {last}")));
			};
			if received + bytes.len() as u64 > last {
				return Err(SourceError::Lied("more bytes than asked for".into()));
			}
			pending.extend_from_slice(&bytes);
			while pending.len() >= group
				|| (!pending.is_empty() && received_all(*at, &pending, last))
			{
				let take = pending.len().min(group);
				let piece = &pending[..take];
				let piece_end = *at + take as u64;
				if !verify::bytes_match(outboard, *at, piece) {
					let why = format!("bytes {at}..{piece_end} do not match the content id");
					return Err(SourceError::Lied(why));
				}
				let (lo, hi) = (wanted.start.max(*at), wanted.end.min(piece_end));
				if lo < hi {
					let part = &piece[(lo - *at) as usize..(hi - *at) as usize];
					self.send_data(part).await.map_err(SourceError::Client)?;
				}
				*at = piece_end;
				pending.drain(..take);
				deadline = Instant::now() + PIECE_TIME;
			}
		}
	}

	/// Drops a storing relay that sent what the content id refutes.
	fn drop_liar(&self, search: &mut Search, relay: &RelayInfo, why: &str) {
		search.lied = true;
		self.relay.stats().storing_lied.fetch_add(1, Ordering::Relaxed);
		lock(&self.relay.distrusted).add(relay.account.clone(), Instant::now());
		log::warn!(target: "onion", "storing relay {} dropped: {why}", relay.account);
	}

	/// The storing relays to ask for `id`: storage order, without this relay and the ones it
	/// distrusts, at most [`STORAGE_CANDIDATES`].
	async fn search(&mut self, id: &ContentId) -> Result<Search, Refused> {
		let directory = self.relay.directory.clone();
		let mut relays = blocking(move || {
			directory
				.relays()
				.map_err(|e| StoreError::Io(std::io::Error::other(format!("chain view: {e}"))))
		})
		.await
		.map_err(internal)?;
		let own = self.relay.config.node.clone();
		let own_key = self.relay.own_key;
		relays.retain(|relay| Some(&relay.account) != own.as_ref() && relay.onion_key != own_key);
		storage_order(&mut relays, id);
		let candidates = {
			let distrusted = lock(&self.relay.distrusted);
			let now = Instant::now();
			relays
				.into_iter()
				.filter(|relay| !distrusted.contains(&relay.account, now))
				.take(STORAGE_CANDIDATES)
				.collect()
		};
		Ok(Search::new(candidates, self.relay.config.genesis))
	}

	/// Sends the storing node a receipt for `bytes` more checked bytes of `id` (a content of
	/// `size` bytes), as far as this circuit has not paid for the whole content yet and the
	/// node can sign.
	async fn pay(
		&mut self,
		upstream: &mut Circuit,
		storing_node: &AccountId,
		id: &ContentId,
		size: u64,
		bytes: u64,
	) {
		let bytes = self.exit.payable(id, size, bytes);
		let Some(payer) = self.relay.config.payer.clone().filter(|_| bytes > 0) else { return };
		let relay = self.relay.clone();
		let node = storing_node.clone();
		let signed =
			tokio::task::spawn_blocking(move || relay.paid.receipt(&*payer, &node, bytes)).await;
		let Ok(Some(signed)) = signed else {
			log::debug!(target: "onion", "no receipt signed for a storing node");
			return;
		};
		if upstream.send(&Cell::Receipt(payment::encode(&signed))).await.is_ok() {
			self.relay.stats().receipts_sent.fetch_add(1, Ordering::Relaxed);
		}
	}

	/// Passes the client's upload to the storing relay: at most `size` bytes, in cells that
	/// each carry some.
	async fn pipe_upload(
		&mut self,
		upstream: &mut Circuit,
		size: u64,
	) -> Result<Result<(), Refused>, HopEnd> {
		let mut sent = 0u64;
		loop {
			let cell = self.recv().await?;
			let end = match &cell {
				Cell::Data(bytes)
					if !bytes.is_empty() && sent.saturating_add(bytes.len() as u64) <= size =>
				{
					sent += bytes.len() as u64;
					false
				},
				Cell::End => true,
				_ => {
					let what = "cell in an upload (not data, empty, or past the size)";
					return self.refuse_malformed(what).await.map(Ok);
				},
			};
			// Cells towards the client's side are never larger than a one-hop circuit takes.
			upstream.send(&cell).await.map_err(|e| HopEnd::Malformed(e.to_string()))?;
			if end {
				break;
			}
		}
		match upstream.data().await {
			Ok(None) => self.send(&Cell::End).await.map(Ok),
			Ok(Some(_)) => Ok(Err((Refusal::Internal, "storing node sent data".into()))),
			Err(CircuitError::Refused { refusal, reason }) => Ok(Err((refusal, reason))),
			Err(e) => Err(HopEnd::Malformed(format!("storing node: {e}"))),
		}
	}
}

/// Reads `at..end` of a stored object in steps of [`READ_STEP`] on blocking threads, one step
/// ahead of the caller: the next step is read (and verified) while the last one is sent, so
/// the disk and the circuit work at once. At most two steps are held.
struct ReadAhead {
	read: Arc<ReadStep>,
	at: u64,
	end: u64,
	next: Option<tokio::task::JoinHandle<Result<Vec<u8>, StoreError>>>,
}

/// Reads `len` bytes at an offset of a stored object (its bytes, verified, or its outboard).
type ReadStep = dyn Fn(u64, usize) -> Result<Vec<u8>, StoreError> + Send + Sync;

impl ReadAhead {
	fn new(at: u64, end: u64, read: Arc<ReadStep>) -> Self {
		let mut steps = ReadAhead { read, at, end, next: None };
		steps.start();
		steps
	}

	/// Starts reading the step at `at`, if any is left.
	fn start(&mut self) {
		if self.at >= self.end {
			return;
		}
		let (read, at) = (self.read.clone(), self.at);
		let step = (self.end - at).min(READ_STEP as u64) as usize;
		self.at += step as u64;
		self.next = Some(tokio::task::spawn_blocking(move || read(at, step)));
	}

	/// The next step's bytes, or why it could not be read; `None` past the end.
	async fn next(&mut self) -> Option<Result<Vec<u8>, StoreError>> {
		let reading = self.next.take()?;
		let read = reading.await.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e))));
		if read.is_ok() {
			self.start();
		}
		Some(read)
	}
}

/// Whether `pending`, found at `at`, reaches `last`.
fn received_all(at: u64, pending: &[u8], last: u64) -> bool {
	at + pending.len() as u64 == last
}

/// Reads the outboard a storing relay sends for `id` after saying the content has `size`
/// bytes, checks it against the id, and proves the size with the last chunk group.
async fn take_outboard(
	circuit: &mut Circuit,
	id: &ContentId,
	size: u64,
	memory: &Arc<Semaphore>,
) -> Result<Checked, SourceError> {
	let expected = verify::outboard_len(size)
		.map_err(|e| SourceError::Unusable((Refusal::Refused, e.to_string())))?;
	let permits =
		u32::try_from(expected).map_err(|_| SourceError::Busy("outboard too big".into()))?;
	let memory = memory
		.clone()
		.try_acquire_many_owned(permits)
		.map_err(|_| SourceError::Busy("the exit holds as many outboards as it may".into()))?;
	let mut data = Vec::new();
	while let Some(bytes) = next_data(circuit).await? {
		if (data.len() + bytes.len()) as u64 > expected {
			return Err(SourceError::Lied("an outboard longer than its size needs".into()));
		}
		data.extend_from_slice(&bytes);
	}
	let checked = tokio::task::spawn_blocking({
		let id = *id;
		move || verify::checked_outboard(&id, size, data)
	})
	.await
	.map_err(|e| SourceError::Failed(e.to_string()))?;
	let outboard = checked.map_err(|e| SourceError::Lied(e.to_string()))?;
	prove_size(circuit, id, &outboard).await?;
	Ok(Checked { id: *id, outboard, _memory: memory })
}

/// Asks the relay that sent `outboard` for the content's last chunk group and checks it: an
/// outboard proves the size only to the group, these bytes prove it to the byte.
async fn prove_size(
	circuit: &mut Circuit,
	id: &ContentId,
	outboard: &PostOrderMemOutboard,
) -> Result<(), SourceError> {
	let size = outboard.tree.size();
	if size == 0 {
		return Ok(());
	}
	let start = verify::last_group_start(size);
	let request = Cell::Get { id: *id, offset: start, len: size - start, local: true };
	let announced = circuit.request(&request).await.map_err(source_error)?;
	if announced != size {
		return Err(SourceError::Lied(format!("announced {size} bytes, then {announced}")));
	}
	let mut group = Vec::new();
	while let Some(bytes) = next_data(circuit).await? {
		if (group.len() + bytes.len()) as u64 > size - start {
			return Err(SourceError::Lied("more bytes than asked for".into()));
		}
		group.extend_from_slice(&bytes);
	}
	if !verify::bytes_match(outboard, start, &group) {
		return Err(SourceError::Lied("its last chunk group does not match the content id".into()));
	}
	Ok(())
}

/// The next bytes a storing relay sends (`None` at `End`). Honest relays never send an empty
/// `Data` cell: with none, the number of cells is bounded by the bytes asked for.
async fn next_data(circuit: &mut Circuit) -> Result<Option<Vec<u8>>, SourceError> {
	match circuit.data().await {
		Ok(Some(bytes)) if bytes.is_empty() => Err(SourceError::Lied("an empty data cell".into())),
		Ok(data) => Ok(data),
		Err(e) => Err(source_error(e)),
	}
}

/// What a circuit error says of the storing relay at its end.
fn source_error(e: CircuitError) -> SourceError {
	match e {
		// The layer opened, so only the relay can have sent a non-cell or a misplaced cell.
		CircuitError::Unexpected(_) | CircuitError::Malformed(_) => {
			SourceError::Lied(e.to_string())
		},
		_ => SourceError::Failed(e.to_string()),
	}
}

/// Runs store or chain work on a blocking thread.
async fn blocking<T: Send + 'static>(
	work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
	tokio::task::spawn_blocking(work)
		.await
		.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e))))
}

fn internal(e: StoreError) -> Refused {
	(Refusal::Internal, e.to_string())
}

/// The bytes of an upload, as the store's import reads them.
struct ChannelReader {
	receiver: tokio::sync::mpsc::Receiver<Vec<u8>>,
	pending: Vec<u8>,
	at: usize,
}

impl Read for ChannelReader {
	fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
		while self.at == self.pending.len() {
			match self.receiver.blocking_recv() {
				Some(bytes) => {
					self.pending = bytes;
					self.at = 0;
				},
				None => return Ok(0),
			}
		}
		let n = out.len().min(self.pending.len() - self.at);
		out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
		self.at += n;
		Ok(n)
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_circuit_pays_each_content_at_most_its_size() {
		let mut memory = ExitMemory::default();
		let (a, b) = ([1; 32], [2; 32]);
		assert_eq!(memory.payable(&a, 100, 60), 60);
		assert_eq!(memory.payable(&b, 10, 10), 10);
		assert_eq!(memory.payable(&a, 100, 60), 40, "only what is left of the size");
		assert_eq!(memory.payable(&a, 100, 60), 0);
		assert_eq!(memory.payable(&b, 10, 1), 0);
		// The memory is bounded: the oldest content is forgotten first.
		for n in 0..PAID_ITEMS as u8 {
			memory.payable(&[100 + n; 32], 1, 1);
		}
		assert_eq!(memory.paid.len(), PAID_ITEMS);
		assert!(memory.paid.iter().all(|(id, _)| *id != a));
	}

	#[test]
	fn distrust_expires_and_is_bounded() {
		let mut distrusted = Distrusted::default();
		let now = Instant::now();
		let liar = AccountId::new([9; 32]);
		distrusted.add(liar.clone(), now);
		assert!(distrusted.contains(&liar, now + DISTRUST_FOR / 2));
		assert!(!distrusted.contains(&liar, now + DISTRUST_FOR));
		assert!(!distrusted.contains(&AccountId::new([8; 32]), now));
		for n in 0..MAX_DISTRUSTED as u32 + 10 {
			let mut account = [0u8; 32];
			account[..4].copy_from_slice(&n.to_be_bytes());
			distrusted.add(AccountId::new(account), now + Duration::from_millis(u64::from(n)));
		}
		assert_eq!(distrusted.0.len(), MAX_DISTRUSTED);
		assert!(!distrusted.contains(&liar, now), "the oldest went first");
	}
}
