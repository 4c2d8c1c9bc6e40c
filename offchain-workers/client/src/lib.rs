#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

use bao_tree::{
	io::{outboard::PostOrderMemOutboard, sync::valid_ranges},
	BaoTree, BlockSize, ChunkNum, ChunkRanges,
};
use bitcloud_primitives::{AccountId, ContentId};
use codec::{Decode, Encode};
use serde_json::{json, Value};
use std::{
	fs,
	io::{Read, Write},
	path::Path,
};

/// Bytes asked for per range request (a multiple of every chunk group size).
pub const RANGE_BYTES: u64 = 1 << 20;

/// A client error, with a message for people.
#[derive(Debug)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

impl std::error::Error for Error {}

fn err(e: impl std::fmt::Display) -> Error {
	Error(e.to_string())
}

/// A plain-HTTP agent that returns 4xx/5xx answers as responses.
pub fn agent() -> ureq::Agent {
	ureq::Agent::config_builder()
		.http_status_as_error(false)
		.timeout_connect(Some(std::time::Duration::from_secs(10)))
		.timeout_recv_response(Some(std::time::Duration::from_secs(60)))
		.build()
		.into()
}

/// Reads a body up to `limit` bytes, failing beyond.
fn read_body(response: ureq::http::Response<ureq::Body>, limit: u64) -> Result<Vec<u8>, Error> {
	let mut bytes = Vec::new();
	response
		.into_body()
		.into_reader()
		.take(limit.saturating_add(1))
		.read_to_end(&mut bytes)
		.map_err(err)?;
	if bytes.len() as u64 > limit {
		return Err(Error(format!("answer longer than the {limit} bytes expected")));
	}
	Ok(bytes)
}

/// Turns a refusal of the gateway into an error carrying its status and reason.
fn refusal(response: ureq::http::Response<ureq::Body>) -> Error {
	let status = response.status();
	let reason = read_body(response, 4096).unwrap_or_default();
	Error(format!("gateway answered {status}: {}", String::from_utf8_lossy(&reason).trim()))
}

/// Downloads `id` from the gateway at `gateway` into `out`, checking every range against the
/// content id before writing it; the file appears at `out` only when complete. Returns the
/// size.
pub fn get(gateway: &str, id: &ContentId, out: &Path) -> Result<u64, Error> {
	let agent = agent();
	let base = format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id));

	// The outboard, and from it the tree.
	let response = agent.get(format!("{base}/outboard")).call().map_err(err)?;
	if response.status() != 200 {
		return Err(refusal(response));
	}
	let header = |name: &str| {
		response
			.headers()
			.get(name)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.parse::<u64>().ok())
			.ok_or_else(|| Error(format!("gateway sent no valid {name} header")))
	};
	let size = header("bitcloud-content-size")?;
	let log = u8::try_from(header("bitcloud-chunk-group-log")?)
		.ok()
		.filter(|log| *log <= 20)
		.ok_or_else(|| Error("gateway sent an unusable chunk group size".into()))?;
	let tree = BaoTree::new(size, BlockSize::from_chunk_log(log));
	let data = read_body(response, tree.outboard_size())?;
	if data.len() as u64 != tree.outboard_size() {
		return Err(Error("the outboard has the wrong length".into()));
	}
	let outboard =
		PostOrderMemOutboard { root: bao_tree::blake3::Hash::from_bytes(*id), tree, data };
	if size == 0 && bao_tree::blake3::hash(&[]).as_bytes() != id {
		return Err(Error("the gateway says the content is empty; its id says not".into()));
	}

	let partial = out.with_extension("part");
	let mut file = fs::File::create(&partial).map_err(err)?;
	let group = 1024u64 << log;
	let step = RANGE_BYTES.max(group) / group * group;
	let mut offset = 0;
	while offset < size {
		let end = (offset + step).min(size);
		let response = agent
			.get(&base)
			.header("range", format!("bytes={offset}-{}", end - 1))
			.call()
			.map_err(err)?;
		if response.status() != 206 && !(response.status() == 200 && offset == 0 && end == size) {
			let _ = fs::remove_file(&partial);
			return Err(refusal(response));
		}
		let bytes = read_body(response, end - offset)?;
		if bytes.len() as u64 != end - offset {
			let _ = fs::remove_file(&partial);
			return Err(Error(format!("short answer for bytes {offset}-{}", end - 1)));
		}
		// Verify the range: whole chunk groups, since ranges start on group boundaries.
		let chunks = ChunkRanges::from(ChunkNum(offset / 1024)..ChunkNum(end.div_ceil(1024)));
		let window = Window { offset, bytes: &bytes };
		let mut valid = 0;
		for range in valid_ranges(&outboard, window, &chunks) {
			let range = range.map_err(err)?;
			valid += range.end.0 - range.start.0;
		}
		if valid != end.div_ceil(1024) - offset / 1024 {
			let _ = fs::remove_file(&partial);
			return Err(Error(format!(
				"bytes {offset}-{} do not match the content id: refused",
				end - 1
			)));
		}
		file.write_all(&bytes).map_err(err)?;
		offset = end;
	}
	file.sync_all().map_err(err)?;
	drop(file);
	fs::rename(&partial, out).map_err(err)?;
	Ok(size)
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

/// Calls runtime API `method` (`Api_function`) at the best block over JSON-RPC.
pub fn runtime_api<T: Decode>(rpc: &str, method: &str, args: impl Encode) -> Result<T, Error> {
	let request = json!({
		"jsonrpc": "2.0",
		"id": 1,
		"method": "state_call",
		"params": [method, format!("0x{}", hex::encode(args.encode()))],
	});
	let mut response = agent().post(rpc).send_json(&request).map_err(err)?;
	let answer: Value = response.body_mut().read_json().map_err(err)?;
	if let Some(error) = answer.get("error") {
		return Err(Error(format!("{method}: {error}")));
	}
	let hex_result = answer["result"]
		.as_str()
		.ok_or_else(|| Error(format!("{method}: no result in {answer}")))?;
	let bytes = hex::decode(hex_result.trim_start_matches("0x")).map_err(err)?;
	T::decode(&mut &bytes[..]).map_err(|e| Error(format!("{method}: undecodable answer: {e}")))
}

/// A catalog item as `ModerationApi_catalog` returns it.
pub type CatalogEntry =
	pallet_moderation::CatalogEntry<AccountId, bitcloud_primitives::BlockNumber>;

/// A node as `NodesApi_node` returns it.
pub type NodeView = pallet_nodes::NodeView<
	AccountId,
	bitcloud_primitives::Balance,
	bitcloud_primitives::BlockNumber,
>;

/// A moderator's catalog.
pub fn catalog(rpc: &str, moderator: &AccountId) -> Result<Vec<CatalogEntry>, Error> {
	runtime_api(rpc, "ModerationApi_catalog", moderator)
}

/// The nodes serving a moderator's catalog, with what the chain knows of them.
pub fn nodes(
	rpc: &str,
	moderator: &AccountId,
) -> Result<Vec<(AccountId, Option<NodeView>)>, Error> {
	let accounts: Vec<AccountId> = runtime_api(rpc, "NodesApi_nodes_serving", moderator)?;
	accounts
		.into_iter()
		.map(|account| {
			let view = runtime_api(rpc, "NodesApi_node", &account)?;
			Ok((account, view))
		})
		.collect()
}

/// A gateway's `/status`.
pub fn status(gateway: &str) -> Result<Value, Error> {
	let response =
		agent().get(format!("{}/status", gateway.trim_end_matches('/'))).call().map_err(err)?;
	if response.status() != 200 {
		return Err(refusal(response));
	}
	serde_json::from_slice(&read_body(response, 1 << 20)?).map_err(err)
}
