//! The HTTP gateway: serves stored content that the node may serve, verified chunk group by
//! chunk group, plus the outboards, the node's catalog and its status.
//!
//! | Request | Answer |
//! |---|---|
//! | `GET`/`HEAD /content/{id}` | 200 (whole) or 206 (one `Range`) with the bytes |
//! | `PUT /content/{id}` | 201 when the body hashes to `id` and a subscribed moderator lists it or has it proposed; 200 if already stored |
//! | `GET /content/{id}/outboard` | the bao-tree post-order outboard, to verify any range |
//! | `GET /catalog?offset=&limit=` | JSON: a page (at most 100 entries) of the catalogs this node serves and what it holds of them |
//! | `GET /status` | JSON: node account, subscriptions, store, version |
//!
//! Refusals: 400 malformed id, 403 denied by a subscribed moderator, 404 unknown or not in
//! any subscribed catalog or not stored here, 416 bad, unsatisfiable or multiple ranges,
//! 431 oversized headers, 503 chain unavailable. Uploads: 403 denied or not wanted, 408 a body
//! that arrives too slowly, 413 longer than listed, 422 bytes that are not the content, 503 too
//! many uploads at once, 507 no room left for unlisted (proposed) content. Each carries a
//! one-line text reason. Connections are bounded by [`crate::connection`].

// Handlers answer early with a ready `Response` as the error (axum's idiom); it is large, but
// built once per request.
#![allow(clippy::result_large_err)]

use crate::{
	chain::{upload_verdict, verdict, ChainView, UploadVerdict, Verdict},
	challenges::ChallengeBoard,
	id::{parse_id, to_hex},
	metrics::Metrics,
	paying::{paying_client, post_receipt, Paying},
	range::{parse_range, RangeRequest},
	store::{ContentReader, ContentStore, StoreError, GROUP_BYTES},
	window::SigningWindow,
};
use axum::{
	body::Body,
	extract::{DefaultBodyLimit, Path, Request, State},
	http::{header, HeaderMap, HeaderValue, Method, StatusCode},
	middleware::{self, Next},
	response::{IntoResponse, Response},
	routing::get,
	Json, Router,
};
use bitcloud_primitives::{AccountId, ContentId};
use bytes::Bytes;
use futures::StreamExt as _;
use polkadot_sdk::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use serde_json::json;
use std::{sync::Arc, time::Duration};
use tokio::net::TcpListener;

/// Bytes read, verified and sent per step of a response body: 16 chunk groups.
pub const STREAM_BLOCK: u64 = 16 * GROUP_BYTES;

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
	pub(crate) chain: Arc<dyn ChainView>,
	node: Option<AccountId>,
	metrics: Metrics,
	version: String,
	uploads: Arc<tokio::sync::Semaphore>,
	pub(crate) window: Option<Arc<SigningWindow>>,
	catalog: crate::catalog::CatalogCache,
	challenges: Arc<ChallengeBoard>,
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
		Gateway { store, chain, node, metrics, version, uploads, window, catalog, challenges }
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

	/// Runs a chain query on a blocking thread.
	pub(crate) async fn ask<T: Send + 'static>(
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
/// heads, within the default [`ConnectionLimits`](crate::connection::ConnectionLimits)
/// (see [`crate::connection::serve_with`]).
pub async fn serve(listener: TcpListener, router: Router) {
	crate::connection::serve_with(listener, router, Default::default(), None).await
}

/// A short plain-text refusal.
pub(crate) fn refuse(status: StatusCode, reason: &str) -> Response {
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
pub(crate) fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
}

/// Parses the id of a path, or the 400 answer.
fn path_id(text: &str) -> Result<ContentId, Response> {
	parse_id(text)
		.map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("malformed content id: {e}")))
}

/// The 503 answer to a failed chain query.
pub(crate) fn chain_unavailable(gateway: &Gateway, e: crate::chain::ChainError) -> Response {
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

/// Refuses bytes `start..end` of `id` while they overlap a chunk under a pending storage
/// challenge, unless a paying client that is not a registered node asks for them
/// (`crate::challenges`): a node that deleted what it must hold cannot fetch its answer here.
async fn guard_challenged(
	gateway: &Arc<Gateway>,
	id: &ContentId,
	start: u64,
	end: u64,
	paying: Option<&Paying>,
) -> Result<(), Response> {
	let Some(wait) = gateway.challenges.overlap(id, start, end) else { return Ok(()) };
	let outcome = match paying.map(Paying::client) {
		None => "refused_unpaid",
		Some(client) => {
			let asked = client.clone();
			let is_node = gateway
				.ask(move |g| g.chain.is_node(&asked))
				.await?
				.map_err(|e| chain_unavailable(gateway, e))?;
			if !is_node {
				gateway.metrics.challenged_ranges.with_label_values(&["served_paying"]).inc();
				log::info!(
					target: "content",
					"Serving chunks of {} under a storage challenge to paying client {}",
					to_hex(id),
					ss58(client)
				);
				return Ok(());
			}
			"refused_node"
		},
	};
	gateway.metrics.challenged_ranges.with_label_values(&[outcome]).inc();
	let seconds = wait.as_secs().max(1);
	let mut answer = refuse(
		StatusCode::SERVICE_UNAVAILABLE,
		&format!(
			"bytes {start}-{} overlap chunks under a storage challenge: not served unpaid or to \
			 registered nodes for another {seconds} s",
			end.saturating_sub(1)
		),
	);
	answer.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
	Err(answer)
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
		// The whole answer must be one the client can pay for.
		paying.ensure_affordable(end - start)?;
		response = paying.headers(response);
	}
	if method == Method::HEAD {
		return Ok(empty(response));
	}
	guard_challenged(gateway, &id, start, end, paying.as_ref()).await?;

	// The first block is read and verified before the status line goes out, so a corrupt
	// copy is answered with 500 instead of a cut-off 200.
	let reader = open(gateway, id).await?;
	let first_len = (end - start).min(STREAM_BLOCK);
	if let Some(paying) = &paying {
		paying.reserve(first_len)?;
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

/// A response without body from `builder`.
pub(crate) fn empty(builder: axum::http::response::Builder) -> Response {
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
	// Content no subscribed moderator lists yet (proposed) is held under the store's budget of
	// unlisted content, and expires unless it gets listed.
	let (decision, listed) = gateway
		.ask(move |g| {
			let chain = g.chain.as_ref();
			let upload = upload_verdict(chain, &node, &id)?;
			let listed = matches!(upload, UploadVerdict::Accept { .. })
				&& matches!(verdict(chain, &node, &id)?, Verdict::Serve { .. });
			Ok((upload, listed))
		})
		.await?
		.map_err(|e| chain_unavailable(gateway, e))?;
	let size = match decision {
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
	let imported = gateway
		.ask(move |g| match listed {
			true => g.store.import(reader, Some(id), Some(size)),
			false => g.store.import_unlisted(reader, id, size, crate::store::Unlisted::Proposed),
		})
		.await?;
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
		Err(e @ StoreError::UnlistedFull { .. }) => Err(refuse(
			StatusCode::INSUFFICIENT_STORAGE,
			&format!("{e}: push it again once its moderator lists it"),
		)),
		Err(StoreError::Io(e))
			if e.get_ref().is_some_and(|e| crate::connection::BodyTooSlow::caused(e)) =>
		{
			Err(refuse(StatusCode::REQUEST_TIMEOUT, &format!("upload cut: {e}")))
		},
		Err(e) => {
			gateway.metrics.count_error("upload");
			log::warn!(target: "content", "upload of {}: {e}", to_hex(&id));
			Err(refuse(StatusCode::BAD_REQUEST, "the upload broke off or could not be stored"))
		},
	}
}

/// `GET /content/{id}/outboard`: the post-order hash pairs (64 bytes each, no size suffix)
/// for chunk groups of 16 KiB; the size is in `Bitcloud-Content-Size`. Streamed by
/// [`OUTBOARD_BLOCK`]; the first block is read before the status line goes out, so a store
/// error is answered with 500 rather than a cut-off 200.
async fn outboard(State(gateway): State<Arc<Gateway>>, Path(id): Path<String>) -> Response {
	let result: Result<Response, Response> = async {
		let id = path_id(&id)?;
		let size = authorise(&gateway, id).await?.size;
		let reader = open(&gateway, id).await?;
		let len = reader.outboard_len();
		let first_len = len.min(OUTBOARD_BLOCK);
		let first = read_outboard(&gateway, &reader, 0, first_len)
			.await
			.map_err(|_| refuse(StatusCode::INTERNAL_SERVER_ERROR, "content store error"))?;
		let rest = futures::stream::unfold(
			(gateway.clone(), reader, first_len),
			move |(gateway, reader, offset)| async move {
				if offset >= len {
					return None;
				}
				let step = (len - offset).min(OUTBOARD_BLOCK);
				match read_outboard(&gateway, &reader, offset, step).await {
					Ok(bytes) => Some((Ok(bytes), (gateway, reader, offset + step))),
					// Headers are out: the connection is cut, the client sees a short body.
					Err(e) => Some((Err(e), (gateway, reader, len))),
				}
			},
		);
		let body = futures::stream::once(async move { Ok::<_, std::io::Error>(first) }).chain(rest);
		let response = Response::builder()
			.header(header::CONTENT_TYPE, "application/octet-stream")
			.header(header::CONTENT_LENGTH, len)
			.header(header::ETAG, format!("\"{}.obao4\"", to_hex(&id)))
			.header(header::CACHE_CONTROL, "public, max-age=31536000, immutable")
			.header("bitcloud-content-size", size)
			.header("bitcloud-chunk-group-log", u32::from(crate::store::BLOCK_SIZE.chunk_log()));
		Ok(response.body(Body::from_stream(body)).unwrap_or_else(|e| {
			refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
		}))
	}
	.await;
	match result {
		Ok(response) | Err(response) => response,
	}
}

/// Reads `len` bytes of the outboard of `reader` at `offset` on a blocking thread.
async fn read_outboard(
	gateway: &Arc<Gateway>,
	reader: &Arc<ContentReader>,
	offset: u64,
	len: u64,
) -> std::io::Result<Bytes> {
	let job = reader.clone();
	let read = tokio::task::spawn_blocking(move || job.read_outboard(offset, len as usize))
		.await
		.map_err(std::io::Error::other)
		.and_then(|read| read);
	read.map(Bytes::from).inspect_err(|e| {
		gateway.metrics.count_error("io");
		log::error!(target: "content", "outboard of {}: {e}", to_hex(reader.id()));
	})
}

/// `GET /catalog?offset=N&limit=M`: one page of the items of the subscribed catalogs that
/// this node may serve, and whether it holds them ([`crate::catalog`]).
async fn catalog(State(gateway): State<Arc<Gateway>>, uri: axum::http::Uri) -> Response {
	let query = match crate::catalog::PageQuery::parse(uri.query()) {
		Ok(query) => query,
		Err(reason) => return refuse(StatusCode::BAD_REQUEST, &reason),
	};
	let Some(node) = gateway.node.clone() else {
		return Json(json!({
			"node": null,
			"offset": query.offset,
			"limit": query.limit,
			"total": 0,
			"next": null,
			"moderators": [],
		}))
		.into_response();
	};
	match gateway.catalog.page(gateway.chain.clone(), node.clone(), query).await {
		Ok(page) => Json(page.to_json(&node, |id| gateway.store.contains(id))).into_response(),
		Err(crate::catalog::PageError::Chain(e)) => chain_unavailable(&gateway, e),
		Err(crate::catalog::PageError::Internal(e)) => {
			gateway.metrics.count_error("internal");
			refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
		},
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
