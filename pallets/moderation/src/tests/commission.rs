//! Commission rates by epoch: a change applies only from a later epoch, and the rate of every
//! claimable epoch stays readable.
//!
//! The mock defers changes by `COMMISSION_CHANGE_DELAY` (2) epochs, keeps rates
//! `COMMISSION_HISTORY_EPOCHS` (4) epochs back and at most `MAX_COMMISSION_CHANGES` (3) of
//! them.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::ModeratorRegistry;
use polkadot_sdk::{
	frame_support::{assert_err, assert_noop},
	sp_runtime::Perbill,
};

type Registry = Pallet<Test>;

fn pct(percent: u32) -> Perbill {
	Perbill::from_percent(percent)
}

fn set_commission(who: AccountId, rate: Perbill) -> polkadot_sdk::sp_runtime::DispatchResult {
	let info = Moderators::<Test>::get(who).expect("a moderator");
	Moderation::update_moderator(
		RuntimeOrigin::signed(who),
		info.name.into_inner(),
		info.policy.uri.into_inner(),
		info.policy.hash,
		rate,
	)
}

#[test]
fn a_raise_after_an_epoch_was_served_does_not_apply_to_it() {
	new_test_ext(|| {
		// 5 % from epoch 0.
		register(ALICE);
		// Nodes serve ALICE's catalog in epochs 0 to 3; in epoch 3 ALICE raises to the most it
		// may, hoping to take more of the rewards not yet claimed.
		run_to_epoch(3);
		assert_set_commission(ALICE, MaxCommission::get(), &[(0, pct(5)), (5, pct(20))]);

		// Every epoch that was served, or had begun, before the announcement keeps 5 %, and so
		// does the next one: nodes have all of epoch 4 to leave.
		for epoch in 0..=4 {
			assert_eq!(Registry::commission(&ALICE, epoch), Some(pct(5)), "epoch {epoch}");
		}
		assert_eq!(Registry::commission(&ALICE, 5), Some(pct(20)));
		// However late the claim: in epoch 7 (epoch 3 still claimable), epoch 3 pays 5 %.
		run_to_epoch(7);
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(5)));
		assert_eq!(Registry::commission(&ALICE, 7), Some(pct(20)));
	});
}

#[test]
fn a_cut_is_deferred_the_same_way() {
	new_test_ext(|| {
		assert_register_moderator(ALICE, b"news", b"", [0; 32], pct(20));
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(2), &[(0, pct(20)), (3, pct(2))]);
		assert_eq!(Registry::commission(&ALICE, 2), Some(pct(20)));
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(2)));
	});
}

#[test]
fn a_new_moderator_s_rate_applies_from_the_epoch_of_registration() {
	new_test_ext(|| {
		run_to_epoch(3);
		assert_register_moderator(ALICE, b"news", b"", [0; 32], pct(7));
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(7)));
		// Before it existed it had no rate.
		assert_eq!(Registry::commission(&ALICE, 2), None);
	});
}

#[test]
fn changes_in_one_epoch_replace_each_other_and_may_withdraw_the_change() {
	new_test_ext(|| {
		register(ALICE);
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(20), &[(0, pct(5)), (3, pct(20))]);
		assert_set_commission(ALICE, pct(10), &[(0, pct(5)), (3, pct(10))]);
		// Back to the rate before: the change is withdrawn, epoch 3 keeps 5 %.
		assert_set_commission(ALICE, pct(5), &[(0, pct(5))]);
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(5)));
		assert_eq!(last_event(), Event::ModeratorUpdated { moderator: ALICE });
		assert!(moderation_events().contains(&Event::CommissionChangeScheduled {
			moderator: ALICE,
			rate: pct(5),
			from_epoch: 3,
		}));
	});
}

#[test]
fn a_change_announced_in_an_earlier_epoch_cannot_be_withdrawn() {
	new_test_ext(|| {
		register(ALICE);
		// Epoch 1: a cut to 1 % from epoch 3, which may attract nodes.
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(1), &[(0, pct(5)), (3, pct(1))]);
		// Epoch 2: back to 5 %, but only from epoch 4: epoch 3 keeps the announced 1 %.
		run_to_epoch(2);
		assert_set_commission(ALICE, pct(5), &[(0, pct(5)), (3, pct(1)), (4, pct(5))]);
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(1)));
		assert_eq!(Registry::commission(&ALICE, 4), Some(pct(5)));
	});
}

#[test]
fn the_same_rate_schedules_nothing() {
	new_test_ext(|| {
		register(ALICE);
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(5), &[(0, pct(5))]);
		assert_eq!(moderation_events().last(), Some(&Event::ModeratorUpdated { moderator: ALICE }));
		assert!(!moderation_events()
			.iter()
			.any(|e| matches!(e, Event::CommissionChangeScheduled { .. })));
	});
}

#[test]
fn a_full_history_refuses_changes_until_old_rates_expire() {
	new_test_ext(|| {
		// (0, 5 %)
		register(ALICE);
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(10), &[(0, pct(5)), (3, pct(10))]);
		run_to_epoch(2);
		assert_set_commission(ALICE, pct(15), &[(0, pct(5)), (3, pct(10)), (4, pct(15))]);
		// Still in epoch 2, the pending change can be replaced: the history does not grow.
		assert_set_commission(ALICE, pct(12), &[(0, pct(5)), (3, pct(10)), (4, pct(12))]);

		// Epoch 6: epoch 2 is still claimable (kept 4 epochs back) and needs 5 %.
		run_to_epoch(6);
		assert_noop!(set_commission(ALICE, pct(20)), Error::<Test>::CommissionHistoryFull);
		// The name and policy can still change, with the same commission.
		assert_update_moderator(
			ALICE,
			b"renamed",
			b"",
			[3; 32],
			pct(12),
			&[(0, pct(5)), (3, pct(10)), (4, pct(12))],
		);
		// A rate above the maximum is refused first.
		assert_noop!(set_commission(ALICE, pct(21)), Error::<Test>::CommissionTooHigh);

		// Epoch 7: epoch 3 is the oldest that can be claimed; the 5 % before it is dropped.
		run_to_epoch(7);
		assert_set_commission(ALICE, pct(20), &[(3, pct(10)), (4, pct(12)), (9, pct(20))]);
		assert_eq!(Registry::commission(&ALICE, 3), Some(pct(10)));
		assert_eq!(Registry::commission(&ALICE, 2), None);

		// Much later, every superseded rate is dropped at once: only the one in force at the
		// oldest claimable epoch is kept before the new change.
		run_to_epoch(20);
		assert_set_commission(ALICE, pct(0), &[(9, pct(20)), (22, pct(0))]);
	});
}

#[test]
fn a_retired_moderator_takes_no_commission_for_any_epoch() {
	new_test_ext(|| {
		register(ALICE);
		run_to_epoch(2);
		assert_retire_moderator(ALICE, false);
		assert_eq!(Registry::commission(&ALICE, 1), None);
		assert_eq!(Registry::commission(&ALICE, 2), None);
	});
}

#[test]
fn try_state_checks_the_commission_rates() {
	new_test_ext(|| {
		register(ALICE);
		run_to_epoch(1);
		assert_set_commission(ALICE, pct(10), &[(0, pct(5)), (3, pct(10))]);
		let put = |pairs: &[(u32, Perbill)]| {
			Moderators::<Test>::mutate(ALICE, |info| {
				info.as_mut().unwrap().commission_rates = rates(pairs)
			})
		};

		put(&[]);
		assert_err!(Moderation::do_try_state(), "moderator without a commission rate");
		put(&[(2, pct(5))]);
		assert_err!(Moderation::do_try_state(), "no commission rate in force now");
		put(&[(0, pct(5)), (0, pct(10))]);
		assert_err!(Moderation::do_try_state(), "commission rates out of order");
		put(&[(0, pct(5)), (2, pct(5))]);
		assert_err!(Moderation::do_try_state(), "commission rate repeated");
		put(&[(0, pct(21))]);
		assert_err!(Moderation::do_try_state(), "commission rate above MaxCommission");
		put(&[(0, pct(5)), (4, pct(10))]);
		assert_err!(Moderation::do_try_state(), "commission rate beyond CommissionChangeDelay");

		put(&[(0, pct(5)), (3, pct(10))]);
		assert_eq!(Moderation::do_try_state(), Ok(()));
	});
}
