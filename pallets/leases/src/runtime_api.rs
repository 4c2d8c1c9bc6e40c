//! Runtime API of the storage leases: what owners, nodes and recipients of shares ask.
//!
//! The runtime implements it with [`Pallet::lease_view`](crate::Pallet::lease_view),
//! [`Pallet::leases_of`](crate::Pallet::leases_of),
//! [`Pallet::leases_of_content`](crate::Pallet::leases_of_content),
//! [`Pallet::kept_by`](crate::Pallet::kept_by), [`Pallet::offer`](crate::Pallet::offer),
//! [`Pallet::quote_amount`](crate::Pallet::quote_amount),
//! [`Pallet::encryption_key`](crate::Pallet::encryption_key),
//! [`Pallet::index_of`](crate::Pallet::index_of) and
//! [`Pallet::shares_of`](crate::Pallet::shares_of).

use crate::{EncryptionKey, LeaseView, ShareView};
use alloc::vec::Vec;
use bitcloud_primitives::{ContentId, EpochIndex, LeaseId};
use codec::Codec;
use polkadot_sdk::sp_runtime::DispatchError;

polkadot_sdk::sp_api::decl_runtime_apis! {
	/// Queries about storage leases, encryption keys, indexes and shares.
	pub trait LeasesApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// A lease: its owner, object, replicas, moderator, price, paid epochs, funds, the
		/// epoch from which it can be closed, and its keepers with what each could claim now.
		fn lease(id: LeaseId) -> Option<LeaseView<AccountId, Balance>>;

		/// The leases of `owner`.
		fn leases_of(owner: AccountId) -> Vec<LeaseId>;

		/// The leases of the object `content`.
		fn leases_of_content(content: ContentId) -> Vec<LeaseId>;

		/// The leases `node` keeps.
		fn kept_by(node: AccountId) -> Vec<LeaseId>;

		/// `moderator`'s storage price per byte per epoch, if it offers storage.
		fn offer(moderator: AccountId) -> Option<Balance>;

		/// What `createLease` would hold for `epochs` epochs of `replicas` keepers of an
		/// object of `bytes` bytes under `moderator` (`None`: unmoderated), or the error it
		/// would fail with.
		fn quote(
			moderator: Option<AccountId>,
			bytes: u64,
			replicas: u32,
			epochs: EpochIndex,
		) -> Result<Balance, DispatchError>;

		/// The X25519 public key `account` published.
		fn encryption_key(account: AccountId) -> Option<EncryptionKey>;

		/// The lease whose object is `account`'s index.
		fn index(account: AccountId) -> Option<LeaseId>;

		/// The shares in `account`'s inbox, oldest first.
		fn shares(account: AccountId) -> Vec<ShareView<AccountId, Balance>>;
	}
}
