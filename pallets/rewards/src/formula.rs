//! The reward formula: pure functions on plain integers (`u128` coins, `u64` bytes), used by
//! the calls, the runtime API and the [`economics`](crate::economics) helper, and tested at
//! their boundaries. Every division rounds **down**, so the chain never pays more than the
//! exact figure; what rounding leaves over is not minted. No function panics or overflows
//! (products are taken in 256-bit precision or saturate).
//!
//! With `pot` the epoch's emission, `T` the bytes of all nodes, `b` a node's bytes, `c` the
//! cap per byte (`MaxRewardPerByte`), `bₘ` the node's bytes under moderator `m` and `kₘ` its
//! commission:
//!
//! ```text
//! R      = min(⌊pot × b / T⌋, c × b)            the node's reward
//! commₘ  = ⌊kₘ × ⌊R × bₘ / b⌋⌋                  each live moderator's commission
//! node   = R − Σ commₘ                          the node's part
//! ```

use crate::types::{EmissionSchedule, RewardSplit};
use alloc::vec::Vec;
use bitcloud_primitives::EpochIndex;
use polkadot_sdk::sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, UniqueSaturatedInto},
	Perbill, Perquintill, Rounding,
};

/// `⌊a × b / c⌋` without overflow; `0` when `c` is zero. The result always fits when
/// `b ≤ c`, which every caller ensures; otherwise it saturates.
pub fn mul_div_floor(a: u128, b: u128, c: u128) -> u128 {
	if c == 0 {
		return 0;
	}
	multiply_by_rational_with_rounding(a, b, c, Rounding::Down).unwrap_or(u128::MAX)
}

/// Coins epoch `epoch` may emit under `schedule`, rounded down:
///
/// - `epoch < bootstrap_epochs`: `base × bootstrap_multiplier` (saturating);
/// - afterwards `base × (1 − decay)^k`, `k = ⌊(epoch − bootstrap_epochs) / decay_period⌋`;
///   with `decay_period = 0` or `decay = 0`, simply `base`. The power is taken in
///   `Perquintill` (18 decimals) by squaring, each product rounded down.
pub fn emission<B: UniqueSaturatedInto<u128> + Copy>(
	schedule: &EmissionSchedule<B>,
	epoch: EpochIndex,
) -> u128 {
	let base: u128 = schedule.base.unique_saturated_into();
	if epoch < schedule.bootstrap_epochs {
		return base.saturating_mul(u128::from(schedule.bootstrap_multiplier));
	}
	if schedule.decay_period == 0 || schedule.decay.is_zero() {
		return base;
	}
	let steps = (epoch - schedule.bootstrap_epochs) / schedule.decay_period;
	let retain = Perbill::one().saturating_sub(schedule.decay);
	// Perbill to Perquintill is exact: 10^9 parts per billion become 10^18 parts.
	let retain = Perquintill::from_parts(u64::from(retain.deconstruct()) * 1_000_000_000);
	retain.saturating_pow(steps as usize).mul_floor(base)
}

/// A node's reward `R = min(⌊pot × b / T⌋, c × b)` for `node_bytes = b` of `total_bytes = T`
/// and the cap `max_per_byte = c`. Zero when either byte count is zero; `b` above `T` (an
/// inconsistent ledger) counts as `T`, so the result never exceeds `pot`.
pub fn node_reward(pot: u128, node_bytes: u64, total_bytes: u64, max_per_byte: u128) -> u128 {
	if node_bytes == 0 || total_bytes == 0 {
		return 0;
	}
	let bytes = node_bytes.min(total_bytes);
	let share = mul_div_floor(pot, u128::from(bytes), u128::from(total_bytes));
	share.min(max_per_byte.saturating_mul(u128::from(bytes)))
}

/// A moderator's commission `⌊k × ⌊R × bₘ / b⌋⌋` on the reward `R` of a node with `b`
/// bytes, `bₘ` of them served under the moderator's catalog.
pub fn commission(reward: u128, moderator_bytes: u64, node_bytes: u64, rate: Perbill) -> u128 {
	let bytes = moderator_bytes.min(node_bytes);
	rate.mul_floor(mul_div_floor(reward, u128::from(bytes), u128::from(node_bytes)))
}

/// Split `reward` (the node's reward for `node_bytes`) between the node and the moderators.
///
/// `by_moderator` is the ledger's split of the node's bytes; `rate` gives a moderator's
/// commission for the epoch of the reward (`None`: not live, no commission). Only the first `max_commissions` moderator
/// entries take a commission; unmoderated bytes (`None`), bytes of moderators that are not live
/// and bytes of entries past that bound stay the node's. Bytes beyond `node_bytes` in total are
/// ignored (an inconsistent ledger cannot raise the commissions above the reward). Entries with
/// a zero commission are left out.
pub fn split<AccountId: Clone>(
	reward: u128,
	node_bytes: u64,
	by_moderator: &[(Option<AccountId>, u64)],
	max_commissions: u32,
	rate: impl Fn(&AccountId) -> Option<Perbill>,
) -> RewardSplit<AccountId> {
	let mut remaining_bytes = node_bytes;
	let mut moderators = 0u32;
	let mut paid = 0u128;
	let mut commissions = Vec::new();
	for (moderator, bytes) in by_moderator {
		let bytes = (*bytes).min(remaining_bytes);
		remaining_bytes = remaining_bytes.saturating_sub(bytes);
		let Some(moderator) = moderator else { continue };
		if moderators >= max_commissions {
			continue;
		}
		moderators = moderators.saturating_add(1);
		let Some(rate) = rate(moderator) else { continue };
		let amount = commission(reward, bytes, node_bytes, rate);
		if amount > 0 {
			paid = paid.saturating_add(amount);
			commissions.push((moderator.clone(), amount));
		}
	}
	RewardSplit { total: reward, node_part: reward.saturating_sub(paid), commissions }
}
