//! Clients that pay with receipts, over real HTTP: the gateway sends only as far as they sign,
//! refuses clients without quota before any byte, and takes only valid receipts.

mod common;

use bitcloud_content::{
	gateway::STREAM_BLOCK,
	protocol::{auth_period, sign_request_proof, AUTH_HEADER, CLIENT_HEADER},
	Quota, WINDOW_BYTES,
};
use bitcloud_primitives::{
	content_id,
	receipt::{self, Receipt},
	AccountId,
};
use codec::Encode;
use common::*;
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::io::Read;
use ureq::typestate::WithoutBody;

const GENESIS: H256 = H256::repeat_byte(0x42);

fn client() -> sr25519::Pair {
	sr25519::Pair::from_string("//Ferdie", None).unwrap()
}

fn eve() -> sr25519::Pair {
	sr25519::Pair::from_string("//Eve", None).unwrap()
}

fn client_hex() -> String {
	format!("0x{}", hex::encode(client().public().0))
}

/// `pair`'s proof that its requests to the node in the current period are its own.
fn proof(pair: &sr25519::Pair) -> String {
	let period = auth_period(std::time::SystemTime::now());
	sign_request_proof(pair, &GENESIS, &node(), period)
}

/// A gateway on a chain with receipts, whose node serves `item` under moderator A; the
/// client has a quota unless `quota` is zero.
fn world(item: &[u8], quota: u64) -> TestGateway {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(item), item.len() as u64, "video/mp4");
	*chain.genesis.lock().unwrap() = Some(GENESIS);
	chain.epoch.store(3, std::sync::atomic::Ordering::Relaxed);
	let client: AccountId = client().public().into();
	chain.quotas.lock().unwrap().insert(client, Quota { quota, used: 0 });
	TestGateway::start(chain, &[item])
}

fn signed(bytes: u64, epoch: u32) -> String {
	let receipt = Receipt {
		client: client().public().into(),
		node: node(),
		epoch,
		moderator: Some(moderator_a()),
		bytes,
	};
	hex::encode(receipt::sign(receipt, &client(), &GENESIS).encode())
}

fn url(gateway: &TestGateway, item: &[u8]) -> String {
	gateway.url(&format!("/content/{}", hex(&content_id(item))))
}

/// A `GET` of `item` by the client, naming itself and proving it.
fn paying_get(gateway: &TestGateway, item: &[u8]) -> ureq::RequestBuilder<WithoutBody> {
	agent()
		.get(url(gateway, item))
		.header(CLIENT_HEADER, client_hex())
		.header(AUTH_HEADER, proof(&client()))
}

#[test]
fn a_client_that_never_signs_is_cut_off_after_the_window() {
	let item = bytes(WINDOW_BYTES as usize * 3, 1);
	let gateway = world(&item, 1 << 40);
	let response = paying_get(&gateway, &item).call();
	let response = response.unwrap();
	assert_eq!(response.status(), 200);
	assert_eq!(response.headers()["bitcloud-node"], format!("0x{}", hex::encode(node())));
	assert_eq!(response.headers()["bitcloud-epoch"], "3");
	let mut received = Vec::new();
	// The body ends early: the connection is cut once the window is spent.
	let _ = response.into_body().into_reader().read_to_end(&mut received);
	assert!(received.len() as u64 <= WINDOW_BYTES, "{} bytes received", received.len());
	assert!(received.len() as u64 >= WINDOW_BYTES - STREAM_BLOCK, "{}", received.len());
	assert_eq!(&received[..], &item[..received.len()]);
	// And no further range is sent until a receipt arrives.
	let refused = paying_get(&gateway, &item).header("range", "bytes=0-1023").call().unwrap();
	assert_eq!(refused.status(), 402);
}

#[test]
fn a_client_that_signs_as_it_goes_gets_everything_and_the_node_holds_its_receipt() {
	let item = bytes(WINDOW_BYTES as usize * 2 + 5, 2);
	let gateway = world(&item, 1 << 40);
	let window = gateway.window.clone().expect("a signing window");
	let step = 1 << 20;
	let mut offset = 0u64;
	let mut receipt = None;
	while offset < item.len() as u64 {
		let end = (offset + step).min(item.len() as u64);
		let mut request =
			paying_get(&gateway, &item).header("range", format!("bytes={offset}-{}", end - 1));
		if let Some(receipt) = &receipt {
			request = request.header("bitcloud-receipt", receipt);
		}
		let mut response = request.call().unwrap();
		assert_eq!(response.status(), 206, "at {offset}");
		let body = response.body_mut().with_config().limit(1 << 24).read_to_vec().unwrap();
		assert_eq!(&body[..], &item[offset as usize..end as usize]);
		receipt = Some(signed(end, 3));
		offset = end;
	}
	let response =
		agent().post(gateway.url("/receipts")).send(&hex::decode(receipt.unwrap()).unwrap()[..]);
	assert_eq!(response.unwrap().status(), 200);
	let key = window.key(client().public().into(), 3, Some(moderator_a()));
	assert_eq!(window.figures(&key), (item.len() as u64, item.len() as u64));
}

#[test]
fn a_request_overtaken_by_a_newer_receipt_is_served_and_its_older_receipt_ignored() {
	let item = bytes(3 << 20, 7);
	let gateway = world(&item, 1 << 40);
	let window = gateway.window.clone().expect("a signing window");
	let key = window.key(client().public().into(), 3, Some(moderator_a()));
	let get = |range: &str, receipt: Option<String>| {
		let mut request = paying_get(&gateway, &item).header("range", range);
		if let Some(receipt) = receipt {
			request = request.header("bitcloud-receipt", receipt);
		}
		let mut response = request.call().unwrap();
		let status = response.status();
		let _ = response.body_mut().with_config().limit(1 << 24).read_to_vec();
		status
	};
	// Two ranges fetched, the second's receipt arriving first (requests under way at once).
	assert_eq!(get("bytes=0-1048575", None), 206);
	assert_eq!(get("bytes=1048576-2097151", None), 206);
	assert_eq!(get("bytes=2097152-2359295", Some(signed(2 << 20, 3))), 206);
	assert_eq!(window.figures(&key), ((2 << 20) + (1 << 18), 2 << 20));
	// The older receipt on the next request: served, and the held receipt is kept.
	assert_eq!(get("bytes=2359296-3145727", Some(signed(1 << 20, 3))), 206);
	assert_eq!(window.figures(&key), (3 << 20, 2 << 20));
	// Offered on its own, it is refused with the reason, and nothing changes.
	let stale = hex::decode(signed(1 << 20, 3)).unwrap();
	let mut response = agent().post(gateway.url("/receipts")).send(&stale[..]).unwrap();
	assert_eq!(response.status(), 400);
	let reason = response.body_mut().read_to_string().unwrap();
	assert!(reason.contains("does not count more than the 2097152 bytes"), "{reason}");
	assert_eq!(window.figures(&key), (3 << 20, 2 << 20));
}

#[test]
fn clients_without_quota_bad_receipts_and_bad_headers_are_refused() {
	let item = bytes(100_000, 3);
	// No quota: 402 before any byte.
	let gateway = world(&item, 0);
	let mut response = paying_get(&gateway, &item).call().unwrap();
	assert_eq!(response.status(), 402);
	assert!(response.body_mut().read_to_string().unwrap().contains("bitcloud lock"));
	// Anonymous requests are still served (unpaid).
	assert_eq!(agent().get(url(&gateway, &item)).call().unwrap().status(), 200);

	let gateway = world(&item, 1 << 30);
	let cases = [
		(vec![("bitcloud-client", "0x1234".to_string())], 400, "64 hex digits"),
		(
			vec![
				("bitcloud-client", client_hex()),
				("bitcloud-auth", proof(&client())),
				("bitcloud-receipt", "zz".into()),
			],
			400,
			"not a SCALE-encoded signed receipt",
		),
		// A receipt for bytes never sent.
		(
			vec![
				("bitcloud-client", client_hex()),
				("bitcloud-auth", proof(&client())),
				("bitcloud-receipt", signed(10, 3)),
			],
			400,
			"more than the 0 bytes sent",
		),
		// Another client's receipt.
		(
			vec![
				("bitcloud-client", format!("0x{}", hex::encode(eve().public().0))),
				("bitcloud-auth", proof(&eve())),
				("bitcloud-receipt", signed(10, 3)),
			],
			400,
			"another client's",
		),
	];
	for (headers, status, reason) in cases {
		let mut request = agent().get(url(&gateway, &item));
		for (name, value) in &headers {
			request = request.header(*name, value);
		}
		let mut response = request.call().unwrap();
		assert_eq!(response.status(), status, "{headers:?}");
		assert!(response.body_mut().read_to_string().unwrap().contains(reason), "{headers:?}");
	}
	let response = agent().post(gateway.url("/receipts")).send(&[1u8, 2, 3][..]).unwrap();
	assert_eq!(response.status(), 400);
	let response = agent().post(gateway.url("/receipts")).send(&[0u8; 2048][..]).unwrap();
	assert_eq!(response.status(), 413);
}

#[test]
fn a_gateway_on_a_chain_without_receipts_says_so() {
	let item = bytes(1000, 4);
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.list(moderator_a(), content_id(&item), item.len() as u64, "");
	let gateway = TestGateway::start(chain, &[&item]);
	let response = paying_get(&gateway, &item).call().unwrap();
	assert_eq!(response.status(), 503);
	assert_eq!(agent().post(gateway.url("/receipts")).send(&[0u8][..]).unwrap().status(), 503);
}

#[test]
fn a_small_object_served_from_memory_is_still_paid_for() {
	// 200 KiB: kept whole in memory after its first read (`bitcloud_content::hot`), so every
	// answer after the first takes no disk read; a client that never signs must still be
	// stopped once its window of unreceipted bytes is spent.
	let item = bytes(200 * 1024, 8);
	let gateway = world(&item, 1 << 40);
	let mut served = 0u64;
	loop {
		let response = paying_get(&gateway, &item).call().unwrap();
		if response.status() == 402 {
			break;
		}
		assert_eq!(response.status(), 200);
		let body = response.into_body().with_config().limit(1 << 20).read_to_vec().unwrap();
		assert_eq!(body, item);
		served += body.len() as u64;
		assert!(served <= WINDOW_BYTES, "{served} bytes sent without a receipt");
	}
	assert!(gateway.store.hot().get(&content_id(&item)).is_some(), "not served from memory");
	assert!(served > WINDOW_BYTES - item.len() as u64, "cut off early: {served} bytes");
	let window = gateway.window.clone().expect("a signing window");
	let client: AccountId = client().public().into();
	assert_eq!(window.sent_in_epoch(&client, 3), served);
}

#[test]
fn a_client_is_never_sent_more_than_its_quota_left() {
	// The attack of issue 15: 1 MiB of quota, a 3 MiB item.
	let item = bytes(3 << 20, 5);
	let gateway = world(&item, 1 << 20);
	let paying = |range: Option<&str>, receipt: Option<&String>| {
		let mut request = paying_get(&gateway, &item);
		if let Some(range) = range {
			request = request.header("range", range);
		}
		if let Some(receipt) = receipt {
			request = request.header("bitcloud-receipt", receipt);
		}
		request.call().unwrap()
	};
	// The whole item at once is more than the client can pay for: refused before any byte.
	let mut whole = paying(None, None);
	assert_eq!(whole.status(), 402);
	assert_eq!(whole.headers()["bitcloud-quota-left"], (1u64 << 20).to_string());
	assert!(whole.body_mut().read_to_string().unwrap().contains("quota"));
	// The first MiB is served (and announced as all that is left)...
	let first = paying(Some("bytes=0-1048575"), None);
	assert_eq!(first.status(), 206);
	assert_eq!(first.headers()["bitcloud-quota-left"], (1u64 << 20).to_string());
	let body = first.into_body().with_config().limit(1 << 24).read_to_vec().unwrap();
	assert_eq!(body.len(), 1 << 20);
	// ... and, though the client signs for it, not one byte more this epoch.
	let receipt = signed(1 << 20, 3);
	let mut refused = paying(Some("bytes=1048576-1049599"), Some(&receipt));
	assert_eq!(refused.status(), 402);
	assert_eq!(refused.headers()["bitcloud-quota-left"], "0");
	assert!(refused.body_mut().read_to_string().unwrap().contains("used up"));
	let window = gateway.window.clone().expect("a signing window");
	let client: AccountId = client().public().into();
	assert_eq!(window.sent_in_epoch(&client, 3), 1 << 20);
}

#[test]
fn what_the_chain_already_credited_counts_against_the_quota() {
	let item = bytes(1 << 20, 6);
	let gateway = world(&item, 1 << 20);
	let client_id: AccountId = client().public().into();
	// Other nodes were credited 3/4 of the client's quota this epoch.
	gateway.chain.quotas.lock().unwrap().insert(client_id, Quota { quota: 1 << 20, used: 3 << 18 });
	let response = paying_get(&gateway, &item).call().unwrap();
	assert_eq!(response.status(), 402);
	assert_eq!(response.headers()["bitcloud-quota-left"], (1u64 << 18).to_string());
	let response = paying_get(&gateway, &item)
		.header("range", format!("bytes=0-{}", (1 << 18) - 1))
		.call()
		.unwrap();
	assert_eq!(response.status(), 206);
}

#[test]
fn nobody_can_use_up_a_clients_window_in_its_name() {
	let item = bytes(WINDOW_BYTES as usize * 2, 7);
	let gateway = world(&item, 1 << 40);
	let name_ferdie = |proof: Option<String>| {
		let mut request = agent()
			.get(url(&gateway, &item))
			.header("bitcloud-client", client_hex())
			.header("range", "bytes=0-1048575");
		if let Some(proof) = proof {
			request = request.header("bitcloud-auth", proof);
		}
		request.call().unwrap()
	};
	let stale = sign_request_proof(&client(), &GENESIS, &node(), 1);
	let other_node = sign_request_proof(
		&client(),
		&GENESIS,
		&moderator_a(),
		auth_period(std::time::SystemTime::now()),
	);
	let attempts = [
		(None, "must carry Bitcloud-Auth"),
		(Some(proof(&eve())), "not the client's signature"),
		(Some("12.ab".to_string()), "128 hex digits"),
		(Some(stale), "check the clock"),
		(Some(other_node), "not the client's signature"),
	];
	for (attempt, reason) in attempts {
		let mut response = name_ferdie(attempt.clone());
		assert_eq!(response.status(), 401, "{attempt:?}");
		assert_eq!(response.headers()["bitcloud-node"], format!("0x{}", hex::encode(node())));
		assert!(response.body_mut().read_to_string().unwrap().contains(reason), "{attempt:?}");
	}
	// Ferdie's window is untouched: he is served as if nothing happened.
	let window = gateway.window.clone().expect("a signing window");
	let ferdie: AccountId = client().public().into();
	assert_eq!(window.sent_in_epoch(&ferdie, 3), 0);
	assert_eq!(name_ferdie(Some(proof(&client()))).status(), 206);
}
