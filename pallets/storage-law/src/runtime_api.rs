//! Runtime API of the storage law: what a node's off-chain service and any client ask.
//!
//! The runtime implements it by calling
//! [`Pallet::pending_challenges`](crate::Pallet::pending_challenges) and
//! [`Pallet::standing_view`](crate::Pallet::standing_view).

use crate::{Challenge, ChallengeId, StandingView};
use alloc::vec::Vec;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about storage challenges and standing.
	pub trait StorageLawApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The challenges `node` must still answer, oldest first, with their ids: what to
		/// prove (content, size, chunk) and by which block.
		fn pending_challenges(node: AccountId) -> Vec<(ChallengeId, Challenge<AccountId, BlockNumber>)>;

		/// `node`'s standing with its strikes (in the current window and in total), passed
		/// challenges and pending challenges; `None` for an account that is no node and was
		/// never challenged.
		fn standing(node: AccountId) -> Option<StandingView>;
	}
}
