//! Mock runtime for the node registry's unit tests and benchmark tests, with a test double of
//! the moderator registry.

use crate as pallet_nodes;
use bitcloud_primitives::{ContentId, EpochClock, EpochIndex, ModeratorRegistry};
use core::cell::RefCell;
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64},
	},
	frame_system, pallet_balances, sp_io,
	sp_runtime::{BuildStorage, Perbill},
};
use std::collections::BTreeMap;

/// Account ids of the mock runtime.
pub type AccountId = u64;
/// Balances of the mock runtime.
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// A node operator.
pub const ALICE: AccountId = 1;
/// Another node operator.
pub const BOB: AccountId = 2;
/// A third node operator.
pub const CHARLIE: AccountId = 3;
/// An account too poor for a bond.
pub const DAVE: AccountId = 4;
/// A moderator (in the test double).
pub const MOD_A: AccountId = 10;
/// Another moderator.
pub const MOD_B: AccountId = 11;
/// A third moderator.
pub const MOD_C: AccountId = 12;
/// Where slashed bonds go.
pub const TREASURY: AccountId = 99;
/// Every account the tests look at.
pub const ACCOUNTS: [AccountId; 8] = [ALICE, BOB, CHARLIE, DAVE, MOD_A, MOD_B, MOD_C, TREASURY];

/// Starting balance of the funded accounts.
pub const INITIAL_BALANCE: Balance = 10_000;
/// Starting balance of [`DAVE`]: less than the minimum bond.
pub const POOR_BALANCE: Balance = 50;
/// Smallest bond.
pub const MIN_BOND: Balance = 100;
/// Blocks of unbonding.
pub const UNBONDING_PERIOD: u64 = 20;
/// Blocks of grace after a capacity shortfall.
pub const GRACE_PERIOD: u64 = 5;
/// Most subscriptions per node.
pub const MAX_SUBSCRIPTIONS: u32 = 3;
/// Blocks per epoch of the test clock.
pub const EPOCH_LENGTH: u64 = 10;
/// Epochs an unsubscription takes.
pub const UNSUBSCRIBE_DELAY: EpochIndex = 2;

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
	pub type Registry = pallet_nodes;
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
	pub const Treasury: AccountId = TREASURY;
}

/// A moderator as the test double knows it.
#[derive(Clone, Copy, Debug)]
pub struct MockModerator {
	/// Not retired.
	pub live: bool,
	/// Size of its catalog.
	pub catalog_bytes: u64,
}

thread_local! {
	static MODERATORS: RefCell<BTreeMap<AccountId, MockModerator>> = const { RefCell::new(BTreeMap::new()) };
}

/// Test double of the moderator registry, driven by [`set_moderator`] and friends.
pub struct MockModerators;

/// Make `moderator` known to the double, live or retired, with a catalog of `catalog_bytes`.
pub fn set_moderator(moderator: AccountId, live: bool, catalog_bytes: u64) {
	MODERATORS.with(|m| m.borrow_mut().insert(moderator, MockModerator { live, catalog_bytes }));
}

/// Forget `moderator` (as if it were reaped).
pub fn remove_moderator(moderator: AccountId) {
	MODERATORS.with(|m| m.borrow_mut().remove(&moderator));
}

fn moderator(who: &AccountId) -> Option<MockModerator> {
	MODERATORS.with(|m| m.borrow().get(who).copied())
}

impl ModeratorRegistry<AccountId> for MockModerators {
	fn exists(moderator_id: &AccountId) -> bool {
		moderator(moderator_id).is_some()
	}
	fn is_live(moderator_id: &AccountId) -> bool {
		moderator(moderator_id).is_some_and(|m| m.live)
	}
	fn catalog_bytes(moderator_id: &AccountId) -> u64 {
		moderator(moderator_id).filter(|m| m.live).map_or(0, |m| m.catalog_bytes)
	}
	fn catalog_len(moderator_id: &AccountId) -> u32 {
		u32::from(Self::catalog_bytes(moderator_id) > 0)
	}
	fn catalog_item_at(moderator_id: &AccountId, index: u32) -> Option<(ContentId, u64)> {
		let bytes = Self::catalog_bytes(moderator_id);
		(index == 0 && bytes > 0).then_some(([*moderator_id as u8; 32], bytes))
	}
	fn content_size(moderator_id: &AccountId, content: &ContentId) -> Option<u64> {
		Self::catalog_item_at(moderator_id, 0).filter(|(c, _)| c == content).map(|(_, s)| s)
	}
	fn is_denied(_moderator: &AccountId, _content: &ContentId) -> bool {
		false
	}
	fn commission(
		moderator_id: &AccountId,
		_epoch: bitcloud_primitives::EpochIndex,
	) -> Option<Perbill> {
		Self::is_live(moderator_id).then_some(Perbill::from_percent(5))
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_live_moderator(moderator_id: &AccountId, catalog_bytes: u64) {
		set_moderator(*moderator_id, true, catalog_bytes);
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_retired_moderator(moderator_id: &AccountId) {
		if let Some(m) = moderator(moderator_id) {
			set_moderator(*moderator_id, false, m.catalog_bytes);
		}
	}
}

impl pallet_nodes::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Moderators = MockModerators;
	type Epochs = TestEpochs;
	type Slash = ResolveTo<Treasury, Balances>;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type MinBond = ConstU64<MIN_BOND>;
	type MaxEndpointLength = ConstU32<32>;
	type MaxSubscriptions = ConstU32<MAX_SUBSCRIPTIONS>;
	type UnsubscribeDelay = ConstU32<UNSUBSCRIBE_DELAY>;
	type UnbondingPeriod = ConstU64<UNBONDING_PERIOD>;
	type CapacityGracePeriod = ConstU64<GRACE_PERIOD>;
}

/// Builds test externalities with funded accounts, three live moderators and an optional
/// genesis of the pallet.
#[derive(Default)]
pub struct ExtBuilder {
	genesis: pallet_nodes::GenesisConfig<Test>,
}

impl ExtBuilder {
	/// Use `genesis` as the pallet's genesis config.
	pub fn with_genesis(mut self, genesis: pallet_nodes::GenesisConfig<Test>) -> Self {
		self.genesis = genesis;
		self
	}

	/// The externalities, at block 1. The double's moderators: `MOD_A` (1 000 bytes), `MOD_B`
	/// (2 000 bytes) and `MOD_C` (500 bytes), all live.
	pub fn build(self) -> sp_io::TestExternalities {
		MODERATORS.with(|m| m.borrow_mut().clear());
		set_moderator(MOD_A, true, 1_000);
		set_moderator(MOD_B, true, 2_000);
		set_moderator(MOD_C, true, 500);
		let balances = ACCOUNTS
			.iter()
			.map(|who| (*who, if *who == DAVE { POOR_BALANCE } else { INITIAL_BALANCE }))
			.collect();
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			registry: self.genesis,
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
			Registry::do_try_state().expect("invariants hold after the test");
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

/// The current epoch.
pub fn current_epoch() -> EpochIndex {
	TestEpochs::current_epoch()
}
