//! The duties of a node that keeps leased objects (personal storage, `pallet-leases`): join as
//! a keeper of the leases whose objects it holds (`leases.keep`), and claim what its kept
//! leases owe it, once an epoch (`leases.claim`: a claim that fails is made up for by the next
//! epoch's, which pays every epoch owed). The chain decides both: a keep the chain
//! refuses (the lease is full, the node does not subscribe to its moderator) is tried again
//! [`RETRY_BLOCKS`](super::RETRY_BLOCKS) later while the object is held, and the store's
//! sweep removes objects no lease pays this node to hold (`bitcloud_content::expiry`).
//!
//! Objects an onion exit stored as unmoderated content (anonymous personal storage) are
//! joined too, for their unmoderated leases only; the chain's `keep` checks that the node
//! carries unmoderated traffic.

use super::{lock, Attempt, Duties, DutyError};
use bitcloud_content::Unlisted;
use bitcloud_primitives::{EpochIndex, LeaseId};
use bitcloud_runtime::{AccountId, Balance, BlockNumber, RuntimeCall};
use pallet_leases::{runtime_api::LeasesApi, LeaseView};
use polkadot_sdk::{sp_api::ProvideRuntimeApi, sp_core::H256};

/// Leased objects looked at per round for a place among their lease's keepers: each costs a
/// few runtime calls.
pub const MAX_KEEP_CHECKS_PER_ROUND: usize = 32;

impl Duties {
	/// Joins the leases of held objects as a keeper, and claims what kept leases owe.
	pub(super) fn lease_duties(
		&self,
		best: H256,
		number: BlockNumber,
		epoch: EpochIndex,
	) -> Result<(), DutyError> {
		let api = self.client.runtime_api();
		let kept = api.kept_by(best, self.node())?;
		// Pay accrues per epoch: the kept leases (up to 1,024) are looked at once an epoch.
		let claim_round = lock(&self.claims_checked).replace(epoch) != Some(epoch);
		for lease in kept.iter().filter(|_| claim_round) {
			let Some(view) = api.lease(best, *lease)? else { continue };
			if owes(&view, &self.node(), epoch) && self.due(Attempt::Claim(*lease), number) {
				let call = RuntimeCall::Leases(pallet_leases::Call::claim { lease: *lease });
				self.send("claim", *lease, best, call);
			}
		}
		let held = self.store.unlisted().into_iter().filter(|item| keeps_leases(item.kind));
		for item in held.take(MAX_KEEP_CHECKS_PER_ROUND) {
			for lease in api.leases_of_content(best, item.id)? {
				if kept.contains(&lease) {
					continue;
				}
				let Some(view) = api.lease(best, lease)? else { continue };
				let joinable = open_place(&view, epoch)
					&& view.bytes == item.size
					&& lease_of_kind(&view, item.kind);
				if joinable && self.due(Attempt::Keep(lease), number) {
					let call = RuntimeCall::Leases(pallet_leases::Call::keep { lease });
					self.send("keep", lease, best, call);
				}
			}
		}
		Ok(())
	}

	/// Submits `call` (a `what` of `lease`), logging how it went.
	fn send(&self, what: &str, lease: LeaseId, best: H256, call: RuntimeCall) {
		match self.submit(best, call) {
			Ok(()) => log::info!(target: "duties", "Sent {what} of lease {lease}"),
			Err(e) => log::warn!(target: "duties", "Could not send {what} of lease {lease}: {e}"),
		}
	}
}

/// Whether `node` has something to claim from `lease` in `epoch`: a whole epoch it kept the
/// object and was not paid for yet.
fn owes(lease: &LeaseView<AccountId, Balance>, node: &AccountId, epoch: EpochIndex) -> bool {
	let keeper = lease.keepers.iter().find(|keeper| keeper.node == *node);
	keeper.is_some_and(|keeper| keeper.due > 0 && keeper.paid_from < epoch)
}

/// Whether held objects of `kind` may be kept for a lease: leased objects (taken over HTTP)
/// and unmoderated ones (stored by the onion exit).
fn keeps_leases(kind: Unlisted) -> bool {
	matches!(kind, Unlisted::Leased | Unlisted::Unmoderated)
}

/// Whether `lease` is one a held object of `kind` is kept for: an unmoderated object for an
/// unmoderated lease only (it came through the onion layer, not a moderator's nodes).
fn lease_of_kind(lease: &LeaseView<AccountId, Balance>, kind: Unlisted) -> bool {
	match kind {
		Unlisted::Unmoderated => lease.moderator.is_none(),
		_ => true,
	}
}

/// Whether a node may still join `lease` as a keeper in `epoch`: paid for, not ended, with a
/// place free.
fn open_place(lease: &LeaseView<AccountId, Balance>, epoch: EpochIndex) -> bool {
	!lease.ended
		&& epoch < lease.paid_until
		&& (lease.keepers.len() as u64) < u64::from(lease.replicas)
}

#[cfg(test)]
mod tests {
	use super::*;
	use pallet_leases::KeeperView;

	fn lease(keepers: Vec<KeeperView<AccountId, Balance>>) -> LeaseView<AccountId, Balance> {
		LeaseView {
			owner: AccountId::new([1; 32]),
			content: [2; 32],
			bytes: 100,
			replicas: 2,
			moderator: Some(AccountId::new([3; 32])),
			price: 1,
			start: 1,
			paid_until: 10,
			funds: 1_000,
			ended: false,
			closable_from: 16,
			keepers,
		}
	}

	fn keeper(node: u8, paid_from: EpochIndex, due: Balance) -> KeeperView<AccountId, Balance> {
		KeeperView { node: AccountId::new([node; 32]), paid_from, due }
	}

	#[test]
	fn a_keeper_claims_whole_epochs_it_is_owed_only() {
		let node = AccountId::new([7; 32]);
		assert!(owes(&lease(vec![keeper(7, 3, 200)]), &node, 5));
		assert!(!owes(&lease(vec![keeper(7, 5, 0)]), &node, 5), "nothing due yet");
		assert!(!owes(&lease(vec![keeper(8, 3, 200)]), &node, 5), "not a keeper");
	}

	#[test]
	fn unmoderated_objects_are_kept_for_unmoderated_leases_only() {
		assert!(keeps_leases(Unlisted::Leased) && keeps_leases(Unlisted::Unmoderated));
		assert!(!keeps_leases(Unlisted::Proposed));
		let moderated = lease(vec![]);
		let unmoderated = LeaseView { moderator: None, ..lease(vec![]) };
		assert!(lease_of_kind(&unmoderated, Unlisted::Unmoderated));
		assert!(!lease_of_kind(&moderated, Unlisted::Unmoderated));
		assert!(lease_of_kind(&moderated, Unlisted::Leased));
	}

	#[test]
	fn nodes_join_paid_leases_with_a_place_free() {
		assert!(open_place(&lease(vec![keeper(8, 3, 0)]), 5));
		assert!(!open_place(&lease(vec![keeper(8, 3, 0), keeper(9, 3, 0)]), 5), "full");
		assert!(!open_place(&lease(vec![]), 10), "no longer paid");
		let mut ended = lease(vec![]);
		ended.ended = true;
		assert!(!open_place(&ended, 5), "ended");
	}
}
