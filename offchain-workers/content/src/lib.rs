#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub mod admission;
pub mod auth;
pub mod bisect;
pub mod book;
pub mod catalog;
pub mod chain;
pub mod chain_cache;
pub mod challenges;
pub mod connection;
pub mod expiry;
pub mod gateway;
pub mod hot;
pub mod id;
pub mod metrics;
pub mod protocol;
pub mod prove;
pub mod range;
pub mod replication;
pub mod site;
pub mod store;
#[cfg(test)]
mod test_support;
pub mod verified;
pub mod window;

/// The one verifier of bytes against a content's outboard and root (crate `bitcloud-verify`),
/// under its old path here.
pub use bitcloud_verify as verify;
pub use bitcloud_verify::{range_is_valid, valid_chunk_ranges, Received};
pub use book::{BookError, ReceiptBook};
pub use chain::{
	paid_unmoderated, serving_rule, upload_verdict, ChainError, ChainView, ItemMeta, LeaseFacts,
	Quota, UploadVerdict, Verdict,
};
pub use chain_cache::CachedChain;
pub use challenges::ChallengeBoard;
pub use connection::ConnectionLimits;
pub use expiry::SweepReport;
pub use gateway::Gateway;
pub use id::{parse_id, to_cid, to_hex, IdError};
pub use metrics::Metrics;
pub use replication::{Replicator, RoundReport};
pub use store::{ContentStore, OpenReport, StoreError, Unlisted, UnlistedBudget, UnlistedPolicy};
pub use window::{ReceiptSink, Reservation, SigningWindow, WINDOW_BYTES};

use bitcloud_primitives::AccountId;
use polkadot_sdk::substrate_prometheus_endpoint::Registry;
use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
	time::Duration,
};

/// How the node runs its content services.
#[derive(Debug, Clone)]
pub struct ContentConfig {
	/// Directory of the content store.
	pub dir: PathBuf,
	/// Address of the HTTP gateway (port 0: any free port).
	pub gateway_addr: SocketAddr,
	/// The node's account: the content node whose subscriptions decide what is served.
	pub node: Option<AccountId>,
	/// Files imported into the store at start (for example the dev chain's sample content).
	pub import: Vec<PathBuf>,
	/// Version string shown by `/status`.
	pub version: String,
	/// How often replication fetches missing catalog items from peers (none: never).
	pub replicate_every: Option<Duration>,
}

/// An error starting the content services.
#[derive(Debug)]
pub enum StartError {
	/// The store could not be opened or an import failed.
	Store(StoreError),
	/// The gateway address could not be bound.
	Bind(SocketAddr, std::io::Error),
	/// The metrics could not be registered.
	Metrics(String),
}

impl std::fmt::Display for StartError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			StartError::Store(e) => write!(f, "content store: {e}"),
			StartError::Bind(addr, e) => write!(f, "content gateway cannot listen on {addr}: {e}"),
			StartError::Metrics(e) => write!(f, "content metrics: {e}"),
		}
	}
}

impl std::error::Error for StartError {}

/// The content services, ready to run: the store is open and the gateway's socket bound.
pub struct ContentService {
	gateway: Arc<Gateway>,
	replicator: Option<(Replicator, Duration)>,
	listener: std::net::TcpListener,
	addr: SocketAddr,
	extra_routes: Option<axum::Router>,
	limits: ConnectionLimits,
	sweeper: expiry::Sweeper,
}

impl ContentService {
	/// Opens the store (checking it and removing what an interrupted import left), imports
	/// `config.import`, registers the metrics in `registry` and binds the gateway's socket.
	/// Blocking; runs once at node start.
	pub fn prepare(
		config: ContentConfig,
		chain: Arc<dyn ChainView>,
		registry: Option<&Registry>,
	) -> Result<Self, StartError> {
		let (store, report) = ContentStore::open(&config.dir).map_err(StartError::Store)?;
		log::info!(
			target: "content",
			"Content store {}: {} items, {} bytes{}",
			config.dir.display(),
			report.items,
			report.bytes,
			if report.temp_files_removed + report.broken_removed > 0 {
				format!(
					" ({} leftover temporary files and {} broken objects removed)",
					report.temp_files_removed, report.broken_removed
				)
			} else {
				String::new()
			}
		);
		for path in &config.import {
			let id = store.import_file(path).map_err(StartError::Store)?;
			log::info!(target: "content", "Imported {} as {}", path.display(), to_hex(&id));
		}
		let metrics = match registry {
			Some(registry) => {
				Metrics::register(registry).map_err(|e| StartError::Metrics(e.to_string()))?
			},
			None => Metrics::unregistered(),
		};
		let listener = connection::bind(config.gateway_addr)
			.map_err(|e| StartError::Bind(config.gateway_addr, e))?;
		let addr = listener.local_addr().map_err(|e| StartError::Bind(config.gateway_addr, e))?;
		let store = Arc::new(store);
		let replicator = match (&config.node, config.replicate_every) {
			(Some(node), Some(every)) => {
				Some((Replicator::new(store.clone(), chain.clone(), node.clone()), every))
			},
			_ => None,
		};
		// Receipts need the chain's genesis hash; a chain view without receipts gets none.
		let window = match (&config.node, chain.receipt_context()) {
			(Some(node), Ok((_, genesis))) => Some(Arc::new(SigningWindow::new(
				node.clone(),
				genesis,
				WINDOW_BYTES,
				chain.submission_window(),
				None,
			))),
			_ => None,
		};
		let sweeper = expiry::Sweeper {
			store: store.clone(),
			chain: chain.clone(),
			node: config.node.clone(),
			metrics: metrics.clone(),
		};
		let gateway =
			Arc::new(Gateway::new(store, chain, config.node, metrics, config.version, window));
		gateway.refresh_store_metrics();
		Ok(ContentService {
			gateway,
			replicator,
			listener,
			addr,
			extra_routes: None,
			limits: ConnectionLimits::default(),
			sweeper,
		})
	}

	/// Serves the gateway within `limits` instead of the defaults.
	pub fn set_connection_limits(&mut self, limits: ConnectionLimits) {
		self.limits = limits;
	}

	/// The gateway's and the store's metrics.
	pub fn metrics(&self) -> &Metrics {
		self.gateway.metrics()
	}

	/// The address the gateway listens on (the real port when 0 was asked for).
	pub fn local_addr(&self) -> SocketAddr {
		self.addr
	}

	/// Serves `routes` on the gateway too (the onion relay's `/onion`).
	pub fn add_routes(&mut self, routes: axum::Router) {
		self.extra_routes = Some(match self.extra_routes.take() {
			Some(existing) => existing.merge(routes),
			None => routes,
		});
	}

	/// The store.
	pub fn store(&self) -> &Arc<ContentStore> {
		self.gateway.store()
	}

	/// The chunks under pending storage challenges, which the gateway does not hand out to
	/// whoever could be the challenged node: the node refreshes it every best block and
	/// shares it with its onion relay.
	pub fn challenges(&self) -> &Arc<ChallengeBoard> {
		self.gateway.challenges()
	}

	/// The signing window of the node's clients (none without a node account or when the
	/// chain view knows no receipts): set its sink to keep the receipts it accepts.
	pub fn window(&self) -> Option<&Arc<SigningWindow>> {
		self.gateway.window()
	}

	/// Runs the gateway, replication, the sweep of unlisted content and the store gauges'
	/// refresh until the future is dropped. Must run inside a tokio runtime.
	pub async fn run(self) {
		let ContentService { gateway, replicator, listener, extra_routes, limits, sweeper, .. } =
			self;
		let listener = match tokio::net::TcpListener::from_std(listener) {
			Ok(listener) => listener,
			Err(e) => {
				log::error!(target: "content", "content gateway cannot start: {e}");
				return;
			},
		};
		let gauges = {
			let gateway = gateway.clone();
			async move {
				let mut tick = tokio::time::interval(Duration::from_secs(10));
				loop {
					tick.tick().await;
					gateway.refresh_store_metrics();
				}
			}
		};
		let replication = async move {
			match replicator {
				Some((replicator, every)) => replicator.run(every).await,
				None => std::future::pending().await,
			}
		};
		let metrics = gateway.metrics().clone();
		let front = crate::gateway::front(gateway, extra_routes);
		tokio::select! {
			() = connection::serve_with(listener, front, limits, Some(metrics)) => {},
			() = gauges => {},
			() = replication => {},
			() = sweeper.run() => {},
		}
	}
}

/// The default store directory under a node's base path: `<base>/content`.
pub fn default_dir(base_path: &Path) -> PathBuf {
	base_path.join("content")
}

#[cfg(test)]
mod tests {
	/// The verifier counts chunks as BLAKE3 does; the storage proofs must count the same.
	#[test]
	fn the_verifiers_chunk_is_the_storage_proofs_chunk() {
		assert_eq!(bitcloud_verify::CHUNK_BYTES, bitcloud_primitives::storage_proof::CHUNK_LEN);
	}
}
