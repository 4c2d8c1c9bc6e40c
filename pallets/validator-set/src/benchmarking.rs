//! Benchmarks of the validator set (v2), each with its worst case: the largest set the call
//! accepts, so that the duplicate check scans it all.

use super::*;
use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::BoundedVec,
	traits::{EnsureOrigin, Get},
};
use polkadot_sdk::frame_benchmarking::v2::*;

const SEED: u32 = 0;

/// Validator candidate number `index`, with session keys.
fn candidate<T: Config>(index: u32) -> T::AccountId {
	let who: T::AccountId = account("validator", index, SEED);
	T::BenchmarkHelper::set_session_keys(&who);
	who
}

/// Replace the set with `n` validators with session keys; returns them.
fn set_of<T: Config>(n: u32) -> Result<Vec<T::AccountId>, BenchmarkError> {
	let validators: Vec<_> = (0..n).map(candidate::<T>).collect();
	let bounded = BoundedVec::<_, T::MaxValidators>::try_from(validators.clone())
		.map_err(|_| BenchmarkError::Stop("set above MaxValidators"))?;
	Validators::<T>::put(bounded);
	Ok(validators)
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// The set one short of `MaxValidators`: the new validator fills it.
	#[benchmark]
	fn add_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let max = T::MaxValidators::get();
		set_of::<T>(max.saturating_sub(1))?;
		let who = candidate::<T>(max);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		let validators = Validators::<T>::get();
		assert_eq!(validators.len(), max as usize);
		assert_eq!(validators.last(), Some(&who));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	/// A full set (more than `MinValidators`), removing its last validator: the lookup scans
	/// the whole set.
	#[benchmark]
	fn remove_validator() -> Result<(), BenchmarkError> {
		let origin =
			T::AddRemoveOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let max = T::MaxValidators::get();
		if max <= T::MinValidators::get() {
			// No validator can ever be removed.
			return Err(BenchmarkError::Weightless);
		}
		let validators = set_of::<T>(max)?;
		let who = validators.last().cloned().ok_or(BenchmarkError::Stop("empty set"))?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, who.clone());

		let validators = Validators::<T>::get();
		assert_eq!(validators.len(), max.saturating_sub(1) as usize);
		assert!(!validators.contains(&who));
		assert!(SetChanged::<T>::get());
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
