//! `set_epoch_length`: who may call it, its bounds, and when the new length takes effect.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::EpochClock;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn root_schedules_a_length_for_the_next_epoch() {
	test(|| assert_set_epoch_length(20));
}

#[test]
fn the_bounds_are_inclusive() {
	test(|| {
		assert_set_epoch_length(MIN_LENGTH);
		assert_set_epoch_length(MAX_LENGTH);
	});
}

#[test]
fn a_signed_account_may_not_change_the_length() {
	test(|| {
		assert_noop!(
			Epochs::set_epoch_length(RuntimeOrigin::signed(1), 20),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn a_length_below_the_minimum_is_refused() {
	test(|| {
		assert_noop!(
			Epochs::set_epoch_length(RuntimeOrigin::root(), MIN_LENGTH - 1),
			Error::<Test>::EpochLengthTooShort
		);
		assert_noop!(
			Epochs::set_epoch_length(RuntimeOrigin::root(), 0),
			Error::<Test>::EpochLengthTooShort
		);
	});
}

#[test]
fn a_length_above_the_maximum_is_refused() {
	test(|| {
		assert_noop!(
			Epochs::set_epoch_length(RuntimeOrigin::root(), MAX_LENGTH + 1),
			Error::<Test>::EpochLengthTooLong
		);
	});
}

#[test]
fn the_current_epoch_keeps_its_length_and_the_next_one_takes_the_new_one() {
	test(|| {
		run_to_block(13);
		assert_set_epoch_length(4);
		// Epoch 1 (blocks 10..=19) is unchanged.
		run_to_block(19);
		assert_eq!(Epochs::current_epoch(), 1);
		assert_eq!(EpochLength::<Test>::get(), GENESIS_LENGTH);

		run_to_block(20);
		assert_eq!(epoch_events(), vec![Event::EpochStarted { epoch: 2, length: 4 }]);
		assert_eq!(
			MemorySnapshot::new(),
			MemorySnapshot {
				length: 4,
				anchor: EpochAnchor { epoch: 2, first_block: 20 },
				next_length: None
			}
		);
		run_to_block(24);
		assert_eq!(Epochs::current_epoch(), 3);
		assert_eq!(epoch_events(), vec![Event::EpochStarted { epoch: 3, length: 4 }]);
	});
}

#[test]
fn a_second_schedule_in_the_same_epoch_replaces_the_first() {
	test(|| {
		assert_set_epoch_length(4);
		assert_set_epoch_length(6);
		run_to_block(10);
		assert_eq!(EpochLength::<Test>::get(), 6);
		assert_eq!(Epochs::epoch_start(2), Some(16));
	});
}
