//! The chain over JSON-RPC (HTTP): runtime API calls decoded with the runtime's own types,
//! and signed transactions submitted and followed until they are in a block.

use crate::{http, keys::Signer, Error};
use bitcloud_runtime::{
	signing::{signed_extrinsic, SigningContext},
	RuntimeCall, RuntimeError, RuntimeEvent,
};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::storage::storage_prefix,
	frame_system::{self, EventRecord, Phase},
	sp_core::H256,
	sp_crypto_hashing::blake2_256,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long [`Rpc::execute`] waits for a transaction to be in a block.
pub const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);

/// A node's JSON-RPC endpoint.
#[derive(Clone)]
pub struct Rpc {
	url: String,
	agent: ureq::Agent,
}

impl Rpc {
	/// The endpoint at `url` (`http://host:port`).
	pub fn new(url: &str) -> Self {
		Rpc { url: url.to_string(), agent: crate::http::agent() }
	}

	/// Calls `method` with `params`; the result or the node's error.
	pub fn call(&self, method: &str, params: Value) -> Result<Value, Error> {
		let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
		let peer = format!("node at {}", self.url);
		let mut response = self
			.agent
			.post(&self.url)
			.send_json(&request)
			.map_err(|e| http::no_answer(&peer, e))?;
		if !response.status().is_success() {
			return Err(http::answered(&peer, response));
		}
		let mut answer: Value =
			response.body_mut().read_json().map_err(|e| http::no_answer(&peer, e))?;
		// The node's own refusal: a bad transaction, an unknown or unsafe method.
		if let Some(error) = answer.get("error") {
			let message = error["message"].as_str().unwrap_or_default();
			let data = error.get("data").map(Value::to_string).unwrap_or_default();
			return Err(Error::Refused(format!("{method}: {message} {data}").trim().to_string()));
		}
		Ok(answer["result"].take())
	}

	/// Calls runtime API `method` (`Api_function`) at the best block.
	pub fn runtime_api<T: Decode>(&self, method: &str, args: impl Encode) -> Result<T, Error> {
		let result = self.call("state_call", json!([method, hex_of(&args.encode())]))?;
		let bytes = bytes_of(&result)?;
		T::decode(&mut &bytes[..])
			.map_err(|e| Error::BadPeer(format!("{method}: undecodable answer: {e}")))
	}

	/// The hash of block `number`.
	pub fn block_hash(&self, number: u32) -> Result<H256, Error> {
		let result = self.call("chain_getBlockHash", json!([number]))?;
		let bytes = bytes_of(&result)?;
		<[u8; 32]>::try_from(bytes.as_slice())
			.map(H256)
			.map_err(|_| Error::NotFound(format!("the node knows no block {number}")))
	}

	/// The chain's genesis hash.
	pub fn genesis(&self) -> Result<H256, Error> {
		self.block_hash(0)
	}

	/// Number of the best block.
	pub fn best_number(&self) -> Result<u32, Error> {
		let header = self.call("chain_getHeader", json!([]))?;
		let number = header["number"].as_str().unwrap_or_default().trim_start_matches("0x");
		u32::from_str_radix(number, 16)
			.map_err(|_| Error::BadPeer("the node sent a bad header".into()))
	}

	/// What a signature must commit to for `signer`'s next transaction.
	pub fn signing_context(&self, signer: &Signer) -> Result<SigningContext, Error> {
		let version = self.call("state_getRuntimeVersion", json!([]))?;
		let field = |name: &str| {
			version[name]
				.as_u64()
				.and_then(|v| u32::try_from(v).ok())
				.ok_or_else(|| Error::BadPeer(format!("the node's runtime version has no {name}")))
		};
		let nonce =
			self.call("system_accountNextIndex", json!([crate::ss58(&signer.account())]))?;
		Ok(SigningContext {
			nonce: nonce
				.as_u64()
				.and_then(|n| u32::try_from(n).ok())
				.ok_or_else(|| Error::BadPeer("the node sent a bad nonce".into()))?,
			genesis: self.genesis()?,
			spec_version: field("specVersion")?,
			transaction_version: field("transactionVersion")?,
		})
	}

	/// Signs `call`, submits it and waits until it is in a block: its events when it
	/// succeeded, the runtime's error (for example `Moderation(AlreadyListed)`) when not.
	pub fn execute(&self, signer: &Signer, call: RuntimeCall) -> Result<Vec<RuntimeEvent>, Error> {
		self.execute_in_block(signer, call).map(|included| included.events)
	}

	/// Signs `calls` with consecutive nonces, submits them all at once and waits until every
	/// one is in a block (they need not wait for each other's block): their events, in order,
	/// or the first refusal. A call the chain refuses does not stop the others.
	pub fn execute_all(
		&self,
		signer: &Signer,
		calls: Vec<RuntimeCall>,
	) -> Result<Vec<Vec<RuntimeEvent>>, Error> {
		let mut context = self.signing_context(signer)?;
		let from = self.best_number()?;
		let mut hashes = Vec::with_capacity(calls.len());
		for call in calls {
			let xt =
				signed_extrinsic(call, signer.account(), context, |payload| signer.sign(payload))
					.encode();
			self.call("author_submitExtrinsic", json!([hex_of(&xt)]))?;
			hashes.push(H256(blake2_256(&xt)));
			context.nonce += 1;
		}
		let mut results = Vec::with_capacity(hashes.len());
		for hash in hashes {
			let (block, _, index) = self.wait_included(hash, from)?;
			let events = self.extrinsic_events(block, index)?;
			if let Some(error) = failure(&events) {
				return Err(Error::Refused(format!("the chain refused a transaction: {error}")));
			}
			results.push(events);
		}
		Ok(results)
	}

	/// [`Rpc::execute`], telling also which block the transaction is in.
	pub fn execute_in_block(&self, signer: &Signer, call: RuntimeCall) -> Result<Included, Error> {
		let context = self.signing_context(signer)?;
		let xt = signed_extrinsic(call, signer.account(), context, |payload| signer.sign(payload))
			.encode();
		let from = self.best_number()?;
		self.call("author_submitExtrinsic", json!([hex_of(&xt)]))?;
		let (block, number, index) = self.wait_included(H256(blake2_256(&xt)), from)?;
		let events = self.extrinsic_events(block, index)?;
		match failure(&events) {
			None => Ok(Included { block, number, events }),
			Some(error) => {
				Err(Error::Refused(format!("the chain refused the transaction: {error}")))
			},
		}
	}

	/// The value stored under `key` (a full storage key) at the best block, decoded as `T`;
	/// none when nothing is stored there.
	pub fn storage<T: Decode>(&self, key: &[u8]) -> Result<Option<T>, Error> {
		self.storage_at(key, None)
	}

	/// [`Rpc::storage`] at block `at` (the best block if none).
	fn storage_at<T: Decode>(&self, key: &[u8], at: Option<H256>) -> Result<Option<T>, Error> {
		let params = match at {
			Some(at) => json!([hex_of(key), hex_of(&at.0)]),
			None => json!([hex_of(key)]),
		};
		let result = self.call("state_getStorage", params)?;
		if result.is_null() {
			return Ok(None);
		}
		let bytes = bytes_of(&result)?;
		T::decode(&mut &bytes[..])
			.map(Some)
			.map_err(|e| Error::BadPeer(format!("undecodable storage at {}: {e}", hex_of(key))))
	}

	/// Waits for the block (hash, number, extrinsic index) holding `tx_hash`, scanning best
	/// blocks from `from`.
	fn wait_included(&self, tx_hash: H256, from: u32) -> Result<(H256, u32, u32), Error> {
		let start = Instant::now();
		let mut next = from;
		while start.elapsed() < INCLUSION_TIMEOUT {
			while next <= self.best_number()? {
				let hash = self.block_hash(next)?;
				let block = self.call("chain_getBlock", json!([hex_of(&hash.0)]))?;
				let extrinsics =
					block["block"]["extrinsics"].as_array().cloned().unwrap_or_default();
				for (index, xt) in extrinsics.iter().enumerate() {
					if H256(blake2_256(&bytes_of(xt)?)) == tx_hash {
						return Ok((hash, next, index as u32));
					}
				}
				next += 1;
			}
			std::thread::sleep(Duration::from_millis(250));
		}
		Err(Error::Unavailable(format!(
			"the transaction was not in a block after {INCLUSION_TIMEOUT:?}"
		)))
	}

	/// The events of extrinsic `index` in block `at`.
	fn extrinsic_events(&self, at: H256, index: u32) -> Result<Vec<RuntimeEvent>, Error> {
		let key = storage_prefix(b"System", b"Events");
		let records: Vec<EventRecord<RuntimeEvent, H256>> =
			self.storage_at(&key, Some(at))?.unwrap_or_default();
		Ok(records
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect())
	}
}

/// A transaction in a block: where, and what it did.
#[derive(Debug)]
pub struct Included {
	/// The block's hash.
	pub block: H256,
	/// The block's number.
	pub number: u32,
	/// The transaction's events.
	pub events: Vec<RuntimeEvent>,
}

/// The dispatch error in `events`, named by the runtime, if the extrinsic failed.
fn failure(events: &[RuntimeEvent]) -> Option<String> {
	events.iter().find_map(|event| match event {
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
			Some(match RuntimeError::from_dispatch_error(*dispatch_error) {
				Some(error) => format!("{error:?}"),
				None => format!("{dispatch_error:?}"),
			})
		},
		_ => None,
	})
}

/// `0x`-prefixed hex.
pub(crate) fn hex_of(bytes: &[u8]) -> String {
	format!("0x{}", hex::encode(bytes))
}

/// Bytes of a JSON `0x` hex string.
fn bytes_of(value: &Value) -> Result<Vec<u8>, Error> {
	let text =
		value.as_str().ok_or_else(|| Error::BadPeer(format!("expected hex, got {value}")))?;
	hex::decode(text.trim_start_matches("0x"))
		.map_err(|e| Error::BadPeer(format!("the node sent bad hex: {e}")))
}
