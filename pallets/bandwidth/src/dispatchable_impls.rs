//! The logic behind each call: checks first, then writes, then the event.

use crate::*;
use bitcloud_primitives::EpochClock;
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
	traits::{Saturating, UniqueSaturatedInto, Zero},
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
		// The coins keep backing what the client signed this epoch and before.
		lock.backs_until = T::EpochClock::current_epoch();
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
		ensure!(Self::epoch_is_final(lock.backs_until), Error::<T>::StillBackingReceipts);
		Self::burn_spent(who, &mut lock)?;
		let amount = lock.unlocking;
		T::Currency::release(&HoldReason::BandwidthLock.into(), who, amount, Precision::Exact)?;
		lock.unlocking = Zero::zero();
		lock.unlocks_at = Zero::zero();
		Self::store_lock(who, lock);
		Self::deposit_event(Event::Withdrawn { client: who.clone(), amount });
		Ok(())
	}

	/// Store `who`'s lock, or remove the record if nothing is left in it.
	pub(crate) fn store_lock(who: &T::AccountId, lock: ClientLock<T>) {
		if lock.is_empty() {
			Locks::<T>::remove(who);
		} else {
			Locks::<T>::insert(who, lock);
		}
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
