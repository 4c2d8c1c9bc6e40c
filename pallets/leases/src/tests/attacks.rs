//! Attacks across calls: each is refused, or earns the attacker nothing.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::LeaseObligations;
use polkadot_sdk::frame_support::{assert_noop, traits::fungible::Mutate};

#[test]
fn a_keeper_joining_in_the_last_block_of_an_epoch_is_not_paid_for_it() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		run_to_end_of_epoch(1);
		assert_keep(NODE_1, lease);
		run_to_epoch(2);
		assert_noop!(
			Leasing::claim(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NothingDue
		);
		// Its first paid epoch is the next whole one.
		run_to_epoch(3);
		assert_eq!(assert_claim(NODE_1, lease), 300);
	});
}

#[test]
fn releasing_and_keeping_again_does_not_pay_an_epoch_twice() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(6);
		assert_keep(NODE_1, lease);
		run_to_end_of_epoch(2);
		assert_release(NODE_1, lease);
		assert_keep(NODE_1, lease);
		run_to_epoch(4);
		// Epoch 1 was paid at release; epoch 2, which it left and rejoined in, to nobody.
		assert_eq!(assert_claim(NODE_1, lease), 300);
	});
}

#[test]
fn a_node_not_subscribed_to_the_moderator_cannot_keep() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		assert_noop!(
			Leasing::keep(RuntimeOrigin::signed(NODE_5), lease),
			Error::<Test>::NotSubscribed
		);
		// An account that is no node at all, or the owner, cannot either.
		for who in [BOB, ALICE, MOD_A] {
			assert_noop!(Leasing::keep(RuntimeOrigin::signed(who), lease), Error::<Test>::NotANode);
		}
	});
}

#[test]
fn claiming_twice_pays_once() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		let before = Balances::free_balance(NODE_1);
		assert_eq!(assert_claim(NODE_1, lease), 600);
		assert_noop!(
			Leasing::claim(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NothingDue
		);
		// Nor does a release after the claim pay those epochs again.
		assert_release(NODE_1, lease);
		assert_eq!(Balances::free_balance(NODE_1), before + 600);
	});
}

#[test]
fn a_dropped_keeper_forfeits_and_cannot_claim_or_release_afterwards() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		let before = Balances::free_balance(NODE_1);
		assert_missed(NODE_1, lease);
		assert_noop!(
			Leasing::claim(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NotKeeper
		);
		assert_noop!(
			Leasing::release(RuntimeOrigin::signed(NODE_1), lease),
			Error::<Test>::NotKeeper
		);
		// Keeping again does not bring the forfeited epochs back.
		assert_keep(NODE_1, lease);
		run_to_epoch(4 + GRACE_EPOCHS);
		assert_close(BOB, lease);
		assert_eq!(Balances::free_balance(NODE_1), before);
		// A second miss of a lease it no longer keeps changes nothing.
		<Leasing as LeaseObligations<AccountId>>::missed(&NODE_1, lease);
	});
}

#[test]
fn close_before_expiry_is_refused_and_an_owner_cannot_take_back_what_keepers_earned() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(4);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		assert_noop!(
			Leasing::close(RuntimeOrigin::signed(ALICE), lease),
			Error::<Test>::LeaseNotExpired
		);
		// Ending refunds only the epochs after this one: the keeper keeps epochs 1-3.
		assert_end_lease(ALICE, lease);
		run_to_epoch(4);
		let before = Balances::free_balance(NODE_1);
		assert_close(ALICE, lease);
		assert_eq!(Balances::free_balance(NODE_1), before + 3 * 300);
	});
}

#[test]
fn the_epochs_of_a_lapse_are_never_paid() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		run_to_epoch(3);
		// Settled for epoch 1; epoch 2 lapsed.
		assert_top_up(ALICE, lease, 2);
		run_to_epoch(9);
		// Epochs 3 and 4 only.
		assert_eq!(assert_claim(NODE_1, lease), 600);
	});
}

#[test]
fn overflowing_amounts_are_refused_not_wrapped() {
	new_test_ext(|| {
		assert_offer_storage(MOD_A, u64::MAX);
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(ALICE), content(1), 2, 1, Some(MOD_A), 1),
			Error::<Test>::CostOverflow
		);
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(ALICE), content(1), 1, 2, Some(MOD_A), 1),
			Error::<Test>::CostOverflow
		);
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(ALICE), content(1), 1, 1, Some(MOD_A), 2),
			Error::<Test>::CostOverflow
		);
		Balances::set_balance(&BOB, u64::MAX / 2);
		UnmoderatedPrice::set(u64::MAX / 3);
		let lease = assert_create_lease(BOB, content(1), 1, 1, None, 1);
		assert_noop!(
			Leasing::top_up(RuntimeOrigin::signed(BOB), lease, 3),
			Error::<Test>::CostOverflow
		);
	});
}

#[test]
fn a_full_inbox_refuses_and_nobody_else_can_dismiss_a_share() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		let shares: Vec<_> = (0..MAX_SHARES).map(|_| assert_share(NODE_1, BOB, b"spam")).collect();
		assert_noop!(
			Leasing::share(RuntimeOrigin::signed(ALICE), BOB, capsule(b"hello")),
			Error::<Test>::InboxFull
		);
		// Neither the sender nor a third account can empty BOB's inbox for him.
		assert_noop!(
			Leasing::dismiss_share(RuntimeOrigin::signed(NODE_1), shares[0]),
			Error::<Test>::UnknownShare
		);
		assert_noop!(
			Leasing::withdraw_share(RuntimeOrigin::signed(ALICE), BOB, shares[0]),
			Error::<Test>::NotSender
		);
		assert_dismiss_share(BOB, shares[0]);
		assert_share(ALICE, BOB, b"hello");
	});
}
