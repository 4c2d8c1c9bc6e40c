//! Content held while no subscribed moderator lists it (proposed uploads, unmoderated onion
//! content): bounded by a budget, marked on disk across restarts, and swept: promoted when
//! listed, removed when expired, unwanted or over budget.

mod common;

use bitcloud_content::{
	expiry::{sweep, SweepReport},
	ContentStore, StoreError, Unlisted, UnlistedBudget, UnlistedPolicy,
};
use bitcloud_primitives::content_id;
use common::*;
use std::{
	io::Read,
	sync::atomic::{AtomicUsize, Ordering},
	time::{Duration, SystemTime},
};

const HOUR: Duration = Duration::from_secs(3600);

fn budget(max_bytes: u64, max_items: usize, max_age: Duration) -> UnlistedBudget {
	UnlistedBudget { max_bytes, max_items, max_age }
}

fn policy(proposed: UnlistedBudget, sweep_every: Duration) -> UnlistedPolicy {
	UnlistedPolicy { proposed, sweep_every, ..Default::default() }
}

fn put(gateway: &TestGateway, item: &[u8]) -> (u16, String) {
	let mut response = agent()
		.put(gateway.url(&format!("/content/{}", hex(&content_id(item)))))
		.send(item)
		.unwrap();
	let text = response.body_mut().read_to_string().unwrap();
	(response.status().as_u16(), text)
}

fn removed(gateway: &TestGateway, reason: &str) -> u64 {
	gateway.metrics.unlisted_removed.with_label_values(&[reason]).get()
}

/// A gateway on `chain` with an empty store that holds unlisted content within `unlisted`.
fn start_unlisted(chain: MemoryChain, unlisted: UnlistedPolicy) -> TestGateway {
	TestGateway::start_with(chain, &[], Setup { unlisted: Some(unlisted), ..Setup::default() })
}

/// A node subscribed to moderator A, which has `proposed` pending proposals.
fn chain_with_proposals(proposed: &[&[u8]]) -> MemoryChain {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	for item in proposed {
		chain.propose(moderator_a(), content_id(item), item.len() as u64);
	}
	chain
}

#[test]
fn a_proposed_upload_that_is_never_listed_expires_from_disk() {
	let item = bytes(100_000, 1);
	let id = content_id(&item);
	let unlisted = policy(budget(1 << 30, 16, Duration::from_secs(1)), Duration::from_millis(200));
	let gateway = start_unlisted(chain_with_proposals(&[&item]), unlisted);
	assert_eq!(put(&gateway, &item).0, 201);
	let data = gateway.store.data_path(&id);
	assert!(data.exists());
	assert_eq!(gateway.store.unlisted_kind(&id), Some(Unlisted::Proposed));

	eventually("the proposed upload expires", || !data.exists());
	assert!(!gateway.store.contains(&id));
	assert!(!gateway.store.outboard_path(&id).exists());
	assert!(gateway.store.unlisted().is_empty());
	eventually("the metric counts it", || removed(&gateway, "expired") == 1);
	let gauge = gateway.metrics.unlisted_bytes.with_label_values(&["proposed"]);
	eventually("the gauge is back to 0", || gauge.get() == 0);
}

#[test]
fn a_proposed_upload_that_gets_listed_is_kept() {
	let item = bytes(50_000, 2);
	let id = content_id(&item);
	let unlisted = policy(budget(1 << 30, 16, Duration::from_secs(5)), Duration::from_millis(100));
	let gateway = start_unlisted(chain_with_proposals(&[&item]), unlisted);
	assert_eq!(put(&gateway, &item).0, 201);
	// The moderator accepts it: listed, no longer proposed.
	gateway.chain.proposals.lock().unwrap().clear();
	gateway.chain.list(moderator_a(), id, item.len() as u64, "");
	eventually("the mark is cleared", || gateway.store.unlisted_kind(&id).is_none());
	// Cleared, not removed: it is held like any listed content, past the age limit too.
	assert!(gateway.store.contains(&id));
	std::thread::sleep(Duration::from_secs(6));
	assert!(gateway.store.contains(&id));
	assert_eq!(removed(&gateway, "expired"), 0);
	let mut response = agent().get(gateway.url(&format!("/content/{}", hex(&id)))).call().unwrap();
	assert_eq!(response.body_mut().with_config().limit(1 << 20).read_to_vec().unwrap(), item);
}

#[test]
fn the_budget_refuses_more_proposed_content_and_a_rejected_proposal_frees_it() {
	let first = bytes(1000, 3);
	let second = bytes(1000, 4);
	let listed = bytes(5000, 5);
	let chain = chain_with_proposals(&[&first, &second]);
	chain.list(moderator_a(), content_id(&listed), listed.len() as u64, "");
	let unlisted = policy(budget(1500, 16, HOUR), Duration::from_millis(100));
	let gateway = start_unlisted(chain, unlisted);

	assert_eq!(put(&gateway, &first).0, 201);
	// 2000 bytes of proposed content would exceed the budget of 1500: refused, nothing kept.
	let (status, reason) = put(&gateway, &second);
	assert_eq!(status, 507, "{reason}");
	assert!(reason.contains("no room for more proposed content"), "{reason}");
	assert!(!gateway.store.contains(&content_id(&second)));
	// Listed content is not held against the budget.
	assert_eq!(put(&gateway, &listed).0, 201);
	assert_eq!(gateway.store.unlisted_kind(&content_id(&listed)), None);

	// The moderator rejects the first proposal: the sweep removes it, and there is room again.
	gateway.chain.proposals.lock().unwrap().remove(&(moderator_a(), content_id(&first)));
	eventually("the rejected upload is removed", || !gateway.store.contains(&content_id(&first)));
	assert_eq!(removed(&gateway, "unwanted"), 1);
	assert_eq!(put(&gateway, &second).0, 201);
	assert!(gateway.store.contains(&content_id(&listed)));
}

/// A reader that counts its reads.
struct Counting<'a>(&'a [u8], &'a AtomicUsize);

impl Read for Counting<'_> {
	fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
		self.1.fetch_add(1, Ordering::Relaxed);
		self.0.read(buf)
	}
}

#[test]
fn marks_survive_a_restart_and_the_budget_refuses_before_reading() {
	let dir = tempfile::tempdir().unwrap();
	let proposed = bytes(3000, 6);
	let anonymous = bytes(2000, 7);
	let listed = bytes(1000, 8);
	{
		let (store, _) = ContentStore::open(dir.path()).unwrap();
		store.set_unlisted_policy(UnlistedPolicy {
			unmoderated: budget(2500, 10, HOUR),
			..Default::default()
		});
		store.import_bytes(&listed).unwrap();
		let id = content_id(&proposed);
		store.import_unlisted(&proposed[..], id, 3000, Unlisted::Proposed).unwrap();
		let id = content_id(&anonymous);
		store.import_unlisted(&anonymous[..], id, 2000, Unlisted::Unmoderated).unwrap();
		// Content already held is not marked.
		let id = content_id(&listed);
		store.import_unlisted(&listed[..], id, 1000, Unlisted::Proposed).unwrap();
		assert_eq!(store.unlisted_kind(&id), None);
		// Over the unmoderated budget: refused before a byte is read.
		let reads = AtomicUsize::new(0);
		let more = bytes(1000, 9);
		let refused = store.import_unlisted(
			Counting(&more, &reads),
			content_id(&more),
			1000,
			Unlisted::Unmoderated,
		);
		assert!(matches!(
			refused,
			Err(StoreError::UnlistedFull { kind: Unlisted::Unmoderated, .. })
		));
		assert_eq!(reads.load(Ordering::Relaxed), 0);
		assert!(!store.contains(&content_id(&more)));
	}
	// A mark whose object is gone (a crash mid-removal) is dropped at start.
	let orphan = dir.path().join("unlisted").join(hex(&content_id(b"gone")));
	std::fs::write(&orphan, "proposed 1\n").unwrap();

	let (store, report) = ContentStore::open(dir.path()).unwrap();
	assert_eq!(report.unlisted, 2);
	assert!(!orphan.exists());
	let items = store.unlisted();
	assert_eq!(items.len(), 2);
	assert_eq!(store.unlisted_kind(&content_id(&proposed)), Some(Unlisted::Proposed));
	assert_eq!(store.unlisted_kind(&content_id(&anonymous)), Some(Unlisted::Unmoderated));
	assert_eq!(store.unlisted_bytes(Unlisted::Proposed), 3000);
	let age = SystemTime::now().duration_since(items[0].since).unwrap();
	assert!(age < HOUR, "the import time was kept: {age:?}");

	// Removing an object removes its mark.
	store.remove(&content_id(&proposed)).unwrap();
	assert_eq!(store.unlisted_kind(&content_id(&proposed)), None);
	assert!(!dir.path().join("unlisted").join(hex(&content_id(&proposed))).exists());
}

#[test]
fn the_sweep_promotes_expires_evicts_and_keeps_what_the_chain_cannot_tell() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let chain = chain_with_proposals(&[]);
	let import = |data: &[u8], kind| {
		store.import_unlisted(data, content_id(data), data.len() as u64, kind).unwrap();
	};
	let old_anonymous = bytes(400, 10);
	let new_anonymous = bytes(300, 11);
	let listed_anonymous = bytes(200, 12);
	let proposed = bytes(100, 13);
	import(&old_anonymous, Unlisted::Unmoderated);
	import(&new_anonymous, Unlisted::Unmoderated);
	import(&listed_anonymous, Unlisted::Unmoderated);
	import(&proposed, Unlisted::Proposed);
	chain.propose(moderator_a(), content_id(&proposed), 100);
	chain.list(moderator_a(), content_id(&listed_anonymous), 200, "");
	let now = SystemTime::now();

	// Nothing is due: unmoderated content is not even asked about.
	let calls = chain.calls.load(Ordering::Relaxed);
	let report = sweep(&store, &chain, Some(&node()), now, None);
	assert_eq!(report, SweepReport::default());
	let proposed_checks = chain.calls.load(Ordering::Relaxed) - calls;
	assert!(proposed_checks > 0, "proposed content is asked about every sweep");

	// The budget shrank below what is held: the oldest unmoderated item goes.
	store.set_unlisted_policy(UnlistedPolicy {
		proposed: budget(1 << 30, 16, HOUR),
		unmoderated: budget(600, 10, HOUR),
		..Default::default()
	});
	let report = sweep(&store, &chain, Some(&node()), now, None);
	assert_eq!(report.evicted, 1);
	assert!(!store.contains(&content_id(&old_anonymous)));
	assert!(store.contains(&content_id(&new_anonymous)));

	// While the chain cannot be asked, nothing due is removed.
	let later = now + 2 * HOUR;
	chain.failing.store(true, Ordering::Relaxed);
	let report = sweep(&store, &chain, Some(&node()), later, None);
	assert_eq!(report.undecided, 3);
	assert_eq!(store.unlisted().len(), 3);
	chain.failing.store(false, Ordering::Relaxed);

	// Past the age: the listed one is kept (promoted), the others expire.
	let report = sweep(&store, &chain, Some(&node()), later, None);
	assert_eq!(report, SweepReport { listed: 1, expired: 2, ..Default::default() });
	assert!(store.contains(&content_id(&listed_anonymous)));
	assert!(!store.contains(&content_id(&new_anonymous)));
	assert!(!store.contains(&content_id(&proposed)));
	assert!(store.unlisted().is_empty());
}
