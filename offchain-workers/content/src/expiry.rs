//! The sweep of unlisted content: proposed, unmoderated and leased content the store holds
//! although no subscribed moderator lists it (`store::Unlisted`). Every
//! [`UnlistedPolicy::sweep_every`](crate::store::UnlistedPolicy) the node
//!
//! - clears the mark of content a subscribed moderator now lists (it is kept like any listed
//!   content);
//! - removes proposed content that is no longer wanted: its proposal was rejected or
//!   withdrawn, a subscribed moderator denies it, or the node no longer subscribes to its
//!   moderator (the upload rule, [`upload_verdict`], says no);
//! - removes leased objects no lease pays this node to hold any more: the lease was closed or
//!   is past its grace, its moderator is no longer subscribed, or its keepers' places went to
//!   other nodes (the upload rule says no);
//! - removes content older than its kind's `max_age`, except unmoderated objects an
//!   unmoderated lease still pays this node to hold (anonymous personal storage,
//!   [`paid_unmoderated`]) while the node carries unmoderated traffic;
//! - removes the oldest content of a kind while the kind is over its budget (only after the
//!   budget was lowered: imports never exceed it).
//!
//! Nothing is removed on the word of a chain that cannot be asked: an item whose standing the
//! chain cannot tell is kept until a later sweep (imports stay bounded by the budget).
//! Unmoderated content is asked about only once it is due for removal, so the sweep's chain
//! queries are bounded by the proposed and leased budgets' item counts plus what expires.

use crate::{
	chain::{paid_unmoderated, upload_verdict, ChainView, UploadVerdict, Verdict},
	id::to_hex,
	metrics::Metrics,
	store::{ContentStore, Unlisted, UnlistedItem},
};
use bitcloud_primitives::AccountId;
use std::{
	sync::Arc,
	time::{Duration, SystemTime},
};

/// What one sweep did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SweepReport {
	/// Items now listed: their mark was cleared.
	pub listed: usize,
	/// Proposed items no longer wanted, removed.
	pub unwanted: usize,
	/// Items past their kind's age, removed.
	pub expired: usize,
	/// Oldest items removed to bring a kind within its budget.
	pub evicted: usize,
	/// Items whose standing the chain could not tell: kept.
	pub undecided: usize,
}

/// Why an item leaves the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Removal {
	Unwanted,
	Expired,
	Evicted,
}

impl Removal {
	fn label(self) -> &'static str {
		match self {
			Removal::Unwanted => "unwanted",
			Removal::Expired => "expired",
			Removal::Evicted => "evicted",
		}
	}
}

/// What the chain says of an unlisted item.
enum Standing {
	/// A subscribed moderator lists it.
	Listed,
	/// Still taken by the upload rule (proposed), or not asked.
	Held,
	/// Unmoderated, and an unmoderated lease pays this node to hold it: kept past its age.
	Paid,
	/// Proposed content the upload rule no longer takes.
	Unwanted,
}

/// Runs the sweep of unlisted content for the node `node` (none: no chain is asked, only
/// age and budget apply) at time `now`. Blocking: it asks the chain.
pub fn sweep(
	store: &ContentStore,
	chain: &dyn ChainView,
	node: Option<&AccountId>,
	now: SystemTime,
	metrics: Option<&Metrics>,
) -> SweepReport {
	let policy = store.unlisted_policy();
	let mut report = SweepReport::default();
	let mut kept = Vec::new();
	for item in store.unlisted() {
		let age = now.duration_since(item.since).unwrap_or(Duration::ZERO);
		let expired = age > policy.budget(item.kind).max_age;
		// Proposed and leased content is asked about every sweep (a rejected proposal or a
		// closed lease frees its room at once); unmoderated content only before it is removed.
		let ask = item.kind != Unlisted::Unmoderated || expired;
		let standing = match (node, ask) {
			(Some(node), true) => match standing(chain, node, &item) {
				Ok(standing) => standing,
				Err(e) => {
					log::debug!(target: "content", "sweep: {} kept: {e}", to_hex(&item.id));
					report.undecided += 1;
					continue;
				},
			},
			_ => Standing::Held,
		};
		match standing {
			Standing::Listed => match store.mark_listed(&item.id) {
				Ok(_) => report.listed += 1,
				Err(e) => log::warn!(target: "content", "sweep: {}: {e}", to_hex(&item.id)),
			},
			Standing::Unwanted => remove(store, &item, Removal::Unwanted, metrics, &mut report),
			Standing::Held if expired => {
				remove(store, &item, Removal::Expired, metrics, &mut report)
			},
			Standing::Held | Standing::Paid => kept.push(item),
		}
	}
	// Within budget, oldest first out (`kept` is oldest first).
	for kind in Unlisted::ALL {
		let budget = policy.budget(kind);
		let mut of_kind: Vec<_> = kept.iter().filter(|item| item.kind == kind).collect();
		let mut bytes: u64 = of_kind.iter().map(|item| item.size).sum();
		of_kind.reverse();
		while bytes > budget.max_bytes || of_kind.len() > budget.max_items {
			let Some(oldest) = of_kind.pop() else { break };
			bytes = bytes.saturating_sub(oldest.size);
			remove(store, oldest, Removal::Evicted, metrics, &mut report);
		}
	}
	if let Some(metrics) = metrics {
		refresh_gauges(store, metrics);
	}
	report
}

/// Sets `bitcloud_content_unlisted_bytes` from the store.
pub fn refresh_gauges(store: &ContentStore, metrics: &Metrics) {
	for kind in Unlisted::ALL {
		metrics.unlisted_bytes.with_label_values(&[kind.label()]).set(store.unlisted_bytes(kind));
	}
}

/// The chain's word on `item`, by the serving and upload rules.
fn standing(
	chain: &dyn ChainView,
	node: &AccountId,
	item: &UnlistedItem,
) -> Result<Standing, crate::chain::ChainError> {
	let denied = match chain.verdict(node, &item.id)? {
		Verdict::Serve { lease: None, .. } => return Ok(Standing::Listed),
		Verdict::Serve { lease: Some(_), .. } => false,
		Verdict::Denied { .. } => true,
		Verdict::NotListed => false,
	};
	if item.kind == Unlisted::Unmoderated {
		// No moderator was ever asked to take it: a deny list speaks for serving, not here.
		return Ok(match paid_unmoderated(chain, node, &item.id)? {
			true => Standing::Paid,
			false => Standing::Held,
		});
	}
	if denied {
		return Ok(Standing::Unwanted);
	}
	Ok(match upload_verdict(chain, node, &item.id)? {
		UploadVerdict::Accept { .. } => Standing::Held,
		UploadVerdict::Denied { .. } | UploadVerdict::NotWanted => Standing::Unwanted,
	})
}

fn remove(
	store: &ContentStore,
	item: &UnlistedItem,
	why: Removal,
	metrics: Option<&Metrics>,
	report: &mut SweepReport,
) {
	if let Err(e) = store.remove(&item.id) {
		log::warn!(target: "content", "sweep: could not remove {}: {e}", to_hex(&item.id));
		return;
	}
	log::info!(
		target: "content",
		"Removed {} content {} ({} bytes): {}",
		item.kind.label(),
		to_hex(&item.id),
		item.size,
		why.label()
	);
	if let Some(metrics) = metrics {
		metrics.unlisted_removed.with_label_values(&[why.label()]).inc();
	}
	match why {
		Removal::Unwanted => report.unwanted += 1,
		Removal::Expired => report.expired += 1,
		Removal::Evicted => report.evicted += 1,
	}
}

/// Runs [`sweep`] every `sweep_every` of the store's policy, on a blocking thread.
pub(crate) struct Sweeper {
	pub(crate) store: Arc<ContentStore>,
	pub(crate) chain: Arc<dyn ChainView>,
	pub(crate) node: Option<AccountId>,
	pub(crate) metrics: Metrics,
}

impl Sweeper {
	/// Sweeps until the future is dropped (the first sweep at once: a node back after a long
	/// stop catches up).
	pub(crate) async fn run(self) {
		let this = Arc::new(self);
		let mut tick = tokio::time::interval(this.store.unlisted_policy().sweep_every);
		tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			tick.tick().await;
			let job = this.clone();
			let swept = tokio::task::spawn_blocking(move || {
				sweep(
					&job.store,
					job.chain.as_ref(),
					job.node.as_ref(),
					SystemTime::now(),
					Some(&job.metrics),
				)
			})
			.await;
			match swept {
				Ok(report) if report != SweepReport::default() => {
					log::debug!(target: "content", "unlisted sweep: {report:?}")
				},
				Ok(_) => {},
				Err(e) => log::warn!(target: "content", "unlisted sweep failed: {e}"),
			}
		}
	}
}
