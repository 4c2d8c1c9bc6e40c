#![doc = include_str!("../README.md")]
//!
//! Bytes are checked in whole chunks of [`CHUNK_BYTES`] against a bao-tree outboard
//! ([`PostOrderMemOutboard`](bao_tree::io::outboard::PostOrderMemOutboard) for one fetched
//! from `GET /content/{id}/outboard`, the store's own for what is on disk).
#![deny(missing_docs)]

use bao_tree::{
	io::sync::{valid_ranges, Outboard, ReadAt},
	ChunkNum, ChunkRanges,
};
use std::io;

/// One BLAKE3 chunk, 1 KiB: the unit a range is checked in and chunk groups are counted in.
/// Taken from BLAKE3 itself (as bao-tree uses it); the storage proofs' chunk
/// (`bitcloud_primitives::storage_proof::CHUNK_LEN`) is the same, which `bitcloud-content`
/// tests.
pub const CHUNK_BYTES: u64 = bao_tree::blake3::CHUNK_LEN as u64;

/// The chunks that bytes at `offset` (on a chunk boundary) of `len` bytes cover.
fn covered_chunks(offset: u64, len: usize) -> ChunkRanges {
	let end = offset.saturating_add(len as u64);
	ChunkRanges::from(ChunkNum(offset / CHUNK_BYTES)..ChunkNum(end.div_ceil(CHUNK_BYTES)))
}

/// The chunk ranges of `bytes`, found at `offset` of a content, that are that content
/// according to `outboard`. `offset` is on a chunk boundary; only whole chunks, or the last
/// chunk of the content, can be valid.
pub fn valid_chunk_ranges(
	outboard: &impl Outboard,
	offset: u64,
	bytes: &[u8],
) -> io::Result<ChunkRanges> {
	let mut valid = ChunkRanges::empty();
	let asked = covered_chunks(offset, bytes.len());
	for range in valid_ranges(outboard, Received { offset, bytes }, &asked) {
		valid |= ChunkRanges::from(range?);
	}
	Ok(valid)
}

/// Whether `bytes`, found at `offset` of a content, are that content according to its
/// outboard (and so its root). `offset` is on a chunk boundary and `bytes` end on one or at
/// the content's end: every chunk they cover is checked. The outboard's tree checks chunk
/// groups whole, so with groups of more than one chunk `offset` must start a group: inside
/// one it is an error (the group's first bytes are missing).
pub fn range_is_valid(outboard: &impl Outboard, offset: u64, bytes: &[u8]) -> io::Result<bool> {
	let valid = valid_chunk_ranges(outboard, offset, bytes)?;
	Ok(offset.is_multiple_of(CHUNK_BYTES) && valid == covered_chunks(offset, bytes.len()))
}

/// Bytes of a content found at `offset` (read from disk or received), as the `ReadAt` that
/// bao-tree's `valid_ranges` reads; reads past them find nothing.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
	/// Where the bytes start in the content.
	pub offset: u64,
	/// The bytes.
	pub bytes: &'a [u8],
}

impl ReadAt for Received<'_> {
	fn read_at(&self, pos: u64, out: &mut [u8]) -> io::Result<usize> {
		let start = pos
			.checked_sub(self.offset)
			.ok_or_else(|| io::Error::other("read before the bytes received"))?;
		let Some(rest) = usize::try_from(start).ok().and_then(|start| self.bytes.get(start..))
		else {
			return Ok(0);
		};
		let n = rest.len().min(out.len());
		out[..n].copy_from_slice(&rest[..n]);
		Ok(n)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bao_tree::{io::outboard::PostOrderMemOutboard, BlockSize};

	/// The store's chunk groups: 16 chunks of 1 KiB.
	const BLOCK_SIZE: BlockSize = BlockSize::from_chunk_log(4);
	const GROUP_BYTES: u64 = CHUNK_BYTES << 4;

	#[test]
	fn only_the_chunk_groups_that_are_the_content_are_valid() {
		let data: Vec<u8> = (0..5 * GROUP_BYTES + 100).map(|i| (i % 251) as u8).collect();
		let outboard = PostOrderMemOutboard::create(&data, BLOCK_SIZE);
		let group = GROUP_BYTES as usize;
		// Groups 2 to 4 and the 100-byte tail, as received; then with a byte of group 3 flipped.
		let (offset, mut received) = (2 * GROUP_BYTES, data[2 * group..].to_vec());
		assert!(range_is_valid(&outboard, offset, &received).unwrap());
		received[group + 7] ^= 1;
		assert!(!range_is_valid(&outboard, offset, &received).unwrap());
		// 16 chunks per group: groups 2, 4 and the tail (chunks 32..48 and 64..81) are valid.
		let valid = valid_chunk_ranges(&outboard, offset, &received).unwrap();
		let mut expected = ChunkRanges::from(ChunkNum(32)..ChunkNum(48));
		expected |= ChunkRanges::from(ChunkNum(64)..ChunkNum(81));
		assert_eq!(valid, expected, "all but group 3");
	}

	#[test]
	fn an_offset_inside_a_chunk_group_cannot_be_checked() {
		let data: Vec<u8> = (0..3 * GROUP_BYTES).map(|i| (i % 251) as u8).collect();
		let outboard = PostOrderMemOutboard::create(&data, BLOCK_SIZE);
		let at = CHUNK_BYTES as usize;
		assert!(range_is_valid(&outboard, CHUNK_BYTES, &data[at..]).is_err());
	}
}
