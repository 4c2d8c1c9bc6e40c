//! `offer_storage`: a live moderator offers storage at a price per byte per epoch.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn a_live_moderator_offers_and_changes_its_price() {
	new_test_ext(|| {
		assert_offer_storage(MOD_A, 3);
		assert_offer_storage(MOD_B, 1);
		assert_offer_storage(MOD_A, u64::MAX);
		assert_eq!(Leasing::offer(&MOD_A), Some(u64::MAX));
	});
}

#[test]
fn leases_keep_the_price_they_were_created_with() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_offer_storage(MOD_A, 50);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.price), Some(3));
		// A top-up pays the lease's price, not the new offer.
		assert_top_up(ALICE, lease, 1);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.funds), Some(3 * 100 * 2 * 3));
	});
}

#[test]
fn offer_storage_refuses_non_moderators_zero_and_bad_origins() {
	new_test_ext(|| {
		for who in [ALICE, NODE_1, RETIRED] {
			assert_noop!(
				Leasing::offer_storage(RuntimeOrigin::signed(who), 3),
				Error::<Test>::NotLiveModerator
			);
		}
		assert_noop!(
			Leasing::offer_storage(RuntimeOrigin::signed(MOD_A), 0),
			Error::<Test>::ZeroPrice
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::offer_storage(origin, 3), DispatchError::BadOrigin);
		}
	});
}
