//! The logic behind each call: checks first, then writes, then the event.

use crate::*;
use alloc::{
	collections::btree_map::{BTreeMap, Entry},
	vec::Vec,
};
use bitcloud_primitives::{receipt, EpochClock, EpochIndex, NodeRegistry};
use frame_support::{
	ensure,
	pallet_prelude::DispatchResult,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision},
		Get,
	},
};
use frame_system::pallet_prelude::BlockNumberFor;
use polkadot_sdk::sp_core::H256;
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{SaturatedConversion, Saturating, UniqueSaturatedInto, Zero},
	Rounding,
};

impl<T: Config> Pallet<T> {
	/// Lock `amount` more of `who`'s coins for bandwidth.
	pub(crate) fn do_lock(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut lock = Locks::<T>::get(who).unwrap_or_default();
		Self::burn_spent(who, &mut lock)?;
		T::Currency::hold(&HoldReason::BandwidthLock.into(), who, amount)
			.map_err(|_| Error::<T>::InsufficientBalance)?;
		lock.locked = lock.locked.saturating_add(amount);
		let locked = lock.locked;
		Locks::<T>::insert(who, lock);
		Self::deposit_event(Event::Locked { client: who.clone(), amount, locked });
		Ok(())
	}

	/// Move `amount` of `who`'s locked coins to unlocking, restarting the unlock delay.
	pub(crate) fn do_unlock(who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
		let mut lock = Locks::<T>::get(who).ok_or(Error::<T>::NoBandwidthLock)?;
		ensure!(amount <= lock.locked, Error::<T>::NotEnoughLocked);
		Self::burn_spent(who, &mut lock)?;
		lock.locked = lock.locked.saturating_sub(amount);
		lock.unlocking = lock.unlocking.saturating_add(amount);
		lock.unlocks_at =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnlockDelay::get());
		let (unlocking, unlocks_at) = (lock.unlocking, lock.unlocks_at);
		Locks::<T>::insert(who, lock);
		Self::deposit_event(Event::UnlockStarted {
			client: who.clone(),
			amount,
			unlocking,
			unlocks_at,
		});
		Ok(())
	}

	/// Release `who`'s unlocking coins if the delay has passed.
	pub(crate) fn do_withdraw_unlocked(who: &T::AccountId) -> DispatchResult {
		let mut lock = Locks::<T>::get(who).ok_or(Error::<T>::NoBandwidthLock)?;
		ensure!(!lock.unlocking.is_zero(), Error::<T>::NothingUnlocking);
		ensure!(
			frame_system::Pallet::<T>::block_number() >= lock.unlocks_at,
			Error::<T>::UnlockNotElapsed
		);
		Self::burn_spent(who, &mut lock)?;
		let amount = lock.unlocking;
		T::Currency::release(&HoldReason::BandwidthLock.into(), who, amount, Precision::Exact)?;
		lock.unlocking = Zero::zero();
		lock.unlocks_at = Zero::zero();
		if lock.locked.is_zero() && lock.spent.is_zero() {
			Locks::<T>::remove(who);
		} else {
			Locks::<T>::insert(who, lock);
		}
		Self::deposit_event(Event::Withdrawn { client: who.clone(), amount });
		Ok(())
	}

	/// Burn the fees `who` has paid from its hold (`spent`), emitting `FeesBurnt`.
	fn burn_spent(who: &T::AccountId, lock: &mut ClientLock<T>) -> DispatchResult {
		if lock.spent.is_zero() {
			return Ok(());
		}
		let amount = T::Currency::burn_held(
			&HoldReason::BandwidthLock.into(),
			who,
			lock.spent,
			Precision::Exact,
			Fortitude::Force,
		)?;
		lock.spent = Zero::zero();
		Self::deposit_event(Event::FeesBurnt { client: who.clone(), amount });
		Ok(())
	}

	/// Check every receipt of `node`'s batch, then credit the increases. Any bad receipt fails
	/// the whole batch before anything is written.
	///
	/// Reads and writes one `clientEpochs` entry per distinct client and epoch, one `locks`
	/// entry per distinct client, and one `nodeEpochs`, `moderatorBytes` and `epochTotals`
	/// entry per distinct epoch (and moderator) of the batch.
	pub(crate) fn do_submit_receipts(
		node: &T::AccountId,
		receipts: Vec<SignedReceiptOf<T>>,
	) -> DispatchResult {
		ensure!(!receipts.is_empty(), Error::<T>::EmptyBatch);
		let standing = T::Nodes::standing(node).ok_or(Error::<T>::NotANode)?;
		ensure!(standing.earns_rewards(), Error::<T>::NodeNotEarning);

		let current = T::EpochClock::current_epoch();
		let oldest_open =
			current.saturating_sub(T::SubmissionWindow::get()).max(OldestKeptEpoch::<T>::get());
		let genesis = Self::genesis_hash();
		// Moderators (and "unmoderated") already checked for this node in this batch.
		let mut allowed = Vec::<Option<T::AccountId>>::new();
		// Lock, quota (from the lock before this batch) and fees of each client seen.
		let mut locks = BTreeMap::<T::AccountId, (ClientLock<T>, u64, BalanceOf<T>)>::new();
		let fee_per_byte = T::FeePerByte::get();
		let mut fees = BalanceOf::<T>::zero();
		// Each (epoch, client) record, read once and written once.
		let mut clients = BTreeMap::<(EpochIndex, T::AccountId), ClientEpoch<T>>::new();
		// Bytes newly credited by (epoch, moderator), in the order of first appearance so that
		// a node's figures list moderators in the order it was first credited under them.
		let mut credits = Vec::<(EpochIndex, Option<T::AccountId>, u64)>::new();
		let mut credited = 0u64;

		for signed in &receipts {
			let r = &signed.receipt;
			ensure!(r.node == *node, Error::<T>::WrongNode);
			ensure!(r.client != *node, Error::<T>::SelfServed);
			ensure!(oldest_open <= r.epoch && r.epoch <= current, Error::<T>::EpochOutsideWindow);
			if !allowed.contains(&r.moderator) {
				match &r.moderator {
					Some(moderator) => {
						ensure!(T::Nodes::is_subscribed(node, moderator), Error::<T>::NotSubscribed)
					},
					None => ensure!(
						T::Nodes::carries_unmoderated(node),
						Error::<T>::UnmoderatedNotCarried
					),
				}
				allowed.push(r.moderator.clone());
			}

			let record = match clients.entry((r.epoch, r.client.clone())) {
				Entry::Occupied(entry) => entry.into_mut(),
				Entry::Vacant(entry) => {
					entry.insert(ClientEpochs::<T>::get(r.epoch, &r.client).unwrap_or_default())
				},
			};
			let position = record
				.claims
				.iter()
				.position(|claim| claim.node == *node && claim.moderator == r.moderator);
			let previous = position.and_then(|i| record.claims.get(i)).map_or(0, |c| c.total);
			ensure!(r.bytes > previous, Error::<T>::NotIncreasing);
			ensure!(receipt::verify(signed, &genesis), Error::<T>::BadSignature);

			let (lock, quota, client_fees) = match locks.entry(r.client.clone()) {
				Entry::Occupied(entry) => entry.into_mut(),
				Entry::Vacant(entry) => {
					let lock = Locks::<T>::get(&r.client)
						.filter(|lock| !lock.locked.is_zero())
						.ok_or(Error::<T>::ClientHasNoLock)?;
					// Fees paid but not yet burnt still count: the quota follows the coins
					// the client locked, and drops once it spent them.
					let quota = Self::quota_of(lock.locked.saturating_add(lock.spent));
					entry.insert((lock, quota, Zero::zero()))
				},
			};
			let increase = r.bytes.saturating_sub(previous);
			let used = record
				.used
				.checked_add(increase)
				.filter(|used| *used <= *quota)
				.ok_or(Error::<T>::QuotaExceeded)?;
			let fee = fee_per_byte.saturating_mul(increase.saturated_into());
			ensure!(fee <= lock.locked, Error::<T>::LockTooLowForFee);
			lock.locked = lock.locked.saturating_sub(fee);
			lock.spent = lock.spent.saturating_add(fee);
			*client_fees = client_fees.saturating_add(fee);
			fees = fees.saturating_add(fee);
			record.used = used;
			match position.and_then(|i| record.claims.get_mut(i)) {
				Some(claim) => claim.total = r.bytes,
				None => record
					.claims
					.try_push(Claim {
						node: node.clone(),
						moderator: r.moderator.clone(),
						total: r.bytes,
					})
					.map_err(|_| Error::<T>::TooManyPairs)?,
			}
			match credits.iter_mut().find(|(e, m, _)| *e == r.epoch && *m == r.moderator) {
				Some((_, _, credit)) => *credit = credit.saturating_add(increase),
				None => credits.push((r.epoch, r.moderator.clone(), increase)),
			}
			credited = credited.saturating_add(increase);
		}

		// Node figures first: the only write that can still fail.
		let mut nodes = BTreeMap::<EpochIndex, NodeEpoch<T>>::new();
		for (epoch, moderator, bytes) in &credits {
			let figures = match nodes.entry(*epoch) {
				Entry::Occupied(entry) => entry.into_mut(),
				Entry::Vacant(entry) => {
					entry.insert(NodeEpochs::<T>::get(epoch, node).unwrap_or_default())
				},
			};
			figures.total = figures.total.saturating_add(*bytes);
			match figures.by_moderator.iter_mut().find(|(m, _)| m == moderator) {
				Some((_, credited)) => *credited = credited.saturating_add(*bytes),
				None => figures
					.by_moderator
					.try_push((moderator.clone(), *bytes))
					.map_err(|_| Error::<T>::TooManyModerators)?,
			}
		}
		for (epoch, figures) in nodes {
			NodeEpochs::<T>::insert(epoch, node, figures);
		}
		for (epoch, moderator, bytes) in credits {
			ModeratorBytes::<T>::mutate(epoch, &moderator, |b| *b = b.saturating_add(bytes));
			EpochTotals::<T>::mutate(epoch, |b| *b = b.saturating_add(bytes));
		}
		for ((epoch, client), record) in clients {
			ClientEpochs::<T>::insert(epoch, client, record);
		}
		for (client, (lock, _, client_fees)) in locks {
			if !client_fees.is_zero() {
				Locks::<T>::insert(client, lock);
			}
		}

		Self::deposit_event(Event::ReceiptsAccepted {
			node: node.clone(),
			receipts: receipts.len() as u32,
			bytes: credited,
			fees,
		});
		Ok(())
	}

	/// Bytes per epoch that `locked` coins buy: `locked * BytesPerQuotaUnit / QuotaUnit`,
	/// rounded down, at most `u64::MAX`.
	pub fn quota_of(locked: BalanceOf<T>) -> u64 {
		let unit: u128 = T::QuotaUnit::get().unique_saturated_into();
		if unit == 0 {
			return 0;
		}
		let locked: u128 = locked.unique_saturated_into();
		multiply_by_rational_with_rounding(
			locked,
			u128::from(T::BytesPerQuotaUnit::get()),
			unit,
			Rounding::Down,
		)
		.map_or(u64::MAX, |quota| quota.min(u128::from(u64::MAX)) as u64)
	}

	/// Hash of the genesis block, which receipts are signed for.
	pub fn genesis_hash() -> H256 {
		let hash = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
		let bytes: &[u8] = hash.as_ref();
		if bytes.len() == 32 {
			H256::from_slice(bytes)
		} else {
			H256::zero()
		}
	}
}
