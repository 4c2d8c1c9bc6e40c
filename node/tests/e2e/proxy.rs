//! A content node that lies: an HTTP proxy in front of a real gateway that relays every
//! request (its method, headers and body, so browsers' preflights and paying clients' headers
//! pass) and flips one byte in the middle of every range it sends back. Uploads are refused,
//! so it stores nothing.

use crate::common::Node;
use polkadot_sdk::sp_keyring::Sr25519Keyring::{Dave, Eve};
use std::{
	io::{BufRead, BufReader, Read, Write},
	net::{TcpListener, TcpStream},
};

/// Two content nodes serving Charlie's catalog as real processes: Dave's (the dev chain's
/// validator) honest, Eve's (a second node following the chain) registered behind a
/// [`tampering_proxy`], so that clients find one honest replica and one that lies.
pub struct HonestAndLying {
	/// Dave's node: the chain's RPC and the honest gateway.
	pub dave: Node,
	/// Eve's node; her on-chain endpoint is `proxy`, not her own gateway.
	pub eve: Node,
	/// Dave's gateway, as registered on chain.
	pub dave_gateway: String,
	/// Eve's own gateway (honest, not on chain).
	pub eve_gateway: String,
	/// The tampering proxy in front of Eve's gateway: her endpoint on chain.
	pub proxy: String,
	/// Eve's base path: her node's chain and store, removed when this is dropped.
	pub eve_base: tempfile::TempDir,
}

impl HonestAndLying {
	/// Starts both nodes, waits until Eve follows Dave's chain, and registers the endpoints.
	pub fn start() -> Self {
		let dave = Node::start_dev(&[]);
		let eve_base = tempfile::tempdir().expect("a base path");
		let eve_path = eve_base.path().to_str().expect("a UTF-8 path");
		let eve = Node::start_content_peer(&dave.p2p_address(), Eve, eve_path, &[]);
		let (dave_gateway, eve_gateway) = (dave.gateway_url(), eve.gateway_url());
		dave.wait_finalized(2);
		eve.wait_synced_with(&dave);
		let proxy = tampering_proxy(eve_gateway.clone());
		dave.set_endpoint(Dave, &dave_gateway);
		dave.set_endpoint(Eve, &proxy);
		HonestAndLying { dave, eve, dave_gateway, eve_gateway, proxy, eve_base }
	}
}

/// Request headers not passed on: they describe this hop, not the request.
const HOP_HEADERS: [&str; 5] =
	["host", "connection", "content-length", "transfer-encoding", "keep-alive"];

/// Longest request body relayed (receipts are a few hundred bytes).
const MAX_BODY: usize = 64 * 1024;

/// Starts a tampering proxy in front of `upstream` (`http://host:port`); its URL.
pub fn tampering_proxy(upstream: String) -> String {
	let listener = TcpListener::bind("127.0.0.1:0").expect("a proxy port");
	let url = format!("http://{}", listener.local_addr().expect("an address"));
	std::thread::spawn(move || {
		let agent: ureq::Agent = ureq::Agent::config_builder()
			.http_status_as_error(false)
			.allow_non_standard_methods(true)
			.build()
			.into();
		for stream in listener.incoming().map_while(Result::ok) {
			let (agent, upstream) = (agent.clone(), upstream.clone());
			// One thread per connection: a browser keeps several open at once.
			std::thread::spawn(move || while let Ok(true) = relay(&agent, &upstream, &stream) {});
		}
	});
	url
}

/// A request as read off the wire.
struct Request {
	method: String,
	path: String,
	headers: Vec<(String, String)>,
	body: Vec<u8>,
}

/// Reads one request from `reader`; none when the connection closed.
fn read_request(reader: &mut BufReader<&TcpStream>) -> std::io::Result<Option<Request>> {
	let mut line = String::new();
	if reader.read_line(&mut line)? == 0 {
		return Ok(None);
	}
	let mut parts = line.split_whitespace();
	let (method, path) = (parts.next().unwrap_or("GET").into(), parts.next().unwrap_or("/").into());
	let mut headers = Vec::new();
	loop {
		let mut line = String::new();
		if reader.read_line(&mut line)? == 0 || line == "\r\n" {
			break;
		}
		if let Some((name, value)) = line.trim_end().split_once(':') {
			headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
		}
	}
	let length = headers
		.iter()
		.find(|(name, _)| name == "content-length")
		.and_then(|(_, value)| value.parse::<usize>().ok())
		.unwrap_or(0)
		.min(MAX_BODY);
	let mut body = vec![0; length];
	reader.read_exact(&mut body)?;
	Ok(Some(Request { method, path, headers, body }))
}

/// Relays one request on `stream`; whether the connection stays open for another.
fn relay(agent: &ureq::Agent, upstream: &str, stream: &TcpStream) -> std::io::Result<bool> {
	let Some(request) = read_request(&mut BufReader::new(stream))? else { return Ok(false) };
	if request.method == "PUT" {
		let refusal = b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n";
		let mut out = stream;
		out.write_all(refusal)?;
		return Ok(true);
	}
	let mut builder = ureq::http::Request::builder()
		.method(request.method.as_str())
		.uri(format!("{upstream}{}", request.path));
	for (name, value) in &request.headers {
		if !HOP_HEADERS.contains(&name.as_str()) {
			builder = builder.header(name, value);
		}
	}
	let outgoing = builder.body(request.body).map_err(std::io::Error::other)?;
	let response = agent.run(outgoing).map_err(std::io::Error::other)?;
	let status = response.status();
	let headers: Vec<(String, String)> = response
		.headers()
		.iter()
		.filter(|(name, _)| !HOP_HEADERS.contains(&name.as_str()))
		.map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_string()))
		.collect();
	let mut body = Vec::new();
	response.into_body().into_reader().read_to_end(&mut body)?;
	if status == 206 && !body.is_empty() {
		let middle = body.len() / 2;
		body[middle] ^= 0x01;
	}
	let mut out = stream;
	write!(out, "HTTP/1.1 {} {}\r\n", status.as_u16(), status.canonical_reason().unwrap_or(""))?;
	for (name, value) in headers {
		write!(out, "{name}: {value}\r\n")?;
	}
	write!(out, "content-length: {}\r\n\r\n", body.len())?;
	out.write_all(&body)?;
	Ok(true)
}
