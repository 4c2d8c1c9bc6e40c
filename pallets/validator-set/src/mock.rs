//! Mock runtime for the validator set's unit tests and benchmark tests, with the real
//! pallet-session (keys are `UintAuthorityId`s, sessions last [`SESSION_LENGTH`] blocks).

use crate as pallet_validator_set;
use polkadot_sdk::{
	frame_support::{
		self, assert_ok, derive_impl,
		traits::{ConstU32, ConstU64, Hooks},
	},
	frame_system, pallet_balances, pallet_session, sp_io,
	sp_runtime::{testing::UintAuthorityId, traits::ConvertInto, BuildStorage},
};

/// Account ids of the mock runtime; validator ids are the same.
pub type AccountId = u64;
/// Balances of the mock runtime.
pub type Balance = u64;
type Block = frame_system::mocking::MockBlock<Test>;

/// A genesis validator.
pub const ALICE: AccountId = 1;
/// A genesis validator.
pub const BOB: AccountId = 2;
/// A genesis validator.
pub const CHARLIE: AccountId = 3;
/// A candidate that sets its session keys at block 1.
pub const DAVE: AccountId = 4;
/// Another candidate that sets its session keys at block 1.
pub const EVE: AccountId = 5;
/// A funded account without session keys.
pub const FERDIE: AccountId = 6;
/// The genesis validators.
pub const GENESIS_VALIDATORS: [AccountId; 3] = [ALICE, BOB, CHARLIE];
/// Every funded account.
pub const ACCOUNTS: [AccountId; 6] = [ALICE, BOB, CHARLIE, DAVE, EVE, FERDIE];

/// Starting balance of the funded accounts.
pub const INITIAL_BALANCE: Balance = 1_000;
/// Held by pallet-session when an account first sets keys.
pub const KEY_DEPOSIT: Balance = 10;
/// Blocks per session; sessions rotate at multiples of it.
pub const SESSION_LENGTH: u64 = 5;
/// Fewest validators.
pub const MIN_VALIDATORS: u32 = 2;
/// Most validators.
pub const MAX_VALIDATORS: u32 = 4;

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
	// Before Session: pallet-session's genesis asks this pallet for the first sets.
	#[runtime::pallet_index(2)]
	pub type ValidatorSet = pallet_validator_set;
	#[runtime::pallet_index(3)]
	pub type Session = pallet_session;
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

/// Sessions of [`SESSION_LENGTH`] blocks, the first one ending at block [`SESSION_LENGTH`].
pub type Sessions = pallet_session::PeriodicSessions<ConstU64<SESSION_LENGTH>, ConstU64<0>>;

impl pallet_session::Config for Test {
	type RuntimeEvent = RuntimeEvent;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = pallet_session::TestSessionHandler;
	type Keys = UintAuthorityId;
	type DisablingStrategy = ();
	type WeightInfo = ();
	type Currency = Balances;
	type KeyDeposit = ConstU64<KEY_DEPOSIT>;
}

impl pallet_validator_set::Config for Test {
	type WeightInfo = ();
	type AddRemoveOrigin = frame_system::EnsureRoot<AccountId>;
	type ValidatorRegistration = Session;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockBenchmarkHelper;
}

/// Sets session keys for the benchmarks' accounts through `session.setKeys`.
#[cfg(feature = "runtime-benchmarks")]
pub struct MockBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId> for MockBenchmarkHelper {
	fn set_session_keys(who: &AccountId) {
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		Balances::set_balance(who, INITIAL_BALANCE);
		set_session_keys(*who);
	}
}

/// `who` sets the session key `UintAuthorityId(who)` with `session.setKeys`, as a validator
/// candidate does after `author_rotateKeys`.
pub fn set_session_keys(who: AccountId) {
	assert_ok!(Session::set_keys(RuntimeOrigin::signed(who), UintAuthorityId(who), Vec::new()));
}

/// Builds test externalities: funded [`ACCOUNTS`], the validator set's genesis and session
/// keys for the genesis validators in pallet-session's genesis.
pub struct ExtBuilder {
	validators: Vec<AccountId>,
}

impl Default for ExtBuilder {
	fn default() -> Self {
		Self { validators: GENESIS_VALIDATORS.to_vec() }
	}
}

impl ExtBuilder {
	/// Use `validators` as the genesis validators (each gets session keys at genesis).
	pub fn with_validators(mut self, validators: Vec<AccountId>) -> Self {
		self.validators = validators;
		self
	}

	/// The genesis storage.
	pub fn build_storage(self) -> polkadot_sdk::sp_runtime::Storage {
		let keys = self.validators.iter().map(|v| (*v, *v, UintAuthorityId(*v))).collect();
		RuntimeGenesisConfig {
			system: Default::default(),
			balances: pallet_balances::GenesisConfig {
				balances: ACCOUNTS.iter().map(|who| (*who, INITIAL_BALANCE)).collect(),
				..Default::default()
			},
			validator_set: pallet_validator_set::GenesisConfig {
				initial_validators: self.validators,
			},
			session: pallet_session::GenesisConfig { keys, non_authority_keys: Vec::new() },
		}
		.build_storage()
		.expect("the mock genesis is valid")
	}

	/// The externalities at block 1 (session 0), where [`DAVE`] and [`EVE`] have set their
	/// session keys.
	pub fn build(self) -> sp_io::TestExternalities {
		let mut ext = sp_io::TestExternalities::new(self.build_storage());
		ext.execute_with(|| {
			System::set_block_number(1);
			set_session_keys(DAVE);
			set_session_keys(EVE);
		});
		ext
	}

	/// Run `test` at block 1, then check the pallet's invariants.
	pub fn build_and_execute(self, test: impl FnOnce()) {
		self.build().execute_with(|| {
			test();
			ValidatorSet::do_try_state().expect("invariants hold after the test");
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

/// Run the blocks after the current one up to and including `n`, as block production does:
/// pallet-session rotates the session in the first block of each.
pub fn run_to_block(n: u64) {
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		System::reset_events();
		Session::on_initialize(next);
	}
}

/// Run to the first block of session `index`.
pub fn run_to_session(index: u32) {
	run_to_block(u64::from(index) * SESSION_LENGTH);
	assert_eq!(pallet_session::CurrentIndex::<Test>::get(), index);
}
