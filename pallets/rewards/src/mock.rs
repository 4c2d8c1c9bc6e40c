//! Mock runtime for the reward distribution's unit tests and benchmark tests, with test
//! doubles of the epoch clock, the bandwidth ledger, the node registry and the moderator
//! registry.

use crate as pallet_rewards;
use bitcloud_primitives::{
	BandwidthLedger, CapacityStatus, ContentId, EpochClock, EpochIndex, ModeratorRegistry,
	NodeRegistry, Standing,
};
use core::cell::RefCell;
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, ConstU64},
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

/// A content node.
pub const ALICE: AccountId = 1;
/// Another content node.
pub const BOB: AccountId = 2;
/// A third content node.
pub const CHARLIE: AccountId = 3;
/// An account that is not a node; it submits claims for others.
pub const DAVE: AccountId = 4;
/// A live moderator with a 5% commission.
pub const MOD_A: AccountId = 10;
/// A live moderator with a 20% commission.
pub const MOD_B: AccountId = 11;
/// A retired moderator (no commission).
pub const MOD_C: AccountId = 12;
/// A live moderator (10%) whose account does not exist (no balance).
pub const MOD_GHOST: AccountId = 13;
/// A live moderator with a 100% commission.
pub const MOD_ALL: AccountId = 14;
/// Every account the tests look at.
pub const ACCOUNTS: [AccountId; 9] =
	[ALICE, BOB, CHARLIE, DAVE, MOD_A, MOD_B, MOD_C, MOD_GHOST, MOD_ALL];

/// Starting balance of the funded accounts.
pub const INITIAL_BALANCE: Balance = 1_000;
/// Existential deposit: a commission below it cannot create an account.
pub const EXISTENTIAL_DEPOSIT: Balance = 10;
/// `MaxRewardPerByte`.
pub const MAX_REWARD_PER_BYTE: Balance = 10;
/// `ClaimWindow`.
pub const CLAIM_WINDOW: EpochIndex = 4;
/// `MaxCommissionsPerClaim`.
pub const MAX_COMMISSIONS: u32 = 3;
/// `MaxPrunePerBlock`.
pub const MAX_PRUNE: u32 = 2;

/// Base emission of the test schedule.
pub const BASE: Balance = 1_000_000;
/// Bootstrap epochs of the test schedule.
pub const BOOTSTRAP_EPOCHS: EpochIndex = 2;
/// Bootstrap multiplier of the test schedule.
pub const BOOTSTRAP_MULTIPLIER: u32 = 3;
/// Decay period of the test schedule.
pub const DECAY_PERIOD: EpochIndex = 5;
/// Decay per period of the test schedule.
pub fn decay() -> Perbill {
	Perbill::from_percent(10)
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
	pub type Rewards = pallet_rewards;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
	type ExistentialDeposit = ConstU64<EXISTENTIAL_DEPOSIT>;
}

/// A node's bytes in an epoch, by moderator.
type Split = Vec<(Option<AccountId>, u64)>;

/// Everything the doubles know.
#[derive(Default)]
struct World {
	epoch: EpochIndex,
	final_epochs: std::collections::BTreeSet<EpochIndex>,
	oldest_kept: EpochIndex,
	/// `(epoch, node)` → bytes by moderator.
	bytes: BTreeMap<(EpochIndex, AccountId), Split>,
	/// Bytes of nodes the tests do not look at, per epoch.
	other_bytes: BTreeMap<EpochIndex, u64>,
	/// Overrides of a node's total (to model an inconsistent ledger).
	node_total_override: BTreeMap<(EpochIndex, AccountId), u64>,
	standings: BTreeMap<AccountId, Standing>,
	/// Live moderators' rates: `(from_epoch, rate)` by increasing `from_epoch`.
	commissions: BTreeMap<AccountId, Vec<(EpochIndex, Perbill)>>,
}

thread_local! {
	static WORLD: RefCell<World> = RefCell::new(World::default());
}

fn with_world<R>(f: impl FnOnce(&mut World) -> R) -> R {
	WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// Move the epoch clock to `epoch`.
pub fn set_epoch(epoch: EpochIndex) {
	with_world(|w| w.epoch = epoch);
}

/// Close `epoch` in the ledger.
pub fn finalise(epoch: EpochIndex) {
	with_world(|w| w.final_epochs.insert(epoch));
}

/// Make the ledger forget the epochs before `epoch`.
pub fn set_oldest_kept(epoch: EpochIndex) {
	with_world(|w| w.oldest_kept = epoch);
}

/// Credit `node` in `epoch` with bytes by moderator (replaces earlier figures).
pub fn set_bytes(epoch: EpochIndex, node: AccountId, by_moderator: Vec<(Option<AccountId>, u64)>) {
	with_world(|w| w.bytes.insert((epoch, node), by_moderator));
}

/// Credit `bytes` in `epoch` to nodes the tests do not look at.
pub fn set_other_bytes(epoch: EpochIndex, bytes: u64) {
	with_world(|w| w.other_bytes.insert(epoch, bytes));
}

/// Make the ledger report `bytes` as `node`'s total in `epoch`, whatever its split says.
pub fn override_node_total(epoch: EpochIndex, node: AccountId, bytes: u64) {
	with_world(|w| w.node_total_override.insert((epoch, node), bytes));
}

/// Set `node`'s standing (`None`: not a node).
pub fn set_standing(node: AccountId, standing: Option<Standing>) {
	with_world(|w| match standing {
		Some(s) => w.standings.insert(node, s),
		None => w.standings.remove(&node),
	});
}

/// Make `moderator` live with `rate` in every epoch, or not live (`None`).
pub fn set_commission(moderator: AccountId, rate: Option<Perbill>) {
	with_world(|w| match rate {
		Some(r) => w.commissions.insert(moderator, vec![(0, r)]),
		None => w.commissions.remove(&moderator),
	});
}

/// Change a live `moderator`'s rate to `rate` from `from_epoch` on, as the moderator registry
/// does when the moderator changes it in an earlier epoch.
pub fn schedule_commission(moderator: AccountId, from_epoch: EpochIndex, rate: Perbill) {
	with_world(|w| {
		let rates = w.commissions.get_mut(&moderator).expect("a live moderator");
		assert!(rates.last().is_some_and(|(last, _)| *last < from_epoch), "rates in order");
		rates.push((from_epoch, rate));
	});
}

/// Test double of the epoch clock.
pub struct MockClock;
impl EpochClock<u64> for MockClock {
	fn current_epoch() -> EpochIndex {
		with_world(|w| w.epoch)
	}
	fn epoch_start(epoch: EpochIndex) -> Option<u64> {
		Some(u64::from(epoch) * 10)
	}
	fn epoch_length() -> u64 {
		10
	}
}

/// Test double of the bandwidth ledger.
pub struct MockLedger;
impl BandwidthLedger<AccountId> for MockLedger {
	fn is_final(epoch: EpochIndex) -> bool {
		with_world(|w| w.final_epochs.contains(&epoch))
	}
	fn total_bytes(epoch: EpochIndex) -> u64 {
		with_world(|w| {
			let nodes: u64 = w
				.bytes
				.iter()
				.filter(|((e, _), _)| *e == epoch)
				.flat_map(|(_, split)| split.iter().map(|(_, b)| *b))
				.sum();
			nodes + w.other_bytes.get(&epoch).copied().unwrap_or_default()
		})
	}
	fn node_bytes(epoch: EpochIndex, node: &AccountId) -> u64 {
		with_world(|w| {
			w.node_total_override.get(&(epoch, *node)).copied().unwrap_or_else(|| {
				w.bytes.get(&(epoch, *node)).map_or(0, |s| s.iter().map(|(_, b)| *b).sum())
			})
		})
	}
	fn node_bytes_by_moderator(
		epoch: EpochIndex,
		node: &AccountId,
	) -> Vec<(Option<AccountId>, u64)> {
		with_world(|w| w.bytes.get(&(epoch, *node)).cloned().unwrap_or_default())
	}
	fn oldest_kept_epoch() -> EpochIndex {
		with_world(|w| w.oldest_kept)
	}
}

/// Test double of the node registry: only standings matter.
pub struct MockNodes;
impl NodeRegistry<AccountId, u64> for MockNodes {
	fn is_registered(node: &AccountId) -> bool {
		Self::standing(node).is_some_and(|s| s != Standing::Banned)
	}
	fn standing(node: &AccountId) -> Option<Standing> {
		with_world(|w| w.standings.get(node).copied())
	}
	fn subscriptions(_node: &AccountId) -> Vec<AccountId> {
		Vec::new()
	}
	fn is_subscribed(_node: &AccountId, _moderator: &AccountId) -> bool {
		false
	}
	fn carries_unmoderated(_node: &AccountId) -> bool {
		false
	}
	fn node_count() -> u32 {
		with_world(|w| w.standings.len() as u32)
	}
	fn node_at(_index: u32) -> Option<AccountId> {
		None
	}
	fn check_capacity(_node: &AccountId) -> Option<CapacityStatus<u64>> {
		Some(CapacityStatus::Covered)
	}
}

/// Test double of the moderator registry: only commissions by epoch matter.
pub struct MockModerators;
impl ModeratorRegistry<AccountId> for MockModerators {
	fn exists(moderator: &AccountId) -> bool {
		Self::is_live(moderator)
	}
	fn is_live(moderator: &AccountId) -> bool {
		with_world(|w| w.commissions.contains_key(moderator))
	}
	fn catalog_bytes(_moderator: &AccountId) -> u64 {
		0
	}
	fn catalog_len(_moderator: &AccountId) -> u32 {
		0
	}
	fn catalog_item_at(_moderator: &AccountId, _index: u32) -> Option<(ContentId, u64)> {
		None
	}
	fn content_size(_moderator: &AccountId, _content: &ContentId) -> Option<u64> {
		None
	}
	fn is_denied(_moderator: &AccountId, _content: &ContentId) -> bool {
		false
	}
	fn commission(moderator: &AccountId, epoch: EpochIndex) -> Option<Perbill> {
		with_world(|w| {
			let rates = w.commissions.get(moderator)?;
			rates.iter().rev().find(|(from, _)| *from <= epoch).map(|(_, rate)| *rate)
		})
	}
	#[cfg(feature = "runtime-benchmarks")]
	fn ensure_live_moderator(moderator: &AccountId, _catalog_bytes: u64) {
		set_commission(*moderator, Some(Perbill::from_percent(10)));
		let _ = <Balances as polkadot_sdk::frame_support::traits::fungible::Mutate<_>>::set_balance(
			moderator,
			INITIAL_BALANCE,
		);
	}
}

/// Benchmark set-up on the doubles.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;
#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn register_node(node: &AccountId) {
		set_standing(*node, Some(Standing::Active));
		let _ = <Balances as polkadot_sdk::frame_support::traits::fungible::Mutate<_>>::set_balance(
			node,
			INITIAL_BALANCE,
		);
	}
	fn credit_and_finalise(
		epoch: EpochIndex,
		node: &AccountId,
		bytes: Vec<(Option<AccountId>, u64)>,
	) {
		set_bytes(epoch, *node, bytes);
		finalise(epoch);
		set_epoch(epoch + 1);
	}
	fn set_current_epoch(epoch: EpochIndex) {
		set_epoch(epoch);
	}
}

impl pallet_rewards::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type Epochs = MockClock;
	type Bandwidth = MockLedger;
	type Nodes = MockNodes;
	type Moderators = MockModerators;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type MaxRewardPerByte = ConstU64<MAX_REWARD_PER_BYTE>;
	type ClaimWindow = ConstU32<CLAIM_WINDOW>;
	type MaxCommissionsPerClaim = ConstU32<MAX_COMMISSIONS>;
	type MaxPrunePerBlock = ConstU32<MAX_PRUNE>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

parameter_types! {
	/// Total issuance at genesis, to compare against after each test.
	pub static GenesisIssuance: Balance = 0;
}

/// Builds test externalities: funded accounts, three active nodes (`ALICE`, `BOB`, `CHARLIE`),
/// moderators `MOD_A` (5%), `MOD_B` (20%), `MOD_GHOST` (10%, no account) and `MOD_ALL` (100%)
/// live, `MOD_C` retired, the epoch clock at 0, and the test schedule.
pub struct ExtBuilder {
	genesis: pallet_rewards::GenesisConfig<Test>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self {
			genesis: pallet_rewards::GenesisConfig {
				base_emission: BASE,
				bootstrap_epochs: BOOTSTRAP_EPOCHS,
				bootstrap_multiplier: BOOTSTRAP_MULTIPLIER,
				decay: decay(),
				decay_period: DECAY_PERIOD,
			},
		}
	}
}

impl ExtBuilder {
	/// Use `genesis` as the pallet's genesis config.
	pub fn with_genesis(mut self, genesis: pallet_rewards::GenesisConfig<Test>) -> Self {
		self.genesis = genesis;
		self
	}

	/// The externalities, at block 1.
	pub fn build(self) -> sp_io::TestExternalities {
		with_world(|w| *w = World::default());
		for node in [ALICE, BOB, CHARLIE] {
			set_standing(node, Some(Standing::Active));
		}
		set_commission(MOD_A, Some(Perbill::from_percent(5)));
		set_commission(MOD_B, Some(Perbill::from_percent(20)));
		set_commission(MOD_GHOST, Some(Perbill::from_percent(10)));
		set_commission(MOD_ALL, Some(Perbill::from_percent(100)));
		let balances = ACCOUNTS
			.iter()
			.filter(|who| **who != MOD_GHOST)
			.map(|who| (*who, INITIAL_BALANCE))
			.collect();
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			rewards: self.genesis,
		}
		.build_storage()
		.expect("the mock genesis is valid");
		let mut ext = sp_io::TestExternalities::new(storage);
		ext.execute_with(|| {
			System::set_block_number(1);
			GenesisIssuance::set(Balances::total_issuance());
		});
		ext
	}

	/// Run `test` at block 1, then check the pallet's invariants and that the total issuance
	/// grew by exactly what the pallet paid.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			Rewards::do_try_state().expect("invariants hold after the test");
			assert_eq!(
				Balances::total_issuance(),
				GenesisIssuance::get() + crate::TotalPaid::<Test>::get(),
				"issuance grew by exactly what was paid"
			);
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
