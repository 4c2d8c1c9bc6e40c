//! The gateway's connection bounds, attacked over real sockets: too many connections, a
//! slow-loris head, an idle kept-alive connection, a trickling upload, a response nobody
//! reads. Timings are only ever bounded generously from above ("eventually").

mod common;

use bitcloud_content::ConnectionLimits;
use bitcloud_primitives::content_id;
use common::*;
use std::{
	io::{Read, Write},
	net::{SocketAddr, TcpStream},
	time::{Duration, Instant},
};

/// A TCP connection to `addr` from the loopback address `source` (127.0.0.x: another peer
/// to the gateway), with a small receive buffer if `small_window`.
fn connect_from(source: [u8; 4], addr: SocketAddr, small_window: bool) -> TcpStream {
	let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().unwrap();
	let stream = runtime.block_on(async {
		let socket = tokio::net::TcpSocket::new_v4().unwrap();
		if small_window {
			socket.set_recv_buffer_size(4096).unwrap();
		}
		socket.bind(SocketAddr::from((source, 0))).unwrap();
		socket.connect(addr).await.unwrap().into_std().unwrap()
	});
	stream.set_nonblocking(false).unwrap();
	stream.set_read_timeout(Some(EVENTUALLY)).unwrap();
	stream
}

/// Reads until the peer closes (or the read times out) and returns what came.
fn read_all(stream: &mut TcpStream) -> Vec<u8> {
	let mut answer = Vec::new();
	let _ = stream.read_to_end(&mut answer);
	answer
}

/// One `GET /status` with `Connection: close` from `source`: the status line.
fn status_from(source: [u8; 4], addr: SocketAddr) -> String {
	let mut stream = connect_from(source, addr, false);
	let _ = stream.write_all(b"GET /status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	let answer = String::from_utf8_lossy(&read_all(&mut stream)).into_owned();
	answer.lines().next().unwrap_or_default().to_string()
}

fn open_connections(gateway: &TestGateway) -> u64 {
	gateway.metrics.connections_open.get()
}

fn refused(gateway: &TestGateway, bound: &str) -> u64 {
	gateway.metrics.connections_refused.with_label_values(&[bound]).get()
}

fn gateway_with(limits: ConnectionLimits, chain: MemoryChain, items: &[&[u8]]) -> TestGateway {
	TestGateway::start_with(chain, items, Setup { limits: Some(limits), ..Setup::default() })
}

#[test]
fn connections_beyond_the_bounds_are_refused_at_once_and_a_fresh_peer_is_served() {
	let limits = ConnectionLimits { max_connections: 6, max_per_peer: 3, ..Default::default() };
	let gateway = gateway_with(limits, MemoryChain::default(), &[]);
	let addr = gateway.addr;

	// One peer opens as many idle connections as it may.
	let flood: Vec<_> = (0..3).map(|_| connect_from([127, 0, 0, 1], addr, false)).collect();
	eventually("3 connections open", || open_connections(&gateway) == 3);
	// Its next one is answered 503 at once and closed.
	let mut excess = connect_from([127, 0, 0, 1], addr, false);
	let answer = String::from_utf8_lossy(&read_all(&mut excess)).into_owned();
	assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
	assert!(answer.contains("too many connections"), "{answer}");
	assert_eq!(refused(&gateway, "peer"), 1);

	// Another peer is served meanwhile.
	assert_eq!(status_from([127, 0, 0, 2], addr), "HTTP/1.1 200 OK");

	// Every slot taken (3 + 3 from two peers): a third peer is refused too...
	eventually("the served connection closed", || open_connections(&gateway) == 3);
	let second: Vec<_> = (0..3).map(|_| connect_from([127, 0, 0, 2], addr, false)).collect();
	eventually("6 connections open", || open_connections(&gateway) == 6);
	assert!(status_from([127, 0, 0, 3], addr).starts_with("HTTP/1.1 503"));
	assert_eq!(refused(&gateway, "full"), 1);

	// ...until the flood ends, and the gateway serves again.
	drop(flood);
	drop(second);
	eventually("connections closed", || open_connections(&gateway) == 0);
	assert_eq!(status_from([127, 0, 0, 3], addr), "HTTP/1.1 200 OK");
}

#[test]
fn a_slow_loris_head_is_cut() {
	let limits = ConnectionLimits { head_timeout: Duration::from_secs(1), ..Default::default() };
	let gateway = gateway_with(limits, MemoryChain::default(), &[]);
	let mut stream = connect_from([127, 0, 0, 1], gateway.addr, false);
	stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
	let _ = stream.write_all(b"GET /status HTTP/1.1\r\nHost: x\r\nX-Slow: ");
	// One byte of header every 100 ms, never the end of the head.
	let start = Instant::now();
	let closed = loop {
		assert!(start.elapsed() < EVENTUALLY, "the slow head was never cut");
		if stream.write_all(b"a").is_err() {
			break true;
		}
		let mut buf = [0u8; 256];
		match stream.read(&mut buf) {
			// Closed, or an error answer before closing: either way the head was refused.
			Ok(_) => break true,
			Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {},
			Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {},
			Err(_) => break true,
		}
	};
	assert!(closed);
	eventually("the slot is freed", || open_connections(&gateway) == 0);
}

#[test]
fn an_idle_kept_alive_connection_is_closed() {
	let limits = ConnectionLimits { head_timeout: Duration::from_secs(1), ..Default::default() };
	let gateway = gateway_with(limits, MemoryChain::default(), &[]);
	let mut stream = connect_from([127, 0, 0, 1], gateway.addr, false);
	stream.write_all(b"GET /status HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
	// The answer comes and the connection stays open for another request...
	let mut answer = Vec::new();
	let mut buf = [0u8; 4096];
	let complete = |answer: &[u8]| {
		let text = String::from_utf8_lossy(answer);
		let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
		let length = head
			.lines()
			.find_map(|line| {
				line.to_ascii_lowercase().strip_prefix("content-length: ").map(str::to_owned)
			})
			.and_then(|value| value.trim().parse::<usize>().ok());
		length.is_some_and(|length| body.len() >= length)
	};
	while !complete(&answer) {
		let n = stream.read(&mut buf).unwrap();
		assert!(n > 0, "closed before the answer was complete");
		answer.extend_from_slice(&buf[..n]);
	}
	assert!(answer.starts_with(b"HTTP/1.1 200"));
	// ...but not for ever: idle, it is closed.
	let start = Instant::now();
	let rest = read_all(&mut stream);
	assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
	assert!(start.elapsed() < EVENTUALLY, "the idle connection was never closed");
	eventually("the slot is freed", || open_connections(&gateway) == 0);
}

#[test]
fn a_trickling_upload_is_cut_and_leaves_nothing_behind() {
	let item = bytes(1 << 20, 3);
	let id = content_id(&item);
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), id, item.len() as u64, "");
	let limits = ConnectionLimits {
		min_body_rate: 64 * 1024,
		body_grace: Duration::from_secs(1),
		..Default::default()
	};
	let gateway = gateway_with(limits, chain, &[]);
	let mut stream = connect_from([127, 0, 0, 1], gateway.addr, false);
	stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
	let head = format!(
		"PUT /content/{} HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
		hex(&id),
		item.len()
	);
	stream.write_all(head.as_bytes()).unwrap();
	// 100 bytes every 100 ms: 1 KB/s, far below the bound.
	let start = Instant::now();
	let mut answer = Vec::new();
	for piece in item.chunks(100) {
		assert!(start.elapsed() < EVENTUALLY, "the trickle was never cut");
		if stream.write_all(piece).is_err() {
			break;
		}
		let mut buf = [0u8; 1024];
		match stream.read(&mut buf) {
			Ok(0) => break,
			Ok(n) => answer.extend_from_slice(&buf[..n]),
			Err(_) => {},
		}
		if !answer.is_empty() {
			break;
		}
	}
	stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
	answer.extend(read_all(&mut stream));
	let answer = String::from_utf8_lossy(&answer);
	assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
	assert!(answer.contains("bytes/s"), "{answer}");

	// Nothing stored, no temporary file left, and the upload slot is free again.
	assert!(!gateway.store.contains(&id));
	let tmp = gateway.store.dir().join("tmp");
	eventually("tmp/ is empty", || std::fs::read_dir(&tmp).unwrap().next().is_none());
	let response =
		agent().put(gateway.url(&format!("/content/{}", hex(&id)))).send(&item[..]).unwrap();
	assert_eq!(response.status(), 201);
	assert!(gateway.store.contains(&id));
}

#[test]
fn a_response_nobody_reads_is_cut() {
	let item = bytes(16 << 20, 9);
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(&item), item.len() as u64, "");
	let limits = ConnectionLimits { write_stall: Duration::from_secs(1), ..Default::default() };
	let gateway = gateway_with(limits, chain, &[&item]);
	let mut stream = connect_from([127, 0, 0, 1], gateway.addr, true);
	let request = format!("GET /content/{} HTTP/1.1\r\nHost: x\r\n\r\n", hex(&content_id(&item)));
	stream.write_all(request.as_bytes()).unwrap();
	// The client reads nothing: the socket buffers fill, the gateway's writes stall, and it
	// cuts the connection.
	eventually("the response started", || open_connections(&gateway) == 1);
	eventually("the stalled connection is cut", || open_connections(&gateway) == 0);
	let received = read_all(&mut stream);
	assert!(received.starts_with(b"HTTP/1.1 200"));
	assert!(received.len() < item.len(), "the whole response went out: it was not cut");
}
