//! Pruning old epochs a bounded number of entries per block.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::BandwidthLedger;

/// Number of storage entries the pallet keeps for `epoch`.
fn entries(epoch: u32) -> u32 {
	(ClientEpochs::<Test>::iter_prefix(epoch).count()
		+ NodeEpochs::<Test>::iter_prefix(epoch).count()
		+ ModeratorBytes::<Test>::iter_prefix(epoch).count()
		+ u32::from(EpochTotals::<Test>::contains_key(epoch)) as usize) as u32
}

#[test]
fn old_epochs_are_pruned_a_few_entries_per_block() {
	new_test_ext(|| {
		assert_lock(CLIENT, 1_000_000);
		assert_lock(CLIENT_2, 1_000_000);
		let fill = |epoch| {
			assert_submit(
				NODE,
				vec![
					signed(CLIENT, NODE, epoch, Some(MODERATOR), 100),
					signed(CLIENT_2, NODE, epoch, None, 100),
				],
			);
			assert_submit(NODE_2, vec![signed(CLIENT, NODE_2, epoch, Some(MODERATOR), 100)]);
		};
		fill(0);
		run_to_epoch(1);
		fill(1);
		// Two client records, two node records, two moderator figures and a total.
		assert_eq!(entries(0), 7);

		// Epoch 0 is kept up to epoch RETENTION_EPOCHS.
		run_to_block(u64::from(RETENTION_EPOCHS + 1) * EPOCH_LENGTH - 1);
		assert_eq!(entries(0), 7);
		assert_eq!(Bandwidth::oldest_kept_epoch(), 0);

		// Then at most PRUNE_LIMIT entries go per block.
		run_to_block(u64::from(RETENTION_EPOCHS + 1) * EPOCH_LENGTH);
		assert_eq!(Bandwidth::oldest_kept_epoch(), 1);
		assert!(Bandwidth::epoch_summary(0).pruned);
		assert_eq!(entries(0), 7 - PRUNE_LIMIT);
		assert_eq!(Pruning::<Test>::get().map(|p| p.epoch), Some(0));
		assert!(Bandwidth::do_try_state().is_ok());
		let next = System::block_number() + 1;
		run_to_block(next);
		assert_eq!(entries(0), 7 - 2 * PRUNE_LIMIT);
		run_to_block(next + 1);
		assert_eq!(entries(0), 0);
		assert_eq!(Pruning::<Test>::get(), None);
		assert_eq!(bandwidth_events().last(), Some(&Event::EpochPruned { epoch: 0 }));
		// Epoch 1 is untouched until its own time.
		assert_eq!(entries(1), 7);
		assert_eq!(Bandwidth::total_bytes(1), 300);
		run_to_block(u64::from(RETENTION_EPOCHS + 2) * EPOCH_LENGTH + 3);
		assert_eq!(entries(1), 0);
		assert_eq!(Bandwidth::oldest_kept_epoch(), 2);
	});
}

#[test]
fn empty_epochs_are_skipped_in_one_block_each() {
	new_test_ext(|| {
		run_to_epoch(RETENTION_EPOCHS + 3);
		// Epochs 0, 1 and 2 had nothing; one is retired per block since epoch RETENTION + 1.
		assert_eq!(Bandwidth::oldest_kept_epoch(), 3);
		assert_eq!(
			bandwidth_events(),
			(0..3).map(|epoch| Event::EpochPruned { epoch }).collect::<Vec<_>>()
		);
	});
}
