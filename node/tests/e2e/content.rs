//! End to end against the real node: the content gateway of a `--dev` node (Dave's content
//! node) serves Charlie's sample catalog over HTTP, refuses what it must, and reports it.

use crate::common::Node;
use bitcloud_primitives::{content_id, deny_key};
use bitcloud_runtime::{genesis_presets::SAMPLE_CONTENT, RuntimeCall};
use polkadot_sdk::sp_keyring::Sr25519Keyring::{Charlie, Dave};

/// An HTTP agent that returns 4xx and 5xx answers instead of errors.
fn agent() -> ureq::Agent {
	ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
	response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
}

fn text(response: &mut ureq::http::Response<ureq::Body>) -> String {
	response.body_mut().read_to_string().expect("a text body")
}

#[test]
fn the_dev_node_serves_the_sample_catalog_over_http() {
	let node = Node::start_dev(&[]);
	let gateway = node.gateway_url();
	let agent = agent();
	node.wait_finalized(1);

	// Every sample item, byte for byte, with its catalog MIME type.
	for (title, mime, bytes) in SAMPLE_CONTENT {
		let id = hex(&content_id(bytes));
		let url = format!("{gateway}/content/{id}");
		let mut response = agent.get(&url).call().expect("GET");
		assert_eq!(response.status(), 200, "{title}");
		assert_eq!(header(&response, "content-type"), mime, "{title}");
		assert_eq!(header(&response, "etag"), format!("\"{id}\""));
		let body = response.body_mut().read_to_vec().expect("body");
		assert_eq!(body, bytes, "{title} is served byte-identical");

		let response = agent.head(&url).call().expect("HEAD");
		assert_eq!(response.status(), 200);
		assert_eq!(header(&response, "content-length"), bytes.len().to_string());
	}

	let (_, _, welcome) = SAMPLE_CONTENT[0];
	let welcome_url = format!("{gateway}/content/{}", hex(&content_id(welcome)));
	let size = welcome.len();

	// One range: 206.
	let mut response = agent.get(&welcome_url).header("range", "bytes=3-10").call().unwrap();
	assert_eq!(response.status(), 206);
	assert_eq!(header(&response, "content-range"), format!("bytes 3-10/{size}"));
	assert_eq!(response.body_mut().read_to_vec().unwrap(), &welcome[3..=10]);
	// Beyond the end: 416.
	let response =
		agent.get(&welcome_url).header("range", format!("bytes={size}-")).call().unwrap();
	assert_eq!(response.status(), 416);
	assert_eq!(header(&response, "content-range"), format!("bytes */{size}"));

	// Malformed and unknown ids.
	let mut response = agent.get(format!("{gateway}/content/not-an-id")).call().unwrap();
	assert_eq!(response.status(), 400);
	assert!(text(&mut response).contains("malformed content id"));
	let unknown = hex(&content_id(b"nobody listed this"));
	let response = agent.get(format!("{gateway}/content/{unknown}")).call().unwrap();
	assert_eq!(response.status(), 404);

	// Status: Dave's node, subscribed to Charlie, holding the samples.
	let mut response = agent.get(format!("{gateway}/status")).call().unwrap();
	assert_eq!(response.status(), 200);
	let status: serde_json::Value = serde_json::from_str(&text(&mut response)).unwrap();
	let ss58 = |who: polkadot_sdk::sp_keyring::Sr25519Keyring| {
		use polkadot_sdk::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
		who.to_account_id()
			.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
	};
	assert_eq!(status["node"], ss58(Dave));
	assert_eq!(status["subscriptions"], serde_json::json!([ss58(Charlie)]));
	assert_eq!(status["store"]["items"], SAMPLE_CONTENT.len());

	// The catalog lists the samples as stored.
	let mut response = agent.get(format!("{gateway}/catalog")).call().unwrap();
	let catalog: serde_json::Value = serde_json::from_str(&text(&mut response)).unwrap();
	let items = catalog["moderators"][0]["items"].as_array().expect("Charlie's items");
	assert_eq!(items.len(), SAMPLE_CONTENT.len());
	assert!(items.iter().all(|item| item["stored"] == true));

	// Charlie denies the welcome text: from the next block on, it is refused.
	node.execute(
		Charlie,
		RuntimeCall::Moderation(pallet_moderation::Call::deny_content {
			deny_key: deny_key(&content_id(welcome)),
		}),
	);
	let response = agent.get(&welcome_url).call().unwrap();
	assert_eq!(response.status(), 403);

	// The gateway's figures are in the node's Prometheus registry.
	let metrics = node.metrics();
	assert!(metrics.contains("bitcloud_content_bytes_served_total"), "{metrics}");
	assert!(metrics.contains("bitcloud_content_store_items"), "{metrics}");

	assert!(node.stop().success());
}
