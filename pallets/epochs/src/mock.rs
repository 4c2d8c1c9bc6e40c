//! Mock runtime for the epochs pallet's unit tests and benchmark tests.

use crate as pallet_epochs;
use polkadot_sdk::{
	frame_support::{self, derive_impl, traits::ConstU64},
	frame_system, sp_io,
	sp_runtime::BuildStorage,
};

type Block = frame_system::mocking::MockBlock<Test>;

/// Epoch length at genesis in the tests.
pub const GENESIS_LENGTH: u64 = 10;
/// Shortest epoch the mock allows.
pub const MIN_LENGTH: u64 = 2;
/// Longest epoch the mock allows.
pub const MAX_LENGTH: u64 = 1_000;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(RuntimeCall, RuntimeEvent, RuntimeError, RuntimeOrigin, RuntimeTask)]
	pub struct Test;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Epochs = pallet_epochs;
}

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

impl pallet_epochs::Config for Test {
	type WeightInfo = ();
	type AdminOrigin = frame_system::EnsureRoot<u64>;
	type MinEpochLength = ConstU64<MIN_LENGTH>;
	type MaxEpochLength = ConstU64<MAX_LENGTH>;
}

/// Externalities at block 1 with epochs of [`GENESIS_LENGTH`] blocks.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		epochs: pallet_epochs::GenesisConfig { epoch_length: GENESIS_LENGTH },
	}
	.build_storage()
	.expect("mock genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Run `test` in fresh externalities and check the pallet's invariants afterwards.
pub fn test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Epochs::do_try_state().expect("invariants hold");
	});
}

/// Run the blocks after the current one up to and including `n`, as block production does.
pub fn run_to_block(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		System::reset_events();
		Epochs::on_initialize(next);
	}
}
