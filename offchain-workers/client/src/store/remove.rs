//! `rm`: a file out of the index; the index saved again, then the file's lease ended.

use super::{
	chain::{LeaseView, Terms},
	entries::without,
	index::IndexSave,
	Store,
};
use crate::{keys::ss58, queries, Error};
use bitcloud_primitives::{EpochIndex, LeaseId};

/// What `rm` did.
#[derive(Debug, Clone)]
pub struct RemoveReport {
	/// The path removed.
	pub path: String,
	/// The file's lease (ended with the old index's, see [`IndexSave::ending`]).
	pub lease: Option<LeaseId>,
	/// The new index.
	pub index: IndexSave,
}

/// The terms the index is stored under again, from its current lease `view` in epoch
/// `current`: the same moderator and keepers, paid for as many epochs as it had left (at
/// least one). An index under no moderator stays unmoderated: it goes through the onion layer
/// again.
pub fn index_terms(view: &LeaseView, current: EpochIndex) -> Terms {
	let epochs = view.paid_until.saturating_sub(current).max(1);
	Terms { moderator: view.moderator.clone(), replicas: view.replicas, epochs }
}

impl Store<'_> {
	/// Removes the file at `path`: the index without it is saved (under the terms of the old
	/// index's lease, see [`index_terms`]), then the file's lease and the old index's end.
	pub fn remove(&self, path: &str) -> Result<RemoveReport, Error> {
		let old = self.load_index()?;
		let (index, entry) = without(old.index.clone(), path)?;
		let (_, view) = old.lease.as_ref().ok_or_else(|| {
			let me = ss58(&self.account());
			Error::BadPeer(format!("{me} has files but the chain names no lease for its index"))
		})?;
		let current = queries::current_epoch(self.rpc)?.epoch;
		let terms = index_terms(view, current);
		let dropped: Vec<LeaseId> = entry.lease.into_iter().collect();
		let index = self.save_index(&index, &old, &dropped, &terms, &mut |_, _| {})?;
		Ok(RemoveReport { path: entry.path, lease: entry.lease, index })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_primitives::AccountId;

	fn view(moderator: Option<AccountId>, paid_until: EpochIndex) -> LeaseView {
		LeaseView {
			owner: AccountId::new([1; 32]),
			content: [0; 32],
			bytes: 100,
			replicas: 3,
			moderator,
			price: 1,
			start: 0,
			paid_until,
			funds: 1,
			ended: false,
			closable_from: paid_until + 6,
			keepers: Vec::new(),
		}
	}

	#[test]
	fn the_index_keeps_its_moderator_keepers_and_paid_time() {
		let m = AccountId::new([2; 32]);
		let terms = index_terms(&view(Some(m.clone()), 150), 100);
		assert_eq!(terms, Terms { moderator: Some(m.clone()), replicas: 3, epochs: 50 });
		// Past its paid epochs (in grace), one epoch is paid.
		assert_eq!(index_terms(&view(Some(m), 90), 100).epochs, 1);
		// An anonymous index stays anonymous.
		assert_eq!(index_terms(&view(None, 150), 100).moderator, None);
	}
}
