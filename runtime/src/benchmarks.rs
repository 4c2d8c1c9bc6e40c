//! The runtime's benchmarks, run by `frame-omni-bencher` (see `scripts/bench-weights`) to
//! generate the pallets' `weights.rs`.

use crate::*;
use alloc::{string::String, vec::Vec};
use polkadot_sdk::{
	frame_benchmarking::{self, BenchmarkBatch, BenchmarkConfig, BenchmarkList},
	frame_support::traits::{StorageInfo, StorageInfoTrait, WhitelistedStorageKeys},
	frame_system_benchmarking,
	sp_storage::TrackedStorageKey,
};

frame_benchmarking::define_benchmarks!(
	[frame_system, frame_system_benchmarking::Pallet::<Runtime>]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_epochs, Epochs]
	[pallet_moderation, Moderation]
	[pallet_nodes, Nodes]
	[pallet_bandwidth, Bandwidth]
	[pallet_rewards, Rewards]
	[pallet_storage_law, StorageLaw]
	[pallet_leases, Leases]
	[pallet_validator_set, ValidatorSet]
);

impl frame_system_benchmarking::Config for Runtime {}

/// The benchmarks this runtime has, and the storage items they touch.
pub fn metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

/// Run the benchmarks `config` selects.
pub fn dispatch(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
