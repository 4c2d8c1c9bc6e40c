//! Pruning of expired epochs in `on_idle`: bounded per block and by the weight left.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::frame_support::{traits::Hooks, weights::Weight};

fn idle() -> Weight {
	Rewards::on_idle(System::block_number(), Weight::MAX)
}

#[test]
fn expired_epochs_are_pruned_a_bounded_number_of_records_per_block() {
	let e = 1;
	let mut ext = ExtBuilder::default().build();
	ext.execute_with(|| {
		for node in [ALICE, BOB, CHARLIE] {
			credit(e, node, vec![(None, 10)]);
			assert_claim(node, node, e);
		}
	});
	// Claims are made in earlier blocks than their pruning: put them in the backend, where the
	// limit of a removal applies.
	ext.commit_all().expect("the test backend commits");
	ext.execute_with(|| {
		// Nothing has expired yet: nothing happens.
		set_epoch(CLAIM_WINDOW);
		let before = MemorySnapshot::new();
		assert_eq!(idle(), <() as WeightInfo>::prune_claims(0));
		assert_eq!(MemorySnapshot::new(), before);

		// Epoch 0 expired (no claims): pruned in one step.
		set_epoch(CLAIM_WINDOW + 1);
		idle();
		assert_eq!(NextPruneEpoch::<Test>::get(), 1);
		assert_eq!(reward_events().last(), Some(&Event::EpochPruned { epoch: 0 }));
		// Epoch 1 has not expired yet.
		idle();
		assert_eq!(NextPruneEpoch::<Test>::get(), 1);

		set_epoch(e + CLAIM_WINDOW + 1);
		// Three records, two per block.
		assert!(idle().all_gte(<() as WeightInfo>::prune_claims(1)));
		assert_eq!(Claimed::<Test>::iter_prefix(e).count(), 1);
		assert!(crate::EpochTotals::<Test>::contains_key(e));
		assert_eq!(NextPruneEpoch::<Test>::get(), e);
	});
	ext.commit_all().expect("the test backend commits");
	ext.execute_with(|| {
		let paid = TotalPaid::<Test>::get();
		idle();
		assert_eq!(Claimed::<Test>::iter_prefix(e).count(), 0);
		assert!(!crate::EpochTotals::<Test>::contains_key(e));
		assert_eq!(NextPruneEpoch::<Test>::get(), e + 1);
		assert_eq!(reward_events().last(), Some(&Event::EpochPruned { epoch: e }));
		// What was paid stays counted.
		assert_eq!(TotalPaid::<Test>::get(), paid);
		assert_eq!(Rewards::do_try_state(), Ok(()));
	});
}

#[test]
fn pruning_waits_for_enough_weight() {
	new_test_ext(|| {
		credit(0, ALICE, vec![(None, 10)]);
		assert_claim(ALICE, ALICE, 0);
		set_epoch(CLAIM_WINDOW + 1);
		let before = MemorySnapshot::new();
		// Not even enough to look.
		assert_eq!(Rewards::on_idle(1, Weight::zero()), Weight::zero());
		// Enough to look but not to prune a full batch.
		let look = <() as WeightInfo>::prune_claims(0);
		assert_eq!(Rewards::on_idle(1, look), look);
		assert_eq!(MemorySnapshot::new(), before);
		let full = <() as WeightInfo>::prune_claims(MAX_PRUNE);
		Rewards::on_idle(1, full);
		assert_eq!(NextPruneEpoch::<Test>::get(), 1);
	});
}
