//! `try_state`: it holds through every call and rotation, and catches each broken invariant.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_ok, storage::unhashed, BoundedVec},
	sp_runtime::DispatchError,
};

/// Store `validators` as the set, unchecked.
fn put_set(validators: Vec<AccountId>) {
	unhashed::put(&Validators::<Test>::hashed_key(), &validators);
}

/// `try_state`'s verdict.
fn try_state() -> Result<(), DispatchError> {
	ValidatorSet::do_try_state()
}

#[test]
fn try_state_holds() {
	new_test_ext(|| {
		assert_ok!(try_state());
		assert_add_validator(DAVE);
		assert_ok!(try_state());
		run_to_session(1);
		assert_ok!(try_state());
		assert_remove_validator(ALICE);
		assert_remove_validator(BOB);
		run_to_session(3);
		assert_ok!(try_state());
	});
}

#[test]
fn try_state_catches_a_set_above_max_validators() {
	ExtBuilder::default().build().execute_with(|| {
		set_session_keys(FERDIE);
		put_set(vec![ALICE, BOB, CHARLIE, DAVE, EVE]);
		assert_eq!(try_state(), Err("validators above MaxValidators".into()));
	});
}

#[test]
fn try_state_catches_a_set_below_min_validators() {
	ExtBuilder::default().build().execute_with(|| {
		Validators::<Test>::put(BoundedVec::truncate_from(vec![ALICE]));
		assert_eq!(try_state(), Err("validators below MinValidators".into()));
		Validators::<Test>::kill();
		assert_eq!(try_state(), Err("validators below MinValidators".into()));
	});
}

#[test]
fn try_state_catches_a_duplicate() {
	ExtBuilder::default().build().execute_with(|| {
		put_set(vec![ALICE, BOB, ALICE]);
		assert_eq!(try_state(), Err("duplicate validator".into()));
	});
}

#[test]
fn try_state_catches_a_validator_without_session_keys() {
	ExtBuilder::default().build().execute_with(|| {
		put_set(vec![ALICE, BOB, FERDIE]);
		assert_eq!(try_state(), Err("validator without session keys".into()));
	});
}

/// What the invariant guards against: pallet-session leaves a validator that purged its keys
/// out of the sets it queues.
#[test]
fn a_validator_purging_its_keys_breaks_the_invariant_and_is_left_out() {
	ExtBuilder::default().build().execute_with(|| {
		assert_add_validator(DAVE);
		assert_ok!(Session::purge_keys(RuntimeOrigin::signed(DAVE)));
		assert_eq!(try_state(), Err("validator without session keys".into()));

		run_to_session(1);
		assert_eq!(queued_validators(), GENESIS_VALIDATORS.to_vec());

		// Removing it restores the invariant.
		assert_remove_validator(DAVE);
	});
}
