//! What the ledger tells the reward distribution and the runtime API.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::BandwidthLedger;

#[test]
fn the_ledger_reports_figures_per_epoch_node_and_moderator() {
	new_test_ext(|| {
		assert_lock(CLIENT, 1_000_000);
		assert_lock(CLIENT_2, 1_000_000);
		assert_submit(
			NODE,
			vec![
				signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000),
				signed(CLIENT_2, NODE, 0, None, 300),
			],
		);
		assert_submit(NODE_2, vec![signed(CLIENT_2, NODE_2, 0, Some(MODERATOR), 200)]);

		assert_eq!(Bandwidth::total_bytes(0), 1_500);
		assert_eq!(Bandwidth::node_bytes(0, &account(NODE)), 1_300);
		assert_eq!(Bandwidth::node_bytes(0, &account(NODE_2)), 200);
		assert_eq!(Bandwidth::node_bytes(0, &account(CLIENT)), 0);
		assert_eq!(Bandwidth::node_bytes(1, &account(NODE)), 0);
		assert_eq!(
			Bandwidth::node_bytes_by_moderator(0, &account(NODE)),
			vec![(Some(account(MODERATOR)), 1_000), (None, 300)]
		);
		assert_eq!(Bandwidth::oldest_kept_epoch(), 0);

		// The runtime API's views.
		assert_eq!(
			Bandwidth::client_quota(&account(CLIENT_2), 0),
			ClientQuota {
				locked: 1_000_000 - 500 * DEFAULT_FEE_PER_BYTE,
				unlocking: 0,
				quota: 10_000,
				used: 500
			}
		);
		assert_eq!(Bandwidth::claimed(0, &account(NODE), &account(CLIENT_2), &None), 300);
		assert_eq!(Bandwidth::claimed(0, &account(NODE_2), &account(CLIENT_2), &None), 0);
		assert_eq!(
			Bandwidth::epoch_summary(0),
			EpochSummary { epoch: 0, total_bytes: 1_500, is_final: false, pruned: false }
		);
		assert_eq!(
			Bandwidth::node_figures(0, &account(NODE_2)),
			NodeBytes { total: 200, by_moderator: vec![(Some(account(MODERATOR)), 200)] }
		);
	});
}

#[test]
fn an_epoch_is_final_once_its_submission_window_closed() {
	new_test_ext(|| {
		for epoch in 0..=SUBMISSION_WINDOW {
			run_to_epoch(epoch);
			assert!(!Bandwidth::is_final(0), "epoch 0 is open in epoch {epoch}");
		}
		run_to_epoch(SUBMISSION_WINDOW + 1);
		assert!(Bandwidth::is_final(0));
		assert!(!Bandwidth::is_final(1));
		assert!(Bandwidth::epoch_summary(0).is_final);
	});
}

#[test]
fn quota_is_proportional_to_the_locked_coins() {
	new_test_ext(|| {
		assert_eq!(Bandwidth::quota_of(0), 0);
		assert_eq!(Bandwidth::quota_of(99_000), 990);
		assert_eq!(Bandwidth::quota_of(99), 0);
		assert_eq!(Bandwidth::quota_of(QUOTA_UNIT), BYTES_PER_QUOTA_UNIT);
		// Computed in 128 bits: no overflow on the way.
		assert_eq!(Bandwidth::quota_of(u64::MAX), u64::MAX / 100);
	});
}
