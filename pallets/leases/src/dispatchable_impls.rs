//! The logic behind each call: checks first, then writes, then the event.

use crate::*;
use bitcloud_primitives::{
	ContentId, EpochClock, EpochIndex, LeaseId, ModeratorRegistry, NodeRegistry,
};
use frame_support::{
	ensure,
	pallet_prelude::{DispatchError, DispatchResult},
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Get,
	},
};
use sp_runtime::{
	traits::{CheckedAdd, Saturating, Zero},
	ArithmeticError,
};

impl<T: Config> Pallet<T> {
	/// Record `moderator`'s storage offer at `price`.
	pub(crate) fn do_offer_storage(
		moderator: &T::AccountId,
		price: BalanceOf<T>,
	) -> DispatchResult {
		ensure!(T::Moderators::is_live(moderator), Error::<T>::NotLiveModerator);
		ensure!(!price.is_zero(), Error::<T>::ZeroPrice);
		Offers::<T>::insert(moderator, price);
		Self::deposit_event(Event::StorageOffered { moderator: moderator.clone(), price });
		Ok(())
	}

	/// Remove `moderator`'s storage offer.
	pub(crate) fn do_withdraw_offer(moderator: &T::AccountId) -> DispatchResult {
		Offers::<T>::take(moderator).ok_or(Error::<T>::NoOffer)?;
		Self::deposit_event(Event::OfferWithdrawn { moderator: moderator.clone() });
		Ok(())
	}

	/// The price per byte per epoch of a new lease under `moderator` and what `epochs` epochs
	/// of `replicas` keepers of `bytes` bytes cost, or why such a lease cannot be created.
	pub fn quote(
		moderator: Option<&T::AccountId>,
		bytes: u64,
		replicas: u32,
		epochs: EpochIndex,
	) -> Result<(BalanceOf<T>, BalanceOf<T>), DispatchError> {
		ensure!(bytes > 0, Error::<T>::ZeroBytes);
		ensure!(bytes <= T::MaxLeaseBytes::get(), Error::<T>::TooManyBytes);
		ensure!(replicas > 0, Error::<T>::ZeroReplicas);
		ensure!(replicas <= T::MaxReplicas::get(), Error::<T>::TooManyReplicas);
		ensure!(epochs > 0, Error::<T>::ZeroEpochs);
		let price = match moderator {
			Some(moderator) => {
				let price = Offers::<T>::get(moderator).ok_or(Error::<T>::NoOffer)?;
				ensure!(T::Moderators::is_live(moderator), Error::<T>::ModeratorNotLive);
				price
			},
			None => T::UnmoderatedPrice::get(),
		};
		let amount = cost(price, bytes, replicas, epochs).ok_or(Error::<T>::CostOverflow)?;
		Ok((price, amount))
	}

	/// Create a lease of `owner` and hold its first `epochs` epochs.
	pub(crate) fn do_create_lease(
		owner: &T::AccountId,
		content: ContentId,
		bytes: u64,
		replicas: u32,
		moderator: Option<T::AccountId>,
		epochs: EpochIndex,
	) -> DispatchResult {
		let (price, held) = Self::quote(moderator.as_ref(), bytes, replicas, epochs)?;
		if let Some(moderator) = &moderator {
			ensure!(!T::Moderators::is_denied(moderator, &content), Error::<T>::ContentDenied);
		}
		let start = T::Epochs::current_epoch();
		let paid_until = start.checked_add(epochs).ok_or(Error::<T>::EpochOverflow)?;
		let id = NextLeaseId::<T>::get();
		let next = id.checked_add(1).ok_or(ArithmeticError::Overflow)?;
		let mut owned = OwnerLeases::<T>::get(owner);
		owned.try_push(id).map_err(|_| Error::<T>::TooManyLeases)?;
		let mut of_content = ContentLeases::<T>::get(content);
		of_content.try_push(id).map_err(|_| Error::<T>::TooManyLeasesForContent)?;
		Self::hold_for(HoldReason::LeaseFunds, owner, held)?;

		NextLeaseId::<T>::put(next);
		OwnerLeases::<T>::insert(owner, owned);
		ContentLeases::<T>::insert(content, of_content);
		Leases::<T>::insert(
			id,
			Lease {
				owner: owner.clone(),
				content,
				bytes,
				replicas,
				moderator: moderator.clone(),
				price,
				start,
				paid_until,
				funds: held,
				ended: false,
				keepers: Default::default(),
			},
		);
		Self::deposit_event(Event::LeaseCreated {
			lease: id,
			owner: owner.clone(),
			content,
			bytes,
			replicas,
			moderator,
			price,
			paid_until,
			held,
		});
		Ok(())
	}

	/// Pay `epochs` more epochs of lease `id` of `owner`; after a lapse, settle the keepers
	/// first and start again from the current epoch.
	pub(crate) fn do_top_up(
		owner: &T::AccountId,
		id: LeaseId,
		epochs: EpochIndex,
	) -> DispatchResult {
		let mut lease = Self::owned(owner, id)?;
		ensure!(!lease.ended, Error::<T>::LeaseEnded);
		ensure!(epochs > 0, Error::<T>::ZeroEpochs);
		let current = T::Epochs::current_epoch();
		ensure!(current < lease.closable_from(), Error::<T>::LeaseExpired);
		if let Some(moderator) = &lease.moderator {
			ensure!(T::Moderators::is_live(moderator), Error::<T>::ModeratorNotLive);
			ensure!(
				!T::Moderators::is_denied(moderator, &lease.content),
				Error::<T>::ContentDenied
			);
		}
		let lapsed = current > lease.paid_until;
		let from = lease.paid_until.max(current);
		let paid_until = from.checked_add(epochs).ok_or(Error::<T>::EpochOverflow)?;
		let held = lease.cost_of(epochs).ok_or(Error::<T>::CostOverflow)?;
		let funds = lease.funds.checked_add(&held).ok_or(Error::<T>::CostOverflow)?;
		Self::hold_for(HoldReason::LeaseFunds, owner, held)?;

		lease.funds = funds;
		if lapsed {
			// The epochs between the lapse and now are not paid: each keeper is settled for
			// what it was owed before, and is owed from the current epoch on.
			let before = lease.paid_until;
			for index in 0..lease.keepers.len() {
				Self::settle(id, &mut lease, index, before, true)?;
				if let Some(keeper) = lease.keepers.get_mut(index) {
					keeper.paid_from = current;
				}
			}
		}
		lease.paid_until = paid_until;
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::LeaseToppedUp { lease: id, epochs, held, paid_until });
		Ok(())
	}

	/// End lease `id` of `owner` with the current epoch and release the funds of later ones.
	pub(crate) fn do_end_lease(owner: &T::AccountId, id: LeaseId) -> DispatchResult {
		let mut lease = Self::owned(owner, id)?;
		ensure!(!lease.ended, Error::<T>::LeaseEnded);
		let next = T::Epochs::current_epoch().saturating_add(1);
		let paid_until = lease.paid_until.min(next);
		let refunded = lease
			.cost_of(lease.paid_until.saturating_sub(paid_until))
			.unwrap_or(lease.funds)
			.min(lease.funds);
		Self::release_held(HoldReason::LeaseFunds, owner, refunded)?;

		lease.funds = lease.funds.saturating_sub(refunded);
		lease.paid_until = paid_until;
		lease.ended = true;
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::LeaseEnded { lease: id, paid_until, refunded });
		Ok(())
	}

	/// Make `node` a keeper of lease `id`, paid from the next epoch.
	pub(crate) fn do_keep(node: &T::AccountId, id: LeaseId) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(!lease.ended, Error::<T>::LeaseEnded);
		let current = T::Epochs::current_epoch();
		ensure!(current < lease.paid_until, Error::<T>::LeaseNotCovered);
		ensure!(T::Nodes::is_registered(node), Error::<T>::NotANode);
		ensure!(Self::earns(node), Error::<T>::NodeNotEarning);
		match &lease.moderator {
			Some(moderator) => {
				ensure!(T::Moderators::is_live(moderator), Error::<T>::ModeratorNotLive);
				ensure!(T::Nodes::is_subscribed(node, moderator), Error::<T>::NotSubscribed);
				ensure!(
					!T::Moderators::is_denied(moderator, &lease.content),
					Error::<T>::ContentDenied
				);
			},
			None => {
				ensure!(T::Nodes::carries_unmoderated(node), Error::<T>::UnmoderatedNotCarried)
			},
		}
		ensure!(lease.keeper_position(node).is_none(), Error::<T>::AlreadyKeeper);
		ensure!((lease.keepers.len() as u32) < lease.replicas, Error::<T>::LeaseFull);
		let mut kept = KeptBy::<T>::get(node);
		kept.try_push(id).map_err(|_| Error::<T>::TooManyKept)?;
		// The current epoch may be in its last block: only whole epochs are paid.
		let paid_from = current.saturating_add(1);
		lease
			.keepers
			.try_push(Keeper { node: node.clone(), paid_from })
			.map_err(|_| Error::<T>::LeaseFull)?;

		KeptBy::<T>::insert(node, kept);
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::KeeperJoined { lease: id, node: node.clone(), paid_from });
		Ok(())
	}

	/// Settle `node`'s whole epochs of lease `id`, then remove it from the keepers.
	pub(crate) fn do_release(node: &T::AccountId, id: LeaseId) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		let index = lease.keeper_position(node).ok_or(Error::<T>::NotKeeper)?;
		let to = Self::owed_until(&lease, index);
		Self::settle(id, &mut lease, index, to, true)?;
		Self::remove_keeper(id, &mut lease, index);
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::KeeperReleased { lease: id, node: node.clone() });
		Ok(())
	}

	/// Pay `node` the whole epochs of lease `id` it is owed.
	pub(crate) fn do_claim(node: &T::AccountId, id: LeaseId) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		let index = lease.keeper_position(node).ok_or(Error::<T>::NotKeeper)?;
		ensure!(Self::earns(node), Error::<T>::NodeNotEarning);
		let to = Self::owed_until(&lease, index);
		ensure!(lease.keepers.get(index).is_some_and(|k| k.paid_from < to), Error::<T>::NothingDue);
		Self::settle(id, &mut lease, index, to, true)?;
		Leases::<T>::insert(id, lease);
		Ok(())
	}

	/// Close lease `id` once it can be: settle its keepers, refund the rest, remove it.
	pub(crate) fn do_close(id: LeaseId) -> DispatchResult {
		let mut lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(T::Epochs::current_epoch() >= lease.closable_from(), Error::<T>::LeaseNotExpired);
		let paid_until = lease.paid_until;
		for index in 0..lease.keepers.len() {
			Self::settle(id, &mut lease, index, paid_until, true)?;
		}
		for keeper in lease.keepers.iter() {
			Self::forget_kept(&keeper.node, id);
		}
		let refunded = lease.funds;
		Self::release_held(HoldReason::LeaseFunds, &lease.owner, refunded)?;

		OwnerLeases::<T>::mutate_exists(&lease.owner, |owned| Self::remove_id(owned, id));
		ContentLeases::<T>::mutate_exists(lease.content, |leases| Self::remove_id(leases, id));
		Leases::<T>::remove(id);
		let owner = lease.owner;
		Self::deposit_event(Event::LeaseClosed { lease: id, owner: owner.clone(), refunded });
		if Indexes::<T>::get(&owner) == Some(id) {
			Indexes::<T>::remove(&owner);
			Self::deposit_event(Event::IndexSet { account: owner, lease: None });
		}
		Ok(())
	}

	/// Publish `who`'s encryption key.
	pub(crate) fn do_set_encryption_key(who: &T::AccountId, key: EncryptionKey) -> DispatchResult {
		ensure!(key != [0; 32], Error::<T>::InvalidEncryptionKey);
		EncryptionKeys::<T>::insert(who, key);
		Self::deposit_event(Event::EncryptionKeySet { account: who.clone(), key });
		Ok(())
	}

	/// Remove `who`'s encryption key.
	pub(crate) fn do_clear_encryption_key(who: &T::AccountId) -> DispatchResult {
		EncryptionKeys::<T>::take(who).ok_or(Error::<T>::NoEncryptionKey)?;
		Self::deposit_event(Event::EncryptionKeyCleared { account: who.clone() });
		Ok(())
	}

	/// Set or remove `who`'s index.
	pub(crate) fn do_set_index(who: &T::AccountId, lease: Option<LeaseId>) -> DispatchResult {
		match lease {
			Some(id) => {
				Self::owned(who, id)?;
				Indexes::<T>::insert(who, id);
			},
			None => {
				Indexes::<T>::take(who).ok_or(Error::<T>::NoIndex)?;
			},
		}
		Self::deposit_event(Event::IndexSet { account: who.clone(), lease });
		Ok(())
	}

	/// Put `capsule` from `from` in `to`'s inbox, holding the deposit.
	pub(crate) fn do_share(
		from: &T::AccountId,
		to: &T::AccountId,
		capsule: CapsuleOf<T>,
	) -> DispatchResult {
		ensure!(!capsule.is_empty(), Error::<T>::EmptyCapsule);
		ensure!(EncryptionKeys::<T>::contains_key(to), Error::<T>::RecipientHasNoKey);
		let count = ShareCount::<T>::get(to);
		ensure!(count < T::MaxSharesPerRecipient::get(), Error::<T>::InboxFull);
		let id = NextShareId::<T>::get();
		let next = id.checked_add(1).ok_or(ArithmeticError::Overflow)?;
		let deposit = T::ShareDeposit::get();
		Self::hold_for(HoldReason::ShareDeposit, from, deposit)?;

		NextShareId::<T>::put(next);
		ShareCount::<T>::insert(to, count.saturating_add(1));
		Shares::<T>::insert(to, id, Share { from: from.clone(), capsule, deposit });
		Self::deposit_event(Event::Shared {
			from: from.clone(),
			to: to.clone(),
			share: id,
			deposit,
		});
		Ok(())
	}

	/// Remove share `id` from `to`'s inbox at its recipient's request.
	pub(crate) fn do_dismiss_share(to: &T::AccountId, id: ShareId) -> DispatchResult {
		let share = Shares::<T>::get(to, id).ok_or(Error::<T>::UnknownShare)?;
		Self::remove_share(to, id, &share)?;
		Self::deposit_event(Event::ShareDismissed { to: to.clone(), share: id, from: share.from });
		Ok(())
	}

	/// Remove share `id` from `to`'s inbox at its sender's request.
	pub(crate) fn do_withdraw_share(
		from: &T::AccountId,
		to: &T::AccountId,
		id: ShareId,
	) -> DispatchResult {
		let share = Shares::<T>::get(to, id).ok_or(Error::<T>::UnknownShare)?;
		ensure!(share.from == *from, Error::<T>::NotSender);
		Self::remove_share(to, id, &share)?;
		Self::deposit_event(Event::ShareWithdrawn {
			from: from.clone(),
			to: to.clone(),
			share: id,
		});
		Ok(())
	}

	/// `node` missed a storage challenge on lease `id`: it forfeits what it is owed and stops
	/// keeping the lease. Returns whether it was a keeper.
	pub(crate) fn do_missed(node: &T::AccountId, id: LeaseId) -> bool {
		let Some(mut lease) = Leases::<T>::get(id) else { return false };
		let Some(index) = lease.keeper_position(node) else { return false };
		let to = Self::owed_until(&lease, index);
		Self::forfeit(id, &mut lease, index, to);
		Self::remove_keeper(id, &mut lease, index);
		Leases::<T>::insert(id, lease);
		Self::deposit_event(Event::KeeperDropped { lease: id, node: node.clone() });
		true
	}

	/// Settle keeper `index` of lease `id` for the epochs from its `paid_from` to `to`: paid
	/// from the owner's hold if `pay` and its standing earns, forfeited otherwise (the funds
	/// stay in the lease). Its `paid_from` moves to `to`.
	fn settle(
		id: LeaseId,
		lease: &mut Lease<T>,
		index: usize,
		to: EpochIndex,
		pay: bool,
	) -> DispatchResult {
		let Some(keeper) = lease.keepers.get(index) else { return Ok(()) };
		if !pay || !Self::earns(&keeper.node) {
			Self::forfeit(id, lease, index, to);
			return Ok(());
		}
		let (node, from) = (keeper.node.clone(), keeper.paid_from);
		if to <= from {
			return Ok(());
		}
		let amount = Self::pay_for(lease, to.saturating_sub(from));
		if !amount.is_zero() {
			T::Currency::transfer_on_hold(
				&HoldReason::LeaseFunds.into(),
				&lease.owner,
				&node,
				amount,
				Precision::Exact,
				// Paid to the node's free balance; held funds owed for storage are taken even
				// if the owner froze its account.
				Restriction::Free,
				Fortitude::Force,
			)?;
		}
		lease.funds = lease.funds.saturating_sub(amount);
		if let Some(keeper) = lease.keepers.get_mut(index) {
			keeper.paid_from = to;
		}
		Self::deposit_event(Event::KeeperPaid { lease: id, node, from, to, amount });
		Ok(())
	}

	/// Forfeit keeper `index`'s epochs of lease `id` from its `paid_from` to `to`: its
	/// `paid_from` moves to `to`, the funds stay in the lease.
	fn forfeit(id: LeaseId, lease: &mut Lease<T>, index: usize, to: EpochIndex) {
		let Some(keeper) = lease.keepers.get(index) else { return };
		let (node, from) = (keeper.node.clone(), keeper.paid_from);
		if to <= from {
			return;
		}
		let amount = Self::pay_for(lease, to.saturating_sub(from));
		if let Some(keeper) = lease.keepers.get_mut(index) {
			keeper.paid_from = to;
		}
		Self::deposit_event(Event::KeeperForfeited { lease: id, node, from, to, amount });
	}

	/// What one keeper is paid for `epochs` epochs of `lease`.
	fn pay_for(lease: &Lease<T>, epochs: EpochIndex) -> BalanceOf<T> {
		lease.epoch_pay().saturating_mul(BalanceOf::<T>::from(epochs))
	}

	/// The end (exclusive) of the epochs keeper `index` of `lease` is owed now.
	fn owed_until(lease: &Lease<T>, index: usize) -> EpochIndex {
		let paid_from = lease.keepers.get(index).map_or(0, |k| k.paid_from);
		lease.owed(paid_from, T::Epochs::current_epoch()).1
	}

	/// Remove keeper `index` from `lease` and lease `id` from its kept leases.
	fn remove_keeper(id: LeaseId, lease: &mut Lease<T>, index: usize) {
		if index < lease.keepers.len() {
			let keeper = lease.keepers.remove(index);
			Self::forget_kept(&keeper.node, id);
		}
	}

	/// Remove lease `id` from the leases `node` keeps.
	fn forget_kept(node: &T::AccountId, id: LeaseId) {
		KeptBy::<T>::mutate_exists(node, |kept| Self::remove_id(kept, id));
	}

	/// Remove `id` from a bounded list of lease ids, and the list itself once empty.
	fn remove_id<S: Get<u32>>(
		ids: &mut Option<frame_support::BoundedVec<LeaseId, S>>,
		id: LeaseId,
	) {
		if let Some(list) = ids {
			list.retain(|i| *i != id);
			if list.is_empty() {
				*ids = None;
			}
		}
	}

	/// Remove share `id` of `to`'s inbox and release its deposit to its sender.
	fn remove_share(to: &T::AccountId, id: ShareId, share: &Share<T>) -> DispatchResult {
		Self::release_held(HoldReason::ShareDeposit, &share.from, share.deposit)?;
		Shares::<T>::remove(to, id);
		let remaining = ShareCount::<T>::get(to).saturating_sub(1);
		if remaining == 0 {
			ShareCount::<T>::remove(to);
		} else {
			ShareCount::<T>::insert(to, remaining);
		}
		Ok(())
	}

	/// Lease `id` if `who` owns it.
	fn owned(who: &T::AccountId, id: LeaseId) -> Result<Lease<T>, DispatchError> {
		let lease = Leases::<T>::get(id).ok_or(Error::<T>::UnknownLease)?;
		ensure!(lease.owner == *who, Error::<T>::NotOwner);
		Ok(lease)
	}

	/// Whether `node` is a node whose standing earns (`Active` or `Warned`).
	pub(crate) fn earns(node: &T::AccountId) -> bool {
		T::Nodes::standing(node).is_some_and(|s| s.earns_rewards())
	}

	/// Hold `amount` of `who`'s balance for `reason` (nothing for zero).
	fn hold_for(reason: HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		if amount.is_zero() {
			return Ok(());
		}
		T::Currency::hold(&reason.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance.into())
	}

	/// Release `amount` of `who`'s hold for `reason` (nothing for zero).
	fn release_held(
		reason: HoldReason,
		who: &T::AccountId,
		amount: BalanceOf<T>,
	) -> DispatchResult {
		if !amount.is_zero() {
			T::Currency::release(&reason.into(), who, amount, Precision::Exact)?;
		}
		Ok(())
	}
}
