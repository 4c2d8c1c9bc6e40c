//! Fetch on demand, tried over real HTTP: a node that deleted content it must hold asks an
//! honest gateway for the chunks its storage challenge names, while the challenge is open.

mod common;

use bitcloud_content::protocol::{auth_period, sign_request_proof};
use bitcloud_primitives::{content_id, AccountId};
use common::*;
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::time::{Duration, Instant};

const GENESIS: H256 = H256::repeat_byte(0x42);

/// A gateway whose node serves `item` under moderator A, on a chain with receipts where
/// `payers` have quota, and chunks 3 and 40 of `item` are under a challenge closing in 30 s.
fn world(item: &[u8], payers: &[&sr25519::Pair]) -> TestGateway {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(item), item.len() as u64, "video/webm");
	*chain.genesis.lock().unwrap() = Some(GENESIS);
	chain.epoch.store(3, std::sync::atomic::Ordering::Relaxed);
	for payer in payers {
		let quota = bitcloud_content::Quota { quota: 1 << 30, used: 0 };
		chain.quotas.lock().unwrap().insert(payer.public().into(), quota);
	}
	let gateway = TestGateway::start(chain, &[item]);
	let closes = Instant::now() + Duration::from_secs(30);
	gateway.challenges.update([(content_id(item), vec![3, 40], closes)]);
	gateway
}

fn get(gateway: &TestGateway, item: &[u8], range: &str, payer: Option<&sr25519::Pair>) -> u16 {
	let mut request = agent()
		.get(gateway.url(&format!("/content/{}", hex(&content_id(item)))))
		.header("range", range);
	if let Some(payer) = payer {
		let period = auth_period(std::time::SystemTime::now());
		request = request
			.header("bitcloud-client", format!("0x{}", hex::encode(payer.public().0)))
			.header("bitcloud-auth", sign_request_proof(payer, &GENESIS, &node(), period));
	}
	request.call().unwrap().status().as_u16()
}

fn outcome(gateway: &TestGateway, outcome: &str) -> u64 {
	gateway.metrics.challenged_ranges.with_label_values(&[outcome]).get()
}

#[test]
fn challenged_chunks_are_refused_to_unpaid_requests_until_the_challenge_closes() {
	let item = bytes(100 * 1024, 1);
	let gateway = world(&item, &[]);
	// Chunk 3 is bytes 3072..=4095: asked alone, or within the whole item.
	let response = agent()
		.get(gateway.url(&format!("/content/{}", hex(&content_id(&item)))))
		.header("range", "bytes=3072-4095")
		.call()
		.unwrap();
	assert_eq!(response.status(), 503);
	let retry: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
	assert!((1..=30).contains(&retry), "Retry-After {retry}");
	assert_eq!(get(&gateway, &item, "bytes=0-", None), 503);
	assert_eq!(outcome(&gateway, "refused_unpaid"), 2);
	// Every other byte is served as usual, and HEAD says what there is.
	assert_eq!(get(&gateway, &item, "bytes=0-3071", None), 206);
	assert_eq!(get(&gateway, &item, "bytes=4096-40959", None), 206);
	// Once the challenge has closed the chunks are served again.
	gateway.challenges.update([(content_id(&item), vec![3, 40], Instant::now())]);
	assert_eq!(get(&gateway, &item, "bytes=0-", None), 206);
}

#[test]
fn a_registered_node_paying_with_receipts_is_refused_challenged_chunks() {
	let item = bytes(100 * 1024, 2);
	let lazy = sr25519::Pair::from_string("//Eve", None).unwrap();
	let gateway = world(&item, &[&lazy]);
	let lazy_account: AccountId = lazy.public().into();
	gateway.chain.nodes.lock().unwrap().insert(lazy_account);
	assert_eq!(get(&gateway, &item, "bytes=40960-41983", Some(&lazy)), 503);
	assert_eq!(outcome(&gateway, "refused_node"), 1);
	assert_eq!(get(&gateway, &item, "bytes=0-1023", Some(&lazy)), 206);
}

#[test]
fn a_paying_viewer_is_served_challenged_chunks_and_counted() {
	let item = bytes(100 * 1024, 3);
	let viewer = sr25519::Pair::from_string("//Ferdie", None).unwrap();
	let gateway = world(&item, &[&viewer]);
	assert_eq!(get(&gateway, &item, "bytes=0-16383", Some(&viewer)), 206);
	assert_eq!(outcome(&gateway, "served_paying"), 1);
}
