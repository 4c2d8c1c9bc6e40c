//! Types stored and returned by the reward distribution.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::EpochIndex;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{frame_support::traits::fungible::Inspect, sp_runtime::Perbill};
use scale_info::TypeInfo;

/// Balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// How many coins each epoch may emit (`rewards.schedule`).
///
/// `emission(epoch)` is `base × bootstrapMultiplier` for the epochs before `bootstrapEpochs`,
/// then `base × (1 − decay)^k` with `k = ⌊(epoch − bootstrapEpochs) / decayPeriod⌋` (no decay
/// when `decay` or `decayPeriod` is zero). See [`crate::formula::emission`].
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct EmissionSchedule<Balance> {
	/// Coins an epoch may emit after the bootstrap period, before any decay.
	pub base: Balance,
	/// Number of epochs, from epoch 0, that emit `base × bootstrap_multiplier`.
	pub bootstrap_epochs: EpochIndex,
	/// Multiplier of the bootstrap period (`1` for none; `0` emits nothing in it).
	pub bootstrap_multiplier: u32,
	/// Fraction of the emission removed every `decay_period` epochs after the bootstrap.
	pub decay: Perbill,
	/// Epochs between two decay steps (`0` for no decay).
	pub decay_period: EpochIndex,
}

/// An epoch's figures, fixed by its first claim (`rewards.epochTotals(EpochIndex)`).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct EpochRecord<Balance> {
	/// Emission of the epoch by the schedule in force at its first claim.
	pub pot: Balance,
	/// Bytes credited to all nodes in the epoch, by the bandwidth ledger.
	pub total_bytes: u64,
	/// Paid (minted) so far to nodes and moderators for the epoch; never above `pot`.
	pub paid: Balance,
}

/// Whether a node's reward for an epoch can be claimed now.
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClaimStatus {
	/// The reward can be claimed now.
	Claimable,
	/// The epoch's receipt window is still open: the figures are an estimate.
	NotFinal,
	/// The reward was claimed already.
	Claimed,
	/// The claim window is over: the reward is lost (it was never minted).
	Expired,
	/// The bandwidth ledger no longer keeps the epoch's figures.
	FiguresPruned,
	/// The account is not a node, or its standing earns no rewards (suspended, banned).
	NotEarning,
	/// The node has no bytes (or a zero reward) in the epoch.
	NothingToClaim,
}

/// A node's reward for an epoch and how it splits (`RewardsApi::pending_rewards`).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct PendingRewards<AccountId, Balance> {
	/// Whether it can be claimed now; the amounts are what a claim would pay now.
	pub status: ClaimStatus,
	/// Bytes credited to the node in the epoch.
	pub node_bytes: u64,
	/// The whole reward: `node_part` plus every commission.
	pub total: Balance,
	/// Paid to the node.
	pub node_part: Balance,
	/// Commissions paid to moderators for bytes served under their catalogs.
	pub commissions: Vec<(AccountId, Balance)>,
}

/// An epoch's figures (`RewardsApi::epoch_totals`).
#[derive(Encode, Decode, DecodeWithMemTracking, TypeInfo, Clone, Copy, PartialEq, Eq, Debug)]
pub struct EpochSummary<Balance> {
	/// The pot: fixed at the first claim, otherwise the schedule's emission now.
	pub pot: Balance,
	/// Bytes credited to all nodes (fixed at the first claim, otherwise the ledger's figure).
	pub total_bytes: u64,
	/// Paid so far.
	pub paid: Balance,
	/// Whether the bandwidth ledger has closed the epoch.
	pub is_final: bool,
	/// Whether the claim window is over.
	pub expired: bool,
}

/// How a node's reward splits between the node and the moderators.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct RewardSplit<AccountId> {
	/// The whole reward (`node_part` plus the commissions).
	pub total: u128,
	/// The node's part.
	pub node_part: u128,
	/// Each moderator's commission, in the ledger's order.
	pub commissions: Vec<(AccountId, u128)>,
}

/// Test and benchmark set-up of the pallets `pallet-rewards` reads through traits: the runtime
/// implements it with the real bandwidth ledger and node registry.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `node` a registered node in good standing whose account exists.
	fn register_node(node: &AccountId);

	/// Credit `bytes` to `node` in `epoch`, split by moderator as given, and make `epoch`
	/// final and claimable (the epoch clock past it, within the claim window).
	fn credit_and_finalise(
		epoch: EpochIndex,
		node: &AccountId,
		bytes: Vec<(Option<AccountId>, u64)>,
	);

	/// Move the epoch clock to `epoch`.
	fn set_current_epoch(epoch: EpochIndex);
}

#[cfg(feature = "runtime-benchmarks")]
impl<AccountId> BenchmarkHelper<AccountId> for () {
	fn register_node(_node: &AccountId) {}
	fn credit_and_finalise(
		_epoch: EpochIndex,
		_node: &AccountId,
		_bytes: Vec<(Option<AccountId>, u64)>,
	) {
	}
	fn set_current_epoch(_epoch: EpochIndex) {}
}
