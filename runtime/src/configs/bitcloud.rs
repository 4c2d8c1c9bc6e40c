//! Configuration of the Bitcloud pallets.

use crate::{
	AccountId, Balance, Balances, BlockNumber, Epochs, Moderation, Nodes, Runtime,
	RuntimeHoldReason, DAYS, HOURS, MINUTES, UNIT,
};
use polkadot_sdk::{
	frame_support::{parameter_types, traits::ConstU32},
	frame_system::EnsureRoot,
	sp_runtime::Perbill,
};

parameter_types! {
	/// Held from a moderator while it is registered.
	pub const ModeratorDeposit: Balance = 100 * UNIT;
	/// Held from a publisher for each pending proposal.
	pub const ProposalDeposit: Balance = UNIT;
	/// Largest commission a moderator may take from rewards for its catalog.
	pub const MaxCommission: Perbill = Perbill::from_percent(30);
	/// Retired moderators keep their deposit held this long, so subscribers can leave.
	pub const RetirementDelay: u32 = DAYS;
	/// Largest total size of one catalog: 1 TiB.
	pub const MaxCatalogBytes: u64 = 1 << 40;

	/// Smallest bond of a content node.
	pub const MinNodeBond: Balance = 100 * UNIT;
	/// A deregistered node's bond stays held this long, within reach of penalties.
	pub const NodeUnbondingPeriod: u32 = 7 * DAYS;
	/// Time a node has to add capacity after a subscribed catalog outgrew it.
	pub const CapacityGracePeriod: u32 = DAYS;
}

impl pallet_epochs::Config for Runtime {
	type WeightInfo = pallet_epochs::weights::SubstrateWeight<Runtime>;
	type AdminOrigin = EnsureRoot<AccountId>;
	// Half a minute: shorter epochs would make receipts and challenges mostly overhead.
	type MinEpochLength = ConstU32<{ MINUTES / 2 }>;
	type MaxEpochLength = ConstU32<DAYS>;
}

impl pallet_moderation::Config for Runtime {
	type WeightInfo = pallet_moderation::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Subscribers = Nodes;
	type ModeratorDeposit = ModeratorDeposit;
	type ProposalDeposit = ProposalDeposit;
	type MaxCommission = MaxCommission;
	type RetirementDelay = RetirementDelay;
	type MaxNameLength = ConstU32<64>;
	type MaxUriLength = ConstU32<256>;
	type MaxTitleLength = ConstU32<128>;
	type MaxMimeTypeLength = ConstU32<64>;
	type MaxCatalogItems = ConstU32<1024>;
	type MaxCatalogBytes = MaxCatalogBytes;
	type MaxDenyListEntries = ConstU32<1024>;
	type MaxPendingProposals = ConstU32<64>;
}

impl pallet_nodes::Config for Runtime {
	type WeightInfo = pallet_nodes::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Moderators = Moderation;
	// Slashed bonds are burnt: nobody gains from a node's failure.
	type Slash = ();
	type AdminOrigin = EnsureRoot<AccountId>;
	type MinBond = MinNodeBond;
	type MaxEndpointLength = ConstU32<256>;
	type MaxSubscriptions = ConstU32<32>;
	type UnbondingPeriod = NodeUnbondingPeriod;
	type CapacityGracePeriod = CapacityGracePeriod;
}

parameter_types! {
	/// Locked coins that buy `BandwidthBytesPerQuotaUnit` bytes of quota per epoch: one CLD.
	pub const BandwidthQuotaUnit: Balance = UNIT;
	/// Quota per CLD locked: 1 MiB per epoch (1 GiB per epoch for 1 024 CLD locked).
	pub const BandwidthBytesPerQuotaUnit: u64 = 1 << 20;
	/// Fee per byte credited, burnt from the client's lock: 1 CLD per 10^9 bytes (a GiB costs
	/// about 1.07 CLD; a full quota uses about 0.1 % of the lock per epoch). Must be at least
	/// the reward distribution's `MaxRewardPerByte` (1 CLD per 10^9 bytes), so that a node
	/// serving its own client loses money (`docs/threat-model.md`).
	pub const BandwidthFeePerByte: Balance = UNIT / 1_000_000_000;
	/// Unlocked coins stay held an hour: past the submission window (three ten-minute epochs),
	/// so the same coins cannot back two accounts' receipts in overlapping windows.
	pub const BandwidthUnlockDelay: BlockNumber = HOURS;
}

impl pallet_bandwidth::Config for Runtime {
	type WeightInfo = pallet_bandwidth::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Nodes = Nodes;
	type EpochClock = Epochs;
	type QuotaUnit = BandwidthQuotaUnit;
	type BytesPerQuotaUnit = BandwidthBytesPerQuotaUnit;
	type FeePerByte = BandwidthFeePerByte;
	type UnlockDelay = BandwidthUnlockDelay;
	// 256 receipts of 173 bytes: 44 KiB per call.
	type MaxBatch = ConstU32<256>;
	// Receipts of the current epoch and the two before (30 minutes at ten-minute epochs,
	// three minutes on the development chain).
	type SubmissionWindow = ConstU32<2>;
	// Kept past the submission window (2) and the reward distribution's claim window (1 008
	// epochs: rewards read these figures when a node claims): about 7.1 days of ten-minute
	// epochs.
	type RetentionEpochs = ConstU32<1_024>;
	type MaxPairsPerClient = ConstU32<32>;
	// The node registry's `MaxSubscriptions` (32), plus unmoderated content.
	type MaxModeratorsPerNode = ConstU32<33>;
	type PruneLimit = ConstU32<256>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BandwidthBenchmarkHelper;
}

/// Registers benchmark nodes through the node registry's own calls.
#[cfg(feature = "runtime-benchmarks")]
pub struct BandwidthBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_bandwidth::BenchmarkHelper<AccountId> for BandwidthBenchmarkHelper {
	fn register_node(node: &AccountId, moderators: &[AccountId], unmoderated: bool) {
		use bitcloud_primitives::ModeratorRegistry;
		use polkadot_sdk::{frame_support::traits::fungible::Mutate, frame_system::RawOrigin};
		Balances::set_balance(node, MinNodeBond::get().saturating_mul(10));
		Nodes::register_node(
			RawOrigin::Signed(node.clone()).into(),
			MinNodeBond::get(),
			1 << 40,
			b"http://127.0.0.1:8080".to_vec(),
			[1; 32],
			unmoderated,
		)
		.expect("a funded account registers");
		for moderator in moderators {
			Moderation::ensure_live_moderator(moderator, 1);
			Nodes::subscribe(RawOrigin::Signed(node.clone()).into(), moderator.clone())
				.expect("a live moderator within MaxSubscriptions");
		}
	}
}
