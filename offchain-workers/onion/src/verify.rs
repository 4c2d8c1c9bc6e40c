//! What an exit and a client check against a content id before they pass a byte on, write it
//! or pay for it. The checks are the project's verified streaming (bao-tree outboards over
//! BLAKE3 in chunk groups of [`GROUP_BYTES`], `bitcloud_content::range_is_valid`); this
//! module only adds the check of an outboard on its own, with bao-tree's validator.

pub use bitcloud_content::{
	range_is_valid,
	store::{BLOCK_SIZE, GROUP_BYTES},
};

use bao_tree::{
	blake3,
	io::{outboard::PostOrderMemOutboard, sync::valid_outboard_ranges},
	BaoTree, ChunkNum, ChunkRanges,
};
use bitcloud_primitives::ContentId;

/// Largest unmoderated content a relay stores, and the largest size a client or an exit
/// believes a peer announces for one (a 4 GiB item's outboard is 16 MiB).
pub const MAX_UNMODERATED_SIZE: u64 = 4 << 30;

/// Why an outboard a peer sent cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboardError {
	/// The announced size is above [`MAX_UNMODERATED_SIZE`]: nothing was allocated for it.
	TooLarge(u64),
	/// More or fewer bytes than a tree of the announced size has.
	WrongLength {
		/// Bytes the tree needs.
		expected: u64,
		/// Bytes sent.
		got: u64,
	},
	/// Its hash pairs do not hash up to the content id (or it claims the content is empty
	/// and the id is not the empty content's).
	Refuted,
}

impl std::fmt::Display for OutboardError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			OutboardError::TooLarge(size) => {
				write!(f, "announced {size} bytes, more than the {MAX_UNMODERATED_SIZE} allowed")
			},
			OutboardError::WrongLength { expected, got } => {
				write!(f, "outboard of {got} bytes where the size needs {expected}")
			},
			OutboardError::Refuted => write!(f, "the outboard does not hash up to the content id"),
		}
	}
}

/// Bytes of the outboard of a content of `size` bytes, if the size is believable.
pub fn outboard_len(size: u64) -> Result<u64, OutboardError> {
	if size > MAX_UNMODERATED_SIZE {
		return Err(OutboardError::TooLarge(size));
	}
	Ok(BaoTree::new(size, BLOCK_SIZE).outboard_size())
}

/// The outboard of `id` for `size` bytes from the hash pairs a peer sent, checked pair by pair
/// up to the root (bao-tree's `valid_outboard_ranges`).
///
/// What this cannot check is the size within the last chunk group: contents of the same
/// number of groups have outboards of the same shape. Only the last group's bytes, checked
/// with [`range_is_valid`], prove the size. Blocking (about 100 ns per chunk group).
pub fn checked_outboard(
	id: &ContentId,
	size: u64,
	data: Vec<u8>,
) -> Result<PostOrderMemOutboard, OutboardError> {
	let expected = outboard_len(size)?;
	if data.len() as u64 != expected {
		return Err(OutboardError::WrongLength { expected, got: data.len() as u64 });
	}
	if size == 0 && blake3::hash(&[]).as_bytes() != id {
		return Err(OutboardError::Refuted);
	}
	let tree = BaoTree::new(size, BLOCK_SIZE);
	let outboard = PostOrderMemOutboard { root: blake3::Hash::from_bytes(*id), tree, data };
	let all = ChunkRanges::from(ChunkNum(0)..tree.chunks());
	let mut valid = 0u64;
	for range in valid_outboard_ranges(&outboard, &all) {
		// An error here is a read past the outboard's end: it is short, so not this content's.
		let range = range.map_err(|_| OutboardError::Refuted)?;
		valid += range.end.0 - range.start.0;
	}
	if valid != tree.chunks().0 {
		return Err(OutboardError::Refuted);
	}
	Ok(outboard)
}

/// Where the last chunk group of a content of `size` bytes starts (0 for an empty one).
pub fn last_group_start(size: u64) -> u64 {
	size.saturating_sub(1) / GROUP_BYTES * GROUP_BYTES
}

/// Whether `bytes` at `offset` are the content `outboard` describes (see [`range_is_valid`]);
/// an I/O error of the in-memory outboard counts as not.
pub fn bytes_match(outboard: &PostOrderMemOutboard, offset: u64, bytes: &[u8]) -> bool {
	range_is_valid(outboard, offset, bytes).unwrap_or(false)
}

#[cfg(test)]
mod tests {
	use super::*;
	use bao_tree::io::outboard::PostOrderMemOutboard;

	fn outboard_of(bytes: &[u8]) -> PostOrderMemOutboard {
		PostOrderMemOutboard::create(bytes, BLOCK_SIZE)
	}

	#[test]
	fn sound_outboards_pass_and_altered_ones_fail() {
		let bytes: Vec<u8> = (0..200_000u32).map(|i| (i * 7) as u8).collect();
		let real = outboard_of(&bytes);
		let id = *real.root.as_bytes();
		let size = bytes.len() as u64;
		let checked = checked_outboard(&id, size, real.data.clone()).unwrap();
		assert!(bytes_match(&checked, 0, &bytes));
		let start = last_group_start(size);
		assert!(bytes_match(&checked, start, &bytes[start as usize..]));

		let mut flipped = real.data.clone();
		flipped[10] ^= 1;
		assert_eq!(checked_outboard(&id, size, flipped), Err(OutboardError::Refuted));
		assert!(matches!(
			checked_outboard(&id, size, real.data[1..].to_vec()),
			Err(OutboardError::WrongLength { .. })
		));
		assert_eq!(
			checked_outboard(&[1; 32], size, real.data.clone()),
			Err(OutboardError::Refuted)
		);
		assert_eq!(
			checked_outboard(&id, u64::MAX, Vec::new()),
			Err(OutboardError::TooLarge(u64::MAX))
		);
		// A size off within the last group passes the outboard; the last group refutes it.
		let lie = checked_outboard(&id, size - 1, real.data.clone()).unwrap();
		let start = last_group_start(size - 1);
		assert!(!bytes_match(&lie, start, &bytes[start as usize..(size - 1) as usize]));
		// The empty content has one id.
		assert!(checked_outboard(blake3::hash(&[]).as_bytes(), 0, Vec::new()).is_ok());
		assert_eq!(checked_outboard(&id, 0, Vec::new()), Err(OutboardError::Refuted));
	}
}
