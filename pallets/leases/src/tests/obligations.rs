//! `LeaseObligations`: what the storage law reads (the leases a node keeps) and does (drop a
//! keeper that missed a challenge).

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{KeptLease, LeaseObligations};

#[test]
fn kept_leases_are_listed_by_position() {
	new_test_ext(|| {
		let obligations = |node| {
			let len = <Leasing as LeaseObligations<AccountId>>::kept_len(&node);
			(0..=len)
				.map(|i| <Leasing as LeaseObligations<AccountId>>::kept_at(&node, i))
				.collect::<Vec<_>>()
		};
		assert_eq!(obligations(NODE_1), vec![None]);
		let first = lease_under_mod_a(3);
		let second = assert_create_lease(BOB, content(2), 10, 1, None, 3);
		assert_keep(NODE_1, first);
		assert_keep(NODE_1, second);
		assert_eq!(
			obligations(NODE_1),
			vec![
				Some(KeptLease { lease: first, content: content(1), bytes: 100 }),
				Some(KeptLease { lease: second, content: content(2), bytes: 10 }),
				None
			]
		);
		assert_release(NODE_1, first);
		assert_eq!(
			obligations(NODE_1),
			vec![Some(KeptLease { lease: second, content: content(2), bytes: 10 }), None]
		);
		// A lease's keepers keep it through its grace period, until it is closed.
		run_to_epoch(3 + GRACE_EPOCHS - 1);
		assert_eq!(<Leasing as LeaseObligations<AccountId>>::kept_len(&NODE_1), 1);
		run_to_epoch(3 + GRACE_EPOCHS);
		assert_close(ALICE, second);
		assert_eq!(obligations(NODE_1), vec![None]);
		// Without leases, nobody keeps anything.
		assert_eq!(<() as LeaseObligations<AccountId>>::kept_len(&NODE_1), 0);
		assert_eq!(<() as LeaseObligations<AccountId>>::kept_at(&NODE_1, 0), None);
	});
}

#[test]
fn a_keeper_that_missed_a_challenge_is_dropped_and_forfeits_what_it_had_not_claimed() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(6);
		assert_keep(NODE_1, lease);
		assert_keep(NODE_2, lease);
		run_to_epoch(3);
		assert_claim(NODE_2, lease);
		run_to_end_of_epoch(4);
		// NODE_1 forfeits epochs 1-3; NODE_2 epoch 3.
		assert_missed(NODE_1, lease);
		assert_missed(NODE_2, lease);
		assert!(Leasing::kept_by(&NODE_1).is_empty());
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.keepers.len()), Some(0));
		// The forfeited funds go back to the owner at close: all but NODE_2's claim.
		run_to_epoch(6 + GRACE_EPOCHS);
		assert_eq!(assert_close(ALICE, lease), 3_600 - 2 * 300);
	});
}

#[test]
fn missed_changes_nothing_for_a_node_that_does_not_keep_the_lease() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(3);
		assert_keep(NODE_1, lease);
		let before = MemorySnapshot::new();
		let events = lease_events().len();
		<Leasing as LeaseObligations<AccountId>>::missed(&NODE_2, lease);
		<Leasing as LeaseObligations<AccountId>>::missed(&NODE_1, lease + 1);
		<() as LeaseObligations<AccountId>>::missed(&NODE_1, lease);
		assert_eq!(MemorySnapshot::new(), before);
		assert_eq!(lease_events().len(), events);
		// A dropped node may keep the lease again later, paid from the epoch after.
		assert_missed(NODE_1, lease);
		assert_keep(NODE_1, lease);
	});
}
