//! A receipt signed by polkadot-js (`scripts/js/sign-receipt.mjs`, with `@polkadot/util-crypto`
//! `sr25519Sign`) is accepted by [`bitcloud_primitives::receipt::verify`], on its chain only.
//!
//! Needs Node.js and `npm ci` in `scripts/js` (`scripts/setup` installs Node.js, `scripts/test`
//! runs `npm ci`); fails without them unless `BITCLOUD_SKIP_JS=1`, which skips it and says so.

use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	AccountId,
};
use codec::Decode;
use polkadot_sdk::{
	sp_core::{bytes::from_hex, crypto::Ss58Codec, sr25519, H256},
	sp_keyring::Sr25519Keyring,
};
use std::process::Command;

#[path = "../../scripts/js/ready.rs"]
mod ready;

/// Runs the signing script with `args`.
fn sign_with_polkadot_js(args: &[String]) -> serde_json::Value {
	let output = Command::new("node")
		.arg("sign-receipt.mjs")
		.args(args)
		.current_dir(ready::scripts_dir(env!("CARGO_MANIFEST_DIR")))
		.output()
		.expect("node runs");
	assert!(
		output.status.success(),
		"sign-receipt.mjs failed: {}",
		String::from_utf8_lossy(&output.stderr)
	);
	serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn hex_field(json: &serde_json::Value, name: &str) -> Vec<u8> {
	from_hex(json[name].as_str().unwrap_or_else(|| panic!("no {name} in {json}")))
		.expect("hex from the script")
}

fn check(genesis: H256, moderator: Option<AccountId>, bytes: u64) {
	let node: AccountId = Sr25519Keyring::Dave.to_account_id();
	let args = vec![
		format!("{genesis:?}"),
		// One account as SS58, one as hex: both forms are accepted by the script.
		node.to_ss58check(),
		"4294967295".to_owned(),
		moderator.as_ref().map_or("none".to_owned(), |m| format!("0x{}", hex(m.as_ref()))),
		bytes.to_string(),
	];
	let json = sign_with_polkadot_js(&args);
	let encoded = hex_field(&json, "receipt");
	let decoded =
		Receipt::<AccountId>::decode(&mut &encoded[..]).expect("the script's SCALE decodes");
	let expected = Receipt {
		client: Sr25519Keyring::Alice.to_account_id(),
		node,
		epoch: u32::MAX,
		moderator,
		bytes,
	};
	assert_eq!(decoded, expected);
	assert_eq!(hex_field(&json, "payload"), receipt::signing_payload(&expected, &genesis));
	let signature = sr25519::Signature::try_from(&hex_field(&json, "signature")[..])
		.expect("a 64-byte signature");
	let signed = SignedReceipt { receipt: decoded, signature };
	assert!(receipt::verify(&signed, &genesis), "the chain accepts polkadot-js's receipt");
	assert!(
		!receipt::verify(&signed, &H256::repeat_byte(0xee)),
		"the receipt is refused on another chain"
	);
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn receipt_signed_by_polkadot_js_is_accepted_on_its_chain_only() {
	let genesis = H256::repeat_byte(0x42);
	let charlie = Sr25519Keyring::Charlie.to_account_id();
	let what = "that the chain accepts receipts signed by polkadot-js";
	if ready::polkadot_js_ready(env!("CARGO_MANIFEST_DIR"), "@polkadot/util-crypto", what) {
		check(genesis, Some(charlie), 1 << 20);
		check(genesis, None, u64::MAX);
	}
}
