//! What the storage leases tell the storage law.
//!
//! `pallet-leases` lets an owner pay content nodes to keep an object, per byte per epoch. The
//! nodes that keep a leased object (its *keepers*) must be able to prove they hold it, like
//! the catalogs they subscribe to: the storage law challenges them through
//! [`LeaseObligations`], and a keeper that misses such a challenge stops keeping the lease
//! and forfeits what it had not claimed.

use crate::content::ContentId;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifier of a lease, issued in order by `pallet-leases`.
pub type LeaseId = u64;

/// A lease a node keeps, as the storage law sees it ([`LeaseObligations::kept_at`]).
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
)]
pub struct KeptLease {
	/// The lease.
	pub lease: LeaseId,
	/// The leased object's content id (BLAKE3 root).
	pub content: ContentId,
	/// The object's size in bytes, as the owner declared it.
	pub bytes: u64,
}

/// The leases content nodes keep, for the storage law. Implemented by `pallet-leases`.
pub trait LeaseObligations<AccountId> {
	/// Number of leases `node` keeps now.
	fn kept_len(node: &AccountId) -> u32;

	/// Lease at position `index` (`0..kept_len`) of `node`'s kept leases: id, content and
	/// size. Positions are dense but not stable: a lease the node stops keeping leaves its
	/// position to another. Meant for random sampling.
	fn kept_at(node: &AccountId, index: u32) -> Option<KeptLease>;

	/// `node` missed a storage challenge on `lease`: it stops keeping it and forfeits the
	/// epochs it has not claimed (their funds stay in the lease, returned to the owner at
	/// close). Does nothing if `node` does not keep `lease`.
	fn missed(node: &AccountId, lease: LeaseId);
}

/// No leases: nobody keeps anything.
impl<AccountId> LeaseObligations<AccountId> for () {
	fn kept_len(_node: &AccountId) -> u32 {
		0
	}

	fn kept_at(_node: &AccountId, _index: u32) -> Option<KeptLease> {
		None
	}

	fn missed(_node: &AccountId, _lease: LeaseId) {}
}
