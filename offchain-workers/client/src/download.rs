//! Verified downloads: ranges are fetched from the replicas in turn, each checked against
//! the content id (bao-tree outboard, BLAKE3) before it is written; a replica that fails or
//! sends a wrong byte is dropped and its ranges are fetched from the next one. The file
//! appears at its path only when complete.

use crate::{
	http::{self, number_header},
	replicas::Replica,
	Error,
};
use bao_tree::{
	io::{outboard::PostOrderMemOutboard, sync::valid_ranges},
	BaoTree, BlockSize, ChunkNum, ChunkRanges,
};
use bitcloud_primitives::ContentId;
use std::{collections::VecDeque, fs, io::Write, path::Path};

/// Bytes asked for per range request (a multiple of every chunk group size).
pub const RANGE_BYTES: u64 = 1 << 20;

/// Replicas a download takes ranges from at the same time, by default.
pub const DEFAULT_STRIPE: usize = 2;

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadReport {
	/// Size of the content.
	pub size: u64,
	/// Verified bytes each replica served.
	pub served: Vec<(Replica, u64)>,
	/// Replicas dropped, with the reason.
	pub failures: Vec<(Replica, String)>,
}

/// A replica in use: its outboard (the tree to verify its ranges against the id).
struct Source {
	replica: Replica,
	outboard: PostOrderMemOutboard,
	served: u64,
}

/// Downloads `id` into `out` from `replicas` (in order of preference), taking ranges from
/// `stripe` of them in turn. `progress` hears (verified bytes, size) after every range.
pub fn download(
	replicas: Vec<Replica>,
	id: &ContentId,
	out: &Path,
	stripe: usize,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	if replicas.is_empty() {
		return Err(Error("no node serves this content".into()));
	}
	let partial = out.with_extension("part");
	let result = download_to(replicas, id, &partial, stripe.max(1), progress);
	match &result {
		Ok(_) => fs::rename(&partial, out).map_err(Error::from_display)?,
		Err(_) => {
			let _ = fs::remove_file(&partial);
		},
	}
	result
}

/// Downloads `id` from one gateway into `out`; returns the size.
pub fn get(gateway: &str, id: &ContentId, out: &Path) -> Result<u64, Error> {
	let replica = Replica { node: None, gateway: gateway.to_string() };
	let report = download(vec![replica], id, out, 1, &mut |_, _| {})?;
	match report.failures.into_iter().next() {
		Some((_, reason)) => Err(Error(reason)),
		None => Ok(report.size),
	}
}

fn download_to(
	replicas: Vec<Replica>,
	id: &ContentId,
	partial: &Path,
	stripe: usize,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	let agent = http::agent();
	let mut waiting: VecDeque<Replica> = replicas.into();
	let mut active: Vec<Source> = Vec::new();
	let mut report = DownloadReport::default();
	fill(&agent, id, &mut active, &mut waiting, stripe, &mut report);
	let size = active
		.first()
		.map(|source| source.outboard.tree.size())
		.ok_or_else(|| no_replica_left(&report))?;
	report.size = size;
	let mut file = fs::File::create(partial).map_err(Error::from_display)?;
	let group = active[0].outboard.tree.block_size().bytes() as u64;
	let step = RANGE_BYTES.max(group) / group * group;
	let mut offset = 0;
	let mut turn = 0;
	while offset < size {
		let end = (offset + step).min(size);
		if active.is_empty() {
			return Err(no_replica_left(&report));
		}
		let index = turn % active.len();
		match fetch_range(&agent, id, &active[index], offset, end) {
			Ok(bytes) => {
				file.write_all(&bytes).map_err(Error::from_display)?;
				active[index].served += end - offset;
				offset = end;
				turn += 1;
				progress(offset, size);
			},
			Err(reason) => {
				let dropped = active.remove(index);
				report.served.push((dropped.replica.clone(), dropped.served));
				report.failures.push((dropped.replica, reason.0));
				fill(&agent, id, &mut active, &mut waiting, stripe, &mut report);
			},
		}
	}
	file.sync_all().map_err(Error::from_display)?;
	report.served.extend(active.into_iter().map(|source| (source.replica, source.served)));
	Ok(report)
}

/// Takes replicas from `waiting` until `stripe` are active or none is left, dropping those
/// whose outboard cannot be had or whose tree disagrees with the others'.
fn fill(
	agent: &ureq::Agent,
	id: &ContentId,
	active: &mut Vec<Source>,
	waiting: &mut VecDeque<Replica>,
	stripe: usize,
	report: &mut DownloadReport,
) {
	while active.len() < stripe {
		let Some(replica) = waiting.pop_front() else { return };
		let outboard =
			fetch_outboard(agent, &replica.gateway, id).and_then(|outboard| match active.first() {
				Some(first) if first.outboard.tree != outboard.tree => {
					Err(Error("its size or chunk groups differ from the other replicas'".into()))
				},
				_ => Ok(outboard),
			});
		match outboard {
			Ok(outboard) => active.push(Source { replica, outboard, served: 0 }),
			Err(reason) => report.failures.push((replica, reason.0)),
		}
	}
}

fn no_replica_left(report: &DownloadReport) -> Error {
	let reasons: Vec<String> = report
		.failures
		.iter()
		.map(|(replica, reason)| format!("{}: {reason}", replica.gateway))
		.collect();
	Error(format!("no replica could serve the content ({})", reasons.join("; ")))
}

/// The outboard a gateway sends for `id`, as a tree to verify its ranges with.
fn fetch_outboard(
	agent: &ureq::Agent,
	gateway: &str,
	id: &ContentId,
) -> Result<PostOrderMemOutboard, Error> {
	let url = format!("{}/outboard", content_url(gateway, id));
	let response = agent.get(url).call().map_err(|e| Error(format!("gateway unreachable: {e}")))?;
	if response.status() != 200 {
		return Err(http::refusal(response));
	}
	let size = number_header(&response, "bitcloud-content-size")?;
	let log = u8::try_from(number_header(&response, "bitcloud-chunk-group-log")?)
		.ok()
		.filter(|log| *log <= 20)
		.ok_or_else(|| Error("gateway sent an unusable chunk group size".into()))?;
	let tree = BaoTree::new(size, BlockSize::from_chunk_log(log));
	let data = http::read_body(response, tree.outboard_size())?;
	if data.len() as u64 != tree.outboard_size() {
		return Err(Error("the outboard has the wrong length".into()));
	}
	if size == 0 && bao_tree::blake3::hash(&[]).as_bytes() != id {
		return Err(Error("the gateway says the content is empty; its id says not".into()));
	}
	Ok(PostOrderMemOutboard { root: bao_tree::blake3::Hash::from_bytes(*id), tree, data })
}

/// Bytes `offset..end` from `source`, verified against the id.
fn fetch_range(
	agent: &ureq::Agent,
	id: &ContentId,
	source: &Source,
	offset: u64,
	end: u64,
) -> Result<Vec<u8>, Error> {
	let response = agent
		.get(content_url(&source.replica.gateway, id))
		.header("range", format!("bytes={offset}-{}", end - 1))
		.call()
		.map_err(|e| Error(format!("gateway unreachable: {e}")))?;
	let whole = response.status() == 200 && offset == 0 && end == source.outboard.tree.size();
	if response.status() != 206 && !whole {
		return Err(http::refusal(response));
	}
	let bytes = http::read_body(response, end - offset)?;
	if bytes.len() as u64 != end - offset {
		return Err(Error(format!("short answer for bytes {offset}-{}", end - 1)));
	}
	// Ranges start on chunk group boundaries: whole groups are verified.
	let chunks = ChunkRanges::from(ChunkNum(offset / 1024)..ChunkNum(end.div_ceil(1024)));
	let mut valid = 0;
	for range in valid_ranges(&source.outboard, Window { offset, bytes: &bytes }, &chunks) {
		let range = range.map_err(Error::from_display)?;
		valid += range.end.0 - range.start.0;
	}
	if valid != end.div_ceil(1024) - offset / 1024 {
		return Err(Error(format!(
			"bytes {offset}-{} do not match the content id: refused",
			end - 1
		)));
	}
	Ok(bytes)
}

fn content_url(gateway: &str, id: &ContentId) -> String {
	format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id))
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
