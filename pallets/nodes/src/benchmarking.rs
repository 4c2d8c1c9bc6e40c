//! Benchmarks of the node registry (v2), each with its worst-case input: the longest endpoint
//! and `MaxSubscriptions` subscriptions whenever a call looks at them.

use super::*;
use alloc::{vec, vec::Vec};
use bitcloud_primitives::{EpochClock, ModeratorRegistry, Standing};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::traits::Saturating;

const SEED: u32 = 0;

fn endpoint<T: Config>() -> Vec<u8> {
	vec![b'e'; T::MaxEndpointLength::get() as usize]
}

/// An account with enough funds for a large bond.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let funds = T::MinBond::get()
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, funds);
	who
}

/// A registered node with `capacity` bytes.
fn node<T: Config>(index: u32, capacity: u64) -> T::AccountId {
	let who = funded::<T>("node", index);
	Pallet::<T>::do_register_node(
		&who,
		T::MinBond::get(),
		capacity,
		endpoint::<T>(),
		[1; 32],
		true,
	)
	.expect("a funded new account can register");
	who
}

/// Live moderator number `index` with a one-byte catalog.
fn moderator<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("moderator", index, SEED);
	T::Moderators::ensure_live_moderator(&who, 1);
	who
}

/// Subscribe `node` to `n` fresh moderators; returns them.
fn subscribe_to<T: Config>(node: &T::AccountId, n: u32) -> Vec<T::AccountId> {
	(0..n)
		.map(|i| {
			let m = moderator::<T>(i);
			Pallet::<T>::do_subscribe(node, &m).expect("capacity and limit allow it");
			m
		})
		.collect()
}

/// A node with `MaxSubscriptions` subscriptions whose capacity covers them exactly; a second
/// node registered after it, so that removing the first moves the second.
fn busy_node<T: Config>() -> (T::AccountId, Vec<T::AccountId>) {
	let max = T::MaxSubscriptions::get();
	let who = node::<T>(0, max.max(1) as u64);
	let moderators = subscribe_to::<T>(&who, max);
	node::<T>(1, 1);
	(who, moderators)
}

/// Unsubscribe `node` from all `moderators` and move to the epoch their subscriptions end in.
fn end_subscriptions<T: Config>(node: &T::AccountId, moderators: &[T::AccountId]) {
	for m in moderators {
		Pallet::<T>::do_unsubscribe(node, m).expect("subscribed");
	}
	let ends = T::Epochs::current_epoch().saturating_add(T::UnsubscribeDelay::get());
	let start = T::Epochs::epoch_start(ends).expect("a near epoch has a start");
	frame_system::Pallet::<T>::set_block_number(start);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_node() {
		let caller = funded::<T>("node", 0);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			T::MinBond::get(),
			u64::MAX,
			endpoint::<T>(),
			[1; 32],
			true,
		);

		assert!(Nodes::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn update_node() {
		let (caller, moderators) = busy_node::<T>();
		// A catalog grew: the node is in a shortfall the update ends.
		let capacity = Nodes::<T>::get(&caller).map(|n| n.capacity).unwrap_or_default();
		if let Some(first) = moderators.first() {
			T::Moderators::ensure_live_moderator(first, 2);
			Pallet::<T>::do_check_capacity(&caller).expect("registered");
		}

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			capacity.saturating_add(1),
			endpoint::<T>(),
			[2; 32],
			false,
		);

		assert!(!OverCapacitySince::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn bond_extra() {
		let caller = node::<T>(0, 1);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), T::MinBond::get());

		assert_eq!(
			Nodes::<T>::get(&caller).map(|n| n.bond),
			Some(T::MinBond::get().saturating_add(T::MinBond::get()))
		);
	}

	#[benchmark]
	fn subscribe() {
		// Every slot is taken by an ended subscription, all removed before the new one.
		let (caller, moderators) = busy_node::<T>();
		end_subscriptions::<T>(&caller, &moderators);
		let target = moderator::<T>(T::MaxSubscriptions::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), target.clone());

		assert!(Subscribers::<T>::contains_key(&target, &caller));
	}

	#[benchmark]
	fn unsubscribe() {
		// From a retired moderator: removed at once, with a capacity check (heavier than
		// scheduling the end of a live subscription).
		let (caller, moderators) = busy_node::<T>();
		let target = moderators[0].clone();
		T::Moderators::ensure_retired_moderator(&target);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), target.clone());

		assert!(!Subscribers::<T>::contains_key(&target, &caller));
	}

	#[benchmark]
	fn prune_subscription() {
		let (target_node, moderators) = busy_node::<T>();
		let target = moderators[0].clone();
		T::Moderators::ensure_retired_moderator(&target);
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), target_node.clone(), target.clone());

		assert!(!Subscribers::<T>::contains_key(&target, &target_node));
	}

	#[benchmark]
	fn deregister_node() {
		// Every subscription has ended and is removed with the node.
		let (caller, moderators) = busy_node::<T>();
		end_subscriptions::<T>(&caller, &moderators);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(Unbonding::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn withdraw_unbonded() {
		let caller = node::<T>(0, 1);
		Pallet::<T>::do_deregister_node(&caller).expect("registered");
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get()),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Unbonding::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn check_capacity() {
		let (target, moderators) = busy_node::<T>();
		if let Some(first) = moderators.first() {
			T::Moderators::ensure_live_moderator(first, 2);
		}
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), target.clone());

		assert!(moderators.is_empty() || OverCapacitySince::<T>::contains_key(&target));
	}

	#[benchmark]
	fn force_set_standing() -> Result<(), BenchmarkError> {
		// Banning is the heaviest standing change.
		let (target, _) = busy_node::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, target.clone(), Standing::Banned);

		assert!(Banned::<T>::contains_key(&target));
		Ok(())
	}

	#[benchmark]
	fn force_unban() -> Result<(), BenchmarkError> {
		let target = node::<T>(0, 1);
		Pallet::<T>::do_ban(&target).expect("registered");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, target.clone());

		assert!(!Banned::<T>::contains_key(&target));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
