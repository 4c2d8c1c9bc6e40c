//! Types stored and returned by the bandwidth ledger.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::{EpochIndex, SignedReceipt};
use codec::{Decode, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::traits::{Saturating, Zero};
use polkadot_sdk::{
	frame_support::{
		traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound,
		EqNoBound, PartialEqNoBound,
	},
	frame_system::pallet_prelude::BlockNumberFor,
};
use scale_info::TypeInfo;

/// Balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// A receipt signed by its client, as nodes submit it.
pub type SignedReceiptOf<T> = SignedReceipt<<T as polkadot_sdk::frame_system::Config>::AccountId>;

/// A client's bandwidth lock (`bandwidth.locks(AccountId)`). The pallet holds
/// `locked + unlocking + spent` with reason `BandwidthLock`.
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct ClientLock<T: Config> {
	/// Coins locked: the client's quota is proportional to them.
	pub locked: BalanceOf<T>,
	/// Coins unlocking: no longer counted for the quota of epochs after `backs_until`,
	/// released at `unlocks_at` once those epochs' receipts can no longer be submitted.
	pub unlocking: BalanceOf<T>,
	/// First block at which `withdraw_unlocked` releases `unlocking`.
	pub unlocks_at: BlockNumberFor<T>,
	/// The epoch of the last `unlock`: coins unlocking still back (count for the quota of,
	/// and pay the fees of) receipts of this epoch and earlier ones, so that a client cannot
	/// void receipts it signed by unlocking.
	pub backs_until: EpochIndex,
	/// Bandwidth fees taken from `locked` for bytes credited, still held until they are burnt
	/// at the client's next `lock`, `unlock` or `withdraw_unlocked`.
	pub spent: BalanceOf<T>,
}

impl<T: Config> ClientLock<T> {
	/// Coins that back receipts of `epoch`, which its quota for `epoch` is computed from:
	/// locked coins, fees spent but not yet burnt, and coins unlocking if the client unlocked
	/// them in `epoch` or later.
	pub fn backing(&self, epoch: EpochIndex) -> BalanceOf<T> {
		self.spendable(epoch).saturating_add(self.spent)
	}

	/// Coins that can still pay for bytes of `epoch`: locked coins, and coins unlocking if
	/// they back `epoch`.
	pub fn spendable(&self, epoch: EpochIndex) -> BalanceOf<T> {
		if epoch <= self.backs_until {
			self.locked.saturating_add(self.unlocking)
		} else {
			self.locked
		}
	}

	/// Take `amount` (at most [`Self::spendable`] for `epoch`) for bytes of `epoch`: from
	/// the locked coins first, then from those unlocking.
	pub fn take(&mut self, amount: BalanceOf<T>, epoch: EpochIndex) {
		let from_locked = amount.min(self.locked);
		self.locked = self.locked.saturating_sub(from_locked);
		if epoch <= self.backs_until {
			self.unlocking = self.unlocking.saturating_sub(amount.saturating_sub(from_locked));
		}
	}

	/// Whether nothing is locked, unlocking or spent: the record can go.
	pub fn is_empty(&self) -> bool {
		self.locked.is_zero() && self.unlocking.is_zero() && self.spent.is_zero()
	}
}

/// The last total claimed for one node-moderator pair of a client in an epoch.
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct Claim<AccountId> {
	/// The node that served the bytes.
	pub node: AccountId,
	/// The moderator they were served under (`None`: unmoderated).
	pub moderator: Option<AccountId>,
	/// The last cumulative total accepted (signed by the client).
	pub total: u64,
	/// Bytes of `total` credited to the node: at most `total`, less when the client signed
	/// past its quota or past what its lock could pay for.
	pub credited: u64,
}

/// What a client received in one epoch (`bandwidth.clientEpochs(EpochIndex, AccountId)`).
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct ClientEpoch<T: Config> {
	/// Bytes counted against the client's quota: the sum of its claims' credited bytes.
	pub used: u64,
	/// The last total claimed for each node-moderator pair.
	pub claims: BoundedVec<Claim<T::AccountId>, T::MaxPairsPerClient>,
}

/// Bytes credited to one node in one epoch (`bandwidth.nodeEpochs(EpochIndex, AccountId)`).
#[derive(
	Encode,
	Decode,
	MaxEncodedLen,
	TypeInfo,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	DefaultNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct NodeEpoch<T: Config> {
	/// All bytes credited to the node in the epoch.
	pub total: u64,
	/// The same bytes by moderator (`None`: unmoderated); they sum to `total`.
	pub by_moderator: BoundedVec<(Option<T::AccountId>, u64), T::MaxModeratorsPerNode>,
}

/// How far the pruning of an old epoch got (`bandwidth.pruning()`).
#[derive(Encode, Decode, MaxEncodedLen, TypeInfo, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct PruneProgress {
	/// The epoch being pruned.
	pub epoch: EpochIndex,
	/// The storage map being cleared: 0 `clientEpochs`, 1 `nodeEpochs`, 2 `moderatorBytes`,
	/// 3 `epochTotals`.
	pub stage: u8,
}

/// A client's lock and quota in an epoch, as returned by the `BandwidthApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct ClientQuota<Balance> {
	/// Coins locked (counted for the quota).
	pub locked: Balance,
	/// Coins unlocking (counted only for epochs up to the one of the last unlock).
	pub unlocking: Balance,
	/// Bytes the client may receive in the epoch asked about, at its current lock.
	pub quota: u64,
	/// Bytes already credited against its quota in the epoch.
	pub used: u64,
}

/// An epoch's figures, as returned by the `BandwidthApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug, Default)]
pub struct EpochSummary {
	/// The epoch.
	pub epoch: EpochIndex,
	/// Bytes credited to all nodes.
	pub total_bytes: u64,
	/// Whether the submission window has closed, so the figures no longer change.
	pub is_final: bool,
	/// Whether the figures were pruned (then they read as zero).
	pub pruned: bool,
}

/// A node's bytes in an epoch, as returned by the `BandwidthApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct NodeBytes<AccountId> {
	/// All bytes credited to the node.
	pub total: u64,
	/// The same bytes by moderator (`None`: unmoderated).
	pub by_moderator: Vec<(Option<AccountId>, u64)>,
}
