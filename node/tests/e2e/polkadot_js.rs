//! A validator's session keys set from polkadot-js: `scripts/js/set-session-keys.mjs` has the
//! operator's node generate keys with `author_rotateKeysWithOwner` and registers them with
//! `session.setKeys(keys, proof)` through `@polkadot/api`; the chain accepts them and root can
//! then add the account to the validator set. A bad secret URI fails with a message.
//!
//! Needs Node.js and `npm ci` in `scripts/js` (`scripts/setup` installs Node.js, `scripts/test`
//! runs `npm ci`); fails without them unless `BITCLOUD_SKIP_JS=1`, which skips it and says so.

use crate::{common::*, ready};
use bitcloud_runtime::{opaque::SessionKeys, Runtime, RuntimeCall};
use codec::Decode;
use polkadot_sdk::{
	pallet_session,
	sp_core::{bytes, H256},
	sp_keyring::Sr25519Keyring,
};
use serde_json::json;
use std::{
	path::PathBuf,
	process::{Command, Output},
};

fn scripts_dir() -> PathBuf {
	ready::scripts_dir(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `node set-session-keys.mjs ARGS...` in `scripts/js`.
fn set_session_keys(args: &[&str]) -> Output {
	Command::new("node")
		.arg("set-session-keys.mjs")
		.args(args)
		.current_dir(scripts_dir())
		.output()
		.expect("node runs")
}

/// The `0x` hex string `name` of the script's JSON answer, as bytes.
fn hex_field(answer: &serde_json::Value, name: &str) -> Vec<u8> {
	let text = answer[name].as_str().unwrap_or_else(|| panic!("no {name} in {answer}"));
	bytes::from_hex(text).expect("hex from the script")
}

#[test]
fn polkadot_js_sets_session_keys_and_root_makes_a_validator() {
	if !ready::polkadot_js_ready(
		env!("CARGO_MANIFEST_DIR"),
		"@polkadot/api",
		"setting session keys from polkadot-js",
	) {
		return;
	}
	let node = Node::start_dev(&["--no-content"]);
	// The node serves WebSocket and HTTP on its one RPC port.
	let ws = node.rpc_url.replacen("http://", "ws://", 1);
	let eve = account(Sr25519Keyring::Eve);
	let next_keys = |at: Option<H256>| -> Option<SessionKeys> {
		node.decoded_storage(&pallet_session::NextKeys::<Runtime>::hashed_key_for(&eve), at)
	};
	assert_eq!(next_keys(None), None, "Eve has no session keys on the development chain");

	// A secret URI that is no key: the script says so and fails before sending anything.
	let bogus = "one two three four five six seven eight nine ten eleven twelve";
	let output = set_session_keys(&["--node-rpc", &ws, "--rpc", &ws, "--suri", bogus]);
	assert!(!output.status.success(), "a bad --suri is refused");
	assert!(
		text(&output.stderr).contains("--suri is not a valid secret URI"),
		"{}",
		text(&output.stderr)
	);

	// Eve's operator has their node generate keys for Eve and registers them as Eve.
	let output = set_session_keys(&["--node-rpc", &ws, "--rpc", &ws, "--suri", "//Eve"]);
	assert!(output.status.success(), "set-session-keys.mjs failed: {}", text(&output.stderr));
	let answer: serde_json::Value = serde_json::from_slice(&output.stdout)
		.unwrap_or_else(|e| panic!("the script prints JSON ({e}): {}", text(&output.stdout)));
	let encoded = hex_field(&answer, "keys");
	let block = H256::from_slice(&hex_field(&answer, "block"));

	// The chain holds them for Eve from the block the script reported, and they are the keys
	// now in the node's keystore.
	let keys = SessionKeys::decode(&mut &encoded[..]).expect("the printed keys decode");
	assert_eq!(next_keys(Some(block)), Some(keys.clone()));
	assert_eq!(next_keys(None), Some(keys));
	let in_keystore: bool =
		node.call("author_hasSessionKeys", json!([bytes::to_hex(&encoded, false)]));
	assert!(in_keystore, "the node keeps the private keys");

	// Root adds Eve to the validator set, which now plans Alice and Eve.
	let add_eve = pallet_validator_set::Call::add_validator { who: eve.clone() };
	let events = node.execute(Sr25519Keyring::Alice, sudo(RuntimeCall::ValidatorSet(add_eve)));
	assert!(succeeded(&events) && sudo_error(&events).is_none(), "{events:?}");
	assert_eq!(node.planned_validators(), vec![account(Sr25519Keyring::Alice), eve]);
}
