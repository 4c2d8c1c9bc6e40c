//! What a self-dealing node earns: pure functions over the runtime's parameters, so that tests
//! (and the runtime's own tests) can show that downloading from oneself does not pay.
//!
//! A self-dealer runs clients and nodes. Its clients lock coins for bandwidth, which gives
//! them a quota of bytes per epoch; they sign receipts for bytes "served" by its own nodes,
//! and the nodes claim rewards for them. Locked coins come back, so the lock alone costs the
//! self-dealer nothing but time: the cost must be a per-byte fee the client pays for every
//! byte credited (burnt by the bandwidth ledger). Then, per epoch,
//!
//! ```text
//! profit = R(own bytes) − fee × client bytes
//!        ≤ c × own bytes − fee × client bytes       (R is capped at c per byte)
//!        ≤ client bytes × (share × c − fee)         (own bytes = share × client bytes)
//! ```
//!
//! so `fee ≥ c` (`MaxRewardPerByte`) makes self-dealing unprofitable whatever the demand, the
//! pot and the number of Sybil clients or nodes; commissions change nothing (a self-dealer that
//! also runs the moderator gets the commission back, but the commission is part of `R`). With a
//! smaller fee, the quota bounds the profit per locked coin and epoch by
//! `quota per coin × (c − fee)`. See `docs/rewards.md`.

use crate::formula;
use polkadot_sdk::sp_runtime::Perbill;

/// One epoch of self-dealing.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SelfDealing {
	/// Bytes the self-dealer's clients have credited in the epoch (at most their quota, see
	/// [`quota_bytes`]).
	pub client_bytes: u64,
	/// Share of those bytes credited to the self-dealer's own nodes: `1` when its clients can
	/// pick content only its nodes hold; less when the chain picks nodes at random.
	pub own_share: Perbill,
	/// Bytes credited to every other node in the epoch.
	pub honest_bytes: u64,
	/// The epoch's pot.
	pub pot: u128,
	/// `MaxRewardPerByte`.
	pub max_reward_per_byte: u128,
	/// Fee the bandwidth ledger burns per byte credited, from the client.
	pub fee_per_byte: u128,
}

/// What the self-dealer gets and pays in one epoch.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct SelfDealingOutcome {
	/// Bytes credited to its own nodes.
	pub own_bytes: u64,
	/// Rewards its nodes (and any moderator it runs) are paid, by the pallet's formula.
	pub reward: u128,
	/// Fees its clients pay.
	pub fees: u128,
	/// `reward − fees` (negative: a loss), saturating.
	pub profit: i128,
}

fn signed(x: u128) -> i128 {
	i128::try_from(x).unwrap_or(i128::MAX)
}

/// The outcome of one epoch of self-dealing, by the same formula the pallet pays with.
pub fn self_dealing_profit(p: &SelfDealing) -> SelfDealingOutcome {
	let own_bytes = p.own_share.mul_floor(p.client_bytes);
	let total_bytes = p.honest_bytes.saturating_add(p.client_bytes);
	let reward = formula::node_reward(p.pot, own_bytes, total_bytes, p.max_reward_per_byte);
	let fees = p.fee_per_byte.saturating_mul(u128::from(p.client_bytes));
	SelfDealingOutcome {
		own_bytes,
		reward,
		fees,
		profit: signed(reward).saturating_sub(signed(fees)),
	}
}

/// Bytes per epoch a client gets for `locked` coins when the ledger grants `bytes_per_unit`
/// bytes per `unit` locked: `⌊locked × bytes_per_unit / unit⌋`, saturating at `u64::MAX`.
pub fn quota_bytes(locked: u128, bytes_per_unit: u64, unit: u128) -> u64 {
	let bytes = formula::mul_div_floor(locked, u128::from(bytes_per_unit), unit.max(1));
	u64::try_from(bytes).unwrap_or(u64::MAX)
}

/// The most a self-dealer can gain per epoch with `locked` coins, whatever the demand and the
/// pot: its whole quota served by its own nodes and paid at the cap, minus the fees,
/// `quota × (c − fee)`. Zero or negative when `fee ≥ c`.
pub fn max_profit_per_epoch(
	locked: u128,
	bytes_per_unit: u64,
	unit: u128,
	max_reward_per_byte: u128,
	fee_per_byte: u128,
) -> i128 {
	let quota = u128::from(quota_bytes(locked, bytes_per_unit, unit));
	signed(max_reward_per_byte.saturating_mul(quota))
		.saturating_sub(signed(fee_per_byte.saturating_mul(quota)))
}

/// The smallest per-byte fee that makes self-dealing unprofitable when a share `own_share` of
/// the self-dealer's bytes reaches its own nodes: `⌈own_share × c⌉` (`c` itself for a share
/// of one, the safe choice when clients can choose what they download).
pub fn break_even_fee(max_reward_per_byte: u128, own_share: Perbill) -> u128 {
	own_share.mul_ceil(max_reward_per_byte)
}

/// Whether self-dealing can never profit: the fee covers the cap.
pub fn is_unprofitable(max_reward_per_byte: u128, fee_per_byte: u128) -> bool {
	fee_per_byte >= max_reward_per_byte
}
