//! `add_validator`: who may call it, what it checks and what it changes.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_ok},
	sp_runtime::DispatchError,
};

#[test]
fn root_adds_an_account_with_session_keys() {
	new_test_ext(|| assert_add_validator(DAVE));
}

#[test]
fn the_set_fills_up_to_max_validators() {
	new_test_ext(|| {
		assert_add_validator(DAVE);
		assert_eq!(Validators::<Test>::get().len(), MAX_VALIDATORS as usize);
	});
}

#[test]
fn a_signed_account_may_not_add() {
	new_test_ext(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(ALICE), DAVE),
			DispatchError::BadOrigin
		);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(DAVE), DAVE),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn an_account_without_session_keys_is_refused() {
	new_test_ext(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), FERDIE),
			Error::<Test>::NoSessionKeys
		);
		// Once it has set keys it may join.
		set_session_keys(FERDIE);
		assert_add_validator(FERDIE);
	});
}

#[test]
fn an_account_that_purged_its_keys_is_refused() {
	new_test_ext(|| {
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(DAVE)));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), DAVE),
			Error::<Test>::NoSessionKeys
		);
	});
}

#[test]
fn a_validator_cannot_be_added_twice() {
	new_test_ext(|| {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), ALICE),
			Error::<Test>::AlreadyValidator
		);
		assert_add_validator(DAVE);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), DAVE),
			Error::<Test>::AlreadyValidator
		);
	});
}

#[test]
fn a_full_set_takes_no_more() {
	new_test_ext(|| {
		assert_add_validator(DAVE);
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), EVE),
			Error::<Test>::TooManyValidators
		);
		// Room again after a removal.
		assert_remove_validator(ALICE);
		assert_add_validator(EVE);
	});
}
