//! The node's onion relay (`--onion`, `--onion-store`; `bitcloud-onion`): its x25519 key,
//! the registry as its directory of relays, the node account's key paying storing nodes,
//! and its figures in the node's Prometheus registry.

use std::{path::Path, sync::Arc};

use bitcloud_content::{ChainView, ChallengeBoard, ContentStore, ReceiptSink};
use bitcloud_onion::{ExitPayer, OnionSecret, Relay, RelayConfig};
use bitcloud_primitives::{EpochIndex, Receipt, SignedReceipt};
use bitcloud_runtime::AccountId;
use polkadot_sdk::{
	sc_service::error::Error as ServiceError,
	substrate_prometheus_endpoint::{
		register, MetricSource, Opts, PrometheusError, Registry, SourcedCounter, SourcedGauge,
	},
};

use crate::{
	chain_view::RuntimeChainView,
	node_key::{dev_account, NodeKey},
};

/// What the relay needs from the node.
pub struct RelaySetup<'a> {
	/// The node's base path (`<base>/onion/x25519.key`).
	pub base_path: &'a Path,
	/// Whether the chain is a test chain (development or local).
	pub test_chain: bool,
	/// The node account's key, if the node has an account: it pays storing nodes.
	pub key: Option<NodeKey>,
	/// Whether it also stores unmoderated content (`--onion-store`).
	pub stores_unmoderated: bool,
	/// The content store it serves from and stores into.
	pub store: Arc<ContentStore>,
	/// Where receipts from exits go (the node's receipt book).
	pub receipts: Option<Arc<dyn ReceiptSink>>,
	/// The chain.
	pub chain: Arc<RuntimeChainView>,
	/// The chunks under pending storage challenges, not served through circuits.
	pub challenges: Arc<ChallengeBoard>,
	/// The node's Prometheus registry.
	pub registry: Option<&'a Registry>,
}

/// Builds the relay; logs its onion key and warns when the registry does not list it.
pub fn start_relay(setup: RelaySetup) -> Result<Arc<Relay>, ServiceError> {
	let node = setup.key.as_ref().map(|key| key.account().clone());
	let secret = onion_secret(setup.base_path, setup.test_chain, node.as_ref())?;
	let payer = setup.key.map(|key| {
		Arc::new(KeystorePayer { key, chain: setup.chain.clone() }) as Arc<dyn ExitPayer>
	});
	let relay = Relay::new(
		RelayConfig {
			secret: secret.clone(),
			genesis: setup.chain.genesis().0,
			node: node.clone(),
			store: Some(setup.store),
			stores_unmoderated: setup.stores_unmoderated,
			receipts: setup.receipts,
			payer,
			limits: Default::default(),
			challenges: Some(setup.challenges),
		},
		setup.chain.clone(),
	);
	if let Some(registry) = setup.registry {
		register_metrics(&relay, registry)
			.map_err(|e| ServiceError::Other(format!("onion metrics: {e}")))?;
	}
	check_registered_key(&setup.chain, node.as_ref(), &secret);
	Ok(relay)
}

/// The relay's onion key: on a test chain (development or local), a well-known development
/// account's derived key; otherwise `<base path>/onion/x25519.key` (hex, created on first start).
fn onion_secret(
	base_path: &Path,
	test_chain: bool,
	node: Option<&AccountId>,
) -> Result<OnionSecret, ServiceError> {
	if let Some(node) = node.filter(|node| test_chain && dev_account(node).is_some()) {
		return Ok(OnionSecret::dev(node.as_ref()));
	}
	let path = base_path.join("onion").join("x25519.key");
	let failed =
		|e: std::io::Error| ServiceError::Other(format!("onion key {}: {e}", path.display()));
	match std::fs::read_to_string(&path) {
		Ok(text) => hex::decode(text.trim())
			.ok()
			.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
			.map(OnionSecret::from_bytes)
			.ok_or_else(|| {
				ServiceError::Other(format!("onion key {}: not 64 hex digits", path.display()))
			}),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let secret = OnionSecret::generate();
			if let Some(dir) = path.parent() {
				std::fs::create_dir_all(dir).map_err(failed)?;
			}
			write_private(&path, &hex::encode(secret.to_bytes())).map_err(failed)?;
			Ok(secret)
		},
		Err(e) => Err(failed(e)),
	}
}

/// Writes a file only its owner may read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
	use std::{io::Write, os::unix::fs::OpenOptionsExt};
	let mut file =
		std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
	file.write_all(text.as_bytes())?;
	file.sync_all()
}

/// Logs the relay's key, and warns when the registry holds another one (clients would fail
/// every handshake with this relay).
fn check_registered_key(chain: &RuntimeChainView, node: Option<&AccountId>, secret: &OnionSecret) {
	let public = format!("0x{}", hex::encode(secret.public()));
	log::info!(target: "onion", "Onion relay on the gateway's /onion; onion key {public}");
	let Some(node) = node else { return };
	match chain.node(node) {
		Ok(Some(view)) if view.onion_key == secret.public() && view.unmoderated => {},
		Ok(Some(_)) => log::warn!(
			target: "onion",
			"The registry does not list this relay yet: run `bitcloud --suri <node account> relay \
			 --onion-key {public}` (nodes.updateNode with unmoderated = true)"
		),
		Ok(None) => log::warn!(target: "onion", "The node account is not a registered node"),
		Err(e) => log::warn!(target: "onion", "Cannot check the relay's registration: {e}"),
	}
}

/// Signs the receipts an exit sends storing nodes with the node account's `bcnd` key.
struct KeystorePayer {
	key: NodeKey,
	chain: Arc<RuntimeChainView>,
}

impl ExitPayer for KeystorePayer {
	fn account(&self) -> AccountId {
		self.key.account().clone()
	}

	fn epoch(&self) -> Option<EpochIndex> {
		match self.chain.receipt_context() {
			Ok((epoch, _)) => Some(epoch),
			Err(e) => {
				log::warn!(target: "onion", "No epoch for the exit's receipts: {e}");
				None
			},
		}
	}

	fn sign(&self, receipt: Receipt<AccountId>) -> Option<SignedReceipt<AccountId>> {
		let payload =
			bitcloud_primitives::receipt::signing_payload(&receipt, &self.chain.genesis());
		match self.key.sign(&payload) {
			Ok(signature) => Some(SignedReceipt { receipt, signature }),
			Err(e) => {
				log::warn!(target: "onion", "Cannot sign the exit's receipt: {e}");
				None
			},
		}
	}
}

/// The relay's counters, read when Prometheus scrapes.
#[derive(Clone)]
struct RelayEvents(Arc<Relay>);

impl MetricSource for RelayEvents {
	type N = u64;

	fn collect(&self, mut set: impl FnMut(&[&str], u64)) {
		for (event, count) in self.0.stats().counts() {
			set(&[event], count);
		}
	}
}

/// The circuits the relay carries now.
#[derive(Clone)]
struct OpenCircuits(Arc<Relay>);

impl MetricSource for OpenCircuits {
	type N = u64;

	fn collect(&self, mut set: impl FnMut(&[&str], u64)) {
		set(&[], self.0.open_circuits() as u64);
	}
}

/// `bitcloud_onion_relay_events_total{event}` and `bitcloud_onion_circuits_open`.
fn register_metrics(relay: &Arc<Relay>, registry: &Registry) -> Result<(), PrometheusError> {
	let events = Opts::new(
		"bitcloud_onion_relay_events_total",
		"What the onion relay did, by event (circuits opened, frames forwarded, links dropped...)",
	)
	.variable_label("event");
	register(SourcedCounter::new(&events, RelayEvents(relay.clone()))?, registry)?;
	let open = Opts::new("bitcloud_onion_circuits_open", "Circuits the onion relay carries now");
	register(SourcedGauge::new(&open, OpenCircuits(relay.clone()))?, registry)?;
	Ok(())
}
