//! Standing, slashing and bans: the penalty trait and the admin calls.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{NodePenalties, Standing};
use polkadot_sdk::{
	frame_support::{assert_noop, assert_storage_noop},
	sp_runtime::{DispatchError, Perbill},
};

#[test]
fn standing_walks_the_state_machine_through_the_trait() {
	new_test_ext(|| {
		register(ALICE);
		assert_set_standing(ALICE, Standing::Warned, false);
		assert_set_standing(ALICE, Standing::Suspended, false);
		assert_set_standing(ALICE, Standing::Active, false);
		assert_set_standing(ALICE, Standing::Suspended, false);
		// Setting the same standing again changes nothing and emits nothing.
		assert_set_standing(ALICE, Standing::Suspended, false);
		assert_ban(ALICE, false);
	});
}

#[test]
fn force_set_standing_works_for_admin() {
	new_test_ext(|| {
		register(ALICE);
		assert_set_standing(ALICE, Standing::Suspended, true);
		assert_set_standing(ALICE, Standing::Active, true);
		register(BOB);
		assert_subscribe(BOB, MOD_A);
		assert_ban(BOB, true);
	});
}

#[test]
fn force_set_standing_refuses_other_origins_and_unknown_nodes() {
	new_test_ext(|| {
		assert_noop!(
			Registry::force_set_standing(RuntimeOrigin::root(), ALICE, Standing::Warned),
			Error::<Test>::NotRegistered
		);
		assert_noop!(
			Registry::force_set_standing(RuntimeOrigin::root(), ALICE, Standing::Banned),
			Error::<Test>::NotRegistered
		);
		register(ALICE);
		for origin in
			[RuntimeOrigin::signed(ALICE), RuntimeOrigin::signed(BOB), RuntimeOrigin::none()]
		{
			assert_noop!(
				Registry::force_set_standing(origin, ALICE, Standing::Warned),
				DispatchError::BadOrigin
			);
		}
		assert_ban(ALICE, true);
		assert_noop!(
			Registry::force_set_standing(RuntimeOrigin::root(), ALICE, Standing::Active),
			Error::<Test>::NodeBanned
		);
		assert_noop!(
			Registry::force_set_standing(RuntimeOrigin::root(), ALICE, Standing::Banned),
			Error::<Test>::NodeBanned
		);
	});
}

#[test]
fn penalties_refuse_unknown_and_banned_nodes() {
	new_test_ext(|| {
		assert_storage_noop!(assert_eq!(
			<Registry as NodePenalties<AccountId>>::warn(&ALICE),
			Err(Error::<Test>::NotRegistered.into())
		));
		assert_storage_noop!(assert_eq!(
			<Registry as NodePenalties<AccountId>>::slash(&ALICE, Perbill::from_percent(10)),
			Err(Error::<Test>::NotRegistered.into())
		));
		assert_storage_noop!(assert_eq!(
			<Registry as NodePenalties<AccountId>>::ban(&ALICE),
			Err(Error::<Test>::NotRegistered.into())
		));
		register(ALICE);
		assert_ban(ALICE, false);
		for result in [
			<Registry as NodePenalties<AccountId>>::warn(&ALICE),
			<Registry as NodePenalties<AccountId>>::suspend(&ALICE),
			<Registry as NodePenalties<AccountId>>::restore(&ALICE),
			<Registry as NodePenalties<AccountId>>::ban(&ALICE),
			<Registry as NodePenalties<AccountId>>::slash(&ALICE, Perbill::one()).map(|_| ()),
		] {
			assert_eq!(result, Err(Error::<Test>::NodeBanned.into()));
		}
	});
}

#[test]
fn slash_moves_a_fraction_of_the_bond_to_the_destination() {
	new_test_ext(|| {
		register(ALICE);
		assert_slash(ALICE, Perbill::from_percent(10), 100);
		assert_slash(ALICE, Perbill::from_percent(50), 450);
		assert_slash(ALICE, Perbill::zero(), 0);
		assert_slash(ALICE, Perbill::one(), 450);
		assert_eq!(Registry::standing_of(&ALICE), Some(Standing::Active));
		assert_eq!(Balances::free_balance(TREASURY), INITIAL_BALANCE + 1_000);
	});
}

#[test]
fn slash_reaches_unbonding_funds() {
	new_test_ext(|| {
		register(ALICE);
		assert_deregister_node(ALICE);
		assert_slash(ALICE, Perbill::from_percent(25), 250);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_withdraw_unbonded(ALICE);
		assert_eq!(Balances::free_balance(ALICE), INITIAL_BALANCE - 250);
	});
}

#[test]
fn ban_slashes_everything_and_ends_registration() {
	new_test_ext(|| {
		register(ALICE);
		register(BOB);
		assert_subscribe(ALICE, MOD_A);
		assert_subscribe(ALICE, MOD_B);
		assert_subscribe(BOB, MOD_A);
		assert_bond_extra(ALICE, 234);
		assert_ban(ALICE, false);
		assert_eq!(NodeIndex::<Test>::get(0), Some(BOB));
		assert_eq!(SubscriberCount::<Test>::get(MOD_A), 1);
		assert_eq!(Balances::free_balance(TREASURY), INITIAL_BALANCE + 1_234);
	});
}

#[test]
fn ban_reaches_an_unbonding_account() {
	new_test_ext(|| {
		register(ALICE);
		assert_deregister_node(ALICE);
		assert_ban(ALICE, false);
		assert_noop!(
			Registry::withdraw_unbonded(RuntimeOrigin::signed(ALICE)),
			Error::<Test>::NotUnbonding
		);
	});
}

#[test]
fn force_unban_lets_the_account_register_again() {
	new_test_ext(|| {
		register(ALICE);
		assert_ban(ALICE, false);
		assert_unban(ALICE);
		assert_eq!(Registry::standing_of(&ALICE), None);
		register(ALICE);
	});
}

#[test]
fn force_unban_refuses_other_origins_and_accounts_not_banned() {
	new_test_ext(|| {
		assert_noop!(Registry::force_unban(RuntimeOrigin::root(), ALICE), Error::<Test>::NotBanned);
		register(ALICE);
		assert_noop!(Registry::force_unban(RuntimeOrigin::root(), ALICE), Error::<Test>::NotBanned);
		assert_ban(ALICE, false);
		for origin in [RuntimeOrigin::signed(ALICE), RuntimeOrigin::none()] {
			assert_noop!(Registry::force_unban(origin, ALICE), DispatchError::BadOrigin);
		}
	});
}
