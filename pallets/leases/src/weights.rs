// This file is part of Bitcloud. Licensed under the Apache License, Version 2.0.

//! Weights for `pallet_leases`.
//!
//! PLACEHOLDERS, NOT MEASURED: conservative figures written by hand in the shape of the
//! generated files, until `scripts/bench-weights leases` regenerates this file from the frame
//! benchmarks of this pallet (run on the reference machine, with the pallet in the runtime).
//! Each figure is a generous execution time for the benchmark's worst case plus the storage
//! reads and writes it makes (a lease with `MaxReplicas` keepers, full indexes, the longest
//! capsule), and a proof size that covers the largest records it reads.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use polkadot_sdk::frame_support::{traits::Get, weights::{Weight, constants::RocksDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_leases`.
pub trait WeightInfo {
	fn offer_storage() -> Weight;
	fn withdraw_offer() -> Weight;
	fn create_lease() -> Weight;
	fn top_up() -> Weight;
	fn end_lease() -> Weight;
	fn keep() -> Weight;
	fn release() -> Weight;
	fn claim() -> Weight;
	fn close() -> Weight;
	fn set_encryption_key() -> Weight;
	fn clear_encryption_key() -> Weight;
	fn set_index() -> Weight;
	fn share() -> Weight;
	fn dismiss_share() -> Weight;
	fn withdraw_share() -> Weight;
	fn missed() -> Weight;
}

/// Weights for `pallet_leases` on the benchmark machine, with the runtime's database weights.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: polkadot_sdk::frame_system::Config> WeightInfo for SubstrateWeight<T> {
	/// Storage: `Moderation::Moderators` (r:1 w:0)
	/// Storage: `Leases::Offers` (r:0 w:1)
	fn offer_storage() -> Weight {
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4_000))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Leases::Offers` (r:1 w:1)
	fn withdraw_offer() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3_600))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Leases::Offers` (r:1 w:0)
	/// Storage: `Moderation::Moderators` (r:1 w:0)
	/// Storage: `Moderation::DenyList` (r:1 w:0)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Leases::NextLeaseId` (r:1 w:1)
	/// Storage: `Leases::OwnerLeases` (r:1 w:1)
	/// Storage: `Leases::ContentLeases` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Leases::Leases` (r:0 w:1)
	fn create_lease() -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(T::DbWeight::get().reads(10))
			.saturating_add(T::DbWeight::get().writes(6))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Moderation::Moderators` (r:1 w:0)
	/// Storage: `Moderation::DenyList` (r:1 w:0)
	/// Storage: `Nodes::Nodes` (r:8 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:9 w:9)
	fn top_up() -> Weight {
		Weight::from_parts(600_000_000, 0)
			.saturating_add(Weight::from_parts(0, 60_000))
			.saturating_add(T::DbWeight::get().reads(23))
			.saturating_add(T::DbWeight::get().writes(11))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	fn end_lease() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(3))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Nodes::Nodes` (r:1 w:0)
	/// Storage: `Moderation::Moderators` (r:1 w:0)
	/// Storage: `Moderation::DenyList` (r:1 w:0)
	/// Storage: `Leases::KeptBy` (r:1 w:1)
	fn keep() -> Weight {
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(2))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Nodes::Nodes` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	/// Storage: `Leases::KeptBy` (r:1 w:1)
	fn release() -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(T::DbWeight::get().reads(8))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Nodes::Nodes` (r:1 w:0)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:2 w:2)
	fn claim() -> Weight {
		Weight::from_parts(130_000_000, 0)
			.saturating_add(Weight::from_parts(0, 12_000))
			.saturating_add(T::DbWeight::get().reads(7))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Nodes::Nodes` (r:8 w:0)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:9 w:9)
	/// Storage: `Leases::KeptBy` (r:8 w:8)
	/// Storage: `Leases::OwnerLeases` (r:1 w:1)
	/// Storage: `Leases::ContentLeases` (r:1 w:1)
	/// Storage: `Leases::Indexes` (r:1 w:1)
	fn close() -> Weight {
		Weight::from_parts(900_000_000, 0)
			.saturating_add(Weight::from_parts(0, 120_000))
			.saturating_add(T::DbWeight::get().reads(32))
			.saturating_add(T::DbWeight::get().writes(22))
	}
	/// Storage: `Leases::EncryptionKeys` (r:0 w:1)
	fn set_encryption_key() -> Weight {
		Weight::from_parts(25_000_000, 0)
			.saturating_add(Weight::from_parts(0, 0))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Leases::EncryptionKeys` (r:1 w:1)
	fn clear_encryption_key() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3_600))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Leases::Leases` (r:1 w:0)
	/// Storage: `Leases::Indexes` (r:0 w:1)
	fn set_index() -> Weight {
		Weight::from_parts(35_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4_000))
			.saturating_add(T::DbWeight::get().reads(1))
			.saturating_add(T::DbWeight::get().writes(1))
	}
	/// Storage: `Leases::EncryptionKeys` (r:1 w:0)
	/// Storage: `Leases::ShareCount` (r:1 w:1)
	/// Storage: `Leases::NextShareId` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Leases::Shares` (r:0 w:1)
	fn share() -> Weight {
		Weight::from_parts(110_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(T::DbWeight::get().reads(5))
			.saturating_add(T::DbWeight::get().writes(5))
	}
	/// Storage: `Leases::Shares` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Leases::ShareCount` (r:1 w:1)
	fn dismiss_share() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Leases::Shares` (r:1 w:1)
	/// Storage: `Balances::Holds` (r:1 w:1)
	/// Storage: `System::Account` (r:1 w:1)
	/// Storage: `Leases::ShareCount` (r:1 w:1)
	fn withdraw_share() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(4))
	}
	/// Storage: `Leases::Leases` (r:1 w:1)
	/// Storage: `Epochs::Anchor` (r:1 w:0)
	/// Storage: `Epochs::EpochLength` (r:1 w:0)
	/// Storage: `Leases::KeptBy` (r:1 w:1)
	fn missed() -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(T::DbWeight::get().reads(4))
			.saturating_add(T::DbWeight::get().writes(2))
	}
}

// For tests and mock runtimes.
impl WeightInfo for () {
	fn offer_storage() -> Weight {
		Weight::from_parts(40_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4_000))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn withdraw_offer() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3_600))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn create_lease() -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(RocksDbWeight::get().reads(10))
			.saturating_add(RocksDbWeight::get().writes(6))
	}
	fn top_up() -> Weight {
		Weight::from_parts(600_000_000, 0)
			.saturating_add(Weight::from_parts(0, 60_000))
			.saturating_add(RocksDbWeight::get().reads(23))
			.saturating_add(RocksDbWeight::get().writes(11))
	}
	fn end_lease() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().writes(3))
	}
	fn keep() -> Weight {
		Weight::from_parts(120_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(2))
	}
	fn release() -> Weight {
		Weight::from_parts(150_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(RocksDbWeight::get().reads(8))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn claim() -> Weight {
		Weight::from_parts(130_000_000, 0)
			.saturating_add(Weight::from_parts(0, 12_000))
			.saturating_add(RocksDbWeight::get().reads(7))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn close() -> Weight {
		Weight::from_parts(900_000_000, 0)
			.saturating_add(Weight::from_parts(0, 120_000))
			.saturating_add(RocksDbWeight::get().reads(32))
			.saturating_add(RocksDbWeight::get().writes(22))
	}
	fn set_encryption_key() -> Weight {
		Weight::from_parts(25_000_000, 0)
			.saturating_add(Weight::from_parts(0, 0))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn clear_encryption_key() -> Weight {
		Weight::from_parts(30_000_000, 0)
			.saturating_add(Weight::from_parts(0, 3_600))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn set_index() -> Weight {
		Weight::from_parts(35_000_000, 0)
			.saturating_add(Weight::from_parts(0, 4_000))
			.saturating_add(RocksDbWeight::get().reads(1))
			.saturating_add(RocksDbWeight::get().writes(1))
	}
	fn share() -> Weight {
		Weight::from_parts(110_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(RocksDbWeight::get().reads(5))
			.saturating_add(RocksDbWeight::get().writes(5))
	}
	fn dismiss_share() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn withdraw_share() -> Weight {
		Weight::from_parts(90_000_000, 0)
			.saturating_add(Weight::from_parts(0, 8_000))
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(4))
	}
	fn missed() -> Weight {
		Weight::from_parts(80_000_000, 0)
			.saturating_add(Weight::from_parts(0, 20_000))
			.saturating_add(RocksDbWeight::get().reads(4))
			.saturating_add(RocksDbWeight::get().writes(2))
	}
}
