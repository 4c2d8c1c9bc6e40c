//! Invariants of the moderator registry, checked by `try_state` and after every unit test.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use bitcloud_primitives::EpochClock;
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
	/// - each moderator's `ModeratorDeposit` hold equals its recorded deposit;
	/// - each publisher's `ProposalDeposit` hold equals the sum of its proposals' deposits;
	/// - a catalog's item count and byte total equal those of its items, within the limits;
	/// - `CatalogIndex` is a dense bijection `0..catalog_items` onto the catalog, with the
	///   proven items at `0..proven_items`; proven counts and bytes equal those of the proven
	///   items, none proven before it was listed;
	/// - deny-list and proposal counts match their entries, within the limits;
	/// - catalogs, deny lists and proposals belong to registered moderators;
	/// - each moderator's commission rates (see `check_commission_rates`).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		for (moderator, info) in Moderators::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ModeratorDeposit.into(), &moderator)
					== info.deposit,
				"moderator deposit differs from its hold"
			);
			Self::check_commission_rates(&info.commission_rates)?;

			let mut items = 0u32;
			let mut bytes = 0u64;
			let (mut proven_items, mut proven_bytes) = (0u32, 0u64);
			for (content, item) in Catalog::<T>::iter_prefix(&moderator) {
				items = items.saturating_add(1);
				bytes = bytes.saturating_add(item.size);
				ensure!(item.size > 0, "catalog item of size zero");
				ensure!(
					CatalogIndex::<T>::get(&moderator, item.index) == Some(content),
					"catalog item not at its recorded position"
				);
				if let Some(proven_at) = item.proven_at {
					proven_items = proven_items.saturating_add(1);
					proven_bytes = proven_bytes.saturating_add(item.size);
					ensure!(proven_at >= item.listed_at, "catalog item proven before its listing");
				}
				ensure!(
					(item.index < info.proven_items) == item.proven_at.is_some(),
					"catalog index not partitioned into proven and unproven items"
				);
			}
			ensure!(items == info.catalog_items, "catalog item count differs from the items");
			ensure!(bytes == info.catalog_bytes, "catalog byte total differs from the items");
			ensure!(proven_items == info.proven_items, "proven item count differs from the items");
			ensure!(proven_bytes == info.proven_bytes, "proven byte total differs from the items");
			ensure!(items <= T::MaxCatalogItems::get(), "catalog above MaxCatalogItems");
			ensure!(bytes <= T::MaxCatalogBytes::get(), "catalog above MaxCatalogBytes");
			let mut positions = 0u32;
			for (index, _) in CatalogIndex::<T>::iter_prefix(&moderator) {
				positions = positions.saturating_add(1);
				ensure!(index < info.catalog_items, "catalog position out of range");
			}
			ensure!(positions == info.catalog_items, "catalog positions differ from the items");

			let denied = DenyList::<T>::iter_prefix(&moderator).count() as u32;
			ensure!(denied == info.deny_entries, "deny-list count differs from the entries");
			ensure!(denied <= T::MaxDenyListEntries::get(), "deny list above MaxDenyListEntries");

			let pending = Proposals::<T>::iter_prefix(&moderator).count() as u32;
			ensure!(pending == info.pending_proposals, "proposal count differs from the entries");
			ensure!(
				pending <= T::MaxPendingProposals::get(),
				"proposals above MaxPendingProposals"
			);
		}

		for (moderator, _) in Catalog::<T>::iter_keys() {
			ensure!(Moderators::<T>::contains_key(&moderator), "catalog of an unknown moderator");
		}
		for (moderator, _) in CatalogIndex::<T>::iter_keys() {
			ensure!(Moderators::<T>::contains_key(&moderator), "index of an unknown moderator");
		}
		for (moderator, _) in DenyList::<T>::iter_keys() {
			ensure!(Moderators::<T>::contains_key(&moderator), "deny list of unknown moderator");
		}

		let mut proposal_deposits = BTreeMap::<T::AccountId, BalanceOf<T>>::new();
		for (moderator, _, proposal) in Proposals::<T>::iter() {
			ensure!(Moderators::<T>::contains_key(&moderator), "proposal to an unknown moderator");
			let total = proposal_deposits.entry(proposal.publisher).or_insert_with(Zero::zero);
			*total = total.saturating_add(proposal.deposit);
		}
		for (publisher, total) in proposal_deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ProposalDeposit.into(), &publisher)
					== total,
				"proposal deposits differ from the publisher's hold"
			);
		}
		Ok(())
	}

	/// A moderator's commission rates: at least one, one of them in force now; strictly
	/// increasing `from_epoch`, none further ahead than `CommissionChangeDelay`; each at most
	/// `MaxCommission` and different from the one before (a repeated rate would waste room).
	/// The bound `MaxCommissionChanges` is the type's.
	fn check_commission_rates(rates: &CommissionRatesOf<T>) -> Result<(), TryRuntimeError> {
		let current = T::Epochs::current_epoch();
		let first = rates.first().ok_or("moderator without a commission rate")?;
		ensure!(first.from_epoch <= current, "no commission rate in force now");
		let latest = current.saturating_add(T::CommissionChangeDelay::get());
		for pair in rates.windows(2) {
			ensure!(pair[0].from_epoch < pair[1].from_epoch, "commission rates out of order");
			ensure!(pair[0].rate != pair[1].rate, "commission rate repeated");
		}
		for rate in rates.iter() {
			ensure!(rate.rate <= T::MaxCommission::get(), "commission rate above MaxCommission");
			ensure!(rate.from_epoch <= latest, "commission rate beyond CommissionChangeDelay");
		}
		Ok(())
	}
}
