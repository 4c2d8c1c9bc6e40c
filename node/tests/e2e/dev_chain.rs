//! End to end against the real node: `bitcloud-node --dev` produces and finalises blocks,
//! tells wallets its token, accepts a signed transfer, refuses malformed extrinsics, and
//! stops cleanly on Ctrl-C.

use crate::common::{Node, RpcError};
use bitcloud_runtime::{RuntimeCall, RuntimeEvent, UNIT};
use codec::Encode;
use polkadot_sdk::{
	frame_system::{self, Phase},
	pallet_balances,
	sp_core::H256,
	sp_keyring::Sr25519Keyring::{Alice, Bob},
};
use serde_json::{json, Value};

/// The text of a JSON-RPC error response, or a panic if the call succeeded.
fn rpc_error_message(result: Result<H256, RpcError>) -> String {
	match result {
		Err(error) => error.to_string(),
		Ok(hash) => panic!("expected a JSON-RPC error response, got transaction {hash:?}"),
	}
}

/// `Balances::transfer_keep_alive` of `amount` to Bob.
fn transfer_to_bob(amount: u128) -> RuntimeCall {
	RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: Bob.to_account_id().into(),
		value: amount,
	})
}

#[test]
fn dev_chain_finalises_transfers_and_rejects_malformed_extrinsics() {
	let node = Node::start_dev(&[]);

	// Blocks are produced and finalised.
	node.wait_finalized(3);

	// Wallets learn the token and address format from the chain.
	let properties: Value = node.call("system_properties", json!([]));
	assert_eq!(properties["tokenSymbol"], "CLD");
	assert_eq!(properties["tokenDecimals"], 12);
	assert_eq!(properties["ss58Format"], bitcloud_primitives::SS58_PREFIX);

	// The new JSON-RPC spec used by PAPI and subxt is served.
	let methods: Value = node.call("rpc_methods", json!([]));
	let methods = methods["methods"].as_array().expect("method list");
	for method in ["chainHead_v1_follow", "transaction_v1_broadcast", "chainSpec_v1_genesisHash"] {
		assert!(methods.iter().any(|m| m == method), "{method} is served");
	}

	// A signed transfer from Alice to Bob lands in a finalised block with its event.
	let amount = 42 * UNIT;
	let bob_before = node.account(&Bob.to_account_id(), None).data.free;
	let (submitted_at, _) = node.finalized_head();
	let transfer = node.sign(Alice, transfer_to_bob(amount));
	let tx_hash = node.submit(&transfer.encode()).expect("transfer accepted by the pool");
	let (block, index) = node.wait_finalized_tx(tx_hash, submitted_at);

	let events = node.events(block);
	let transferred = events.iter().any(|record| {
		record.phase == Phase::ApplyExtrinsic(index)
			&& record.event
				== RuntimeEvent::Balances(pallet_balances::Event::Transfer {
					from: Alice.to_account_id(),
					to: Bob.to_account_id(),
					amount,
				})
	});
	assert!(transferred, "Transfer event of the extrinsic in block {block:?}: {events:#?}");
	let extrinsic_succeeded = events.iter().any(|record| {
		record.phase == Phase::ApplyExtrinsic(index)
			&& matches!(
				record.event,
				RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. })
			)
	});
	assert!(extrinsic_succeeded, "the transfer succeeded");
	let bob_after = node.account(&Bob.to_account_id(), Some(block)).data.free;
	assert_eq!(bob_after, bob_before + amount, "Bob received exactly the amount");

	// Malformed extrinsics get a clear error and change nothing.
	let alice_nonce = node.next_nonce(&Alice.to_account_id());
	let alice_balance = node.account(&Alice.to_account_id(), None).data.free;

	let garbage = rpc_error_message(node.submit(&[0xde, 0xad, 0xbe, 0xef]));
	assert!(garbage.contains("Could not decode"), "garbage bytes are a format error: {garbage}");

	// A signed transfer whose call was changed after signing: the signature no longer holds.
	let mut forged = node.sign(Alice, transfer_to_bob(amount));
	forged.function = transfer_to_bob(amount * 1_000);
	let forged_error = rpc_error_message(node.submit(&forged.encode()));
	assert!(
		forged_error.contains("bad signature"),
		"a tampered extrinsic is refused: {forged_error}"
	);

	let pending: Vec<Value> = node.call("author_pendingExtrinsics", json!([]));
	assert!(pending.is_empty(), "nothing was queued: {pending:?}");
	let (head, head_hash) = node.wait_finalized(node.finalized_head().0 + 1);
	assert!(head > submitted_at);
	assert_eq!(node.next_nonce(&Alice.to_account_id()), alice_nonce, "nonce unchanged");
	assert_eq!(
		node.account(&Alice.to_account_id(), Some(head_hash)).data.free,
		alice_balance,
		"balance unchanged"
	);

	// Ctrl-C stops the node cleanly.
	let status = node.stop();
	assert!(status.success(), "node exited cleanly: {status:?}");
}
