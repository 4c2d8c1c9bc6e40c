//! Helpers for end-to-end tests: start the real `bitcloud-node` binary, talk to it over
//! JSON-RPC, sign extrinsics the way a wallet does, and stop the node cleanly.

#![allow(dead_code)] // Each test binary uses a different part of this module.

use std::{
	io::{BufRead, BufReader},
	process::{Child, Command, ExitStatus, Stdio},
	sync::{mpsc, Arc, Mutex},
	time::{Duration, Instant},
};

use bitcloud_runtime::{
	signing::{signed_extrinsic, SigningContext},
	Runtime, RuntimeCall, RuntimeEvent, UncheckedExtrinsic,
};
use codec::{Decode, Encode};
use polkadot_sdk::{
	frame_support::storage::storage_prefix,
	frame_system::{self, AccountInfo, EventRecord, Phase},
	pallet_balances::AccountData,
	sp_core::{bytes, crypto::AccountId32, H256},
	sp_crypto_hashing::blake2_256,
	sp_keyring::Sr25519Keyring,
	sp_runtime::DispatchError,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

/// How long a node may take to start, produce or finalise what a test waits for.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// A `bitcloud-node` child process with its RPC endpoint. Stopped (SIGKILL) on drop if the
/// test did not stop it; its log is printed when the test panicked.
pub struct Node {
	child: Option<Child>,
	log: Arc<Mutex<Vec<String>>>,
	/// `http://127.0.0.1:PORT` of the node's JSON-RPC server.
	pub rpc_url: String,
	/// The p2p port, when the test chose it.
	p2p_port: Option<u16>,
}

/// A JSON-RPC error response: code, message and data, as the node sent them.
#[derive(Debug)]
pub struct RpcError {
	/// JSON-RPC error code.
	pub code: i64,
	/// Human-readable message.
	pub message: String,
	/// Optional details.
	pub data: Value,
}

impl std::fmt::Display for RpcError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "{} {} {}", self.code, self.message, self.data)
	}
}

impl Node {
	/// Starts `bitcloud-node --dev --tmp` on free ports (RPC, Prometheus, p2p) with `extra`
	/// arguments, and waits until its RPC server listens.
	pub fn start_dev(extra: &[&str]) -> Node {
		// The content gateway too listens on a free port, unless the test says otherwise.
		let gateway: &[&str] =
			if extra.iter().any(|arg| *arg == "--gateway-addr" || *arg == "--no-content") {
				&[]
			} else {
				&["--gateway-addr", "127.0.0.1:0"]
			};
		let p2p_port = if extra.contains(&"--port") { None } else { Some(free_port()) };
		let port = p2p_port.map(|port| port.to_string());
		let mut args = vec!["--dev", "--tmp", "--rpc-port", "0", "--prometheus-port", "0"];
		if let Some(port) = &port {
			args.extend(["--port", port.as_str()]);
		}
		args.extend(["--no-mdns", "--no-telemetry"]);
		args.extend(gateway);
		args.extend(extra);
		let mut node = Node::start(&args);
		node.p2p_port = p2p_port;
		node
	}

	/// Starts `bitcloud-node` with exactly `args` and waits until its RPC server listens.
	pub fn start(args: &[&str]) -> Node {
		let mut child = Command::new(env!("CARGO_BIN_EXE_bitcloud-node"))
			.args(args)
			.stdout(Stdio::null())
			.stderr(Stdio::piped())
			.spawn()
			.expect("the node binary starts");
		let stderr = child.stderr.take().expect("stderr is piped");
		let log = Arc::new(Mutex::new(Vec::new()));
		let (addr_tx, addr_rx) = mpsc::channel();
		let log_writer = log.clone();
		// Drain stderr for the node's whole life so its pipe never fills up.
		std::thread::spawn(move || {
			for line in BufReader::new(stderr).lines().map_while(Result::ok) {
				if let Some(addr) = rpc_address(&line) {
					let _ = addr_tx.send(addr);
				}
				log_writer.lock().expect("log lock").push(line);
			}
		});
		let addr = addr_rx.recv_timeout(DEADLINE).unwrap_or_else(|_| {
			panic!("node did not report its RPC address; log:\n{}", log.lock().unwrap().join("\n"))
		});
		Node { child: Some(child), log, rpc_url: format!("http://{addr}"), p2p_port: None }
	}

	/// Starts a second, non-validating node of the development chain that follows `bootnode`
	/// and runs the content services as `account` (a well-known development account, whose
	/// key the node puts in its keystore) with its data under `base_path`, and `extra`
	/// arguments.
	pub fn start_content_peer(
		bootnode: &str,
		account: Sr25519Keyring,
		base_path: &str,
		extra: &[&str],
	) -> Node {
		let account = account.to_account_id().to_string();
		let mut args = vec![
			"--chain",
			"dev",
			"--base-path",
			base_path,
			"--rpc-port",
			"0",
			"--prometheus-port",
			"0",
			"--port",
			"0",
			"--no-mdns",
			"--no-telemetry",
			"--bootnodes",
			bootnode,
			"--node-account",
			&account,
			"--gateway-addr",
			"127.0.0.1:0",
		];
		args.extend(extra);
		Node::start(&args)
	}

	/// Records the p2p port the test gave this node with `--port`, for [`Node::p2p_address`].
	pub fn with_p2p_port(mut self, port: u16) -> Node {
		self.p2p_port = Some(port);
		self
	}

	/// Kills the node with SIGKILL, as a crash or a power cut would, and waits for it.
	pub fn kill(self) {
		drop(self)
	}

	/// Waits until this node has finalised what `other` had finalised when asked.
	pub fn wait_synced_with(&self, other: &Node) {
		let (target, _) = other.finalized_head();
		self.wait_for("the node to follow the chain", || {
			(self.finalized_head().0 >= target).then_some(())
		});
	}

	/// Points `who`'s registered gateway at `endpoint`, keeping the rest of its registration.
	pub fn set_endpoint(&self, who: Sr25519Keyring, endpoint: &str) {
		type View = pallet_nodes::NodeView<AccountId32, u128, u32>;
		let view: Option<View> = self.runtime_api("NodesApi_node", account(who));
		let view = view.expect("a registered node");
		let events = self.execute(
			who,
			RuntimeCall::Nodes(pallet_nodes::Call::update_node {
				capacity: view.capacity,
				endpoint: endpoint.as_bytes().to_vec(),
				onion_key: view.onion_key,
				unmoderated: view.unmoderated,
			}),
		);
		assert!(succeeded(&events), "{events:?}");
	}

	/// `/ip4/127.0.0.1/tcp/PORT/p2p/PEER_ID`: where other nodes reach this one (for
	/// `--bootnodes`); needs a node started by [`Node::start_dev`] without `--port`.
	pub fn p2p_address(&self) -> String {
		let port = self.p2p_port.expect("the test chose the node's p2p port");
		let peer = self.wait_for("the node's peer id", || {
			self.log().iter().find_map(|line| {
				let rest = line.split("Local node identity is: ").nth(1)?;
				Some(rest.split_whitespace().next()?.to_string())
			})
		});
		format!("/ip4/127.0.0.1/tcp/{port}/p2p/{peer}")
	}

	/// `http://IP:PORT` of the content gateway, from the node's log (waits for it).
	pub fn gateway_url(&self) -> String {
		self.wait_for("the content gateway address", || {
			self.log().iter().find_map(|line| {
				let rest = line.split("Content gateway listening on ").nth(1)?;
				Some(rest.split_whitespace().next()?.to_string())
			})
		})
	}

	/// The node's Prometheus figures: the text of `/metrics` at the address it logged.
	pub fn metrics(&self) -> String {
		let address = self.wait_for("the Prometheus address", || {
			self.log().iter().find_map(|line| {
				let rest = line.split("Prometheus exporter started at ").nth(1)?;
				Some(rest.split_whitespace().next()?.to_string())
			})
		});
		ureq::get(format!("http://{address}/metrics"))
			.call()
			.expect("the metrics")
			.body_mut()
			.read_to_string()
			.expect("a text body")
	}

	/// The node's log so far.
	pub fn log(&self) -> Vec<String> {
		self.log.lock().expect("log lock").clone()
	}

	/// Sends SIGINT, as Ctrl-C would, and waits for the node to exit on its own.
	pub fn stop(mut self) -> ExitStatus {
		let mut child = self.child.take().expect("node is running");
		let pid = i32::try_from(child.id()).expect("pid fits in i32");
		// SAFETY: plain syscall on a pid we own; no memory is shared.
		let sent = unsafe { libc::kill(pid, libc::SIGINT) };
		assert_eq!(sent, 0, "SIGINT delivered");
		let start = Instant::now();
		loop {
			if let Some(status) = child.try_wait().expect("wait on node") {
				return status;
			}
			assert!(start.elapsed() < DEADLINE, "node did not stop after SIGINT");
			std::thread::sleep(Duration::from_millis(100));
		}
	}

	/// A JSON-RPC request over HTTP: the result, or the error response.
	pub fn try_call<T: DeserializeOwned>(
		&self,
		method: &str,
		params: Value,
	) -> Result<T, RpcError> {
		let request =
			serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
		let mut response = ureq::post(&self.rpc_url)
			.send_json(&request)
			.unwrap_or_else(|e| panic!("HTTP request for {method} failed: {e}"));
		let mut body: Value = response
			.body_mut()
			.read_json()
			.unwrap_or_else(|e| panic!("response to {method} is not JSON: {e}"));
		if let Some(error) = body.get_mut("error") {
			return Err(RpcError {
				code: error["code"].as_i64().unwrap_or_default(),
				message: error["message"].as_str().unwrap_or_default().to_owned(),
				data: error["data"].take(),
			});
		}
		Ok(serde_json::from_value(body["result"].take())
			.unwrap_or_else(|e| panic!("result of {method} has an unexpected shape: {e}")))
	}

	/// A JSON-RPC request; panics on an error response.
	pub fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> T {
		self.try_call(method, params).unwrap_or_else(|e| panic!("RPC {method} failed: {e}"))
	}

	/// Polls until `check` returns `Some`, or panics after [`DEADLINE`].
	pub fn wait_for<T>(&self, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
		let start = Instant::now();
		loop {
			if let Some(value) = check() {
				return value;
			}
			assert!(start.elapsed() < DEADLINE, "timed out waiting for {what}");
			std::thread::sleep(Duration::from_millis(250));
		}
	}

	/// The value stored under `key` at `at` (the best block if none), decoded as `T`.
	pub fn decoded_storage<T: Decode>(&self, key: &[u8], at: Option<H256>) -> Option<T> {
		let bytes = self.storage(key, at)?;
		Some(T::decode(&mut &bytes[..]).expect("the stored value decodes"))
	}

	/// The validator set's list at the best block (what pallet-session plans next).
	pub fn planned_validators(&self) -> Vec<AccountId32> {
		let key = pallet_validator_set::Validators::<Runtime>::hashed_key();
		self.decoded_storage(&key, None).unwrap_or_default()
	}

	/// Number of the best block.
	pub fn best_number(&self) -> u32 {
		let header: bitcloud_runtime::Header = self.call("chain_getHeader", json!([]));
		header.number
	}

	/// Number and hash of the latest finalised block.
	pub fn finalized_head(&self) -> (u32, H256) {
		let hash: H256 = self.call("chain_getFinalizedHead", json!([]));
		(self.block_number(hash), hash)
	}

	/// Number of the block `hash`.
	pub fn block_number(&self, hash: H256) -> u32 {
		let header: bitcloud_runtime::Header = self.call("chain_getHeader", json!([hash]));
		header.number
	}

	/// Hash of block number `number` on the best chain.
	pub fn block_hash(&self, number: u32) -> H256 {
		self.call("chain_getBlockHash", json!([number]))
	}

	/// Waits until block `number` is finalised and returns the finalised head.
	pub fn wait_finalized(&self, number: u32) -> (u32, H256) {
		self.wait_for(&format!("block {number} to be finalised"), || {
			let head = self.finalized_head();
			(head.0 >= number).then_some(head)
		})
	}

	/// Raw extrinsics of block `hash`, SCALE encoded.
	pub fn block_extrinsics(&self, hash: H256) -> Vec<Vec<u8>> {
		let block: Value = self.call("chain_getBlock", json!([hash]));
		block["block"]["extrinsics"]
			.as_array()
			.expect("block has extrinsics")
			.iter()
			.map(|x| from_hex(x.as_str().expect("extrinsic is hex")))
			.collect()
	}

	/// Raw storage value at `key` in the state of block `at` (best block if `None`).
	pub fn storage(&self, key: &[u8], at: Option<H256>) -> Option<Vec<u8>> {
		let value: Option<String> =
			self.call("state_getStorage", json!([bytes::to_hex(key, false), at]));
		value.map(|v| from_hex(&v))
	}

	/// Events of block `at`.
	pub fn events(&self, at: H256) -> Vec<EventRecord<RuntimeEvent, H256>> {
		// `System::Events` is private to frame-system; its key is public knowledge.
		let key = storage_prefix(b"System", b"Events");
		let raw = self.storage(&key, Some(at)).unwrap_or_default();
		Decode::decode(&mut &raw[..]).expect("events decode with the runtime's types")
	}

	/// Account information of `who` in the state of block `at`.
	pub fn account(
		&self,
		who: &AccountId32,
		at: Option<H256>,
	) -> AccountInfo<u32, AccountData<u128>> {
		let key = frame_system::Account::<Runtime>::hashed_key_for(who);
		match self.storage(&key, at) {
			Some(raw) => Decode::decode(&mut &raw[..]).expect("account info decodes"),
			None => AccountInfo::default(),
		}
	}

	/// The next nonce of `who`, counting transactions in the pool.
	pub fn next_nonce(&self, who: &AccountId32) -> u32 {
		self.call("system_accountNextIndex", json!([who.to_string()]))
	}

	/// Signs `call` as `signer` with the next nonce, as a wallet does for this chain.
	pub fn sign(&self, signer: Sr25519Keyring, call: RuntimeCall) -> UncheckedExtrinsic {
		let nonce = self.next_nonce(&signer.to_account_id());
		let genesis = self.block_hash(0);
		let version: Value = self.call("state_getRuntimeVersion", json!([]));
		let spec_version = version["specVersion"].as_u64().expect("specVersion") as u32;
		let tx_version = version["transactionVersion"].as_u64().expect("transactionVersion") as u32;
		sign_with(signer, call, nonce, genesis, spec_version, tx_version)
	}

	/// Submits `xt` with `author_submitExtrinsic`; the transaction hash or the RPC error.
	pub fn submit(&self, xt: &[u8]) -> Result<H256, RpcError> {
		self.try_call("author_submitExtrinsic", json!([bytes::to_hex(xt, false)]))
	}

	/// Signs `call` as `signer`, submits it and waits until it is final; returns the events
	/// the extrinsic emitted (its `ExtrinsicSuccess` or `ExtrinsicFailed` among them).
	pub fn execute(&self, signer: Sr25519Keyring, call: RuntimeCall) -> Vec<RuntimeEvent> {
		let (from, _) = self.finalized_head();
		let xt = self.sign(signer, call);
		let tx_hash =
			self.submit(&xt.encode()).unwrap_or_else(|e| panic!("submission refused: {e}"));
		self.extrinsic_events(tx_hash, from)
	}

	/// Waits for the transaction `tx_hash`, submitted when `from` was final, to be final;
	/// returns the events it emitted.
	pub fn extrinsic_events(&self, tx_hash: H256, from: u32) -> Vec<RuntimeEvent> {
		let (block, index) = self.wait_finalized_tx(tx_hash, from);
		self.events(block)
			.into_iter()
			.filter(|record| record.phase == Phase::ApplyExtrinsic(index))
			.map(|record| record.event)
			.collect()
	}

	/// Calls runtime API `method` (as `Api_function`) with SCALE-encoded `args` on the best
	/// block and decodes the answer.
	pub fn runtime_api<T: Decode>(&self, method: &str, args: impl Encode) -> T {
		let raw: String =
			self.call("state_call", json!([method, bytes::to_hex(&args.encode(), false)]));
		T::decode(&mut &from_hex(&raw)[..])
			.unwrap_or_else(|e| panic!("answer of {method} does not decode: {e}"))
	}

	/// Waits until the transaction `tx_hash` is in a finalised block, searching every block
	/// finalised after `from`; returns that block's hash and the extrinsic's index in it.
	pub fn wait_finalized_tx(&self, tx_hash: H256, from: u32) -> (H256, u32) {
		let start = Instant::now();
		let mut next = from + 1;
		loop {
			let (finalized, _) = self.finalized_head();
			while next <= finalized {
				let hash = self.block_hash(next);
				next += 1;
				let extrinsics = self.block_extrinsics(hash);
				if let Some(index) =
					extrinsics.iter().position(|xt| H256(blake2_256(xt)) == tx_hash)
				{
					return (hash, index as u32);
				}
			}
			assert!(start.elapsed() < DEADLINE, "timed out waiting for {tx_hash:?} to be final");
			std::thread::sleep(Duration::from_millis(250));
		}
	}
}

impl Drop for Node {
	fn drop(&mut self) {
		if let Some(mut child) = self.child.take() {
			let _ = child.kill();
			let _ = child.wait();
		}
		if std::thread::panicking() {
			let log = self.log();
			let tail = &log[log.len().saturating_sub(80)..];
			eprintln!("---- last lines of the node's log ----\n{}", tail.join("\n"));
		}
	}
}

/// Builds a signed extrinsic: immortal era, no tip, no metadata hash.
pub fn sign_with(
	signer: Sr25519Keyring,
	call: RuntimeCall,
	nonce: u32,
	genesis: H256,
	spec_version: u32,
	transaction_version: u32,
) -> UncheckedExtrinsic {
	let context = SigningContext { nonce, genesis, spec_version, transaction_version };
	signed_extrinsic(call, signer.to_account_id(), context, |payload| signer.sign(payload))
}

/// The address the node's log gives for its JSON-RPC server, if `line` is that line.
fn rpc_address(line: &str) -> Option<String> {
	let rest = line.split("Running JSON-RPC server: addr=").nth(1)?;
	let first = rest.split([',', ' ']).next()?;
	Some(first.replace("0.0.0.0", "127.0.0.1"))
}

/// The `bitcloud` binary, built beside the node by `cargo test --workspace`.
pub fn bitcloud_binary() -> std::path::PathBuf {
	let deps = std::env::current_exe().expect("test binary path");
	let binary = deps.parent().and_then(|d| d.parent()).expect("target dir").join("bitcloud");
	assert!(
		binary.exists(),
		"{} is missing: run the tests with --workspace (or build -p bitcloud-client)",
		binary.display()
	);
	binary
}

/// Runs `bitcloud --rpc RPC ARGS...` and returns what it did.
pub fn bitcloud(rpc: &str, args: &[&str]) -> std::process::Output {
	Command::new(bitcloud_binary())
		.args(["--rpc", rpc])
		.args(args)
		.env_remove("BITCLOUD_SURI")
		.env_remove("BITCLOUD_KEY_FILE")
		.output()
		.expect("bitcloud runs")
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
	String::from_utf8_lossy(bytes).into_owned()
}

/// `len` deterministic bytes that do not compress: BLAKE3's output stream keyed by `seed`.
pub fn file_bytes(seed: u64, len: usize) -> Vec<u8> {
	let mut bytes = vec![0; len];
	blake3::Hasher::new().update(&seed.to_le_bytes()).finalize_xof().fill(&mut bytes);
	bytes
}

/// A TCP port that was free a moment ago (the OS picks it; the caller binds it soon after).
pub fn free_port() -> u16 {
	let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
	listener.local_addr().expect("a bound address").port()
}

/// Bytes of a `0x`-prefixed hex string.
pub fn from_hex(hex: &str) -> Vec<u8> {
	bytes::from_hex(hex).expect("valid hex from the node")
}

/// Whether `events` hold a successful dispatch.
pub fn succeeded(events: &[RuntimeEvent]) -> bool {
	events
		.iter()
		.any(|e| matches!(e, RuntimeEvent::System(frame_system::Event::ExtrinsicSuccess { .. })))
}

/// The dispatch error in `events`, if the extrinsic failed.
pub fn failure(events: &[RuntimeEvent]) -> Option<DispatchError> {
	events.iter().find_map(|e| match e {
		RuntimeEvent::System(frame_system::Event::ExtrinsicFailed { dispatch_error, .. }) => {
			Some(*dispatch_error)
		},
		_ => None,
	})
}

/// The error of the call `sudo` dispatched, from its `Sudid` event (none if it succeeded or
/// there is no such event).
pub fn sudo_error(events: &[RuntimeEvent]) -> Option<DispatchError> {
	events.iter().find_map(|event| match event {
		RuntimeEvent::Sudo(polkadot_sdk::pallet_sudo::Event::Sudid { sudo_result }) => {
			sudo_result.err()
		},
		_ => None,
	})
}

/// The account of a well-known development key.
pub fn account(who: Sr25519Keyring) -> AccountId32 {
	who.to_account_id()
}

/// `call` dispatched as root through `sudo.sudo` (Alice is the dev chain's sudo key).
pub fn sudo(call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Sudo(polkadot_sdk::pallet_sudo::Call::sudo { call: Box::new(call) })
}

/// The value of the Prometheus counter `name` whose labels include `label` (0 if absent).
/// The node labels every figure with its chain, so `label` may be empty.
pub fn counter(metrics: &str, name: &str, label: &str) -> f64 {
	metrics
		.lines()
		.filter(|line| line.starts_with(&format!("{name}{{")) && line.contains(label))
		.find_map(|line| line.rsplit(' ').next()?.parse().ok())
		.unwrap_or(0.0)
}
