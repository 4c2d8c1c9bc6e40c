//! The content services of a content node (`bitcloud-content`): the store, the HTTP gateway
//! and the receipt book, made ready to run (`services.rs` starts them).

use std::{
	net::SocketAddr,
	path::{Path, PathBuf},
	sync::Arc,
	time::Duration,
};

use bitcloud_content::{
	admission::{Admission, BookDoor},
	book::Limits,
	metrics::ReceiptMetrics,
	ContentConfig, ContentService, ReceiptBook,
};
use bitcloud_runtime::AccountId;
use polkadot_sdk::{
	sc_service::error::Error as ServiceError, sp_core::H256,
	substrate_prometheus_endpoint::Registry,
};

use crate::{chain_view::RuntimeChainView, runtime_params};

/// Gateway address when none is given.
pub const DEFAULT_GATEWAY_ADDR: &str = "127.0.0.1:8080";

/// How often replication looks for missing catalog items: every two blocks.
pub const REPLICATE_EVERY: Duration = runtime_params::blocks(2);

/// What the content services are made of.
pub struct ContentSetup<'a> {
	/// The store directory.
	pub dir: PathBuf,
	/// The gateway's address.
	pub gateway_addr: SocketAddr,
	/// The node's account, if it has one: the gateway serves nothing without.
	pub node: Option<AccountId>,
	/// The node's version, which the gateway's `/status` shows.
	pub version: String,
	/// Whether to import the sample catalog's files (test chains list it in their genesis).
	pub import_samples: bool,
	/// The chain.
	pub chain: Arc<RuntimeChainView>,
	/// The node's Prometheus registry.
	pub registry: Option<&'a Registry>,
}

/// The content services, ready to run.
pub struct Content {
	/// The store and the gateway.
	pub service: ContentService,
	/// The receipt book behind its door, when the node has an account and a signing window.
	pub book: Option<Arc<BookDoor>>,
}

/// Opens the store and binds the gateway, imports the sample catalog if asked, and opens
/// the receipt book the signing window gives its receipts to.
pub fn prepare(setup: ContentSetup) -> Result<Content, ServiceError> {
	let config = ContentConfig {
		dir: setup.dir,
		gateway_addr: setup.gateway_addr,
		node: setup.node.clone(),
		import: Vec::new(),
		version: setup.version,
		replicate_every: Some(REPLICATE_EVERY),
	};
	let service = ContentService::prepare(config, setup.chain.clone(), setup.registry)
		.map_err(|e| ServiceError::Other(e.to_string()))?;
	if setup.import_samples {
		import_samples(&service)?;
	}
	let book = match (&setup.node, service.window().cloned()) {
		(Some(node), Some(window)) => {
			let dir = service.store().dir().join("receipts");
			let book = open_book(&dir, node, *window.genesis(), setup.chain, setup.registry)?;
			window.restore(book.book().receipts());
			window.set_sink(book.clone());
			Some(book)
		},
		_ => None,
	};
	Ok(Content { service, book })
}

/// Imports the files of the sample catalog (`runtime/sample-content/`) into the store and
/// logs where each is served.
fn import_samples(service: &ContentService) -> Result<(), ServiceError> {
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
	Ok(())
}

/// Opens the receipt book in `dir`, within the chain's limits, behind the door that checks
/// every receipt against what the chain would accept (`bitcloud_content::admission`): the
/// sink the signing window and the onion relay give their receipts to.
fn open_book(
	dir: &Path,
	node: &AccountId,
	genesis: H256,
	chain: Arc<RuntimeChainView>,
	registry: Option<&Registry>,
) -> Result<Arc<BookDoor>, ServiceError> {
	let limits = Limits::new(runtime_params::max_moderators_per_node());
	let (book, report) =
		ReceiptBook::open(dir, genesis, limits).map_err(|e| ServiceError::Other(e.to_string()))?;
	log::info!(
		target: "content",
		"Receipt book {}: {} receipts held",
		dir.display(),
		report.receipts
	);
	let admission = Admission::new(node.clone(), genesis, chain);
	let metrics = match registry {
		Some(registry) => ReceiptMetrics::register(registry)
			.map_err(|e| ServiceError::Other(format!("receipt metrics: {e}")))?,
		None => ReceiptMetrics::unregistered(),
	};
	Ok(Arc::new(BookDoor::new(admission, Arc::new(book), metrics)))
}
