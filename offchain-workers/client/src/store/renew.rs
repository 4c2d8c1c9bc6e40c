//! `renew`: more paid epochs for stored files and the index (`leases.topUp`). The leases are
//! chosen from the index and the paths given, each checked on chain, the cost quoted from
//! their terms (`price × bytes × replicas × epochs`) and checked against the account's free
//! balance; only then are they all topped up at once. A refusal before that changes nothing.

use super::{
	chain::{self, LeaseView},
	index::INDEX_LABEL,
	Store,
};
use crate::{economy::format_cld, queries, Error};
use bitcloud_primitives::{AccountId, Balance, EpochIndex, LeaseId};
use bitcloud_runtime::EXISTENTIAL_DEPOSIT;
use bitcloud_vault::Index;

/// A lease to renew.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chosen {
	/// What it holds: a file's path, or [`INDEX_LABEL`].
	pub label: String,
	/// The lease.
	pub lease: LeaseId,
}

/// A lease renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renewed {
	/// What it holds: a file's path, or [`INDEX_LABEL`].
	pub label: String,
	/// The lease.
	pub lease: LeaseId,
	/// First epoch not paid for before.
	pub was_paid_until: EpochIndex,
	/// First epoch not paid for now (after a lapse, counted from the current epoch: the
	/// epochs in between stay unpaid).
	pub paid_until: EpochIndex,
	/// What was held for the epochs added.
	pub held: Balance,
}

/// What `renew` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewReport {
	/// Epochs added to each lease.
	pub epochs: EpochIndex,
	/// The leases renewed: the files' (in the order chosen), then the index's.
	pub renewed: Vec<Renewed>,
	/// What the leases' terms said it would cost.
	pub expected: Balance,
	/// What the chain held for it.
	pub held: Balance,
}

/// Refuses renewing by `epochs` when it is zero: that pays for nothing.
pub fn check_epochs(epochs: EpochIndex) -> Result<(), Error> {
	if epochs == 0 {
		return Err(Error::Refused(
			"--epochs must be at least 1: renewing by 0 epochs pays for nothing".into(),
		));
	}
	Ok(())
}

/// The leases to renew: those of the files at `paths` in `index` (of every file when there is
/// none, sorted by path), each once, then the index's own lease `index_lease`. Refused, naming
/// what to do, when nothing is stored, a path is not a file of the index or a file has no
/// lease.
pub fn choose(
	index: &Index,
	index_lease: Option<LeaseId>,
	paths: &[String],
) -> Result<Vec<Chosen>, Error> {
	let index_lease = index_lease.ok_or_else(|| {
		Error::Refused(
			"nothing stored yet: there is no lease to renew (bitcloud store put PATH \
			 --moderator M stores files)"
				.into(),
		)
	})?;
	let entries: Vec<_> = match paths.is_empty() {
		true => index.sorted(),
		false => {
			let missing: Vec<&str> =
				paths.iter().filter(|p| index.get(p).is_none()).map(String::as_str).collect();
			if !missing.is_empty() {
				return Err(Error::Refused(format!(
					"not a file in your storage: {}; nothing is renewed (bitcloud store ls lists \
					 your files)",
					missing.join(", ")
				)));
			}
			paths.iter().filter_map(|path| index.get(path)).collect()
		},
	};
	let mut chosen: Vec<Chosen> = Vec::new();
	for entry in entries {
		let lease = entry.lease.ok_or_else(|| {
			Error::Refused(format!(
				"{} has no lease: store it again (bitcloud store put); nothing is renewed",
				entry.path
			))
		})?;
		if !chosen.iter().any(|c| c.lease == lease) {
			chosen.push(Chosen { label: entry.path.clone(), lease });
		}
	}
	if !chosen.iter().any(|c| c.lease == index_lease) {
		chosen.push(Chosen { label: INDEX_LABEL.into(), lease: index_lease });
	}
	Ok(chosen)
}

/// The lease `chosen` as the chain has it (`view`), if `owner` can top it up in epoch
/// `current`: it exists, is `owner`'s, was not ended and its grace period is not over.
/// Refused otherwise, saying to store the file again.
pub fn check_renewable(
	chosen: &Chosen,
	view: Option<LeaseView>,
	owner: &AccountId,
	current: EpochIndex,
) -> Result<LeaseView, Error> {
	let Chosen { label, lease } = chosen;
	let again = "store it again (bitcloud store put) or remove it (bitcloud store rm); nothing \
	             is renewed";
	let view = view.ok_or_else(|| {
		Error::Refused(format!(
			"{label}: its lease {lease} no longer exists (it closed once its paid epochs and \
			 grace were over): {again}"
		))
	})?;
	if view.owner != *owner {
		return Err(Error::Refused(format!(
			"{label}: lease {lease} is not this account's: check --suri or --key-file"
		)));
	}
	if view.ended {
		return Err(Error::Refused(format!("{label}: lease {lease} was ended: {again}")));
	}
	if current >= view.closable_from {
		return Err(Error::Refused(format!(
			"{label}: lease {lease} was paid until epoch {} and its grace period ended with \
			 epoch {}; it can only be closed: {again}",
			view.paid_until,
			view.closable_from.saturating_sub(1)
		)));
	}
	Ok(view)
}

/// What topping up each of `views` by `epochs` holds in all: the sum of `price × bytes ×
/// replicas × epochs`. Refused when it does not fit in a balance.
pub fn cost_of(views: &[LeaseView], epochs: EpochIndex) -> Result<Balance, Error> {
	views
		.iter()
		.try_fold(0, |total: Balance, view| {
			let cost = pallet_leases::cost(view.price, view.bytes, view.replicas, epochs)?;
			total.checked_add(cost)
		})
		.ok_or_else(|| {
			Error::Refused(format!(
				"renewing by {epochs} epochs costs more than a balance holds: give fewer --epochs"
			))
		})
}

/// Refuses a renewal holding `cost` when the account's `free` balance cannot hold it and
/// keep `keep` (the existential deposit); the transactions' fees come on top.
pub fn check_affordable(cost: Balance, free: Balance, keep: Balance) -> Result<(), Error> {
	if free < cost.saturating_add(keep) {
		return Err(Error::Refused(format!(
			"renewing holds {} and the account has {} free, of which {} must stay: renew fewer \
			 files or for fewer --epochs, or add funds; nothing is renewed",
			format_cld(cost),
			format_cld(free),
			format_cld(keep)
		)));
	}
	Ok(())
}

/// What a refused top-up among several says of the others.
const OTHERS_MAY_HAVE_GONE: &str =
	"the other top-ups may have gone through: bitcloud store ls shows each lease's paid-until epoch";

impl Store<'_> {
	/// Pays `epochs` more epochs of the leases of the files at `paths` (of every stored file
	/// when there is none) and of the index (`leases.topUp`, all signed at once). Refused,
	/// before anything is paid, as [`check_epochs`], [`choose`], [`check_renewable`],
	/// [`cost_of`] and [`check_affordable`] say.
	pub fn renew(&self, paths: &[String], epochs: EpochIndex) -> Result<RenewReport, Error> {
		check_epochs(epochs)?;
		let stored = self.load_index()?;
		let chosen = choose(&stored.index, stored.lease_id(), paths)?;
		let current = queries::current_epoch(self.rpc)?.epoch;
		let me = self.account();
		let mut views = Vec::with_capacity(chosen.len());
		for lease in &chosen {
			views.push(check_renewable(lease, chain::lease(self.rpc, lease.lease)?, &me, current)?);
		}
		let expected = cost_of(&views, epochs)?;
		check_affordable(expected, chain::free_balance(self.rpc, &me)?, EXISTENTIAL_DEPOSIT)?;
		let calls = chosen.iter().map(|lease| chain::top_up(lease.lease, epochs)).collect();
		let several = chosen.len() > 1;
		let results =
			chain::execute_all(self.rpc, self.signer, calls).map_err(|error| match several {
				true => error.map_message(|e| format!("{e}; {OTHERS_MAY_HAVE_GONE}")),
				false => error,
			})?;
		let renewed = chosen
			.into_iter()
			.zip(&views)
			.zip(&results)
			.map(|((lease, view), events)| renewed(lease, view, events))
			.collect::<Result<Vec<_>, _>>()?;
		let held = renewed.iter().map(|r| r.held).sum();
		Ok(RenewReport { epochs, renewed, expected, held })
	}
}

/// What the top-up of `lease`, which the chain had as `view`, did according to its `events`.
fn renewed(
	lease: Chosen,
	view: &LeaseView,
	events: &[bitcloud_runtime::RuntimeEvent],
) -> Result<Renewed, Error> {
	let topped = chain::topped_up(events, lease.lease)?;
	Ok(Renewed {
		label: lease.label,
		lease: lease.lease,
		was_paid_until: view.paid_until,
		paid_until: topped.paid_until,
		held: topped.held,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_vault::{ciphertext_len, FileKey, IndexEntry};

	fn entry(path: &str, lease: Option<LeaseId>) -> IndexEntry {
		IndexEntry {
			path: path.into(),
			id: [1; 32],
			cipher_len: ciphertext_len(10),
			plain_len: 10,
			file_key: FileKey::from_bytes([2; 32]),
			lease,
		}
	}

	fn index() -> Index {
		Index { entries: vec![entry("b/x", Some(2)), entry("a", Some(1)), entry("c", Some(3))] }
	}

	fn labels(chosen: &[Chosen]) -> Vec<(&str, LeaseId)> {
		chosen.iter().map(|c| (c.label.as_str(), c.lease)).collect()
	}

	fn paths(paths: &[&str]) -> Vec<String> {
		paths.iter().map(|p| p.to_string()).collect()
	}

	fn view(owner: &AccountId) -> LeaseView {
		LeaseView {
			owner: owner.clone(),
			content: [1; 32],
			bytes: 1000,
			replicas: 2,
			moderator: None,
			price: 3,
			start: 0,
			paid_until: 10,
			funds: 60_000,
			ended: false,
			closable_from: 16,
			keepers: Vec::new(),
		}
	}

	#[test]
	fn every_file_and_the_index_are_renewed_by_default() {
		let chosen = choose(&index(), Some(9), &[]).unwrap();
		assert_eq!(labels(&chosen), [("a", 1), ("b/x", 2), ("c", 3), (INDEX_LABEL, 9)]);
		// An index with no file: its own lease only.
		let chosen = choose(&Index::new(), Some(9), &[]).unwrap();
		assert_eq!(labels(&chosen), [(INDEX_LABEL, 9)]);
	}

	#[test]
	fn paths_choose_their_files_once_and_the_index() {
		let chosen = choose(&index(), Some(9), &paths(&["c", "a", "c"])).unwrap();
		assert_eq!(labels(&chosen), [("c", 3), ("a", 1), (INDEX_LABEL, 9)]);
	}

	#[test]
	fn paths_not_in_the_index_are_refused_all_named() {
		let error = choose(&index(), Some(9), &paths(&["a", "nope", "b"])).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		let message = error.message();
		assert!(message.starts_with("not a file in your storage: nope, b;"), "{message}");
		assert!(message.contains("nothing is renewed"), "{message}");
		assert!(message.contains("bitcloud store ls"), "{message}");
	}

	#[test]
	fn nothing_stored_and_files_without_a_lease_are_refused() {
		let error = choose(&Index::new(), None, &[]).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().starts_with("nothing stored yet"), "{error}");
		let unleased = Index { entries: vec![entry("a", None)] };
		let error = choose(&unleased, Some(9), &[]).unwrap_err();
		assert!(error.message().starts_with("a has no lease: store it again"), "{error}");
	}

	#[test]
	fn zero_epochs_are_refused() {
		let error = check_epochs(0).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().starts_with("--epochs must be at least 1"), "{error}");
		assert!(check_epochs(1).is_ok());
	}

	#[test]
	fn only_running_leases_of_the_account_are_renewed() {
		let me = AccountId::new([1; 32]);
		let chosen = Chosen { label: "a".into(), lease: 4 };
		assert_eq!(check_renewable(&chosen, Some(view(&me)), &me, 15).unwrap(), view(&me));
		let gone = check_renewable(&chosen, None, &me, 5).unwrap_err();
		assert!(matches!(gone, Error::Refused(_)));
		assert!(gone.message().starts_with("a: its lease 4 no longer exists"), "{gone}");
		assert!(gone.message().contains("bitcloud store put"), "{gone}");
		let ended = LeaseView { ended: true, ..view(&me) };
		let error = check_renewable(&chosen, Some(ended), &me, 5).unwrap_err();
		assert!(error.message().contains("was ended: store it again"), "{error}");
		let error = check_renewable(&chosen, Some(view(&me)), &me, 16).unwrap_err();
		assert!(error.message().contains("grace period ended with epoch 15"), "{error}");
		assert!(error.message().contains("bitcloud store put"), "{error}");
		let other = AccountId::new([2; 32]);
		let error = check_renewable(&chosen, Some(view(&other)), &me, 5).unwrap_err();
		assert!(error.message().contains("not this account's"), "{error}");
	}

	#[test]
	fn the_cost_is_price_bytes_replicas_and_epochs_of_each_lease() {
		let me = AccountId::new([1; 32]);
		let small = LeaseView { bytes: 10, replicas: 1, price: 1, ..view(&me) };
		assert_eq!(cost_of(&[view(&me), small], 4).unwrap(), 3 * 1000 * 2 * 4 + 10 * 4);
		assert_eq!(cost_of(&[], 4).unwrap(), 0);
		let huge = LeaseView { price: Balance::MAX / 2, ..view(&me) };
		let error = cost_of(&[huge], 4).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().contains("give fewer --epochs"), "{error}");
	}

	#[test]
	fn a_renewal_the_free_balance_cannot_hold_is_refused() {
		assert!(check_affordable(100, 110, 10).is_ok());
		let error = check_affordable(101, 110, 10).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().contains("nothing is renewed"), "{error}");
	}
}
