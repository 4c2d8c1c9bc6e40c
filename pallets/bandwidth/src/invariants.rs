//! Invariants of the bandwidth ledger, checked by `try_state` and after every unit test.

use crate::*;
use alloc::collections::btree_map::BTreeMap;
use bitcloud_primitives::EpochIndex;
use frame_support::{ensure, traits::fungible::InspectHold};
use sp_runtime::{traits::Saturating, TryRuntimeError};

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - each client's `BandwidthLock` hold equals its locked, unlocking and spent (fees not
	///   yet burnt) coins, and no lock record is empty;
	/// - a client's `used` bytes in an epoch are the sum of its claims' credited bytes, one
	///   claim per node-moderator pair, each crediting at most its signed total;
	/// - for each epoch, node and moderator, the node's bytes under the moderator equal the
	///   sum of the bytes its clients' claims credited;
	/// - a node's total is the sum of its bytes by moderator;
	/// - an epoch's total is the sum of its nodes' totals;
	/// - the bytes of each moderator in an epoch are the sum over nodes;
	/// - nothing older than `oldestKeptEpoch` is left, except the epoch being pruned.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		for (client, lock) in Locks::<T>::iter() {
			ensure!(!lock.is_empty(), "empty bandwidth lock stored");
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::BandwidthLock.into(), &client)
					== lock.locked.saturating_add(lock.unlocking).saturating_add(lock.spent),
				"bandwidth hold differs from the locked, unlocking and spent coins"
			);
		}

		let oldest = OldestKeptEpoch::<T>::get();
		let pruning = Pruning::<T>::get().map(|p| p.epoch);
		let kept = |epoch: EpochIndex| -> Result<bool, TryRuntimeError> {
			if epoch >= oldest {
				return Ok(true);
			}
			ensure!(Some(epoch) == pruning, "figures of a pruned epoch left");
			Ok(false)
		};

		// Claimed bytes by (epoch, node, moderator), from the clients' records.
		let mut claimed = BTreeMap::<(EpochIndex, T::AccountId, Option<T::AccountId>), u64>::new();
		for (epoch, _client, record) in ClientEpochs::<T>::iter() {
			if !kept(epoch)? {
				continue;
			}
			let mut sum = 0u64;
			for (i, claim) in record.claims.iter().enumerate() {
				ensure!(claim.total > 0, "empty claim stored");
				ensure!(claim.credited <= claim.total, "a claim credits more than was signed");
				ensure!(
					!record.claims[..i]
						.iter()
						.any(|c| c.node == claim.node && c.moderator == claim.moderator),
					"two claims for one node-moderator pair"
				);
				sum = sum.saturating_add(claim.credited);
				if claim.credited == 0 {
					continue;
				}
				let entry = claimed
					.entry((epoch, claim.node.clone(), claim.moderator.clone()))
					.or_default();
				*entry = entry.saturating_add(claim.credited);
			}
			ensure!(sum == record.used, "a client's used bytes differ from its claims");
		}

		let mut epoch_sums = BTreeMap::<EpochIndex, u64>::new();
		let mut moderator_sums = BTreeMap::<(EpochIndex, Option<T::AccountId>), u64>::new();
		for (epoch, node, figures) in NodeEpochs::<T>::iter() {
			if !kept(epoch)? {
				continue;
			}
			let mut sum = 0u64;
			for (i, (moderator, bytes)) in figures.by_moderator.iter().enumerate() {
				ensure!(
					!figures.by_moderator[..i].iter().any(|(m, _)| m == moderator),
					"a moderator twice in a node's figures"
				);
				ensure!(
					claimed.remove(&(epoch, node.clone(), moderator.clone())) == Some(*bytes),
					"a node's bytes under a moderator differ from its clients' claims"
				);
				sum = sum.saturating_add(*bytes);
				let entry = moderator_sums.entry((epoch, moderator.clone())).or_default();
				*entry = entry.saturating_add(*bytes);
			}
			ensure!(sum == figures.total, "a node's total differs from its bytes by moderator");
			let entry = epoch_sums.entry(epoch).or_default();
			*entry = entry.saturating_add(figures.total);
		}
		ensure!(claimed.is_empty(), "claims credited to no node");

		for (epoch, total) in EpochTotals::<T>::iter() {
			if !kept(epoch)? {
				continue;
			}
			ensure!(
				epoch_sums.remove(&epoch) == Some(total),
				"an epoch's total differs from the sum of its nodes"
			);
		}
		ensure!(epoch_sums.is_empty(), "node bytes in an epoch without a total");

		for (epoch, moderator, bytes) in ModeratorBytes::<T>::iter() {
			if !kept(epoch)? {
				continue;
			}
			ensure!(
				moderator_sums.remove(&(epoch, moderator)) == Some(bytes),
				"a moderator's bytes differ from the sum over nodes"
			);
		}
		ensure!(moderator_sums.is_empty(), "node bytes under a moderator without its figure");
		Ok(())
	}
}
