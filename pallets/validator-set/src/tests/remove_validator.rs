//! `remove_validator`: who may call it, what it checks and what it changes.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn root_removes_a_validator_and_the_others_keep_their_order() {
	new_test_ext(|| {
		assert_remove_validator(BOB);
		assert_eq!(Validators::<Test>::get().into_inner(), vec![ALICE, CHARLIE]);
	});
}

#[test]
fn a_validator_added_earlier_can_be_removed() {
	new_test_ext(|| {
		assert_add_validator(DAVE);
		assert_remove_validator(DAVE);
		assert_eq!(Validators::<Test>::get().into_inner(), GENESIS_VALIDATORS.to_vec());
	});
}

#[test]
fn a_signed_account_may_not_remove() {
	new_test_ext(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(ALICE), BOB),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(ALICE), ALICE),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn an_account_outside_the_set_is_refused() {
	new_test_ext(|| {
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), DAVE),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), FERDIE),
			Error::<Test>::NotValidator
		);
	});
}

#[test]
fn the_set_never_drops_below_min_validators() {
	new_test_ext(|| {
		assert_remove_validator(CHARLIE);
		assert_eq!(Validators::<Test>::get().len(), MIN_VALIDATORS as usize);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), ALICE),
			Error::<Test>::TooFewValidators
		);
		// A validator can leave once another has joined.
		assert_add_validator(DAVE);
		assert_remove_validator(ALICE);
	});
}

#[test]
fn not_validator_is_reported_before_too_few_validators() {
	new_test_ext(|| {
		assert_remove_validator(CHARLIE);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), CHARLIE),
			Error::<Test>::NotValidator
		);
	});
}
