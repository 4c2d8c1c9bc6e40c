//! Links: TCP connections to a relay's gateway, switched to the onion protocol with an HTTP
//! upgrade (`GET /onion`, `Upgrade: bitcloud-onion/1`), then frames of [`FRAME_LEN`] bytes.
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
pub const UPGRADE_PROTOCOL: &str = "bitcloud-onion/1";

/// Time to connect to a relay and get its upgrade answer.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

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
	// Byte by byte: the relay sends nothing after its head until the first frame, and no
	// byte of a frame may be swallowed here.
	let mut head = Vec::with_capacity(256);
	while !head.ends_with(b"\r\n\r\n") {
		if head.len() >= MAX_HEAD {
			return Err(io::Error::other("relay's upgrade answer is too long"));
		}
		head.push(stream.read_u8().await?);
	}
	let status_line = head.split(|b| *b == b'\r').next().unwrap_or_default();
	if !status_line.starts_with(b"HTTP/1.1 101") {
		return Err(io::Error::other(format!(
			"relay refused the onion upgrade: {}",
			String::from_utf8_lossy(status_line)
		)));
	}
	Ok(stream)
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
