//! Benchmarks of the storage law (v2), each with its worst case: `respond` with the deepest
//! proof (a full chunk and `MAX_PROOF_DEPTH` siblings), expiry where every challenge is a
//! strike that bans its node, and selection where every sampled node has the most
//! subscriptions.

use super::*;
use alloc::vec::Vec;
use bitcloud_primitives::{storage_proof::worst_case_proof, EpochClock, NodePenalties};
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

/// Insert a challenge of `node` on `content` directly.
fn insert_challenge<T: Config>(
	node: &T::AccountId,
	content: bitcloud_primitives::ContentId,
	size: u64,
	deadline: BlockNumberFor<T>,
) -> ChallengeId {
	let id = NextChallengeId::<T>::get();
	NextChallengeId::<T>::put(id.saturating_add(1));
	Challenges::<T>::insert(
		id,
		Challenge {
			node: node.clone(),
			moderator: node.clone(),
			content,
			size,
			chunk: 0,
			issued_at: Default::default(),
			deadline,
		},
	);
	NodeChallenges::<T>::insert(node, id, ());
	id
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn respond() {
		let caller: T::AccountId = whitelisted_caller();
		let (root, size, proof) = worst_case_proof();
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(One::one());
		let id = insert_challenge::<T>(&caller, root, size, deadline);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), id, proof);

		assert!(!Challenges::<T>::contains_key(id));
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
			insert_challenge::<T>(&who, [1; 32], 1, One::one());
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
		let now = frame_system::Pallet::<T>::block_number();
		let epoch = T::Epochs::current_epoch();
		let sampled;

		#[block]
		{
			sampled = Pallet::<T>::issue_challenges(epoch, now);
		}

		assert_eq!(sampled, n);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
