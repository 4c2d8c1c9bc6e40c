//! Configuration of the Bitcloud pallets.

use crate::{
	AccountId, Balance, Balances, Bandwidth, BlockNumber, Epochs, Moderation, Nodes, Runtime,
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

	/// The price of a byte: what a client's lock pays per byte credited (burnt), and the most
	/// a node earns per byte. One CLD per 10^9 bytes. Being one constant, the fee can never
	/// fall below the reward, so downloading from oneself never pays (`docs/rewards.md`,
	/// `docs/threat-model.md`).
	pub const PricePerByte: Balance = UNIT / 1_000_000_000;
}

/// Epochs a node has to claim its rewards (a day of ten-minute epochs).
pub const REWARD_CLAIM_WINDOW_EPOCHS: u32 = 144;
/// Epochs the bandwidth ledger keeps its figures: past the submission window and the claim
/// window, since a claim reads them.
pub const BANDWIDTH_RETENTION_EPOCHS: u32 = 1_024;
const _: () = assert!(REWARD_CLAIM_WINDOW_EPOCHS + 2 <= BANDWIDTH_RETENTION_EPOCHS);

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
	type Epochs = Epochs;
	// A change made in epoch e applies from e + 2: no epoch's rate changes once it has begun,
	// and subscribed nodes get at least one whole epoch of notice to leave.
	type CommissionChangeDelay = ConstU32<2>;
	// A claim pays the rate of the epoch it is for: keep rates for the whole claim window.
	type CommissionHistoryEpochs = ConstU32<REWARD_CLAIM_WINDOW_EPOCHS>;
	// The rate in force a claim window ago and up to 7 changes since.
	type MaxCommissionChanges = ConstU32<8>;
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
	type Epochs = Epochs;
	// Slashed bonds are burnt: nobody gains from a node's failure.
	type Slash = ();
	type AdminOrigin = EnsureRoot<AccountId>;
	type MinBond = MinNodeBond;
	type MaxEndpointLength = ConstU32<256>;
	type MaxSubscriptions = MaxSubscriptions;
	// The least that keeps an unsubscription under the next epoch's storage challenges.
	type UnsubscribeDelay = ConstU32<1>;
	type UnbondingPeriod = NodeUnbondingPeriod;
	type CapacityGracePeriod = CapacityGracePeriod;
}

parameter_types! {
	/// Locked coins that buy `BandwidthBytesPerQuotaUnit` bytes of quota per epoch: one CLD.
	pub const BandwidthQuotaUnit: Balance = UNIT;
	/// Quota per CLD locked: 1 MiB per epoch (1 GiB per epoch for 1 024 CLD locked).
	pub const BandwidthBytesPerQuotaUnit: u64 = 1 << 20;
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
	// A GiB costs about 1.07 CLD; a full quota uses about 0.1 % of the lock per epoch.
	type FeePerByte = PricePerByte;
	type UnlockDelay = BandwidthUnlockDelay;
	// 256 receipts of 173 bytes: 44 KiB per call.
	type MaxBatch = ConstU32<256>;
	// Receipts of the current epoch and the two before (30 minutes at ten-minute epochs,
	// three minutes on the development chain).
	type SubmissionWindow = ConstU32<2>;
	// Kept past the submission window (2) and the reward distribution's claim window (144
	// epochs: rewards read these figures when a node claims): about 7.1 days of ten-minute
	// epochs.
	type RetentionEpochs = ConstU32<BANDWIDTH_RETENTION_EPOCHS>;
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

impl pallet_rewards::Config for Runtime {
	type WeightInfo = pallet_rewards::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Epochs = Epochs;
	type Bandwidth = Bandwidth;
	type Nodes = Nodes;
	type Moderators = Moderation;
	type AdminOrigin = EnsureRoot<AccountId>;
	type MaxRewardPerByte = PricePerByte;
	// A day of 10-minute epochs (2.4 hours on the development chain's 1-minute epochs). At
	// most the bandwidth ledger's `RetentionEpochs`, which keeps the figures claims read.
	type ClaimWindow = ConstU32<REWARD_CLAIM_WINDOW_EPOCHS>;
	type MaxCommissionsPerClaim = MaxSubscriptions;
	type MaxPrunePerBlock = ConstU32<256>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = RewardsBenchmarkHelper;
}

/// Sets up reward claims for the benchmarks: a registered node, bytes in the bandwidth ledger
/// and an epoch clock past the submission window.
#[cfg(feature = "runtime-benchmarks")]
pub struct RewardsBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_rewards::BenchmarkHelper<AccountId> for RewardsBenchmarkHelper {
	fn register_node(node: &AccountId) {
		<BandwidthBenchmarkHelper as pallet_bandwidth::BenchmarkHelper<AccountId>>::register_node(
			node,
			&[],
			true,
		);
	}

	fn credit_and_finalise(
		epoch: bitcloud_primitives::EpochIndex,
		node: &AccountId,
		bytes: alloc::vec::Vec<(Option<AccountId>, u64)>,
	) {
		use bitcloud_primitives::ModeratorRegistry;
		for moderator in bytes.iter().filter_map(|(moderator, _)| moderator.as_ref()) {
			Moderation::ensure_live_moderator(moderator, 1);
		}
		Bandwidth::benchmark_credit(epoch, node, bytes);
		// Final once the submission window (two epochs) has passed.
		Self::set_current_epoch(epoch.saturating_add(3));
	}

	fn set_current_epoch(epoch: bitcloud_primitives::EpochIndex) {
		use bitcloud_primitives::EpochClock;
		let start = <Epochs as EpochClock<BlockNumber>>::epoch_start(epoch).unwrap_or_default();
		crate::System::set_block_number(start);
	}
}

parameter_types! {
	/// What a lease with no moderator pays per byte per epoch: one planck, so a GiB kept for
	/// a day of ten-minute epochs costs about 0.15 CLD per replica.
	pub const UnmoderatedStoragePrice: Balance = 1;
	/// Held from the sender of a share until the recipient dismisses it.
	pub const ShareDeposit: Balance = UNIT / 10;
}

impl pallet_leases::Config for Runtime {
	type WeightInfo = pallet_leases::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Moderators = Moderation;
	type Nodes = Nodes;
	type Epochs = Epochs;
	type UnmoderatedPrice = UnmoderatedStoragePrice;
	type MaxReplicas = ConstU32<8>;
	// An hour of ten-minute epochs to top up a lapsed lease before its keepers may delete.
	type GraceEpochs = ConstU32<6>;
	// As large as a whole catalog.
	type MaxLeaseBytes = MaxCatalogBytes;
	type MaxLeasesPerOwner = ConstU32<1024>;
	// The storage law reads one node's kept leases per challenge: 8 KiB at most.
	type MaxKeptPerNode = ConstU32<1024>;
	type MaxLeasesPerContent = ConstU32<16>;
	type MaxSharesPerRecipient = ConstU32<64>;
	type MaxCapsuleLen = ConstU32<512>;
	type ShareDeposit = ShareDeposit;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = LeasesBenchmarkHelper;
}

/// Makes live moderators and registered nodes for the leases' benchmarks.
#[cfg(feature = "runtime-benchmarks")]
pub struct LeasesBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_leases::BenchmarkHelper<AccountId> for LeasesBenchmarkHelper {
	fn live_moderator(moderator: &AccountId) {
		use bitcloud_primitives::ModeratorRegistry;
		Moderation::ensure_live_moderator(moderator, 1);
	}

	fn node(node: &AccountId, moderator: Option<&AccountId>) {
		let moderators: alloc::vec::Vec<AccountId> = moderator.into_iter().cloned().collect();
		<BandwidthBenchmarkHelper as pallet_bandwidth::BenchmarkHelper<AccountId>>::register_node(
			node,
			&moderators,
			moderator.is_none(),
		);
	}
}
