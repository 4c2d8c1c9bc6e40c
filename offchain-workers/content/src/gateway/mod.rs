//! The HTTP gateway: serves stored content that the node may serve, verified chunk group by
//! chunk group, plus the outboards, the node's catalog and its status.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET`/`HEAD /content/{id}` | 200 (whole) or 206 (one `Range`) with the bytes |
//! | `PUT /content/{id}` | 201 when the body hashes to `id` and a subscribed moderator lists it or has it proposed; 200 if already stored |
//! | `GET /content/{id}/outboard` | the bao-tree post-order outboard, to verify any range |
//! | `POST /receipts` | 200 when the receipt is taken (the receipt exchange: `paying`) |
//! | `GET /catalog?offset=&limit=` | JSON: a page (at most 100 entries) of the catalogs this node serves and what it holds of them |
//! | `GET /status` | JSON: node account, subscriptions, store, version |
//! | `OPTIONS` any of the above | 204: the CORS preflight answer (`cors`) |
//! | `GET /` | 303 to `/app/` |
//! | `GET /app/`, `GET /app/{file}` | WeTube, the browser app: its files, embedded at compile time (`app`) |
//! | `GET`/`HEAD` any path on host `<site id>.<host>` | a page of that website (`site`) |
//!
//! Refusals: 400 malformed id, 403 denied by a subscribed moderator, 404 unknown or not in
//! any subscribed catalog or not stored here, 416 bad, unsatisfiable or multiple ranges,
//! 431 oversized headers, 503 chain unavailable. Uploads: 403 denied or not wanted, 408 a body
//! that arrives too slowly, 413 longer than listed, 422 bytes that are not the content, 503 too
//! many uploads at once, 507 no room left for unlisted (proposed) content. Each carries a
//! one-line text reason. Connections are bounded by [`crate::connection`].
//!
//! The API routes (content, outboard, receipts, catalog, status) answer pages from any
//! origin: every answer carries `Access-Control-Allow-Origin: *` and exposes the headers
//! clients read (`cors`).
//!
//! One file per concern: `authorise` (may this be served?), `content` (the bytes),
//! `outboard`, `upload`, `paying` (the receipt exchange), `views` (catalog and status JSON),
//! `responses` (refusals apart from successful answers), `cors` (other origins), `app`
//! (WeTube's files) and `site` (websites by path).

// Handlers answer early with a ready `Response` as the error (axum's idiom); it is large, but
// built once per request.
#![allow(clippy::result_large_err)]

mod app;
mod authorise;
mod content;
mod cors;
mod front;
mod outboard;
mod paying;
mod prepared;
mod responses;
mod site;
mod upload;
mod views;

pub use front::Front;

use crate::{
	chain_cache::{peek, Peeked},
	challenges::ChallengeBoard,
	metrics::Metrics,
	store::ContentStore,
	store::GROUP_BYTES,
	window::SigningWindow,
	ChainView,
};
use axum::{
	extract::DefaultBodyLimit,
	http::StatusCode,
	middleware,
	response::Response,
	routing::{get, post},
	Router,
};
use bitcloud_primitives::AccountId;
use polkadot_sdk::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use responses::{internal_error, refuse};
use std::{
	sync::{
		atomic::{AtomicU8, Ordering},
		Arc,
	},
	time::Duration,
};
use tokio::net::TcpListener;

/// Bytes read and verified before an answer's status line goes out (its first block): 16
/// chunk groups, small enough for a quick first byte.
pub const STREAM_BLOCK: u64 = 16 * GROUP_BYTES;

/// Bytes read, verified and sent per step of a body after its first block: 64 chunk groups.
/// Fewer, larger steps mean fewer hops to a blocking thread and fewer wake-ups: a 1 GiB download
/// through the dev node ran at 0.80–0.85x nginx with 256 KiB steps, 0.99x with 512 KiB, 1.10–1.17x
/// with 1 MiB and 1.06–1.10x with 2 MiB (docs/performance.md, "Session 17").
pub const STREAM_STEP: u64 = 4 * STREAM_BLOCK;

/// Bytes of an outboard read and sent per step (the outboard of 4 GiB is 16 MiB: it is
/// streamed, never held whole).
pub const OUTBOARD_BLOCK: u64 = 64 * 1024;

/// Largest request head (request line and headers) accepted; larger ones get 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Most request headers accepted; more get 431.
pub const MAX_HEADERS: usize = 64;

/// Time a client has to send its request head, counted from the moment the connection
/// waits for one: so also the longest a kept-alive connection may stay idle.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Uploads imported at the same time; more get 503 (each holds a blocking thread and a
/// temporary file).
pub const MAX_CONCURRENT_UPLOADS: usize = 4;

/// The gateway's shared state.
pub struct Gateway {
	store: Arc<ContentStore>,
	chain: Arc<dyn ChainView>,
	node: Option<AccountId>,
	metrics: Metrics,
	version: String,
	uploads: Arc<tokio::sync::Semaphore>,
	window: Option<Arc<SigningWindow>>,
	catalog: crate::catalog::CatalogCache,
	challenges: Arc<ChallengeBoard>,
	/// Whether the chain view keeps answers that can be peeked at ([`ChainKeeps`]).
	chain_keeps: AtomicU8,
	/// Websites' manifests, parsed.
	manifests: site::Manifests,
	/// Heads of plain answers for small files, per best block.
	prepared: prepared::PreparedAnswers,
}

/// What the gateway learnt of its chain view from the first query it asked: whether a
/// [`CachedChain`](crate::CachedChain) answers it, so that held answers can be read on the
/// async thread ([`crate::chain_cache::peek`]).
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq)]
enum ChainKeeps {
	/// Not known yet: the next query peeks on a blocking thread to find out.
	Unknown = 0,
	/// A `CachedChain` answers: peek on the async thread, ask on a blocking one on a miss.
	Answers = 1,
	/// Nothing is kept: every query is asked on a blocking thread.
	Nothing = 2,
}

impl Gateway {
	/// A gateway serving `store` for the content node `node` (none: nothing is served).
	pub fn new(
		store: Arc<ContentStore>,
		chain: Arc<dyn ChainView>,
		node: Option<AccountId>,
		metrics: Metrics,
		version: String,
		window: Option<Arc<SigningWindow>>,
	) -> Self {
		let uploads = Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_UPLOADS));
		let (catalog, challenges) = Default::default();
		let chain_keeps = AtomicU8::new(ChainKeeps::Unknown as u8);
		Gateway {
			store,
			chain,
			node,
			metrics,
			version,
			uploads,
			window,
			catalog,
			challenges,
			chain_keeps,
			manifests: Default::default(),
			prepared: Default::default(),
		}
	}

	/// The chunks under pending storage challenges.
	pub fn challenges(&self) -> &Arc<ChallengeBoard> {
		&self.challenges
	}

	/// The signing window of clients that pay with receipts.
	pub fn window(&self) -> Option<&Arc<SigningWindow>> {
		self.window.as_ref()
	}

	/// The store.
	pub fn store(&self) -> &Arc<ContentStore> {
		&self.store
	}

	/// The metrics.
	pub fn metrics(&self) -> &Metrics {
		&self.metrics
	}

	/// Sets the store gauges from the store.
	pub fn refresh_store_metrics(&self) {
		self.metrics.store_bytes.set(self.store.total_bytes());
		self.metrics.store_items.set(self.store.len() as u64);
		crate::expiry::refresh_gauges(&self.store, &self.metrics);
	}

	/// Runs `job` (a chain query or a store operation: both block) on a blocking thread.
	async fn ask<T: Send + 'static>(
		self: &Arc<Self>,
		job: impl FnOnce(&Gateway) -> T + Send + 'static,
	) -> Result<T, Response> {
		let this = self.clone();
		tokio::task::spawn_blocking(move || job(&this)).await.map_err(|e| {
			self.metrics.count_error("internal");
			internal_error(e)
		})
	}

	/// Answers `query` (of the chain only) from the answers the chain view holds for the best
	/// block, on this thread, when it can; else runs it on a blocking thread like [`Self::ask`].
	/// A hop to a blocking thread costs more than a held answer.
	async fn ask_chain<T: Send + 'static>(
		self: &Arc<Self>,
		query: impl Fn(&Gateway) -> T + Send + 'static,
	) -> Result<T, Response> {
		match self.chain_keeps() {
			ChainKeeps::Answers => {
				if let Peeked::Held(answer) = peek(|| query(self)) {
					return Ok(answer);
				}
				self.ask(query).await
			},
			ChainKeeps::Nothing => self.ask(query).await,
			ChainKeeps::Unknown => self.ask(move |g| g.learn_chain(query)).await,
		}
	}

	/// Answers `query` on a blocking thread, peeking first to learn whether the chain view
	/// keeps answers.
	fn learn_chain<T>(&self, query: impl Fn(&Gateway) -> T) -> T {
		let (keeps, answer) = match peek(|| query(self)) {
			Peeked::Held(answer) => (ChainKeeps::Answers, answer),
			Peeked::Missed => (ChainKeeps::Answers, query(self)),
			Peeked::Uncached(answer) => (ChainKeeps::Nothing, answer),
		};
		self.chain_keeps.store(keeps as u8, Ordering::Relaxed);
		answer
	}

	fn chain_keeps(&self) -> ChainKeeps {
		match self.chain_keeps.load(Ordering::Relaxed) {
			1 => ChainKeeps::Answers,
			2 => ChainKeeps::Nothing,
			_ => ChainKeeps::Unknown,
		}
	}
}

/// The gateway over `gateway` as one service: its front ([`Front`]), then its routes and
/// `extra` routes (the onion relay's).
pub fn front(gateway: Arc<Gateway>, extra: Option<Router>) -> Front {
	let mut router = Router::new()
		.merge(api())
		.merge(app::routes())
		.fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such endpoint") })
		.with_state(gateway.clone());
	if let Some(extra) = extra {
		router = router.merge(extra);
	}
	Front::new(gateway, router)
}

/// The API routes, open to pages from other origins.
fn api() -> Router<Arc<Gateway>> {
	Router::new()
		// An upload's length is bounded by the listed size (the store stops past it), not by
		// axum's default body limit.
		.route(
			"/content/{id}",
			get(content::content).put(upload::upload).layer(DefaultBodyLimit::disable()),
		)
		.route("/content/{id}/outboard", get(outboard::outboard))
		.route("/receipts", post(paying::post_receipt))
		.route("/catalog", get(views::catalog))
		.route("/status", get(views::status))
		// Around the routes, so `OPTIONS` is answered before a route refuses its method.
		.layer(middleware::from_fn(cors::cors))
}

/// Serves `router` on `listener` until the future is dropped: HTTP/1.1 with bounded request
/// heads, within the default [`ConnectionLimits`](crate::connection::ConnectionLimits)
/// (see [`crate::connection::serve_with`]).
pub async fn serve(listener: TcpListener, router: Router) {
	crate::connection::serve_with(listener, router, Default::default(), None).await
}

/// An account in Bitcloud's SS58 form.
pub(crate) fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{
		chain::{ChainError, ItemMeta},
		CachedChain,
	};
	use bitcloud_primitives::{ContentId, EpochIndex};
	use polkadot_sdk::sp_core::H256;
	use std::{
		sync::Mutex,
		thread::{self, ThreadId},
	};

	/// A chain that notes the threads it is asked on (`is_node` and `best_hash`).
	#[derive(Default)]
	struct Threads {
		best: Mutex<u8>,
		asked_on: Mutex<Vec<ThreadId>>,
		best_read_on: Mutex<Vec<ThreadId>>,
	}

	impl Threads {
		fn take(&self) -> (Vec<ThreadId>, Vec<ThreadId>) {
			let asked = std::mem::take(&mut *self.asked_on.lock().unwrap());
			(asked, std::mem::take(&mut *self.best_read_on.lock().unwrap()))
		}
	}

	impl ChainView for Threads {
		fn subscriptions(&self, _: &AccountId) -> Result<Vec<AccountId>, ChainError> {
			Ok(Vec::new())
		}
		fn catalog(&self, _: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
			Ok(Vec::new())
		}
		fn catalog_item(
			&self,
			_: &AccountId,
			_: &ContentId,
		) -> Result<Option<ItemMeta>, ChainError> {
			Ok(None)
		}
		fn is_denied(&self, _: &AccountId, _: &ContentId) -> Result<bool, ChainError> {
			Ok(false)
		}
		fn submission_window(&self) -> EpochIndex {
			2
		}
		fn is_node(&self, _: &AccountId) -> Result<bool, ChainError> {
			self.asked_on.lock().unwrap().push(thread::current().id());
			Ok(true)
		}
		fn best_hash(&self) -> Option<H256> {
			self.best_read_on.lock().unwrap().push(thread::current().id());
			Some(H256::repeat_byte(*self.best.lock().unwrap()))
		}
	}

	fn gateway(chain: Arc<dyn ChainView>) -> (Arc<Gateway>, tempfile::TempDir) {
		let dir = tempfile::tempdir().unwrap();
		let (store, _) = ContentStore::open(dir.path().join("store")).unwrap();
		let (metrics, version) = (Metrics::unregistered(), "test".to_string());
		(Arc::new(Gateway::new(Arc::new(store), chain, None, metrics, version, None)), dir)
	}

	async fn is_node(gateway: &Arc<Gateway>) -> bool {
		let asked = gateway.ask_chain(|g| g.chain.is_node(&AccountId::new([7; 32]))).await;
		asked.ok().and_then(Result::ok).expect("an answer")
	}

	#[tokio::test(flavor = "current_thread")]
	async fn held_answers_are_read_on_the_async_thread_and_misses_asked_on_a_blocking_one() {
		let view = Arc::new(Threads::default());
		let (gateway, _dir) = gateway(Arc::new(CachedChain::new(view.clone())));
		let here = thread::current().id();
		assert!(is_node(&gateway).await);
		let (asked, read) = view.take();
		assert_eq!(asked.len(), 1);
		assert!(asked.iter().chain(&read).all(|t| *t != here), "the first query blocked here");
		assert!(is_node(&gateway).await);
		let (asked, read) = view.take();
		assert!(asked.is_empty(), "a held answer was asked again");
		assert_eq!(read, vec![here], "a held answer took a hop");
		*view.best.lock().unwrap() = 2;
		assert!(is_node(&gateway).await);
		let (asked, _) = view.take();
		assert_eq!(asked.len(), 1, "a new block asks again");
		assert!(asked.iter().all(|t| *t != here), "a miss was asked here");
	}

	#[tokio::test(flavor = "current_thread")]
	async fn a_chain_that_keeps_nothing_is_always_asked_on_a_blocking_thread() {
		let view = Arc::new(Threads::default());
		let (gateway, _dir) = gateway(view.clone());
		let here = thread::current().id();
		for _ in 0..3 {
			assert!(is_node(&gateway).await);
		}
		let (asked, _) = view.take();
		assert_eq!(asked.len(), 3);
		assert!(asked.iter().all(|t| *t != here), "an uncached chain was asked here");
	}
}
