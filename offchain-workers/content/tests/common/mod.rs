//! Test fixtures: an in-memory chain and a gateway on 127.0.0.1:0.

#![allow(dead_code)]

use bitcloud_content::{
	CachedChain, ChainError, ChainView, ChallengeBoard, ConnectionLimits, ContentConfig,
	ContentService, ContentStore, ItemMeta, LeaseFacts, Metrics, Quota, SigningWindow,
	UnlistedPolicy,
};
use bitcloud_primitives::{AccountId, ContentId, EpochIndex};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::{BTreeMap, BTreeSet},
	net::SocketAddr,
	sync::{
		atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering},
		Arc, Mutex,
	},
};

/// Epochs before the current one the test chain takes receipts for (the runtime's).
pub const SUBMISSION_WINDOW: EpochIndex = 2;

/// An account from a byte.
pub fn account(n: u8) -> AccountId {
	AccountId::new([n; 32])
}

/// The node the gateway serves for.
pub fn node() -> AccountId {
	account(1)
}

/// Moderators.
pub fn moderator_a() -> AccountId {
	account(10)
}
pub fn moderator_b() -> AccountId {
	account(11)
}

/// Deterministic test bytes.
pub fn bytes(len: usize, seed: u8) -> Vec<u8> {
	(0..len).map(|i| (i as u32).wrapping_mul(2654435761).rotate_left(seed as u32) as u8).collect()
}

/// The chain in memory.
#[derive(Default)]
pub struct MemoryChain {
	pub subscriptions: Mutex<BTreeMap<AccountId, Vec<AccountId>>>,
	pub catalogs: Mutex<BTreeMap<AccountId, Vec<(ContentId, ItemMeta)>>>,
	pub denied: Mutex<BTreeSet<(AccountId, ContentId)>>,
	pub endpoints: Mutex<BTreeMap<AccountId, Vec<(AccountId, String)>>>,
	pub proposals: Mutex<BTreeMap<(AccountId, ContentId), u64>>,
	/// Genesis hash for receipts; none: the chain knows no receipts.
	pub genesis: Mutex<Option<H256>>,
	pub epoch: AtomicU32,
	pub quotas: Mutex<BTreeMap<AccountId, Quota>>,
	/// Registered content nodes (beside the gateway's own).
	pub nodes: Mutex<BTreeSet<AccountId>>,
	pub failing: AtomicBool,
	/// Queries answered (or failed) so far.
	pub calls: AtomicU64,
	/// The best block's hash (none: the chain names none).
	pub best: Mutex<Option<H256>>,
	/// Storage leases by object.
	pub leases: Mutex<BTreeMap<ContentId, Vec<LeaseFacts>>>,
	/// Nodes that carry unmoderated traffic.
	pub carriers: Mutex<BTreeSet<AccountId>>,
}

impl MemoryChain {
	pub fn subscribe(&self, node: AccountId, moderator: AccountId) {
		self.subscriptions.lock().unwrap().entry(node).or_default().push(moderator);
	}

	pub fn list(&self, moderator: AccountId, id: ContentId, size: u64, mime: &str) {
		let meta = ItemMeta { size, title: format!("item {}", hex(&id)), mime_type: mime.into() };
		self.catalogs.lock().unwrap().entry(moderator).or_default().push((id, meta));
	}

	pub fn serve_from(&self, moderator: AccountId, peer: AccountId, endpoint: String) {
		self.endpoints.lock().unwrap().entry(moderator).or_default().push((peer, endpoint));
	}

	pub fn propose(&self, moderator: AccountId, id: ContentId, size: u64) {
		self.proposals.lock().unwrap().insert((moderator, id), size);
	}

	/// A lease of `id` (`bytes`) under `moderator` for `replicas` keepers, kept by `keepers`.
	pub fn lease(&self, id: ContentId, lease: LeaseFacts) {
		self.leases.lock().unwrap().entry(id).or_default().push(lease);
	}

	pub fn deny(&self, moderator: AccountId, id: ContentId) {
		self.denied.lock().unwrap().insert((moderator, id));
	}

	pub fn delist(&self, moderator: AccountId, id: ContentId) {
		if let Some(items) = self.catalogs.lock().unwrap().get_mut(&moderator) {
			items.retain(|(listed, _)| *listed != id);
		}
	}

	/// A new best block: its hash is the last one's, plus one in its first byte.
	pub fn new_block(&self) {
		let mut best = self.best.lock().unwrap();
		let next = best.map_or(0, |hash| hash.0[0].wrapping_add(1));
		*best = Some(H256::repeat_byte(next));
	}

	/// Queries answered (or failed) so far.
	pub fn calls(&self) -> u64 {
		self.calls.load(Ordering::Relaxed)
	}

	fn check(&self) -> Result<(), ChainError> {
		self.calls.fetch_add(1, Ordering::Relaxed);
		if self.failing.load(Ordering::Relaxed) {
			Err(ChainError::Unavailable("the test chain is down".into()))
		} else {
			Ok(())
		}
	}
}

impl ChainView for MemoryChain {
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		self.check()?;
		Ok(self.subscriptions.lock().unwrap().get(node).cloned().unwrap_or_default())
	}

	fn catalog(&self, moderator: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		self.check()?;
		Ok(self.catalogs.lock().unwrap().get(moderator).cloned().unwrap_or_default())
	}

	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<ItemMeta>, ChainError> {
		Ok(self.catalog(moderator)?.into_iter().find(|(id, _)| id == content).map(|(_, meta)| meta))
	}

	fn is_denied(&self, moderator: &AccountId, content: &ContentId) -> Result<bool, ChainError> {
		self.check()?;
		Ok(self.denied.lock().unwrap().contains(&(moderator.clone(), *content)))
	}

	fn submission_window(&self) -> EpochIndex {
		SUBMISSION_WINDOW
	}

	fn proposed_size(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<u64>, ChainError> {
		self.check()?;
		Ok(self.proposals.lock().unwrap().get(&(moderator.clone(), *content)).copied())
	}

	fn receipt_context(&self) -> Result<(u32, H256), ChainError> {
		self.check()?;
		let genesis =
			self.genesis.lock().unwrap().ok_or(ChainError::Unsupported("no receipts".into()))?;
		Ok((self.epoch.load(Ordering::Relaxed), genesis))
	}

	fn client_quota(&self, client: &AccountId, _epoch: u32) -> Result<Quota, ChainError> {
		self.check()?;
		Ok(self.quotas.lock().unwrap().get(client).copied().unwrap_or_default())
	}

	fn is_node(&self, account: &AccountId) -> Result<bool, ChainError> {
		self.check()?;
		Ok(*account == node() || self.nodes.lock().unwrap().contains(account))
	}

	fn best_block(&self) -> Option<(u32, String)> {
		Some((7, "0x00".into()))
	}

	fn best_hash(&self) -> Option<H256> {
		*self.best.lock().unwrap()
	}

	fn carries_unmoderated(&self, node: &AccountId) -> Result<bool, ChainError> {
		self.check()?;
		Ok(self.carriers.lock().unwrap().contains(node))
	}

	fn leases(&self, content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		self.check()?;
		Ok(self.leases.lock().unwrap().get(content).cloned().unwrap_or_default())
	}

	fn endpoints(&self, moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		self.check()?;
		Ok(self.endpoints.lock().unwrap().get(moderator).cloned().unwrap_or_default())
	}
}

pub fn hex(id: &ContentId) -> String {
	bitcloud_content::to_hex(id)
}

/// A running gateway over a temporary store.
pub struct TestGateway {
	pub addr: SocketAddr,
	pub chain: Arc<MemoryChain>,
	pub store: Arc<ContentStore>,
	pub window: Option<Arc<SigningWindow>>,
	pub dir: tempfile::TempDir,
	pub metrics: Metrics,
	pub challenges: Arc<ChallengeBoard>,
	/// The cache the gateway asks the chain through, if [`Setup::cache`] asked for one.
	pub cache: Option<Arc<CachedChain<MemoryChain>>>,
	runtime: Option<tokio::runtime::Runtime>,
}

/// Bounds a test gateway runs with instead of the defaults.
#[derive(Default)]
pub struct Setup {
	pub limits: Option<ConnectionLimits>,
	pub unlisted: Option<UnlistedPolicy>,
	/// Ask the chain through a [`CachedChain`] keeping at most this many answers per kind.
	pub cache: Option<usize>,
}

impl TestGateway {
	/// A gateway for [`node`], whose store holds `items` before it starts.
	pub fn start(chain: MemoryChain, items: &[&[u8]]) -> Self {
		Self::start_with(chain, items, Setup::default())
	}

	/// [`Self::start`] with the bounds of `setup`.
	pub fn start_with(chain: MemoryChain, items: &[&[u8]], setup: Setup) -> Self {
		let dir = tempfile::tempdir().unwrap();
		let mut import = Vec::new();
		for (n, item) in items.iter().enumerate() {
			let path = dir.path().join(format!("import-{n}"));
			std::fs::write(&path, item).unwrap();
			import.push(path);
		}
		let chain = Arc::new(chain);
		let config = ContentConfig {
			dir: dir.path().join("content"),
			gateway_addr: "127.0.0.1:0".parse().unwrap(),
			node: Some(node()),
			import,
			version: "test-1.0".into(),
			replicate_every: None,
		};
		let runtime = tokio::runtime::Builder::new_multi_thread()
			.worker_threads(2)
			.enable_all()
			.build()
			.unwrap();
		let cache = setup.cache.map(|cap| Arc::new(CachedChain::with_capacity(chain.clone(), cap)));
		let view: Arc<dyn ChainView> = match &cache {
			Some(cache) => cache.clone(),
			None => chain.clone(),
		};
		let mut service = ContentService::prepare(config, view, None).unwrap();
		if let Some(limits) = setup.limits {
			service.set_connection_limits(limits);
		}
		if let Some(policy) = setup.unlisted {
			service.store().set_unlisted_policy(policy);
		}
		let addr = service.local_addr();
		let store = service.store().clone();
		let window = service.window().cloned();
		let metrics = service.metrics().clone();
		let challenges = service.challenges().clone();
		runtime.spawn(service.run());
		TestGateway {
			addr,
			chain,
			store,
			window,
			dir,
			metrics,
			challenges,
			cache,
			runtime: Some(runtime),
		}
	}

	pub fn url(&self, path: &str) -> String {
		format!("http://{}{}", self.addr, path)
	}
}

impl Drop for TestGateway {
	fn drop(&mut self) {
		if let Some(runtime) = self.runtime.take() {
			runtime.shutdown_background();
		}
	}
}

/// How long anything that should happen "soon" may take before a test fails.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits until `done` holds, failing after [`EVENTUALLY`].
pub fn eventually(what: &str, mut done: impl FnMut() -> bool) {
	let start = std::time::Instant::now();
	while !done() {
		assert!(start.elapsed() < EVENTUALLY, "not within {EVENTUALLY:?}: {what}");
		std::thread::sleep(std::time::Duration::from_millis(50));
	}
}

/// An HTTP agent that returns 4xx/5xx as responses.
pub fn agent() -> ureq::Agent {
	ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

/// A raw HTTP/1.1 exchange: sends `request` and returns the whole answer as text.
pub fn raw(addr: SocketAddr, request: &[u8]) -> String {
	use std::io::{Read, Write};
	let mut stream = std::net::TcpStream::connect(addr).unwrap();
	stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
	let _ = stream.write_all(request);
	let mut answer = Vec::new();
	let _ = stream.read_to_end(&mut answer);
	String::from_utf8_lossy(&answer).into_owned()
}
