//! `try_state` catches every broken invariant.

use super::testing_utils::*;
use crate::{mock::*, *};

fn broken(corrupt: impl FnOnce(), message: &'static str) {
	ExtBuilder::default().build().execute_with(|| {
		credit(1, ALICE, vec![(None, 10)]);
		assert_claim(ALICE, ALICE, 1);
		assert_eq!(Rewards::do_try_state(), Ok(()));
		corrupt();
		assert_eq!(Rewards::do_try_state(), Err(message.into()));
	});
}

#[test]
fn try_state_catches_overpaid_epochs() {
	broken(
		|| {
			crate::EpochTotals::<Test>::mutate(1, |t| {
				let t = t.as_mut().unwrap();
				t.pot = t.paid - 1;
			})
		},
		"an epoch paid more than its pot",
	);
}

#[test]
fn try_state_catches_claims_that_differ_from_paid() {
	broken(|| Claimed::<Test>::insert(1, BOB, 5), "an epoch's paid differs from its claims");
}

#[test]
fn try_state_catches_orphan_claims() {
	broken(|| Claimed::<Test>::insert(7, BOB, 0), "a claim without its epoch's totals");
}

#[test]
fn try_state_catches_a_low_total_paid() {
	broken(|| TotalPaid::<Test>::put(1), "totalPaid below the epochs' payments");
}

#[test]
fn try_state_catches_kept_pruned_epochs() {
	broken(|| NextPruneEpoch::<Test>::put(2), "totals kept for a pruned epoch");
}

#[test]
fn try_state_catches_an_invalid_schedule() {
	broken(
		|| {
			Schedule::<Test>::mutate(|s| {
				s.decay = polkadot_sdk::sp_runtime::Perbill::from_percent(1);
				s.decay_period = 0;
			})
		},
		"invalid schedule in force",
	);
}
