//! The HTTP gateway: serves stored content that the node may serve, verified chunk group by
//! chunk group, plus the outboards, the node's catalog and its status.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET`/`HEAD /content/{id}` | 200 (whole) or 206 (one `Range`) with the bytes |
//! | `PUT /content/{id}` | 201 when the body hashes to `id` and a subscribed moderator lists it or has it proposed; 200 if already stored |
//! | `GET /content/{id}/outboard` | the bao-tree post-order outboard, to verify any range |
//! | `GET /catalog` | JSON: the catalogs this node serves and what it holds of them |
//! | `GET /status` | JSON: node account, subscriptions, store, version |
//!
//! Refusals: 400 malformed id, 403 denied by a subscribed moderator, 404 unknown or not in
//! any subscribed catalog or not stored here, 416 bad, unsatisfiable or multiple ranges,
//! 431 oversized headers, 503 chain unavailable. Uploads: 403 denied or not wanted, 413 longer
//! than listed, 422 bytes that are not the content, 503 too many uploads at once. Each carries
//! a one-line text reason.

// Handlers answer early with a ready `Response` as the error (axum's idiom); it is large, but
// built once per request.
#![allow(clippy::result_large_err)]

use crate::{
	chain::{upload_verdict, verdict, ChainView, UploadVerdict, Verdict},
	id::{parse_id, to_cid, to_hex},
	metrics::Metrics,
	range::{parse_range, RangeRequest},
	store::{ContentReader, ContentStore, StoreError, GROUP_BYTES},
	window::{Account, SigningWindow},
};
use axum::{
	body::Body,
	extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use bitcloud_primitives::{receipt::SignedReceipt, AccountId, ContentId};
use bytes::Bytes;
use codec::Decode;
use futures::StreamExt as _;
use polkadot_sdk::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use serde_json::{json, Value};
use std::{sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Bytes read, verified and sent per step of a response body: 16 chunk groups.
pub const STREAM_BLOCK: u64 = 16 * GROUP_BYTES;

/// Largest request head (request line and headers) accepted; larger ones get 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;

/// Most request headers accepted; more get 431.
pub const MAX_HEADERS: usize = 64;

/// Time a client has to send its request head.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a stream waits for a receipt when its client's window is full before it cuts
/// the connection.
pub const RECEIPT_WAIT: Duration = Duration::from_secs(5);

/// Header naming the client that pays with receipts (its account, `0x` hex).
pub const CLIENT_HEADER: &str = "bitcloud-client";

/// Header carrying the client's newest receipt for this node (hex of its SCALE encoding).
pub const RECEIPT_HEADER: &str = "bitcloud-receipt";

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
		Gateway { store, chain, node, metrics, version, uploads, window }
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
	}

	/// Runs a chain query on a blocking thread.
	async fn ask<T: Send + 'static>(
		self: &Arc<Self>,
		query: impl FnOnce(&Gateway) -> T + Send + 'static,
	) -> Result<T, Response> {
		let this = self.clone();
		tokio::task::spawn_blocking(move || query(&this)).await.map_err(|e| {
			self.metrics.count_error("internal");
			refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
		})
	}
}

/// The gateway's routes over `gateway`.
pub fn router(gateway: Arc<Gateway>) -> Router {
	Router::new()
		// An upload's length is bounded by the listed size (the store stops past it), not by
		// axum's default body limit.
		.route("/content/{id}", get(content).put(upload).layer(DefaultBodyLimit::disable()))
		.route("/content/{id}/outboard", get(outboard))
		.route("/receipts", axum::routing::post(post_receipt))
		.route("/catalog", get(catalog))
		.route("/status", get(status))
		.fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such endpoint") })
		.layer(middleware::from_fn_with_state(gateway.clone(), count_status))
		.with_state(gateway)
}

/// Serves `router` on `listener` until the future is dropped: HTTP/1.1 with bounded request
/// heads and a head timeout.
pub async fn serve(listener: TcpListener, router: Router) {
	loop {
		let (stream, peer) = match listener.accept().await {
			Ok(accepted) => accepted,
			Err(e) => {
				// Out of file descriptors and the like: wait rather than spin.
				log::warn!(target: "content", "gateway accept failed: {e}");
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			},
		};
		// Answers and onion frames go out at once: with Nagle's algorithm a frame written
		// after the unacknowledged head of a `101` waits for the peer's delayed ACK (40 ms).
		if let Err(e) = stream.set_nodelay(true) {
			log::debug!(target: "content", "gateway connection from {peer}: TCP_NODELAY: {e}");
		}
		// Routes that need the peer's address (the onion relay's) find it as `ConnectInfo`.
		let service = router.clone().map_request(
			move |mut request: axum::http::Request<hyper::body::Incoming>| {
				request.extensions_mut().insert(ConnectInfo(peer));
				request
			},
		);
		let service = hyper_util::service::TowerToHyperService::new(service);
		tokio::spawn(async move {
			let connection = hyper::server::conn::http1::Builder::new()
				.timer(hyper_util::rt::TokioTimer::new())
				.header_read_timeout(HEAD_TIMEOUT)
				.max_buf_size(MAX_HEAD_BYTES)
				.max_headers(MAX_HEADERS)
				.serve_connection(hyper_util::rt::TokioIo::new(stream), service)
				// `GET /onion` turns the connection into an onion link.
				.with_upgrades();
			if let Err(e) = connection.await {
				log::debug!(target: "content", "gateway connection from {peer}: {e}");
			}
		});
	}
}

/// A short plain-text refusal.
fn refuse(status: StatusCode, reason: &str) -> Response {
	(
		status,
		[(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
		format!("{reason}\n"),
	)
		.into_response()
}

/// Counts every response by status class.
async fn count_status(
	State(gateway): State<Arc<Gateway>>,
	request: Request,
	next: Next,
) -> Response {
	let response = next.run(request).await;
	gateway.metrics.count_status(response.status().as_u16());
	response
}

/// An account in Bitcloud's SS58 form.
fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
}

/// Parses the id of a path, or the 400 answer.
fn path_id(text: &str) -> Result<ContentId, Response> {
	parse_id(text)
		.map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("malformed content id: {e}")))
}

/// The 503 answer to a failed chain query.
fn chain_unavailable(gateway: &Gateway, e: crate::chain::ChainError) -> Response {
	gateway.metrics.count_error("chain");
	log::warn!(target: "content", "{e}");
	refuse(StatusCode::SERVICE_UNAVAILABLE, "chain state unavailable, try again")
}

/// What may be served: the moderator whose catalog lists it, its MIME type and stored size.
struct Servable {
	moderator: AccountId,
	mime: String,
	size: u64,
}

/// Decides whether `id` may be served.
async fn authorise(gateway: &Arc<Gateway>, id: ContentId) -> Result<Servable, Response> {
	let Some(node) = gateway.node.clone() else {
		return Err(refuse(
			StatusCode::NOT_FOUND,
			"this gateway has no node account: it serves no catalog",
		));
	};
	let verdict = gateway
		.ask(move |g| verdict(g.chain.as_ref(), &node, &id))
		.await?
		.map_err(|e| chain_unavailable(gateway, e))?;
	let (moderator, meta) = match verdict {
		Verdict::Serve { moderator, meta } => (moderator, meta),
		Verdict::Denied { moderator } => {
			return Err(refuse(
				StatusCode::FORBIDDEN,
				&format!("denied by moderator {}", ss58(&moderator)),
			))
		},
		Verdict::NotListed => {
			return Err(refuse(
				StatusCode::NOT_FOUND,
				"unknown content: not in any catalog this node serves",
			))
		},
	};
	let Some(size) = gateway.store.size(&id) else {
		return Err(refuse(StatusCode::NOT_FOUND, "listed, but not stored on this node (yet)"));
	};
	if size != meta.size {
		log::warn!(
			target: "content",
			"catalog says {} is {} bytes; its verified copy is {size}",
			to_hex(&id),
			meta.size
		);
	}
	Ok(Servable { moderator, mime: meta.mime_type, size })
}

/// Opens `id` for reading or answers with the error.
async fn open(gateway: &Arc<Gateway>, id: ContentId) -> Result<Arc<ContentReader>, Response> {
	match gateway.ask(move |g| g.store.reader(&id)).await? {
		Ok(reader) => Ok(Arc::new(reader)),
		Err(StoreError::NotFound) => {
			Err(refuse(StatusCode::NOT_FOUND, "listed, but not stored on this node (yet)"))
		},
		Err(e) => {
			gateway.metrics.count_error("io");
			log::error!(target: "content", "{e}");
			Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, "content store error"))
		},
	}
}

/// Reads and verifies `len` bytes at `offset` on a blocking thread. Corrupt content is
/// removed from the store.
async fn read_block(
	gateway: &Arc<Gateway>,
	reader: &Arc<ContentReader>,
	offset: u64,
	len: u64,
) -> Result<Bytes, StoreError> {
	let job = reader.clone();
	let result = tokio::task::spawn_blocking(move || job.read_verified(offset, len as usize))
		.await
		.map_err(|e| StoreError::Io(std::io::Error::other(e)))
		.and_then(|r| r);
	match result {
		Ok(bytes) => {
			gateway.metrics.bytes_served.inc_by(bytes.len() as u64);
			Ok(Bytes::from(bytes))
		},
		Err(e) => {
			match &e {
				StoreError::Corrupt { id } => {
					gateway.metrics.count_error("corrupt");
					let (store, id) = (gateway.store.clone(), *id);
					let _ = tokio::task::spawn_blocking(move || store.quarantine(&id)).await;
				},
				_ => gateway.metrics.count_error("io"),
			}
			Err(e)
		},
	}
}

/// `GET`/`HEAD /content/{id}`.
async fn content(
	State(gateway): State<Arc<Gateway>>,
	Path(id): Path<String>,
	method: Method,
	headers: HeaderMap,
) -> Response {
	match content_inner(&gateway, &id, &method, &headers).await {
		Ok(response) | Err(response) => response,
	}
}

async fn content_inner(
	gateway: &Arc<Gateway>,
	id: &str,
	method: &Method,
	headers: &HeaderMap,
) -> Result<Response, Response> {
	let id = path_id(id)?;
	let Servable { moderator, mime, size } = authorise(gateway, id).await?;
	let paying = paying_client(gateway, headers, moderator).await?;
	let etag = format!("\"{}\"", to_hex(&id));
	let content_type = HeaderValue::from_str(&mime)
		.ok()
		.filter(|_| !mime.is_empty())
		.unwrap_or(HeaderValue::from_static("application/octet-stream"));
	let mut response = Response::builder()
		.header(header::ETAG, &etag)
		.header(header::ACCEPT_RANGES, "bytes")
		.header(header::CONTENT_TYPE, content_type)
		.header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
		.header(header::X_CONTENT_TYPE_OPTIONS, "nosniff");

	if let Some(tags) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) {
		if tags.split(',').any(|tag| {
			let tag = tag.trim();
			tag == "*" || tag.trim_start_matches("W/") == etag
		}) {
			return Ok(empty(response.status(StatusCode::NOT_MODIFIED)));
		}
	}

	let range = headers.get(header::RANGE).map(|v| v.to_str().unwrap_or("\u{0}"));
	let (status, start, end) = match parse_range(range, size) {
		RangeRequest::Full => (StatusCode::OK, 0, size),
		RangeRequest::Single { start, end } => {
			response =
				response.header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
			(StatusCode::PARTIAL_CONTENT, start, end + 1)
		},
		refused => {
			let reason = match refused {
				RangeRequest::Multiple => {
					"multiple ranges are not supported: request one range at a time"
				},
				RangeRequest::Invalid => "malformed Range header",
				_ => "range not satisfiable",
			};
			let mut answer = refuse(StatusCode::RANGE_NOT_SATISFIABLE, reason);
			if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
				answer.headers_mut().insert(header::CONTENT_RANGE, value);
			}
			return Err(answer);
		},
	};
	let mut response = response.status(status).header(header::CONTENT_LENGTH, end - start);
	if let Some(paying) = &paying {
		response = paying.headers(response);
	}
	if method == Method::HEAD {
		return Ok(empty(response));
	}

	// The first block is read and verified before the status line goes out, so a corrupt
	// copy is answered with 500 instead of a cut-off 200.
	let reader = open(gateway, id).await?;
	let first_len = (end - start).min(STREAM_BLOCK);
	if let Some(paying) = &paying {
		if !paying.reserve(first_len) {
			let (sent, signed) = paying.window.figures(&paying.account);
			return Err(refuse(
				StatusCode::PAYMENT_REQUIRED,
				&format!(
					"sign a receipt for the bytes already sent: {} unsigned, window {}",
					sent.saturating_sub(signed),
					paying.window.window()
				),
			));
		}
	}
	let first = read_block(gateway, &reader, start, first_len).await.map_err(|e| {
		log::error!(target: "content", "{e}");
		refuse(StatusCode::INTERNAL_SERVER_ERROR, "the stored copy failed verification")
	})?;
	let state = (gateway.clone(), reader, paying, start + first_len, end);
	let rest =
		futures::stream::unfold(state, |(gateway, reader, paying, offset, end)| async move {
			if offset >= end {
				return None;
			}
			let len = (end - offset).min(STREAM_BLOCK);
			if let Some(paying) = &paying {
				if !paying.wait_and_reserve(len).await {
					// The client stopped signing: cut the connection (a short body).
					log::debug!(target: "content", "cut off a client that stopped signing");
					let cut = StoreError::Io(std::io::Error::other("receipt window exhausted"));
					return Some((Err(cut), (gateway, reader, None, end, end)));
				}
			}
			match read_block(&gateway, &reader, offset, len).await {
				Ok(bytes) => Some((Ok(bytes), (gateway, reader, paying, offset + len, end))),
				// Headers are out: the connection is cut, the client sees a short body.
				Err(e) => Some((Err(e), (gateway, reader, None, end, end))),
			}
		});
	let body = futures::stream::once(async move { Ok::<_, StoreError>(first) }).chain(rest);
	Ok(response.body(Body::from_stream(body)).unwrap_or_else(|e| {
		refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
	}))
}

/// A client paying with receipts, for one request.
struct Paying {
	window: Arc<SigningWindow>,
	account: Account,
}

impl Paying {
	fn reserve(&self, len: u64) -> bool {
		self.window.reserve(&self.account, len)
	}

	/// Reserves `len` bytes, waiting up to [`RECEIPT_WAIT`] for a receipt to make room.
	async fn wait_and_reserve(&self, len: u64) -> bool {
		let deadline = tokio::time::Instant::now() + RECEIPT_WAIT;
		while !self.reserve(len) {
			if tokio::time::Instant::now() >= deadline {
				return false;
			}
			tokio::time::sleep(Duration::from_millis(20)).await;
		}
		true
	}

	/// The headers that tell the client what to sign.
	fn headers(&self, builder: axum::http::response::Builder) -> axum::http::response::Builder {
		use codec::Encode;
		let mut builder = builder
			.header("bitcloud-node", format!("0x{}", hex::encode(self.window.node())))
			.header("bitcloud-epoch", self.account.epoch)
			.header("bitcloud-window", self.window.window());
		if let Some(moderator) = &self.account.moderator {
			builder = builder.header("bitcloud-moderator", format!("0x{}", hex::encode(moderator)));
		}
		if let Some(held) = self.window.held(&self.account) {
			builder = builder.header("bitcloud-receipt-held", hex::encode(held.encode()));
		}
		builder
	}
}

/// The client named by `Bitcloud-Client`, after taking the receipt it sent and checking its
/// quota; none for a request without the header (served without receipts).
async fn paying_client(
	gateway: &Arc<Gateway>,
	headers: &HeaderMap,
	moderator: AccountId,
) -> Result<Option<Paying>, Response> {
	let Some(value) = headers.get(CLIENT_HEADER) else { return Ok(None) };
	let client = value
		.to_str()
		.ok()
		.and_then(|text| hex::decode(text.trim_start_matches("0x")).ok())
		.and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
		.map(AccountId::new)
		.ok_or_else(|| {
			refuse(StatusCode::BAD_REQUEST, "Bitcloud-Client is 0x and 64 hex digits")
		})?;
	let Some(window) = gateway.window.clone() else {
		return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "this gateway takes no receipts"));
	};
	let epoch = current_epoch(gateway).await?;
	if let Some(value) = headers.get(RECEIPT_HEADER) {
		let receipt = decode_receipt(value.as_bytes())?;
		if receipt.receipt.client != client {
			return Err(refuse(StatusCode::BAD_REQUEST, "the receipt is another client's"));
		}
		offer(gateway, &window, receipt, epoch).await?;
	}
	let asked = client.clone();
	let quota = gateway
		.ask(move |g| g.chain.client_quota(&asked, epoch))
		.await?
		.map_err(|e| chain_unavailable(gateway, e))?;
	if quota.used >= quota.quota {
		return Err(refuse(
			StatusCode::PAYMENT_REQUIRED,
			"no bandwidth quota left this epoch: lock CLD first (bitcloud lock)",
		));
	}
	Ok(Some(Paying { window, account: Account { client, epoch, moderator: Some(moderator) } }))
}

async fn current_epoch(
	gateway: &Arc<Gateway>,
) -> Result<bitcloud_primitives::EpochIndex, Response> {
	let context = gateway.ask(|g| g.chain.receipt_context()).await?;
	context.map(|(epoch, _)| epoch).map_err(|e| chain_unavailable(gateway, e))
}

/// A receipt from hex (a header) or raw SCALE bytes (a body).
fn decode_receipt(bytes: &[u8]) -> Result<SignedReceipt<AccountId>, Response> {
	let raw = match hex::decode(bytes.strip_prefix(b"0x").unwrap_or(bytes)) {
		Ok(raw) => raw,
		Err(_) => bytes.to_vec(),
	};
	SignedReceipt::decode(&mut &raw[..])
		.map_err(|_| refuse(StatusCode::BAD_REQUEST, "not a SCALE-encoded signed receipt"))
}

/// Offers a receipt to the window (its signature is checked on a blocking thread).
async fn offer(
	gateway: &Arc<Gateway>,
	window: &Arc<SigningWindow>,
	receipt: SignedReceipt<AccountId>,
	epoch: bitcloud_primitives::EpochIndex,
) -> Result<u64, Response> {
	let window = window.clone();
	gateway
		.ask(move |_| window.offer(receipt, epoch))
		.await?
		.map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("receipt refused: {e}")))
}

/// `POST /receipts`: a receipt (SCALE bytes, or their hex) for bytes this node sent.
async fn post_receipt(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
	let result: Result<Response, Response> = async {
		let Some(window) = gateway.window.clone() else {
			return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "this gateway takes no receipts"));
		};
		if body.len() > 1024 {
			return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, "a receipt is under 1 KiB"));
		}
		let receipt = decode_receipt(&body)?;
		let epoch = current_epoch(&gateway).await?;
		let bytes = offer(&gateway, &window, receipt, epoch).await?;
		Ok(refuse(StatusCode::OK, &format!("receipt for {bytes} bytes taken")))
	}
	.await;
	match result {
		Ok(response) | Err(response) => response,
	}
}

/// A response without body from `builder`.
fn empty(builder: axum::http::response::Builder) -> Response {
	builder.body(Body::empty()).unwrap_or_else(|e| {
		refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
	})
}

/// `PUT /content/{id}`: a publisher pushes content the node is to hold. The body streams
/// into the store with constant memory and enters it only if its BLAKE3 root is `id`.
/// Refusals come before any body byte is read: uploaders send `Expect: 100-continue` so that
/// they hear them instead of a closed connection.
async fn upload(
	State(gateway): State<Arc<Gateway>>,
	Path(id): Path<String>,
	headers: HeaderMap,
	body: Body,
) -> Response {
	match upload_inner(&gateway, &id, &headers, body).await {
		Ok(response) | Err(response) => response,
	}
}

async fn upload_inner(
	gateway: &Arc<Gateway>,
	id: &str,
	headers: &HeaderMap,
	body: Body,
) -> Result<Response, Response> {
	let id = path_id(id)?;
	let Some(node) = gateway.node.clone() else {
		return Err(refuse(
			StatusCode::FORBIDDEN,
			"this gateway has no node account: it takes no content",
		));
	};
	let verdict = gateway
		.ask(move |g| upload_verdict(g.chain.as_ref(), &node, &id))
		.await?
		.map_err(|e| chain_unavailable(gateway, e))?;
	let size = match verdict {
		UploadVerdict::Accept { size } => size,
		UploadVerdict::Denied { moderator } => {
			return Err(refuse(
				StatusCode::FORBIDDEN,
				&format!("denied by moderator {}", ss58(&moderator)),
			))
		},
		UploadVerdict::NotWanted => {
			return Err(refuse(
				StatusCode::FORBIDDEN,
				"not wanted: no moderator this node subscribes to lists it or has it proposed",
			))
		},
	};
	if gateway.store.contains(&id) {
		return Ok(refuse(StatusCode::OK, "already stored"));
	}
	let declared = headers
		.get(header::CONTENT_LENGTH)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok());
	match declared {
		Some(len) if len > size => {
			return Err(refuse(
				StatusCode::PAYLOAD_TOO_LARGE,
				&format!("the body is {len} bytes; the content is {size}"),
			))
		},
		Some(len) if len < size => {
			return Err(refuse(
				StatusCode::UNPROCESSABLE_ENTITY,
				&format!("the body is {len} bytes; the content is {size}"),
			))
		},
		_ => {},
	}
	let Ok(_permit) = gateway.uploads.clone().try_acquire_owned() else {
		return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "too many uploads at once, try again"));
	};
	let stream = body.into_data_stream().map(|chunk| chunk.map_err(std::io::Error::other));
	let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
	let imported = gateway.ask(move |g| g.store.import(reader, Some(id), Some(size))).await?;
	match imported {
		Ok(_) => {
			gateway.refresh_store_metrics();
			log::info!(target: "content", "Received {} ({size} bytes) by upload", to_hex(&id));
			Ok(refuse(StatusCode::CREATED, "stored"))
		},
		Err(StoreError::TooLarge { limit }) => Err(refuse(
			StatusCode::PAYLOAD_TOO_LARGE,
			&format!("longer than the {limit} bytes listed"),
		)),
		Err(StoreError::RootMismatch { .. }) => Err(refuse(
			StatusCode::UNPROCESSABLE_ENTITY,
			"the bytes do not match the content id: refused",
		)),
		Err(e) => {
			gateway.metrics.count_error("upload");
			log::warn!(target: "content", "upload of {}: {e}", to_hex(&id));
			Err(refuse(StatusCode::BAD_REQUEST, "the upload broke off or could not be stored"))
		},
	}
}

/// `GET /content/{id}/outboard`: the post-order hash pairs (64 bytes each, no size suffix)
/// for chunk groups of 16 KiB; the size is in `Bitcloud-Content-Size`.
async fn outboard(State(gateway): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
	let result: Result<Response, Response> = async {
		let id = path_id(&id)?;
		let size = authorise(&gateway, id).await?.size;
		let reader = open(&gateway, id).await?;
		let read = gateway
			.ask(move |_| {
				use bao_tree::io::sync::ReadAt;
				let len = bao_tree::BaoTree::new(size, crate::store::BLOCK_SIZE).outboard_size();
				let mut buf = vec![0u8; len as usize];
				reader.outboard_file().read_exact_at(0, &mut buf).map(|()| buf)
			})
			.await?;
		let bytes = read.map_err(|e| {
			gateway.metrics.count_error("io");
			log::error!(target: "content", "outboard of {}: {e}", to_hex(&id));
			refuse(StatusCode::INTERNAL_SERVER_ERROR, "content store error")
		})?;
		let response = Response::builder()
			.header(header::CONTENT_TYPE, "application/octet-stream")
			.header(header::ETAG, format!("\"{}.obao4\"", to_hex(&id)))
			.header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
			.header("bitcloud-content-size", size)
			.header("bitcloud-chunk-group-log", u32::from(crate::store::BLOCK_SIZE.chunk_log()));
		Ok(response.body(Body::from(bytes)).unwrap_or_else(|e| {
			refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
		}))
	}
	.await;
	match result {
		Ok(response) | Err(response) => response,
	}
}

/// `GET /catalog`: per subscribed moderator, the items this node may serve and whether it
/// holds them.
async fn catalog(State(gateway): State<Arc<Gateway>>) -> Response {
	let Some(node) = gateway.node.clone() else {
		return Json(json!({ "node": null, "moderators": [] })).into_response();
	};
	let answer = gateway
		.ask(move |g| -> Result<Value, crate::chain::ChainError> {
			let mut moderators = Vec::new();
			let subscriptions = g.chain.subscriptions(&node)?;
			for moderator in &subscriptions {
				let mut items = Vec::new();
				for (id, meta) in g.chain.catalog(moderator)? {
					// Listed here, denied by a subscribed moderator: not served, not shown.
					if matches!(verdict(g.chain.as_ref(), &node, &id)?, Verdict::Denied { .. }) {
						continue;
					}
					items.push(json!({
						"id": to_hex(&id),
						"cid": to_cid(&id),
						"size": meta.size,
						"title": meta.title,
						"mimeType": meta.mime_type,
						"stored": g.store.contains(&id),
					}));
				}
				moderators.push(json!({ "moderator": ss58(moderator), "items": items }));
			}
			Ok(json!({ "node": ss58(&node), "moderators": moderators }))
		})
		.await;
	match answer {
		Ok(Ok(value)) => Json(value).into_response(),
		Ok(Err(e)) => {
			gateway.metrics.count_error("chain");
			log::warn!(target: "content", "{e}");
			refuse(StatusCode::SERVICE_UNAVAILABLE, "chain state unavailable, try again")
		},
		Err(response) => response,
	}
}

/// `GET /status`: node account, subscriptions, store and version.
async fn status(State(gateway): State<Arc<Gateway>>) -> Response {
	gateway.refresh_store_metrics();
	let answer = gateway
		.ask(|g| {
			let subscriptions = match &g.node {
				Some(node) => g.chain.subscriptions(node).map_err(|e| e.to_string()),
				None => Ok(Vec::new()),
			};
			(subscriptions, g.chain.best_block())
		})
		.await;
	let (subscriptions, best) = match answer {
		Ok(answer) => answer,
		Err(response) => return response,
	};
	let (subscriptions, chain_error) = match subscriptions {
		Ok(list) => (Some(list.iter().map(ss58).collect::<Vec<_>>()), None),
		Err(e) => (None, Some(e)),
	};
	Json(json!({
		"node": gateway.node.as_ref().map(ss58),
		"subscriptions": subscriptions,
		"chainError": chain_error,
		"bestBlock": best.map(|(number, hash)| json!({ "number": number, "hash": hash })),
		"store": {
			"items": gateway.store.len(),
			"bytes": gateway.store.total_bytes(),
			"chunkGroupBytes": GROUP_BYTES,
		},
		"version": gateway.version,
	}))
	.into_response()
}
