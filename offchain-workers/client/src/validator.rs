//! A validator operator's routine without polkadot-js: generate session keys in the
//! operator's own node with a proof of ownership and register them (`pallet-session`), and
//! see where an account stands (`pallet-validator-set`).

use crate::{
	rpc::{hex_of, Included, Rpc},
	Error, Signer,
};
use bitcloud_primitives::AccountId;
use bitcloud_runtime::{opaque::SessionKeys, Runtime, RuntimeCall};
use codec::{DecodeAll, Encode};
use polkadot_sdk::pallet_session;
use serde_json::{json, Value};

/// Session keys a node generated in its keystore, with the proof that an account owns them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RotatedKeys {
	/// The keys (Aura, GRANDPA).
	pub keys: SessionKeys,
	/// Their SCALE encoding, as the node returned it.
	pub encoded: Vec<u8>,
	/// The ownership proof `session.setKeys` checks.
	pub proof: Vec<u8>,
}

/// The public session keys by name with their `0x` hex: `aura`, then `grandpa`.
pub fn session_key_parts(keys: &SessionKeys) -> [(&'static str, String); 2] {
	[("aura", hex_of(&keys.aura.encode())), ("grandpa", hex_of(&keys.grandpa.encode()))]
}

/// Bytes of the `0x` hex string `field` of `answer`.
fn hex_field(answer: &Value, field: &str) -> Result<Option<Vec<u8>>, Error> {
	match &answer[field] {
		Value::Null => Ok(None),
		Value::String(text) => hex::decode(text.trim_start_matches("0x")).map(Some).map_err(|e| {
			Error::BadPeer(format!("author_rotateKeysWithOwner: {field} is not hex: {e}"))
		}),
		other => {
			Err(Error::BadPeer(format!("author_rotateKeysWithOwner: {field} is not hex: {other}")))
		},
	}
}

/// Why a node would refuse `author_rotateKeysWithOwner`, and what to do.
fn unsafe_rpc_refused(error: Error) -> Error {
	error.map_message(|error| {
		format!(
		"{error}\nauthor_rotateKeysWithOwner is an unsafe RPC: a node answers it only when its \
		 RPC listens on localhost alone, or when it runs with --rpc-methods unsafe. Run this on \
		 the validator's machine against its own node (--node-rpc http://127.0.0.1:9944, the \
		 default port), or start that node with --rpc-methods unsafe (only where nobody else \
		 can reach its RPC port)"
	)
	})
}

/// Generates new session keys in the keystore of the node at `node` (the operator's own)
/// with `author_rotateKeysWithOwner`, proving that `owner` holds them.
pub fn rotate_keys(node: &Rpc, owner: &AccountId) -> Result<RotatedKeys, Error> {
	let answer =
		node.call("author_rotateKeysWithOwner", json!([hex_of(&owner.encode())])).map_err(|e| {
			match e.message().contains("unsafe") || e.message().contains("Method not found") {
				true => unsafe_rpc_refused(e),
				false => e,
			}
		})?;
	let encoded = hex_field(&answer, "keys")?.ok_or_else(|| {
		Error::BadPeer(format!("author_rotateKeysWithOwner: no keys in {answer}"))
	})?;
	let proof = hex_field(&answer, "proof")?.ok_or_else(|| {
		Error::BadPeer(
			"the node generated keys without an ownership proof (its runtime's SessionKeys API \
			 is older than version 2): session.setKeys would refuse them"
				.into(),
		)
	})?;
	let keys = SessionKeys::decode_all(&mut &encoded[..]).map_err(|e| {
		Error::BadPeer(format!(
			"the node's session keys {} are not Bitcloud's (Aura and GRANDPA): {e}; is it a \
			 Bitcloud node?",
			hex_of(&encoded)
		))
	})?;
	Ok(RotatedKeys { keys, encoded, proof })
}

/// Registers `keys` as the signer's session keys (`session.setKeys`); they are used from the
/// session after next once the account is in the validator set.
pub fn set_session_keys(rpc: &Rpc, signer: &Signer, keys: &RotatedKeys) -> Result<Included, Error> {
	let call =
		pallet_session::Call::set_keys { keys: keys.keys.clone(), proof: keys.proof.clone() };
	rpc.execute_in_block(signer, RuntimeCall::Session(call))
}

/// An account as a validator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorReport {
	/// The account.
	pub account: AccountId,
	/// Its session keys (`session.nextKeys`), if it set some.
	pub keys: Option<SessionKeys>,
	/// Whether it is in the validator set governance keeps (`validatorSet.validators`).
	pub in_set: bool,
	/// Whether it validates in the current session (`session.validators`).
	pub in_session: bool,
	/// The current session (`session.currentIndex`).
	pub session: u32,
}

/// What the chain knows of `account` as a validator.
pub fn validator_report(rpc: &Rpc, account: &AccountId) -> Result<ValidatorReport, Error> {
	let keys = rpc.storage(&pallet_session::NextKeys::<Runtime>::hashed_key_for(account))?;
	let set: Vec<AccountId> = rpc
		.storage(&pallet_validator_set::Validators::<Runtime>::hashed_key())?
		.unwrap_or_default();
	let current: Vec<AccountId> =
		rpc.storage(&pallet_session::Validators::<Runtime>::hashed_key())?.unwrap_or_default();
	let session =
		rpc.storage(&pallet_session::CurrentIndex::<Runtime>::hashed_key())?.unwrap_or_default();
	Ok(ValidatorReport {
		account: account.clone(),
		keys,
		in_set: set.contains(account),
		in_session: current.contains(account),
		session,
	})
}
