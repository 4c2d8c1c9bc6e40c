//! Invariants of the storage leases, checked by `try_state` and after every unit test.

use crate::*;
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use bitcloud_primitives::LeaseId;
use frame_support::{
	ensure,
	traits::{fungible::InspectHold, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each lease's size, replicas and epochs are in range (`start < paid_until`), its id
	///   below `nextLeaseId`, its keepers distinct, at most `replicas`, each paid from an epoch
	///   in `start..=paid_until`;
	/// - each lease's funds cover what its keepers can still claim (`price × bytes` per epoch
	///   from their `paid_from` to `paid_until`);
	/// - each owner's `LeaseFunds` hold equals the sum of its leases' funds, and each sender's
	///   `ShareDeposit` hold the sum of the deposits of the shares it sent;
	/// - `ownerLeases`, `contentLeases` and `keptBy` list exactly the leases that name the
	///   owner, the content and the keeper, without duplicates, and store no empty list;
	/// - indexes point at leases their account owns; encryption keys are not all zeros;
	///   offers are not zero;
	/// - share ids are below `nextShareId`, capsules not empty, and `shareCount` counts each
	///   inbox (no zero count stored).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_lease = NextLeaseId::<T>::get();
		let mut funds_by_owner = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		let mut by_owner = BTreeSet::<(T::AccountId, LeaseId)>::new();
		let mut by_content = BTreeSet::<([u8; 32], LeaseId)>::new();
		let mut by_keeper = BTreeSet::<(T::AccountId, LeaseId)>::new();
		for (id, lease) in Leases::<T>::iter() {
			ensure!(id < next_lease, "lease id not below nextLeaseId");
			ensure!(
				lease.bytes > 0 && lease.bytes <= T::MaxLeaseBytes::get(),
				"lease size out of range"
			);
			ensure!(
				lease.replicas > 0 && lease.replicas <= T::MaxReplicas::get(),
				"lease replicas out of range"
			);
			ensure!(lease.start < lease.paid_until, "lease paid for no epoch");
			ensure!(lease.keepers.len() as u32 <= lease.replicas, "more keepers than replicas");
			let mut claimable = BalanceOf::<T>::zero();
			for (i, keeper) in lease.keepers.iter().enumerate() {
				ensure!(
					!lease.keepers[..i].iter().any(|k| k.node == keeper.node),
					"a node keeps a lease twice"
				);
				ensure!(
					lease.start <= keeper.paid_from && keeper.paid_from <= lease.paid_until,
					"keeper paid from outside the lease's epochs"
				);
				let epochs = lease.paid_until.saturating_sub(keeper.paid_from);
				claimable = claimable
					.saturating_add(lease.epoch_pay().saturating_mul(BalanceOf::<T>::from(epochs)));
				by_keeper.insert((keeper.node.clone(), id));
			}
			ensure!(lease.funds >= claimable, "lease funds below what its keepers can claim");
			let sum = funds_by_owner.entry(lease.owner.clone()).or_default();
			*sum = sum.saturating_add(lease.funds);
			by_owner.insert((lease.owner.clone(), id));
			by_content.insert((lease.content, id));
		}
		for (owner, funds) in &funds_by_owner {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::LeaseFunds.into(), owner) == *funds,
				"lease hold differs from the funds of the owner's leases"
			);
		}

		let mut listed = BTreeSet::new();
		for (owner, ids) in OwnerLeases::<T>::iter() {
			ensure!(!ids.is_empty(), "empty ownerLeases stored");
			for id in ids {
				ensure!(listed.insert((owner.clone(), id)), "a lease twice in ownerLeases");
			}
		}
		ensure!(listed == by_owner, "ownerLeases differ from the leases' owners");

		let mut listed = BTreeSet::new();
		for (content, ids) in ContentLeases::<T>::iter() {
			ensure!(!ids.is_empty(), "empty contentLeases stored");
			for id in ids {
				ensure!(listed.insert((content, id)), "a lease twice in contentLeases");
			}
		}
		ensure!(listed == by_content, "contentLeases differ from the leases' contents");

		let mut listed = BTreeSet::new();
		for (node, ids) in KeptBy::<T>::iter() {
			ensure!(!ids.is_empty(), "empty keptBy stored");
			for id in ids {
				ensure!(listed.insert((node.clone(), id)), "a lease twice in keptBy");
			}
		}
		ensure!(listed == by_keeper, "keptBy differs from the leases' keepers");

		for (account, id) in Indexes::<T>::iter() {
			ensure!(by_owner.contains(&(account, id)), "index not a lease of its account");
		}
		for (_, key) in EncryptionKeys::<T>::iter() {
			ensure!(key != [0; 32], "all-zero encryption key stored");
		}
		for (_, price) in Offers::<T>::iter() {
			ensure!(!price.is_zero(), "zero offer stored");
		}

		let next_share = NextShareId::<T>::get();
		let mut counts = BTreeMap::<T::AccountId, u32>::new();
		let mut deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (to, id, share) in Shares::<T>::iter() {
			ensure!(id < next_share, "share id not below nextShareId");
			ensure!(!share.capsule.is_empty(), "empty capsule stored");
			let count = counts.entry(to).or_default();
			*count = count.saturating_add(1);
			let sum = deposits.entry(share.from).or_default();
			*sum = sum.saturating_add(share.deposit);
		}
		for (to, count) in ShareCount::<T>::iter() {
			ensure!(count > 0, "zero shareCount stored");
			ensure!(counts.remove(&to) == Some(count), "shareCount differs from the inbox");
			ensure!(count <= T::MaxSharesPerRecipient::get(), "inbox above MaxSharesPerRecipient");
		}
		ensure!(counts.is_empty(), "an inbox without its shareCount");
		for (from, deposit) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ShareDeposit.into(), &from) == deposit,
				"share deposit hold differs from the shares sent"
			);
		}
		Ok(())
	}
}
