//! Invariants of the reward distribution, checked by `try_state` and after every unit test.

use crate::*;
use frame_support::ensure;
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each epoch paid at most its pot;
	/// - each epoch's `paid` is the sum of its claim records, and claim records exist only for
	///   epochs with totals;
	/// - `totalPaid` covers the payments of every epoch still kept;
	/// - no claim record or totals are kept for an epoch already pruned;
	/// - the schedule in force is valid.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let next_prune = NextPruneEpoch::<T>::get();
		let mut kept_paid = BalanceOf::<T>::default();
		for (epoch, totals) in EpochTotals::<T>::iter() {
			ensure!(totals.paid <= totals.pot, "an epoch paid more than its pot");
			ensure!(epoch >= next_prune, "totals kept for a pruned epoch");
			let claimed = Claimed::<T>::iter_prefix_values(epoch)
				.fold(BalanceOf::<T>::default(), |sum, paid| sum.saturating_add(paid));
			ensure!(claimed == totals.paid, "an epoch's paid differs from its claims");
			kept_paid.saturating_accrue(totals.paid);
		}
		for (epoch, _, _) in Claimed::<T>::iter() {
			ensure!(EpochTotals::<T>::contains_key(epoch), "a claim without its epoch's totals");
		}
		ensure!(kept_paid <= TotalPaid::<T>::get(), "totalPaid below the epochs' payments");
		ensure!(Self::valid_schedule(&Schedule::<T>::get()), "invalid schedule in force");
		Ok(())
	}
}
