//! The gateway asking the chain through a [`bitcloud_content::CachedChain`], over real HTTP:
//! a listed item is served without asking the chain again in the same block, a new block
//! asks again (a denial or a delisting takes effect at once), a chain that could not answer
//! is asked again, and made-up ids keep the cache within its bound.

mod common;

use bitcloud_content::{
	chain_cache::MAX_ANSWERS,
	protocol::{auth_period, sign_request_proof, AUTH_HEADER, CLIENT_HEADER},
	Quota,
};
use bitcloud_primitives::{content_id, AccountId};
use common::*;
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::sync::atomic::Ordering;

const GENESIS: H256 = H256::repeat_byte(0x42);

/// A cached gateway whose node subscribes to moderators A and B; A lists `item`, which is
/// stored; the chain is at its first block.
fn world(item: &[u8], cap: usize) -> TestGateway {
	let chain = MemoryChain::default();
	chain.subscribe(node(), moderator_a());
	chain.subscribe(node(), moderator_b());
	chain.list(moderator_a(), content_id(item), item.len() as u64, "text/plain");
	*chain.genesis.lock().unwrap() = Some(GENESIS);
	chain.epoch.store(3, Ordering::Relaxed);
	chain.new_block();
	TestGateway::start_with(chain, &[item], Setup { cache: Some(cap), ..Setup::default() })
}

fn get(gateway: &TestGateway, item: &[u8]) -> u16 {
	get_id(gateway, &hex(&content_id(item)))
}

fn get_id(gateway: &TestGateway, id: &str) -> u16 {
	let answer = agent().get(gateway.url(&format!("/content/{id}"))).call().unwrap();
	answer.status().as_u16()
}

#[test]
fn a_listed_item_is_served_without_asking_the_chain_again_in_the_same_block() {
	let item = b"a small catalog item".to_vec();
	let gateway = world(&item, MAX_ANSWERS);
	assert_eq!(get(&gateway, &item), 200);
	let asked = gateway.chain.calls();
	assert!(asked > 0);
	for _ in 0..5 {
		assert_eq!(get(&gateway, &item), 200);
	}
	assert_eq!(gateway.chain.calls(), asked, "the chain was asked again in the same block");
	gateway.chain.new_block();
	assert_eq!(get(&gateway, &item), 200);
	assert!(gateway.chain.calls() > asked, "a new block must ask the chain again");
}

#[test]
fn a_denial_or_a_delisting_takes_effect_at_the_next_block() {
	let item = b"content a moderator changes its mind about".to_vec();
	let gateway = world(&item, MAX_ANSWERS);
	assert_eq!(get(&gateway, &item), 200);
	// On a real chain the deny list changes only with a block; here the answers of the block
	// already asked stand until the next one.
	gateway.chain.deny(moderator_b(), content_id(&item));
	assert_eq!(get(&gateway, &item), 200);
	gateway.chain.new_block();
	assert_eq!(get(&gateway, &item), 403, "a denial must take effect at the next block");

	let other = b"content that leaves the catalog".to_vec();
	let gateway = world(&other, MAX_ANSWERS);
	assert_eq!(get(&gateway, &other), 200);
	gateway.chain.delist(moderator_a(), content_id(&other));
	gateway.chain.new_block();
	assert_eq!(get(&gateway, &other), 404, "a delisting must take effect at the next block");
}

#[test]
fn a_chain_that_could_not_answer_is_asked_again() {
	let item = b"served once the chain is back".to_vec();
	let gateway = world(&item, MAX_ANSWERS);
	gateway.chain.failing.store(true, Ordering::Relaxed);
	assert_eq!(get(&gateway, &item), 503);
	assert_eq!(get(&gateway, &item), 503);
	gateway.chain.failing.store(false, Ordering::Relaxed);
	assert_eq!(get(&gateway, &item), 200, "an unavailable chain's answer was kept");
	assert!(gateway.cache.as_ref().is_some_and(|cache| !cache.is_empty()));
}

#[test]
fn made_up_ids_keep_the_cache_bounded_and_push_out_no_listed_item() {
	let item = b"the item everybody wants".to_vec();
	let cap = 16;
	let gateway = world(&item, cap);
	let cache = gateway.cache.clone().unwrap();
	assert_eq!(get(&gateway, &item), 200);
	for n in 0..(8 * cap as u32) {
		let id = blake3::hash(&n.to_le_bytes());
		assert_eq!(get_id(&gateway, id.to_hex().as_str()), 404);
		// Kept: the epoch (asked at start) and the node's subscriptions, then per moderator
		// its deny list's and its catalog's answers, the leases of ids no catalog lists and
		// the verdicts made of them, each kind up to `cap`.
		assert!(cache.len() <= 2 + 4 * cap, "{} answers kept", cache.len());
	}
	let asked = gateway.chain.calls();
	assert_eq!(get(&gateway, &item), 200);
	assert_eq!(gateway.chain.calls(), asked, "the listed item's answers were pushed out");
}

fn client() -> sr25519::Pair {
	sr25519::Pair::from_string("//Ferdie", None).unwrap()
}

/// A `GET` of `item` by the paying client; the status.
fn paying_get(gateway: &TestGateway, item: &[u8]) -> u16 {
	let period = auth_period(std::time::SystemTime::now());
	let proof = sign_request_proof(&client(), &GENESIS, &node(), period);
	let url = gateway.url(&format!("/content/{}", hex(&content_id(item))));
	let answer = agent()
		.get(url)
		.header(CLIENT_HEADER, format!("0x{}", hex::encode(client().public().0)))
		.header(AUTH_HEADER, proof)
		.call()
		.unwrap();
	answer.status().as_u16()
}

#[test]
fn a_paying_clients_epoch_and_quota_are_asked_once_per_block() {
	let item = b"paid for with receipts".to_vec();
	let gateway = world(&item, MAX_ANSWERS);
	let payer: AccountId = client().public().into();
	gateway.chain.quotas.lock().unwrap().insert(payer.clone(), Quota { quota: 1 << 20, used: 0 });
	assert_eq!(paying_get(&gateway, &item), 200);
	let asked = gateway.chain.calls();
	assert_eq!(paying_get(&gateway, &item), 200);
	assert_eq!(gateway.chain.calls(), asked, "the chain was asked again in the same block");
	// The client's coins are unlocked: from the next block it has no quota.
	gateway.chain.quotas.lock().unwrap().insert(payer, Quota::default());
	gateway.chain.new_block();
	assert_eq!(paying_get(&gateway, &item), 402);
}
