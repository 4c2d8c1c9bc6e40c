//! `withdraw_offer`: a moderator stops offering storage; existing leases go on.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn withdrawing_stops_new_leases_but_not_existing_ones() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(3);
		assert_withdraw_offer(MOD_A);
		assert_noop!(
			Leasing::create_lease(RuntimeOrigin::signed(BOB), content(2), 10, 1, Some(MOD_A), 1),
			Error::<Test>::NoOffer
		);
		// The lease goes on: nodes keep it, the owner tops it up.
		assert_keep(NODE_1, lease);
		assert_top_up(ALICE, lease, 1);
		run_to_epoch(2);
		assert_claim(NODE_1, lease);
	});
}

#[test]
fn a_retired_moderator_may_withdraw_its_offer() {
	new_test_ext(|| {
		assert_offer_storage(MOD_B, 5);
		set_moderator(MOD_B, false);
		assert_withdraw_offer(MOD_B);
	});
}

#[test]
fn withdraw_offer_refuses_no_offer_and_bad_origins() {
	new_test_ext(|| {
		assert_noop!(Leasing::withdraw_offer(RuntimeOrigin::signed(MOD_A)), Error::<Test>::NoOffer);
		assert_offer_storage(MOD_A, 3);
		assert_noop!(Leasing::withdraw_offer(RuntimeOrigin::signed(ALICE)), Error::<Test>::NoOffer);
		assert_noop!(Leasing::withdraw_offer(RuntimeOrigin::none()), DispatchError::BadOrigin);
		assert_withdraw_offer(MOD_A);
		assert_noop!(Leasing::withdraw_offer(RuntimeOrigin::signed(MOD_A)), Error::<Test>::NoOffer);
	});
}
