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
}
