//! Runtime API of the moderator registry: what content nodes and clients ask about catalogs.
//!
//! The runtime implements it by calling [`Pallet::catalog_view`](crate::Pallet::catalog_view),
//! [`Pallet::catalog_item_view`](crate::Pallet::catalog_item_view) and
//! [`Pallet::is_content_denied`](crate::Pallet::is_content_denied) and
//! [`Pallet::proposal_view`](crate::Pallet::proposal_view).

use crate::{CatalogEntry, ProposalEntry};
use alloc::vec::Vec;
use bitcloud_primitives::ContentId;
use codec::Codec;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about moderators' catalogs and deny lists.
	///
	/// Version 2 added [`proposal`](ModerationApi::proposal).
	#[api_version(2)]
	pub trait ModerationApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The catalog of a live moderator, in `catalogIndex` order; empty for a retired or
		/// unknown moderator (a retired catalog is nobody's obligation).
		fn catalog(moderator: AccountId) -> Vec<CatalogEntry<AccountId, BlockNumber>>;

		/// One item of a live moderator's catalog.
		fn catalog_item(
			moderator: AccountId,
			content: ContentId,
		) -> Option<CatalogEntry<AccountId, BlockNumber>>;

		/// Whether `moderator`'s deny list holds `deny_key(content)` (answers for retired
		/// moderators too, until they are reaped).
		fn is_denied(moderator: AccountId, content: ContentId) -> bool;

		/// A pending proposal of `content` to `moderator`: content nodes accept uploads of
		/// proposed content so that it is in place when the moderator lists it.
		#[api_version(2)]
		fn proposal(moderator: AccountId, content: ContentId) -> Option<ProposalEntry<AccountId>>;
	}
}
