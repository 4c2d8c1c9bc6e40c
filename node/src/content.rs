//! The content services of a content node (`bitcloud-content`): the store and the HTTP
//! gateway, and the [`ChainView`] they ask, implemented over the runtime APIs at the best
//! block.

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use bitcloud_content::{
	admission::{Admission, BookDoor},
	book::Limits,
	metrics::ReceiptMetrics,
	ChainError, ChainView, ContentConfig, ContentService, ItemMeta, Quota, ReceiptBook,
	ReceiptSink,
};
use bitcloud_runtime::{opaque::Block, AccountId, Balance, BlockNumber, Runtime};
use pallet_bandwidth::runtime_api::BandwidthApi;
use pallet_moderation::{runtime_api::ModerationApi, CatalogEntry};
use pallet_nodes::runtime_api::NodesApi;
use polkadot_sdk::{
	frame_support::traits::Get,
	sc_service::{error::Error as ServiceError, TaskManager},
	sp_api::ProvideRuntimeApi,
	sp_blockchain::HeaderBackend,
	sp_keyring::Sr25519Keyring,
	sp_keystore::KeystorePtr,
	substrate_prometheus_endpoint::Registry,
};

use crate::{
	duties::{Duties, KEY_TYPE},
	service::{FullClient, TransactionPool},
};

/// Gateway address when none is given.
pub const DEFAULT_GATEWAY_ADDR: &str = "127.0.0.1:8080";

/// How often replication looks for missing catalog items (two blocks).
pub const REPLICATE_EVERY: std::time::Duration = std::time::Duration::from_secs(12);

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

/// The chain at the best block, through the runtime APIs.
pub struct RuntimeChainView {
	pub(crate) client: Arc<FullClient>,
}

impl RuntimeChainView {
	/// The best block, which every answer is about.
	pub(crate) fn best(&self) -> <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash {
		self.client.info().best_hash
	}

	/// The chain's genesis hash.
	pub(crate) fn genesis(&self) -> <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash {
		self.client.info().genesis_hash
	}
}

fn api_error(e: impl std::fmt::Display) -> ChainError {
	ChainError(e.to_string())
}

fn meta(entry: CatalogEntry<AccountId, BlockNumber>) -> ItemMeta {
	ItemMeta {
		size: entry.size,
		title: String::from_utf8_lossy(&entry.title).into_owned(),
		mime_type: String::from_utf8_lossy(&entry.mime_type).into_owned(),
	}
}

impl ChainView for RuntimeChainView {
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		let view = NodesApi::<Block, AccountId, Balance, BlockNumber>::node(
			&*self.client.runtime_api(),
			self.best(),
			node.clone(),
		)
		.map_err(api_error)?;
		Ok(view.map(|view| view.subscriptions).unwrap_or_default())
	}

	fn catalog(
		&self,
		moderator: &AccountId,
	) -> Result<Vec<(bitcloud_primitives::ContentId, ItemMeta)>, ChainError> {
		let entries = ModerationApi::<Block, AccountId, BlockNumber>::catalog(
			&*self.client.runtime_api(),
			self.best(),
			moderator.clone(),
		)
		.map_err(api_error)?;
		Ok(entries.into_iter().map(|entry| (entry.content, meta(entry))).collect())
	}

	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &bitcloud_primitives::ContentId,
	) -> Result<Option<ItemMeta>, ChainError> {
		let entry = ModerationApi::<Block, AccountId, BlockNumber>::catalog_item(
			&*self.client.runtime_api(),
			self.best(),
			moderator.clone(),
			*content,
		)
		.map_err(api_error)?;
		Ok(entry.map(meta))
	}

	fn is_denied(
		&self,
		moderator: &AccountId,
		content: &bitcloud_primitives::ContentId,
	) -> Result<bool, ChainError> {
		ModerationApi::<Block, AccountId, BlockNumber>::is_denied(
			&*self.client.runtime_api(),
			self.best(),
			moderator.clone(),
			*content,
		)
		.map_err(api_error)
	}

	fn proposed_size(
		&self,
		moderator: &AccountId,
		content: &bitcloud_primitives::ContentId,
	) -> Result<Option<u64>, ChainError> {
		let proposal = ModerationApi::<Block, AccountId, BlockNumber>::proposal(
			&*self.client.runtime_api(),
			self.best(),
			moderator.clone(),
			*content,
		)
		.map_err(api_error)?;
		Ok(proposal.map(|proposal| proposal.size))
	}

	fn receipt_context(
		&self,
	) -> Result<(bitcloud_primitives::EpochIndex, polkadot_sdk::sp_core::H256), ChainError> {
		let (epoch, _) = BandwidthApi::<Block, AccountId, Balance>::receipt_context(
			&*self.client.runtime_api(),
			self.best(),
		)
		.map_err(api_error)?;
		// The runtime learns the genesis hash only when block 1 is built (`BlockHash(0)` is a
		// placeholder before); the client knows it from the start.
		Ok((epoch, self.client.info().genesis_hash))
	}

	fn client_quota(
		&self,
		client: &AccountId,
		epoch: bitcloud_primitives::EpochIndex,
	) -> Result<Quota, ChainError> {
		let quota = BandwidthApi::<Block, AccountId, Balance>::client_quota(
			&*self.client.runtime_api(),
			self.best(),
			client.clone(),
			epoch,
		)
		.map_err(api_error)?;
		Ok(Quota { quota: quota.quota, used: quota.used })
	}

	fn has_bandwidth_lock(
		&self,
		client: &AccountId,
		epoch: bitcloud_primitives::EpochIndex,
	) -> Result<bool, ChainError> {
		let quota = BandwidthApi::<Block, AccountId, Balance>::client_quota(
			&*self.client.runtime_api(),
			self.best(),
			client.clone(),
			epoch,
		)
		.map_err(api_error)?;
		// The quota of `epoch` is computed from the coins that back it (locked, and unlocking
		// since that epoch): no quota and nothing locked is what `ClientHasNoLock` refuses.
		Ok(quota.quota > 0 || quota.locked > 0)
	}

	fn carries_unmoderated(&self, node: &AccountId) -> Result<bool, ChainError> {
		let view = NodesApi::<Block, AccountId, Balance, BlockNumber>::node(
			&*self.client.runtime_api(),
			self.best(),
			node.clone(),
		)
		.map_err(api_error)?;
		Ok(view.is_some_and(|view| view.unmoderated))
	}

	fn is_node(&self, account: &AccountId) -> Result<bool, ChainError> {
		let view = NodesApi::<Block, AccountId, Balance, BlockNumber>::node(
			&*self.client.runtime_api(),
			self.best(),
			account.clone(),
		)
		.map_err(api_error)?;
		Ok(view.is_some())
	}

	fn best_block(&self) -> Option<(u32, String)> {
		let info = self.client.info();
		Some((info.best_number, format!("{:?}", info.best_hash)))
	}

	fn endpoints(&self, moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		let api = self.client.runtime_api();
		let best = self.best();
		let nodes = NodesApi::<Block, AccountId, Balance, BlockNumber>::nodes_serving(
			&*api,
			best,
			moderator.clone(),
		)
		.map_err(api_error)?;
		let mut endpoints = Vec::new();
		for node in nodes {
			let view =
				NodesApi::<Block, AccountId, Balance, BlockNumber>::node(&*api, best, node.clone())
					.map_err(api_error)?;
			if let Some(endpoint) = view.and_then(|view| String::from_utf8(view.endpoint).ok()) {
				endpoints.push((node, endpoint));
			}
		}
		Ok(endpoints)
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

/// Opens the store, imports the sample catalog on test chains, binds the
/// gateway and spawns it with the node's duties (receipts and storage challenges); logs
/// `Content gateway listening on http://ADDR`.
pub fn start(
	options: ContentOptions,
	base_path: &std::path::Path,
	chain_kind: ChainKind,
	version: String,
	parts: NodeParts,
) -> Result<SocketAddr, ServiceError> {
	let NodeParts { client, pool, keystore, registry, task_manager } = parts;
	// In development, the node acts as Dave's content node: Dave is a registered node
	// subscribed to Charlie's sample catalog in the development preset.
	let dev = chain_kind == ChainKind::Development;
	let node = options.node.or_else(|| dev.then(|| Sr25519Keyring::Dave.to_account_id()));
	if node.is_none() {
		log::warn!(
			target: "content",
			"No --node-account: the content gateway serves nothing until one is given"
		);
	}
	let config = ContentConfig {
		dir: options.dir.unwrap_or_else(|| bitcloud_content::default_dir(base_path)),
		gateway_addr: options.gateway_addr,
		node: node.clone(),
		import: Vec::new(),
		version,
		replicate_every: Some(REPLICATE_EVERY),
	};
	let chain = Arc::new(RuntimeChainView { client: client.clone() });
	let mut service = ContentService::prepare(config, chain.clone(), registry)
		.map_err(|e| ServiceError::Other(e.to_string()))?;
	if chain_kind.is_test() {
		for (title, _, bytes) in bitcloud_runtime::genesis_presets::SAMPLE_CONTENT {
			let id = service
				.store()
				.import_bytes(bytes)
				.map_err(|e| ServiceError::Other(format!("importing {title}: {e}")))?;
			log::info!(
				target: "content",
				"Sample content {title}: /content/{}",
				bitcloud_content::to_hex(&id)
			);
		}
	}
	let book = match (&node, service.window().cloned()) {
		(Some(node), Some(window)) => {
			let book_dir = service.store().dir().join("receipts");
			let book = open_book(&book_dir, node, *window.genesis(), chain.clone(), registry)?;
			window.restore(book.book().receipts());
			window.set_sink(book.clone());
			Some(book)
		},
		_ => None,
	};
	if let Some(node) = &node {
		if chain_kind.is_test() {
			insert_dev_key(&keystore, node)?;
		}
	}
	if options.onion != Onion::Off {
		let relay = crate::onion::start_relay(crate::onion::RelaySetup {
			base_path,
			test_chain: chain_kind.is_test(),
			node: node.clone(),
			stores_unmoderated: options.onion == Onion::RelayAndStore,
			store: service.store().clone(),
			receipts: book.clone().map(|door| door as Arc<dyn ReceiptSink>),
			keystore: keystore.clone(),
			chain: chain.clone(),
			challenges: service.challenges().clone(),
			registry,
		})?;
		service.add_routes(bitcloud_onion::router(relay));
	}
	task_manager.spawn_handle().spawn(
		"storage-challenges",
		Some("content"),
		crate::challenges::follow(client.clone(), service.challenges().clone()),
	);
	if let (Some(node), Some(door)) = (node, book) {
		let store = service.store().clone();
		let book = door.book().clone();
		match Duties::new(client, pool, keystore, node, book, store, registry) {
			Ok(duties) => {
				task_manager.spawn_handle().spawn("content-duties", Some("content"), duties.run())
			},
			Err(e) => log::warn!(target: "duties", "{e}"),
		}
	}
	let addr = service.local_addr();
	log::info!(target: "content", "Content gateway listening on http://{addr}");
	task_manager.spawn_handle().spawn("content-gateway", Some("content"), service.run());
	Ok(addr)
}

/// Opens the receipt book in `dir`, within the chain's limits, behind the door that checks
/// every receipt against what the chain would accept (`bitcloud_content::admission`): the
/// sink the signing window and the onion relay give their receipts to.
fn open_book(
	dir: &std::path::Path,
	node: &AccountId,
	genesis: polkadot_sdk::sp_core::H256,
	chain: Arc<RuntimeChainView>,
	registry: Option<&Registry>,
) -> Result<Arc<BookDoor>, ServiceError> {
	let max_moderators =
		<<Runtime as pallet_bandwidth::Config>::MaxModeratorsPerNode as Get<u32>>::get();
	let limits = Limits::new(max_moderators);
	let (book, report) =
		ReceiptBook::open(dir, genesis, limits).map_err(|e| ServiceError::Other(e.to_string()))?;
	log::info!(
		target: "content",
		"Receipt book {}: {} receipts held",
		dir.display(),
		report.receipts
	);
	let window = <<Runtime as pallet_bandwidth::Config>::SubmissionWindow as Get<u32>>::get();
	let admission = Admission::new(node.clone(), genesis, window, chain);
	let metrics = match registry {
		Some(registry) => ReceiptMetrics::register(registry)
			.map_err(|e| ServiceError::Other(format!("receipt metrics: {e}")))?,
		None => ReceiptMetrics::unregistered(),
	};
	Ok(Arc::new(BookDoor::new(admission, Arc::new(book), metrics)))
}

/// The secret URI of a well-known development account: `//Alice`, `//Alice//stash`. (Not
/// `Sr25519Keyring::to_seed`, which gives `//AliceStash` for the stash accounts: a key of
/// another account.)
fn dev_seed(keyring: Sr25519Keyring) -> String {
	format!("//{}", <&'static str>::from(keyring))
}

/// On a test chain, a node account that is a well-known development account
/// (Dave, Eve...) gets its key in the keystore, as `--alice` does for Aura and GRANDPA.
fn insert_dev_key(keystore: &KeystorePtr, node: &AccountId) -> Result<(), ServiceError> {
	let Some(keyring) = Sr25519Keyring::from_account_id(node) else { return Ok(()) };
	keystore
		.sr25519_generate_new(KEY_TYPE, Some(&dev_seed(keyring)))
		.map(drop)
		.map_err(|e| ServiceError::Other(format!("inserting the development node key: {e}")))
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_core::{sr25519, Pair};

	#[test]
	fn dev_seeds_give_the_well_known_accounts_stashes_included() {
		for keyring in Sr25519Keyring::well_known() {
			let pair = sr25519::Pair::from_string(&dev_seed(keyring), None).expect("a valid URI");
			assert_eq!(AccountId::from(pair.public()), keyring.to_account_id(), "{keyring:?}");
		}
	}
}
