//! The logic behind each call, the pruning hook and the runtime API: checks first, then
//! payments and writes, then the events.

use crate::{formula, *};
use alloc::vec::Vec;
use bitcloud_primitives::{
	BandwidthLedger, EpochClock, EpochIndex, ModeratorRegistry, NodeRegistry,
};
use frame_support::{
	ensure,
	pallet_prelude::{DispatchResult, Weight},
	traits::{fungible::Mutate, Get},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	SaturatedConversion,
};

impl<T: Config> Pallet<T> {
	/// Whether `schedule` can be put in force: a decay needs a decay period.
	pub(crate) fn valid_schedule(schedule: &EmissionSchedule<BalanceOf<T>>) -> bool {
		schedule.decay.is_zero() || schedule.decay_period > 0
	}

	/// Put `schedule` in force.
	pub(crate) fn do_set_schedule(schedule: EmissionSchedule<BalanceOf<T>>) -> DispatchResult {
		ensure!(Self::valid_schedule(&schedule), Error::<T>::InvalidSchedule);
		Schedule::<T>::put(schedule);
		Self::deposit_event(Event::EmissionScheduleSet { schedule });
		Ok(())
	}

	/// Coins `epoch` may emit under the schedule in force.
	pub fn emission(epoch: EpochIndex) -> BalanceOf<T> {
		formula::emission(&Schedule::<T>::get(), epoch).saturated_into()
	}

	/// Whether the claim window of `epoch` is over at `current` epoch: it is open while
	/// `current ≤ epoch + ClaimWindow`.
	pub fn is_expired(epoch: EpochIndex, current: EpochIndex) -> bool {
		current.saturating_sub(epoch) > T::ClaimWindow::get()
	}

	/// `epoch`'s totals: as fixed by its first claim, or as a claim would fix them now.
	fn totals(epoch: EpochIndex) -> EpochRecord<BalanceOf<T>> {
		EpochTotals::<T>::get(epoch).unwrap_or_else(|| EpochRecord {
			pot: Self::emission(epoch),
			total_bytes: T::Bandwidth::total_bytes(epoch),
			paid: Zero::zero(),
		})
	}

	/// `node`'s reward for `epoch` from `totals`, limited to what is left of the pot, and its
	/// split between the node and its moderators, each at the rate it had in force during
	/// `epoch` (not at the time of the claim, which anyone may choose).
	fn reward_of(
		node: &T::AccountId,
		epoch: EpochIndex,
		totals: &EpochRecord<BalanceOf<T>>,
	) -> (u64, RewardSplit<T::AccountId>) {
		let bytes = T::Bandwidth::node_bytes(epoch, node);
		let pot: u128 = totals.pot.saturated_into();
		let left = pot.saturating_sub(totals.paid.saturated_into());
		let reward = formula::node_reward(
			pot,
			bytes,
			totals.total_bytes,
			T::MaxRewardPerByte::get().saturated_into(),
		)
		.min(left);
		let by_moderator = if reward > 0 {
			T::Bandwidth::node_bytes_by_moderator(epoch, node)
		} else {
			Vec::new()
		};
		let split = formula::split(
			reward,
			bytes,
			&by_moderator,
			T::MaxCommissionsPerClaim::get(),
			|moderator| T::Moderators::commission(moderator, epoch),
		);
		(bytes, split)
	}

	/// Why `node` cannot claim for `epoch` now, checked in the order the calls check it.
	fn claim_blocker(node: &T::AccountId, epoch: EpochIndex) -> Option<Error<T>> {
		if Self::is_expired(epoch, T::Epochs::current_epoch()) {
			return Some(Error::<T>::ClaimWindowExpired);
		}
		if !T::Bandwidth::is_final(epoch) {
			return Some(Error::<T>::EpochNotFinal);
		}
		if epoch < T::Bandwidth::oldest_kept_epoch() {
			return Some(Error::<T>::EpochFiguresPruned);
		}
		if Claimed::<T>::contains_key(epoch, node) {
			return Some(Error::<T>::AlreadyClaimed);
		}
		match T::Nodes::standing(node) {
			None => Some(Error::<T>::NotANode),
			Some(standing) if !standing.earns_rewards() => Some(Error::<T>::NodeNotEarning),
			Some(_) => None,
		}
	}

	/// Pay `node`'s reward for `epoch` (claimed by `caller`): mint the node's part and each
	/// commission, record the claim and the epoch's payments.
	pub(crate) fn do_claim(
		caller: &T::AccountId,
		node: &T::AccountId,
		epoch: EpochIndex,
	) -> DispatchResult {
		if let Some(error) = Self::claim_blocker(node, epoch) {
			return Err(error.into());
		}
		let mut totals = Self::totals(epoch);
		let (bytes, split) = Self::reward_of(node, epoch, &totals);
		if split.total == 0 {
			let exhausted = bytes > 0
				&& !totals.pot.is_zero()
				&& totals.paid >= totals.pot
				&& !T::MaxRewardPerByte::get().is_zero();
			return Err(if exhausted {
				Error::<T>::PotExhausted
			} else {
				Error::<T>::NothingToClaim
			}
			.into());
		}

		// The node's account exists (it holds its bond): minting to it cannot fail on the
		// existential deposit. Any failure reverts the whole claim.
		let node_part: BalanceOf<T> = split.node_part.saturated_into();
		if !node_part.is_zero() {
			T::Currency::mint_into(node, node_part)?;
		}
		// A commission that cannot be minted (an account that does not exist, below the
		// existential deposit) is not paid and not minted; the node's part is unchanged.
		let mut commissions = BalanceOf::<T>::zero();
		let mut paid_to = Vec::with_capacity(split.commissions.len());
		for (moderator, amount) in split.commissions {
			let amount: BalanceOf<T> = amount.saturated_into();
			if T::Currency::mint_into(&moderator, amount).is_ok() {
				commissions.saturating_accrue(amount);
				paid_to.push((moderator, amount));
			}
		}
		let paid = node_part.saturating_add(commissions);

		totals.paid.saturating_accrue(paid);
		EpochTotals::<T>::insert(epoch, totals);
		Claimed::<T>::insert(epoch, node, paid);
		TotalPaid::<T>::mutate(|total| total.saturating_accrue(paid));

		for (moderator, amount) in paid_to {
			Self::deposit_event(Event::CommissionPaid {
				moderator,
				node: node.clone(),
				epoch,
				amount,
			});
		}
		Self::deposit_event(Event::RewardsClaimed {
			node: node.clone(),
			epoch,
			bytes,
			node_reward: node_part,
			commissions,
			claimed_by: caller.clone(),
		});
		Ok(())
	}

	/// Remove the claim records of the oldest expired epoch, at most `MaxPrunePerBlock` per
	/// block and within `remaining` weight; once none is left, its totals too. One epoch per
	/// block at most. Returns the weight used.
	pub(crate) fn prune_expired(remaining: Weight) -> Weight {
		let check = T::WeightInfo::prune_claims(0);
		if remaining.any_lt(check) {
			return Weight::zero();
		}
		let epoch = NextPruneEpoch::<T>::get();
		if !Self::is_expired(epoch, T::Epochs::current_epoch()) {
			return check;
		}
		let limit = T::MaxPrunePerBlock::get();
		if remaining.any_lt(T::WeightInfo::prune_claims(limit)) {
			return check;
		}
		let result = Claimed::<T>::clear_prefix(epoch, limit, None);
		if result.maybe_cursor.is_none() {
			EpochTotals::<T>::remove(epoch);
			NextPruneEpoch::<T>::put(epoch.saturating_add(1));
			Self::deposit_event(Event::EpochPruned { epoch });
		}
		T::WeightInfo::prune_claims(result.loops.max(result.unique))
	}

	/// What `node` would be paid for `epoch` if it claimed now, and whether it can.
	pub fn pending_rewards(
		node: &T::AccountId,
		epoch: EpochIndex,
	) -> PendingRewards<T::AccountId, BalanceOf<T>> {
		let totals = Self::totals(epoch);
		let (bytes, split) = Self::reward_of(node, epoch, &totals);
		let status = match Self::claim_blocker(node, epoch) {
			Some(Error::<T>::ClaimWindowExpired) => ClaimStatus::Expired,
			Some(Error::<T>::EpochNotFinal) => ClaimStatus::NotFinal,
			Some(Error::<T>::EpochFiguresPruned) => ClaimStatus::FiguresPruned,
			Some(Error::<T>::AlreadyClaimed) => ClaimStatus::Claimed,
			Some(_) => ClaimStatus::NotEarning,
			None if split.total == 0 => ClaimStatus::NothingToClaim,
			None => ClaimStatus::Claimable,
		};
		PendingRewards {
			status,
			node_bytes: bytes,
			total: split.total.saturated_into(),
			node_part: split.node_part.saturated_into(),
			commissions: split
				.commissions
				.into_iter()
				.map(|(m, amount)| (m, amount.saturated_into()))
				.collect(),
		}
	}

	/// `epoch`'s pot, bytes and payments so far.
	pub fn epoch_summary(epoch: EpochIndex) -> EpochSummary<BalanceOf<T>> {
		let totals = Self::totals(epoch);
		EpochSummary {
			pot: totals.pot,
			total_bytes: totals.total_bytes,
			paid: totals.paid,
			is_final: T::Bandwidth::is_final(epoch),
			expired: Self::is_expired(epoch, T::Epochs::current_epoch()),
		}
	}
}
