//! Benchmarks of the storage law (v2), each with its worst case: `respond` to a probe that
//! proves its content, with the deepest proof a listed item can need (the last, full chunk of
//! the largest item a catalog can list), expiry where every challenge is a strike that bans
//! its node, and selection where every sampled node has the most subscriptions and gets both
//! an obligation challenge and a probe.

use super::*;
use alloc::vec::Vec;
use bitcloud_primitives::{
	storage_proof::{
		chunk_count, chunk_len, root_from_proof, ProofChunk, ProofPath, MAX_PROOF_DEPTH,
	},
	traits::CatalogProofs,
	ContentId, EpochClock, NodePenalties, StorageProof,
};
use frame_support::traits::{EnsureOrigin, Get};
use frame_system::{pallet_prelude::BlockNumberFor, RawOrigin};
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::{
	traits::{One, Saturating},
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

/// Insert a challenge of `node` on `chunk` of `content` of `moderator` directly.
fn insert_challenge<T: Config>(
	node: &T::AccountId,
	moderator: &T::AccountId,
	(content, size, chunk): (ContentId, u64, u64),
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
			moderator: moderator.clone(),
			content,
			size,
			chunk,
			issued_at,
			deadline,
			kind,
		},
	);
	NodeChallenges::<T>::insert(node, id, ());
	id
}

/// A proof of the last chunk of content of `size` bytes (a full-length chunk of arbitrary
/// bytes and as many arbitrary siblings as the tree is deep there) and the root it proves.
/// Nobody knows content with that root; the proof is valid all the same, which is what a
/// benchmark of verification needs.
fn last_chunk_proof(size: u64) -> (ContentId, StorageProof) {
	let chunk = chunk_count(size).saturating_sub(1);
	let bytes: Vec<u8> = (0..chunk_len(size, chunk).unwrap_or_default()).map(|b| b as u8).collect();
	let chunk_bytes = ProofChunk::truncate_from(bytes);
	for depth in 0..=MAX_PROOF_DEPTH {
		let siblings = ProofPath::truncate_from((0..depth).map(|l| [l as u8; 32]).collect());
		let proof = StorageProof { chunk: chunk_bytes.clone(), siblings };
		if let Ok(root) = root_from_proof(size, chunk, &proof) {
			return (root, proof);
		}
	}
	panic!("every size has a depth within MAX_PROOF_DEPTH");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn respond() {
		let caller: T::AccountId = whitelisted_caller();
		let moderator: T::AccountId = account("moderator", 0, SEED);
		let size = T::BenchmarkHelper::largest_item_size();
		let (root, proof) = last_chunk_proof(size);
		T::BenchmarkHelper::list_unproven(&moderator, root, size);
		let issued_at = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		frame_system::Pallet::<T>::set_block_number(issued_at);
		let deadline = issued_at.saturating_add(One::one());
		let last = chunk_count(size).saturating_sub(1);
		let id = insert_challenge::<T>(
			&caller,
			&moderator,
			(root, size, last),
			issued_at,
			deadline,
			ChallengeKind::Probe,
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, proof);

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
			insert_challenge::<T>(
				&who,
				&who,
				([1; 32], 1, 0),
				Default::default(),
				One::one(),
				ChallengeKind::Obligation,
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
			..T::DefaultParams::get()
		};
		Params::<T>::put(params);
		for i in 0..n {
			node::<T>(i, &moderators);
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
		// Each sampled benchmark node got an obligation challenge and a probe (the genesis
		// may hold nodes of its own, which may be sampled instead).
		for i in 0..n {
			let who: T::AccountId = account("node", i, SEED);
			let challenges = NodeChallenges::<T>::iter_key_prefix(&who).count();
			assert!(challenges == 0 || challenges == 2, "{challenges} challenges");
		}
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
