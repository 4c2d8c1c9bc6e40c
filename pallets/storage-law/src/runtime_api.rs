//! Runtime API of the storage law: what a node's off-chain service and any client ask.
//!
//! The runtime implements it by calling
//! [`Pallet::pending_challenges`](crate::Pallet::pending_challenges),
//! [`Pallet::standing_view`](crate::Pallet::standing_view) and
//! [`Pallet::open_challenges`](crate::Pallet::open_challenges).

use crate::{Challenge, ChallengeId, StandingView};
use alloc::vec::Vec;
use bitcloud_primitives::{ChallengeChunks, ContentId};
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about storage challenges and standing.
	pub trait StorageLawApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The challenges `node` must still answer, oldest first, with their ids: what to
		/// prove (content, size, chunks: one proof each, in order) and by which block, and
		/// why (`kind`: an obligation, a probe, or a lease the node keeps).
		fn pending_challenges(node: AccountId) -> Vec<(ChallengeId, Challenge<AccountId, BlockNumber>)>;

		/// `node`'s standing with its strikes (in the current window and in total), passed
		/// challenges and pending challenges; `None` for an account that is no node and was
		/// never challenged.
		fn standing(node: AccountId) -> Option<StandingView>;

		/// Every pending challenge of any node, oldest first: its content, the chunks it names
		/// and its deadline (the last block in which it can be answered; a challenge past it
		/// stays listed until expiry removes it). A gateway refuses to serve these chunks of
		/// that content until the deadline, so that a node that deleted the content cannot
		/// fetch what it is challenged on. As long as the pending challenges: at most
		/// `3 × MaxChallengesPerEpoch` per epoch, plus those awaiting expiry.
		fn open_challenges() -> Vec<(ContentId, ChallengeChunks, BlockNumber)>;
	}
}
