//! What the runtime API answers: pending rewards with their status, epoch totals, emission.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::Standing;

const E: u32 = 2;

fn status(node: AccountId, epoch: u32) -> ClaimStatus {
	Rewards::pending_rewards(&node, epoch).status
}

#[test]
fn pending_rewards_show_the_split_before_the_claim() {
	new_test_ext(|| {
		credit(E, ALICE, vec![(Some(MOD_A), 600), (Some(MOD_B), 300), (None, 100)]);
		credit(E, BOB, vec![(None, 3_000)]);
		let pending = Rewards::pending_rewards(&ALICE, E);
		assert_eq!(
			pending,
			PendingRewards {
				status: ClaimStatus::Claimable,
				node_bytes: 1_000,
				total: 10_000,
				node_part: 9_100,
				commissions: vec![(MOD_A, 300), (MOD_B, 600)],
			}
		);
		let paid = assert_claim(ALICE, ALICE, E);
		assert_eq!(paid.node, pending.node_part);
		assert_eq!(status(ALICE, E), ClaimStatus::Claimed);
	});
}

#[test]
fn pending_rewards_tell_why_a_claim_would_fail() {
	new_test_ext(|| {
		set_bytes(E, ALICE, vec![(None, 100)]);
		set_epoch(E + 1);
		// Not final yet: the amounts are an estimate.
		let pending = Rewards::pending_rewards(&ALICE, E);
		assert_eq!(pending.status, ClaimStatus::NotFinal);
		assert_eq!(pending.total, 1_000);
		finalise(E);
		assert_eq!(status(ALICE, E), ClaimStatus::Claimable);
		assert_eq!(status(BOB, E), ClaimStatus::NothingToClaim);
		assert_eq!(status(DAVE, E), ClaimStatus::NotEarning);
		set_standing(ALICE, Some(Standing::Suspended));
		assert_eq!(status(ALICE, E), ClaimStatus::NotEarning);
		set_oldest_kept(E + 1);
		assert_eq!(status(ALICE, E), ClaimStatus::FiguresPruned);
		set_epoch(E + CLAIM_WINDOW + 1);
		assert_eq!(status(ALICE, E), ClaimStatus::Expired);
	});
}

#[test]
fn epoch_summary_reports_pot_bytes_and_payments() {
	new_test_ext(|| {
		set_bytes(E, ALICE, vec![(None, 100)]);
		set_bytes(E, BOB, vec![(None, 300)]);
		set_epoch(E + 1);
		assert_eq!(
			Rewards::epoch_summary(E),
			EpochSummary { pot: BASE, total_bytes: 400, paid: 0, is_final: false, expired: false }
		);
		finalise(E);
		assert_claim(ALICE, ALICE, E);
		assert_eq!(
			Rewards::epoch_summary(E),
			EpochSummary {
				pot: BASE,
				total_bytes: 400,
				paid: 1_000,
				is_final: true,
				expired: false
			}
		);
		set_epoch(E + CLAIM_WINDOW + 1);
		assert!(Rewards::epoch_summary(E).expired);
		// Bootstrap epochs show the multiplied pot.
		assert_eq!(Rewards::epoch_summary(0).pot, 3 * BASE);
	});
}
