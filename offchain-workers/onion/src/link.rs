//! Links: TCP connections to a relay's gateway, switched to the onion protocol with an HTTP
//! upgrade (`GET /onion`, `Upgrade: bitcloud-onion/2`), then frames of [`FRAME_LEN`] bytes.
//! Relays need no port of their own: the endpoint in the node registry is enough.

use crate::{cell::FRAME_LEN, directory::endpoint_authority};
use std::{io, time::Duration};
use tokio::{
	io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt},
	net::TcpStream,
};

/// The path relays listen on.
pub const ONION_PATH: &str = "/onion";

/// The protocol named in the `Upgrade` header.
/// (Version 2: the hops' cipher is AES-256-GCM; version 1 was ChaCha20-Poly1305.)
pub const UPGRADE_PROTOCOL: &str = "bitcloud-onion/2";

/// Time to connect to a relay and get its upgrade answer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most frames a relay or a client takes from a link in one read: what the socket holds
/// beyond one frame is taken in the same call, which spares a wakeup and system calls per
/// frame on a busy circuit and adds no wait (a frame is handled as soon as it is whole).
pub const FRAMES_PER_READ: usize = 4;

/// Largest upgrade answer head read.
const MAX_HEAD: usize = 4096;

/// Opens a link to the relay whose gateway is at `endpoint`.
pub async fn connect(endpoint: &str) -> io::Result<TcpStream> {
	let authority = endpoint_authority(endpoint).map_err(io::Error::other)?;
	tokio::time::timeout(CONNECT_TIMEOUT, upgrade(authority))
		.await
		.map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "relay did not answer in time"))?
}

async fn upgrade(authority: &str) -> io::Result<TcpStream> {
	let mut stream = TcpStream::connect(authority).await?;
	stream.set_nodelay(true)?;
	let request = format!(
		"GET {ONION_PATH} HTTP/1.1\r\nHost: {authority}\r\nConnection: upgrade\r\nUpgrade: \
		 {UPGRADE_PROTOCOL}\r\n\r\n"
	);
	stream.write_all(request.as_bytes()).await?;
	let head = read_head(&mut stream).await?;
	let status_line = head.split(|b| *b == b'\r').next().unwrap_or_default();
	if !status_line.starts_with(b"HTTP/1.1 101") {
		return Err(io::Error::other(format!(
			"relay refused the onion upgrade: {}",
			String::from_utf8_lossy(status_line)
		)));
	}
	Ok(stream)
}

/// Reads the relay's answer head. In as many reads as it arrives in, not byte by byte: a relay
/// sends nothing after its head until it has the first frame, which the client sends only
/// once it has the head, so a byte past the head is a broken relay, not part of a frame.
async fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
	let mut head = vec![0u8; MAX_HEAD];
	let mut read = 0;
	loop {
		let n = stream.read(&mut head[read..]).await?;
		if n == 0 {
			return Err(io::ErrorKind::UnexpectedEof.into());
		}
		read += n;
		if let Some(end) = head[..read].windows(4).position(|w| w == b"\r\n\r\n") {
			if end + 4 != read {
				return Err(io::Error::other("relay sent bytes after its upgrade answer"));
			}
			head.truncate(read);
			return Ok(head);
		}
		if read == MAX_HEAD {
			return Err(io::Error::other("relay's upgrade answer is too long"));
		}
	}
}

/// Reads one whole frame.
pub async fn read_frame(
	stream: &mut (impl AsyncRead + Unpin),
	frame: &mut [u8; FRAME_LEN],
) -> io::Result<()> {
	stream.read_exact(frame).await.map(drop)
}

/// Writes one whole frame.
pub async fn write_frame(
	stream: &mut (impl AsyncWrite + Unpin),
	frame: &[u8; FRAME_LEN],
) -> io::Result<()> {
	stream.write_all(frame).await
}
