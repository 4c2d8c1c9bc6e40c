//! Benchmarks of the bandwidth ledger (v2), each with its worst-case input.
//!
//! `submit_receipts` is measured with batches of distinct client-node pairs, some receipts
//! within their clients' quota and some past it (a second component): every receipt has its
//! own client (its own lock and epoch record to read and write, its own
//! signature to check), each client record already holds `MaxPairsPerClient - 1` claims, and
//! the receipts spread over all the moderators the node may be credited under.
//!
//! Client keys live in the benchmark's keystore (`sp_io::crypto::sr25519_generate`), so the
//! signatures are real sr25519 signatures the runtime verifies.

use super::*;
use alloc::vec::Vec;
use bitcloud_primitives::{receipt, EpochClock, EpochIndex, Receipt, SignedReceipt};
use codec::Decode;
use frame_support::{
	traits::{
		fungible::{Inspect, Mutate},
		Get, Hooks,
	},
	BoundedVec,
};
use frame_system::RawOrigin;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	sp_core::{crypto::KeyTypeId, sr25519},
	sp_io,
};
use sp_runtime::traits::Saturating;

const SEED: u32 = 0;
const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bwbn");

/// Give `who` enough to lock 2 000 quota units.
fn fund<T: Config>(who: &T::AccountId) {
	let amount = T::QuotaUnit::get()
		.saturating_mul(2_000u32.into())
		.saturating_add(T::Currency::minimum_balance());
	T::Currency::set_balance(who, amount);
}

/// A new client key in the keystore, its account, funded with 1 000 quota units locked.
fn client<T: Config>() -> (sr25519::Public, T::AccountId) {
	let public = sp_io::crypto::sr25519_generate(KEY_TYPE, None);
	let who = T::AccountId::decode(&mut &public.0[..]).expect("account ids are public keys");
	fund::<T>(&who);
	Pallet::<T>::do_lock(&who, T::QuotaUnit::get().saturating_mul(1_000u32.into()))
		.expect("funded");
	(public, who)
}

/// `receipt` signed by the client key `public` for this chain.
fn sign<T: Config>(public: &sr25519::Public, receipt: Receipt<T::AccountId>) -> SignedReceiptOf<T> {
	let payload = receipt::signing_payload(&receipt, &Pallet::<T>::genesis_hash());
	let signature = sp_io::crypto::sr25519_sign(KEY_TYPE, public, &payload)
		.expect("the key is in the keystore");
	SignedReceipt { receipt, signature }
}

/// A registered node credited under `MaxModeratorsPerNode - 1` moderators and unmoderated.
fn node<T: Config>() -> (T::AccountId, Vec<Option<T::AccountId>>) {
	let node: T::AccountId = account("node", 0, SEED);
	let moderators: Vec<T::AccountId> = (0..T::MaxModeratorsPerNode::get().saturating_sub(1))
		.map(|i| account("moderator", i, SEED))
		.collect();
	T::BenchmarkHelper::register_node(&node, &moderators, true);
	let mut options: Vec<Option<T::AccountId>> = moderators.into_iter().map(Some).collect();
	options.push(None);
	(node, options)
}

/// Fill `client`'s record of `epoch` with `MaxPairsPerClient - 1` claims of other nodes that
/// leave `left` bytes of its quota: a receipt for more is credited in part and the node paid
/// for the rest from the client's lock (the most work a receipt can cause).
fn busy_client<T: Config>(epoch: EpochIndex, client: &T::AccountId, left: u64) {
	let lock = Locks::<T>::get(client).unwrap_or_default();
	let used = Pallet::<T>::quota_of(lock.backing(epoch)).saturating_sub(left);
	let pairs = T::MaxPairsPerClient::get().saturating_sub(1).max(1);
	let mut record = ClientEpoch::<T>::default();
	for i in 0..pairs {
		let other: T::AccountId = account("other node", i, SEED);
		let mut credited = used / u64::from(pairs);
		if i == 0 {
			credited = credited.saturating_add(used % u64::from(pairs));
		}
		let total = credited.max(1);
		let _ = record.claims.try_push(Claim { node: other, moderator: None, total, credited });
		record.used = record.used.saturating_add(credited);
	}
	ClientEpochs::<T>::insert(epoch, client, record);
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn lock() {
		let caller: T::AccountId = account("client", 0, SEED);
		fund::<T>(&caller);
		let amount = T::QuotaUnit::get();

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), amount);

		assert_eq!(Locks::<T>::get(&caller).map(|l| l.locked), Some(amount));
	}

	#[benchmark]
	fn unlock() {
		let caller: T::AccountId = account("client", 0, SEED);
		fund::<T>(&caller);
		let amount = T::QuotaUnit::get();
		Pallet::<T>::do_lock(&caller, amount.saturating_mul(2u32.into())).expect("funded");

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()), amount);

		assert_eq!(Locks::<T>::get(&caller).map(|l| l.unlocking), Some(amount));
	}

	#[benchmark]
	fn withdraw_unlocked() {
		let caller: T::AccountId = account("client", 0, SEED);
		fund::<T>(&caller);
		let amount = T::QuotaUnit::get();
		Pallet::<T>::do_lock(&caller, amount).expect("funded");
		Pallet::<T>::do_unlock(&caller, amount).expect("locked");
		frame_system::Pallet::<T>::set_block_number(
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnlockDelay::get()),
		);

		#[extrinsic_call]
		_(RawOrigin::Signed(caller.clone()));

		assert!(!Locks::<T>::contains_key(&caller));
	}

	/// `n` receipts whose clients can pay for them, then `o` signed past their clients' quota
	/// (credited in half, the node paid for the rest from the lock: the most a receipt can
	/// cost). Half a batch each, so that both fit in one.
	#[benchmark]
	fn submit_receipts(
		n: Linear<1, { T::MaxBatch::get() / 2 }>,
		o: Linear<0, { T::MaxBatch::get() / 2 }>,
	) {
		let (node, moderators) = node::<T>();
		let epoch = T::EpochClock::current_epoch();
		let bytes = T::BytesPerQuotaUnit::get().max(2);
		let receipts: Vec<SignedReceiptOf<T>> = (0..n + o)
			.map(|i| {
				let (public, client) = client::<T>();
				busy_client::<T>(epoch, &client, if i < n { bytes } else { bytes / 2 });
				let moderator = moderators[i as usize % moderators.len()].clone();
				sign::<T>(&public, Receipt { client, node: node.clone(), epoch, moderator, bytes })
			})
			.collect();
		let batch: BoundedVec<_, T::MaxBatch> = receipts.try_into().expect("n + o <= MaxBatch");

		#[extrinsic_call]
		_(RawOrigin::Signed(node.clone()), batch);

		let credited = u64::from(n) * bytes + u64::from(o) * (bytes / 2);
		assert_eq!(EpochTotals::<T>::get(epoch), credited);
		assert!(Locks::<T>::get(&node).is_none(), "the node is no client");
	}

	#[benchmark]
	fn on_initialize_idle() {
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert!(Pruning::<T>::get().is_none());
	}

	#[benchmark]
	fn on_initialize_prune(k: Linear<1, { T::PruneLimit::get() }>) {
		// An epoch with `k` client records being pruned; their removal is the work measured.
		let epoch: EpochIndex = 0;
		for i in 0..k {
			let client: T::AccountId = account("client", i, SEED);
			busy_client::<T>(epoch, &client, 0);
		}
		Pruning::<T>::put(PruneProgress { epoch, stage: 0 });
		let now = frame_system::Pallet::<T>::block_number();

		#[block]
		{
			Pallet::<T>::on_initialize(now);
		}

		assert_eq!(ClientEpochs::<T>::iter_prefix(epoch).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
