//! The pallet as the chain's `EpochClock`, its hook and its runtime API view.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::EpochClock;

#[test]
fn genesis_sets_the_length_and_epoch_zero_starts_at_genesis() {
	test(|| {
		assert_eq!(
			MemorySnapshot::new(),
			MemorySnapshot {
				length: GENESIS_LENGTH,
				anchor: EpochAnchor::default(),
				next_length: None
			}
		);
		assert_eq!(Epochs::current_epoch(), 0);
		assert_eq!(Epochs::epoch_start(0), Some(0));
		assert_eq!(Epochs::epoch_length(), GENESIS_LENGTH);
	});
}

#[test]
fn a_genesis_length_of_zero_means_the_minimum() {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		epochs: GenesisConfig { epoch_length: 0 },
	};
	let mut ext: polkadot_sdk::sp_io::TestExternalities =
		polkadot_sdk::sp_runtime::BuildStorage::build_storage(&storage).unwrap().into();
	ext.execute_with(|| assert_eq!(EpochLength::<Test>::get(), MIN_LENGTH));
}

#[test]
#[should_panic(expected = "genesis epoch length above MaxEpochLength")]
fn a_genesis_length_above_the_maximum_is_refused() {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		epochs: GenesisConfig { epoch_length: MAX_LENGTH + 1 },
	};
	let _ = polkadot_sdk::sp_runtime::BuildStorage::build_storage(&storage);
}

#[test]
fn blocks_map_to_epochs_and_each_epoch_is_announced_once() {
	test(|| {
		run_to_block(9);
		assert_eq!(Epochs::current_epoch(), 0);
		assert!(epoch_events().is_empty());
		run_to_block(10);
		assert_eq!(Epochs::current_epoch(), 1);
		assert_eq!(epoch_events(), vec![Event::EpochStarted { epoch: 1, length: GENESIS_LENGTH }]);
		run_to_block(11);
		assert!(epoch_events().is_empty());
		run_to_block(35);
		assert_eq!(Epochs::current_epoch(), 3);
	});
}

#[test]
fn epoch_starts_are_known_from_the_anchor_on() {
	test(|| {
		assert_eq!(Epochs::epoch_start(1), Some(10));
		assert_eq!(Epochs::epoch_start(7), Some(70));
		assert_set_epoch_length(5);
		run_to_block(10);
		// Epoch 0 is before the anchor of the new length: unknown.
		assert_eq!(Epochs::epoch_start(0), None);
		assert_eq!(Epochs::epoch_start(1), Some(10));
		assert_eq!(Epochs::epoch_start(3), Some(20));
	});
}

#[test]
fn epoch_start_returns_none_on_overflow() {
	test(|| {
		EpochLength::<Test>::put(MAX_LENGTH);
		assert_eq!(Epochs::epoch_start(u32::MAX), Some(u64::from(u32::MAX) * MAX_LENGTH));
		System::set_block_number(u64::MAX - 10);
		Anchor::<Test>::put(EpochAnchor { epoch: 0, first_block: u64::MAX - 10 });
		assert_eq!(Epochs::epoch_start(1), None);
	});
}

#[test]
fn epoch_info_reports_the_current_epoch_and_a_scheduled_change() {
	test(|| {
		run_to_block(12);
		assert_set_epoch_length(4);
		assert_eq!(
			Epochs::epoch_info(),
			EpochInfo { epoch: 1, first_block: 10, length: GENESIS_LENGTH, next_length: Some(4) }
		);
	});
}

#[test]
fn try_state_catches_a_length_out_of_bounds() {
	new_test_ext().execute_with(|| {
		EpochLength::<Test>::put(MAX_LENGTH + 1);
		assert!(Epochs::do_try_state().is_err());
		EpochLength::<Test>::put(GENESIS_LENGTH);
		NextEpochLength::<Test>::put(0);
		assert!(Epochs::do_try_state().is_err());
		NextEpochLength::<Test>::kill();
		Anchor::<Test>::put(EpochAnchor { epoch: 0, first_block: 100 });
		assert!(Epochs::do_try_state().is_err());
	});
}
