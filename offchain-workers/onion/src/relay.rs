//! The relay service: opens hops, extends circuits to the next relay, forwards frames, and
//! answers requests as the last hop (see [`crate::exit`]).
//!
//! A relay keeps one TCP link per circuit on each side, so TCP's own flow control is the
//! circuit's: a relay reads from one side only after it wrote what it read before to the
//! other, and holds at most [`link::FRAMES_PER_READ`] frames read and as many to write per circuit
//! and direction. A slow reader stalls its circuit back to the source and costs the relay
//! nothing more.

use crate::{
	cell::{self, payload_len, sealed_len, Cell, Refusal, FRAME_LEN, MAX_DEPTH},
	directory::Directory,
	exit::{self, Distrusted, ExitMemory},
	link,
	noise::{self, Layer, OnionSecret, Opener, Sealer, HANDSHAKE_LEN},
	payment::{self, ExitPayer, PaidLedger},
};
use bitcloud_content::{ContentStore, ReceiptSink};
use bitcloud_primitives::{AccountId, ContentId};
use rand::RngCore;
use std::{
	collections::{HashMap, HashSet, VecDeque},
	net::{IpAddr, Ipv6Addr, SocketAddr},
	sync::{
		atomic::{AtomicU64, Ordering},
		Arc, Mutex,
	},
	time::Duration,
};
use tokio::{
	io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
	sync::Semaphore,
	time::Instant,
};

/// Circuits a relay carries at once; more are closed at once.
pub const MAX_CIRCUITS: usize = 512;

/// Circuits one peer (an IPv4 address, or an IPv6 /64) may hold at a relay at once: a quarter
/// of [`MAX_CIRCUITS`], so one address cannot take the whole relay. A relay that forwards
/// many clients' circuits is one peer too, which is why the cap is not lower.
pub const MAX_CIRCUITS_PER_PEER: usize = MAX_CIRCUITS / 4;

/// Time a new link has to send its opening frame (and a next relay to answer an extension).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Time a circuit may go without a whole frame read or written, in either direction, before
/// the relay closes it: a silent client, a silent next hop, or a peer that stopped reading.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// Handshakes remembered to refuse replays (oldest forgotten first).
pub const REPLAY_MEMORY: usize = 1 << 16;

/// Circuits kept in the relay's journal.
pub const JOURNAL_LEN: usize = 256;

/// Contents kept per circuit in the journal (the first ones asked for): a client that sends
/// request after request on one circuit does not grow the journal.
pub const JOURNAL_CONTENTS: usize = 16;

/// How a relay bounds the work peers can make it do. [`Limits::default`] is what nodes run
/// with (the constants above); tests shorten it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
	/// Circuits carried at once ([`MAX_CIRCUITS`]).
	pub circuits: usize,
	/// Circuits one peer holds at once ([`MAX_CIRCUITS_PER_PEER`]).
	pub circuits_per_peer: usize,
	/// Time for an opening frame or an extension's answer ([`HANDSHAKE_TIMEOUT`]).
	pub handshake_timeout: Duration,
	/// Time a circuit may go without moving a frame ([`IDLE_TIMEOUT`]).
	pub idle_timeout: Duration,
}

impl Default for Limits {
	fn default() -> Self {
		Limits {
			circuits: MAX_CIRCUITS,
			circuits_per_peer: MAX_CIRCUITS_PER_PEER,
			handshake_timeout: HANDSHAKE_TIMEOUT,
			idle_timeout: IDLE_TIMEOUT,
		}
	}
}

/// How a relay runs.
#[derive(Clone)]
pub struct RelayConfig {
	/// Its onion key (the public half is registered on chain).
	pub secret: OnionSecret,
	/// The chain's genesis hash (bound into every handshake).
	pub genesis: [u8; 32],
	/// Its own account (so it does not ask itself for content as an exit).
	pub node: Option<AccountId>,
	/// Its content store: served to circuits that end here.
	pub store: Option<Arc<ContentStore>>,
	/// Whether it stores unmoderated content published through circuits.
	pub stores_unmoderated: bool,
	/// Where receipts from exits for the bytes it served go (the node's receipt book).
	pub receipts: Option<Arc<dyn ReceiptSink>>,
	/// How it pays the storing nodes it fetches from as an exit.
	pub payer: Option<Arc<dyn ExitPayer>>,
	/// Its bounds on circuits and time.
	pub limits: Limits,
	/// The chunks under pending storage challenges, which it does not serve (none: it
	/// serves every chunk it holds).
	pub challenges: Option<Arc<bitcloud_content::ChallengeBoard>>,
}

/// What a relay knows of one circuit through it: its neighbours and, as the last hop, the
/// contents asked for. Never the client's address together with a content id, unless the
/// client connected to the last hop directly (a one-hop circuit, which is not anonymous).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CircuitRecord {
	/// Serial number at this relay.
	pub serial: u64,
	/// The previous hop's address (the client's for the first relay).
	pub previous: SocketAddr,
	/// Position in the circuit (1: the first relay).
	pub depth: u8,
	/// The relay the circuit was extended to.
	pub next: Option<AccountId>,
	/// Contents asked for or published when this relay was the last hop (the first
	/// [`JOURNAL_CONTENTS`]).
	pub contents: Vec<ContentId>,
}

/// Counters of a relay.
#[derive(Debug, Default)]
pub struct RelayStats {
	/// Hops opened.
	pub circuits: AtomicU64,
	/// Circuits extended to a next relay.
	pub extended: AtomicU64,
	/// Requests answered as the last hop.
	pub requests: AtomicU64,
	/// Frames forwarded (both directions).
	pub forwarded: AtomicU64,
	/// Circuits torn down because a cell failed authentication.
	pub tampered: AtomicU64,
	/// Handshakes refused as replays.
	pub replayed: AtomicU64,
	/// Links dropped for malformed frames, handshakes or cells.
	pub malformed: AtomicU64,
	/// Links closed because the relay carried [`MAX_CIRCUITS`] already.
	pub busy: AtomicU64,
	/// Links closed because their peer held [`MAX_CIRCUITS_PER_PEER`] already.
	pub peer_limited: AtomicU64,
	/// Circuits closed after [`IDLE_TIMEOUT`] without a frame.
	pub idle: AtomicU64,
	/// Extensions refused because they led back to this relay.
	pub self_extensions: AtomicU64,
	/// Storing relays dropped, as an exit, for bytes or answers their content id refutes.
	pub storing_lied: AtomicU64,
	/// Receipts it sent storing nodes as an exit.
	pub receipts_sent: AtomicU64,
	/// Receipts from exits it kept.
	pub receipts_kept: AtomicU64,
	/// Receipts from exits it refused.
	pub receipts_refused: AtomicU64,
}

impl RelayStats {
	/// Every counter with its name (the `event` label of the node's Prometheus metric).
	pub fn counts(&self) -> [(&'static str, u64); 15] {
		let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
		[
			("circuit_opened", read(&self.circuits)),
			("circuit_extended", read(&self.extended)),
			("request_answered", read(&self.requests)),
			("frame_forwarded", read(&self.forwarded)),
			("tampered_cell", read(&self.tampered)),
			("replayed_handshake", read(&self.replayed)),
			("malformed_input", read(&self.malformed)),
			("refused_busy", read(&self.busy)),
			("refused_peer_limit", read(&self.peer_limited)),
			("closed_idle", read(&self.idle)),
			("refused_self_extension", read(&self.self_extensions)),
			("storing_relay_dropped", read(&self.storing_lied)),
			("receipt_sent", read(&self.receipts_sent)),
			("receipt_kept", read(&self.receipts_kept)),
			("receipt_refused", read(&self.receipts_refused)),
		]
	}
}

/// A relay.
pub struct Relay {
	pub(crate) config: RelayConfig,
	pub(crate) directory: Arc<dyn Directory>,
	/// The public half of its onion key (an extension to a relay with it leads back here).
	pub(crate) own_key: [u8; 32],
	permits: Arc<Semaphore>,
	peers: Arc<PeerCircuits>,
	replays: Mutex<ReplayMemory>,
	journal: Mutex<VecDeque<CircuitRecord>>,
	serial: AtomicU64,
	stats: RelayStats,
	pub(crate) paid: PaidLedger,
	/// Bytes of verified outboards its circuits hold as an exit ([`exit::OUTBOARD_MEMORY`]).
	pub(crate) outboard_memory: Arc<Semaphore>,
	/// Storing relays it does not ask as an exit for a while.
	pub(crate) distrusted: Mutex<Distrusted>,
}

impl Relay {
	/// A relay with `config`, finding next hops and storing nodes through `directory`.
	pub fn new(config: RelayConfig, directory: Arc<dyn Directory>) -> Arc<Self> {
		Arc::new(Relay {
			own_key: config.secret.public(),
			permits: Arc::new(Semaphore::new(config.limits.circuits)),
			config,
			directory,
			peers: Arc::new(PeerCircuits::default()),
			replays: Mutex::new(ReplayMemory::default()),
			journal: Mutex::new(VecDeque::with_capacity(JOURNAL_LEN)),
			serial: AtomicU64::new(0),
			stats: RelayStats::default(),
			paid: PaidLedger::default(),
			outboard_memory: Arc::new(Semaphore::new(exit::OUTBOARD_MEMORY)),
			distrusted: Mutex::new(Distrusted::default()),
		})
	}

	/// Its counters.
	pub fn stats(&self) -> &RelayStats {
		&self.stats
	}

	/// The circuits it carries now (at most [`MAX_CIRCUITS`]).
	pub fn open_circuits(&self) -> usize {
		self.config.limits.circuits.saturating_sub(self.permits.available_permits())
	}

	/// The newest circuits it carried (at most [`JOURNAL_LEN`]).
	pub fn journal(&self) -> Vec<CircuitRecord> {
		lock(&self.journal).iter().cloned().collect()
	}

	/// Serves one link from `previous` until its circuit ends. Never panics on what the peer
	/// sends: bad frames, handshakes and cells close the link.
	pub async fn serve<S>(self: Arc<Self>, mut stream: S, previous: SocketAddr)
	where
		S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
	{
		let limits = self.config.limits;
		let Ok(_permit) = self.permits.clone().try_acquire_owned() else {
			self.stats.busy.fetch_add(1, Ordering::Relaxed);
			log::warn!(
				target: "onion",
				"relay full ({} circuits): link from {previous} closed",
				limits.circuits
			);
			return;
		};
		let Some(_slot) = PeerSlot::enter(&self.peers, previous.ip(), limits.circuits_per_peer)
		else {
			self.stats.peer_limited.fetch_add(1, Ordering::Relaxed);
			log::info!(
				target: "onion",
				"{previous} holds {} circuits already: link closed",
				limits.circuits_per_peer
			);
			return;
		};
		let mut frame = Box::new([0u8; FRAME_LEN]);
		let opened = tokio::time::timeout(
			limits.handshake_timeout,
			link::read_frame(&mut stream, &mut frame),
		);
		if !matches!(opened.await, Ok(Ok(()))) {
			self.drop_link(previous, "no opening frame in time");
			return;
		}
		let (depth, handshake) = match cell::parse_create(&frame[..]) {
			Ok(opening) => opening,
			Err(e) => return self.drop_link(previous, &e.to_string()),
		};
		if !lock(&self.replays).insert(handshake) {
			self.stats.replayed.fetch_add(1, Ordering::Relaxed);
			log::warn!(target: "onion", "replayed handshake from {previous} refused");
			return;
		}
		let (answer, layer) =
			match noise::respond(&self.config.secret, &self.config.genesis, &handshake) {
				Ok(done) => done,
				Err(e) => return self.drop_link(previous, &e.to_string()),
			};
		frame.copy_from_slice(&cell::created_frame(&answer));
		if link::write_frame(&mut stream, &frame).await.is_err() {
			return;
		}
		let serial = self.serial.fetch_add(1, Ordering::Relaxed);
		self.stats.circuits.fetch_add(1, Ordering::Relaxed);
		self.record(CircuitRecord { serial, previous, depth, next: None, contents: Vec::new() });
		log::debug!(target: "onion", "circuit {serial}: hop {depth} from {previous}");
		let hop = Hop {
			relay: self.clone(),
			serial,
			depth,
			stream,
			layer,
			frame,
			exit: ExitMemory::default(),
		};
		match hop.run().await {
			Ok(()) => log::debug!(target: "onion", "circuit {serial} closed"),
			Err(HopEnd::Idle) => {
				self.stats.idle.fetch_add(1, Ordering::Relaxed);
				log::debug!(target: "onion", "circuit {serial} closed: idle");
			},
			Err(end) => log::info!(target: "onion", "circuit {serial} torn down: {end}"),
		}
	}

	fn drop_link(&self, previous: SocketAddr, why: &str) {
		self.stats.malformed.fetch_add(1, Ordering::Relaxed);
		log::info!(target: "onion", "link from {previous} dropped: {why}");
	}

	fn record(&self, record: CircuitRecord) {
		let mut journal = lock(&self.journal);
		if journal.len() == JOURNAL_LEN {
			journal.pop_front();
		}
		journal.push_back(record);
	}

	pub(crate) fn note(&self, serial: u64, change: impl FnOnce(&mut CircuitRecord)) {
		if let Some(record) = lock(&self.journal).iter_mut().find(|r| r.serial == serial) {
			change(record);
		}
	}
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Circuits open per peer: one peer cannot hold the whole relay. Entries exist only while a
/// peer holds a circuit, each behind one of the relay's permits, so the map is bounded by
/// [`Limits::circuits`].
#[derive(Default)]
struct PeerCircuits(Mutex<HashMap<IpAddr, usize>>);

/// One circuit's place in its peer's count, given back when the circuit ends.
struct PeerSlot {
	peers: Arc<PeerCircuits>,
	peer: IpAddr,
}

impl PeerSlot {
	/// A place for one more circuit from `address`, unless its peer holds `cap` already.
	fn enter(peers: &Arc<PeerCircuits>, address: IpAddr, cap: usize) -> Option<PeerSlot> {
		let peer = peer_of(address);
		let mut open = lock(&peers.0);
		let count = open.get(&peer).copied().unwrap_or(0);
		if count >= cap {
			return None;
		}
		open.insert(peer, count + 1);
		Some(PeerSlot { peers: peers.clone(), peer })
	}
}

impl Drop for PeerSlot {
	fn drop(&mut self) {
		let mut open = lock(&self.peers.0);
		if let Some(count) = open.get_mut(&self.peer) {
			*count = count.saturating_sub(1);
			if *count == 0 {
				open.remove(&self.peer);
			}
		}
	}
}

/// The peer an address belongs to: the IPv4 address, or the /64 of an IPv6 one (one host
/// usually has a whole /64, so counting its addresses one by one would count nothing).
fn peer_of(address: IpAddr) -> IpAddr {
	match address.to_canonical() {
		IpAddr::V6(v6) => {
			let s = v6.segments();
			IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
		},
		v4 => v4,
	}
}

/// Handshake messages seen lately. A replayed first message carries the same ephemeral key:
/// refusing it means a recorded opening cannot make a relay redo a hop's work or tell an
/// observer that it is the same relay again.
#[derive(Default)]
struct ReplayMemory {
	seen: HashSet<[u8; HANDSHAKE_LEN]>,
	order: VecDeque<[u8; HANDSHAKE_LEN]>,
}

impl ReplayMemory {
	fn insert(&mut self, handshake: [u8; HANDSHAKE_LEN]) -> bool {
		if !self.seen.insert(handshake) {
			return false;
		}
		self.order.push_back(handshake);
		if self.order.len() > REPLAY_MEMORY {
			if let Some(oldest) = self.order.pop_front() {
				self.seen.remove(&oldest);
			}
		}
		true
	}
}

/// Why a hop ended early.
#[derive(Debug)]
pub(crate) enum HopEnd {
	/// The link broke or the peer closed it.
	Io(std::io::Error),
	/// A cell failed authentication: tampered with, replayed or out of order.
	Tampered,
	/// An authenticated cell that is not one, or one out of place.
	Malformed(String),
	/// No frame moved for [`IDLE_TIMEOUT`].
	Idle,
}

impl std::fmt::Display for HopEnd {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			HopEnd::Io(e) => write!(f, "link: {e}"),
			HopEnd::Tampered => write!(f, "a cell failed authentication"),
			HopEnd::Malformed(why) => write!(f, "{why}"),
			HopEnd::Idle => write!(f, "idle"),
		}
	}
}

impl From<std::io::Error> for HopEnd {
	fn from(e: std::io::Error) -> Self {
		HopEnd::Io(e)
	}
}

/// One open hop of a circuit at this relay, before it is extended.
pub(crate) struct Hop<S> {
	pub(crate) relay: Arc<Relay>,
	pub(crate) serial: u64,
	pub(crate) depth: u8,
	stream: S,
	layer: Layer,
	frame: Box<[u8; FRAME_LEN]>,
	/// What it keeps between requests as an exit.
	pub(crate) exit: ExitMemory,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Hop<S> {
	async fn run(mut self) -> Result<(), HopEnd> {
		loop {
			let cell = match self.recv().await {
				Err(HopEnd::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
					return Ok(())
				},
				cell => cell?,
			};
			match cell {
				Cell::Extend { node, handshake } => match self.extend(&node, &handshake).await {
					Ok((next, answer)) => {
						self.send(&Cell::Extended { handshake: answer }).await?;
						self.relay.stats.extended.fetch_add(1, Ordering::Relaxed);
						self.relay.note(self.serial, |record| record.next = Some(node));
						return self.forward(next).await;
					},
					Err((refusal, reason)) => self.send(&Cell::Error { refusal, reason }).await?,
				},
				Cell::Receipt(bytes) => self.take_receipt(bytes).await,
				request @ (Cell::Get { .. } | Cell::Outboard { .. } | Cell::Put { .. }) => {
					self.relay.stats.requests.fetch_add(1, Ordering::Relaxed);
					self.answer(request).await?
				},
				_ => return self.refuse_malformed("a cell that is not a request").await,
			}
		}
	}

	/// Keeps a receipt an exit sent for the bytes this relay served it; a bad one is
	/// counted and dropped (the exit's loss). The signature check and the receipt book's door
	/// (which may ask the chain) run on a blocking thread, not on the relay's task.
	async fn take_receipt(&mut self, bytes: Vec<u8>) {
		let config = &self.relay.config;
		let (node, genesis, sink) = (config.node.clone(), config.genesis, config.receipts.clone());
		let taken = tokio::task::spawn_blocking(move || {
			payment::take_receipt(&bytes, node.as_ref(), &genesis, sink.as_deref())
		})
		.await;
		match taken {
			Ok(Ok(signed)) => {
				self.relay.stats.receipts_kept.fetch_add(1, Ordering::Relaxed);
				log::debug!(
					target: "onion",
					"circuit {}: receipt for {} unmoderated bytes in epoch {}",
					self.serial,
					signed.receipt.bytes,
					signed.receipt.epoch
				);
			},
			Ok(Err(refusal)) => {
				self.relay.stats.receipts_refused.fetch_add(1, Ordering::Relaxed);
				log::info!(target: "onion", "circuit {}: receipt refused: {refusal:?}", self.serial);
			},
			Err(e) => {
				self.relay.stats.receipts_refused.fetch_add(1, Ordering::Relaxed);
				log::warn!(target: "onion", "circuit {}: receipt check failed: {e}", self.serial);
			},
		}
	}

	/// Answers a malformed or misplaced cell with an error and ends the hop.
	pub(crate) async fn refuse_malformed(&mut self, what: &str) -> Result<(), HopEnd> {
		self.relay.stats.malformed.fetch_add(1, Ordering::Relaxed);
		let reason = format!("unexpected {what}");
		self.send(&Cell::Error { refusal: Refusal::BadRequest, reason: reason.clone() }).await?;
		Err(HopEnd::Malformed(reason))
	}

	/// The next cell for this hop; [`HopEnd::Idle`] when none comes within the idle timeout.
	pub(crate) async fn recv(&mut self) -> Result<Cell, HopEnd> {
		let idle = self.relay.config.limits.idle_timeout;
		tokio::time::timeout(idle, link::read_frame(&mut self.stream, &mut self.frame))
			.await
			.map_err(|_| HopEnd::Idle)??;
		let mut plain = [0u8; FRAME_LEN];
		let depth = self.depth;
		if self
			.layer
			.opener
			.open(&self.frame[..sealed_len(depth)], &mut plain[..payload_len(depth)])
			.is_err()
		{
			self.relay.stats.tampered.fetch_add(1, Ordering::Relaxed);
			return Err(HopEnd::Tampered);
		}
		match Cell::decode(&plain[..payload_len(depth)]) {
			Ok(cell) => Ok(cell),
			Err(e) => {
				self.refuse_malformed(&e.to_string()).await?;
				Err(HopEnd::Malformed(e.to_string()))
			},
		}
	}

	/// Sends a cell back towards the client under this hop's layer; [`HopEnd::Idle`] when the
	/// client does not take it within the idle timeout (it stopped reading).
	pub(crate) async fn send(&mut self, cell: &Cell) -> Result<(), HopEnd> {
		let depth = self.depth;
		let mut plain = [0u8; FRAME_LEN];
		cell.encode_into(&mut plain[..payload_len(depth)])
			.map_err(|e| HopEnd::Malformed(e.to_string()))?;
		seal_and_pad(
			&mut self.layer.sealer,
			&plain[..payload_len(depth)],
			&mut self.frame[..],
			depth,
		)
		.map_err(|_| HopEnd::Tampered)?;
		let idle = self.relay.config.limits.idle_timeout;
		tokio::time::timeout(idle, link::write_frame(&mut self.stream, &self.frame))
			.await
			.map_err(|_| HopEnd::Idle)??;
		Ok(())
	}

	/// Sends `bytes` towards the client as `Data` cells of the largest size this hop carries,
	/// sealed [`link::FRAMES_PER_READ`] at a time and written in one write each (a stream of
	/// cells costs a write per few frames, not per frame); [`HopEnd::Idle`] as for
	/// [`Hop::send`].
	pub(crate) async fn send_data(&mut self, bytes: &[u8]) -> Result<(), HopEnd> {
		let depth = self.depth;
		let body = self.max_body();
		let mut plain = [0u8; FRAME_LEN];
		let mut frames = vec![0u8; link::FRAMES_PER_READ * FRAME_LEN];
		let idle = self.relay.config.limits.idle_timeout;
		for cells in bytes.chunks(body * link::FRAMES_PER_READ) {
			let mut sealed = 0;
			for chunk in cells.chunks(body) {
				cell::encode_data_into(chunk, &mut plain[..payload_len(depth)])
					.map_err(|e| HopEnd::Malformed(e.to_string()))?;
				let frame = &mut frames[sealed..sealed + FRAME_LEN];
				seal_and_pad(&mut self.layer.sealer, &plain[..payload_len(depth)], frame, depth)
					.map_err(|_| HopEnd::Tampered)?;
				sealed += FRAME_LEN;
			}
			tokio::time::timeout(idle, self.stream.write_all(&frames[..sealed]))
				.await
				.map_err(|_| HopEnd::Idle)??;
		}
		Ok(())
	}

	/// Largest `Data` body towards the client.
	pub(crate) fn max_body(&self) -> usize {
		cell::max_body(self.depth)
	}

	async fn extend(
		&mut self,
		node: &AccountId,
		handshake: &[u8; HANDSHAKE_LEN],
	) -> Result<(tokio::net::TcpStream, [u8; HANDSHAKE_LEN]), (Refusal, String)> {
		if self.depth >= MAX_DEPTH {
			return Err((Refusal::Refused, format!("circuits end at {MAX_DEPTH} hops")));
		}
		// A circuit that comes back to this relay would make one client link cost it several
		// circuits (and tell nothing new to anyone): refused by account and by key.
		if self.relay.config.node.as_ref() == Some(node) {
			return Err(self.refuse_self_extension());
		}
		let directory = self.relay.directory.clone();
		let account = node.clone();
		let relay = tokio::task::spawn_blocking(move || directory.relay(&account))
			.await
			.map_err(|e| (Refusal::Internal, e.to_string()))?
			.map_err(|e| (Refusal::Internal, format!("chain view: {e}")))?
			.ok_or_else(|| (Refusal::Unreachable, "not a relay on chain".to_string()))?;
		if relay.onion_key == self.relay.own_key {
			return Err(self.refuse_self_extension());
		}
		let unreachable = |e: std::io::Error| (Refusal::Unreachable, format!("next relay: {e}"));
		let mut next = link::connect(&relay.endpoint).await.map_err(unreachable)?;
		let mut frame = Box::new([0u8; FRAME_LEN]);
		frame.copy_from_slice(&cell::create_frame(self.depth + 1, handshake));
		let answered = tokio::time::timeout(self.relay.config.limits.handshake_timeout, async {
			link::write_frame(&mut next, &frame).await?;
			link::read_frame(&mut next, &mut frame).await
		});
		match answered.await {
			Ok(Ok(())) => {},
			Ok(Err(e)) => return Err(unreachable(e)),
			Err(_) => return Err((Refusal::Unreachable, "next relay did not answer".into())),
		}
		let answer = cell::parse_created(&frame[..])
			.map_err(|e| (Refusal::Unreachable, format!("next relay: {e}")))?;
		Ok((next, answer))
	}

	fn refuse_self_extension(&self) -> (Refusal, String) {
		self.relay.stats.self_extensions.fetch_add(1, Ordering::Relaxed);
		(Refusal::Refused, "a relay does not extend a circuit to itself".into())
	}

	/// Forwards frames both ways until either side closes, a frame fails, or no frame moves
	/// either way for the idle timeout; then both links close, which tears the circuit down
	/// on both sides.
	async fn forward(self, next: tokio::net::TcpStream) -> Result<(), HopEnd> {
		let Hop { relay, depth, stream, layer, .. } = self;
		let (from_previous, to_previous) = tokio::io::split(stream);
		let (from_next, to_next) = next.into_split();
		let activity = Activity::new();
		let (mut opener, mut sealer) = (layer.opener, layer.sealer);
		let outward = pump(
			from_previous,
			to_next,
			|frame, out| open_and_pad(&mut opener, frame, out, depth, &relay),
			&relay,
			&activity,
		);
		let inward = pump(
			from_next,
			to_previous,
			|frame, out| {
				seal_and_pad(&mut sealer, &frame[..payload_len(depth)], out, depth)
					.map_err(|_| HopEnd::Tampered)
			},
			&relay,
			&activity,
		);
		tokio::select! {
			result = outward => result,
			result = inward => result,
			end = activity.idle(relay.config.limits.idle_timeout) => Err(end),
		}
	}
}

/// When a forwarding circuit last moved a whole frame, either way. A download moves frames
/// inward only, an upload mostly outward: the circuit is idle when neither does.
struct Activity {
	start: Instant,
	/// Milliseconds after `start`.
	last: AtomicU64,
}

impl Activity {
	fn new() -> Self {
		Activity { start: Instant::now(), last: AtomicU64::new(0) }
	}

	fn touch(&self) {
		let now = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
		self.last.store(now, Ordering::Relaxed);
	}

	/// Resolves once no frame moved for `idle`.
	async fn idle(&self, idle: Duration) -> HopEnd {
		loop {
			let last = self.start + Duration::from_millis(self.last.load(Ordering::Relaxed));
			let deadline = last + idle;
			if Instant::now() >= deadline {
				return HopEnd::Idle;
			}
			tokio::time::sleep_until(deadline).await;
		}
	}
}

/// Seals `plain` (a cell at `depth`, or what the next hop sent) into the front of `frame` and
/// fills the rest with random bytes.
fn seal_and_pad(
	sealer: &mut Sealer,
	plain: &[u8],
	frame: &mut [u8],
	depth: u8,
) -> Result<(), noise::NoiseError> {
	sealer.seal(plain, &mut frame[..sealed_len(depth)])?;
	rand::thread_rng().fill_bytes(&mut frame[sealed_len(depth)..]);
	Ok(())
}

/// Client to next hop: take this hop's layer off (a frame that does not open was tampered
/// with), then pad the rest of the frame with random bytes.
fn open_and_pad(
	opener: &mut Opener,
	frame: &[u8],
	out: &mut [u8],
	depth: u8,
	relay: &Relay,
) -> Result<(), HopEnd> {
	if opener.open(&frame[..sealed_len(depth)], &mut out[..payload_len(depth)]).is_err() {
		relay.stats.tampered.fetch_add(1, Ordering::Relaxed);
		return Err(HopEnd::Tampered);
	}
	rand::thread_rng().fill_bytes(&mut out[payload_len(depth)..]);
	Ok(())
}

/// Moves frames from `from` to `to`, each through `layer` (taking this hop's layer off on the
/// way out, adding it on the way in), until the link ends. Reads whatever whole frames have
/// arrived (up to [`link::FRAMES_PER_READ`]), passes each through `layer` and writes them on in one
/// write before it reads again: a relay holds at most that many frames per direction twice.
async fn pump(
	mut from: impl AsyncRead + Unpin,
	mut to: impl AsyncWrite + Unpin,
	mut layer: impl FnMut(&[u8], &mut [u8]) -> Result<(), HopEnd>,
	relay: &Relay,
	activity: &Activity,
) -> Result<(), HopEnd> {
	let mut input = vec![0u8; link::FRAMES_PER_READ * FRAME_LEN];
	let mut output = vec![0u8; link::FRAMES_PER_READ * FRAME_LEN];
	// Bytes of `input` read and not yet forwarded: less than a frame between rounds.
	let mut held = 0;
	loop {
		while held < FRAME_LEN {
			match from.read(&mut input[held..]).await {
				// The link ended; a frame it cut off is not forwarded.
				Ok(0) => return Ok(()),
				Ok(read) => held += read,
				Err(e) => return end_of_link(e),
			}
		}
		let whole = held / FRAME_LEN * FRAME_LEN;
		let frames = input[..whole].chunks_exact(FRAME_LEN);
		for (frame, out) in frames.zip(output.chunks_exact_mut(FRAME_LEN)) {
			layer(frame, out)?;
		}
		to.write_all(&output[..whole]).await?;
		input.copy_within(whole..held, 0);
		held -= whole;
		activity.touch();
		relay.stats.forwarded.fetch_add((whole / FRAME_LEN) as u64, Ordering::Relaxed);
	}
}

fn end_of_link(e: std::io::Error) -> Result<(), HopEnd> {
	if e.kind() == std::io::ErrorKind::UnexpectedEof {
		Ok(())
	} else {
		Err(HopEnd::Io(e))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use tokio::io::duplex;

	fn relay() -> Arc<Relay> {
		let config = RelayConfig {
			secret: OnionSecret::generate(),
			genesis: [0; 32],
			node: None,
			store: None,
			stores_unmoderated: false,
			receipts: None,
			payer: None,
			limits: Limits::default(),
			challenges: None,
		};
		Relay::new(config, Arc::new(Vec::<crate::directory::RelayInfo>::new()))
	}

	/// Frames `0..count`, each filled with its number.
	fn frames(count: u8) -> Vec<u8> {
		(0..count).flat_map(|n| [n; FRAME_LEN]).collect()
	}

	/// Pumps what `send` writes (in `pieces` of those lengths, then closes) through a layer that
	/// adds one to every byte; returns what came out and how the pump ended.
	async fn pumped(send: Vec<u8>, pieces: &[usize]) -> (Vec<u8>, Result<(), HopEnd>) {
		let relay = relay();
		let (mut source, from) = duplex(1 << 20);
		let (to, mut sink) = duplex(1 << 20);
		let write = async move {
			let mut at = 0;
			for piece in pieces.iter().copied().chain([send.len()]) {
				let end = (at + piece).min(send.len());
				source.write_all(&send[at..end]).await.unwrap();
				at = end;
				// The pump reads what has arrived before the next piece comes.
				tokio::time::sleep(Duration::from_millis(5)).await;
			}
		};
		let add_one = |frame: &[u8], out: &mut [u8]| {
			out.iter_mut().zip(frame).for_each(|(o, f)| *o = f.wrapping_add(1));
			Ok(())
		};
		let activity = Activity::new();
		// The pump owns `to`: when it ends, the sink sees the end.
		let pump = pump(from, to, add_one, &relay, &activity);
		let mut out = Vec::new();
		let ((), ended, read) = tokio::join!(write, pump, sink.read_to_end(&mut out));
		read.unwrap();
		(out, ended)
	}

	#[tokio::test]
	async fn frames_arriving_split_or_bunched_are_forwarded_whole_and_in_order() {
		let sent = frames(11);
		let pieces = [FRAME_LEN / 3, FRAME_LEN * 5 + 7, 1, FRAME_LEN * 2 - 8];
		let (out, ended) = pumped(sent.clone(), &pieces).await;
		assert!(ended.is_ok());
		let expected: Vec<u8> = sent.iter().map(|b| b + 1).collect();
		assert!(out == expected, "{} bytes out of {}", out.len(), expected.len());
	}

	#[tokio::test]
	async fn a_frame_cut_off_by_the_end_of_the_link_is_not_forwarded() {
		let mut sent = frames(2);
		sent.truncate(FRAME_LEN + 100);
		let (out, ended) = pumped(sent, &[]).await;
		assert!(ended.is_ok(), "the link ended: the circuit closes quietly");
		assert_eq!(out, vec![1; FRAME_LEN], "only the whole frame went on");
	}

	#[test]
	fn replay_memory_refuses_repeats_and_forgets_the_oldest() {
		let mut memory = ReplayMemory::default();
		assert!(memory.insert([1; HANDSHAKE_LEN]));
		assert!(!memory.insert([1; HANDSHAKE_LEN]));
		for n in 0..REPLAY_MEMORY {
			let mut handshake = [2; HANDSHAKE_LEN];
			handshake[..8].copy_from_slice(&(n as u64).to_be_bytes());
			assert!(memory.insert(handshake));
		}
		assert_eq!(memory.seen.len(), REPLAY_MEMORY);
		assert!(memory.insert([1; HANDSHAKE_LEN]), "the oldest was forgotten");
	}

	#[test]
	fn peers_are_counted_by_address_and_ipv6_by_slash_64() {
		let peers = Arc::new(PeerCircuits::default());
		let a: IpAddr = "10.0.0.1".parse().unwrap();
		let first = PeerSlot::enter(&peers, a, 2).unwrap();
		let _second = PeerSlot::enter(&peers, a, 2).unwrap();
		assert!(PeerSlot::enter(&peers, a, 2).is_none(), "the cap holds");
		// The same address mapped into IPv6 is the same peer; another address is another.
		assert!(PeerSlot::enter(&peers, "::ffff:10.0.0.1".parse().unwrap(), 2).is_none());
		let _other = PeerSlot::enter(&peers, "10.0.0.2".parse().unwrap(), 2).unwrap();
		drop(first);
		let _again = PeerSlot::enter(&peers, a, 2).unwrap();
		// Every address of one /64 is one peer.
		let _v6 = PeerSlot::enter(&peers, "2001:db8:1:2::1".parse().unwrap(), 1).unwrap();
		assert!(PeerSlot::enter(&peers, "2001:db8:1:2:ffff::9".parse().unwrap(), 1).is_none());
		assert!(PeerSlot::enter(&peers, "2001:db8:1:3::1".parse().unwrap(), 1).is_some());
		drop((_again, _second, _other, _v6));
		assert!(lock(&peers.0).is_empty(), "no entry outlives its circuits");
	}
}
