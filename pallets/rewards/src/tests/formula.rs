//! The pure formula: emission at the schedule's boundaries, rewards, the cap, commissions and
//! their rounding, and the absence of overflow at the extremes.

use crate::{formula::*, EmissionSchedule};
use polkadot_sdk::sp_runtime::Perbill;

fn schedule(
	base: u128,
	bootstrap_epochs: u32,
	bootstrap_multiplier: u32,
	decay: u32,
	decay_period: u32,
) -> EmissionSchedule<u128> {
	EmissionSchedule {
		base,
		bootstrap_epochs,
		bootstrap_multiplier,
		decay: Perbill::from_percent(decay),
		decay_period,
	}
}

#[test]
fn emission_follows_bootstrap_then_base_then_decay() {
	let s = schedule(1_000_000, 2, 3, 10, 5);
	assert_eq!(emission(&s, 0), 3_000_000);
	assert_eq!(emission(&s, 1), 3_000_000);
	// First epoch after the bootstrap: the base, undecayed for a whole period.
	assert_eq!(emission(&s, 2), 1_000_000);
	assert_eq!(emission(&s, 6), 1_000_000);
	// Each period removes 10% of what is left.
	assert_eq!(emission(&s, 7), 900_000);
	assert_eq!(emission(&s, 11), 900_000);
	assert_eq!(emission(&s, 12), 810_000);
	assert_eq!(emission(&s, 17), 729_000);
}

#[test]
fn emission_rounds_down() {
	// 7 × 0.9 = 6.3; 7 × 0.81 = 5.67.
	let s = schedule(7, 0, 1, 10, 1);
	assert_eq!(emission(&s, 0), 7);
	assert_eq!(emission(&s, 1), 6);
	assert_eq!(emission(&s, 2), 5);
}

#[test]
fn emission_without_decay_or_bootstrap_is_the_base() {
	for s in [schedule(500, 0, 9, 10, 0), schedule(500, 0, 9, 0, 3), schedule(500, 0, 0, 0, 0)] {
		for epoch in [0, 1, 1_000, u32::MAX] {
			assert_eq!(emission(&s, epoch), 500);
		}
	}
	// A zero multiplier silences the bootstrap.
	assert_eq!(emission(&schedule(500, 10, 0, 0, 0), 9), 0);
	assert_eq!(emission(&schedule(500, 10, 0, 0, 0), 10), 500);
	// A full decay silences everything after the first period.
	let s = schedule(500, 1, 1, 100, 2);
	assert_eq!(emission(&s, 2), 500);
	assert_eq!(emission(&s, 3), 0);
}

#[test]
fn emission_never_overflows_nor_panics() {
	assert_eq!(emission(&schedule(u128::MAX, 10, u32::MAX, 0, 0), 0), u128::MAX);
	assert_eq!(emission(&schedule(u128::MAX, 0, 1, 0, 0), u32::MAX), u128::MAX);
	// u32::MAX decay steps: computed by squaring, tends to zero.
	assert_eq!(emission(&schedule(u128::MAX, 0, 1, 1, 1), u32::MAX), 0);
	assert_eq!(emission(&schedule(u128::MAX, u32::MAX, 2, 50, 1), u32::MAX), u128::MAX);
	// Halving is exact while 2^k divides 10^18 (k ≤ 18), then rounds down.
	assert_eq!(emission(&schedule(1 << 40, 0, 1, 50, 1), 18), 1 << 22);
	let e20 = emission(&schedule(1 << 40, 0, 1, 50, 1), 20);
	assert!(((1 << 20) - 1..=1 << 20).contains(&e20));
	assert_eq!(emission(&schedule(1 << 40, 0, 1, 50, 1), 41), 0);
}

#[test]
fn node_reward_is_the_share_of_the_pot_capped_per_byte() {
	// The pot binds: ⌊1 000 × 1 / 3⌋ = 333.
	assert_eq!(node_reward(1_000, 1, 3, 1_000), 333);
	assert_eq!(node_reward(1_000, 2, 3, 1_000), 666);
	// The cap binds: 100 bytes at 10 each, whatever the pot.
	assert_eq!(node_reward(1_000_000, 100, 100, 10), 1_000);
	assert_eq!(node_reward(1_000_000, 100, 400, 10), 1_000);
	// Exactly at the boundary: pot share 1 000 = cap 1 000.
	assert_eq!(node_reward(4_000, 100, 400, 10), 1_000);
	assert_eq!(node_reward(3_999, 100, 400, 10), 999);
	// Nothing without bytes, without a pot or without a cap.
	assert_eq!(node_reward(1_000, 0, 3, 10), 0);
	assert_eq!(node_reward(1_000, 3, 0, 10), 0);
	assert_eq!(node_reward(0, 3, 3, 10), 0);
	assert_eq!(node_reward(1_000, 3, 3, 0), 0);
	// More bytes than the total (an inconsistent ledger) count as the total.
	assert_eq!(node_reward(1_000, 10, 5, 1_000), 1_000);
}

#[test]
fn node_reward_never_overflows() {
	assert_eq!(node_reward(u128::MAX, u64::MAX, u64::MAX, u128::MAX), u128::MAX);
	assert_eq!(node_reward(u128::MAX, 1, u64::MAX, u128::MAX), u128::MAX / u128::from(u64::MAX));
	assert_eq!(node_reward(u128::MAX, u64::MAX, u64::MAX, 1), u128::from(u64::MAX));
	assert_eq!(node_reward(u128::MAX, u64::MAX - 1, u64::MAX, u128::MAX), {
		// ⌊MAX × (2^64 − 2) / (2^64 − 1)⌋ = MAX − ⌈MAX / (2^64 − 1)⌉.
		u128::MAX - (u128::MAX / u128::from(u64::MAX))
	});
}

#[test]
fn shares_of_all_nodes_never_exceed_the_pot() {
	for pot in [0u128, 1, 7, 999, 1_000, 1_000_003] {
		for split in
			[vec![1u64, 1, 1], vec![1, 2, 3, 4], vec![7], vec![u64::MAX / 4, 3, u64::MAX / 5]]
		{
			let total: u64 = split.iter().sum();
			let paid: u128 = split.iter().map(|b| node_reward(pot, *b, total, u128::MAX)).sum();
			assert!(paid <= pot, "pot {pot} split {split:?}");
			// Rounding loses less than one unit per node.
			assert!(pot - paid < split.len() as u128 || total == 0);
		}
	}
}

#[test]
fn commission_rounds_down_twice() {
	// ⌊1 000 × 1 / 3⌋ = 333, then ⌊333 × 50%⌋ = 166.
	assert_eq!(commission(1_000, 1, 3, Perbill::from_percent(50)), 166);
	assert_eq!(commission(1_000, 3, 3, Perbill::from_percent(5)), 50);
	assert_eq!(commission(19, 3, 3, Perbill::from_percent(5)), 0);
	assert_eq!(commission(1_000, 3, 3, Perbill::from_percent(100)), 1_000);
	assert_eq!(commission(1_000, 0, 3, Perbill::from_percent(100)), 0);
	// Moderator bytes above the node's count as the node's.
	assert_eq!(commission(1_000, 9, 3, Perbill::from_percent(100)), 1_000);
	assert_eq!(commission(u128::MAX, u64::MAX, u64::MAX, Perbill::one()), u128::MAX);
	assert_eq!(commission(1_000, 1, 0, Perbill::one()), 0);
}

#[test]
fn split_pays_live_moderators_within_the_bound() {
	let rate = |m: &u32| match m {
		1 => Some(Perbill::from_percent(10)),
		2 => Some(Perbill::from_percent(50)),
		4 => Some(Perbill::from_percent(1)),
		_ => None,
	};
	let s = split(1_000, 10, &[(Some(1), 5), (None, 2), (Some(3), 1), (Some(2), 2)], 3, rate);
	// 1: ⌊1 000 × 5 / 10⌋ × 10% = 50; 3 is not live; 2: 200 × 50% = 100.
	assert_eq!(s.commissions, vec![(1, 50), (2, 100)]);
	assert_eq!(s.node_part, 850);
	assert_eq!(s.total, 1_000);
	// Only the first `max` moderator entries count, live or not.
	let s = split(1_000, 10, &[(Some(3), 5), (Some(2), 5)], 1, rate);
	assert!(s.commissions.is_empty());
	assert_eq!(s.node_part, 1_000);
	// A commission that rounds to zero is left out.
	let s = split(10, 10, &[(Some(4), 10)], 3, rate);
	assert!(s.commissions.is_empty());
	assert_eq!(s.node_part, 10);
	// Bytes beyond the node's total are ignored, in the ledger's order.
	let s = split(1_000, 10, &[(Some(2), 10), (Some(1), 10)], 3, rate);
	assert_eq!(s.commissions, vec![(2, 500)]);
	assert_eq!(s.node_part, 500);
}

#[test]
fn commissions_never_exceed_the_reward() {
	let all = |_: &u32| Some(Perbill::one());
	for reward in [0u128, 1, 2, 3, 999, 1_000, u128::MAX] {
		for bytes in [vec![1u64, 1, 1], vec![1, 2, 3], vec![u64::MAX, 1], vec![3, 3, 3, 3]] {
			let node_bytes = bytes.iter().take(2).fold(0u64, |a, b| a.saturating_add(*b)).max(1);
			let entries: Vec<_> =
				bytes.iter().enumerate().map(|(i, b)| (Some(i as u32), *b)).collect();
			let s = split(reward, node_bytes, &entries, 10, all);
			let paid: u128 = s.commissions.iter().map(|(_, a)| a).sum();
			assert!(paid <= reward);
			assert_eq!(s.node_part + paid, reward);
		}
	}
}
