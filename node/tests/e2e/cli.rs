//! The node's command line, as an operator uses it: chain specs, keys, and clear errors
//! for bad arguments.

use std::process::{Command, Output};

use serde_json::Value;

/// Runs `bitcloud-node` with `args` and waits for it.
fn node(args: &[&str]) -> Output {
	Command::new(env!("CARGO_BIN_EXE_bitcloud-node")).args(args).output().expect("node runs")
}

/// The chain spec `bitcloud-node export-chain-spec` prints for `chain`.
fn chain_spec(chain: &str, raw: bool) -> Value {
	let mut args = vec!["export-chain-spec", "--chain", chain];
	if raw {
		args.push("--raw");
	}
	let output = node(&args);
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	serde_json::from_slice(&output.stdout).expect("the chain spec is JSON")
}

#[test]
fn chain_specs_carry_token_properties_and_build_their_genesis() {
	for (chain, id) in [("dev", "bitcloud_dev"), ("local", "bitcloud_local_testnet")] {
		let spec = chain_spec(chain, false);
		assert_eq!(spec["id"], id);
		assert_eq!(spec["properties"]["tokenSymbol"], "CLD");
		assert_eq!(spec["properties"]["tokenDecimals"], 12);
		assert_eq!(spec["properties"]["ss58Format"], bitcloud_primitives::SS58_PREFIX);

		// The raw form is the genesis state itself: building it runs every pallet's genesis.
		let raw = chain_spec(chain, true);
		let top = raw["genesis"]["raw"]["top"].as_object().expect("raw genesis storage");
		assert!(top.len() > 20, "{chain}: genesis has storage ({} keys)", top.len());
	}
}

#[test]
fn key_commands_print_bitcloud_addresses() {
	let output = node(&["key", "inspect", "//Alice"]);
	assert!(output.status.success());
	let text = String::from_utf8_lossy(&output.stdout);
	let address = text
		.lines()
		.find_map(|line| line.trim().strip_prefix("SS58 Address:"))
		.expect("an SS58 address")
		.trim()
		.to_owned();
	// Alice under prefix 42 is 5Grwva...; under Bitcloud's prefix it reads differently.
	assert!(!address.starts_with("5Grwva"), "Bitcloud prefix, got {address}");
}

#[test]
fn bad_arguments_fail_with_a_clear_message() {
	let missing = node(&["--chain", "/nonexistent/spec.json", "--tmp"]);
	assert!(!missing.status.success());
	let stderr = String::from_utf8_lossy(&missing.stderr);
	assert!(stderr.contains("/nonexistent/spec.json"), "names the file: {stderr}");

	let unknown = node(&["--no-such-flag"]);
	assert!(!unknown.status.success());
	assert!(String::from_utf8_lossy(&unknown.stderr).contains("--no-such-flag"));

	for bad in ["0", "70000", "many"] {
		let limit = node(&["--dev", "--tmp", "--gateway-max-connections-per-peer", bad]);
		assert!(!limit.status.success(), "{bad} connections per peer were taken");
		let stderr = String::from_utf8_lossy(&limit.stderr);
		assert!(stderr.contains("--gateway-max-connections-per-peer"), "names the flag: {stderr}");
	}
}

/// `ACCOUNT=KEYS` of a well-known account with its well-known session keys (Aura sr25519,
/// GRANDPA ed25519), as an operator sends them after `author_rotateKeys`.
fn validator_arg(name: &str) -> String {
	use polkadot_sdk::sp_keyring::{Ed25519Keyring, Sr25519Keyring};
	let sr: Sr25519Keyring = name.parse().expect("a well-known name");
	let ed: Ed25519Keyring = name.parse().expect("a well-known name");
	let keys = [sr.public().0, ed.public().0].concat();
	format!("{}=0x{}", sr.to_account_id(), hex::encode(keys))
}

#[test]
fn testnet_spec_builds_a_network_from_its_operators() {
	let bootnode =
		"/ip4/192.0.2.1/tcp/30333/p2p/12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp";
	let (alice, bob) = (validator_arg("Alice"), validator_arg("Bob"));
	let args = ["testnet-spec", "--validator", &alice, "--validator", &bob];
	let root = ["--root", "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"];
	let rest = [
		"--endow",
		"5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY=1000",
		"--bootnode",
		bootnode,
	];
	let output = node(&[&args[..], &root, &rest].concat());
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let spec: Value = serde_json::from_slice(&output.stdout).expect("JSON spec");
	assert_eq!(spec["chainType"], "Live");
	assert_eq!(spec["bootNodes"][0], bootnode);
	let patch = &spec["genesis"]["runtimeGenesis"]["patch"];
	assert_eq!(patch["validatorSet"]["initialValidators"].as_array().map(Vec::len), Some(2));
	assert_eq!(patch["session"]["keys"].as_array().map(Vec::len), Some(2));

	// The raw spec is the genesis state the network's nodes share.
	let output = node(&[&args[..], &root, &rest, &["--raw"]].concat());
	assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
	let raw: Value = serde_json::from_slice(&output.stdout).expect("JSON spec");
	assert!(raw["genesis"]["raw"]["top"].as_object().is_some_and(|top| top.len() > 20));

	// Bad input is refused with its reason.
	let twice = node(
		&[&["testnet-spec", "--validator", &alice, "--validator", &alice][..], &root].concat(),
	);
	assert!(String::from_utf8_lossy(&twice.stderr).contains("twice"), "{twice:?}");
	let short_keys = format!("{}=0x1234", alice.split('=').next().unwrap_or_default());
	let bad = node(&[&["testnet-spec", "--validator", &short_keys][..], &root].concat());
	assert!(String::from_utf8_lossy(&bad.stderr).contains("not session keys"), "{bad:?}");
	let none = node(&[&["testnet-spec"][..], &root].concat());
	assert!(String::from_utf8_lossy(&none.stderr).contains("--validator"), "{none:?}");
}
