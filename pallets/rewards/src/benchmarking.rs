//! Benchmarks of the reward distribution (v2), each with its worst-case input: a claim that
//! pays `m` live moderators (up to `MaxCommissionsPerClaim`) besides unmoderated bytes, and a
//! pruning step that removes `n` claim records.

use super::*;
use alloc::vec::Vec;
use bitcloud_primitives::{EpochIndex, ModeratorRegistry};
use frame_support::{
	traits::{EnsureOrigin, Get, Hooks},
	weights::Weight,
};
use frame_system::RawOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::{traits::Bounded, Perbill};

const SEED: u32 = 0;
const EPOCH: EpochIndex = 1;

/// A schedule that emits a lot, so that the cap, not the pot, sets the reward.
fn generous_schedule<T: Config>() {
	Schedule::<T>::put(EmissionSchedule {
		base: BalanceOf::<T>::max_value() / 4u32.into(),
		bootstrap_epochs: 0,
		bootstrap_multiplier: 1,
		decay: Perbill::zero(),
		decay_period: 0,
	});
}

/// A node with bytes in `EPOCH` under `m` fresh live moderators and unmoderated, the epoch
/// final and claimable.
fn node_with_moderators<T: Config>(m: u32) -> T::AccountId {
	generous_schedule::<T>();
	let node: T::AccountId = account("node", 0, SEED);
	T::BenchmarkHelper::register_node(&node);
	let mut bytes: Vec<(Option<T::AccountId>, u64)> = (0..m)
		.map(|i| {
			let moderator: T::AccountId = account("moderator", i, SEED);
			T::Moderators::ensure_live_moderator(&moderator, 1);
			(Some(moderator), 1_000_000_000)
		})
		.collect();
	bytes.push((None, 1_000_000_000));
	T::BenchmarkHelper::credit_and_finalise(EPOCH, &node, bytes);
	node
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn claim_rewards(m: Linear<0, { T::MaxCommissionsPerClaim::get() }>) {
		let node = node_with_moderators::<T>(m);

		#[extrinsic_call]
		_(RawOrigin::Signed(node.clone()), EPOCH);

		assert!(Claimed::<T>::contains_key(EPOCH, &node));
	}

	#[benchmark]
	fn set_emission_schedule() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let schedule = EmissionSchedule {
			base: 1_000u32.into(),
			bootstrap_epochs: 10,
			bootstrap_multiplier: 2,
			decay: Perbill::from_percent(1),
			decay_period: 10,
		};

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, schedule);

		assert_eq!(Schedule::<T>::get(), schedule);
		Ok(())
	}

	#[benchmark]
	fn prune_claims(n: Linear<0, { T::MaxPrunePerBlock::get() }>) {
		let value: BalanceOf<T> = 1u32.into();
		EpochTotals::<T>::insert(
			0,
			EpochRecord { pot: value * n.max(1).into(), total_bytes: 1, paid: value * n.into() },
		);
		for i in 0..n {
			let node: T::AccountId = account("node", i, SEED);
			Claimed::<T>::insert(0, node, value);
		}
		TotalPaid::<T>::put(value * n.into());
		T::BenchmarkHelper::set_current_epoch(T::ClaimWindow::get().saturating_add(1));

		#[block]
		{
			Pallet::<T>::on_idle(1u32.into(), Weight::MAX);
		}

		assert_eq!(Claimed::<T>::iter_prefix(0).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
