//! A network of validators, as operators run it: four validators of `--chain local` finalize,
//! survive the loss of one, stall without a two-thirds majority and resume when the lost ones
//! restart from their base paths; a fifth operator rotates keys on its node with `bitcloud
//! validator keys`, root adds it and removes another, and the set follows at the session after
//! next. Bad calls to the validator set fail with their error and change nothing.

use crate::common::*;
use bitcloud_runtime::{Runtime, RuntimeCall};
use polkadot_sdk::{
	sp_core::{crypto::AccountId32, H256},
	sp_keyring::Sr25519Keyring,
	sp_runtime::DispatchError,
};
use serde_json::json;
use std::{path::Path, process::Command};

/// Blocks per epoch (and so per session) of the test network: the shortest the runtime
/// allows, so that validator changes take effect within a minute.
const SESSION_BLOCKS: u32 = 5;

/// The local test chain with sessions of [`SESSION_BLOCKS`], written to `dir`.
fn local_spec(dir: &Path) -> String {
	let output = Command::new(env!("CARGO_BIN_EXE_bitcloud-node"))
		.args(["export-chain-spec", "--chain", "local"])
		.output()
		.expect("the node exports its chain spec");
	assert!(output.status.success(), "{}", text(&output.stderr));
	let mut spec: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON spec");
	spec["genesis"]["runtimeGenesis"]["patch"]["epochs"]["epochLength"] = json!(SESSION_BLOCKS);
	let path = dir.join("local.json");
	std::fs::write(&path, spec.to_string()).expect("spec written");
	path.to_str().expect("UTF-8 path").to_owned()
}

/// An operator's node on the test network: its chain spec, identity flags (`--alice`, or
/// `--validator --name Eve`), base path and the bootnode it dials.
struct Operator {
	spec: String,
	flags: Vec<&'static str>,
	base_path: String,
	port: u16,
}

impl Operator {
	/// An operator whose base path is `dir/name`, with the network key a validator must
	/// have before it starts (`key generate-node-key`).
	fn new(spec: &str, dir: &Path, name: &str, flags: &[&'static str]) -> Operator {
		let base_path = dir.join(name).to_str().expect("UTF-8 path").to_owned();
		let output = Command::new(env!("CARGO_BIN_EXE_bitcloud-node"))
			.args(["key", "generate-node-key", "--chain", spec, "--base-path", &base_path])
			.output()
			.expect("the node generates a network key");
		assert!(output.status.success(), "{}", text(&output.stderr));
		Operator { spec: spec.to_owned(), flags: flags.to_vec(), base_path, port: free_port() }
	}

	/// Starts (or restarts, from the same base path and port) the operator's node.
	fn start(&self, bootnode: Option<&str>) -> Node {
		let port = self.port.to_string();
		let mut args = vec!["--chain", &self.spec, "--base-path", &self.base_path];
		args.extend(["--port", &port, "--rpc-port", "0", "--prometheus-port", "0"]);
		args.extend(["--no-mdns", "--no-telemetry"]);
		args.extend(&self.flags);
		if let Some(bootnode) = bootnode {
			args.extend(["--bootnodes", bootnode]);
		}
		Node::start(&args).with_p2p_port(self.port)
	}
}

/// The validators of the session in force at the best block.
fn session_validators(node: &Node) -> Vec<AccountId32> {
	let key = polkadot_sdk::pallet_session::Validators::<Runtime>::hashed_key();
	node.decoded_storage(&key, None).unwrap_or_default()
}

/// How many blocks this node has authored, from its log.
fn blocks_authored(node: &Node) -> usize {
	node.log().iter().filter(|line| line.contains("Pre-sealed block for proposal")).count()
}

/// Waits until the best block is `blocks` past what it is now.
fn wait_blocks(node: &Node, blocks: u32) {
	let start = node.best_number();
	node.wait_for(&format!("{blocks} more blocks"), || {
		(node.best_number() >= start + blocks).then_some(())
	});
}

/// Every node's hash of the finalized block `number` (waits for each to finalize it).
fn finalized_hashes(nodes: &[&Node], number: u32) -> Vec<H256> {
	nodes
		.iter()
		.map(|node| {
			node.wait_finalized(number);
			node.block_hash(number)
		})
		.collect()
}

#[test]
fn four_validators_finalize_lose_one_stall_at_two_and_take_in_a_new_validator() {
	let dir = tempfile::tempdir().expect("temporary directory");
	let spec = local_spec(dir.path());
	let [alice, bob, charlie, dave] =
		[("alice", "--alice"), ("bob", "--bob"), ("charlie", "--charlie"), ("dave", "--dave")]
			.map(|(name, flag)| Operator::new(&spec, dir.path(), name, &[flag]));
	let alice_node = alice.start(None);
	let bootnode = alice_node.p2p_address();
	let bob_node = bob.start(Some(&bootnode));
	let charlie_node = charlie.start(Some(&bootnode));
	let dave_node = dave.start(Some(&bootnode));

	// Four of four: blocks are finalized.
	alice_node.wait_finalized(3);

	// Three of four (more than two thirds): finality goes on.
	dave_node.kill();
	let (before, _) = alice_node.finalized_head();
	alice_node.wait_finalized(before + 3);

	// Two of four: Alice and Bob still author in their slots, but nothing is finalized.
	charlie_node.kill();
	wait_blocks(&alice_node, 2);
	let (stalled, _) = alice_node.finalized_head();
	wait_blocks(&alice_node, 4);
	assert_eq!(alice_node.finalized_head().0, stalled, "GRANDPA needs more than two thirds");

	// Both restart from their base paths and finality resumes on every node.
	let charlie_node = charlie.start(Some(&bootnode));
	let dave_node = dave.start(Some(&bootnode));
	let (resumed, _) = alice_node.wait_finalized(stalled + 3);
	let hashes = finalized_hashes(&[&alice_node, &bob_node, &charlie_node, &dave_node], resumed);
	assert!(hashes.iter().all(|hash| *hash == hashes[0]), "one finalized chain: {hashes:?}");

	// A fifth operator, Eve, runs a validator node and sets keys it generated on it.
	let eve = Operator::new(&spec, dir.path(), "eve", &["--validator", "--name", "Eve"]);
	let eve_node = eve.start(Some(&bootnode));
	let keys = bitcloud(
		&alice_node.rpc_url,
		&["--suri", "//Eve", "validator", "keys", "--node-rpc", &eve_node.rpc_url],
	);
	assert!(keys.status.success(), "bitcloud validator keys: {}", text(&keys.stderr));

	// Root adds Eve and removes Dave in the same session.
	let (eve_account, dave_account) = (account(Sr25519Keyring::Eve), account(Sr25519Keyring::Dave));
	for call in [
		pallet_validator_set::Call::add_validator { who: eve_account.clone() },
		pallet_validator_set::Call::remove_validator { who: dave_account.clone() },
	] {
		let events =
			alice_node.execute(Sr25519Keyring::Alice, sudo(RuntimeCall::ValidatorSet(call)));
		assert!(sudo_error(&events).is_none(), "{events:?}");
	}
	assert_eq!(
		alice_node.planned_validators(),
		[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Eve]
			.map(account)
	);

	// Within two sessions of each call (the two may fall in different sessions) the set in
	// force is the new one: Eve authors, Dave no longer does.
	alice_node.wait_for("Eve, not Dave, in the session's validators", || {
		let validators = session_validators(&alice_node);
		(validators.contains(&eve_account) && !validators.contains(&dave_account)).then_some(())
	});
	eve_node.wait_for("Eve to author a block", || (blocks_authored(&eve_node) > 0).then_some(()));
	let dave_so_far = blocks_authored(&dave_node);
	wait_blocks(&alice_node, 2 * SESSION_BLOCKS);
	assert_eq!(blocks_authored(&dave_node), dave_so_far, "Dave no longer authors");

	// And the five nodes (four validators, Dave now a full node) agree on finality.
	let (last, _) = alice_node.wait_finalized(alice_node.best_number().saturating_sub(2));
	let nodes = [&alice_node, &bob_node, &charlie_node, &dave_node, &eve_node];
	let hashes = finalized_hashes(&nodes, last);
	assert!(hashes.iter().all(|hash| *hash == hashes[0]), "one finalized chain: {hashes:?}");
}

#[test]
fn bad_changes_to_the_validator_set_fail_with_their_error_and_change_nothing() {
	use pallet_validator_set::{Call, Error};
	let node = Node::start_dev(&["--no-content"]);
	let before = node.planned_validators();
	assert_eq!(before, vec![account(Sr25519Keyring::Alice)]);
	let error = |e: Error<Runtime>| DispatchError::from(e);

	// Ferdie never set session keys.
	let add_ferdie = Call::add_validator { who: account(Sr25519Keyring::Ferdie) };
	let events =
		node.execute(Sr25519Keyring::Alice, sudo(RuntimeCall::ValidatorSet(add_ferdie.clone())));
	assert_eq!(sudo_error(&events), Some(error(Error::NoSessionKeys)));

	// The development chain's only validator cannot be removed: the set keeps `MinValidators`.
	let remove_alice = Call::remove_validator { who: account(Sr25519Keyring::Alice) };
	let events = node.execute(Sr25519Keyring::Alice, sudo(RuntimeCall::ValidatorSet(remove_alice)));
	assert_eq!(sudo_error(&events), Some(error(Error::TooFewValidators)));

	// Only root changes the set.
	let events = node.execute(Sr25519Keyring::Bob, RuntimeCall::ValidatorSet(add_ferdie));
	assert_eq!(failure(&events), Some(DispatchError::BadOrigin));

	// Session keys with a proof that does not match them are refused.
	let keys = bitcloud_runtime::opaque::SessionKeys {
		aura: Sr25519Keyring::Ferdie.public().into(),
		grandpa: polkadot_sdk::sp_keyring::Ed25519Keyring::Ferdie.public().into(),
	};
	let set_keys = polkadot_sdk::pallet_session::Call::set_keys { keys, proof: vec![0; 64] };
	let events = node.execute(Sr25519Keyring::Ferdie, RuntimeCall::Session(set_keys));
	assert!(matches!(failure(&events), Some(DispatchError::Module(_))), "{events:?}");

	assert_eq!(node.planned_validators(), before);
	assert_eq!(session_validators(&node), before);
}
