//! Mock runtime for the bandwidth ledger's unit tests and benchmark tests, with test doubles of
//! the node registry and the epoch clock. Accounts are the sr25519 development keys, so
//! receipts carry real signatures.

use crate as pallet_bandwidth;
use bitcloud_primitives::{
	receipt, CapacityStatus, EpochClock, EpochIndex, NodeRegistry, Receipt, SignedReceipt, Standing,
};
use core::cell::RefCell;
use polkadot_sdk::{
	frame_support::{
		self, derive_impl, parameter_types,
		traits::{ConstU32, ConstU64},
	},
	frame_system, pallet_balances, sp_io,
	sp_keyring::Sr25519Keyring,
	sp_keystore::{testing::MemoryKeystore, KeystoreExt},
	sp_runtime::{AccountId32, BuildStorage},
};
use std::collections::BTreeMap;

pub use Sr25519Keyring::{Alice, Bob, Charlie, Dave, Eve, Ferdie, One, Two};

/// Account ids of the mock runtime: sr25519 public keys.
pub type AccountId = AccountId32;
/// Balances of the mock runtime.
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// A content node (registered, subscribed to [`MODERATOR`], carries unmoderated traffic).
pub const NODE: Sr25519Keyring = Dave;
/// Another content node (subscribed to [`MODERATOR`] only).
pub const NODE_2: Sr25519Keyring = Eve;
/// A client.
pub const CLIENT: Sr25519Keyring = Ferdie;
/// Another client.
pub const CLIENT_2: Sr25519Keyring = Bob;
/// A moderator both nodes subscribe to.
pub const MODERATOR: Sr25519Keyring = Charlie;
/// A moderator nobody subscribes to.
pub const MODERATOR_2: Sr25519Keyring = Alice;
/// An account with less than [`QUOTA_UNIT`].
pub const POOR: Sr25519Keyring = One;
/// An account that is neither node nor client and has no funds.
pub const STRANGER: Sr25519Keyring = Two;
/// Every keyring account the tests look at.
pub const KEYS: [Sr25519Keyring; 8] = [Alice, Bob, Charlie, Dave, Eve, Ferdie, One, Two];

/// Starting balance of the funded accounts.
pub const INITIAL_BALANCE: Balance = 100_000_000;
/// Starting balance of [`POOR`].
pub const POOR_BALANCE: Balance = 50_000;
/// Balance that buys [`BYTES_PER_QUOTA_UNIT`] bytes per epoch.
pub const QUOTA_UNIT: Balance = 100_000;
/// Fee per byte credited.
pub const DEFAULT_FEE_PER_BYTE: Balance = 1;
/// Bytes per epoch per [`QUOTA_UNIT`] locked.
pub const BYTES_PER_QUOTA_UNIT: u64 = 1_000;
/// Blocks per epoch of the epoch clock double.
pub const EPOCH_LENGTH: u64 = 10;
/// Blocks between unlock and withdrawal.
pub const UNLOCK_DELAY: u64 = 30;
/// Past epochs still open for receipts.
pub const SUBMISSION_WINDOW: EpochIndex = 2;
/// Epochs kept.
pub const RETENTION_EPOCHS: EpochIndex = 4;
/// Most receipts per batch.
pub const MAX_BATCH: u32 = 16;
/// Most node-moderator pairs per client and epoch.
pub const MAX_PAIRS: u32 = 4;
/// Most moderators per node and epoch.
pub const MAX_MODERATORS: u32 = 3;
/// Most entries pruned per block.
pub const PRUNE_LIMIT: u32 = 3;

/// The account of `key`.
pub fn account(key: Sr25519Keyring) -> AccountId {
	key.to_account_id()
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
	pub type Bandwidth = pallet_bandwidth;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = polkadot_sdk::sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type AccountStore = System;
}

/// A node as the registry double knows it.
#[derive(Clone, Debug)]
pub struct MockNode {
	/// Its standing.
	pub standing: Standing,
	/// The moderators it subscribes to.
	pub subscriptions: Vec<AccountId>,
	/// Whether it carries unmoderated traffic.
	pub unmoderated: bool,
}

thread_local! {
	static NODES: RefCell<BTreeMap<AccountId, MockNode>> = const { RefCell::new(BTreeMap::new()) };
}

/// Make `node` known to the registry double.
pub fn set_node(
	node: &AccountId,
	standing: Standing,
	subscriptions: &[AccountId],
	unmoderated: bool,
) {
	NODES.with(|n| {
		n.borrow_mut().insert(
			node.clone(),
			MockNode { standing, subscriptions: subscriptions.to_vec(), unmoderated },
		)
	});
}

/// Forget `node` (as if it deregistered).
pub fn remove_node(node: &AccountId) {
	NODES.with(|n| n.borrow_mut().remove(node));
}

fn node(who: &AccountId) -> Option<MockNode> {
	NODES.with(|n| n.borrow().get(who).cloned())
}

/// Test double of the node registry, driven by [`set_node`].
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
		NODES.with(|n| n.borrow().keys().nth(index as usize).cloned())
	}
	fn check_capacity(who: &AccountId) -> Option<CapacityStatus<u64>> {
		node(who).map(|_| CapacityStatus::Covered)
	}
}

/// Epoch clock double: epoch `e` is blocks `le .. le + l - 1` for the epoch length `l`.
pub struct MockEpochs;

impl EpochClock<u64> for MockEpochs {
	fn current_epoch() -> EpochIndex {
		(System::block_number() / BlocksPerEpoch::get()) as EpochIndex
	}
	fn epoch_start(epoch: EpochIndex) -> Option<u64> {
		u64::from(epoch).checked_mul(BlocksPerEpoch::get())
	}
	fn epoch_length() -> u64 {
		BlocksPerEpoch::get()
	}
}

parameter_types! {
	pub const QuotaUnit: Balance = QUOTA_UNIT;
	/// Fee per byte; tests may raise it.
	pub static FeePerByte: Balance = DEFAULT_FEE_PER_BYTE;
	/// Blocks per epoch; tests may change it, as `pallet-epochs` lets governance do.
	pub static BlocksPerEpoch: u64 = EPOCH_LENGTH;
}

/// Benchmark helper of the mock: registers nodes in the double.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn register_node(node: &AccountId, moderators: &[AccountId], unmoderated: bool) {
		set_node(node, Standing::Active, moderators, unmoderated);
	}
}

impl pallet_bandwidth::Config for Test {
	type WeightInfo = ();
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Nodes = MockNodes;
	type EpochClock = MockEpochs;
	type QuotaUnit = QuotaUnit;
	type BytesPerQuotaUnit = ConstU64<BYTES_PER_QUOTA_UNIT>;
	type FeePerByte = FeePerByte;
	type UnlockDelay = ConstU64<UNLOCK_DELAY>;
	type MaxBatch = ConstU32<MAX_BATCH>;
	type SubmissionWindow = ConstU32<SUBMISSION_WINDOW>;
	type RetentionEpochs = ConstU32<RETENTION_EPOCHS>;
	type MaxPairsPerClient = ConstU32<MAX_PAIRS>;
	type MaxModeratorsPerNode = ConstU32<MAX_MODERATORS>;
	type PruneLimit = ConstU32<PRUNE_LIMIT>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// The externalities, at block 1 (epoch 0): funded accounts, [`NODE`] and [`NODE_2`]
/// registered and active, a keystore for the benchmarks.
pub fn build() -> sp_io::TestExternalities {
	FeePerByte::set(DEFAULT_FEE_PER_BYTE);
	NODES.with(|n| n.borrow_mut().clear());
	set_node(&account(NODE), Standing::Active, &[account(MODERATOR)], true);
	set_node(&account(NODE_2), Standing::Active, &[account(MODERATOR)], false);
	let balances = KEYS
		.iter()
		.filter(|k| **k != STRANGER)
		.map(|k| (account(*k), if *k == POOR { POOR_BALANCE } else { INITIAL_BALANCE }))
		.collect();
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig { balances, ..Default::default() },
	}
	.build_storage()
	.expect("the mock genesis is valid");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.register_extension(KeystoreExt::new(MemoryKeystore::new()));
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run `test` on a fresh chain, then check the pallet's invariants.
pub fn new_test_ext(test: impl FnOnce()) {
	build().execute_with(|| {
		test();
		Bandwidth::do_try_state().expect("invariants hold after the test");
	});
}

/// Externalities for the benchmark test suite.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	build()
}

/// Move to block `n`, running the pallet's `on_initialize` of each block on the way.
pub fn run_to_block(n: u64) {
	use polkadot_sdk::frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Bandwidth::on_initialize(next);
	}
}

/// Move to the first block of `epoch`.
pub fn run_to_epoch(epoch: EpochIndex) {
	run_to_block(u64::from(epoch) * BlocksPerEpoch::get());
}

/// A receipt of `client` for `bytes` served by `node` in `epoch` under `moderator`, signed by
/// the client for this chain.
pub fn signed(
	client: Sr25519Keyring,
	node: Sr25519Keyring,
	epoch: EpochIndex,
	moderator: Option<Sr25519Keyring>,
	bytes: u64,
) -> SignedReceipt<AccountId> {
	signed_by(client, client, node, epoch, moderator, bytes)
}

/// Like [`signed`], but signed with `signer`'s key.
pub fn signed_by(
	signer: Sr25519Keyring,
	client: Sr25519Keyring,
	node: Sr25519Keyring,
	epoch: EpochIndex,
	moderator: Option<Sr25519Keyring>,
	bytes: u64,
) -> SignedReceipt<AccountId> {
	let r = Receipt {
		client: account(client),
		node: account(node),
		epoch,
		moderator: moderator.map(account),
		bytes,
	};
	receipt::sign(r, &signer.pair(), &Bandwidth::genesis_hash())
}
