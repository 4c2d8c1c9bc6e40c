//! Configuration of the Bitcloud pallets.

use crate::{
	AccountId, Balance, Balances, Epochs, Moderation, Nodes, Runtime, RuntimeHoldReason, DAYS,
	MINUTES, UNIT,
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

	/// Most a node earns per byte: 1 planck, i.e. 1 CLD per 10^12 bytes. The bandwidth
	/// ledger's `FeePerByte` must be at least this, so that downloading from oneself never
	/// pays (`docs/rewards.md`); raise both together.
	pub const MaxRewardPerByte: Balance = 1;
}

/// Most moderators a node subscribes to; a reward claim pays at most this many commissions.
pub type MaxSubscriptions = ConstU32<32>;

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
	type MaxSubscriptions = MaxSubscriptions;
	type UnbondingPeriod = NodeUnbondingPeriod;
	type CapacityGracePeriod = CapacityGracePeriod;
}

impl pallet_rewards::Config for Runtime {
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Epochs = Epochs;
	// TODO(coordinator): `Bandwidth` (pallet-bandwidth) once merged; `()` credits no bytes, so
	// until then no claim pays anything.
	type Bandwidth = ();
	type Nodes = Nodes;
	type Moderators = Moderation;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxRewardPerByte = MaxRewardPerByte;
	// A day of 10-minute epochs (2.4 hours on the development chain's 1-minute epochs). At
	// most the bandwidth ledger's `RetentionEpochs`, which keeps the figures claims read.
	type ClaimWindow = ConstU32<144>;
	type MaxCommissionsPerClaim = MaxSubscriptions;
	type MaxPrunePerBlock = ConstU32<256>;
	// TODO(coordinator): a helper over pallet-bandwidth and pallet-nodes once merged; with
	// `()` the claim benchmark cannot run in the runtime (it is left out of
	// `define_benchmarks!` until then).
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = ();
}
