//! The gateway's connections and their bounds: how many at once, how many per peer, how long
//! a peer may take to send a request head or stall between requests, how slowly it may send
//! a body and how long it may leave a response unread.
//!
//! | bound | default | beyond it |
//! |---|---|---|
//! | connections at once | [`MAX_CONNECTIONS`] | refused at once: `503` written, connection closed |
//! | connections per peer (IPv4 address, IPv6 /64) | [`MAX_CONNECTIONS_PER_PEER`] | the same |
//! | request head, and the idle time before it on a kept-alive connection | [`HEAD_TIMEOUT`] | connection closed |
//! | request body | [`MIN_BODY_RATE`] on average after [`BODY_GRACE`] | the body fails: an upload gets `408`, the connection is closed |
//! | a response the peer does not read | [`WRITE_STALL_TIMEOUT`] without progress | connection closed |
//!
//! Connections are served on [`ConnectionLimits::threads`] threads of the gateway's own, one
//! runtime each, each listening on its own socket at the gateway's address ([`bind`]); the
//! bounds are counted across all of them.
//!
//! Excess connections are refused rather than left waiting in the listen backlog: a client
//! told at once that this node is busy goes to the next replica (`bitcloud get` does), while
//! one left waiting learns nothing until its own timeout. The per-peer bound keeps one host
//! from taking every slot, so a fresh client is answered while one peer floods the gateway.

use crate::{
	gateway::{HEAD_TIMEOUT, MAX_HEADERS, MAX_HEAD_BYTES},
	metrics::Metrics,
};
use axum::{extract::ConnectInfo, http::Request, response::Response};
use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use socket2::{Domain, Protocol, SockRef, Socket, Type};
use std::{
	collections::HashMap,
	convert::Infallible,
	future::Future,
	io,
	net::{IpAddr, Ipv6Addr, SocketAddr},
	pin::Pin,
	sync::{
		atomic::{AtomicUsize, Ordering},
		Arc, Mutex,
	},
	task::{Context, Poll},
	time::Duration,
};
use tokio::{
	io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _, ReadBuf},
	net::{TcpListener, TcpStream},
	time::{Instant, Sleep},
};
use tower::{Service, ServiceExt as _};
use workers::Workers;

mod workers;

/// Connections served at once; more are refused.
pub const MAX_CONNECTIONS: usize = 512;

/// Connections served at once for one peer (an IPv4 address or an IPv6 /64); more are
/// refused. Browsers open 6 per host, `bitcloud get` one or two per replica.
pub const MAX_CONNECTIONS_PER_PEER: usize = 32;

/// Lowest average rate, in bytes per second, at which a request body must arrive once
/// [`BODY_GRACE`] has passed; a body that falls behind is cut.
pub const MIN_BODY_RATE: u64 = 16 * 1024;

/// Time a request body may take before [`MIN_BODY_RATE`] applies (the client's reaction to
/// `100 Continue`, a slow start).
pub const BODY_GRACE: Duration = Duration::from_secs(10);

/// How long a response write may make no progress (the peer reads nothing) before the
/// connection is cut.
pub const WRITE_STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Refused connections whose request is read and dropped before they are closed, at most;
/// beyond it a refused connection is closed at once (its peer may see a reset instead of the
/// `503`).
pub const MAX_LINGERING: usize = 64;

/// Longest a refused connection lingers to read its peer's request (closing a socket with
/// unread data resets it, and the peer would lose the `503`).
pub const LINGER: Duration = Duration::from_secs(1);

/// The answer to a connection beyond a bound, written without waiting before it is closed.
const BUSY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
content-type: text/plain; charset=utf-8\r\n\
retry-after: 1\r\n\
connection: close\r\n\
content-length: 41\r\n\
\r\n\
too many connections to this node: retry\n";

/// The bounds one gateway applies to its connections (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionLimits {
	/// Connections served at once.
	pub max_connections: usize,
	/// Connections served at once per peer.
	pub max_per_peer: usize,
	/// Time to send a request head, counted from the moment the connection waits for it (so
	/// also the idle time allowed between requests on a kept-alive connection).
	pub head_timeout: Duration,
	/// Lowest average request body rate, bytes per second (0: no bound).
	pub min_body_rate: u64,
	/// Time before `min_body_rate` applies.
	pub body_grace: Duration,
	/// Time a response write may make no progress.
	pub write_stall: Duration,
	/// Threads that serve connections, each with a runtime of its own ([`workers`]); 0 serves
	/// them on the runtime that runs [`serve_with`]. Default: one per core.
	pub threads: usize,
}

impl Default for ConnectionLimits {
	fn default() -> Self {
		ConnectionLimits {
			max_connections: MAX_CONNECTIONS,
			max_per_peer: MAX_CONNECTIONS_PER_PEER,
			head_timeout: HEAD_TIMEOUT,
			min_body_rate: MIN_BODY_RATE,
			body_grace: BODY_GRACE,
			write_stall: WRITE_STALL_TIMEOUT,
			threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
		}
	}
}

/// What answers the requests of a connection: the gateway's [`Front`](crate::gateway::Front)
/// or an axum `Router`.
pub trait Answers:
	Service<Request<PacedBody>, Response = Response, Error = Infallible, Future: Send>
	+ Clone
	+ Send
	+ Sync
	+ 'static
{
}

impl<S> Answers for S where
	S: Service<Request<PacedBody>, Response = Response, Error = Infallible, Future: Send>
		+ Clone
		+ Send
		+ Sync
		+ 'static
{
}

/// Serves `service` on `listener` until the future is dropped: HTTP/1.1 with bounded request
/// heads, within `limits`, on [`ConnectionLimits::threads`] threads of their own
/// ([`workers`]), each accepting connections and serving what it accepted. `metrics`, if
/// any, counts open and refused connections.
pub async fn serve_with(
	listener: TcpListener,
	service: impl Answers,
	limits: ConnectionLimits,
	metrics: Option<Metrics>,
) {
	let gate = Arc::new(Gate {
		admission: Arc::new(Admission::new(&limits, metrics.clone())),
		lingering: Arc::new(AtomicUsize::new(0)),
		metrics,
		limits,
	});
	match start_workers(listener, &service, &gate) {
		Ok(_workers) => std::future::pending().await,
		Err(Some(listener)) => accept(listener, service, gate).await,
		Err(None) => {},
	}
}

/// What every thread accepting connections shares: the bounds and their counts.
struct Gate {
	limits: ConnectionLimits,
	admission: Arc<Admission>,
	lingering: Arc<AtomicUsize>,
	metrics: Option<Metrics>,
}

/// Binds the gateway's listening socket at `addr` so that the threads serving it can each
/// listen on a socket of their own at the same address (`SO_REUSEPORT`, on Linux): the
/// kernel then hands each new connection to one of them and wakes that one alone. The address
/// is first bound once unshared, so that a port another program holds is refused as ever.
pub fn bind(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
	let probe = std::net::TcpListener::bind(addr)?;
	let addr = probe.local_addr()?;
	drop(probe);
	shared_listener(addr)
}

/// A listening socket at `addr` that sockets of this process may share.
fn shared_listener(addr: SocketAddr) -> io::Result<std::net::TcpListener> {
	let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
	socket.set_reuse_address(true)?;
	#[cfg(target_os = "linux")]
	socket.set_reuse_port(true)?;
	socket.set_nonblocking(true)?;
	socket.bind(&addr.into())?;
	socket.listen(LISTEN_BACKLOG)?;
	Ok(socket.into())
}

/// Connections the kernel completes ahead of the gateway's accepting them, per socket.
const LISTEN_BACKLOG: i32 = 1024;

/// The threads [`ConnectionLimits::threads`] asks for, each accepting from a listening socket
/// of its own at `listener`'s address when `listener` was bound by [`bind`], else from a copy
/// of `listener` (every thread is then woken by a new connection, and the first to ask takes
/// it). The listener back when none are asked for or they cannot start (then logged); `None`
/// if it was lost on the way.
fn start_workers(
	listener: TcpListener,
	service: &impl Answers,
	gate: &Arc<Gate>,
) -> Result<Workers, Option<TcpListener>> {
	let threads = gate.limits.threads;
	if threads == 0 {
		return Err(Some(listener));
	}
	// Out of this runtime, whose threads must not be woken for it.
	let listener = listener.into_std().map_err(|e| {
		log::error!(target: "content", "the gateway cannot serve: {e}");
		None
	})?;
	let accepting = (0..threads).map(|i| {
		let own = listener_of_thread(&listener, i)?;
		let (service, gate) = (service.clone(), gate.clone());
		Ok(async move {
			// Registered with the thread's own runtime.
			match TcpListener::from_std(own) {
				Ok(own) => accept(own, service, gate).await,
				Err(e) => log::error!(target: "content", "a gateway thread cannot accept: {e}"),
			}
		})
	});
	let started = accepting
		.collect::<io::Result<Vec<_>>>()
		.and_then(|accepting| Workers::start("gateway", accepting));
	started.map_err(|e| {
		log::warn!(target: "content", "gateway threads did not start ({e}): serving on the node's");
		TcpListener::from_std(listener)
			.map_err(|e| log::error!(target: "content", "the gateway cannot serve: {e}"))
			.ok()
	})
}

/// The listening socket of thread `i`: `listener` itself (a copy of its descriptor) for the
/// first, a socket of its own at the same address for the others when `listener` is shared
/// ([`bind`]).
fn listener_of_thread(
	listener: &std::net::TcpListener,
	i: usize,
) -> io::Result<std::net::TcpListener> {
	let shared = i > 0 && SockRef::from(listener).reuse_port().unwrap_or(false);
	if shared {
		match listener.local_addr().and_then(shared_listener) {
			Ok(own) => return Ok(own),
			Err(e) => log::debug!(target: "content", "gateway thread {i} shares a socket: {e}"),
		}
	}
	listener.try_clone()
}

/// Accepts connections from `listener` and serves them with `service` on this runtime,
/// within the bounds of `gate`.
async fn accept(listener: TcpListener, service: impl Answers, gate: Arc<Gate>) {
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(e) => {
				// Out of file descriptors and the like: wait rather than spin.
				log::warn!(target: "content", "gateway accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			},
		};
		let slot = match gate.admission.admit(peer.ip()) {
			Ok(slot) => slot,
			Err(refusal) => {
				refuse_connection(stream, peer, refusal, gate.metrics.as_ref(), &gate.lingering);
				continue;
			},
		};
		// Answers and onion frames go out at once: with Nagle's algorithm a frame written
		// after the unacknowledged head of a `101` waits for the peer's delayed ACK (40 ms).
		if let Err(e) = stream.set_nodelay(true) {
			log::debug!(target: "content", "gateway connection from {peer}: TCP_NODELAY: {e}");
		}
		tokio::spawn(serve_connection(stream, peer, slot, service.clone(), gate.clone()));
	}
}

/// Serves one admitted connection with `service` until it ends; `slot` is held until then.
async fn serve_connection(
	stream: TcpStream,
	peer: SocketAddr,
	slot: Slot,
	service: impl Answers,
	gate: Arc<Gate>,
) {
	let limits = &gate.limits;
	// Held while hyper serves the connection; an upgraded connection (`/onion`) is handed
	// over and counted by the onion relay instead.
	let _slot = slot;
	let (rate, grace) = (limits.min_body_rate, limits.body_grace);
	// Routes that need the peer's address (the onion relay's) find it as `ConnectInfo`;
	// every request body is paced.
	let service = service.map_request(move |request: Request<Incoming>| {
		let (mut parts, body) = request.into_parts();
		parts.extensions.insert(ConnectInfo(peer));
		Request::from_parts(parts, PacedBody::new(body, rate, grace))
	});
	let service = hyper_util::service::TowerToHyperService::new(service);
	let io = hyper_util::rt::TokioIo::new(StallGuard::new(stream, limits.write_stall));
	let connection = hyper::server::conn::http1::Builder::new()
		.timer(hyper_util::rt::TokioTimer::new())
		.header_read_timeout(limits.head_timeout)
		.max_buf_size(MAX_HEAD_BYTES)
		.max_headers(MAX_HEADERS)
		.serve_connection(io, service)
		// `GET /onion` turns the connection into an onion link.
		.with_upgrades();
	if let Err(e) = connection.await {
		log::debug!(target: "content", "gateway connection from {peer}: {e}");
	}
}

/// Writes [`BUSY`] if the socket takes it at once (a fresh socket always does) and closes
/// the connection. So that the peer reads the answer rather than a reset, the connection
/// first lingers up to [`LINGER`] reading what the peer sent, in at most [`MAX_LINGERING`]
/// tasks at once; refusing costs no more however fast connections arrive.
fn refuse_connection(
	stream: TcpStream,
	peer: SocketAddr,
	refusal: Refusal,
	metrics: Option<&Metrics>,
	lingering: &Arc<AtomicUsize>,
) {
	log::debug!(target: "content", "gateway connection from {peer} refused: {refusal:?}");
	if let Some(metrics) = metrics {
		metrics.connections_refused.with_label_values(&[refusal.label()]).inc();
	}
	let _ = stream.try_write(BUSY);
	if lingering.fetch_add(1, Ordering::Relaxed) >= MAX_LINGERING {
		lingering.fetch_sub(1, Ordering::Relaxed);
		return;
	}
	let lingering = lingering.clone();
	tokio::spawn(async move {
		let mut stream = stream;
		let _ = tokio::time::timeout(LINGER, async {
			stream.shutdown().await?;
			let mut sink = [0u8; 4096];
			let mut drained = 0;
			while drained < 64 * 1024 {
				match stream.read(&mut sink).await? {
					0 => break,
					n => drained += n,
				}
			}
			Ok::<_, io::Error>(())
		})
		.await;
		lingering.fetch_sub(1, Ordering::Relaxed);
	});
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
	/// [`ConnectionLimits::max_connections`] are open.
	Full,
	/// [`ConnectionLimits::max_per_peer`] are open for this peer.
	PeerFull,
}

impl Refusal {
	fn label(self) -> &'static str {
		match self {
			Refusal::Full => "full",
			Refusal::PeerFull => "peer",
		}
	}
}

/// A peer as the per-peer bound counts it: an IPv4 address, or the /64 of an IPv6 address
/// (one host usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct PeerKey(IpAddr);

impl PeerKey {
	fn of(ip: IpAddr) -> Self {
		match ip {
			IpAddr::V4(v4) => PeerKey(IpAddr::V4(v4)),
			IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
				Some(v4) => PeerKey(IpAddr::V4(v4)),
				None => {
					let prefix = u128::from(v6) & !((1u128 << 64) - 1);
					PeerKey(IpAddr::V6(Ipv6Addr::from(prefix)))
				},
			},
		}
	}
}

/// Counts open connections, in total and per peer.
struct Admission {
	max_connections: usize,
	max_per_peer: usize,
	metrics: Option<Metrics>,
	open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
	total: usize,
	per_peer: HashMap<PeerKey, usize>,
}

impl Admission {
	fn new(limits: &ConnectionLimits, metrics: Option<Metrics>) -> Self {
		Admission {
			max_connections: limits.max_connections,
			max_per_peer: limits.max_per_peer,
			metrics,
			open: Mutex::new(Open::default()),
		}
	}

	fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
		self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// A slot for a connection from `ip`, or why there is none.
	fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
		let peer = PeerKey::of(ip);
		let mut open = self.lock();
		if open.total >= self.max_connections {
			return Err(Refusal::Full);
		}
		let count = open.per_peer.entry(peer).or_default();
		if *count >= self.max_per_peer {
			return Err(Refusal::PeerFull);
		}
		*count += 1;
		open.total += 1;
		self.gauge(open.total);
		Ok(Slot { admission: self.clone(), peer })
	}

	fn release(&self, peer: PeerKey) {
		let mut open = self.lock();
		open.total = open.total.saturating_sub(1);
		if let Some(count) = open.per_peer.get_mut(&peer) {
			*count = count.saturating_sub(1);
			if *count == 0 {
				open.per_peer.remove(&peer);
			}
		}
		self.gauge(open.total);
	}

	fn gauge(&self, total: usize) {
		if let Some(metrics) = &self.metrics {
			metrics.connections_open.set(total as u64);
		}
	}
}

/// One admitted connection; dropping it frees the slot.
struct Slot {
	admission: Arc<Admission>,
	peer: PeerKey,
}

impl Drop for Slot {
	fn drop(&mut self) {
		self.admission.release(self.peer);
	}
}

/// A stream whose writes fail with `TimedOut` after making no progress for a while: a peer
/// that stops reading a response loses its connection instead of holding it (and the file
/// it is being served from) for ever.
pub struct StallGuard<S> {
	inner: S,
	stall: Duration,
	stalled: Option<Pin<Box<Sleep>>>,
}

impl<S> StallGuard<S> {
	/// `inner`, whose writes may make no progress for at most `stall`.
	pub fn new(inner: S, stall: Duration) -> Self {
		StallGuard { inner, stall, stalled: None }
	}

	/// After a write that made no progress: the error once the stall has lasted too long.
	fn check_stall(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let stall = self.stall;
		let timer = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(stall)));
		match timer.as_mut().poll(cx) {
			Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
				io::ErrorKind::TimedOut,
				"the peer read nothing of the response for too long",
			))),
			Poll::Pending => Poll::Pending,
		}
	}

	/// Passes on a write's result, timing the stall while it is pending.
	fn watch<T>(
		&mut self,
		cx: &mut Context<'_>,
		result: Poll<io::Result<T>>,
	) -> Poll<io::Result<T>> {
		match result {
			Poll::Ready(result) => {
				self.stalled = None;
				Poll::Ready(result)
			},
			Poll::Pending => match self.check_stall(cx) {
				Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
				_ => Poll::Pending,
			},
		}
	}
}

impl<S: AsyncRead + Unpin> AsyncRead for StallGuard<S> {
	fn poll_read(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &mut ReadBuf<'_>,
	) -> Poll<io::Result<()>> {
		Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
	}
}

impl<S: AsyncWrite + Unpin> AsyncWrite for StallGuard<S> {
	fn poll_write(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		buf: &[u8],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let result = Pin::new(&mut this.inner).poll_write(cx, buf);
		this.watch(cx, result)
	}

	fn poll_write_vectored(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
		bufs: &[io::IoSlice<'_>],
	) -> Poll<io::Result<usize>> {
		let this = self.get_mut();
		let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
		this.watch(cx, result)
	}

	fn is_write_vectored(&self) -> bool {
		self.inner.is_write_vectored()
	}

	fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		let result = Pin::new(&mut this.inner).poll_flush(cx);
		this.watch(cx, result)
	}

	fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
		let this = self.get_mut();
		let result = Pin::new(&mut this.inner).poll_shutdown(cx);
		this.watch(cx, result)
	}
}

/// The error of a request body that arrived more slowly than [`ConnectionLimits::min_body_rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyTooSlow {
	/// The rate it fell below, bytes per second.
	pub min_rate: u64,
}

impl std::fmt::Display for BodyTooSlow {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "the request body arrived at under {} bytes/s", self.min_rate)
	}
}

impl std::error::Error for BodyTooSlow {}

impl BodyTooSlow {
	/// Whether `error` or one of its sources is a [`BodyTooSlow`].
	pub fn caused(error: &(dyn std::error::Error + 'static)) -> bool {
		let mut next = Some(error);
		while let Some(error) = next {
			if error.is::<BodyTooSlow>() {
				return true;
			}
			next = error.source();
		}
		false
	}
}

/// A request body that must keep up an average of `rate` bytes per second after `grace`,
/// counted from the first time it is read (so a refusal decided before reading costs the
/// client nothing): the byte `n` is due by `first read + grace + n / rate`.
pub struct PacedBody {
	inner: Incoming,
	rate: u64,
	grace: Duration,
	received: u64,
	started: Option<Instant>,
	due: Option<Pin<Box<Sleep>>>,
}

impl PacedBody {
	fn new(inner: Incoming, rate: u64, grace: Duration) -> Self {
		PacedBody { inner, rate, grace, received: 0, started: None, due: None }
	}

	/// When the next byte is due.
	fn deadline(&self, started: Instant) -> Instant {
		let allowed = Duration::from_millis(self.received.saturating_mul(1000) / self.rate);
		started + self.grace + allowed
	}
}

impl HttpBody for PacedBody {
	type Data = Bytes;
	type Error = Box<dyn std::error::Error + Send + Sync>;

	fn poll_frame(
		self: Pin<&mut Self>,
		cx: &mut Context<'_>,
	) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
		let this = self.get_mut();
		let started = *this.started.get_or_insert_with(Instant::now);
		match Pin::new(&mut this.inner).poll_frame(cx) {
			Poll::Ready(Some(Ok(frame))) => {
				if let Some(data) = frame.data_ref() {
					this.received = this.received.saturating_add(data.len() as u64);
				}
				Poll::Ready(Some(Ok(frame)))
			},
			Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(Box::new(e)))),
			Poll::Ready(None) => Poll::Ready(None),
			Poll::Pending if this.rate == 0 => Poll::Pending,
			Poll::Pending => {
				let deadline = this.deadline(started);
				let due =
					this.due.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
				if due.deadline() != deadline {
					due.as_mut().reset(deadline);
				}
				match due.as_mut().poll(cx) {
					Poll::Ready(()) => {
						Poll::Ready(Some(Err(Box::new(BodyTooSlow { min_rate: this.rate }))))
					},
					Poll::Pending => Poll::Pending,
				}
			},
		}
	}

	fn is_end_stream(&self) -> bool {
		self.inner.is_end_stream()
	}

	fn size_hint(&self) -> SizeHint {
		self.inner.size_hint()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn ipv6_peers_are_counted_by_their_64() {
		let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
		let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
		let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
		assert_eq!(PeerKey::of(a), PeerKey::of(b));
		assert_ne!(PeerKey::of(a), PeerKey::of(c));
		let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
		assert_eq!(PeerKey::of(mapped), PeerKey::of("192.0.2.7".parse().unwrap()));
	}

	#[test]
	fn admission_bounds_total_and_per_peer_and_frees_slots() {
		let limits = ConnectionLimits { max_connections: 3, max_per_peer: 2, ..Default::default() };
		let admission = Arc::new(Admission::new(&limits, None));
		let one: IpAddr = "192.0.2.1".parse().unwrap();
		let two: IpAddr = "192.0.2.2".parse().unwrap();
		let a = admission.admit(one).unwrap();
		let _b = admission.admit(one).unwrap();
		assert_eq!(admission.admit(one).err(), Some(Refusal::PeerFull));
		let _c = admission.admit(two).unwrap();
		assert_eq!(admission.admit(two).err(), Some(Refusal::Full));
		drop(a);
		assert!(admission.admit(one).is_ok());
		assert_eq!(admission.lock().total, 2, "the slot admitted last was dropped at once");
	}

	#[test]
	fn a_port_another_socket_holds_is_refused_and_threads_share_their_own() {
		let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let taken = bind(held.local_addr().unwrap()).map(|_| ());
		assert_eq!(taken.unwrap_err().kind(), io::ErrorKind::AddrInUse);
		let ours = bind("127.0.0.1:0".parse().unwrap()).unwrap();
		let addr = ours.local_addr().unwrap();
		assert_ne!(addr.port(), 0);
		let sibling = listener_of_thread(&ours, 1).unwrap();
		assert_eq!(sibling.local_addr().unwrap(), addr);
		#[cfg(target_os = "linux")]
		assert!(SockRef::from(&sibling).reuse_port().unwrap(), "thread 1 copied the first socket");
		assert_eq!(bind(addr).unwrap_err().kind(), io::ErrorKind::AddrInUse);
	}

	#[test]
	fn a_listener_bound_elsewhere_is_copied_for_every_thread() {
		let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
		let copy = listener_of_thread(&plain, 1).unwrap();
		assert_eq!(copy.local_addr().unwrap(), plain.local_addr().unwrap());
		assert!(!SockRef::from(&copy).reuse_port().unwrap());
	}
}
