//! Locking coins for bandwidth, unlocking and withdrawing them.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn lock_holds_coins_and_sets_the_quota() {
	new_test_ext(|| {
		assert_lock(CLIENT, 1_000_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).quota, 10_000);
		assert_lock(CLIENT, 550_000);
		let quota = Bandwidth::client_quota(&account(CLIENT), 0);
		assert_eq!(
			(quota.locked, quota.unlocking, quota.quota, quota.used),
			(1_550_000, 0, 15_500, 0)
		);
	});
}

#[test]
fn lock_refuses_zero_and_what_the_account_cannot_pay() {
	new_test_ext(|| {
		let origin = RuntimeOrigin::signed(account(CLIENT));
		assert_noop!(Bandwidth::lock(origin.clone(), 0), Error::<Test>::ZeroAmount);
		// The whole balance would leave less than the existential deposit.
		assert_noop!(Bandwidth::lock(origin, INITIAL_BALANCE), Error::<Test>::InsufficientBalance);
		assert_noop!(
			Bandwidth::lock(RuntimeOrigin::signed(account(POOR)), QUOTA_UNIT),
			Error::<Test>::InsufficientBalance
		);
		assert_noop!(
			Bandwidth::lock(RuntimeOrigin::signed(account(STRANGER)), 1_000),
			Error::<Test>::InsufficientBalance
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Bandwidth::lock(origin, 1_000), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn unlock_lowers_the_quota_from_the_next_epoch_and_restarts_the_delay() {
	new_test_ext(|| {
		assert_lock(CLIENT, 1_000_000);
		assert_unlock(CLIENT, 400_000);
		// The coins unlocking still back the epoch of the unlock.
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).quota, 10_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 1).quota, 6_000);
		run_to_block(5);
		assert_unlock(CLIENT, 100_000);
		let lock = Locks::<Test>::get(account(CLIENT)).expect("locked");
		assert_eq!(
			(lock.locked, lock.unlocking, lock.unlocks_at),
			(500_000, 500_000, 5 + UNLOCK_DELAY)
		);
	});
}

#[test]
fn unlock_refuses_zero_missing_and_excess_amounts() {
	new_test_ext(|| {
		let origin = RuntimeOrigin::signed(account(CLIENT));
		assert_noop!(Bandwidth::unlock(origin.clone(), 1_000), Error::<Test>::NoBandwidthLock);
		assert_lock(CLIENT, 1_000_000);
		assert_noop!(Bandwidth::unlock(origin.clone(), 0), Error::<Test>::ZeroAmount);
		assert_noop!(Bandwidth::unlock(origin.clone(), 1_001_000), Error::<Test>::NotEnoughLocked);
		assert_unlock(CLIENT, 1_000_000);
		assert_noop!(Bandwidth::unlock(origin, 1_000), Error::<Test>::NotEnoughLocked);
		assert_noop!(Bandwidth::unlock(RuntimeOrigin::root(), 1_000), DispatchError::BadOrigin);
	});
}

#[test]
fn withdraw_releases_unlocked_coins_after_the_delay() {
	new_test_ext(|| {
		assert_lock(CLIENT, 1_000_000);
		assert_unlock(CLIENT, 300_000);
		run_to_block(1 + UNLOCK_DELAY);
		assert_withdraw_unlocked(CLIENT);
		// Part of the lock remains.
		assert_eq!(Locks::<Test>::get(account(CLIENT)).map(|l| l.locked), Some(700_000));
		assert_unlock(CLIENT, 700_000);
		run_to_block(1 + 2 * UNLOCK_DELAY);
		assert_withdraw_unlocked(CLIENT);
		assert!(!Locks::<Test>::contains_key(account(CLIENT)));
	});
}

#[test]
fn withdraw_refuses_early_missing_and_empty_unlocks() {
	new_test_ext(|| {
		let origin = RuntimeOrigin::signed(account(CLIENT));
		assert_noop!(Bandwidth::withdraw_unlocked(origin.clone()), Error::<Test>::NoBandwidthLock);
		assert_lock(CLIENT, 1_000_000);
		assert_noop!(Bandwidth::withdraw_unlocked(origin.clone()), Error::<Test>::NothingUnlocking);
		assert_unlock(CLIENT, 1_000_000);
		run_to_block(UNLOCK_DELAY);
		assert_noop!(Bandwidth::withdraw_unlocked(origin.clone()), Error::<Test>::UnlockNotElapsed);
		assert_noop!(Bandwidth::withdraw_unlocked(RuntimeOrigin::none()), DispatchError::BadOrigin);
		run_to_block(1 + UNLOCK_DELAY);
		assert_withdraw_unlocked(CLIENT);
	});
}
