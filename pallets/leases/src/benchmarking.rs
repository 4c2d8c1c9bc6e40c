//! Benchmarks of the storage leases (v2), each with its worst case: leases under a moderator
//! (the most checks), of `MaxLeaseBytes` bytes with `MaxReplicas` keepers, every keeper owed
//! epochs and paid (a transfer each), and every bounded list a call reads or rewrites full
//! (`ownerLeases`, `contentLeases`, each keeper's `keptBy`; the lists are filled with ids of
//! no lease, which costs the same to decode, scan and encode as real ones).

use super::*;
use alloc::vec;
use bitcloud_primitives::{ContentId, EpochClock, EpochIndex, LeaseId, LeaseObligations};
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use polkadot_sdk::frame_benchmarking::v2::*;
use sp_runtime::traits::{One, Saturating};

const SEED: u32 = 0;

/// Epochs the benchmark leases are paid for.
const EPOCHS: EpochIndex = 4;

/// The object of the benchmark leases.
const CONTENT: ContentId = [7; 32];

/// Give `who` enough for several of the largest leases and many deposits.
fn fund<T: Config>(who: &T::AccountId) {
	let lease: BalanceOf<T> =
		cost(One::one(), T::MaxLeaseBytes::get(), T::MaxReplicas::get(), 4 * EPOCHS)
			.unwrap_or_else(|| 1_000_000u32.into());
	let deposits = T::ShareDeposit::get().saturating_mul(T::MaxSharesPerRecipient::get().into());
	let amount = lease
		.saturating_mul(4u32.into())
		.saturating_add(deposits.saturating_mul(2u32.into()))
		.saturating_add(T::Currency::minimum_balance().saturating_mul(100u32.into()));
	T::Currency::set_balance(who, amount);
}

/// A funded account.
fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, SEED);
	fund::<T>(&who);
	who
}

/// A live moderator offering storage at the price of one per byte per epoch.
fn moderator<T: Config>() -> T::AccountId {
	let moderator: T::AccountId = account("moderator", 0, SEED);
	T::BenchmarkHelper::live_moderator(&moderator);
	Pallet::<T>::do_offer_storage(&moderator, One::one()).expect("a live moderator offers");
	moderator
}

/// Move to the first block of `epoch`.
fn go_to_epoch<T: Config>(epoch: EpochIndex) {
	let start = T::Epochs::epoch_start(epoch).expect("a near epoch has a start");
	frame_system::Pallet::<T>::set_block_number(start);
}

/// A list of `len` ids of no lease (`LeaseId::MAX` down).
fn fillers<S: Get<u32>>(len: u32) -> BoundedVec<LeaseId, S> {
	BoundedVec::truncate_from((0..len).map(|i| LeaseId::MAX - LeaseId::from(i)).collect())
}

/// The owner's and the object's lists of leases full but for one place.
fn full_lists<T: Config>(owner: &T::AccountId) {
	OwnerLeases::<T>::insert(owner, fillers(T::MaxLeasesPerOwner::get().saturating_sub(1)));
	ContentLeases::<T>::insert(CONTENT, fillers(T::MaxLeasesPerContent::get().saturating_sub(1)));
}

/// Node number `i`, subscribed to `moderator`, funded, keeping `MaxKeptPerNode - 1` leases.
fn busy_node<T: Config>(i: u32, moderator: &T::AccountId) -> T::AccountId {
	let node: T::AccountId = account("node", i, SEED);
	T::BenchmarkHelper::node(&node, Some(moderator));
	fund::<T>(&node);
	KeptBy::<T>::insert(&node, fillers(T::MaxKeptPerNode::get().saturating_sub(1)));
	node
}

/// A lease of `MaxLeaseBytes` bytes for `MaxReplicas` keepers under a live moderator, paid
/// for `EPOCHS` epochs from now, with the owner's and the object's lists full, and `keepers`
/// busy nodes keeping it (joined now). Returns the lease, its owner and its moderator.
fn lease<T: Config>(keepers: u32) -> (LeaseId, T::AccountId, T::AccountId) {
	let moderator = moderator::<T>();
	let owner = funded::<T>("owner", 0);
	full_lists::<T>(&owner);
	let id = NextLeaseId::<T>::get();
	Pallet::<T>::do_create_lease(
		&owner,
		CONTENT,
		T::MaxLeaseBytes::get(),
		T::MaxReplicas::get(),
		Some(moderator.clone()),
		EPOCHS,
	)
	.expect("a funded owner leases");
	for i in 0..keepers {
		let node = busy_node::<T>(i, &moderator);
		Pallet::<T>::do_keep(&node, id).expect("a subscribed node keeps");
	}
	(id, owner, moderator)
}

/// The keeper at position `index` of lease `id`.
fn keeper<T: Config>(id: LeaseId, index: usize) -> T::AccountId {
	Leases::<T>::get(id)
		.and_then(|lease| lease.keepers.get(index).map(|k| k.node.clone()))
		.expect("the keeper")
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn offer_storage() {
		let moderator = moderator::<T>();
		let price: BalanceOf<T> = 2u32.into();

		#[extrinsic_call]
		_(RawOrigin::Signed(moderator.clone()), price);

		assert_eq!(Offers::<T>::get(&moderator), Some(price));
	}

	#[benchmark]
	fn withdraw_offer() {
		let moderator = moderator::<T>();

		#[extrinsic_call]
		_(RawOrigin::Signed(moderator.clone()));

		assert!(!Offers::<T>::contains_key(&moderator));
	}

	#[benchmark]
	fn create_lease() {
		let moderator = moderator::<T>();
		let owner = funded::<T>("owner", 0);
		full_lists::<T>(&owner);
		let id = NextLeaseId::<T>::get();

		#[extrinsic_call]
		_(
			RawOrigin::Signed(owner.clone()),
			CONTENT,
			T::MaxLeaseBytes::get(),
			T::MaxReplicas::get(),
			Some(moderator),
			EPOCHS,
		);

		assert_eq!(Leases::<T>::get(id).map(|l| l.owner), Some(owner));
	}

	#[benchmark]
	fn top_up() {
		// A lapsed lease in its grace period: every keeper is settled (paid) first. With
		// fewer than two grace epochs no lease can lapse with a gap, and this is a plain
		// top-up.
		let (id, owner, _) = lease::<T>(T::MaxReplicas::get());
		let start = T::Epochs::current_epoch();
		let grace = T::GraceEpochs::get();
		let now = start.saturating_add(EPOCHS).saturating_add(grace.saturating_sub(1));
		go_to_epoch::<T>(now);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id, EPOCHS);

		let paid_until = now.max(start.saturating_add(EPOCHS)).saturating_add(EPOCHS);
		assert_eq!(Leases::<T>::get(id).map(|l| l.paid_until), Some(paid_until));
	}

	#[benchmark]
	fn end_lease() {
		let (id, owner, _) = lease::<T>(T::MaxReplicas::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(owner), id);

		assert_eq!(Leases::<T>::get(id).map(|l| l.ended), Some(true));
	}

	#[benchmark]
	fn keep() {
		let replicas = T::MaxReplicas::get();
		let (id, _, moderator) = lease::<T>(replicas.saturating_sub(1));
		let node = busy_node::<T>(replicas, &moderator);

		#[extrinsic_call]
		_(RawOrigin::Signed(node.clone()), id);

		assert_eq!(KeptBy::<T>::get(&node).last(), Some(&id));
	}

	#[benchmark]
	fn release() {
		let (id, _, _) = lease::<T>(T::MaxReplicas::get());
		let node = keeper::<T>(id, 0);
		go_to_epoch::<T>(T::Epochs::current_epoch().saturating_add(EPOCHS));
		let before = T::Currency::balance(&node);

		#[extrinsic_call]
		_(RawOrigin::Signed(node.clone()), id);

		assert!(T::Currency::balance(&node) > before);
		assert!(!KeptBy::<T>::get(&node).contains(&id));
	}

	#[benchmark]
	fn claim() {
		let (id, _, _) = lease::<T>(T::MaxReplicas::get());
		let node = keeper::<T>(id, T::MaxReplicas::get().saturating_sub(1) as usize);
		go_to_epoch::<T>(T::Epochs::current_epoch().saturating_add(EPOCHS));
		let before = T::Currency::balance(&node);

		#[extrinsic_call]
		_(RawOrigin::Signed(node.clone()), id);

		assert!(T::Currency::balance(&node) > before);
	}

	#[benchmark]
	fn close() {
		// Every keeper is owed epochs, and the owner's index is the lease.
		let (id, owner, _) = lease::<T>(T::MaxReplicas::get());
		Pallet::<T>::do_set_index(&owner, Some(id)).expect("the owner's lease");
		let closable = Leases::<T>::get(id).map(|l| l.closable_from()).unwrap_or_default();
		go_to_epoch::<T>(closable);
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller), id);

		assert!(!Leases::<T>::contains_key(id));
		assert!(!Indexes::<T>::contains_key(&owner));
	}

	#[benchmark]
	fn set_encryption_key() {
		let caller = funded::<T>("caller", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), [1; 32]);

		assert_eq!(EncryptionKeys::<T>::get(&caller), Some([1; 32]));
	}

	#[benchmark]
	fn clear_encryption_key() {
		let caller = funded::<T>("caller", 0);
		Pallet::<T>::do_set_encryption_key(&caller, [1; 32]).expect("a valid key");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!EncryptionKeys::<T>::contains_key(&caller));
	}

	#[benchmark]
	fn set_index() {
		let (id, owner, _) = lease::<T>(0);

		#[extrinsic_call]
		_(RawOrigin::Signed(owner.clone()), Some(id));

		assert_eq!(Indexes::<T>::get(&owner), Some(id));
	}

	#[benchmark]
	fn share() {
		// The longest capsule, into an inbox full but for one place.
		let sender = funded::<T>("sender", 0);
		let recipient = funded::<T>("recipient", 0);
		Pallet::<T>::do_set_encryption_key(&recipient, [1; 32]).expect("a valid key");
		ShareCount::<T>::insert(&recipient, T::MaxSharesPerRecipient::get().saturating_sub(1));
		let capsule: CapsuleOf<T> =
			BoundedVec::truncate_from(vec![1u8; T::MaxCapsuleLen::get() as usize]);
		let id = NextShareId::<T>::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(sender), recipient.clone(), capsule);

		assert!(Shares::<T>::contains_key(&recipient, id));
	}

	#[benchmark]
	fn dismiss_share() {
		let sender = funded::<T>("sender", 0);
		let recipient = funded::<T>("recipient", 0);
		Pallet::<T>::do_set_encryption_key(&recipient, [1; 32]).expect("a valid key");
		let capsule = BoundedVec::truncate_from(vec![1u8; T::MaxCapsuleLen::get() as usize]);
		let id = NextShareId::<T>::get();
		Pallet::<T>::do_share(&sender, &recipient, capsule).expect("room in the inbox");

		#[extrinsic_call]
		_(RawOrigin::Signed(recipient.clone()), id);

		assert!(!Shares::<T>::contains_key(&recipient, id));
	}

	#[benchmark]
	fn withdraw_share() {
		let sender = funded::<T>("sender", 0);
		let recipient = funded::<T>("recipient", 0);
		Pallet::<T>::do_set_encryption_key(&recipient, [1; 32]).expect("a valid key");
		let capsule = BoundedVec::truncate_from(vec![1u8; T::MaxCapsuleLen::get() as usize]);
		let id = NextShareId::<T>::get();
		Pallet::<T>::do_share(&sender, &recipient, capsule).expect("room in the inbox");

		#[extrinsic_call]
		_(RawOrigin::Signed(sender), recipient.clone(), id);

		assert!(!Shares::<T>::contains_key(&recipient, id));
	}

	#[benchmark]
	fn missed() {
		// Not a call: what the storage law pays for when it drops a keeper.
		let (id, _, _) = lease::<T>(T::MaxReplicas::get());
		let node = keeper::<T>(id, 0);
		go_to_epoch::<T>(T::Epochs::current_epoch().saturating_add(EPOCHS));

		#[block]
		{
			<Pallet<T> as LeaseObligations<T::AccountId>>::missed(&node, id);
		}

		assert!(!KeptBy::<T>::get(&node).contains(&id));
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
