//! Starts the services a content node runs beside the chain, side by side: the content
//! store and gateway ([`crate::content`]), the onion relay ([`crate::onion`]), the
//! following of storage challenges ([`crate::challenges`]) and the duties on chain
//! ([`crate::duties`]).

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
};

use bitcloud_content::ReceiptSink;
use bitcloud_runtime::AccountId;
use polkadot_sdk::{
	sc_service::{error::Error as ServiceError, TaskManager},
	sp_keyring::Sr25519Keyring,
	sp_keystore::KeystorePtr,
	substrate_prometheus_endpoint::Registry,
};

use crate::{
	chain_view::RuntimeChainView,
	challenges,
	client::{FullClient, TransactionPool},
	content::{self, Content, ContentSetup},
	duties::{Duties, DutyParts},
	node_key::NodeKey,
	onion::{self, RelaySetup},
};

/// How the node runs its content services (from the command line).
#[derive(Debug, Clone)]
pub struct ContentOptions {
	/// Store directory; `<base path>/content` if none.
	pub dir: Option<PathBuf>,
	/// Gateway address.
	pub gateway_addr: SocketAddr,
	/// The node's account; on the development chain Dave if none.
	pub node: Option<AccountId>,
	/// Whether it carries unmoderated traffic.
	pub onion: Onion,
	/// The gateway's bounds on connections.
	pub limits: bitcloud_content::ConnectionLimits,
}

/// The node's part in the unmoderated layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onion {
	/// None.
	Off,
	/// An onion relay on the gateway.
	Relay,
	/// A relay that also stores unmoderated content published through circuits.
	RelayAndStore,
}

/// The kind of chain the node follows, for what the content services set up by themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainKind {
	/// `--dev`: the node is Dave's content node unless `--node-account` says otherwise.
	Development,
	/// A local test chain (`--chain local`, `scripts/localnet`).
	Local,
	/// Any other chain: nothing is assumed.
	Live,
}

impl ChainKind {
	/// Test chains (development and local) list the sample catalog in their genesis, and
	/// their well-known development accounts get their node and onion keys by themselves, as
	/// `--alice` gets its session keys.
	pub fn is_test(self) -> bool {
		self != ChainKind::Live
	}
}

/// What the content services need from the rest of the node.
pub struct NodeParts<'a> {
	/// The client, for runtime API calls.
	pub client: Arc<FullClient>,
	/// The transaction pool the duties submit to.
	pub pool: Arc<TransactionPool>,
	/// The keystore holding the node account's key.
	pub keystore: KeystorePtr,
	/// The Prometheus registry.
	pub registry: Option<&'a Registry>,
	/// Where the tasks run.
	pub task_manager: &'a TaskManager,
}

/// Opens the store, imports the sample catalog on test chains, binds the gateway and spawns
/// it with the onion relay (if asked), the challenge follower and the node's duties
/// (receipts and storage challenges); logs `Content gateway listening on http://ADDR`.
pub fn start(
	options: ContentOptions,
	base_path: &Path,
	chain_kind: ChainKind,
	version: String,
	parts: NodeParts,
) -> Result<SocketAddr, ServiceError> {
	let NodeParts { client, pool, keystore, registry, task_manager } = parts;
	let node = node_account(options.node, chain_kind);
	let chain = Arc::new(RuntimeChainView::new(client.clone()));
	let Content { mut service, book } = content::prepare(ContentSetup {
		dir: options.dir.unwrap_or_else(|| bitcloud_content::default_dir(base_path)),
		gateway_addr: options.gateway_addr,
		node: node.clone(),
		version,
		import_samples: chain_kind.is_test(),
		chain: chain.clone(),
		registry,
	})?;
	service.set_connection_limits(options.limits);
	let key = node.map(|node| NodeKey::new(keystore, node));
	if let Some(key) = key.as_ref().filter(|_| chain_kind.is_test()) {
		key.insert_dev_key()
			.map_err(|e| ServiceError::Other(format!("inserting the development node key: {e}")))?;
	}
	if options.onion != Onion::Off {
		let relay = onion::start_relay(RelaySetup {
			base_path,
			test_chain: chain_kind.is_test(),
			key: key.clone(),
			stores_unmoderated: options.onion == Onion::RelayAndStore,
			store: service.store().clone(),
			receipts: book.clone().map(|door| door as Arc<dyn ReceiptSink>),
			chain,
			challenges: service.challenges().clone(),
			registry,
		})?;
		service.add_routes(bitcloud_onion::router(relay));
	}
	let spawner = task_manager.spawn_handle();
	let follow = challenges::follow(client.clone(), service.challenges().clone());
	spawner.spawn("storage-challenges", Some("content"), follow);
	if let (Some(key), Some(door)) = (key, book) {
		let book = door.book().clone();
		let parts = DutyParts { client, pool, key, book, store: service.store().clone() };
		match Duties::new(parts, registry) {
			Ok(duties) => spawner.spawn("content-duties", Some("content"), duties.run()),
			Err(e) => log::warn!(target: "duties", "{e}"),
		}
	}
	let addr = service.local_addr();
	log::info!(target: "content", "Content gateway listening on http://{addr}");
	spawner.spawn("content-gateway", Some("content"), service.run());
	Ok(addr)
}

/// The node's account: the one given, or on the development chain Dave's, a registered node
/// subscribed to Charlie's sample catalog in the development preset. Warns when there is
/// none.
fn node_account(given: Option<AccountId>, chain_kind: ChainKind) -> Option<AccountId> {
	let dev = chain_kind == ChainKind::Development;
	let node = given.or_else(|| dev.then(|| Sr25519Keyring::Dave.to_account_id()));
	if node.is_none() {
		log::warn!(
			target: "content",
			"No --node-account: the content gateway serves nothing until one is given"
		);
	}
	node
}
