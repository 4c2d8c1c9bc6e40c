//! Mock runtime for the moderator registry's unit tests and benchmark tests.

use crate as pallet_moderation;
use bitcloud_primitives::{EpochClock, EpochIndex, SubscriberCount};
use polkadot_sdk::{
	frame_support::{self, derive_impl, parameter_types, traits::ConstU64},
	frame_system, pallet_balances, sp_io,
	sp_runtime::{BuildStorage, Perbill},
};

/// Account ids of the mock runtime.
pub type AccountId = u64;
/// Balances of the mock runtime.
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// A moderator.
pub const ALICE: AccountId = 1;
/// Another moderator.
pub const BOB: AccountId = 2;
/// A publisher.
pub const CHARLIE: AccountId = 3;
/// An account too poor for any deposit.
pub const DAVE: AccountId = 4;
/// Another publisher.
pub const EVE: AccountId = 5;
/// Every account the tests look at.
pub const ACCOUNTS: [AccountId; 5] = [ALICE, BOB, CHARLIE, DAVE, EVE];

/// Starting balance of every account but [`DAVE`].
pub const INITIAL_BALANCE: Balance = 1_000;
/// Starting balance of [`DAVE`]: less than any deposit.
pub const POOR_BALANCE: Balance = 5;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeTask,
		RuntimeHoldReason,
		RuntimeFreezeReason
	)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(2)]
	pub type Moderation = pallet_moderation;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

parameter_types! {
	/// What the test double of the node registry answers for every moderator.
	pub static Subscribers: u32 = 0;
	pub const MaxCommission: Perbill = Perbill::from_percent(20);
}

/// Test double of the node registry: every moderator has [`Subscribers`] subscribers.
pub struct MockSubscribers;
impl SubscriberCount<AccountId> for MockSubscribers {
	fn subscriber_count(_moderator: &AccountId) -> u32 {
		Subscribers::get()
	}
}

/// Deposit of a moderator.
pub const MODERATOR_DEPOSIT: Balance = 100;
/// Deposit of a proposal.
pub const PROPOSAL_DEPOSIT: Balance = 10;
/// Blocks between retirement and reaping.
pub const RETIREMENT_DELAY: u64 = 10;
/// Most bytes in a catalog.
pub const MAX_CATALOG_BYTES: u64 = 10_000;
/// Blocks per epoch of the test clock.
pub const EPOCH_LENGTH: u64 = 10;
/// `CommissionChangeDelay`: a change in epoch `e` applies from `e + 2`.
pub const COMMISSION_CHANGE_DELAY: EpochIndex = 2;
/// `CommissionHistoryEpochs`.
pub const COMMISSION_HISTORY_EPOCHS: EpochIndex = 4;
/// `MaxCommissionChanges`.
pub const MAX_COMMISSION_CHANGES: u32 = 3;

/// The test epoch clock: epoch `e` is blocks `10e..10e + 9`.
pub struct TestEpochs;
impl EpochClock<u64> for TestEpochs {
	fn current_epoch() -> EpochIndex {
		(System::block_number() / EPOCH_LENGTH) as EpochIndex
	}
	fn epoch_start(epoch: EpochIndex) -> Option<u64> {
		u64::from(epoch).checked_mul(EPOCH_LENGTH)
	}
	fn epoch_length() -> u64 {
		EPOCH_LENGTH
	}
}

impl pallet_moderation::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type Subscribers = MockSubscribers;
	type ModeratorDeposit = ConstU64<MODERATOR_DEPOSIT>;
	type ProposalDeposit = ConstU64<PROPOSAL_DEPOSIT>;
	type MaxCommission = MaxCommission;
	type Epochs = TestEpochs;
	type CommissionChangeDelay = frame_support::traits::ConstU32<COMMISSION_CHANGE_DELAY>;
	type CommissionHistoryEpochs = frame_support::traits::ConstU32<COMMISSION_HISTORY_EPOCHS>;
	type MaxCommissionChanges = frame_support::traits::ConstU32<MAX_COMMISSION_CHANGES>;
	type RetirementDelay = ConstU64<RETIREMENT_DELAY>;
	type MaxNameLength = frame_support::traits::ConstU32<16>;
	type MaxUriLength = frame_support::traits::ConstU32<32>;
	type MaxTitleLength = frame_support::traits::ConstU32<16>;
	type MaxMimeTypeLength = frame_support::traits::ConstU32<8>;
	type MaxCatalogItems = frame_support::traits::ConstU32<4>;
	type MaxCatalogBytes = ConstU64<MAX_CATALOG_BYTES>;
	type MaxDenyListEntries = frame_support::traits::ConstU32<3>;
	type MaxPendingProposals = frame_support::traits::ConstU32<3>;
}

/// Builds test externalities with funded accounts and an optional genesis of the pallet.
#[derive(Default)]
pub struct ExtBuilder {
	genesis: pallet_moderation::GenesisConfig<Test>,
}

impl ExtBuilder {
	/// Use `genesis` as the pallet's genesis config.
	pub fn with_genesis(mut self, genesis: pallet_moderation::GenesisConfig<Test>) -> Self {
		self.genesis = genesis;
		self
	}

	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		let balances = ACCOUNTS
			.iter()
			.map(|who| (*who, if *who == DAVE { POOR_BALANCE } else { INITIAL_BALANCE }))
			.collect();
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			moderation: self.genesis,
		}
		.build_storage()
		.expect("the mock genesis is valid");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| System::set_block_number(1));
		ext
	}

	/// Run `test` at block 1, then check the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Moderation::do_try_state().expect("invariants hold after the test");
		});
	}
}

/// Run `test` on a fresh chain and check the invariants afterwards.
pub fn new_test_ext(test: impl FnOnce()) {
	ExtBuilder::default().build_and_execute(test)
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	ExtBuilder::default().build()
}

/// Move to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Move to the first block of `epoch`.
pub fn run_to_epoch(epoch: EpochIndex) {
	run_to_block(u64::from(epoch) * EPOCH_LENGTH);
}
