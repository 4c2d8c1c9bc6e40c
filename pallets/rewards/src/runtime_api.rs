//! Runtime API of the reward distribution: what a node operator or wallet asks about rewards.
//!
//! The runtime implements it by calling
//! [`Pallet::pending_rewards`](crate::Pallet::pending_rewards),
//! [`Pallet::epoch_summary`](crate::Pallet::epoch_summary) and
//! [`Pallet::emission`](crate::Pallet::emission).

use crate::{EpochSummary, PendingRewards};
use bitcloud_primitives::EpochIndex;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about rewards.
	pub trait RewardsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// What `node` would be paid for `epoch` if it claimed now: its part, each moderator's
		/// commission, and whether it can claim (or why not).
		fn pending_rewards(node: AccountId, epoch: EpochIndex) -> PendingRewards<AccountId, Balance>;

		/// `epoch`'s pot, bytes of all nodes, paid so far, whether it is final and whether its
		/// claim window is over.
		fn epoch_totals(epoch: EpochIndex) -> EpochSummary<Balance>;

		/// Coins `epoch` may emit under the schedule in force.
		fn emission(epoch: EpochIndex) -> Balance;
	}
}
