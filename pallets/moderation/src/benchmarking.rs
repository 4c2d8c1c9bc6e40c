//! Benchmarks of the moderator registry (v2), each with its worst-case input.

use super::*;
use alloc::{vec, vec::Vec};
use bitcloud_primitives::{deny_key, ContentId, EpochClock, EpochIndex};
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::{traits::Saturating, Perbill};

const SEED: u32 = 0;

/// An account with enough funds for many deposits.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	let funds = T::ModeratorDeposit::get()
		.saturating_add(T::ProposalDeposit::get())
		.saturating_mul(1_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(&who, funds);
	who
}

/// Content id number `n`.
fn content_id(n: u32) -> ContentId {
	let mut id = [0xbc; 32];
	id[..4].copy_from_slice(&n.to_le_bytes());
	id
}

fn longest(len: u32) -> Vec<u8> {
	vec![b'x'; len as usize]
}

/// A live moderator with the longest name and policy URI.
fn moderator<T: Config>() -> T::AccountId {
	let who = funded::<T>("moderator", 0);
	Pallet::<T>::do_register_moderator(
		&who,
		longest(T::MaxNameLength::get()),
		longest(T::MaxUriLength::get()),
		[1; 32],
		T::MaxCommission::get(),
	)
	.expect("a funded account can register");
	who
}

/// Move the chain to the first block of `epoch`.
fn go_to_epoch<T: Config>(epoch: EpochIndex) -> Result<(), BenchmarkError> {
	let start = T::Epochs::epoch_start(epoch).ok_or(BenchmarkError::Stop("epoch out of range"))?;
	frame_system::Pallet::<T>::set_block_number(start);
	Ok(())
}

/// List `n` one-byte items, numbered from `first`.
fn fill_catalog<T: Config>(moderator: &T::AccountId, first: u32, n: u32) {
	for i in first..first.saturating_add(n) {
		Pallet::<T>::do_list_content(
			moderator,
			content_id(i),
			1,
			longest(T::MaxTitleLength::get()),
			longest(T::MaxMimeTypeLength::get()),
			Some(moderator.clone()),
		)
		.expect("the catalog has room");
	}
}

/// A pending proposal of `content` by a fresh publisher `index`.
fn proposal<T: Config>(moderator: &T::AccountId, content: ContentId, index: u32) -> T::AccountId {
	let publisher = funded::<T>("publisher", index);
	Pallet::<T>::do_propose_content(
		&publisher,
		moderator,
		content,
		1,
		longest(T::MaxTitleLength::get()),
		longest(T::MaxMimeTypeLength::get()),
	)
	.expect("the moderator accepts proposals");
	publisher
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn register_moderator() {
		let caller = funded::<T>("moderator", 0);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			longest(T::MaxNameLength::get()),
			longest(T::MaxUriLength::get()),
			[1; 32],
			T::MaxCommission::get(),
		);

		assert!(Moderators::<T>::contains_key(&caller));
	}

	/// Worst case: the commission history is one rate short of full (a change in each of the
	/// last epochs, all still needed) and the call appends a new rate.
	#[benchmark]
	fn update_moderator() -> Result<(), BenchmarkError> {
		let caller = moderator::<T>();
		let max = T::MaxCommission::get();
		let first = T::Epochs::current_epoch();
		let changes = T::MaxCommissionChanges::get().saturating_sub(2);
		for i in 1..=changes {
			go_to_epoch::<T>(first.saturating_add(i))?;
			let rate = if i % 2 == 1 { Perbill::zero() } else { max };
			Pallet::<T>::do_update_moderator(&caller, longest(1), vec![], [1; 32], rate)
				.map_err(|_| BenchmarkError::Stop("a commission change within the bounds"))?;
		}
		go_to_epoch::<T>(first.saturating_add(changes).saturating_add(1))?;
		let rate = Perbill::from_parts(max.deconstruct() / 2);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			longest(T::MaxNameLength::get()),
			longest(T::MaxUriLength::get()),
			[2; 32],
			rate,
		);

		let rates = Moderators::<T>::get(&caller).map(|m| m.commission_rates);
		assert_eq!(rates.map(|r| r.len()), Some(T::MaxCommissionChanges::get() as usize));
		Ok(())
	}

	#[benchmark]
	fn retire_moderator() {
		let caller = moderator::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Moderators::<T>::get(&caller).expect("still registered").is_live());
	}

	#[benchmark]
	fn force_retire_moderator() -> Result<(), BenchmarkError> {
		let target = moderator::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, target.clone());

		assert!(!Moderators::<T>::get(&target).expect("still registered").is_live());
		Ok(())
	}

	#[benchmark]
	fn reap_moderator(
		c: Linear<0, { T::MaxCatalogItems::get() }>,
		d: Linear<0, { T::MaxDenyListEntries::get() }>,
		p: Linear<0, { T::MaxPendingProposals::get() }>,
	) {
		let target = moderator::<T>();
		fill_catalog::<T>(&target, 0, c);
		for i in 0..d {
			Pallet::<T>::do_deny_content(&target, deny_key(&content_id(u32::MAX - i)))
				.expect("the deny list has room");
		}
		for i in 0..p {
			proposal::<T>(&target, content_id(c.saturating_add(i)), i);
		}
		Pallet::<T>::do_retire_moderator(&target, false).expect("the moderator is live");
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::RetirementDelay::get()),
		);
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), target.clone());

		assert!(!Moderators::<T>::contains_key(&target));
	}

	#[benchmark]
	fn list_content() {
		let caller = moderator::<T>();
		fill_catalog::<T>(&caller, 0, T::MaxCatalogItems::get().saturating_sub(1));
		let content = content_id(u32::MAX);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller.clone()),
			content,
			1,
			longest(T::MaxTitleLength::get()),
			longest(T::MaxMimeTypeLength::get()),
			Some(caller.clone()),
		);

		assert!(Catalog::<T>::contains_key(&caller, content));
	}

	#[benchmark]
	fn delist_content() {
		let caller = moderator::<T>();
		// The first item goes, proven: the last proven item moves into its position and the
		// last item into the position that one leaves.
		let items = T::MaxCatalogItems::get();
		fill_catalog::<T>(&caller, 0, items);
		for i in 0..items.div_ceil(2) {
			Pallet::<T>::vouch_for_item(&caller, &content_id(i));
		}
		let content = content_id(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), content);

		assert!(!Catalog::<T>::contains_key(&caller, content));
	}

	#[benchmark]
	fn propose_content() {
		let target = moderator::<T>();
		let caller = funded::<T>("publisher", 0);
		let content = content_id(0);

		#[extrinsic_call]
		_(
			RawOrigin::Signed(caller),
			target.clone(),
			content,
			1,
			longest(T::MaxTitleLength::get()),
			longest(T::MaxMimeTypeLength::get()),
		);

		assert!(Proposals::<T>::contains_key(&target, content));
	}

	#[benchmark]
	fn accept_proposal() {
		let caller = moderator::<T>();
		fill_catalog::<T>(&caller, 1, T::MaxCatalogItems::get().saturating_sub(1));
		let content = content_id(0);
		proposal::<T>(&caller, content, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), content);

		assert!(Catalog::<T>::contains_key(&caller, content));
	}

	#[benchmark]
	fn reject_proposal() {
		let caller = moderator::<T>();
		let content = content_id(0);
		proposal::<T>(&caller, content, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), content);

		assert!(!Proposals::<T>::contains_key(&caller, content));
	}

	#[benchmark]
	fn withdraw_proposal() {
		let target = moderator::<T>();
		let content = content_id(0);
		let caller = proposal::<T>(&target, content, 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), target.clone(), content);

		assert!(!Proposals::<T>::contains_key(&target, content));
	}

	#[benchmark]
	fn deny_content() {
		let caller = moderator::<T>();
		let key = deny_key(&content_id(0));

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), key);

		assert!(DenyList::<T>::contains_key(&caller, key));
	}

	#[benchmark]
	fn allow_content() {
		let caller = moderator::<T>();
		let key = deny_key(&content_id(0));
		Pallet::<T>::do_deny_content(&caller, key).expect("the deny list has room");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), key);

		assert!(!DenyList::<T>::contains_key(&caller, key));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
