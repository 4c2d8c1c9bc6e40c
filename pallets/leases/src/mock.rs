//! Mock runtime for the storage leases' unit tests and benchmark tests, with test doubles of
//! the moderator registry, the node registry and the epoch clock.

use crate as pallet_leases;
use bitcloud_primitives::{
	CapacityStatus, ContentId, EpochClock, EpochIndex, ModeratorRegistry, NodeRegistry, Standing,
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
use std::collections::{BTreeMap, BTreeSet};

/// Account ids of the mock runtime.
pub type AccountId = u64;
/// Balances of the mock runtime.
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// An owner of leases.
pub const ALICE: AccountId = 1;
/// Another owner.
pub const BOB: AccountId = 2;
/// An account with little money.
pub const POOR: AccountId = 3;
/// An account with no money at all.
pub const NOBODY: AccountId = 4;
/// A content node subscribed to [`MOD_A`], carrying unmoderated traffic.
pub const NODE_1: AccountId = 5;
/// A content node subscribed to [`MOD_A`] and [`MOD_B`].
pub const NODE_2: AccountId = 6;
/// A content node subscribed to [`MOD_A`].
pub const NODE_3: AccountId = 7;
/// A content node subscribed to [`MOD_A`].
pub const NODE_4: AccountId = 8;
/// A content node subscribed to [`MOD_B`] only, carrying no unmoderated traffic.
pub const NODE_5: AccountId = 9;
/// A live moderator.
pub const MOD_A: AccountId = 10;
/// Another live moderator.
pub const MOD_B: AccountId = 11;
/// A retired moderator.
pub const RETIRED: AccountId = 12;
/// Every account the tests look at.
pub const ACCOUNTS: [AccountId; 12] =
	[ALICE, BOB, POOR, NOBODY, NODE_1, NODE_2, NODE_3, NODE_4, NODE_5, MOD_A, MOD_B, RETIRED];

/// Starting balance of the funded accounts.
pub const INITIAL_BALANCE: Balance = 1_000_000;
/// Starting balance of [`POOR`].
pub const POOR_BALANCE: Balance = 20;
/// Price per byte per epoch of unmoderated leases.
pub const DEFAULT_UNMODERATED_PRICE: Balance = 2;
/// Most keepers per lease.
pub const MAX_REPLICAS: u32 = 3;
/// Epochs of grace after a lease's paid epochs.
pub const GRACE_EPOCHS: EpochIndex = 2;
/// Largest leased object.
pub const MAX_LEASE_BYTES: u64 = 10_000;
/// Most leases per owner.
pub const MAX_LEASES_PER_OWNER: u32 = 4;
/// Most leases a node keeps.
pub const MAX_KEPT_PER_NODE: u32 = 3;
/// Most leases per content id.
pub const MAX_LEASES_PER_CONTENT: u32 = 2;
/// Most shares per inbox.
pub const MAX_SHARES: u32 = 2;
/// Longest capsule.
pub const MAX_CAPSULE_LEN: u32 = 16;
/// Deposit of a share.
pub const SHARE_DEPOSIT: Balance = 7;
/// Blocks per epoch of the test clock.
pub const EPOCH_LENGTH: u64 = 10;

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
	pub type Leasing = pallet_leases;
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

/// A node as the registry double knows it.
#[derive(Clone, Debug)]
pub struct MockNode {
	/// Its standing (`Banned`: a banned account, no longer registered).
	pub standing: Standing,
	/// The moderators it subscribes to.
	pub subscriptions: Vec<AccountId>,
	/// Whether it carries unmoderated traffic.
	pub unmoderated: bool,
}

thread_local! {
	static NODES: RefCell<BTreeMap<AccountId, MockNode>> = const { RefCell::new(BTreeMap::new()) };
	static MODERATORS: RefCell<BTreeMap<AccountId, bool>> = const { RefCell::new(BTreeMap::new()) };
	static DENIED: RefCell<BTreeSet<(AccountId, ContentId)>> = const { RefCell::new(BTreeSet::new()) };
}

/// Make `node` known to the registry double.
pub fn set_node(
	node: AccountId,
	standing: Standing,
	subscriptions: &[AccountId],
	unmoderated: bool,
) {
	NODES.with(|n| {
		n.borrow_mut()
			.insert(node, MockNode { standing, subscriptions: subscriptions.to_vec(), unmoderated })
	});
}

/// Change `node`'s standing in the registry double.
pub fn set_standing(node: AccountId, standing: Standing) {
	NODES.with(|n| {
		if let Some(info) = n.borrow_mut().get_mut(&node) {
			info.standing = standing;
		}
	});
}

/// Forget `node` (as if it deregistered).
pub fn remove_node(node: AccountId) {
	NODES.with(|n| n.borrow_mut().remove(&node));
}

fn node(who: &AccountId) -> Option<MockNode> {
	NODES.with(|n| n.borrow().get(who).cloned())
}

/// Make `moderator` known to the moderator double, live or retired.
pub fn set_moderator(moderator: AccountId, live: bool) {
	MODERATORS.with(|m| m.borrow_mut().insert(moderator, live));
}

/// Put `content` on (or take it off) `moderator`'s deny list.
pub fn set_denied(moderator: AccountId, content: ContentId, denied: bool) {
	DENIED.with(|d| {
		if denied {
			d.borrow_mut().insert((moderator, content));
		} else {
			d.borrow_mut().remove(&(moderator, content));
		}
	});
}

/// Test double of the node registry, driven by [`set_node`] and friends.
pub struct MockNodes;

impl NodeRegistry<AccountId, u64> for MockNodes {
	fn is_registered(who: &AccountId) -> bool {
		node(who).is_some_and(|n| n.standing != Standing::Banned)
	}
	fn standing(who: &AccountId) -> Option<Standing> {
		node(who).map(|n| n.standing)
	}
	fn subscriptions(who: &AccountId) -> Vec<AccountId> {
		node(who).map(|n| n.subscriptions).unwrap_or_default()
	}
	fn is_subscribed(who: &AccountId, moderator: &AccountId) -> bool {
		node(who).is_some_and(|n| n.subscriptions.contains(moderator))
	}
	fn carries_unmoderated(who: &AccountId) -> bool {
		node(who).is_some_and(|n| n.unmoderated)
	}
	fn node_count() -> u32 {
		NODES.with(|n| n.borrow().len() as u32)
	}
	fn node_at(index: u32) -> Option<AccountId> {
		NODES.with(|n| n.borrow().keys().nth(index as usize).copied())
	}
	fn check_capacity(who: &AccountId) -> Option<CapacityStatus<u64>> {
		node(who).map(|_| CapacityStatus::Covered)
	}
}

/// Test double of the moderator registry, driven by [`set_moderator`] and [`set_denied`].
pub struct MockModerators;

impl ModeratorRegistry<AccountId> for MockModerators {
	fn exists(moderator: &AccountId) -> bool {
		MODERATORS.with(|m| m.borrow().contains_key(moderator))
	}
	fn is_live(moderator: &AccountId) -> bool {
		MODERATORS.with(|m| m.borrow().get(moderator).copied().unwrap_or(false))
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
	fn is_denied(moderator: &AccountId, content: &ContentId) -> bool {
		DENIED.with(|d| d.borrow().contains(&(*moderator, *content)))
	}
	fn commission(moderator: &AccountId, _epoch: EpochIndex) -> Option<Perbill> {
		Self::is_live(moderator).then_some(Perbill::zero())
	}
}

parameter_types! {
	/// Price per byte per epoch of unmoderated leases; tests may raise it.
	pub static UnmoderatedPrice: Balance = DEFAULT_UNMODERATED_PRICE;
}

/// Benchmark helper of the mock: sets up the doubles.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn live_moderator(moderator: &AccountId) {
		set_moderator(*moderator, true);
	}
	fn node(who: &AccountId, moderator: Option<&AccountId>) {
		match moderator {
			Some(moderator) => {
				set_moderator(*moderator, true);
				set_node(*who, Standing::Active, &[*moderator], false);
			},
			None => set_node(*who, Standing::Active, &[], true),
		}
	}
}

impl pallet_leases::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Moderators = MockModerators;
	type Nodes = MockNodes;
	type Epochs = TestEpochs;
	type UnmoderatedPrice = UnmoderatedPrice;
	type MaxReplicas = ConstU32<MAX_REPLICAS>;
	type GraceEpochs = ConstU32<GRACE_EPOCHS>;
	type MaxLeaseBytes = ConstU64<MAX_LEASE_BYTES>;
	type MaxLeasesPerOwner = ConstU32<MAX_LEASES_PER_OWNER>;
	type MaxKeptPerNode = ConstU32<MAX_KEPT_PER_NODE>;
	type MaxLeasesPerContent = ConstU32<MAX_LEASES_PER_CONTENT>;
	type MaxSharesPerRecipient = ConstU32<MAX_SHARES>;
	type MaxCapsuleLen = ConstU32<MAX_CAPSULE_LEN>;
	type ShareDeposit = ConstU64<SHARE_DEPOSIT>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// The externalities, at block 1 (epoch 0): funded accounts; `MOD_A` and `MOD_B` live,
/// `RETIRED` retired; five active nodes (see their constants).
pub fn build() -> sp_io::TestExternalities {
	UnmoderatedPrice::set(DEFAULT_UNMODERATED_PRICE);
	NODES.with(|n| n.borrow_mut().clear());
	MODERATORS.with(|m| m.borrow_mut().clear());
	DENIED.with(|d| d.borrow_mut().clear());
	set_moderator(MOD_A, true);
	set_moderator(MOD_B, true);
	set_moderator(RETIRED, false);
	set_node(NODE_1, Standing::Active, &[MOD_A], true);
	set_node(NODE_2, Standing::Active, &[MOD_A, MOD_B], false);
	set_node(NODE_3, Standing::Active, &[MOD_A], false);
	set_node(NODE_4, Standing::Active, &[MOD_A], false);
	set_node(NODE_5, Standing::Active, &[MOD_B], false);
	let balances = ACCOUNTS
		.iter()
		.filter(|who| **who != NOBODY)
		.map(|who| (*who, if *who == POOR { POOR_BALANCE } else { INITIAL_BALANCE }))
		.collect();
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
		leasing: Default::default(),
	}
	.build_storage()
	.expect("the mock genesis is valid");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run `test` on a fresh chain, then check the pallet's invariants.
pub fn new_test_ext(test: impl FnOnce()) {
	build().execute_with(|| {
		test();
		Leasing::do_try_state().expect("invariants hold after the test");
	});
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	build()
}

/// Move to block `n`.
pub fn run_to_block(n: u64) {
	System::set_block_number(n);
}

/// Move to the first block of `epoch`.
pub fn run_to_epoch(epoch: EpochIndex) {
	run_to_block(u64::from(epoch) * EPOCH_LENGTH);
}

/// Move to the last block of `epoch`.
pub fn run_to_end_of_epoch(epoch: EpochIndex) {
	run_to_block(u64::from(epoch) * EPOCH_LENGTH + EPOCH_LENGTH - 1);
}

/// The current epoch.
pub fn current_epoch() -> EpochIndex {
	TestEpochs::current_epoch()
}
