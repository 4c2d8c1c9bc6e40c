//! The HTTP gateway over real HTTP on 127.0.0.1:0, with an in-memory chain.

mod common;

use bitcloud_primitives::content_id;
use common::*;
use std::sync::atomic::Ordering;

/// A gateway whose node subscribes to moderators A and B; A lists `text` (text/plain) and
/// `big` (no MIME type), B lists `denied` which A denies; `unlisted` is stored but in no
/// catalog; `missing` is listed by A but not stored.
struct World {
	gateway: TestGateway,
	text: Vec<u8>,
	big: Vec<u8>,
	denied: Vec<u8>,
	unlisted: Vec<u8>,
	missing: Vec<u8>,
}

fn world() -> World {
	let text = b"Welcome to Bitcloud.\n".to_vec();
	let big = bytes(3 * 1024 * 1024 + 333, 5);
	let denied = b"something moderator A will not have".to_vec();
	let unlisted = b"unmoderated bytes".to_vec();
	let missing = b"listed but nowhere".to_vec();
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.subscribe(node(), moderator_b());
	chain.list(moderator_a(), content_id(&text), text.len() as u64, "text/plain");
	chain.list(moderator_a(), content_id(&big), big.len() as u64, "");
	chain.list(moderator_b(), content_id(&denied), denied.len() as u64, "text/plain");
	chain.deny(moderator_a(), content_id(&denied));
	chain.list(moderator_a(), content_id(&missing), missing.len() as u64, "text/plain");
	let gateway = TestGateway::start(chain, &[&text, &big, &denied, &unlisted]);
	World { gateway, text, big, denied, unlisted, missing }
}

fn path(data: &[u8]) -> String {
	format!("/content/{}", hex(&content_id(data)))
}

fn body(response: &mut ureq::http::Response<ureq::Body>) -> Vec<u8> {
	response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap()
}

fn header<'a>(response: &'a ureq::http::Response<ureq::Body>, name: &str) -> &'a str {
	response.headers().get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[test]
fn content_is_served_whole_with_its_type_and_etag() {
	let w = world();
	let agent = agent();
	let mut response = agent.get(w.gateway.url(&path(&w.text))).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(header(&response, "content-type"), "text/plain");
	assert_eq!(header(&response, "etag"), format!("\"{}\"", hex(&content_id(&w.text))));
	assert_eq!(header(&response, "accept-ranges"), "bytes");
	assert_eq!(header(&response, "content-length"), w.text.len().to_string());
	assert_eq!(body(&mut response), w.text);

	// Several MiB, streamed; no MIME type listed: octet-stream.
	let mut response = agent.get(w.gateway.url(&path(&w.big))).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(header(&response, "content-type"), "application/octet-stream");
	assert_eq!(body(&mut response), w.big);

	// The CIDv1 form names the same content.
	let cid = bitcloud_content::to_cid(&content_id(&w.text));
	let mut response = agent.get(w.gateway.url(&format!("/content/{cid}"))).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(body(&mut response), w.text);

	// A matching If-None-Match: 304.
	let response = agent
		.get(w.gateway.url(&path(&w.text)))
		.header("if-none-match", format!("\"{}\"", hex(&content_id(&w.text))))
		.call()
		.unwrap();
	assert_eq!(response.status(), 304);
}

#[test]
fn head_answers_headers_only() {
	let w = world();
	let mut response = agent().head(w.gateway.url(&path(&w.big))).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(header(&response, "content-length"), w.big.len().to_string());
	assert!(body(&mut response).is_empty());
	let response = agent().head(w.gateway.url(&path(&w.denied))).call().unwrap();
	assert_eq!(response.status(), 403);
}

#[test]
fn single_ranges_get_206_and_the_right_bytes() {
	let w = world();
	let agent = agent();
	let size = w.big.len();
	for (range, start, end) in [
		("bytes=0-0", 0, 0),
		("bytes=1000-20000", 1000, 20000),
		(&*format!("bytes={}-", size - 10), size - 10, size - 1),
		("bytes=-5", size - 5, size - 1),
		(&*format!("bytes=16383-{}", size + 100), 16383, size - 1),
	] {
		let mut response =
			agent.get(w.gateway.url(&path(&w.big))).header("range", range).call().unwrap();
		assert_eq!(response.status(), 206, "{range}");
		assert_eq!(header(&response, "content-range"), format!("bytes {start}-{end}/{size}"));
		assert_eq!(header(&response, "content-length"), (end + 1 - start).to_string());
		assert_eq!(body(&mut response), &w.big[start..=end], "{range}");
	}
	// A unit other than bytes is ignored: the whole content.
	let mut response =
		agent.get(w.gateway.url(&path(&w.text))).header("range", "items=0-1").call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(body(&mut response), w.text);
}

#[test]
fn bad_unsatisfiable_and_multiple_ranges_get_416() {
	let w = world();
	let agent = agent();
	let size = w.text.len();
	for range in [
		format!("bytes={size}-"),
		"bytes=-0".to_string(),
		"bytes=0-1,5-6".to_string(),
		"bytes=5-1".to_string(),
		"bytes=x-y".to_string(),
		"bytes".to_string(),
	] {
		let mut response =
			agent.get(w.gateway.url(&path(&w.text))).header("range", &range).call().unwrap();
		assert_eq!(response.status(), 416, "{range}");
		assert_eq!(header(&response, "content-range"), format!("bytes */{size}"));
		let reason = String::from_utf8(body(&mut response)).unwrap();
		if range.contains(',') {
			assert!(reason.contains("multiple ranges"), "{reason}");
		}
	}
}

#[test]
fn refusals_carry_their_status_and_reason() {
	let w = world();
	let agent = agent();
	let check = |url: String, status: u16, reason: &str| {
		let mut response = agent.get(&url).call().unwrap();
		assert_eq!(response.status(), status, "{url}");
		let text = String::from_utf8(body(&mut response)).unwrap();
		assert!(text.contains(reason), "{url}: {text}");
	};
	check(w.gateway.url("/content/not-an-id"), 400, "malformed content id");
	check(w.gateway.url(&format!("/content/{}", "0".repeat(63))), 400, "malformed");
	check(w.gateway.url(&format!("/content/{}", "z".repeat(64))), 400, "malformed");
	check(w.gateway.url(&format!("/content/{}", "ab".repeat(32))), 404, "not in any catalog");
	// Stored but unmoderated: never over plain HTTP.
	check(w.gateway.url(&path(&w.unlisted)), 404, "not in any catalog");
	check(w.gateway.url(&path(&w.missing)), 404, "not stored on this node");
	// Listed by B, denied by A: refused.
	check(w.gateway.url(&path(&w.denied)), 403, "denied by moderator");
	check(w.gateway.url(&format!("{}/outboard", path(&w.denied))), 403, "denied");
	check(w.gateway.url("/nothing/here"), 404, "no such endpoint");
	let response = agent.post(w.gateway.url(&path(&w.text))).send_empty().unwrap();
	assert_eq!(response.status(), 405);

	// The chain cannot be asked: 503, and it recovers.
	w.gateway.chain.failing.store(true, Ordering::Relaxed);
	check(w.gateway.url(&path(&w.text)), 503, "chain state unavailable");
	w.gateway.chain.failing.store(false, Ordering::Relaxed);
	check(w.gateway.url(&path(&w.text)), 200, "Welcome");

	// Content a subscribed moderator denies after it was served: refused from then on.
	w.gateway.chain.deny(moderator_b(), content_id(&w.text));
	check(w.gateway.url(&path(&w.text)), 403, "denied by moderator");
}

#[test]
fn oversized_and_malformed_requests_are_refused_and_the_gateway_goes_on() {
	let w = world();
	let huge = format!(
		"GET {} HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
		path(&w.text),
		"a".repeat(64 * 1024)
	);
	let answer = raw(w.gateway.addr, huge.as_bytes());
	assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

	let many: String = (0..200).map(|n| format!("X-H{n}: v\r\n")).collect();
	let answer = raw(w.gateway.addr, format!("GET / HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes());
	assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");

	let answer = raw(w.gateway.addr, b"NONSENSE\r\n\r\n");
	assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");

	// Still serving.
	let mut response = agent().get(w.gateway.url(&path(&w.text))).call().unwrap();
	assert_eq!(body(&mut response), w.text);
}

#[test]
fn the_outboard_verifies_any_range_against_the_root() {
	use bao_tree::{
		io::{outboard::PostOrderMemOutboard, sync::valid_ranges},
		BaoTree, BlockSize, ChunkNum, ChunkRanges,
	};
	let w = world();
	let id = content_id(&w.big);
	let mut response =
		agent().get(w.gateway.url(&format!("{}/outboard", path(&w.big)))).call().unwrap();
	assert_eq!(response.status(), 200);
	let size: u64 = header(&response, "bitcloud-content-size").parse().unwrap();
	let log: u8 = header(&response, "bitcloud-chunk-group-log").parse().unwrap();
	assert_eq!(size, w.big.len() as u64);
	let outboard = PostOrderMemOutboard {
		root: bao_tree::blake3::Hash::from_bytes(id),
		tree: BaoTree::new(size, BlockSize::from_chunk_log(log)),
		data: body(&mut response),
	};
	let all = ChunkRanges::from(ChunkNum(0)..ChunkNum(size.div_ceil(1024)));
	let valid: u64 = valid_ranges(&outboard, &w.big[..], &all)
		.into_iter()
		.map(|r| {
			let r = r.unwrap();
			r.end.0 - r.start.0
		})
		.sum();
	assert_eq!(valid, size.div_ceil(1024));
	// A tampered copy does not verify.
	let mut bad = w.big.clone();
	bad[100_000] ^= 1;
	let valid: u64 = valid_ranges(&outboard, &bad[..], &all)
		.into_iter()
		.map(|r| {
			let r = r.unwrap();
			r.end.0 - r.start.0
		})
		.sum();
	assert!(valid < size.div_ceil(1024));
}

#[test]
fn corrupt_content_is_answered_with_500_and_removed() {
	let w = world();
	let id = content_id(&w.text);
	let data = w.gateway.store.data_path(&id);
	let mut on_disk = std::fs::read(&data).unwrap();
	on_disk[0] ^= 1;
	std::fs::write(&data, on_disk).unwrap();
	let mut response = agent().get(w.gateway.url(&path(&w.text))).call().unwrap();
	assert_eq!(response.status(), 500);
	assert!(String::from_utf8(body(&mut response)).unwrap().contains("failed verification"));
	assert!(!w.gateway.store.contains(&id));
	let response = agent().get(w.gateway.url(&path(&w.text))).call().unwrap();
	assert_eq!(response.status(), 404);
}

/// Flips a byte of `data`'s stored copy at `offset`.
fn corrupt(gateway: &TestGateway, data: &[u8], offset: usize) {
	let path = gateway.store.data_path(&content_id(data));
	let mut on_disk = std::fs::read(&path).unwrap();
	on_disk[offset] ^= 1;
	std::fs::write(&path, on_disk).unwrap();
}

#[test]
fn content_corrupted_after_it_was_served_verified_is_never_served() {
	let w = world();
	let url = w.gateway.url(&path(&w.text));
	for _ in 0..3 {
		let mut response = agent().get(url.as_str()).call().unwrap();
		assert_eq!(response.status(), 200);
		assert_eq!(body(&mut response), w.text);
	}
	// A small object is kept in memory once verified (`bitcloud_content::hot`): what is served
	// from there is the content, never the rotten disk copy.
	corrupt(&w.gateway, &w.text, w.text.len() - 1);
	let mut response = agent().get(url.as_str()).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(body(&mut response), w.text, "a corrupt copy was served");
	// Once it leaves memory, the next read from disk finds the corruption.
	w.gateway.store.hot().remove(&content_id(&w.text));
	let response = agent().get(url.as_str()).call().unwrap();
	assert_eq!(response.status(), 500, "bytes verified once were served unverified");
	assert!(!w.gateway.store.contains(&content_id(&w.text)));
	// A range in the second block of a larger item, read from disk for every request: its
	// groups are verified once (the file older than the file system clock's reach) and then
	// trusted while the file is unchanged (`bitcloud_content::verified`); a write changes it.
	std::thread::sleep(bitcloud_content::verified::SETTLED);
	let (block, url) =
		(bitcloud_content::gateway::STREAM_BLOCK as usize, w.gateway.url(&path(&w.big)));
	let range = format!("bytes={}-{}", block + 10, block + 99);
	for _ in 0..2 {
		let mut response = agent().get(url.as_str()).header("Range", &range).call().unwrap();
		assert_eq!(response.status(), 206);
		assert_eq!(body(&mut response), &w.big[block + 10..block + 100]);
	}
	let reader = w.gateway.store.reader(&content_id(&w.big)).unwrap();
	assert!(reader.verified(block as u64 + 10, 90), "the range was not remembered as verified");
	corrupt(&w.gateway, &w.big, block + 50);
	let response = agent().get(url.as_str()).header("Range", &range).call().unwrap();
	assert_eq!(response.status(), 500);
	assert!(!w.gateway.store.contains(&content_id(&w.big)));
}

#[test]
fn catalog_and_status_describe_the_node() {
	let w = world();
	let mut response = agent().get(w.gateway.url("/catalog")).call().unwrap();
	assert_eq!(response.status(), 200);
	let catalog: serde_json::Value = serde_json::from_slice(&body(&mut response)).unwrap();
	let moderators = catalog["moderators"].as_array().unwrap();
	assert_eq!(moderators.len(), 2);
	let items_a = moderators[0]["items"].as_array().unwrap();
	assert_eq!(items_a.len(), 3);
	assert_eq!(items_a[0]["id"], hex(&content_id(&w.text)));
	assert_eq!(items_a[0]["mimeType"], "text/plain");
	assert_eq!(items_a[0]["stored"], true);
	assert_eq!(items_a[2]["stored"], false);
	// B's only item is denied by A: not shown.
	assert!(moderators[1]["items"].as_array().unwrap().is_empty());

	let mut response = agent().get(w.gateway.url("/status")).call().unwrap();
	assert_eq!(response.status(), 200);
	let status: serde_json::Value = serde_json::from_slice(&body(&mut response)).unwrap();
	assert!(status["node"].as_str().unwrap().len() > 40);
	assert_eq!(status["subscriptions"].as_array().unwrap().len(), 2);
	assert_eq!(status["store"]["items"], 4);
	let stored = w.text.len() + w.big.len() + w.denied.len() + w.unlisted.len();
	assert_eq!(status["store"]["bytes"], stored as u64);
	assert_eq!(status["version"], "test-1.0");
	assert_eq!(status["bestBlock"]["number"], 7);
}

#[test]
fn a_huge_catalog_is_answered_in_bounded_pages() {
	const LISTED: usize = 2500;
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.subscribe(node(), moderator_b());
	let ids: Vec<_> = (0..LISTED).map(|n| content_id(format!("item {n}").as_bytes())).collect();
	for id in &ids {
		chain.list(moderator_a(), *id, 10, "text/plain");
	}
	let last = content_id(b"B's only item");
	chain.list(moderator_b(), last, 13, "");
	// Every 100th of A's items is denied by B: left out of the pages.
	for id in ids.iter().step_by(100) {
		chain.deny(moderator_b(), *id);
	}
	let gateway = TestGateway::start(chain, &[]);
	let get = |query: &str| -> serde_json::Value {
		let mut response = agent().get(gateway.url(&format!("/catalog{query}"))).call().unwrap();
		assert_eq!(response.status(), 200, "{query}");
		serde_json::from_slice(&body(&mut response)).unwrap()
	};
	let item_count = |page: &serde_json::Value| -> usize {
		page["moderators"]
			.as_array()
			.unwrap()
			.iter()
			.map(|m| m["items"].as_array().unwrap().len())
			.sum()
	};

	// Without a query: the first page, at most 100 entries.
	let first = get("");
	assert_eq!(first["total"], LISTED + 1);
	assert_eq!(first["offset"], 0);
	assert_eq!(first["limit"], 100);
	assert_eq!(first["next"], 100);
	assert_eq!(item_count(&first), 99, "the denied first item is left out");
	// The same page again, at the same block: answered from the snapshot, no chain query.
	let calls = gateway.chain.calls.load(Ordering::Relaxed);
	assert_eq!(get(""), first);
	assert_eq!(gateway.chain.calls.load(Ordering::Relaxed), calls);
	// A larger limit is lowered to the maximum.
	assert_eq!(get("?limit=1000000")["limit"], 100);

	// Walking the pages gives every item that is not denied once, in order, and no page
	// costs more than one deny check per subscription for each of its entries.
	let mut seen = Vec::new();
	let mut offset = Some(0u64);
	while let Some(at) = offset {
		let calls = gateway.chain.calls.load(Ordering::Relaxed);
		let page = get(&format!("?offset={at}&limit=100"));
		let cost = gateway.chain.calls.load(Ordering::Relaxed) - calls;
		// Deny checks (2 per entry) plus, once per block, the subscriptions and 2 catalogs.
		assert!(cost <= 100 * 2 + 3, "a page cost {cost} chain queries");
		assert!(item_count(&page) <= 100);
		for moderator in page["moderators"].as_array().unwrap() {
			for item in moderator["items"].as_array().unwrap() {
				seen.push(item["id"].as_str().unwrap().to_string());
			}
		}
		offset = page["next"].as_u64();
	}
	let expected: Vec<_> = ids
		.iter()
		.enumerate()
		.filter(|(n, _)| n % 100 != 0)
		.map(|(_, id)| hex(id))
		.chain(std::iter::once(hex(&last)))
		.collect();
	assert_eq!(seen, expected);

	// Past the end: an empty last page. Malformed queries: 400.
	let past = get("?offset=999999");
	assert_eq!(item_count(&past), 0);
	assert!(past["next"].is_null());
	for query in ["?offset=-1", "?limit=0", "?limit=many"] {
		let mut response = agent().get(gateway.url(&format!("/catalog{query}"))).call().unwrap();
		assert_eq!(response.status(), 400, "{query}");
		assert!(String::from_utf8(body(&mut response)).unwrap().contains("whole number"));
	}
}

/// A page from another origin asks before it sends the protocol's headers: told yes.
#[test]
fn a_preflight_from_another_origin_may_send_the_bitcloud_headers() {
	use bitcloud_content::protocol::REQUEST_HEADERS;
	let w = world();
	let asked = ["range", "content-type", "if-none-match"].into_iter().chain(REQUEST_HEADERS);
	let asked = asked.collect::<Vec<_>>().join(", ");
	for (route, method) in
		[(path(&w.text), "GET"), ("/receipts".into(), "POST"), (path(&w.text), "PUT")]
	{
		let mut response = agent()
			.options(w.gateway.url(&route))
			.header("origin", "http://elsewhere.example")
			.header("access-control-request-method", method)
			.header("access-control-request-headers", &asked)
			.call()
			.unwrap();
		assert_eq!(response.status(), 204, "{route}");
		assert_eq!(header(&response, "access-control-allow-origin"), "*");
		let methods = header(&response, "access-control-allow-methods");
		assert!(methods.split(", ").any(|m| m == method), "{methods}");
		let allowed: Vec<_> =
			header(&response, "access-control-allow-headers").split(", ").collect();
		for name in asked.split(", ") {
			assert!(allowed.contains(&name), "{name} not in {allowed:?}");
		}
		assert!(header(&response, "access-control-max-age").parse::<u32>().unwrap() > 0);
		assert!(body(&mut response).is_empty());
	}
}

/// Content, refusals and the other API answers are readable by pages from any origin, with
/// every header a client reads.
#[test]
fn api_answers_are_open_to_other_origins_and_expose_the_bitcloud_headers() {
	use bitcloud_content::protocol::RESPONSE_HEADERS;
	let w = world();
	let get = |route: &str| {
		agent()
			.get(w.gateway.url(route))
			.header("origin", "http://elsewhere.example")
			.call()
			.unwrap()
	};
	let mut response = get(&path(&w.text));
	assert_eq!(response.status(), 200);
	assert_eq!(body(&mut response), w.text);
	assert_eq!(header(&response, "access-control-allow-origin"), "*");
	let exposed: Vec<_> = header(&response, "access-control-expose-headers").split(", ").collect();
	let read = ["content-range", "content-length", "etag", "retry-after", "accept-ranges"];
	for name in read.into_iter().chain(RESPONSE_HEADERS) {
		assert!(exposed.contains(&name), "{name} not in {exposed:?}");
	}
	let outboard = format!("{}/outboard", path(&w.big));
	for (route, status) in
		[(&*outboard, 200), ("/status", 200), ("/catalog", 200), (&path(&w.denied), 403)]
	{
		let response = get(route);
		assert_eq!(response.status(), status, "{route}");
		assert_eq!(header(&response, "access-control-allow-origin"), "*", "{route}");
	}
}

/// An agent that shows redirects instead of following them.
fn no_redirects() -> ureq::Agent {
	ureq::Agent::config_builder().http_status_as_error(false).max_redirects(0).build().into()
}

#[test]
fn the_app_is_served_under_app_with_its_policy() {
	let w = world();
	let dist = concat!(env!("CARGO_MANIFEST_DIR"), "/../../apps/wetube/dist/");
	for route in ["/", "/app"] {
		let response = no_redirects().get(w.gateway.url(route)).call().unwrap();
		assert_eq!(response.status(), 303, "{route}");
		assert_eq!(header(&response, "location"), "/app/");
	}
	let mut response = agent().get(w.gateway.url("/app/")).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8");
	assert_eq!(header(&response, "x-content-type-options"), "nosniff");
	assert_eq!(header(&response, "cache-control"), "no-cache");
	let csp = header(&response, "content-security-policy").to_string();
	for directive in [
		"default-src 'none'",
		"script-src 'self' 'wasm-unsafe-eval'",
		"connect-src *",
		"media-src 'self' blob:",
		"img-src 'self' data:",
		"object-src 'none'",
		"frame-ancestors 'none'",
	] {
		assert!(csp.split("; ").any(|d| d.starts_with(directive)), "{directive} not in {csp}");
	}
	assert_eq!(body(&mut response), std::fs::read(format!("{dist}index.html")).unwrap());

	let mut response = agent().get(w.gateway.url("/app/verifier.wasm")).call().unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(header(&response, "content-type"), "application/wasm");
	assert!(body(&mut response).starts_with(b"\0asm"));
	for script in ["app.js", "sw.js"] {
		let response = agent().get(w.gateway.url(&format!("/app/{script}"))).call().unwrap();
		assert_eq!(header(&response, "content-type"), "text/javascript; charset=utf-8");
	}

	let mut response = agent().get(w.gateway.url("/app/nope")).call().unwrap();
	assert_eq!(response.status(), 404);
	assert!(String::from_utf8(body(&mut response)).unwrap().contains("no such file"));
}

#[test]
fn an_app_file_the_browser_has_is_answered_304() {
	let w = world();
	let url = w.gateway.url("/app/app.js");
	let response = agent().get(&url).call().unwrap();
	assert_eq!(response.status(), 200);
	let etag = header(&response, "etag").to_string();
	assert!(etag.len() == 66 && etag.starts_with('"'), "{etag}");
	let response = agent().get(&url).header("if-none-match", &etag).call().unwrap();
	assert_eq!(response.status(), 304);
	assert_eq!(header(&response, "etag"), etag);
	// Another file's tag is not this one's.
	let other = agent().get(w.gateway.url("/app/sw.js")).call().unwrap();
	let response =
		agent().get(&url).header("if-none-match", header(&other, "etag")).call().unwrap();
	assert_eq!(response.status(), 200);
}
