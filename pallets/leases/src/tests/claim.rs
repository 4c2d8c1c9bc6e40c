//! `claim`: a keeper is paid the whole epochs it kept since its last payment.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

fn claim(node: AccountId, lease: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
	Leasing::claim(RuntimeOrigin::signed(node), lease)
}

#[test]
fn claim_pays_price_times_bytes_per_whole_epoch() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(6);
		assert_keep(NODE_1, lease);
		run_to_end_of_epoch(2);
		// Epoch 1 (epoch 0 is the one it joined in, epoch 2 is not over).
		assert_eq!(assert_claim(NODE_1, lease), 300);
		run_to_epoch(5);
		assert_eq!(assert_claim(NODE_1, lease), 3 * 300);
		// A warned node still earns.
		set_standing(NODE_1, Standing::Warned);
		run_to_epoch(6);
		assert_eq!(assert_claim(NODE_1, lease), 300);
	});
}

#[test]
fn claims_stop_at_the_paid_epochs() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(3);
		assert_keep(NODE_1, lease);
		// In the grace period and after, only epochs 1 and 2 are owed.
		run_to_epoch(8);
		assert_eq!(assert_claim(NODE_1, lease), 2 * 300);
		assert_noop!(claim(NODE_1, lease), Error::<Test>::NothingDue);
	});
}

#[test]
fn claim_refuses_unknown_leases_non_keepers_and_nodes_that_earn_nothing() {
	new_test_ext(|| {
		assert_noop!(claim(NODE_1, 0), Error::<Test>::UnknownLease);
		let lease = lease_under_mod_a(3);
		assert_noop!(claim(NODE_1, lease), Error::<Test>::NotKeeper);
		assert_keep(NODE_1, lease);
		assert_noop!(claim(NODE_1, lease), Error::<Test>::NothingDue);
		run_to_epoch(2);
		set_standing(NODE_1, Standing::Suspended);
		assert_noop!(claim(NODE_1, lease), Error::<Test>::NodeNotEarning);
		remove_node(NODE_1);
		assert_noop!(claim(NODE_1, lease), Error::<Test>::NodeNotEarning);
		// Restored, it is paid all it is owed.
		set_node(NODE_1, Standing::Active, &[MOD_A], true);
		assert_eq!(assert_claim(NODE_1, lease), 300);
		assert_noop!(Leasing::claim(RuntimeOrigin::none(), lease), DispatchError::BadOrigin);
	});
}
