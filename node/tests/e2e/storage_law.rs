//! End to end against the real node: the storage law. Dave's content node (the dev node's
//! own duties) answers every challenge, each naming several chunks, with proofs built from
//! its store, and stays active. Eve "deleted the files": she tries to fetch the chunks her
//! challenge names from Dave's gateway while it is open (fetch on demand) and is refused, so
//! she never answers, and walks `Active → Warned → Suspended → Banned` with her bond slashed,
//! each step visible as an event and in the runtime API. A bad proof fails with
//! `ProofInvalid` and changes nothing.

use crate::common::{account, counter, failure, succeeded, sudo, Node};
use bitcloud_content::to_hex;
use bitcloud_primitives::{
	content_id,
	storage_proof::{build_proof, CHUNK_LEN},
	ChallengeProofs, Standing,
};
use bitcloud_runtime::{configs::storage_law::FAST_PARAMS, Runtime, RuntimeCall, RuntimeEvent};
use codec::Encode;
use pallet_storage_law::{Challenge, ChallengeId, LawParams, StandingView};
use polkadot_sdk::{
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

/// The proofs for `challenge`, one per chunk, built from the sample file it names.
fn prove(files: &[Vec<u8>], challenge: &Challenge<AccountId32, u32>) -> ChallengeProofs {
	let bytes = files
		.iter()
		.find(|bytes| content_id(bytes) == challenge.content)
		.expect("challenges name sample files");
	let proofs: Vec<_> = challenge
		.chunks
		.iter()
		.map(|chunk| build_proof(bytes, *chunk).expect("the chunk exists"))
		.collect();
	proofs.try_into().expect("one proof per chunk")
}

/// What Dave's gateway answers to an unpaid request for `chunk` of `content`:
/// (status, `Retry-After`).
fn ask_gateway(gateway: &str, content: &[u8; 32], chunk: u64) -> (u16, Option<String>) {
	let (start, end) = (chunk * CHUNK_LEN, chunk * CHUNK_LEN + CHUNK_LEN - 1);
	let agent: ureq::Agent =
		ureq::Agent::config_builder().http_status_as_error(false).build().into();
	let response = agent
		.get(format!("{gateway}/content/{}", to_hex(content)))
		.header("range", format!("bytes={start}-{end}"))
		.call()
		.expect("the gateway answers");
	let retry = response.headers().get("retry-after").map(|v| v.to_str().unwrap_or("").to_string());
	(response.status().as_u16(), retry)
}

fn sudo_set_params(params: LawParams) -> RuntimeCall {
	sudo(RuntimeCall::StorageLaw(pallet_storage_law::Call::set_params { params }))
}

fn respond(id: ChallengeId, proofs: ChallengeProofs) -> RuntimeCall {
	RuntimeCall::StorageLaw(pallet_storage_law::Call::respond { challenge_id: id, proofs })
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

#[test]
fn dave_proves_storage_and_eve_is_banned() {
	let node = Node::start_dev(&[]);
	let gateway = node.gateway_url();
	let files = sample_files();
	node.wait_finalized(1);
	// The dev chain issues no challenges until root turns the law on.
	let events = node.execute(Alice, sudo_set_params(FAST_PARAMS));
	assert!(succeeded(&events), "{events:?}");

	// Both sample nodes are challenged in the first epoch, each on several chunks.
	let (eve_id, eve_challenge) =
		node.wait_for("Eve's first challenge", || pending(&node, Eve).into_iter().next());
	let size = files
		.iter()
		.find(|bytes| content_id(bytes) == eve_challenge.content)
		.map(|bytes| bytes.len() as u64)
		.expect("a sample file");
	let expected = (FAST_PARAMS.chunks_per_challenge as u64).min(size.div_ceil(CHUNK_LEN));
	assert_eq!(eve_challenge.chunks.len() as u64, expected, "{eve_challenge:?}");
	assert_eq!(standing(&node, Eve).map(|v| v.standing), Some(Standing::Active));

	// Eve deleted the file: she asks Dave's gateway for the chunks she must prove, unpaid,
	// while her challenge is open, and is told to come back after it closes.
	let (status, retry) = node.wait_for("Dave's gateway to refuse Eve's challenged chunk", || {
		let answer = ask_gateway(&gateway, &eve_challenge.content, eve_challenge.chunks[0]);
		(answer.0 != 206).then_some(answer)
	});
	assert_eq!(status, 503, "challenged chunks are refused");
	let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
	assert!((1..=60).contains(&retry), "Retry-After {retry}");
	let refused = counter(
		&node.metrics(),
		"bitcloud_content_challenged_ranges_total",
		"outcome=\"refused_unpaid\"",
	);
	assert!(refused >= 1.0, "the refusal is counted");

	// A bad proof fails with ProofInvalid and changes nothing: Eve's challenge stays pending.
	let mut bad = prove(&files, &eve_challenge);
	bad[0].chunk[0] ^= 1;
	let (from, _) = node.finalized_head();
	let bad_tx = node.submit(&node.sign(Eve, respond(eve_id, bad)).encode()).expect("accepted");
	let events = node.extrinsic_events(bad_tx, from);
	assert_eq!(
		failure(&events),
		Some(pallet_storage_law::Error::<Runtime>::ProofInvalid.into()),
		"{events:?}"
	);
	assert!(!events.iter().any(|e| matches!(e, RuntimeEvent::StorageLaw(_))), "{events:?}");

	// Dave's node answers every challenge by itself; Eve never does.
	let mut eve_steps = Vec::new();
	let deadline = std::time::Instant::now() + std::time::Duration::from_secs(600);
	loop {
		let eve = standing(&node, Eve).expect("Eve has a record");
		if eve_steps.last() != Some(&eve.standing) {
			eve_steps.push(eve.standing);
		}
		let dave = standing(&node, Dave).expect("Dave is a node");
		assert_eq!(dave.standing, Standing::Active, "Dave answers everything");
		assert_eq!(dave.total_strikes, 0);
		if eve.standing == Standing::Banned && dave.passed >= 3 {
			break;
		}
		assert!(
			std::time::Instant::now() < deadline,
			"Eve was not banned in time, or Dave did not answer: {eve_steps:?}, {dave:?}"
		);
		std::thread::sleep(std::time::Duration::from_secs(2));
	}
	assert_eq!(eve_steps.last(), Some(&Standing::Banned));
	let eve = standing(&node, Eve).unwrap();
	assert!(eve.total_strikes >= 3, "{eve:?}");
	let answered = counter(&node.metrics(), "bitcloud_challenges_answered_total", "");
	assert!(answered >= 3.0, "Dave's duties answered {answered} challenges");

	// Every step is an event, with a slash; the ban took the rest of the bond.
	let (finalized, _) = node.wait_finalized(node.best_number());
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
	assert!(events.iter().any(|e| matches!(
		e,
		pallet_storage_law::Event::ChallengePassed { node: who, .. } if *who == account(Dave)
	)));
	let eve_account = node.account(&account(Eve), None);
	assert_eq!(eve_account.data.reserved, 0, "Eve's bond is gone");
	let nodes_standing: Option<Standing> = node.runtime_api("NodesApi_standing", account(Eve));
	assert_eq!(nodes_standing, Some(Standing::Banned));

	assert!(node.stop().success());
}
