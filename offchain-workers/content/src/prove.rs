//! Storage proofs from the store's outboards: answers to storage challenges in O(depth)
//! outboard reads and one chunk group of hashing per chunk, whatever the content's size.
//!
//! A [`StorageProof`] of chunk `c` carries the chunk and the chaining values (CVs) of the
//! subtrees beside its path in the BLAKE3 tree, bottom first
//! (`bitcloud_primitives::storage_proof`). Building one from the bytes alone hashes the whole
//! content (`build_proof_from_reader`); the store already keeps those CVs, down to chunk
//! groups of 16 KiB, in each object's bao-tree post-order outboard:
//!
//! - bao-tree's tree over chunk groups has BLAKE3's shape (the left subtree of `n` chunks is
//!   the largest power of two below `n`, and chunk groups are powers of two), so every subtree
//!   of at least one chunk group on the path is a node of that tree;
//! - each stored node holds the pair (left, right) of its children's hashes, and the hash of a
//!   child is the non-root CV of its subtree (`hash_subtree` / `parent_cv` with `is_root`
//!   false); only the root merge is a root hash, which is the content id. So the sibling of
//!   the path at every level above the chunk group is the other entry of the pair loaded on
//!   the path: one 64-byte positioned read per level;
//! - below the group level, the sibling subtrees lie inside the chunk group that holds the
//!   chunk: their CVs are hashed from the group's bytes (at most 16 KiB) with
//!   [`blake3::hazmat`] at their input offsets.
//!
//! Nothing unverified goes into a proof: the pairs read on the path must chain to the id
//! (each pair merges into the entry above it, the top pair into the root), and the chunk group
//! is read with [`ContentReader::read_verified`], the gateway's check against the outboard
//! before it serves. A damaged copy yields [`ProveError::Corrupt`] or
//! [`ProveError::OutboardInconsistent`], never a wrong proof.
//!
//! Edge cases: content of one chunk group or less (one chunk, even empty) has no outboard
//! pairs, its root is inside the group; a last partial group is a subtree of fewer than 16
//! chunks, hashed at its own size; a right subtree whose right half is past the end of the
//! content is no node of the tree and collapses to its left child.

use bao_tree::{
	io::{outboard::PostOrderOutboard, sync::Outboard},
	BaoTree,
};
use bitcloud_primitives::{
	storage_proof::{chunk_count, ProofChunk, ProofPath, CHUNK_LEN},
	ContentId, StorageProof,
};
use blake3::{
	hazmat::{merge_subtrees_non_root, merge_subtrees_root, ChainingValue, HasherExt, Mode},
	Hasher,
};
use std::{fs::File, io};

use crate::{
	id::to_hex,
	store::{ContentReader, ContentStore, StoreError, BLOCK_SIZE, GROUP_BYTES},
};

/// Chunks in one chunk group.
const GROUP_CHUNKS: u64 = GROUP_BYTES / CHUNK_LEN;

/// Level of a chunk group as a [`bao_tree::TreeNode`] counted in chunks: the nodes of the
/// outboard are those above it.
const GROUP_LEVEL: u32 = BLOCK_SIZE.chunk_log() as u32 - 1;

/// Why [`ContentStore::prove_chunks`] built no proofs, and what the caller should do.
#[derive(Debug)]
pub enum ProveError {
	/// The store does not hold the content (any more). The node cannot answer a challenge
	/// for it: fetch the content again if the node should hold it.
	NotFound,
	/// A chunk is not below the content's chunk count. The challenge does not fit the
	/// content of the size the store holds: do not retry; check the challenge against the
	/// item's size on chain (a stored object of another size than the chain's is the wrong
	/// content and should be removed).
	ChunkOutOfRange {
		/// The first chunk asked for that is out of range.
		chunk: u64,
		/// The content's chunk count.
		chunks: u64,
	},
	/// Reading the data or the outboard failed. The copy may be intact: retry while the
	/// challenge's deadline allows, and look at the disk if it persists.
	Io(io::Error),
	/// The data on disk does not match the outboard (changed bytes, or a data file shorter
	/// than its size). The copy is damaged: call [`ContentStore::quarantine`] so it is
	/// neither served nor proven, and fetch the content again (replication).
	Corrupt {
		/// The content.
		id: ContentId,
	},
	/// The outboard's hash pairs do not lead to the content id (a damaged or truncated
	/// outboard). As for [`ProveError::Corrupt`]: quarantine the object and fetch the
	/// content again; the data may be intact but cannot be proven without its outboard.
	OutboardInconsistent {
		/// The content.
		id: ContentId,
	},
}

impl std::fmt::Display for ProveError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			ProveError::NotFound => f.write_str("content not in the store"),
			ProveError::ChunkOutOfRange { chunk, chunks } => {
				write!(f, "chunk {chunk} out of range: the content has {chunks} chunks")
			},
			ProveError::Io(e) => write!(f, "content store i/o: {e}"),
			ProveError::Corrupt { id } => {
				write!(f, "stored content {} does not match its outboard", to_hex(id))
			},
			ProveError::OutboardInconsistent { id } => {
				write!(f, "outboard of {} does not lead to its id", to_hex(id))
			},
		}
	}
}

impl std::error::Error for ProveError {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			ProveError::Io(e) => Some(e),
			_ => None,
		}
	}
}

impl From<io::Error> for ProveError {
	fn from(e: io::Error) -> Self {
		ProveError::Io(e)
	}
}

impl From<StoreError> for ProveError {
	fn from(e: StoreError) -> Self {
		match e {
			StoreError::NotFound => ProveError::NotFound,
			StoreError::Corrupt { id } => ProveError::Corrupt { id },
			StoreError::Io(e) => ProveError::Io(e),
			// Not returned by opening or reading an object.
			other => ProveError::Io(io::Error::other(other.to_string())),
		}
	}
}

impl ContentStore {
	/// Proofs of `chunks` (1 KiB BLAKE3 chunks, any order, repeats allowed) of `id`, one
	/// per chunk in the same order, each equal to
	/// `bitcloud_primitives::storage_proof::build_proof` of the content's bytes.
	///
	/// Costs per chunk one verified read of its 16 KiB chunk group and one 64-byte read of
	/// the outboard per tree level above it, instead of a pass over the content. Every chunk
	/// is checked to be in range before anything is read. Blocking: call it from a blocking
	/// thread in async code.
	pub fn prove_chunks(
		&self,
		id: &ContentId,
		chunks: &[u64],
	) -> Result<Vec<StorageProof>, ProveError> {
		let reader = self.reader(id)?;
		let size = reader.size();
		let count = chunk_count(size);
		if let Some(&chunk) = chunks.iter().find(|chunk| **chunk >= count) {
			return Err(ProveError::ChunkOutOfRange { chunk, chunks: count });
		}
		let mut prover = Prover {
			outboard: PostOrderOutboard {
				root: blake3::Hash::from_bytes(*id),
				tree: BaoTree::new(size, BLOCK_SIZE),
				data: reader.outboard_file(),
			},
			reader: &reader,
			chunks: count,
			group: None,
		};
		chunks.iter().map(|chunk| prover.prove(*chunk)).collect()
	}
}

/// Proves chunks of one open object.
struct Prover<'a> {
	reader: &'a ContentReader,
	outboard: PostOrderOutboard<&'a File>,
	/// Chunks of the content.
	chunks: u64,
	/// The last chunk group read (its index and verified bytes): chunks of small content
	/// often share one.
	group: Option<(u64, Vec<u8>)>,
}

impl Prover<'_> {
	/// The proof of `chunk`, which is in range.
	fn prove(&mut self, chunk: u64) -> Result<StorageProof, ProveError> {
		// Siblings from the top down; the proof lists them from the bottom up.
		let mut siblings = Vec::new();
		if self.outboard.tree.blocks() > 1 {
			self.outboard_siblings(chunk, &mut siblings)?;
		}
		let group = chunk / GROUP_CHUNKS;
		let first = group * GROUP_CHUNKS;
		let group_chunks = (self.chunks - first).min(GROUP_CHUNKS);
		let bytes = self.group_bytes(group)?;
		group_siblings(bytes, first, group_chunks, chunk, &mut siblings);
		let start = ((chunk - first) * CHUNK_LEN) as usize;
		let end = (start + CHUNK_LEN as usize).min(bytes.len());
		let chunk = bytes.get(start..end).unwrap_or_default().to_vec();
		siblings.reverse();
		Ok(StorageProof {
			chunk: ProofChunk::try_from(chunk).expect("a chunk is at most CHUNK_LEN bytes; qed"),
			siblings: ProofPath::try_from(siblings)
				.expect("a u64 size has at most MAX_PROOF_DEPTH levels; qed"),
		})
	}

	/// Pushes the siblings of the path to `chunk` above its chunk group, top first, from the
	/// outboard pairs on the path after checking that they chain to the id. The content has
	/// more than one chunk group.
	fn outboard_siblings(
		&self,
		chunk: u64,
		siblings: &mut Vec<ChainingValue>,
	) -> Result<(), ProveError> {
		let id = *self.outboard.root.as_bytes();
		let inconsistent = || ProveError::OutboardInconsistent { id };
		// The first node in pre-order is the root.
		let mut node = self.outboard.tree.pre_order_nodes_iter().next().ok_or_else(inconsistent)?;
		// What the pair at `node` must merge into: the id at the root, else the CV of the
		// node's subtree as the pair above it says.
		let mut expected = self.outboard.root;
		let mut is_root = true;
		loop {
			let (left, right) = self.outboard.load(node)?.ok_or_else(inconsistent)?;
			let (l, r) = (left.as_bytes(), right.as_bytes());
			let merged = if is_root {
				merge_subtrees_root(l, r, Mode::Hash)
			} else {
				blake3::Hash::from_bytes(merge_subtrees_non_root(l, r, Mode::Hash))
			};
			if merged != expected {
				return Err(inconsistent());
			}
			is_root = false;
			let child = if chunk < node.mid().0 {
				siblings.push(*r);
				expected = left;
				node.left_child()
			} else {
				siblings.push(*l);
				expected = right;
				node.right_child()
			};
			let mut child = child.ok_or_else(inconsistent)?;
			// A subtree whose right half lies past the content is its left half.
			while child.level() > GROUP_LEVEL && child.mid().0 >= self.chunks {
				child = child.left_child().ok_or_else(inconsistent)?;
			}
			if child.level() <= GROUP_LEVEL {
				// A chunk group: its bytes are checked against the outboard when read.
				return Ok(());
			}
			node = child;
		}
	}

	/// The verified bytes of chunk group `group`.
	fn group_bytes(&mut self, group: u64) -> Result<&[u8], ProveError> {
		if self.group.as_ref().is_none_or(|(cached, _)| *cached != group) {
			let start = group * GROUP_BYTES;
			let bytes = self.reader.read_verified(start, GROUP_BYTES as usize)?;
			// `read_verified` returns the whole group; anything else cannot be proven.
			if bytes.len() as u64 != (self.reader.size() - start).min(GROUP_BYTES) {
				return Err(ProveError::Corrupt { id: *self.reader.id() });
			}
			self.group = Some((group, bytes));
		}
		Ok(self.group.as_ref().map(|(_, bytes)| bytes.as_slice()).unwrap_or_default())
	}
}

/// Pushes the siblings of the path to `chunk` inside its chunk group, top first: the group
/// holds `bytes`, starts at chunk `first` and has `chunks` chunks (the whole content when it
/// is one group).
fn group_siblings(
	bytes: &[u8],
	first: u64,
	chunks: u64,
	chunk: u64,
	siblings: &mut Vec<ChainingValue>,
) {
	let (mut start, mut len) = (first, chunks);
	while len > 1 {
		// BLAKE3's left subtree: the largest power of two below `len`.
		let left = 1u64 << (63 - (len - 1).leading_zeros());
		let (sibling, sibling_len) = if chunk < start + left {
			let right = (start + left, len - left);
			len = left;
			right
		} else {
			let sibling = start;
			start += left;
			len -= left;
			(sibling, left)
		};
		let from = ((sibling - first) * CHUNK_LEN) as usize;
		let to = (((sibling - first + sibling_len) * CHUNK_LEN) as usize).min(bytes.len());
		let mut hasher = Hasher::new();
		hasher.set_input_offset(sibling * CHUNK_LEN);
		hasher.update(&bytes[from..to]);
		siblings.push(hasher.finalize_non_root());
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_primitives::{
		storage_proof::{build_proof, build_proof_from_reader, spread_chunks},
		verify_proof,
	};
	use proptest::prelude::*;
	use std::{fs::OpenOptions, os::unix::fs::FileExt};

	const KIB: usize = 1024;
	const GROUP: usize = GROUP_BYTES as usize;

	/// Deterministic pseudo-random bytes (xorshift), different for every seed.
	fn bytes(len: usize, seed: u64) -> Vec<u8> {
		let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
		(0..len)
			.map(|_| {
				state ^= state << 13;
				state ^= state >> 7;
				state ^= state << 17;
				state as u8
			})
			.collect()
	}

	fn store() -> (tempfile::TempDir, ContentStore) {
		let dir = tempfile::tempdir().unwrap();
		let (store, _) = ContentStore::open(dir.path()).unwrap();
		(dir, store)
	}

	/// Imports `data`, proves `chunks` and checks every proof against `build_proof` and the id.
	fn check(store: &ContentStore, data: &[u8], chunks: &[u64]) -> ContentId {
		let id = store.import_bytes(data).unwrap();
		let size = data.len() as u64;
		let proofs = store.prove_chunks(&id, chunks).unwrap();
		assert_eq!(proofs.len(), chunks.len());
		for (chunk, proof) in chunks.iter().zip(&proofs) {
			assert_eq!(*proof, build_proof(data, *chunk).unwrap(), "chunk {chunk} of {size}");
			assert_eq!(verify_proof(&id, size, *chunk, proof), Ok(()), "chunk {chunk} of {size}");
		}
		id
	}

	/// First and last chunks, both sides of every chunk group boundary and of the root's
	/// split, and a few pseudo-random chunks; all chunks of small content.
	fn interesting_chunks(size: u64, seed: u64) -> Vec<u64> {
		let count = chunk_count(size);
		if count <= 160 {
			return (0..count).collect();
		}
		let mut chunks = vec![0, 1, count - 2, count - 1];
		let split = 1u64 << (63 - (count - 1).leading_zeros());
		for at in [GROUP_CHUNKS, 2 * GROUP_CHUNKS, split, count / GROUP_CHUNKS * GROUP_CHUNKS] {
			chunks.extend([at.saturating_sub(1), at, at + 1]);
		}
		let random = bytes(16 * 8, seed);
		chunks.extend(random.chunks(8).map(|b| u64::from_le_bytes(b.try_into().unwrap()) % count));
		chunks.retain(|chunk| *chunk < count);
		chunks
	}

	#[test]
	fn proofs_equal_build_proof_for_boundary_and_unbalanced_sizes() {
		let (_dir, store) = store();
		let sizes = [
			0,
			1,
			1023,
			1024,
			1025,
			2048,
			3 * KIB + 1,
			GROUP - 1,
			GROUP,
			GROUP + 1,
			GROUP + KIB,
			2 * GROUP - 1,
			2 * GROUP,
			2 * GROUP + 1,
			3 * GROUP,
			3 * GROUP + 5,
			4 * GROUP,
			5 * GROUP + 1,
			7 * GROUP + 1023,
			8 * GROUP + 1,
			9 * GROUP,
			17 * GROUP + 3 * KIB,
			33 * GROUP - 1,
			100_000,
			3 * 1024 * KIB + 517,
			4 * 1024 * KIB,
			5 * 1024 * KIB + 7,
		];
		for (n, size) in sizes.into_iter().enumerate() {
			let data = bytes(size, n as u64);
			check(&store, &data, &interesting_chunks(size as u64, n as u64));
		}
	}

	#[test]
	fn chunks_in_any_order_and_repeated_are_proven_in_that_order() {
		let (_dir, store) = store();
		let data = bytes(5 * GROUP + 700, 9);
		check(&store, &data, &[80, 0, 80, 17, 16, 15, 0, 79]);
		let id = check(&store, &data, &[]);
		assert!(store.prove_chunks(&id, &[]).unwrap().is_empty());
	}

	#[test]
	fn out_of_range_chunks_are_refused_before_any_read() {
		let (_dir, store) = store();
		for size in [0, 1, 1025, 3 * GROUP + 1] {
			let data = bytes(size, 1);
			let id = store.import_bytes(&data).unwrap();
			let chunks = chunk_count(size as u64);
			for bad in [chunks, chunks + 1, u64::MAX] {
				assert!(matches!(
					store.prove_chunks(&id, &[0, bad, chunks - 1]),
					Err(ProveError::ChunkOutOfRange { chunk, chunks: count })
						if chunk == bad && count == chunks
				));
			}
		}
	}

	#[test]
	fn unknown_content_is_not_found() {
		let (_dir, store) = store();
		assert!(matches!(store.prove_chunks(&[7; 32], &[0]), Err(ProveError::NotFound)));
		let id = store.import_bytes(&bytes(5000, 2)).unwrap();
		store.remove(&id).unwrap();
		assert!(matches!(store.prove_chunks(&id, &[0]), Err(ProveError::NotFound)));
	}

	/// Flips one bit of the file at `path` at `offset`.
	fn flip(path: &std::path::Path, offset: u64) {
		let file = OpenOptions::new().read(true).write(true).open(path).unwrap();
		let mut byte = [0u8];
		file.read_exact_at(&mut byte, offset).unwrap();
		byte[0] ^= 0x10;
		file.write_all_at(&byte, offset).unwrap();
	}

	#[test]
	fn corrupt_data_gives_the_corruption_error_and_spares_other_groups() {
		let (_dir, store) = store();
		let data = bytes(5 * GROUP + 100, 3);
		let id = store.import_bytes(&data).unwrap();
		// A bit in chunk group 2 and one in the last, partial group.
		flip(&store.data_path(&id), 2 * GROUP_BYTES + 500);
		flip(&store.data_path(&id), 5 * GROUP_BYTES + 99);
		for chunk in [2 * GROUP_CHUNKS, 2 * GROUP_CHUNKS + 15, 5 * GROUP_CHUNKS] {
			assert!(
				matches!(
					store.prove_chunks(&id, &[0, chunk]),
					Err(ProveError::Corrupt { id: bad }) if bad == id
				),
				"chunk {chunk}"
			);
		}
		// The other groups still prove (the proof needs only the chunk's group).
		let chunks = [0, GROUP_CHUNKS, 3 * GROUP_CHUNKS + 4, 4 * GROUP_CHUNKS + 15];
		for (chunk, proof) in chunks.iter().zip(store.prove_chunks(&id, &chunks).unwrap()) {
			assert_eq!(proof, build_proof(&data, *chunk).unwrap());
		}
	}

	#[test]
	fn corrupt_content_of_one_group_gives_the_corruption_error() {
		let (_dir, store) = store();
		for size in [1, 1024, 5000, GROUP] {
			let id = store.import_bytes(&bytes(size, 4)).unwrap();
			flip(&store.data_path(&id), size as u64 - 1);
			assert!(matches!(
				store.prove_chunks(&id, &[0]),
				Err(ProveError::Corrupt { id: bad }) if bad == id
			));
		}
	}

	#[test]
	fn truncated_data_gives_the_corruption_error() {
		let (_dir, store) = store();
		let size = 3 * GROUP + 10;
		let id = store.import_bytes(&bytes(size, 5)).unwrap();
		OpenOptions::new()
			.write(true)
			.open(store.data_path(&id))
			.unwrap()
			.set_len(size as u64 - 1)
			.unwrap();
		let last = chunk_count(size as u64) - 1;
		assert!(matches!(store.prove_chunks(&id, &[last]), Err(ProveError::Corrupt { .. })));
		store.prove_chunks(&id, &[0]).unwrap();
	}

	#[test]
	fn a_damaged_outboard_is_inconsistent() {
		let (_dir, store) = store();
		let data = bytes(6 * GROUP + 1, 6);
		let id = store.import_bytes(&data).unwrap();
		let pairs = BaoTree::new(data.len() as u64, BLOCK_SIZE).outboard_size();
		// Post-order: the root pair is the last one; every path starts there.
		flip(&store.outboard_path(&id), pairs - 64 + 3);
		for chunk in [0, 40, 96] {
			assert!(matches!(
				store.prove_chunks(&id, &[chunk]),
				Err(ProveError::OutboardInconsistent { id: bad }) if bad == id
			));
		}
		// The first pair is (group 0, group 1): a damaged CV of group 1 would be the sibling
		// of chunk 0's group, and is caught by the pair's merge.
		let data = bytes(6 * GROUP + 1, 8);
		let id = store.import_bytes(&data).unwrap();
		flip(&store.outboard_path(&id), 32 + 5);
		assert!(matches!(
			store.prove_chunks(&id, &[0]),
			Err(ProveError::OutboardInconsistent { .. })
		));
		assert_eq!(store.prove_chunks(&id, &[96]).unwrap()[0], build_proof(&data, 96).unwrap());
		// A truncated outboard (the size suffix and then some pairs gone).
		let id = store.import_bytes(&bytes(6 * GROUP + 1, 7)).unwrap();
		OpenOptions::new()
			.write(true)
			.open(store.outboard_path(&id))
			.unwrap()
			.set_len(pairs - 64)
			.unwrap();
		assert!(matches!(
			store.prove_chunks(&id, &[0]),
			Err(ProveError::OutboardInconsistent { .. })
		));
	}

	fn sizes() -> impl Strategy<Value = usize> {
		prop_oneof![
			Just(0usize),
			Just(1),
			Just(1024),
			Just(GROUP),
			Just(GROUP + 1),
			(1usize..20).prop_map(|groups| groups * GROUP),
			(1usize..20, 0usize..3).prop_map(|(groups, d)| groups * GROUP + d - 1),
			0usize..40_000,
			0usize..300_000,
		]
	}

	proptest! {
		#![proptest_config(ProptestConfig::with_cases(64))]

		#[test]
		fn proofs_of_random_chunks_equal_build_proof(
			size in sizes(),
			seed in any::<u64>(),
			picks in proptest::collection::vec(any::<u64>(), 1..=16),
		) {
			let (_dir, store) = store();
			let data = bytes(size, seed);
			let count = chunk_count(size as u64);
			let mut chunks: Vec<u64> = picks.iter().map(|pick| pick % count).collect();
			chunks.push(count - 1);
			check(&store, &data, &chunks);
		}
	}

	/// Times 16 proofs of a 256 MiB item: the outboard prover against one pass over the
	/// content per proof. Run with
	/// `cargo test --profile release -p bitcloud-content prove::tests::timing -- --ignored --nocapture`.
	#[test]
	#[ignore = "a measurement, not a test: 256 MiB on disk"]
	fn timing_16_proofs_of_256_mib() {
		let (_dir, store) = store();
		let size = 256u64 << 20;
		let data = bytes(size as usize, 11);
		let id = store.import_bytes(&data).unwrap();
		let chunks =
			spread_chunks(size, 16, true, |j| u64::from(j).wrapping_mul(0x9e37_79b9_7f4a_7c15));
		let started = std::time::Instant::now();
		let fast = store.prove_chunks(&id, &chunks).unwrap();
		let outboard = started.elapsed();
		let started = std::time::Instant::now();
		let slow: Vec<_> = chunks
			.iter()
			.map(|chunk| {
				let file = File::open(store.data_path(&id)).unwrap();
				build_proof_from_reader(io::BufReader::new(file), size, *chunk).unwrap()
			})
			.collect();
		let streaming = started.elapsed();
		assert_eq!(fast, slow);
		println!(
			"16 proofs of 256 MiB: prove_chunks {outboard:?}, build_proof_from_reader {streaming:?}"
		);
	}
}
