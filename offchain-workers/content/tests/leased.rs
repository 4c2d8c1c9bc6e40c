//! Leased objects (personal storage, `pallet-leases`) over real HTTP with an in-memory chain:
//! a node takes and serves an object a lease under a subscribed moderator pays it to hold,
//! while a keeper's place is free or is its own; it refuses other leases; the sweep removes
//! the object once no lease pays this node to hold it; an unmoderated object an unmoderated
//! lease pays a node carrying unmoderated traffic to hold does not expire by age.

mod common;

use bitcloud_content::{
	expiry::sweep, ContentStore, LeaseFacts, SweepReport, Unlisted, UnlistedBudget, UnlistedPolicy,
};
use bitcloud_primitives::{content_id, ContentId};
use common::*;
use std::time::{Duration, SystemTime};

/// A lease of `bytes` bytes under `moderator` for two keepers, kept by `keepers`.
fn lease(
	id: u64,
	moderator: Option<bitcloud_primitives::AccountId>,
	bytes: usize,
	keepers: Vec<bitcloud_primitives::AccountId>,
) -> LeaseFacts {
	LeaseFacts {
		id,
		moderator,
		bytes: bytes as u64,
		replicas: 2,
		keepers,
		covered: true,
		closable: false,
	}
}

fn put(gateway: &TestGateway, item: &[u8]) -> (u16, String) {
	let mut response = agent()
		.put(gateway.url(&format!("/content/{}", hex(&content_id(item)))))
		.send(item)
		.unwrap();
	let text = response.body_mut().read_to_string().unwrap();
	(response.status().as_u16(), text)
}

fn get(gateway: &TestGateway, id: &ContentId) -> (u16, Vec<u8>) {
	let mut response = agent().get(gateway.url(&format!("/content/{}", hex(id)))).call().unwrap();
	let body = response.body_mut().read_to_vec().unwrap();
	(response.status().as_u16(), body)
}

#[test]
fn a_leased_object_is_taken_served_and_swept_when_its_lease_ends() {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	let object = bytes(70_000, 3);
	let id = content_id(&object);
	chain.lease(id, lease(1, Some(moderator_a()), object.len(), vec![]));
	let gateway = TestGateway::start(chain, &[]);

	// Before the upload: not stored here.
	assert_eq!(get(&gateway, &id).0, 404);
	assert_eq!(put(&gateway, &object), (201, "stored\n".into()));
	assert_eq!(gateway.store.unlisted_kind(&id), Some(Unlisted::Leased));
	assert_eq!(get(&gateway, &id), (200, object.clone()));

	// The node keeps it: the lease still wants it, so the sweep keeps it.
	gateway
		.chain
		.leases
		.lock()
		.unwrap()
		.insert(id, vec![lease(1, Some(moderator_a()), object.len(), vec![node()])]);
	let report =
		sweep(&gateway.store, gateway.chain.as_ref(), Some(&node()), SystemTime::now(), None);
	assert_eq!(report, SweepReport::default());
	assert!(gateway.store.contains(&id));

	// Past its grace the lease is closable: no longer served, and swept.
	let mut ended = lease(1, Some(moderator_a()), object.len(), vec![node()]);
	(ended.covered, ended.closable) = (false, true);
	gateway.chain.leases.lock().unwrap().insert(id, vec![ended]);
	assert_eq!(get(&gateway, &id).0, 404);
	let report =
		sweep(&gateway.store, gateway.chain.as_ref(), Some(&node()), SystemTime::now(), None);
	assert_eq!(report.unwanted, 1, "{report:?}");
	assert!(!gateway.store.contains(&id));
}

#[test]
fn leases_the_node_may_not_hold_are_refused() {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	let full = bytes(1_000, 4);
	let elsewhere = bytes(1_000, 5);
	let unmoderated = bytes(1_000, 6);
	let lapsed = bytes(1_000, 7);
	let denied = bytes(1_000, 8);
	chain.lease(
		content_id(&full),
		lease(1, Some(moderator_a()), 1_000, vec![account(50), account(51)]),
	);
	chain.lease(content_id(&elsewhere), lease(2, Some(moderator_b()), 1_000, vec![]));
	chain.lease(content_id(&unmoderated), lease(3, None, 1_000, vec![]));
	let mut not_paid = lease(4, Some(moderator_a()), 1_000, vec![]);
	not_paid.covered = false;
	chain.lease(content_id(&lapsed), not_paid);
	chain.lease(content_id(&denied), lease(5, Some(moderator_a()), 1_000, vec![]));
	chain.deny(moderator_a(), content_id(&denied));
	let gateway = TestGateway::start(chain, &[]);
	for (item, why) in [
		(&full, "every keeper's place is taken"),
		(&elsewhere, "its moderator is not subscribed"),
		(&unmoderated, "unmoderated objects go through the onion layer"),
		(&lapsed, "no longer paid"),
	] {
		let (status, text) = put(&gateway, item);
		assert_eq!(status, 403, "{why}: {text}");
		assert!(text.contains("not wanted"), "{why}: {text}");
		assert!(!gateway.store.contains(&content_id(item)), "{why}");
	}
	let (status, text) = put(&gateway, &denied);
	assert_eq!(status, 403);
	assert!(text.contains("denied by moderator"), "{text}");
	// A body that is not the object is refused like any other upload.
	let object = bytes(1_000, 9);
	gateway.chain.lease(content_id(&object), lease(6, Some(moderator_a()), 1_000, vec![]));
	let wrong = agent()
		.put(gateway.url(&format!("/content/{}", hex(&content_id(&object)))))
		.send(&bytes(1_000, 10)[..])
		.unwrap();
	assert_eq!(wrong.status(), 422);
	assert!(!gateway.store.contains(&content_id(&object)));
}

#[test]
fn unmoderated_objects_an_unmoderated_lease_pays_for_do_not_expire_by_age() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let hour = Duration::from_secs(3600);
	let unmoderated = UnlistedBudget { max_bytes: 1 << 30, max_items: 16, max_age: hour };
	store.set_unlisted_policy(UnlistedPolicy { unmoderated, ..Default::default() });
	let chain = MemoryChain::default();
	chain.carriers.lock().unwrap().insert(node());
	let kept = bytes(1_000, 20);
	let free = bytes(1_000, 21);
	let closed = bytes(1_000, 22);
	let moderated = bytes(1_000, 23);
	let unleased = bytes(1_000, 24);
	for item in [&kept, &free, &closed, &moderated, &unleased] {
		store.import_unlisted(&item[..], content_id(item), 1_000, Unlisted::Unmoderated).unwrap();
	}
	// Kept by this node; a place free while paid; closable; under a moderator.
	chain.lease(content_id(&kept), lease(1, None, 1_000, vec![node()]));
	chain.lease(content_id(&free), lease(2, None, 1_000, vec![account(50)]));
	let mut closable = lease(3, None, 1_000, vec![node()]);
	(closable.covered, closable.closable) = (false, true);
	chain.lease(content_id(&closed), closable);
	chain.lease(content_id(&moderated), lease(4, Some(moderator_a()), 1_000, vec![node()]));

	// Not yet due: nothing is asked, nothing removed.
	let now = SystemTime::now();
	assert_eq!(sweep(&store, &chain, Some(&node()), now, None), SweepReport::default());

	// Past the age: what an unmoderated lease pays this node to hold stays.
	let later = now + 2 * hour;
	let report = sweep(&store, &chain, Some(&node()), later, None);
	assert_eq!(report.expired, 3, "{report:?}");
	assert!(store.contains(&content_id(&kept)));
	assert!(store.contains(&content_id(&free)));
	for gone in [&closed, &moderated, &unleased] {
		assert!(!store.contains(&content_id(gone)));
	}

	// A node that no longer carries unmoderated traffic cannot keep them: they expire.
	chain.carriers.lock().unwrap().clear();
	let report = sweep(&store, &chain, Some(&node()), later, None);
	assert_eq!(report.expired, 2, "{report:?}");
	assert!(store.unlisted().is_empty());
}
