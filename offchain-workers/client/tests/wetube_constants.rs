//! WeTube (`apps/wetube/src`) speaks the same protocol in JavaScript: its header names,
//! domain tags and download rules must be the Rust ones, which stay their one home. This
//! reads the app's sources and compares every such constant with the Rust definition, so a
//! change on one side that the other misses fails here, not in a viewer's browser.

use bitcloud_client::download::{MAX_RETRIES, MAX_RETRY_WAIT, RETRY_BACKOFF};
use bitcloud_content::protocol;
use std::{collections::HashMap, path::PathBuf};

/// The `export const NAME = VALUE;` lines of `apps/wetube/src/<file>`, VALUE as written.
fn constants(file: &str) -> HashMap<String, String> {
	let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../apps/wetube/src").join(file);
	let source = std::fs::read_to_string(&path)
		.unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
	source
		.lines()
		.filter_map(|line| line.strip_prefix("export const "))
		.filter_map(|rest| rest.trim_end_matches(';').split_once(" = "))
		.map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
		.collect()
}

/// The text of a JavaScript string constant (`'text'`) or of `stringToU8a('text')`.
fn text(value: &str) -> &str {
	value.trim_start_matches("stringToU8a(").trim_end_matches(')').trim_matches('\'')
}

/// A JavaScript number literal (with `_` separators) or `1 << n`.
fn number(value: &str) -> u64 {
	match value.split_once(" << ") {
		Some((base, shift)) => base.parse::<u64>().unwrap() << shift.parse::<u32>().unwrap(),
		None => value.replace('_', "").parse().unwrap_or_else(|_| panic!("not a number: {value}")),
	}
}

#[test]
fn the_apps_protocol_constants_are_the_rust_ones() {
	let js = constants("protocol.js");
	let same = |name: &str, rust: &str| {
		let value = js.get(name).unwrap_or_else(|| panic!("protocol.js has no {name}"));
		assert_eq!(text(value), rust, "{name}");
	};
	same("CLIENT_HEADER", protocol::CLIENT_HEADER);
	same("AUTH_HEADER", protocol::AUTH_HEADER);
	same("RECEIPT_HEADER", protocol::RECEIPT_HEADER);
	same("NODE_HEADER", protocol::NODE_HEADER);
	same("EPOCH_HEADER", protocol::EPOCH_HEADER);
	same("MODERATOR_HEADER", protocol::MODERATOR_HEADER);
	same("WINDOW_HEADER", protocol::WINDOW_HEADER);
	same("RECEIPT_HELD_HEADER", protocol::RECEIPT_HELD_HEADER);
	same("QUOTA_LEFT_HEADER", protocol::QUOTA_LEFT_HEADER);
	same("CONTENT_SIZE_HEADER", protocol::CONTENT_SIZE_HEADER);
	same("CHUNK_GROUP_LOG_HEADER", protocol::CHUNK_GROUP_LOG_HEADER);
	same("AUTH_DOMAIN", std::str::from_utf8(protocol::AUTH_DOMAIN).unwrap());
	assert_eq!(number(&js["AUTH_PERIOD_SECS"]), protocol::AUTH_PERIOD_SECS);
	// Every header of the Rust protocol has its JavaScript twin.
	let headers = js.keys().filter(|name| name.ends_with("_HEADER")).count();
	assert_eq!(headers, protocol::REQUEST_HEADERS.len() + protocol::RESPONSE_HEADERS.len());
}

#[test]
fn the_apps_domain_tags_and_download_rules_are_the_rust_ones() {
	let receipts = constants("receipts.js");
	let receipt_domain = std::str::from_utf8(bitcloud_primitives::receipt::RECEIPT_DOMAIN);
	assert_eq!(Ok(text(&receipts["RECEIPT_DOMAIN"])), receipt_domain);
	let replicas = constants("replicas.js");
	let replica_domain = std::str::from_utf8(bitcloud_client::replicas::REPLICA_DOMAIN);
	assert_eq!(Ok(text(&replicas["REPLICA_DOMAIN"])), replica_domain);

	let stream = constants("stream.js");
	assert_eq!(number(&stream["RANGE_BYTES"]), bitcloud_client::RANGE_BYTES);
	assert_eq!(number(&stream["STRIPE"]), bitcloud_client::DEFAULT_STRIPE as u64);
	assert_eq!(number(&stream["MAX_RETRIES"]), u64::from(MAX_RETRIES));
	assert_eq!(number(&stream["RETRY_BACKOFF_MS"]), RETRY_BACKOFF.as_millis() as u64);
	assert_eq!(number(&stream["MAX_RETRY_WAIT_MS"]), MAX_RETRY_WAIT.as_millis() as u64);
}
