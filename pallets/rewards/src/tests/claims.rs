//! Claims: who is paid, how much, once, and every reason a claim is refused.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{
	frame_support::{assert_noop, traits::fungible::Inspect},
	sp_runtime::{DispatchError, Perbill},
};

/// Epoch 2 is past the bootstrap: its pot is `BASE` (1 000 000).
const E: u32 = 2;

#[test]
fn claim_pays_the_node_and_its_moderators_at_the_cap() {
	new_test_ext(|| {
		// ALICE served 1 000 bytes: 600 under MOD_A (5%), 300 under MOD_B (20%), 100 unmoderated;
		// BOB 3 000. Pot share 1 000 000 × 1 000 / 4 000 = 250 000, above the cap of
		// 10 × 1 000 = 10 000: the cap binds.
		credit(E, ALICE, vec![(Some(MOD_A), 600), (Some(MOD_B), 300), (None, 100)]);
		credit(E, BOB, vec![(None, 3_000)]);
		let issuance = Balances::total_issuance();

		let paid = assert_claim(ALICE, ALICE, E);

		// MOD_A: ⌊10 000 × 600 / 1 000⌋ × 5% = 300; MOD_B: 3 000 × 20% = 600.
		assert_eq!(
			paid,
			Payout { bytes: 1_000, node: 9_100, commissions: vec![(MOD_A, 300), (MOD_B, 600)] }
		);
		// Exactly what was paid was minted; the rest of the pot was not.
		assert_eq!(Balances::total_issuance() - issuance, 10_000);
		assert_eq!(Balances::balance(&ALICE), INITIAL_BALANCE + 9_100);
		assert_eq!(
			crate::EpochTotals::<Test>::get(E),
			Some(EpochRecord { pot: BASE, total_bytes: 4_000, paid: 10_000 })
		);

		let paid = assert_claim(BOB, BOB, E);
		assert_eq!(paid, Payout { bytes: 3_000, node: 30_000, commissions: vec![] });
		assert_eq!(Balances::total_issuance() - issuance, 40_000);
		assert_eq!(TotalPaid::<Test>::get(), 40_000);
	});
}

#[test]
fn when_demand_is_high_the_pot_is_shared_by_bytes_rounding_down() {
	new_test_ext(|| {
		assert_set_schedule(flat(1_000));
		for node in [ALICE, BOB, CHARLIE] {
			credit(E, node, vec![(None, 1_000)]);
		}
		let issuance = Balances::total_issuance();
		for node in [ALICE, BOB, CHARLIE] {
			// ⌊1 000 × 1 000 / 3 000⌋ = 333, far below the cap of 10 000.
			assert_eq!(assert_claim(node, node, E).node, 333);
		}
		// 999 of the pot of 1 000 paid; the remainder of the rounding is not minted.
		assert_eq!(Balances::total_issuance() - issuance, 999);
		assert_eq!(crate::EpochTotals::<Test>::get(E).unwrap().paid, 999);
	});
}

#[test]
fn anyone_may_claim_for_a_node_and_the_node_is_paid() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(Some(MOD_A), 100)]);
		let dave = Balances::balance(&DAVE);
		let paid = assert_claim(DAVE, ALICE, E);
		assert_eq!(paid, Payout { bytes: 100, node: 950, commissions: vec![(MOD_A, 50)] });
		assert_eq!(Balances::balance(&DAVE), dave);
	});
}

#[test]
fn each_reward_is_paid_once() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(Some(MOD_A), 100)]);
		assert_claim(ALICE, ALICE, E);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::AlreadyClaimed
		);
		assert_noop!(
			Rewards::claim_rewards_for(RuntimeOrigin::signed(DAVE), ALICE, E),
			Error::<Test>::AlreadyClaimed
		);
		// The same node's other epochs are separate claims.
		credit(E + 1, ALICE, vec![(None, 10)]);
		assert_claim(DAVE, ALICE, E + 1);
	});
}

#[test]
fn claims_need_a_signed_origin() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(None, 100)]);
		assert_noop!(Rewards::claim_rewards(RuntimeOrigin::root(), E), DispatchError::BadOrigin);
		assert_noop!(
			Rewards::claim_rewards_for(RuntimeOrigin::none(), ALICE, E),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn only_final_epochs_can_be_claimed() {
	new_test_ext(|| {
		set_bytes(E, ALICE, vec![(None, 100)]);
		set_epoch(E);
		// The current epoch, not final.
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::EpochNotFinal
		);
		// Over, but its receipt window is still open.
		set_epoch(E + 1);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::EpochNotFinal
		);
		// A future epoch.
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E + 5),
			Error::<Test>::EpochNotFinal
		);
		finalise(E);
		assert_claim(ALICE, ALICE, E);
	});
}

#[test]
fn claims_expire_after_the_claim_window() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(None, 100)]);
		credit(E, BOB, vec![(None, 100)]);
		// Claimable up to epoch E + ClaimWindow, included.
		set_epoch(E + CLAIM_WINDOW);
		assert_claim(ALICE, ALICE, E);
		set_epoch(E + CLAIM_WINDOW + 1);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(BOB), E),
			Error::<Test>::ClaimWindowExpired
		);
		// Expiry is checked first: even a claimed epoch reports it.
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::ClaimWindowExpired
		);
	});
}

#[test]
fn epochs_the_ledger_pruned_cannot_be_claimed() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(None, 100)]);
		set_oldest_kept(E + 1);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::EpochFiguresPruned
		);
	});
}

#[test]
fn accounts_that_are_not_nodes_cannot_claim() {
	new_test_ext(|| {
		credit(E, DAVE, vec![(None, 100)]);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(DAVE), E),
			Error::<Test>::NotANode
		);
		// A node that deregistered is not a node either.
		credit(E, ALICE, vec![(None, 100)]);
		set_standing(ALICE, None);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::NotANode
		);
	});
}

#[test]
fn suspended_and_banned_nodes_earn_nothing_warned_nodes_do() {
	new_test_ext(|| {
		for node in [ALICE, BOB, CHARLIE] {
			credit(E, node, vec![(None, 100)]);
		}
		set_standing(ALICE, Some(Standing::Suspended));
		set_standing(BOB, Some(Standing::Banned));
		set_standing(CHARLIE, Some(Standing::Warned));
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::NodeNotEarning
		);
		assert_noop!(
			Rewards::claim_rewards_for(RuntimeOrigin::signed(DAVE), BOB, E),
			Error::<Test>::NodeNotEarning
		);
		assert_claim(CHARLIE, CHARLIE, E);
		// The standing is the one at claim time: once restored within the window, ALICE can
		// claim.
		set_standing(ALICE, Some(Standing::Active));
		assert_claim(ALICE, ALICE, E);
	});
}

#[test]
fn nodes_without_bytes_or_a_zero_pot_have_nothing_to_claim() {
	new_test_ext(|| {
		finalise(E);
		set_epoch(E + 1);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::NothingToClaim
		);
		assert_set_schedule(flat(0));
		credit(E, ALICE, vec![(None, 100)]);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(ALICE), E),
			Error::<Test>::NothingToClaim
		);
	});
}

#[test]
fn an_inconsistent_ledger_cannot_pay_more_than_the_pot() {
	new_test_ext(|| {
		assert_set_schedule(flat(1_000));
		credit(E, ALICE, vec![(None, 100)]);
		credit(E, BOB, vec![(None, 100)]);
		// The ledger claims each node served every byte of the epoch.
		override_node_total(E, ALICE, 200);
		override_node_total(E, BOB, 200);
		assert_eq!(assert_claim(ALICE, ALICE, E).node, 1_000);
		assert_noop!(
			Rewards::claim_rewards(RuntimeOrigin::signed(BOB), E),
			Error::<Test>::PotExhausted
		);
		assert_eq!(crate::EpochTotals::<Test>::get(E).unwrap().paid, 1_000);
	});
}

#[test]
fn retired_moderators_take_no_commission() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(Some(MOD_C), 100), (Some(MOD_A), 100)]);
		let paid = assert_claim(ALICE, ALICE, E);
		// R = 2 000; MOD_C is not live, MOD_A takes 5% of 1 000.
		assert_eq!(paid, Payout { bytes: 200, node: 1_950, commissions: vec![(MOD_A, 50)] });
	});
}

#[test]
fn at_most_max_commissions_moderators_are_paid() {
	new_test_ext(|| {
		set_commission(20, Some(Perbill::from_percent(50)));
		credit(
			E,
			ALICE,
			vec![
				(Some(MOD_A), 100),
				(None, 100),
				(Some(MOD_B), 100),
				(Some(MOD_C), 100),
				(Some(20), 100),
			],
		);
		// MOD_A, MOD_B and MOD_C (retired) use the three places; account 20 gets nothing and
		// its bytes stay the node's.
		let paid = assert_claim(ALICE, ALICE, E);
		assert_eq!(
			paid,
			Payout {
				bytes: 500,
				node: 5_000 - 50 - 200,
				commissions: vec![(MOD_A, 50), (MOD_B, 200)]
			}
		);
	});
}

#[test]
fn a_full_commission_leaves_the_node_nothing() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(Some(MOD_ALL), 100)]);
		let paid = assert_claim(ALICE, ALICE, E);
		assert_eq!(paid, Payout { bytes: 100, node: 0, commissions: vec![(MOD_ALL, 1_000)] });
	});
}

#[test]
fn commissions_below_the_existential_deposit_of_a_missing_account_are_not_minted() {
	new_test_ext(|| {
		// R = 50; MOD_GHOST's 10% is 5, below the deposit of 10, and it has no account.
		credit(E, ALICE, vec![(Some(MOD_GHOST), 5)]);
		let paid = assert_claim(ALICE, ALICE, E);
		assert_eq!(paid, Payout { bytes: 5, node: 45, commissions: vec![] });
		assert_eq!(crate::EpochTotals::<Test>::get(E).unwrap().paid, 45);
		// A larger commission creates the account.
		credit(E + 1, ALICE, vec![(Some(MOD_GHOST), 100)]);
		let paid = assert_claim(ALICE, ALICE, E + 1);
		assert_eq!(paid, Payout { bytes: 100, node: 900, commissions: vec![(MOD_GHOST, 100)] });
		assert_eq!(Balances::balance(&MOD_GHOST), 100);
	});
}

#[test]
fn an_inconsistent_split_cannot_raise_commissions_above_the_reward() {
	new_test_ext(|| {
		// The split says 300 bytes under moderators, the node total says 100.
		credit(E, ALICE, vec![(Some(MOD_ALL), 100), (Some(MOD_B), 200)]);
		override_node_total(E, ALICE, 100);
		let paid = assert_claim(ALICE, ALICE, E);
		assert_eq!(paid, Payout { bytes: 100, node: 0, commissions: vec![(MOD_ALL, 1_000)] });
	});
}

#[test]
fn the_pot_of_an_epoch_is_fixed_by_its_first_claim() {
	new_test_ext(|| {
		assert_set_schedule(flat(1_000));
		credit(E, ALICE, vec![(None, 50)]);
		credit(E, BOB, vec![(None, 50)]);
		assert_eq!(assert_claim(ALICE, ALICE, E).node, 500);
		// A new schedule does not change the epoch's pot, nor do late ledger changes.
		assert_set_schedule(flat(10));
		set_other_bytes(E, 1_000_000);
		assert_eq!(assert_claim(BOB, BOB, E).node, 500);
		// An epoch without a claim yet takes the new schedule.
		credit(E + 1, ALICE, vec![(None, 50)]);
		assert_eq!(assert_claim(ALICE, ALICE, E + 1).node, 10);
	});
}

#[test]
fn a_commission_raised_after_an_epoch_was_served_does_not_apply_to_it() {
	new_test_ext(|| {
		// ALICE served 100 bytes under MOD_A (5 %) in epoch E; R = min(pot, 10 × 100) = 1 000.
		credit(E, ALICE, vec![(Some(MOD_A), 100)]);
		// In epoch E + 1, before ALICE claims, MOD_A raises its commission to 100 %: the
		// moderator registry applies the change from a later epoch, E + 2.
		schedule_commission(MOD_A, E + 2, Perbill::from_percent(100));
		// In epoch E + 3 the new rate is in force, and MOD_A itself claims ALICE's reward for E.
		set_epoch(E + 3);
		assert_eq!(Rewards::pending_rewards(&ALICE, E).commissions, vec![(MOD_A, 50)]);
		let paid = assert_claim(MOD_A, ALICE, E);
		// E pays the rate in force during E.
		assert_eq!(paid, Payout { bytes: 100, node: 950, commissions: vec![(MOD_A, 50)] });

		// Bytes served once the new rate is in force pay it.
		credit(E + 2, ALICE, vec![(Some(MOD_A), 100)]);
		let paid = assert_claim(ALICE, ALICE, E + 2);
		assert_eq!(paid, Payout { bytes: 100, node: 0, commissions: vec![(MOD_A, 1_000)] });
	});
}
