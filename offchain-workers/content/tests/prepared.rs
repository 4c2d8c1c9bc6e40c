//! Prepared answers: a plain `GET` of a small file is answered from a head worked out once
//! per best block (`gateway::prepared`), over real HTTP with an in-memory chain that names
//! its best block. Every way the full path would answer otherwise is checked here: a new
//! block, the store letting the object go, a storage challenge, a range, a validator, a
//! paying client.

mod common;

use bitcloud_primitives::content_id;
use common::*;
use std::time::{Duration, Instant};

/// A gateway whose node subscribes to moderator A, who lists `small` (kept in memory once
/// served) and `big` (streamed from disk), at a best block.
struct World {
	gateway: TestGateway,
	small: Vec<u8>,
	big: Vec<u8>,
}

fn world() -> World {
	let small = bytes(4096, 3);
	let big = bytes(bitcloud_content::hot::MAX_HOT_OBJECT as usize + 1, 4);
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(&small), small.len() as u64, "text/plain");
	chain.list(moderator_a(), content_id(&big), big.len() as u64, "video/webm");
	chain.new_block();
	let gateway = TestGateway::start(chain, &[&small, &big]);
	World { gateway, small, big }
}

fn url(w: &World, data: &[u8]) -> String {
	w.gateway.url(&format!("/content/{}", hex(&content_id(data))))
}

/// Status, headers but the date, and body of a `GET` of `url` with `headers`.
fn get(url: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, Vec<u8>) {
	let mut request = agent().get(url);
	for (name, value) in headers {
		request = request.header(*name, *value);
	}
	let mut response = request.call().unwrap();
	let head = response
		.headers()
		.iter()
		.filter(|(name, _)| name.as_str() != "date")
		.map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
		.collect();
	let body = response.body_mut().with_config().limit(4 << 20).read_to_vec().unwrap();
	(response.status().as_u16(), head, body)
}

/// Serves `small` once by the full path, which prepares its head.
fn prepared(w: &World) -> (u16, Vec<(String, String)>, Vec<u8>) {
	let first = get(&url(w, &w.small), &[]);
	assert_eq!(first.0, 200);
	first
}

#[test]
fn a_plain_get_is_answered_from_its_prepared_head_as_the_full_path_answers_it() {
	let w = world();
	let full = prepared(&w);
	let asked = w.gateway.chain.calls();
	let again = get(&url(&w, &w.small), &[]);
	assert_eq!(w.gateway.chain.calls(), asked, "the chain was asked again: not prepared");
	assert_eq!(again, full, "the prepared answer differs from the full one");
	assert_eq!(again.2, w.small);
	let served = w.gateway.metrics.bytes_served.get();
	get(&url(&w, &w.small), &[]);
	assert_eq!(w.gateway.metrics.bytes_served.get(), served + w.small.len() as u64);
}

#[test]
fn a_denial_or_a_delisting_takes_effect_with_the_next_block() {
	let w = world();
	prepared(&w);
	w.gateway.chain.deny(moderator_a(), content_id(&w.small));
	// Within the block the head was prepared at, the verdict of that block stands, as the
	// node's chain view keeps it per block.
	assert_eq!(get(&url(&w, &w.small), &[]).0, 200);
	w.gateway.chain.new_block();
	let (status, _, body) = get(&url(&w, &w.small), &[]);
	assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));

	let w = world();
	prepared(&w);
	w.gateway.chain.delist(moderator_a(), content_id(&w.small));
	w.gateway.chain.new_block();
	assert_eq!(get(&url(&w, &w.small), &[]).0, 404);
}

#[test]
fn an_object_the_store_let_go_is_not_answered_from_its_head() {
	let w = world();
	prepared(&w);
	assert!(w.gateway.store.remove(&content_id(&w.small)).unwrap());
	let (status, _, body) = get(&url(&w, &w.small), &[]);
	assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn an_object_out_of_memory_is_read_and_verified_from_disk_again() {
	let w = world();
	prepared(&w);
	let id = content_id(&w.small);
	let path = w.gateway.store.data_path(&id);
	let mut on_disk = std::fs::read(&path).unwrap();
	on_disk[10] ^= 1;
	std::fs::write(&path, on_disk).unwrap();
	w.gateway.store.hot().remove(&id);
	let (status, _, body) = get(&url(&w, &w.small), &[]);
	assert_eq!(status, 500, "a corrupt copy was answered: {}", String::from_utf8_lossy(&body));
	assert!(!w.gateway.store.contains(&id));
}

#[test]
fn a_challenged_object_is_refused_although_its_head_is_prepared() {
	let w = world();
	prepared(&w);
	let closes = Instant::now() + Duration::from_secs(30);
	w.gateway.challenges.update([(content_id(&w.small), vec![0], closes)]);
	let (status, head, _) = get(&url(&w, &w.small), &[]);
	assert_eq!(status, 503);
	assert!(head.iter().any(|(name, _)| name == "retry-after"));
	let refused = w.gateway.metrics.challenged_ranges.with_label_values(&["refused_unpaid"]);
	assert_eq!(refused.get(), 1, "the refusal was not counted");
}

#[test]
fn ranges_validators_heads_and_payments_are_worked_out_in_full() {
	let w = world();
	let (_, head, _) = prepared(&w);
	let u = url(&w, &w.small);

	let (status, head_206, body) = get(&u, &[("range", "bytes=10-19")]);
	assert_eq!(status, 206);
	assert_eq!(body, &w.small[10..20]);
	assert!(head_206.contains(&("content-range".into(), "bytes 10-19/4096".into())));

	let etag = head.iter().find(|(name, _)| name == "etag").map(|(_, v)| v.clone()).unwrap();
	assert_eq!(get(&u, &[("if-none-match", &etag)]).0, 304);

	let response = agent().head(u.as_str()).call().unwrap();
	assert_eq!(response.status(), 200);

	let (status, _, body) = get(&u, &[("bitcloud-client", "nobody")]);
	assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
}

#[test]
fn a_file_too_large_for_memory_is_not_prepared() {
	let w = world();
	assert_eq!(get(&url(&w, &w.big), &[]).2, w.big);
	let asked = w.gateway.chain.calls();
	assert_eq!(get(&url(&w, &w.big), &[]).2, w.big);
	assert!(w.gateway.chain.calls() > asked, "a streamed answer was taken from a head");
}
