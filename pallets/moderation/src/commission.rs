//! Commission rates by epoch.
//!
//! A reward is split at the rate that was in force during the epoch its bytes were served,
//! whenever it is claimed. A change made in epoch `e` applies from epoch
//! `e + CommissionChangeDelay` (at least `e + 1`), so the rate of every epoch is fixed before
//! the epoch begins: a moderator cannot raise its cut of bytes already served. Cuts are
//! deferred the same way, so the rule is one and predictable. Each moderator keeps the rate in
//! force `CommissionHistoryEpochs` epochs ago and every change since (at most
//! `MaxCommissionChanges` rates), enough to answer for every epoch still claimable.

use crate::*;
use bitcloud_primitives::{EpochClock, EpochIndex};
use frame_support::{ensure, traits::Get, BoundedVec};
use sp_runtime::Perbill;

impl<T: Config> Pallet<T> {
	/// The rates of a new moderator: `rate` from the current epoch. Nothing is deferred: no
	/// node can have served a catalog before it existed.
	pub(crate) fn initial_rates(rate: Perbill) -> Result<CommissionRatesOf<T>, Error<T>> {
		ensure!(rate <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		let first = CommissionRate { from_epoch: T::Epochs::current_epoch(), rate };
		// `MaxCommissionChanges` is at least 2 (`integrity_test`).
		BoundedVec::try_from(alloc::vec![first]).map_err(|_| Error::<T>::CommissionHistoryFull)
	}

	/// Schedule `rate` in `rates` from epoch `current + CommissionChangeDelay`, after dropping
	/// the rates no claimable epoch needs any more. Returns that epoch, or `None` when `rate`
	/// is already the last rate set (nothing changes). A second change in the same epoch
	/// replaces the first (both were announced equally early); one that restores the rate
	/// before it withdraws the change.
	pub(crate) fn schedule_rate(
		rates: &mut CommissionRatesOf<T>,
		rate: Perbill,
	) -> Result<Option<EpochIndex>, Error<T>> {
		ensure!(rate <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
		if rates.last().map(|last| last.rate) == Some(rate) {
			return Ok(None);
		}
		let current = T::Epochs::current_epoch();
		let from_epoch = current.saturating_add(T::CommissionChangeDelay::get());
		Self::prune_rates(rates, current);

		if rates.last().is_some_and(|last| last.from_epoch == from_epoch) {
			let before = rates.len().checked_sub(2).and_then(|i| rates.get(i)).map(|r| r.rate);
			if before == Some(rate) {
				rates.pop();
			} else if let Some(last) = rates.last_mut() {
				last.rate = rate;
			}
		} else {
			rates
				.try_push(CommissionRate { from_epoch, rate })
				.map_err(|_| Error::<T>::CommissionHistoryFull)?;
		}
		Ok(Some(from_epoch))
	}

	/// Drop every rate superseded at or before epoch `current − CommissionHistoryEpochs`: the
	/// oldest epoch a claim can still be for is then answered by the rate that follows.
	fn prune_rates(rates: &mut CommissionRatesOf<T>, current: EpochIndex) {
		let oldest_needed = current.saturating_sub(T::CommissionHistoryEpochs::get());
		// At most `MaxCommissionChanges` iterations.
		while rates.get(1).is_some_and(|next| next.from_epoch <= oldest_needed) {
			rates.remove(0);
		}
	}
}
