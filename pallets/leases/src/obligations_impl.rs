//! What the leases tell other pallets and clients: [`LeaseObligations`] for the storage law,
//! and the queries behind the runtime API.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{
	ContentId, EpochClock, EpochIndex, KeptLease, LeaseId, LeaseObligations,
};
use frame_support::pallet_prelude::DispatchError;
use sp_runtime::traits::Saturating;

impl<T: Config> LeaseObligations<T::AccountId> for Pallet<T> {
	fn kept_len(node: &T::AccountId) -> u32 {
		KeptBy::<T>::decode_len(node).unwrap_or(0) as u32
	}

	fn kept_at(node: &T::AccountId, index: u32) -> Option<KeptLease> {
		let lease = *KeptBy::<T>::get(node).get(index as usize)?;
		let record = Leases::<T>::get(lease)?;
		Some(KeptLease { lease, content: record.content, bytes: record.bytes })
	}

	fn missed(node: &T::AccountId, lease: LeaseId) {
		Self::do_missed(node, lease);
	}
}

impl<T: Config> Pallet<T> {
	/// Lease `id` with what each keeper could claim now (runtime API `LeasesApi::lease`).
	pub fn lease_view(id: LeaseId) -> Option<LeaseView<T::AccountId, BalanceOf<T>>> {
		let lease = Leases::<T>::get(id)?;
		let current = T::Epochs::current_epoch();
		let keepers = lease
			.keepers
			.iter()
			.map(|k| {
				let (from, to) = lease.owed(k.paid_from, current);
				let due =
					lease.epoch_pay().saturating_mul(BalanceOf::<T>::from(to.saturating_sub(from)));
				KeeperView { node: k.node.clone(), paid_from: k.paid_from, due }
			})
			.collect();
		Some(LeaseView {
			closable_from: lease.closable_from(),
			owner: lease.owner,
			content: lease.content,
			bytes: lease.bytes,
			replicas: lease.replicas,
			moderator: lease.moderator,
			price: lease.price,
			start: lease.start,
			paid_until: lease.paid_until,
			funds: lease.funds,
			ended: lease.ended,
			keepers,
		})
	}

	/// The leases `owner` has (runtime API `LeasesApi::leases_of`).
	pub fn leases_of(owner: &T::AccountId) -> Vec<LeaseId> {
		OwnerLeases::<T>::get(owner).into_inner()
	}

	/// The leases of `content` (runtime API `LeasesApi::leases_of_content`).
	pub fn leases_of_content(content: &ContentId) -> Vec<LeaseId> {
		ContentLeases::<T>::get(content).into_inner()
	}

	/// The leases `node` keeps (runtime API `LeasesApi::kept_by`).
	pub fn kept_by(node: &T::AccountId) -> Vec<LeaseId> {
		KeptBy::<T>::get(node).into_inner()
	}

	/// `moderator`'s price per byte per epoch, if it offers storage (runtime API
	/// `LeasesApi::offer`).
	pub fn offer(moderator: &T::AccountId) -> Option<BalanceOf<T>> {
		Offers::<T>::get(moderator)
	}

	/// What `create_lease` would hold for `epochs` epochs of `replicas` keepers of `bytes`
	/// bytes under `moderator`, or the error it would fail with (runtime API
	/// `LeasesApi::quote`).
	pub fn quote_amount(
		moderator: Option<&T::AccountId>,
		bytes: u64,
		replicas: u32,
		epochs: EpochIndex,
	) -> Result<BalanceOf<T>, DispatchError> {
		Self::quote(moderator, bytes, replicas, epochs).map(|(_, amount)| amount)
	}

	/// `account`'s encryption key (runtime API `LeasesApi::encryption_key`).
	pub fn encryption_key(account: &T::AccountId) -> Option<EncryptionKey> {
		EncryptionKeys::<T>::get(account)
	}

	/// `account`'s index lease (runtime API `LeasesApi::index`).
	pub fn index_of(account: &T::AccountId) -> Option<LeaseId> {
		Indexes::<T>::get(account)
	}

	/// The shares in `account`'s inbox, oldest first (runtime API `LeasesApi::shares`).
	pub fn shares_of(account: &T::AccountId) -> Vec<ShareView<T::AccountId, BalanceOf<T>>> {
		let mut shares: Vec<_> = Shares::<T>::iter_prefix(account)
			.map(|(id, share)| ShareView {
				id,
				from: share.from,
				capsule: share.capsule.into_inner(),
				deposit: share.deposit,
			})
			.collect();
		shares.sort_by_key(|share| share.id);
		shares
	}
}
