//! The invariants catch corrupted storage.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::frame_support::{assert_err, assert_ok, traits::fungible::MutateHold};

/// Apply `corrupt`, check that `try_state` reports `error`, then undo it with `repair`.
fn detects(corrupt: impl FnOnce(), error: &'static str, repair: impl FnOnce()) {
	corrupt();
	assert_err!(Leasing::do_try_state(), error);
	repair();
	assert_ok!(Leasing::do_try_state());
}

fn mutate_lease(id: u64, change: impl FnOnce(&mut Lease<Test>)) {
	Leases::<Test>::mutate(id, |lease| change(lease.as_mut().expect("the lease")));
}

#[test]
fn try_state_detects_corrupted_leases() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(3);
		assert_keep(NODE_1, lease);
		detects(
			|| mutate_lease(lease, |l| l.funds -= 1),
			"lease hold differs from the funds of the owner's leases",
			|| mutate_lease(lease, |l| l.funds += 1),
		);
		detects(
			|| mutate_lease(lease, |l| l.funds = 599),
			"lease funds below what its keepers can claim",
			|| mutate_lease(lease, |l| l.funds = 1_800),
		);
		detects(
			|| mutate_lease(lease, |l| l.paid_until = 0),
			"lease paid for no epoch",
			|| mutate_lease(lease, |l| l.paid_until = 3),
		);
		detects(
			|| mutate_lease(lease, |l| l.replicas = 0),
			"lease replicas out of range",
			|| mutate_lease(lease, |l| l.replicas = 2),
		);
		detects(
			|| {
				mutate_lease(lease, |l| {
					l.keepers.try_push(Keeper { node: NODE_1, paid_from: 1 }).unwrap()
				})
			},
			"a node keeps a lease twice",
			|| {
				mutate_lease(lease, |l| {
					l.keepers.pop();
				})
			},
		);
		detects(
			|| NextLeaseId::<Test>::put(0),
			"lease id not below nextLeaseId",
			|| NextLeaseId::<Test>::put(1),
		);
	});
}

#[test]
fn try_state_detects_indexes_that_disagree_with_the_leases() {
	new_test_ext(|| {
		let lease = lease_under_mod_a(3);
		assert_keep(NODE_1, lease);
		detects(
			|| KeptBy::<Test>::remove(NODE_1),
			"keptBy differs from the leases' keepers",
			|| KeptBy::<Test>::insert(NODE_1, KeptLeasesOf::<Test>::truncate_from(vec![lease])),
		);
		detects(
			|| OwnerLeases::<Test>::insert(BOB, OwnerLeasesOf::<Test>::truncate_from(vec![lease])),
			"ownerLeases differ from the leases' owners",
			|| OwnerLeases::<Test>::remove(BOB),
		);
		detects(
			|| ContentLeases::<Test>::insert(content(2), ContentLeasesOf::<Test>::default()),
			"empty contentLeases stored",
			|| ContentLeases::<Test>::remove(content(2)),
		);
		detects(
			|| Indexes::<Test>::insert(BOB, lease),
			"index not a lease of its account",
			|| Indexes::<Test>::remove(BOB),
		);
		detects(
			|| EncryptionKeys::<Test>::insert(BOB, [0; 32]),
			"all-zero encryption key stored",
			|| EncryptionKeys::<Test>::remove(BOB),
		);
		detects(
			|| Offers::<Test>::insert(MOD_B, 0),
			"zero offer stored",
			|| Offers::<Test>::remove(MOD_B),
		);
	});
}

#[test]
fn try_state_detects_shares_that_disagree_with_counts_and_deposits() {
	new_test_ext(|| {
		assert_set_encryption_key(BOB, KEY);
		assert_share(ALICE, BOB, b"a");
		detects(
			|| ShareCount::<Test>::insert(BOB, 2),
			"shareCount differs from the inbox",
			|| ShareCount::<Test>::insert(BOB, 1),
		);
		detects(
			|| {
				Balances::hold(&HoldReason::ShareDeposit.into(), &ALICE, 1).unwrap();
			},
			"share deposit hold differs from the shares sent",
			|| {
				Balances::release(
					&HoldReason::ShareDeposit.into(),
					&ALICE,
					1,
					polkadot_sdk::frame_support::traits::tokens::Precision::Exact,
				)
				.unwrap();
			},
		);
		detects(
			|| NextShareId::<Test>::put(0),
			"share id not below nextShareId",
			|| NextShareId::<Test>::put(1),
		);
	});
}
