//! `PUT /content/{id}`: publishers push content to a node over real HTTP; only wanted content
//! whose bytes hash to its id enters the store.

mod common;

use bitcloud_primitives::content_id;
use common::*;
use std::sync::atomic::Ordering;

/// A gateway for a node subscribed to moderator A (who denies `denied`, lists `listed` and
/// has `proposed` proposed to it). Nothing is stored yet.
struct World {
	gateway: TestGateway,
	listed: Vec<u8>,
	proposed: Vec<u8>,
	denied: Vec<u8>,
}

fn world() -> World {
	let listed = bytes(3 * 1024 * 1024 + 17, 3);
	let proposed = b"a publisher's proposal".to_vec();
	let denied = b"moderator A will not have this".to_vec();
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(&listed), listed.len() as u64, "video/mp4");
	chain.propose(moderator_a(), content_id(&proposed), proposed.len() as u64);
	chain.propose(moderator_a(), content_id(&denied), denied.len() as u64);
	chain.deny(moderator_a(), content_id(&denied));
	World { gateway: TestGateway::start(chain, &[]), listed, proposed, denied }
}

fn put(w: &World, id: &[u8; 32], body: &[u8]) -> (u16, String) {
	let url = w.gateway.url(&format!("/content/{}", hex(id)));
	// With `Expect: 100-continue` a refusal comes before the body is sent.
	let mut response = agent().put(url).header("expect", "100-continue").send(body).unwrap();
	(response.status().as_u16(), response.body_mut().read_to_string().unwrap())
}

#[test]
fn listed_content_is_stored_and_served_byte_identical() {
	let w = world();
	let id = content_id(&w.listed);
	assert_eq!(put(&w, &id, &w.listed), (201, "stored\n".into()));
	assert_eq!(w.gateway.store.size(&id), Some(w.listed.len() as u64));
	let url = w.gateway.url(&format!("/content/{}", hex(&id)));
	let mut response = agent().get(url).call().unwrap();
	assert_eq!(response.status(), 200);
	let served = response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap();
	assert_eq!(served, w.listed);
	// A second push changes nothing.
	assert_eq!(put(&w, &id, &w.listed), (200, "already stored\n".into()));
	assert_eq!(w.gateway.store.len(), 1);
}

#[test]
fn proposed_content_is_stored_but_not_served_until_listed() {
	let w = world();
	let id = content_id(&w.proposed);
	assert_eq!(put(&w, &id, &w.proposed).0, 201);
	assert!(w.gateway.store.contains(&id));
	let url = w.gateway.url(&format!("/content/{}", hex(&id)));
	assert_eq!(agent().get(&url).call().unwrap().status(), 404);
	w.gateway.chain.list(moderator_a(), id, w.proposed.len() as u64, "text/plain");
	assert_eq!(agent().get(&url).call().unwrap().status(), 200);
}

#[test]
fn unwanted_denied_and_wrong_bytes_are_refused_and_nothing_is_stored() {
	let w = world();
	let stranger = b"nobody asked for this".to_vec();
	let (status, reason) = put(&w, &content_id(&stranger), &stranger);
	assert_eq!(status, 403);
	assert!(reason.contains("not wanted"), "{reason}");

	let (status, reason) = put(&w, &content_id(&w.denied), &w.denied);
	assert_eq!(status, 403);
	assert!(reason.contains("denied by moderator"), "{reason}");

	// The listed id with other bytes of the same length: the root tells.
	let mut tampered = w.listed.clone();
	tampered[1_000_000] ^= 1;
	let (status, reason) = put(&w, &content_id(&w.listed), &tampered);
	assert_eq!(status, 422);
	assert!(reason.contains("do not match the content id"), "{reason}");

	// Longer and shorter than listed.
	let mut longer = w.listed.clone();
	longer.push(0);
	assert_eq!(put(&w, &content_id(&w.listed), &longer).0, 413);
	assert_eq!(put(&w, &content_id(&w.listed), &w.listed[..100]).0, 422);

	// A malformed id.
	let url = w.gateway.url("/content/xyz");
	assert_eq!(agent().put(url).send(&b"x"[..]).unwrap().status(), 400);

	// The chain down: 503, nothing stored.
	w.gateway.chain.failing.store(true, Ordering::Relaxed);
	assert_eq!(put(&w, &content_id(&w.proposed), &w.proposed).0, 503);
	w.gateway.chain.failing.store(false, Ordering::Relaxed);

	assert!(w.gateway.store.is_empty());
	let leftovers = std::fs::read_dir(w.gateway.dir.path().join("content/tmp")).unwrap().count();
	assert_eq!(leftovers, 0, "no temporary file is left behind");
}

#[test]
fn a_body_longer_than_declared_size_is_cut_at_the_listed_size() {
	// Without Content-Length (chunked), the store stops reading past the listed size.
	let w = world();
	let mut longer = w.proposed.clone();
	longer.extend_from_slice(&[0; 4096]);
	let url = w.gateway.url(&format!("/content/{}", hex(&content_id(&w.proposed))));
	let mut response = agent()
		.put(url)
		.send(ureq::SendBody::from_reader(&mut std::io::Cursor::new(longer)))
		.unwrap();
	assert_eq!(response.status(), 413, "{}", response.body_mut().read_to_string().unwrap());
	assert!(w.gateway.store.is_empty());
}
