//! `keep`: a node starts keeping a lease's object, paid from the next epoch.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

fn keep(node: AccountId, lease: u64) -> polkadot_sdk::sp_runtime::DispatchResult {
	Leasing::keep(RuntimeOrigin::signed(node), lease)
}

#[test]
fn subscribed_and_unmoderated_nodes_keep_leases() {
	new_test_ext(|| {
		let moderated = lease_under_mod_a(3);
		assert_keep(NODE_1, moderated);
		set_standing(NODE_2, Standing::Warned);
		assert_keep(NODE_2, moderated);
		let unmoderated = assert_create_lease(BOB, content(2), 10, 3, None, 3);
		run_to_epoch(2);
		assert_keep(NODE_1, unmoderated);
		assert_eq!(Leasing::kept_by(&NODE_1), vec![moderated, unmoderated]);
		// The owner may keep its own lease.
		set_node(BOB, Standing::Active, &[], true);
		assert_keep(BOB, unmoderated);
	});
}

#[test]
fn keep_refuses_unknown_ended_and_uncovered_leases() {
	new_test_ext(|| {
		assert_noop!(keep(NODE_1, 0), Error::<Test>::UnknownLease);
		let lease = lease_under_mod_a(2);
		let ended = assert_create_lease(ALICE, content(2), 1, 1, None, 2);
		assert_end_lease(ALICE, ended);
		assert_noop!(keep(NODE_1, ended), Error::<Test>::LeaseEnded);
		// Not paid for the current epoch (in its grace period): nothing to earn.
		run_to_epoch(2);
		assert_noop!(keep(NODE_1, lease), Error::<Test>::LeaseNotCovered);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Leasing::keep(origin, lease), DispatchError::BadOrigin);
		}
	});
}

#[test]
fn keep_refuses_accounts_that_are_no_earning_node() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_noop!(keep(ALICE, lease), Error::<Test>::NotANode);
		set_standing(NODE_1, Standing::Banned);
		assert_noop!(keep(NODE_1, lease), Error::<Test>::NotANode);
		remove_node(NODE_2);
		assert_noop!(keep(NODE_2, lease), Error::<Test>::NotANode);
		set_standing(NODE_3, Standing::Suspended);
		assert_noop!(keep(NODE_3, lease), Error::<Test>::NodeNotEarning);
	});
}

#[test]
fn keep_refuses_nodes_outside_the_lease_s_moderation() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		// NODE_5 subscribes to MOD_B only.
		assert_noop!(keep(NODE_5, lease), Error::<Test>::NotSubscribed);
		let unmoderated = assert_create_lease(ALICE, content(2), 1, 1, None, 2);
		assert_noop!(keep(NODE_2, unmoderated), Error::<Test>::UnmoderatedNotCarried);
		set_denied(MOD_A, content(1), true);
		assert_noop!(keep(NODE_1, lease), Error::<Test>::ContentDenied);
		set_moderator(MOD_A, false);
		assert_noop!(keep(NODE_1, lease), Error::<Test>::ModeratorNotLive);
	});
}

#[test]
fn keep_refuses_a_second_keep_a_full_lease_and_a_full_node() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(2);
		assert_keep(NODE_1, lease);
		assert_noop!(keep(NODE_1, lease), Error::<Test>::AlreadyKeeper);
		assert_keep(NODE_2, lease);
		// Two replicas.
		assert_noop!(keep(NODE_3, lease), Error::<Test>::LeaseFull);
		for n in 0..MAX_KEPT_PER_NODE {
			let other = assert_create_lease(BOB, content(n as u8 + 10), 1, 1, None, 2);
			if n + 1 < MAX_KEPT_PER_NODE {
				assert_keep(NODE_1, other);
			} else {
				assert_noop!(keep(NODE_1, other), Error::<Test>::TooManyKept);
			}
		}
		// Releasing frees a place.
		assert_release(NODE_1, lease);
		assert_keep(NODE_1, NextLeaseId::<Test>::get() - 1);
		assert_keep(NODE_3, lease);
	});
}
