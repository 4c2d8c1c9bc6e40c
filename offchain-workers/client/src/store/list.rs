//! `ls`: the index's files, sorted by path, with what the chain says of their leases and how
//! each stands: paid, running out, unpaid (in grace), closable or ended.

use super::{chain, chain::LeaseView, Store};
use crate::{queries, Error};
use bitcloud_primitives::{EpochIndex, LeaseId};
use bitcloud_vault::IndexEntry;

/// A stored file as `ls` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
	/// Its path in the index.
	pub path: String,
	/// Bytes of plaintext.
	pub plain_len: u64,
	/// Its lease, as the index has it.
	pub lease: Option<LeaseId>,
	/// What the chain says of the lease; none when it does not exist (any more).
	pub status: Option<LeaseStatus>,
}

/// Where a lease stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseStatus {
	/// First epoch not paid for.
	pub paid_until: EpochIndex,
	/// Nodes keeping the object now.
	pub keepers: usize,
	/// Keepers paid for.
	pub replicas: u32,
	/// Whether it was ended.
	pub ended: bool,
	/// First epoch in which anyone may close it and its keepers may delete the object.
	pub closable_from: EpochIndex,
}

/// Paid epochs left under which a lease is running out: four hours of ten-minute epochs.
pub const RUNNING_OUT_EPOCHS: EpochIndex = 24;

/// How a lease stands in an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
	/// Paid for `left` more epochs (the current one included), more than
	/// [`RUNNING_OUT_EPOCHS`].
	Paid {
		/// Paid epochs left.
		left: EpochIndex,
	},
	/// Paid for `left` more epochs only (at most [`RUNNING_OUT_EPOCHS`]): time to renew.
	RunningOut {
		/// Paid epochs left.
		left: EpochIndex,
	},
	/// Its paid epochs are over: it is in its grace period, and can still be renewed until
	/// `closable_from`, when its keepers may delete the object.
	Unpaid {
		/// First epoch it can be closed in.
		closable_from: EpochIndex,
	},
	/// Its grace period is over: anyone may close it, its keepers may delete the object, and
	/// it can no longer be renewed.
	Closable,
	/// The owner ended it.
	Ended,
}

impl LeaseStatus {
	/// How the lease stands in epoch `current`.
	pub fn standing(&self, current: EpochIndex) -> Standing {
		if self.ended {
			return Standing::Ended;
		}
		if current >= self.closable_from {
			return Standing::Closable;
		}
		match self.paid_until.checked_sub(current) {
			None | Some(0) => Standing::Unpaid { closable_from: self.closable_from },
			Some(left) if left <= RUNNING_OUT_EPOCHS => Standing::RunningOut { left },
			Some(left) => Standing::Paid { left },
		}
	}
}

/// What `ls` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreListing {
	/// The current epoch.
	pub epoch: EpochIndex,
	/// The index's lease and where it stands (none before the first `put`).
	pub index: Option<(LeaseId, LeaseStatus)>,
	/// The files, sorted by path.
	pub files: Vec<StoredFile>,
}

/// How `entry` is shown, with its lease's `view` if the chain has it.
pub fn row(entry: &IndexEntry, view: Option<&LeaseView>) -> StoredFile {
	StoredFile {
		path: entry.path.clone(),
		plain_len: entry.plain_len,
		lease: entry.lease,
		status: view.map(status),
	}
}

fn status(view: &LeaseView) -> LeaseStatus {
	LeaseStatus {
		paid_until: view.paid_until,
		keepers: view.keepers.len(),
		replicas: view.replicas,
		ended: view.ended,
		closable_from: view.closable_from,
	}
}

impl Store<'_> {
	/// The account's files, sorted by path, with their leases.
	pub fn list(&self) -> Result<StoreListing, Error> {
		let stored = self.load_index()?;
		let mut files = Vec::new();
		for entry in stored.index.sorted() {
			let view = match entry.lease {
				Some(lease) => chain::lease(self.rpc, lease)?,
				None => None,
			};
			files.push(row(entry, view.as_ref()));
		}
		let epoch = queries::current_epoch(self.rpc)?.epoch;
		let index = stored.lease.as_ref().map(|(id, view)| (*id, status(view)));
		Ok(StoreListing { epoch, index, files })
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_primitives::AccountId;
	use bitcloud_vault::{ciphertext_len, FileKey};
	use pallet_leases::KeeperView;

	#[test]
	fn rows_show_the_lease_as_the_chain_has_it() {
		let entry = IndexEntry {
			path: "docs/a.txt".into(),
			id: [1; 32],
			cipher_len: ciphertext_len(42),
			plain_len: 42,
			file_key: FileKey::from_bytes([2; 32]),
			lease: Some(3),
		};
		let keeper = KeeperView { node: AccountId::new([4; 32]), paid_from: 1, due: 0 };
		let view = LeaseView {
			owner: AccountId::new([5; 32]),
			content: [1; 32],
			bytes: entry.cipher_len,
			replicas: 2,
			moderator: None,
			price: 1,
			start: 0,
			paid_until: 144,
			funds: 10,
			ended: false,
			closable_from: 150,
			keepers: vec![keeper],
		};
		let shown = row(&entry, Some(&view));
		assert_eq!(
			(shown.path.as_str(), shown.plain_len, shown.lease),
			("docs/a.txt", 42, Some(3))
		);
		let status = shown.status.unwrap();
		assert_eq!((status.paid_until, status.keepers, status.replicas), (144, 1, 2));
		assert_eq!(status.closable_from, 150);
		assert_eq!(row(&entry, None).status, None);
	}

	#[test]
	fn leases_stand_by_their_paid_epochs_and_grace() {
		let status = LeaseStatus {
			paid_until: 100,
			keepers: 1,
			replicas: 1,
			ended: false,
			closable_from: 106,
		};
		let at = |epoch| status.standing(epoch);
		assert_eq!(
			at(100 - RUNNING_OUT_EPOCHS - 1),
			Standing::Paid { left: RUNNING_OUT_EPOCHS + 1 }
		);
		assert_eq!(at(100 - RUNNING_OUT_EPOCHS), Standing::RunningOut { left: RUNNING_OUT_EPOCHS });
		assert_eq!(at(99), Standing::RunningOut { left: 1 });
		assert_eq!(at(100), Standing::Unpaid { closable_from: 106 });
		assert_eq!(at(105), Standing::Unpaid { closable_from: 106 });
		assert_eq!(at(106), Standing::Closable);
		let ended = LeaseStatus { ended: true, ..status };
		assert_eq!(ended.standing(50), Standing::Ended);
	}
}
