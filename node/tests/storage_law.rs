//! End to end against the real node: the storage law. The test plays the nodes' off-chain
//! service: Dave answers every challenge with a proof built from the sample files and stays
//! active; Eve "deleted the files", never answers, and walks `Active → Warned → Suspended →
//! Banned` with her bond slashed, each step visible as an event and in the runtime API. A bad
//! proof fails with `ProofInvalid` and changes nothing.

mod common;

use std::collections::BTreeSet;

use bitcloud_primitives::{content_id, storage_proof::build_proof, Standing, StorageProof};
use bitcloud_runtime::{configs::storage_law::FAST_PARAMS, Runtime, RuntimeCall, RuntimeEvent};
use codec::Encode;
use common::{account, failure, succeeded, sudo, Node};
use pallet_storage_law::{Challenge, ChallengeId, LawParams, StandingView};
use polkadot_sdk::{
	sp_core::H256,
	sp_keyring::Sr25519Keyring::{self, Alice, Dave, Eve},
	sp_runtime::AccountId32,
};

type Pending = Vec<(ChallengeId, Challenge<AccountId32, u32>)>;

/// The sample files of the development preset (`runtime/sample-content/`).
fn sample_files() -> Vec<Vec<u8>> {
	let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../runtime/sample-content");
	["welcome.txt", "about.md"]
		.iter()
		.map(|name| std::fs::read(format!("{dir}/{name}")).expect("sample file"))
		.collect()
}

fn pending(node: &Node, who: Sr25519Keyring) -> Pending {
	node.runtime_api("StorageLawApi_pending_challenges", account(who))
}

fn standing(node: &Node, who: Sr25519Keyring) -> Option<StandingView> {
	node.runtime_api("StorageLawApi_standing", account(who))
}

/// The proof for `challenge`, built from the sample file it names, as a node's service does.
fn prove(files: &[Vec<u8>], challenge: &Challenge<AccountId32, u32>) -> StorageProof {
	let bytes = files
		.iter()
		.find(|bytes| content_id(bytes) == challenge.content)
		.expect("challenges name sample files");
	build_proof(bytes, challenge.chunk).expect("the chunk exists")
}

fn sudo_set_params(params: LawParams) -> RuntimeCall {
	sudo(RuntimeCall::StorageLaw(pallet_storage_law::Call::set_params { params }))
}

fn respond(id: ChallengeId, proof: StorageProof) -> RuntimeCall {
	RuntimeCall::StorageLaw(pallet_storage_law::Call::respond { challenge_id: id, proof })
}

/// The storage-law events of every block from `from` to `to` (best chain).
fn law_events(node: &Node, from: u32, to: u32) -> Vec<pallet_storage_law::Event<Runtime>> {
	(from..=to)
		.flat_map(|n| node.events(node.block_hash(n)))
		.filter_map(|record| match record.event {
			RuntimeEvent::StorageLaw(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn best_number(node: &Node) -> u32 {
	let hash: H256 = node.call("chain_getBlockHash", serde_json::json!([]));
	node.block_number(hash)
}

#[test]
fn dave_proves_storage_and_eve_is_banned() {
	let node = Node::start_dev(&["--no-content"]);
	let files = sample_files();
	node.wait_finalized(1);
	// The dev chain issues no challenges until root turns the law on.
	let events = node.execute(Alice, sudo_set_params(FAST_PARAMS));
	assert!(succeeded(&events), "{events:?}");

	// Both sample nodes are challenged in the first epoch.
	let first = node.wait_for("Dave's first challenge", || {
		let p = pending(&node, Dave);
		(!p.is_empty()).then_some(p)
	});
	assert!(!pending(&node, Eve).is_empty(), "Eve is challenged too");
	assert_eq!(standing(&node, Eve).map(|v| v.standing), Some(Standing::Active));

	// A bad proof fails with ProofInvalid and changes nothing: submitted together with the
	// good one (next nonce) so that both land well before the 5-block deadline; the good one
	// passing shows the challenge was still pending after the bad one.
	let (id, challenge) = first[0].clone();
	let mut bad = prove(&files, &challenge);
	bad.chunk[0] ^= 1;
	let before = standing(&node, Dave);
	let (from, _) = node.finalized_head();
	let bad_tx = node.submit(&node.sign(Dave, respond(id, bad)).encode()).expect("accepted");
	let good_tx = node
		.submit(&node.sign(Dave, respond(id, prove(&files, &challenge))).encode())
		.expect("accepted");
	let events = node.extrinsic_events(bad_tx, from);
	assert_eq!(
		failure(&events),
		Some(pallet_storage_law::Error::<Runtime>::ProofInvalid.into()),
		"{events:?}"
	);
	assert!(!events.iter().any(|e| matches!(e, RuntimeEvent::StorageLaw(_))), "{events:?}");
	let events = node.extrinsic_events(good_tx, from);
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::StorageLaw(
		pallet_storage_law::Event::ChallengePassed { challenge_id: id, node: account(Dave) }
	)));
	let after = standing(&node, Dave).expect("Dave is a node");
	let before = before.expect("Dave is a node");
	assert_eq!((after.passed, after.total_strikes), (before.passed + 1, 0));

	// Dave's service: answer every challenge until Eve is banned, and a few epochs at least.
	let mut answered = BTreeSet::from([id]);
	let mut eve_steps = Vec::new();
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
	loop {
		for (id, challenge) in pending(&node, Dave) {
			if answered.insert(id) {
				let events = node.execute(Dave, respond(id, prove(&files, &challenge)));
				assert!(succeeded(&events), "Dave's proof for challenge {id}: {events:?}");
				assert!(events.contains(&RuntimeEvent::StorageLaw(
					pallet_storage_law::Event::ChallengePassed {
						challenge_id: id,
						node: account(Dave),
					}
				)));
			}
		}
		let eve = standing(&node, Eve).expect("Eve has a record");
		if eve_steps.last() != Some(&eve.standing) {
			eve_steps.push(eve.standing);
		}
		let dave = standing(&node, Dave).expect("Dave is a node");
		assert_eq!(dave.standing, Standing::Active, "Dave answers everything");
		assert_eq!(dave.total_strikes, 0);
		if eve.standing == Standing::Banned && answered.len() >= 4 {
			break;
		}
		assert!(std::time::Instant::now() < deadline, "Eve was not banned in time: {eve_steps:?}");
		std::thread::sleep(std::time::Duration::from_secs(2));
	}
	assert_eq!(eve_steps.last(), Some(&Standing::Banned));
	let eve = standing(&node, Eve).unwrap();
	assert!(eve.total_strikes >= 3, "{eve:?}");

	// Every step is an event, with a slash; the ban took the rest of the bond.
	let (finalized, _) = node.wait_finalized(best_number(&node));
	let events = law_events(&node, 1, finalized);
	let lowered: Vec<(Standing, Standing)> = events
		.iter()
		.filter_map(|e| match e {
			pallet_storage_law::Event::StandingLowered { node: who, from, to, slashed }
				if *who == account(Eve) =>
			{
				assert!(*slashed > 0, "each step slashes");
				Some((*from, *to))
			},
			_ => None,
		})
		.collect();
	assert_eq!(
		lowered,
		vec![
			(Standing::Active, Standing::Warned),
			(Standing::Warned, Standing::Suspended),
			(Standing::Suspended, Standing::Banned),
		]
	);
	assert!(events.iter().any(|e| matches!(
		e,
		pallet_storage_law::Event::ChallengeMissed { node: who, .. } if *who == account(Eve)
	)));
	assert!(!events.iter().any(|e| matches!(
		e,
		pallet_storage_law::Event::StrikeRecorded { node: who, .. } if *who == account(Dave)
	)));
	let eve_account = node.account(&account(Eve), None);
	assert_eq!(eve_account.data.reserved, 0, "Eve's bond is gone");
	let nodes_standing: Option<Standing> = node.runtime_api("NodesApi_standing", account(Eve));
	assert_eq!(nodes_standing, Some(Standing::Banned));

	assert!(node.stop().success());
}
