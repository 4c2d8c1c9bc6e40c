//! The self-dealing helper: downloading from oneself never pays when the per-byte fee covers
//! the per-byte cap, and the quota bounds the gain otherwise.

use crate::economics::*;
use polkadot_sdk::sp_runtime::Perbill;

fn attack(client_bytes: u64, honest_bytes: u64, pot: u128, cap: u128, fee: u128) -> SelfDealing {
	SelfDealing {
		client_bytes,
		own_share: Perbill::one(),
		honest_bytes,
		pot,
		max_reward_per_byte: cap,
		fee_per_byte: fee,
	}
}

#[test]
fn without_a_fee_self_dealing_earns_the_cap_when_demand_is_low() {
	// Low demand: the pot could pay far more than the cap.
	let o = self_dealing_profit(&attack(1_000, 0, 1_000_000_000, 10, 0));
	assert_eq!(o, SelfDealingOutcome { own_bytes: 1_000, reward: 10_000, fees: 0, profit: 10_000 });
	// High demand: it takes its share of the pot from honest nodes.
	let o = self_dealing_profit(&attack(1_000, 3_000, 4_000, 10, 0));
	assert_eq!(o.reward, 1_000);
	assert_eq!(o.profit, 1_000);
}

#[test]
fn a_fee_at_least_the_cap_makes_self_dealing_a_loss_whatever_the_demand() {
	for cap in [0u128, 1, 10, 1_000] {
		for fee in [cap, cap + 1, 2 * cap] {
			for (bytes, honest, pot) in [
				(1_000u64, 0u64, 1_000_000_000u128),
				(1_000, 3_000, 4_000),
				(1, u64::MAX - 1, u128::MAX),
				(u64::MAX, 0, u128::MAX),
				(7, 0, 0),
			] {
				for share in [Perbill::one(), Perbill::from_percent(30), Perbill::zero()] {
					let mut a = attack(bytes, honest, pot, cap, fee);
					a.own_share = share;
					let o = self_dealing_profit(&a);
					assert!(o.profit <= 0, "{a:?} → {o:?}");
				}
			}
			assert!(is_unprofitable(cap, fee));
		}
	}
	assert!(!is_unprofitable(10, 9));
}

#[test]
fn a_fee_just_below_the_cap_pays_one_unit_per_byte() {
	let o = self_dealing_profit(&attack(1_000, 0, u128::MAX, 10, 9));
	assert_eq!(o.profit, 1_000);
}

#[test]
fn random_node_choice_lowers_the_fee_needed() {
	// A self-dealer whose clients reach its own nodes for 25% of their bytes.
	let share = Perbill::from_percent(25);
	assert_eq!(break_even_fee(10, share), 3);
	assert_eq!(break_even_fee(10, Perbill::one()), 10);
	let mut a = attack(1_000, 0, u128::MAX, 10, 3);
	a.own_share = share;
	let o = self_dealing_profit(&a);
	assert_eq!((o.own_bytes, o.reward, o.fees), (250, 2_500, 3_000));
	assert!(o.profit < 0);
	a.fee_per_byte = 2;
	assert!(self_dealing_profit(&a).profit > 0);
}

#[test]
fn the_quota_bounds_the_gain_per_locked_coin() {
	// 1 000 bytes per 100 units locked; 5 000 units locked give 50 000 bytes.
	assert_eq!(quota_bytes(5_000, 1_000, 100), 50_000);
	assert_eq!(quota_bytes(99, 1_000, 100), 990);
	assert_eq!(quota_bytes(u128::MAX, u64::MAX, 1), u64::MAX);
	assert_eq!(quota_bytes(5, 1, 0), 5);
	assert_eq!(max_profit_per_epoch(5_000, 1_000, 100, 10, 0), 500_000);
	assert_eq!(max_profit_per_epoch(5_000, 1_000, 100, 10, 10), 0);
	assert_eq!(max_profit_per_epoch(5_000, 1_000, 100, 10, 12), -100_000);
	// The bound holds for the helper's outcome.
	let bytes = quota_bytes(5_000, 1_000, 100);
	let o = self_dealing_profit(&attack(bytes, 0, u128::MAX, 10, 4));
	assert_eq!(o.profit, max_profit_per_epoch(5_000, 1_000, 100, 10, 4));
}
