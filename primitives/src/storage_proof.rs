//! Storage proofs: one 1 KiB chunk of a piece of content plus its sibling path in the BLAKE3
//! tree, checked against the content id.
//!
//! A content id is the BLAKE3 root of the content's bytes ([`content_id`](crate::content_id)).
//! BLAKE3 is a binary Merkle tree over 1 KiB chunks, so whoever holds the bytes can prove
//! that it holds chunk `i` by sending the chunk and the chaining values of the subtrees
//! beside the path from that chunk to the root; anyone who knows the root and the content's
//! size recomputes the root from them. The tree's shape follows from the size alone, so a
//! proof carries no positions: [`root_from_proof`] walks it from the size and the index.
//!
//! All hashing is done by the `blake3` crate's own tree API ([`blake3::hazmat`]: chunk
//! chaining values at an input offset, `merge_subtrees_non_root`, `merge_subtrees_root`);
//! this module only decides which subtrees to merge. Verification is `no_std` and never
//! panics (the runtime checks proofs with it); building proofs needs `std` (node services
//! and tests).
//!
//! A proof for a content of `n` chunks carries `ceil(log2(n))` sibling chaining values at
//! most: 1 KiB + 32 bytes per level, about 1.7 KiB for a 1 GiB file and at most
//! [`MAX_PROOF_DEPTH`] levels (for any size a `u64` can express).

use blake3::{
	hazmat::{merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode},
	Hasher,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::{traits::ConstU32, BoundedVec};
use scale_info::TypeInfo;

use crate::content::ContentId;

/// Bytes in a chunk, the leaves of the BLAKE3 tree.
pub const CHUNK_LEN: u64 = blake3::CHUNK_LEN as u64;

/// Most sibling chaining values a proof carries: the depth of the tree of the largest content
/// a `u64` size can express (`ceil(u64::MAX / 1024)` = 2^54 chunks).
pub const MAX_PROOF_DEPTH: u32 = 54;

/// The chunk of a [`StorageProof`]: up to [`CHUNK_LEN`] bytes.
pub type ProofChunk = BoundedVec<u8, ConstU32<{ blake3::CHUNK_LEN as u32 }>>;

/// The sibling path of a [`StorageProof`]: up to [`MAX_PROOF_DEPTH`] chaining values.
pub type ProofPath = BoundedVec<[u8; 32], ConstU32<MAX_PROOF_DEPTH>>;

/// Proof that the prover holds one chunk of a piece of content.
///
/// Which chunk and which content are not in the proof: the verifier knows them (on chain,
/// from the challenge) together with the content's size.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct StorageProof {
	/// The chunk's bytes: exactly [`CHUNK_LEN`] bytes, except for the last chunk of the
	/// content (the rest of it, at least one byte) and for empty content (no bytes).
	pub chunk: ProofChunk,
	/// Chaining values of the subtrees beside the path from the chunk to the root, from the
	/// chunk's sibling up to the root's other child. Empty for content of one chunk.
	pub siblings: ProofPath,
}

/// Most chunks one storage challenge names, and so most proofs one answer carries. A
/// challenge names several chunks spread over the content so that a node that deleted it
/// cannot answer by fetching one small piece from a peer (`docs/storage-law.md`).
pub const MAX_CHALLENGE_CHUNKS: u32 = 16;

/// The chunks a challenge names, in ascending order, all distinct.
pub type ChallengeChunks = BoundedVec<u64, ConstU32<MAX_CHALLENGE_CHUNKS>>;

/// The answer to a challenge: one proof per chunk it names, in the same order.
pub type ChallengeProofs = BoundedVec<StorageProof, ConstU32<MAX_CHALLENGE_CHUNKS>>;

/// The chunks a challenge of content of `size` bytes names: `count` (at most
/// [`MAX_CHALLENGE_CHUNKS`] and at most the content's chunk count) chunks, one in each of as
/// many equal stretches of the content, the one in stretch `j` at offset `random(j)` modulo
/// the stretch's length. With `last` the final pick is the content's last chunk, whose proof
/// authenticates the size. Ascending and distinct.
pub fn spread_chunks(
	size: u64,
	count: u32,
	last: bool,
	mut random: impl FnMut(u32) -> u64,
) -> ChallengeChunks {
	let chunks = chunk_count(size);
	let count = u64::from(count.clamp(1, MAX_CHALLENGE_CHUNKS)).min(chunks);
	let bound = |j: u64| (u128::from(chunks) * u128::from(j) / u128::from(count)) as u64;
	let mut picked = ChallengeChunks::default();
	for j in 0..count {
		let (start, end) = (bound(j), bound(j.saturating_add(1)));
		// `count <= chunks`, so every stretch holds at least one chunk.
		let width = end.saturating_sub(start).max(1);
		let pick = if last && j.saturating_add(1) == count {
			chunks.saturating_sub(1)
		} else {
			start.saturating_add(random(j as u32) % width)
		};
		// At most MAX_CHALLENGE_CHUNKS pushes: never fails.
		let _ = picked.try_push(pick);
	}
	picked
}

/// Why a storage proof does not prove what it should.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ProofError {
	/// The chunk index is not below the content's chunk count.
	IndexOutOfRange,
	/// The chunk does not have the length the content's size gives that chunk.
	ChunkLength,
	/// The path does not have one chaining value per level of the tree above the chunk.
	PathLength,
	/// The proof leads to another root than the content id.
	RootMismatch,
}

/// Number of chunks of content of `size` bytes: `ceil(size / 1024)`, and one (empty) chunk for
/// empty content.
pub fn chunk_count(size: u64) -> u64 {
	size.div_ceil(CHUNK_LEN).max(1)
}

/// Length of chunk `index` of content of `size` bytes, if there is such a chunk.
pub fn chunk_len(size: u64, index: u64) -> Option<u64> {
	if index >= chunk_count(size) {
		return None;
	}
	let start = index.checked_mul(CHUNK_LEN)?;
	Some(size.saturating_sub(start).min(CHUNK_LEN))
}

/// Chunks in the left subtree of a subtree of `chunks` (at least two) chunks: the largest
/// power of two below `chunks` (BLAKE3's rule, `blake3::hazmat::left_subtree_len`, in
/// chunks instead of bytes so that it cannot overflow).
fn left_chunks(chunks: u64) -> u64 {
	let below = chunks.saturating_sub(1).max(1);
	1u64 << (63 - below.leading_zeros())
}

/// The path from the root of a tree of `chunks` chunks down to chunk `index`: for each level
/// from the top, whether the path goes right, and the sibling subtree as `(first chunk,
/// chunks)`. Calls `visit` per level, top first; returns the depth.
fn walk_down(chunks: u64, index: u64, mut visit: impl FnMut(bool, u64, u64)) -> u32 {
	let (mut start, mut len, mut depth) = (0u64, chunks, 0u32);
	while len > 1 {
		let left = left_chunks(len);
		let relative = index.saturating_sub(start);
		if relative < left {
			visit(false, start.saturating_add(left), len.saturating_sub(left));
			len = left;
		} else {
			visit(true, start, left);
			start = start.saturating_add(left);
			len = len.saturating_sub(left);
		}
		depth = depth.saturating_add(1);
	}
	depth
}

/// Chaining value of chunk `index` (never the root: the content has more than one chunk).
/// `chunk` must be non-empty and at most [`CHUNK_LEN`] bytes.
fn chunk_cv(index: u64, chunk: &[u8]) -> ChainingValue {
	let mut hasher = Hasher::new();
	hasher.set_input_offset(index.saturating_mul(CHUNK_LEN));
	hasher.update(chunk);
	hasher.finalize_non_root()
}

/// The root a proof for chunk `index` of content of `size` bytes leads to.
///
/// Checks the proof's shape (index in range, chunk length, one sibling per level) before any
/// hashing; never panics.
pub fn root_from_proof(
	size: u64,
	index: u64,
	proof: &StorageProof,
) -> Result<ContentId, ProofError> {
	let chunks = chunk_count(size);
	let expected_len = chunk_len(size, index).ok_or(ProofError::IndexOutOfRange)?;
	if proof.chunk.len() as u64 != expected_len {
		return Err(ProofError::ChunkLength);
	}
	if chunks == 1 {
		if !proof.siblings.is_empty() {
			return Err(ProofError::PathLength);
		}
		return Ok(*blake3::hash(&proof.chunk).as_bytes());
	}
	// Directions from the top; the siblings come from the bottom.
	let mut goes_right = [false; MAX_PROOF_DEPTH as usize];
	let mut level = 0usize;
	let depth = walk_down(chunks, index, |right, _, _| {
		if let Some(slot) = goes_right.get_mut(level) {
			*slot = right;
		}
		level = level.saturating_add(1);
	});
	if depth as usize != proof.siblings.len() || depth > MAX_PROOF_DEPTH {
		return Err(ProofError::PathLength);
	}
	// Here every chunk has at least one byte (more than one chunk), so `chunk_cv` is valid.
	let mut cv = chunk_cv(index, &proof.chunk);
	let top = proof.siblings.len().saturating_sub(1);
	for (from_bottom, sibling) in proof.siblings.iter().enumerate() {
		let right = goes_right[top.saturating_sub(from_bottom)];
		let (left_cv, right_cv) = if right { (sibling, &cv) } else { (&cv, sibling) };
		if from_bottom == top {
			return Ok(*merge_subtrees_root(left_cv, right_cv, Mode::Hash).as_bytes());
		}
		cv = merge_subtrees_non_root(left_cv, right_cv, Mode::Hash);
	}
	// Unreachable: more than one chunk means at least one sibling.
	Err(ProofError::PathLength)
}

/// Check that `proof` proves chunk `index` of the content `root` of `size` bytes.
pub fn verify_proof(
	root: &ContentId,
	size: u64,
	index: u64,
	proof: &StorageProof,
) -> Result<(), ProofError> {
	if root_from_proof(size, index, proof)? == *root {
		Ok(())
	} else {
		Err(ProofError::RootMismatch)
	}
}

#[cfg(feature = "std")]
pub use prove::*;

#[cfg(feature = "std")]
mod prove {
	use super::*;
	use std::io::{self, Read, Seek, SeekFrom};

	/// Why a proof could not be built.
	#[derive(Debug)]
	pub enum ProveError {
		/// There is no chunk `index` in content of that size.
		IndexOutOfRange,
		/// Reading the content failed, or it is shorter than its declared size.
		Io(io::Error),
	}

	impl core::fmt::Display for ProveError {
		fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
			match self {
				ProveError::IndexOutOfRange => write!(f, "chunk index out of range"),
				ProveError::Io(e) => write!(f, "reading the content failed: {e}"),
			}
		}
	}

	impl std::error::Error for ProveError {}

	impl From<io::Error> for ProveError {
		fn from(e: io::Error) -> Self {
			ProveError::Io(e)
		}
	}

	/// Build the proof for chunk `index` of `content`.
	///
	/// Hashes every byte of the content once (the subtrees beside the path), with the SIMD
	/// speed of `blake3`. To prove many chunks of one content, use [`Prover`].
	pub fn build_proof(content: &[u8], index: u64) -> Result<StorageProof, ProveError> {
		build_proof_from_reader(io::Cursor::new(content), content.len() as u64, index)
	}

	/// Build the proof for chunk `index` of content of `size` bytes read from `reader`
	/// (for example a file), streaming: memory stays small whatever the size.
	pub fn build_proof_from_reader<R: Read + Seek>(
		mut reader: R,
		size: u64,
		index: u64,
	) -> Result<StorageProof, ProveError> {
		let len = chunk_len(size, index).ok_or(ProveError::IndexOutOfRange)?;
		let chunk = read_range(&mut reader, index * CHUNK_LEN, len)?;
		let mut siblings = Vec::new();
		let mut failure = None;
		walk_down(chunk_count(size), index, |_, first, chunks| {
			if failure.is_some() {
				return;
			}
			let start = first * CHUNK_LEN;
			let end = (start + chunks * CHUNK_LEN).min(size);
			match subtree_cv(&mut reader, start, end - start) {
				Ok(cv) => siblings.push(cv),
				Err(e) => failure = Some(e),
			}
		});
		if let Some(e) = failure {
			return Err(e.into());
		}
		siblings.reverse();
		Ok(StorageProof {
			chunk: chunk.try_into().expect("a chunk is at most CHUNK_LEN bytes; qed"),
			siblings: siblings.try_into().expect("a u64 size has at most 54 levels; qed"),
		})
	}

	fn read_range<R: Read + Seek>(reader: &mut R, start: u64, len: u64) -> io::Result<Vec<u8>> {
		reader.seek(SeekFrom::Start(start))?;
		let mut bytes = Vec::with_capacity(len as usize);
		reader.take(len).read_to_end(&mut bytes)?;
		if bytes.len() as u64 != len {
			return Err(io::Error::new(
				io::ErrorKind::UnexpectedEof,
				"content shorter than its size",
			));
		}
		Ok(bytes)
	}

	/// Chaining value of the (non-root) subtree of `len` bytes at byte `start`.
	fn subtree_cv<R: Read + Seek>(
		reader: &mut R,
		start: u64,
		len: u64,
	) -> io::Result<ChainingValue> {
		reader.seek(SeekFrom::Start(start))?;
		let mut hasher = Hasher::new();
		hasher.set_input_offset(start);
		let copied = io::copy(&mut reader.take(len), &mut hasher)?;
		if copied != len {
			return Err(io::Error::new(
				io::ErrorKind::UnexpectedEof,
				"content shorter than its size",
			));
		}
		Ok(hasher.finalize_non_root())
	}

	/// Proves any chunk of one content quickly: keeps the chaining value of every chunk
	/// (32 bytes per KiB of content), so a proof costs a few merges per level instead of a
	/// pass over the content.
	pub struct Prover<'a> {
		content: &'a [u8],
		leaves: Vec<ChainingValue>,
	}

	impl<'a> Prover<'a> {
		/// Hash every chunk of `content` once.
		pub fn new(content: &'a [u8]) -> Self {
			let leaves = if content.len() as u64 <= CHUNK_LEN {
				Vec::new()
			} else {
				content
					.chunks(CHUNK_LEN as usize)
					.enumerate()
					.map(|(i, chunk)| chunk_cv(i as u64, chunk))
					.collect()
			};
			Prover { content, leaves }
		}

		/// The content id: the root recomputed from the chunks' chaining values.
		pub fn root(&self) -> ContentId {
			if self.leaves.is_empty() {
				return *blake3::hash(self.content).as_bytes();
			}
			let mid = left_chunks(self.leaves.len() as u64) as usize;
			let (left, right) = (self.cv(0, mid), self.cv(mid, self.leaves.len() - mid));
			*merge_subtrees_root(&left, &right, Mode::Hash).as_bytes()
		}

		/// Chaining value of the subtree of `len` chunks starting at chunk `first`.
		fn cv(&self, first: usize, len: usize) -> ChainingValue {
			if len == 1 {
				return self.leaves[first];
			}
			let left = left_chunks(len as u64) as usize;
			merge_subtrees_non_root(
				&self.cv(first, left),
				&self.cv(first + left, len - left),
				Mode::Hash,
			)
		}

		/// The proof for chunk `index`.
		pub fn prove(&self, index: u64) -> Result<StorageProof, ProveError> {
			let size = self.content.len() as u64;
			let len = chunk_len(size, index).ok_or(ProveError::IndexOutOfRange)?;
			let start = (index * CHUNK_LEN) as usize;
			let chunk = self.content[start..start + len as usize].to_vec();
			let mut siblings = Vec::new();
			walk_down(chunk_count(size), index, |_, first, chunks| {
				siblings.push(self.cv(first as usize, chunks as usize));
			});
			siblings.reverse();
			Ok(StorageProof {
				chunk: chunk.try_into().expect("a chunk is at most CHUNK_LEN bytes; qed"),
				siblings: siblings.try_into().expect("a u64 size has at most 54 levels; qed"),
			})
		}
	}
}

/// Benchmarking: a proof of the greatest depth ([`MAX_PROOF_DEPTH`] levels, full chunk), and
/// the content size and root it proves chunk 0 of. Nobody knows content with that root; the
/// proof is valid all the same, which is what a benchmark of verification needs.
pub fn worst_case_proof() -> (ContentId, u64, StorageProof) {
	let size = u64::MAX;
	let mut siblings = ProofPath::default();
	for level in 0..MAX_PROOF_DEPTH {
		let _ = siblings.try_push([level as u8; 32]);
	}
	let mut chunk = ProofChunk::default();
	for byte in 0..blake3::CHUNK_LEN {
		let _ = chunk.try_push(byte as u8);
	}
	let proof = StorageProof { chunk, siblings };
	let root = root_from_proof(size, 0, &proof).unwrap_or_default();
	(root, size, proof)
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::content_id;
	use proptest::prelude::*;

	/// Deterministic pseudo-random bytes.
	fn content(len: usize, seed: u8) -> Vec<u8> {
		(0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) ^ (i >> 10) as u8).collect()
	}

	/// Every chunk proves, both builders agree, and each mutation of the proof fails.
	fn check_all_chunks(data: &[u8]) {
		let root = content_id(data);
		let size = data.len() as u64;
		let prover = Prover::new(data);
		assert_eq!(prover.root(), root, "the prover's tree is BLAKE3's");
		let chunks = chunk_count(size);
		for index in 0..chunks {
			let proof = prover.prove(index).unwrap();
			assert_eq!(verify_proof(&root, size, index, &proof), Ok(()), "chunk {index} of {size}");
			assert!(proof.encoded_size() <= StorageProof::max_encoded_len());
			// Spot-check the streaming builder against the prover.
			if index == 0 || index == chunks - 1 || index % 97 == 0 {
				assert_eq!(build_proof(data, index).unwrap(), proof);
			}
		}
		assert!(matches!(build_proof(data, chunks), Err(ProveError::IndexOutOfRange)));
	}

	#[test]
	fn boundary_sizes_prove() {
		for len in [0, 1, 1023, 1024, 1025, 2047, 2048, 2049, 3072, 4097, 65_536, 65_537] {
			check_all_chunks(&content(len, len as u8));
		}
	}

	#[test]
	fn several_mebibytes_prove() {
		check_all_chunks(&content(3 * 1024 * 1024 + 517, 3));
	}

	#[test]
	fn chunk_counts() {
		assert_eq!(chunk_count(0), 1);
		assert_eq!(chunk_count(1), 1);
		assert_eq!(chunk_count(1024), 1);
		assert_eq!(chunk_count(1025), 2);
		assert_eq!(chunk_count(u64::MAX), 1 << 54);
		assert_eq!(chunk_len(0, 0), Some(0));
		assert_eq!(chunk_len(1025, 1), Some(1));
		assert_eq!(chunk_len(1025, 2), None);
	}

	#[test]
	fn left_chunks_is_blake3s_rule() {
		for chunks in 2..2_000u64 {
			for last in [1, 512, 1024] {
				let bytes = (chunks - 1) * CHUNK_LEN + last;
				assert_eq!(
					left_chunks(chunks) * CHUNK_LEN,
					blake3::hazmat::left_subtree_len(bytes),
					"{bytes} bytes"
				);
			}
		}
	}

	#[test]
	fn proofs_stay_small() {
		// 1 GiB: 20 levels, 1 KiB + 640 bytes.
		assert_eq!(walk_down(chunk_count(1 << 30), 12_345, |_, _, _| {}), 20);
		assert!(StorageProof::max_encoded_len() < 3 * 1024);
	}

	#[test]
	fn worst_case_proof_is_valid_and_deepest() {
		let (root, size, proof) = worst_case_proof();
		assert_eq!(proof.siblings.len() as u32, MAX_PROOF_DEPTH);
		assert_eq!(proof.chunk.len() as u64, CHUNK_LEN);
		assert_eq!(verify_proof(&root, size, 0, &proof), Ok(()));
		assert_eq!(verify_proof(&root, size, 1, &proof), Err(ProofError::RootMismatch));
		assert_eq!(verify_proof(&root, size, u64::MAX, &proof), Err(ProofError::IndexOutOfRange));
	}

	#[test]
	fn reader_errors_are_reported() {
		let data = content(5000, 1);
		// The reader holds fewer bytes than the declared size.
		let short = build_proof_from_reader(std::io::Cursor::new(&data[..3000]), 5000, 0);
		assert!(matches!(short, Err(ProveError::Io(_))));
		let short = build_proof_from_reader(std::io::Cursor::new(&data[..3000]), 5000, 4);
		assert!(matches!(short, Err(ProveError::Io(_))));
	}

	#[test]
	fn decoding_refuses_oversized_proofs() {
		let oversized = (vec![0u8; 1025], Vec::<[u8; 32]>::new()).encode();
		assert!(StorageProof::decode(&mut &oversized[..]).is_err());
		let too_deep = (vec![0u8; 1], vec![[0u8; 32]; 55]).encode();
		assert!(StorageProof::decode(&mut &too_deep[..]).is_err());
	}

	fn sizes() -> impl Strategy<Value = usize> {
		prop_oneof![
			Just(0usize),
			Just(1),
			Just(1023),
			Just(1024),
			Just(1025),
			0usize..10_000,
			0usize..300_000,
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(48))]

		#[test]
		fn every_chunk_of_random_content_proves(len in sizes(), seed in any::<u8>()) {
			check_all_chunks(&content(len, seed));
		}

		#[test]
		fn mutated_proofs_fail(
			len in sizes(),
			seed in any::<u8>(),
			pick in any::<u64>(),
			bit in any::<u32>(),
		) {
			let data = content(len, seed);
			let (root, size) = (content_id(&data), len as u64);
			let chunks = chunk_count(size);
			let index = pick % chunks;
			let proof = build_proof(&data, index).unwrap();
			prop_assert_eq!(verify_proof(&root, size, index, &proof), Ok(()));

			// A flipped bit in the chunk or in a sibling.
			let mut flipped = proof.clone();
			let chunk_bits = flipped.chunk.len() as u32 * 8;
			let all_bits = chunk_bits + flipped.siblings.len() as u32 * 256;
			if all_bits > 0 {
				let bit = bit % all_bits;
				if bit < chunk_bits {
					flipped.chunk[(bit / 8) as usize] ^= 1 << (bit % 8);
				} else {
					let bit = bit - chunk_bits;
					flipped.siblings[(bit / 256) as usize][((bit % 256) / 8) as usize] ^=
						1 << (bit % 8);
				}
				prop_assert_eq!(
					verify_proof(&root, size, index, &flipped),
					Err(ProofError::RootMismatch)
				);
			}

			// Another index, in range or not.
			for other in [index + 1, index.wrapping_sub(1), chunks, u64::MAX] {
				if other != index {
					prop_assert!(verify_proof(&root, size, other, &proof).is_err());
				}
			}

			// A truncated path, or one sibling too many.
			if !proof.siblings.is_empty() {
				let mut truncated = proof.clone();
				truncated.siblings.pop();
				prop_assert_eq!(
					verify_proof(&root, size, index, &truncated),
					Err(ProofError::PathLength)
				);
			}
			let mut longer = proof.clone();
			if longer.siblings.try_push([0; 32]).is_ok() {
				prop_assert_eq!(
					verify_proof(&root, size, index, &longer),
					Err(ProofError::PathLength)
				);
			}

			// A truncated chunk.
			if !proof.chunk.is_empty() {
				let mut short = proof.clone();
				short.chunk.pop();
				prop_assert_eq!(
					verify_proof(&root, size, index, &short),
					Err(ProofError::ChunkLength)
				);
			}

			// The proof against another file of the same size, and against another size.
			let other = content(len, seed.wrapping_add(1));
			if other != data {
				prop_assert!(verify_proof(&content_id(&other), size, index, &proof).is_err());
			}
		}
	}

	#[test]
	fn spread_chunks_are_one_per_stretch_and_end_with_the_last_on_request() {
		let size = 100 * CHUNK_LEN;
		let picks = spread_chunks(size, 4, false, |_| 0);
		assert_eq!(picks.to_vec(), vec![0, 25, 50, 75]);
		let picks = spread_chunks(size, 4, true, |j| u64::from(j) + 100);
		assert_eq!(picks.to_vec(), vec![100 % 25, 25 + 101 % 25, 50 + 102 % 25, 99]);
	}

	#[test]
	fn spread_chunks_never_exceed_the_chunks_or_the_bound() {
		assert_eq!(spread_chunks(0, 8, true, |_| 7).to_vec(), vec![0]);
		assert_eq!(spread_chunks(3 * CHUNK_LEN, 8, false, |_| 9).to_vec(), vec![0, 1, 2]);
		assert_eq!(spread_chunks(u64::MAX, u32::MAX, false, |_| u64::MAX).len(), 16);
		assert_eq!(spread_chunks(10 * CHUNK_LEN, 0, false, |_| 3).len(), 1);
	}

	proptest! {
		#[test]
		fn spread_chunks_are_ascending_distinct_and_in_range(
			size in 0u64..(1 << 40),
			count in 0u32..40,
			last: bool,
			seed: u64,
		) {
			let picks = spread_chunks(size, count, last, |j| seed.rotate_left(j).wrapping_mul(0x9e37_79b9));
			prop_assert!(!picks.is_empty());
			prop_assert!(picks.windows(2).all(|w| w[0] < w[1]));
			prop_assert!(picks.iter().all(|c| *c < chunk_count(size)));
			if last {
				prop_assert_eq!(picks.last().copied(), Some(chunk_count(size) - 1));
			}
		}
	}
}
