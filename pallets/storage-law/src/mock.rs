//! Mock runtime for the storage law's unit tests and benchmark tests: the real moderator
//! registry (`pallet-moderation`) and node registry (`pallet-nodes`) behind the traits, a
//! test epoch clock (10 blocks per epoch), a test randomness source and test leases
//! ([`TestLeases`]: kept leases the tests set, and the misses the law reports).

use crate as pallet_storage_law;
use crate::LawParams;
use bitcloud_primitives::{
	content_id, ContentId, EpochClock, EpochIndex, KeptLease, LeaseId, LeaseObligations,
};
use core::cell::{Cell, RefCell};
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{tokens::imbalance::ResolveTo, ConstU32, ConstU64, Hooks, Randomness},
		weights::RuntimeDbWeight,
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

/// A node that holds its catalog.
pub const DAVE: AccountId = 1;
/// A node that does not.
pub const EVE: AccountId = 2;
/// A node that subscribes to nothing.
pub const FERDIE: AccountId = 3;
/// An account with no node.
pub const NOBODY: AccountId = 4;
/// The moderator of the sample catalog.
pub const MODERATOR: AccountId = 10;
/// A second moderator.
pub const MODERATOR_2: AccountId = 11;
/// Where slashed bonds go.
pub const TREASURY: AccountId = 99;
/// Every account the tests look at.
pub const ACCOUNTS: [AccountId; 7] = [DAVE, EVE, FERDIE, NOBODY, MODERATOR, MODERATOR_2, TREASURY];

/// Starting balance of every account.
pub const INITIAL_BALANCE: Balance = 100_000;
/// Bond of the genesis nodes.
pub const BOND: Balance = 10_000;
/// Capacity of the genesis nodes.
pub const CAPACITY: u64 = 1 << 20;
/// Blocks per epoch of the test clock.
pub const EPOCH_LENGTH: u64 = 10;
/// Most challenges per epoch.
pub const MAX_CHALLENGES_PER_EPOCH: u32 = 8;
/// Most expiries per block.
pub const MAX_EXPIRIES_PER_BLOCK: u32 = 4;
/// Most subscriptions per node.
pub const MAX_SUBSCRIPTIONS: u32 = 4;
/// Blocks of capacity grace.
pub const GRACE_PERIOD: u64 = 5;
/// Blocks after its listing before unproven content is probed (two epochs).
pub const CONTENT_GRACE: u64 = 20;
/// Epochs an unsubscription takes.
pub const UNSUBSCRIBE_DELAY: u32 = 1;
/// Largest catalog (and item), in bytes.
pub const MAX_CATALOG_BYTES: u64 = 1 << 30;

/// Chunks per challenge in the tests: fewer than the five chunks of the largest genesis file,
/// more than the three of the smallest multi-chunk one, so both cases occur.
pub const CHUNKS_PER_CHALLENGE: u32 = 4;

/// The parameters of the tests: every node every epoch, 4 chunks per challenge, 5 blocks to
/// answer, two strikes per step within 3 epochs, restored after 2 clean epochs, 10% slashed
/// per step.
pub const PARAMS: LawParams = LawParams {
	challenge_rate: Perbill::from_percent(100),
	challenges_per_epoch: MAX_CHALLENGES_PER_EPOCH,
	chunks_per_challenge: CHUNKS_PER_CHALLENGE,
	response_blocks: 5,
	strikes_per_step: 2,
	strike_window: 3,
	clean_epochs: 2,
	slash_fraction: Perbill::from_percent(10),
};

/// Number of sample files.
pub const FILES: usize = 7;

/// The large sample file: 41 chunks (the last one of 40 bytes), listed by tests.
pub const BIG_FILE: usize = 6;

/// The sample files: three of the moderator's catalog, one of the second moderator's (all
/// listed at genesis), and three that tests list later, the last one [`BIG_FILE`].
pub fn file(which: usize) -> Vec<u8> {
	let len = [3_000usize, 500, 1_024, 5_000, 4_100, 2_048, 41_000][which];
	// The chunk index is mixed in, so that no two chunks of a file are alike.
	(0..len)
		.map(|i| (i as u8).wrapping_mul(7).wrapping_add(which as u8) ^ (i >> 10) as u8)
		.collect()
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
	pub type Moderation = pallet_moderation;
	#[runtime::pallet_index(3)]
	pub type Nodes = pallet_nodes;
	#[runtime::pallet_index(4)]
	pub type StorageLaw = pallet_storage_law;
}

/// Weight of a database read in the mock, in `ref_time`.
pub const DB_READ: u64 = 1;
/// Weight of a database write in the mock: apart from reads, so that tests count both.
pub const DB_WRITE: u64 = 1_000;

parameter_types! {
	pub const TestDbWeight: RuntimeDbWeight = RuntimeDbWeight { read: DB_READ, write: DB_WRITE };
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
	type DbWeight = TestDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const MaxCommission: Perbill = Perbill::from_percent(20);
	pub const DefaultParams: LawParams = PARAMS;
}

impl pallet_moderation::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type Subscribers = Nodes;
	type ModeratorDeposit = ConstU64<100>;
	type ProposalDeposit = ConstU64<10>;
	type MaxCommission = MaxCommission;
	type Epochs = TestEpochs;
	type CommissionChangeDelay = ConstU32<1>;
	type CommissionHistoryEpochs = ConstU32<8>;
	type MaxCommissionChanges = ConstU32<4>;
	type RetirementDelay = ConstU64<10>;
	type MaxNameLength = ConstU32<32>;
	type MaxUriLength = ConstU32<32>;
	type MaxTitleLength = ConstU32<32>;
	type MaxMimeTypeLength = ConstU32<32>;
	type MaxCatalogItems = ConstU32<16>;
	type MaxCatalogBytes = ConstU64<MAX_CATALOG_BYTES>;
	type MaxDenyListEntries = ConstU32<4>;
	type MaxPendingProposals = ConstU32<4>;
}

impl pallet_nodes::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Moderators = Moderation;
	type Epochs = TestEpochs;
	type Slash = ResolveTo<Treasury, Balances>;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type MinBond = ConstU64<1_000>;
	type MaxEndpointLength = ConstU32<32>;
	type MaxSubscriptions = ConstU32<MAX_SUBSCRIPTIONS>;
	type UnsubscribeDelay = ConstU32<UNSUBSCRIBE_DELAY>;
	type UnbondingPeriod = ConstU64<100>;
	type CapacityGracePeriod = ConstU64<GRACE_PERIOD>;
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

thread_local! {
	static SEED: Cell<u64> = const { Cell::new(0) };
}

/// Change what the test randomness returns from now on.
pub fn set_seed(seed: u64) {
	SEED.with(|s| s.set(seed));
}

/// The test randomness: a hash of the subject and a seed the tests choose.
pub struct TestRandomness;
impl Randomness<polkadot_sdk::sp_core::H256, u64> for TestRandomness {
	fn random(subject: &[u8]) -> (polkadot_sdk::sp_core::H256, u64) {
		let seed = SEED.with(|s| s.get());
		let hash = sp_io::hashing::blake2_256(&[subject, &seed.to_le_bytes()].concat());
		(hash.into(), System::block_number())
	}
}

thread_local! {
	static KEPT: RefCell<BTreeMap<AccountId, Vec<KeptLease>>> = const { RefCell::new(BTreeMap::new()) };
	static MISSED: RefCell<Vec<(AccountId, LeaseId)>> = const { RefCell::new(Vec::new()) };
}

/// The test leases: each node keeps the leases the tests give it ([`keep_lease`]), in order;
/// `missed` records the call ([`missed_leases`]) and, like `pallet-leases`, stops the node
/// keeping the lease (the last lease takes its position).
pub struct TestLeases;
impl LeaseObligations<AccountId> for TestLeases {
	fn kept_len(node: &AccountId) -> u32 {
		KEPT.with(|k| k.borrow().get(node).map_or(0, |kept| kept.len() as u32))
	}
	fn kept_at(node: &AccountId, index: u32) -> Option<KeptLease> {
		KEPT.with(|k| k.borrow().get(node).and_then(|kept| kept.get(index as usize).copied()))
	}
	fn missed(node: &AccountId, lease: LeaseId) {
		MISSED.with(|m| m.borrow_mut().push((*node, lease)));
		KEPT.with(|k| {
			if let Some(kept) = k.borrow_mut().get_mut(node) {
				if let Some(position) = kept.iter().position(|l| l.lease == lease) {
					kept.swap_remove(position);
				}
			}
		});
	}
}

/// `node` keeps lease `lease` of `content` of `bytes` bytes from now on.
pub fn keep_lease(node: AccountId, lease: LeaseId, content: ContentId, bytes: u64) {
	KEPT.with(|k| {
		k.borrow_mut().entry(node).or_default().push(KeptLease { lease, content, bytes })
	});
}

/// The leases `node` keeps, in position order.
pub fn kept_leases(node: AccountId) -> Vec<KeptLease> {
	KEPT.with(|k| k.borrow().get(&node).cloned().unwrap_or_default())
}

/// Every `missed(node, lease)` the law reported, in order.
pub fn missed_leases() -> Vec<(AccountId, LeaseId)> {
	MISSED.with(|m| m.borrow().clone())
}

/// Forget every kept lease and reported miss.
fn reset_leases() {
	KEPT.with(|k| k.borrow_mut().clear());
	MISSED.with(|m| m.borrow_mut().clear());
}

impl pallet_storage_law::Config for Test {
	type WeightInfo = ();
	type Balance = Balance;
	type Nodes = Nodes;
	type Penalties = Nodes;
	type Moderators = Moderation;
	type Leases = TestLeases;
	type Epochs = TestEpochs;
	type Randomness = TestRandomness;
	type AdminOrigin = frame_system::EnsureRoot<AccountId>;
	type DefaultParams = DefaultParams;
	type MaxChallengesPerEpoch = ConstU32<MAX_CHALLENGES_PER_EPOCH>;
	type MaxExpiriesPerBlock = ConstU32<MAX_EXPIRIES_PER_BLOCK>;
	type ContentGracePeriod = ConstU64<CONTENT_GRACE>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Builds the worst cases of the benchmarks with the real registries.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn moderator_with_catalog(moderator: &AccountId) {
		use bitcloud_primitives::traits::CatalogProofs;
		let proven = [*moderator as u8; 32];
		Self::list_unproven(moderator, proven, 1 << 20);
		Self::list_unproven(moderator, [!(*moderator as u8); 32], 1 << 20);
		let listed_before = System::block_number() + 1;
		assert!(Moderation::record_proof(moderator, &proven, 1 << 20, listed_before));
	}
	fn list_unproven(moderator: &AccountId, content: bitcloud_primitives::ContentId, size: u64) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		if !pallet_moderation::Moderators::<Test>::contains_key(moderator) {
			Balances::set_balance(moderator, INITIAL_BALANCE);
			Moderation::register_moderator(
				RuntimeOrigin::signed(*moderator),
				b"bench".to_vec(),
				b"uri".to_vec(),
				[0; 32],
				Perbill::zero(),
			)
			.expect("a funded account registers");
		}
		Moderation::list_content(
			RuntimeOrigin::signed(*moderator),
			content,
			size,
			b"t".to_vec(),
			b"m".to_vec(),
			None,
		)
		.expect("the catalog has room");
	}
	fn largest_item_size() -> u64 {
		MAX_CATALOG_BYTES
	}
	fn node_subscribed_to(node: &AccountId, moderators: &[AccountId]) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(node, INITIAL_BALANCE);
		Nodes::register_node(
			RuntimeOrigin::signed(*node),
			BOND,
			u64::MAX,
			b"http://node".to_vec(),
			[1; 32],
			false,
		)
		.expect("a funded account registers");
		for moderator in moderators {
			Nodes::subscribe(RuntimeOrigin::signed(*node), *moderator).expect("room to subscribe");
		}
	}
	fn max_subscriptions() -> u32 {
		MAX_SUBSCRIPTIONS
	}
	fn node_keeps_lease(node: &AccountId, content: ContentId, bytes: u64) {
		// A fresh id: the number of leases kept so far.
		let lease = KEPT.with(|k| k.borrow().values().map(Vec::len).sum::<usize>()) as LeaseId;
		keep_lease(*node, lease, content, bytes);
	}
}

/// Builds test externalities: the moderator with files 0-2 in its catalog, the second
/// moderator with file 3, Dave and Eve subscribed to the first and Ferdie to nobody.
#[derive(Default)]
pub struct ExtBuilder {
	params: Option<LawParams>,
}

impl ExtBuilder {
	/// Use `params` as the genesis parameters.
	pub fn with_params(mut self, params: LawParams) -> Self {
		self.params = Some(params);
		self
	}

	/// The externalities, at block 1 (before its `on_initialize`).
	pub fn build(self) -> sp_io::TestExternalities {
		set_seed(0);
		reset_leases();
		let balances = ACCOUNTS.iter().map(|who| (*who, INITIAL_BALANCE)).collect();
		let moderator = |who: AccountId| {
			(who, b"mod".to_vec(), b"uri".to_vec(), [0u8; 32], Perbill::from_percent(5))
		};
		let item = |who: AccountId, which: usize| {
			let bytes = file(which);
			(who, content_id(&bytes), bytes.len() as u64, b"t".to_vec(), b"m".to_vec())
		};
		let node = |who: AccountId, subscriptions: Vec<AccountId>| {
			(who, BOND, CAPACITY, b"http://node".to_vec(), [1u8; 32], false, subscriptions)
		};
		let storage = RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
			moderation: pallet_moderation::GenesisConfig {
				moderators: vec![moderator(MODERATOR), moderator(MODERATOR_2)],
				catalog: vec![
					item(MODERATOR, 0),
					item(MODERATOR, 1),
					item(MODERATOR, 2),
					item(MODERATOR_2, 3),
				],
				deny_list: vec![],
			},
			nodes: pallet_nodes::GenesisConfig {
				nodes: vec![
					node(DAVE, vec![MODERATOR]),
					node(EVE, vec![MODERATOR]),
					node(FERDIE, vec![]),
				],
			},
			storage_law: pallet_storage_law::GenesisConfig {
				params: self.params,
				_config: Default::default(),
			},
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
			StorageLaw::do_try_state().expect("invariants hold after the test");
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

/// Run the blocks after the current one up to `n`, with the pallet's `on_initialize`.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		StorageLaw::on_initialize(next);
	}
}
