//! What the ledger tells other pallets ([`BandwidthLedger`]) and the runtime API.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{BandwidthLedger, EpochClock, EpochIndex};
use frame_support::traits::Get;

impl<T: Config> Pallet<T> {
	/// Whether receipts for `epoch` can no longer be submitted: the current epoch is past
	/// `epoch + SubmissionWindow`.
	pub fn epoch_is_final(epoch: EpochIndex) -> bool {
		epoch.saturating_add(T::SubmissionWindow::get()) < T::EpochClock::current_epoch()
	}

	/// `client`'s lock, its quota in `epoch` and the bytes counted against it there.
	pub fn client_quota(client: &T::AccountId, epoch: EpochIndex) -> ClientQuota<BalanceOf<T>> {
		let lock = Locks::<T>::get(client).unwrap_or_default();
		ClientQuota {
			quota: Self::quota_of(lock.backing(epoch)),
			locked: lock.locked,
			unlocking: lock.unlocking,
			used: ClientEpochs::<T>::get(epoch, client).map_or(0, |record| record.used),
		}
	}

	/// The last total claimed for `(epoch, node, client, moderator)`; zero if none.
	pub fn claimed(
		epoch: EpochIndex,
		node: &T::AccountId,
		client: &T::AccountId,
		moderator: &Option<T::AccountId>,
	) -> u64 {
		ClientEpochs::<T>::get(epoch, client)
			.and_then(|record| {
				record
					.claims
					.iter()
					.find(|claim| claim.node == *node && claim.moderator == *moderator)
					.map(|claim| claim.total)
			})
			.unwrap_or(0)
	}

	/// `epoch`'s total and whether it is final or pruned.
	pub fn epoch_summary(epoch: EpochIndex) -> EpochSummary {
		EpochSummary {
			epoch,
			total_bytes: EpochTotals::<T>::get(epoch),
			is_final: Self::epoch_is_final(epoch),
			pruned: epoch < OldestKeptEpoch::<T>::get(),
		}
	}

	/// `node`'s bytes in `epoch`, in total and by moderator.
	pub fn node_figures(epoch: EpochIndex, node: &T::AccountId) -> NodeBytes<T::AccountId> {
		NodeEpochs::<T>::get(epoch, node)
			.map(|figures| NodeBytes {
				total: figures.total,
				by_moderator: figures.by_moderator.into_inner(),
			})
			.unwrap_or_else(|| NodeBytes { total: 0, by_moderator: Vec::new() })
	}
}

impl<T: Config> BandwidthLedger<T::AccountId> for Pallet<T> {
	fn is_final(epoch: EpochIndex) -> bool {
		Self::epoch_is_final(epoch)
	}

	fn total_bytes(epoch: EpochIndex) -> u64 {
		EpochTotals::<T>::get(epoch)
	}

	fn node_bytes(epoch: EpochIndex, node: &T::AccountId) -> u64 {
		NodeEpochs::<T>::get(epoch, node).map_or(0, |figures| figures.total)
	}

	fn node_bytes_by_moderator(
		epoch: EpochIndex,
		node: &T::AccountId,
	) -> Vec<(Option<T::AccountId>, u64)> {
		Self::node_figures(epoch, node).by_moderator
	}

	fn oldest_kept_epoch() -> EpochIndex {
		OldestKeptEpoch::<T>::get()
	}
}

#[cfg(feature = "runtime-benchmarks")]
impl<T: Config> Pallet<T> {
	/// Benchmarking only: credit `bytes` (split by moderator) to `node` in `epoch` as accepted
	/// receipts would, keeping the node, moderator and epoch totals consistent. Lets other
	/// pallets' benchmarks (rewards) start from a ledger with figures.
	pub fn benchmark_credit(
		epoch: EpochIndex,
		node: &T::AccountId,
		bytes: Vec<(Option<T::AccountId>, u64)>,
	) {
		let total = bytes.iter().fold(0u64, |sum, (_, b)| sum.saturating_add(*b));
		for (moderator, b) in &bytes {
			ModeratorBytes::<T>::mutate(epoch, moderator, |sum| *sum = sum.saturating_add(*b));
		}
		let by_moderator = frame_support::BoundedVec::truncate_from(bytes);
		NodeEpochs::<T>::insert(epoch, node, NodeEpoch { total, by_moderator });
		EpochTotals::<T>::mutate(epoch, |sum| *sum = sum.saturating_add(total));
	}
}
