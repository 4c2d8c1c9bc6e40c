//! Types stored and returned by the storage leases.

use crate::Config;
use alloc::vec::Vec;
use bitcloud_primitives::{ContentId, EpochIndex, LeaseId};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{
		traits::{fungible::Inspect, Get},
		BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
	},
	sp_runtime::traits::{CheckedMul, Saturating},
};
use scale_info::TypeInfo;

/// Balance of the pallet's currency.
pub type BalanceOf<T> = <<T as Config>::Currency as Inspect<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
>>::Balance;

/// Identifier of a share, issued in order by the pallet.
pub type ShareId = u64;

/// An X25519 public key, which others seal capsules to.
pub type EncryptionKey = [u8; 32];

/// A sealed capsule: opaque bytes only the recipient can open.
pub type CapsuleOf<T> = BoundedVec<u8, <T as Config>::MaxCapsuleLen>;

/// The keepers of a lease.
pub type KeepersOf<T> = BoundedVec<
	Keeper<<T as polkadot_sdk::frame_system::Config>::AccountId>,
	<T as Config>::MaxReplicas,
>;

/// The leases of one owner (`leases.ownerLeases(AccountId)`).
pub type OwnerLeasesOf<T> = BoundedVec<LeaseId, <T as Config>::MaxLeasesPerOwner>;

/// The leases of one content id (`leases.contentLeases(ContentId)`).
pub type ContentLeasesOf<T> = BoundedVec<LeaseId, <T as Config>::MaxLeasesPerContent>;

/// The leases one node keeps (`leases.keptBy(AccountId)`).
pub type KeptLeasesOf<T> = BoundedVec<LeaseId, <T as Config>::MaxKeptPerNode>;

/// A node that keeps a lease's object (in `Lease::keepers`).
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Keeper<AccountId> {
	/// The node.
	pub node: AccountId,
	/// First epoch not yet paid to it: it is owed every epoch from here to the earlier of the
	/// current epoch (exclusive) and the lease's `paid_until`.
	pub paid_from: EpochIndex,
}

/// A storage lease (`leases.leases(u64)`).
///
/// The owner paid `price × bytes` per keeper per epoch for the epochs `start..paid_until`
/// (`replicas` keepers each); what is left of it is `funds`, held on the owner's account with
/// the reason `LeaseFunds`. Each keeper is paid, when it claims, for the whole epochs it kept
/// the object (from the epoch after it joined) up to `paid_until`.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Lease<T: Config> {
	/// Who pays, and gets back what is left.
	pub owner: T::AccountId,
	/// The object's content id (BLAKE3 root of its encrypted bytes).
	pub content: ContentId,
	/// The object's size in bytes, as the owner declared it.
	pub bytes: u64,
	/// How many nodes the owner pays to keep it.
	pub replicas: u32,
	/// The moderator whose subscribed nodes may keep it; `None`: nodes carrying unmoderated
	/// traffic.
	pub moderator: Option<T::AccountId>,
	/// Price per byte per epoch, fixed at creation.
	pub price: BalanceOf<T>,
	/// Epoch of creation.
	pub start: EpochIndex,
	/// First epoch not paid for: the epochs `start..paid_until` are paid.
	pub paid_until: EpochIndex,
	/// What is left of the payments, held on the owner's account (`LeaseFunds`).
	pub funds: BalanceOf<T>,
	/// Whether the owner ended the lease: it is paid up to the end of the epoch it was ended
	/// in and can be closed from `paid_until` on.
	pub ended: bool,
	/// The nodes that keep the object, at most `replicas`.
	pub keepers: KeepersOf<T>,
}

impl<T: Config> Lease<T> {
	/// What one keeper earns per epoch: `price × bytes` (never overflows once the lease
	/// exists: its first payment was checked).
	pub fn epoch_pay(&self) -> BalanceOf<T> {
		self.price.saturating_mul(BalanceOf::<T>::try_from(self.bytes).unwrap_or_default())
	}

	/// What all the keepers of `epochs` epochs cost: `price × bytes × replicas × epochs`.
	pub fn cost_of(&self, epochs: EpochIndex) -> Option<BalanceOf<T>> {
		cost::<BalanceOf<T>>(self.price, self.bytes, self.replicas, epochs)
	}

	/// The epochs a keeper that is paid up to `paid_from` is owed now, in `current`: from
	/// `paid_from` to the earlier of `current` (exclusive: an epoch is paid once it is over)
	/// and `paid_until`. Empty (`from == to`) when nothing is owed.
	pub fn owed(&self, paid_from: EpochIndex, current: EpochIndex) -> (EpochIndex, EpochIndex) {
		let to = current.min(self.paid_until).max(paid_from);
		(paid_from, to)
	}

	/// First epoch in which anyone may close the lease: `paid_until` for an ended lease,
	/// `paid_until + GraceEpochs` otherwise.
	pub fn closable_from(&self) -> EpochIndex {
		if self.ended {
			self.paid_until
		} else {
			self.paid_until.saturating_add(T::GraceEpochs::get())
		}
	}

	/// The position of `node` among the keepers.
	pub fn keeper_position(&self, node: &T::AccountId) -> Option<usize> {
		self.keepers.iter().position(|k| k.node == *node)
	}
}

/// `price × bytes × replicas × epochs`, or `None` if it does not fit in `Balance`.
pub fn cost<Balance>(
	price: Balance,
	bytes: u64,
	replicas: u32,
	epochs: EpochIndex,
) -> Option<Balance>
where
	Balance: CheckedMul + TryFrom<u64> + From<u32>,
{
	price
		.checked_mul(&Balance::try_from(bytes).ok()?)?
		.checked_mul(&Balance::from(replicas))?
		.checked_mul(&Balance::from(epochs))
}

/// A share in a recipient's inbox (`leases.shares(AccountId, u64)`): a capsule sealed to the
/// recipient's encryption key, typically holding a lease id and the key of its object.
#[derive(
	Encode, Decode, MaxEncodedLen, TypeInfo, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound(T: Config))]
pub struct Share<T: Config> {
	/// Who shared it; its deposit is held on this account.
	pub from: T::AccountId,
	/// The sealed capsule.
	pub capsule: CapsuleOf<T>,
	/// Deposit held from `from` (`ShareDeposit`), released when the share is removed.
	pub deposit: BalanceOf<T>,
}

/// A keeper of a lease, as returned by the `LeasesApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct KeeperView<AccountId, Balance> {
	/// The node.
	pub node: AccountId,
	/// First epoch not yet paid to it.
	pub paid_from: EpochIndex,
	/// What it could claim now (if its standing lets it earn).
	pub due: Balance,
}

/// A lease, as returned by the `LeasesApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct LeaseView<AccountId, Balance> {
	/// Who pays.
	pub owner: AccountId,
	/// The object's content id.
	pub content: ContentId,
	/// The object's size in bytes.
	pub bytes: u64,
	/// How many keepers the owner pays for.
	pub replicas: u32,
	/// The moderator whose subscribed nodes may keep it (`None`: unmoderated).
	pub moderator: Option<AccountId>,
	/// Price per byte per epoch.
	pub price: Balance,
	/// Epoch of creation.
	pub start: EpochIndex,
	/// First epoch not paid for.
	pub paid_until: EpochIndex,
	/// What is left of the payments.
	pub funds: Balance,
	/// Whether the owner ended it.
	pub ended: bool,
	/// First epoch in which anyone may close it (and its keepers may delete the object).
	pub closable_from: EpochIndex,
	/// Its keepers, with what each could claim now.
	pub keepers: Vec<KeeperView<AccountId, Balance>>,
}

/// A share in an inbox, as returned by the `LeasesApi` runtime API.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct ShareView<AccountId, Balance> {
	/// The share's id (to dismiss it).
	pub id: ShareId,
	/// Who shared it.
	pub from: AccountId,
	/// The sealed capsule.
	pub capsule: Vec<u8>,
	/// Deposit held from the sender.
	pub deposit: Balance,
}
