//! Benchmarks of the storage law (v2), each with its worst case: `respond(n)` to a probe that
//! proves its content, with `n` proofs of the greatest depth a listed item can need (full
//! chunks spread over the largest item a catalog can list, ending with its last), expiry where
//! every challenge is a missed lease challenge whose strike bans its node (and drops it from
//! the lease), and selection where every sampled node has the most subscriptions and keeps a
//! lease, and gets an obligation challenge, a probe and a lease challenge, each naming the
//! most chunks.

use super::*;
use alloc::{vec, vec::Vec};
use bitcloud_primitives::{
	storage_proof::{
		chunk_count, chunk_len, spread_chunks, verify_proof, ProofChunk, ProofPath, CHUNK_LEN,
		MAX_CHALLENGE_CHUNKS,
	},
	traits::CatalogProofs,
	ChallengeChunks, ChallengeProofs, ContentId, EpochClock, KeptLease, LeaseObligations,
	NodePenalties, StorageProof,
};
use blake3::hazmat::{merge_subtrees_non_root, merge_subtrees_root, HasherExt, Mode};
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::{
	traits::{Hash, One, Saturating},
	Perbill,
};

const SEED: u32 = 0;

/// Moderators with a catalog each, as many as a node may subscribe to.
fn moderators<T: Config>() -> Vec<T::AccountId> {
	(0..T::BenchmarkHelper::max_subscriptions())
		.map(|i| {
			let m: T::AccountId = account("moderator", i, SEED);
			T::BenchmarkHelper::moderator_with_catalog(&m);
			m
		})
		.collect()
}

/// Node number `i`, subscribed to `moderators`.
fn node<T: Config>(i: u32, moderators: &[T::AccountId]) -> T::AccountId {
	let who: T::AccountId = account("node", i, SEED);
	T::BenchmarkHelper::node_subscribed_to(&who, moderators);
	who
}

/// Insert a challenge of `node` on `chunks` of `content` of `moderator` (if any) directly.
fn insert_challenge<T: Config>(
	node: &T::AccountId,
	moderator: Option<&T::AccountId>,
	(content, size, chunks): (ContentId, u64, ChallengeChunks),
	issued_at: BlockNumberFor<T>,
	deadline: BlockNumberFor<T>,
	kind: ChallengeKind,
) -> ChallengeId {
	let id = NextChallengeId::<T>::get();
	NextChallengeId::<T>::put(id.saturating_add(1));
	Challenges::<T>::insert(
		id,
		Challenge {
			node: node.clone(),
			moderator: moderator.cloned(),
			content,
			size,
			chunks,
			issued_at,
			deadline,
			kind,
		},
	);
	NodeChallenges::<T>::insert(node, id, ());
	id
}

/// Make `node` keep a lease of an item of the largest size (its challenge names the most
/// chunks) and return it as the law sees it (made up if the runtime's leases keep nothing).
fn lease_of<T: Config>(node: &T::AccountId) -> KeptLease {
	let content: ContentId = T::Hashing::hash_of(node).as_ref().try_into().unwrap_or([7; 32]);
	let bytes = T::BenchmarkHelper::largest_item_size();
	T::BenchmarkHelper::node_keeps_lease(node, content, bytes);
	let kept = T::Leases::kept_len(node);
	kept.checked_sub(1).and_then(|last| T::Leases::kept_at(node, last)).unwrap_or(KeptLease {
		lease: 0,
		content,
		bytes,
	})
}

/// Chunks in the left subtree of a subtree of `chunks` (at least two) chunks: the largest
/// power of two below `chunks` (BLAKE3's rule).
fn left_chunks(chunks: u64) -> u64 {
	let below = chunks.saturating_sub(1).max(1);
	1u64 << (63 - below.leading_zeros())
}

/// The bytes of chunk `index` of the synthetic item of `size` bytes: as long as the size
/// gives that chunk, arbitrary.
fn synthetic_chunk(size: u64, index: u64) -> Vec<u8> {
	let len = chunk_len(size, index).unwrap_or_default();
	(0..len).map(|b| (b as u8) ^ (index as u8)).collect()
}

/// The chaining value (the root's bytes if `root`) of the subtree of `len` chunks from chunk
/// `first` of the synthetic item of `size` bytes, whose chunks `targets` (ascending, in the
/// subtree) are real; pushes onto `paths` (one per target) the sibling of each level, bottom
/// first. A subtree holding no target gets an arbitrary chaining value.
fn synthetic_subtree(
	size: u64,
	(first, len): (u64, u64),
	targets: &[u64],
	paths: &mut [Vec<[u8; 32]>],
	root: bool,
) -> [u8; 32] {
	if targets.is_empty() {
		return [(first ^ len) as u8; 32];
	}
	if len == 1 {
		let mut hasher = blake3::Hasher::new();
		hasher.set_input_offset(first.saturating_mul(CHUNK_LEN));
		hasher.update(&synthetic_chunk(size, first));
		return hasher.finalize_non_root();
	}
	let left = left_chunks(len);
	let split = targets.partition_point(|t| *t < first.saturating_add(left));
	let (left_targets, right_targets) = targets.split_at(split);
	let (left_paths, right_paths) = paths.split_at_mut(split);
	let left_cv = synthetic_subtree(size, (first, left), left_targets, left_paths, false);
	let right_cv = synthetic_subtree(
		size,
		(first.saturating_add(left), len.saturating_sub(left)),
		right_targets,
		right_paths,
		false,
	);
	left_paths.iter_mut().for_each(|path| path.push(right_cv));
	right_paths.iter_mut().for_each(|path| path.push(left_cv));
	if root {
		*merge_subtrees_root(&left_cv, &right_cv, Mode::Hash).as_bytes()
	} else {
		merge_subtrees_non_root(&left_cv, &right_cv, Mode::Hash)
	}
}

/// A synthetic item of `size` bytes with valid proofs of its chunks `chunks` (ascending, in
/// range), in order, and the root they all lead to.
///
/// Only the chunks named have bytes; every subtree beside their paths gets an arbitrary
/// chaining value, and the ones on the paths are merged from them with the `blake3` crate's
/// tree API, as the verifier does. Nobody knows content with that root; the proofs are valid
/// all the same (checked here with `verify_proof`), which is what a benchmark of
/// verification needs. A real content cannot be used: building its proofs needs `std` (the
/// benchmarks run in the wasm runtime) and hashing a whole item of the largest size.
fn synthetic_proofs(size: u64, chunks: &[u64]) -> (ContentId, Vec<StorageProof>) {
	let mut paths = vec![Vec::new(); chunks.len()];
	let root = if chunk_count(size) == 1 {
		*blake3::hash(&synthetic_chunk(size, 0)).as_bytes()
	} else {
		synthetic_subtree(size, (0, chunk_count(size)), chunks, &mut paths, true)
	};
	let proofs: Vec<StorageProof> = chunks
		.iter()
		.zip(paths)
		.map(|(chunk, siblings)| StorageProof {
			chunk: ProofChunk::truncate_from(synthetic_chunk(size, *chunk)),
			siblings: ProofPath::truncate_from(siblings),
		})
		.collect();
	for (chunk, proof) in chunks.iter().zip(&proofs) {
		assert_eq!(verify_proof(&root, size, *chunk, proof), Ok(()), "chunk {chunk} proves");
	}
	(root, proofs)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// `n` proofs, each of the greatest depth an item of the largest size a catalog can list
	/// has: `n` full chunks of it spread as a probe spreads them (ending with the last), all
	/// verified, and the probe proves the item. Verification is what grows with `n`: the
	/// storage accesses are the same for any `n`.
	#[benchmark]
	fn respond(n: Linear<1, { MAX_CHALLENGE_CHUNKS }>) {
		let caller: T::AccountId = whitelisted_caller();
		let moderator: T::AccountId = account("moderator", 0, SEED);
		let size = T::BenchmarkHelper::largest_item_size();
		let chunks = spread_chunks(size, n, true, |j| u64::from(j).wrapping_mul(0x9e37_79b9));
		assert_eq!(chunks.len() as u32, n, "the largest item has at least n chunks");
		let (root, proofs) = synthetic_proofs(size, &chunks);
		T::BenchmarkHelper::list_unproven(&moderator, root, size);
		let issued_at = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(issued_at);
		let deadline = issued_at.saturating_add(One::one());
		let id = insert_challenge::<T>(
			&caller,
			Some(&moderator),
			(root, size, chunks),
			issued_at,
			deadline,
			ChallengeKind::Probe,
		);
		let proofs = ChallengeProofs::truncate_from(proofs);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, proofs);

		assert!(!Challenges::<T>::contains_key(id));
		assert_eq!(T::Moderators::proven_len(&moderator), 1);
	}

	#[benchmark]
	fn set_params() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let params = LawParams { strike_window: 7, ..T::DefaultParams::get() };

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, params);

		assert_eq!(Params::<T>::get(), params);
		Ok(())
	}

	#[benchmark]
	fn expire_challenges(n: Linear<0, { T::MaxExpiriesPerBlock::get() }>) {
		let moderators = moderators::<T>();
		let params = LawParams { strikes_per_step: 1, ..T::DefaultParams::get() };
		Params::<T>::put(params);
		frame_system::Pallet::<T>::set_block_number(10u32.into());
		let now = frame_system::Pallet::<T>::block_number();
		for i in 0..n {
			let who = node::<T>(i, &moderators);
			// Suspended: the next strike bans it.
			T::Penalties::suspend(&who).expect("registered");
			// A lease challenge: the miss also drops the node from the lease.
			let lease = lease_of::<T>(&who);
			insert_challenge::<T>(
				&who,
				None,
				(lease.content, lease.bytes, ChallengeChunks::truncate_from(vec![0])),
				Default::default(),
				One::one(),
				ChallengeKind::Lease(lease.lease),
			);
		}

		#[block]
		{
			Pallet::<T>::expire_challenges(now);
		}

		assert_eq!(ExpiryCursor::<T>::get(), u64::from(n));
	}

	#[benchmark]
	fn issue_challenges(n: Linear<1, { T::MaxChallengesPerEpoch::get() }>) {
		let moderators = moderators::<T>();
		let params = LawParams {
			challenge_rate: Perbill::one(),
			challenges_per_epoch: n,
			chunks_per_challenge: MAX_CHALLENGE_CHUNKS,
			..T::DefaultParams::get()
		};
		Params::<T>::put(params);
		for i in 0..n {
			lease_of::<T>(&node::<T>(i, &moderators));
		}
		// The unproven items are past their grace period: every node is probed too.
		let now =
			frame_system::Pallet::<T>::block_number().saturating_add(T::ContentGracePeriod::get());
		frame_system::Pallet::<T>::set_block_number(now);
		let epoch = T::Epochs::current_epoch();
		let sampled;

		#[block]
		{
			sampled = Pallet::<T>::issue_challenges(epoch, now);
		}

		assert_eq!(sampled, n);
		// Each sampled benchmark node got an obligation challenge, a probe and, if the
		// runtime's leases keep what the helper gave it, a lease challenge (the genesis may
		// hold nodes of its own, which may be sampled instead).
		for i in 0..n {
			let who: T::AccountId = account("node", i, SEED);
			let challenges = NodeChallenges::<T>::iter_key_prefix(&who).count();
			let leases = usize::from(T::Leases::kept_len(&who) > 0);
			assert!(challenges == 0 || challenges == 2 + leases, "{challenges} challenges");
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
