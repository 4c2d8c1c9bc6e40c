//! Registering, updating, retiring and reaping moderators.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_noop, pallet_prelude::DispatchResult},
	sp_runtime::{DispatchError, Perbill},
};

/// `register_moderator` or `update_moderator`: they take the same input.
type ModeratorCall = fn(RuntimeOrigin, Vec<u8>, Vec<u8>, [u8; 32], Perbill) -> DispatchResult;

/// `call` as a closure that signs for `who` and passes `name`, `uri` and `commission` (and a
/// zero policy hash).
fn with_input(call: ModeratorCall) -> impl Fn(AccountId, &[u8], &[u8], Perbill) -> DispatchResult {
	move |who, name, uri, commission| {
		call(RuntimeOrigin::signed(who), name.to_vec(), uri.to_vec(), [0; 32], commission)
	}
}

#[test]
fn register_moderator_holds_deposit_and_records_moderator() {
	new_test_ext(|| {
		assert_register_moderator(
			ALICE,
			b"news",
			b"ipfs://rules",
			[1; 32],
			Perbill::from_percent(5),
		);
	});
}

#[test]
fn register_moderator_accepts_limits() {
	new_test_ext(|| {
		// Longest name and URI, highest commission, empty URI.
		assert_register_moderator(ALICE, &[b'n'; 16], &[b'u'; 32], [0; 32], MaxCommission::get());
		assert_register_moderator(BOB, b"b", b"", [0; 32], Perbill::zero());
	});
}

#[test]
fn register_moderator_twice_fails() {
	new_test_ext(|| {
		let register_again =
			|who| with_input(Moderation::register_moderator)(who, b"again", b"", Perbill::zero());
		register(ALICE);
		assert_noop!(register_again(ALICE), Error::<Test>::AlreadyRegistered);
		// A retired moderator is still registered until it is reaped.
		assert_retire_moderator(ALICE, false);
		assert_noop!(register_again(ALICE), Error::<Test>::AlreadyRegistered);
	});
}

#[test]
fn register_moderator_refuses_bad_input() {
	new_test_ext(|| {
		let register = with_input(Moderation::register_moderator);
		assert_noop!(register(ALICE, b"", b"", Perbill::zero()), Error::<Test>::EmptyName);
		assert_noop!(
			register(ALICE, &[b'n'; 17], b"", Perbill::zero()),
			Error::<Test>::NameTooLong
		);
		assert_noop!(
			register(ALICE, b"news", &[b'u'; 33], Perbill::zero()),
			Error::<Test>::PolicyUriTooLong
		);
		assert_noop!(
			register(ALICE, b"news", b"", Perbill::from_percent(21)),
			Error::<Test>::CommissionTooHigh
		);
		assert_noop!(
			register(DAVE, b"news", b"", Perbill::zero()),
			Error::<Test>::InsufficientBalance
		);
	});
}

#[test]
fn register_moderator_needs_signed_origin() {
	new_test_ext(|| {
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Moderation::register_moderator(
					origin,
					b"news".to_vec(),
					vec![],
					[0; 32],
					Perbill::zero()
				),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn update_moderator_replaces_name_policy_and_schedules_commission() {
	new_test_ext(|| {
		let pct = Perbill::from_percent;
		register(ALICE);
		// Epoch 0: the name and policy change now, the commission from epoch 2.
		assert_update_moderator(
			ALICE,
			b"sport",
			b"https://new",
			[7; 32],
			pct(20),
			&[(0, pct(5)), (2, pct(20))],
		);
		// Changed again in the same epoch: the later rate replaces the earlier.
		assert_update_moderator(ALICE, b"s", b"", [0; 32], pct(0), &[(0, pct(5)), (2, pct(0))]);
		// The same rate again: only the name changes, no commission event.
		assert_update_moderator(ALICE, b"t", b"", [0; 32], pct(0), &[(0, pct(5)), (2, pct(0))]);
	});
}

#[test]
fn update_moderator_refuses_bad_input_and_state() {
	new_test_ext(|| {
		let update = with_input(Moderation::update_moderator);
		assert_noop!(update(ALICE, b"x", b"", Perbill::zero()), Error::<Test>::UnknownModerator);
		register(ALICE);
		assert_noop!(update(ALICE, b"", b"", Perbill::zero()), Error::<Test>::EmptyName);
		assert_noop!(update(ALICE, &[b'n'; 17], b"", Perbill::zero()), Error::<Test>::NameTooLong);
		assert_noop!(
			update(ALICE, b"x", &[b'u'; 33], Perbill::zero()),
			Error::<Test>::PolicyUriTooLong
		);
		assert_noop!(
			update(ALICE, b"x", b"", Perbill::from_percent(21)),
			Error::<Test>::CommissionTooHigh
		);
		assert_noop!(
			Moderation::update_moderator(
				RuntimeOrigin::none(),
				b"x".to_vec(),
				vec![],
				[0; 32],
				Perbill::zero()
			),
			DispatchError::BadOrigin
		);
		assert_retire_moderator(ALICE, false);
		assert_noop!(update(ALICE, b"x", b"", Perbill::zero()), Error::<Test>::ModeratorRetired);
	});
}

#[test]
fn retire_moderator_freezes_the_moderator() {
	new_test_ext(|| {
		register(ALICE);
		run_to_block(5);
		assert_retire_moderator(ALICE, false);
	});
}

#[test]
fn retire_moderator_refuses_unknown_retired_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::retire_moderator(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		assert_noop!(Moderation::retire_moderator(RuntimeOrigin::none()), DispatchError::BadOrigin);
		assert_noop!(Moderation::retire_moderator(RuntimeOrigin::root()), DispatchError::BadOrigin);
		assert_retire_moderator(ALICE, false);
		assert_noop!(
			Moderation::retire_moderator(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::ModeratorRetired
		);
	});
}

#[test]
fn force_retire_moderator_works_for_admin() {
	new_test_ext(|| {
		register(ALICE);
		assert_retire_moderator(ALICE, true);
	});
}

#[test]
fn force_retire_moderator_refuses_other_origins_and_states() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::force_retire_moderator(RuntimeOrigin::root(), ALICE),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		for origin in
			[RuntimeOrigin::signed(ALICE), RuntimeOrigin::signed(BOB), RuntimeOrigin::none()]
		{
			assert_noop!(
				Moderation::force_retire_moderator(origin, ALICE),
				DispatchError::BadOrigin
			);
		}
		assert_retire_moderator(ALICE, false);
		assert_noop!(
			Moderation::force_retire_moderator(RuntimeOrigin::root(), ALICE),
			Error::<Test>::ModeratorRetired
		);
	});
}

#[test]
fn reap_moderator_removes_everything_and_returns_deposits() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 200);
		list(BOB, content(1), 50);
		assert_deny_content(ALICE, content(9));
		assert_deny_content(BOB, content(9));
		propose(CHARLIE, ALICE, content(3), 10);
		propose(EVE, ALICE, content(4), 10);
		propose(CHARLIE, BOB, content(3), 10);
		assert_retire_moderator(ALICE, false);
		run_to_block(1 + RETIREMENT_DELAY);
		// Anyone may reap; BOB's catalog, deny list and proposals are untouched.
		assert_reap_moderator(CHARLIE, ALICE);
		assert_eq!(Balances::free_balance(ALICE), INITIAL_BALANCE);
	});
}

#[test]
fn reaped_moderator_can_register_again() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		assert_retire_moderator(ALICE, false);
		run_to_block(100);
		assert_reap_moderator(ALICE, ALICE);
		register(ALICE);
		list(ALICE, content(1), 100);
	});
}

#[test]
fn reap_moderator_refuses_too_early_live_unknown_subscribed_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::reap_moderator(RuntimeOrigin::signed(BOB), ALICE),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		assert_noop!(
			Moderation::reap_moderator(RuntimeOrigin::signed(BOB), ALICE),
			Error::<Test>::ModeratorLive
		);
		run_to_block(3);
		assert_retire_moderator(ALICE, false);
		run_to_block(3 + RETIREMENT_DELAY - 1);
		assert_noop!(
			Moderation::reap_moderator(RuntimeOrigin::signed(BOB), ALICE),
			Error::<Test>::RetirementDelayNotElapsed
		);
		run_to_block(3 + RETIREMENT_DELAY);
		Subscribers::set(1);
		assert_noop!(
			Moderation::reap_moderator(RuntimeOrigin::signed(BOB), ALICE),
			Error::<Test>::SubscribersRemain
		);
		Subscribers::set(0);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::reap_moderator(origin, ALICE), DispatchError::BadOrigin);
		}
		// Exactly at the unlock block it works.
		assert_reap_moderator(BOB, ALICE);
	});
}

#[test]
fn reap_moderator_reports_actual_weight() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		assert_deny_content(ALICE, content(2));
		assert_retire_moderator(ALICE, false);
		run_to_block(100);
		let post = Moderation::reap_moderator(RuntimeOrigin::signed(BOB), ALICE).unwrap();
		assert_eq!(post.actual_weight, Some(<() as WeightInfo>::reap_moderator(1, 1, 0)));
	});
}
