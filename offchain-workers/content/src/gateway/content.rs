//! `GET`/`HEAD /content/{id}`: the bytes of content the node may serve, whole or one range,
//! each block verified against the outboard before it is sent, and paid for with receipts
//! when the client names itself.

use super::{
	authorise::{authorise, not_stored, path_id, Servable},
	cors,
	paying::{paying_client, Paying},
	responses::{empty, refuse, streamed, whole, IMMUTABLE, READ_AHEAD},
	ss58, Gateway, STREAM_BLOCK, STREAM_STEP,
};
use crate::{
	id::to_hex,
	protocol::CLIENT_HEADER,
	range::{parse_range, RangeRequest},
	store::{ContentReader, StoreError},
	WINDOW_BYTES,
};
use axum::{
	body::{Body, HttpBody as _},
	extract::{Path, State},
	http::{header, response::Builder, HeaderMap, HeaderValue, Method, StatusCode},
	response::Response,
};
use bitcloud_primitives::ContentId;
use bytes::Bytes;
use polkadot_sdk::sp_core::H256;
use std::sync::Arc;

/// `GET`/`HEAD /content/{id}`, as a route; the gateway's front answers most of them before
/// the router ([`answer`]). (The router's CORS layer then sets the same two headers again.)
pub(super) async fn content(
	State(gateway): State<Arc<Gateway>>,
	Path(id): Path<String>,
	method: Method,
	headers: HeaderMap,
) -> Response {
	answer(&gateway, &id, &method, &headers).await
}

/// The answer to `GET`/`HEAD /content/{id}` with `headers`, open to every origin
/// ([`cors::open`]): a plain request for a small file from its prepared head when there is one
/// ([`prepared`](super::prepared)), else worked out in full.
pub(super) async fn answer(
	gateway: &Arc<Gateway>,
	id: &str,
	method: &Method,
	headers: &HeaderMap,
) -> Response {
	let id = match path_id(id) {
		Ok(id) => id,
		Err(refused) => return refused,
	};
	if !is_plain(method, headers) {
		return answer_in_full(gateway, id, method, headers).await;
	}
	let at = gateway.chain.best_hash();
	if let Some(answer) = at.and_then(|at| prepared_answer(gateway, at, &id)) {
		return answer;
	}
	let response = answer_in_full(gateway, id, method, headers).await;
	keep_head(gateway, at, id, &response);
	response
}

/// The answer to a request for `id`, worked out in full and open to every origin (the head
/// prepared from it is complete: nothing is added to a prepared answer).
async fn answer_in_full(
	gateway: &Arc<Gateway>,
	id: ContentId,
	method: &Method,
	headers: &HeaderMap,
) -> Response {
	let mut response = match serve_item(gateway, id, None, method, headers).await {
		Ok(response) | Err(response) => response,
	};
	cors::open(&mut response);
	response
}

/// Whether a request is a plain `GET`: no range, no validator, no payment. Its answer depends
/// only on the item and the chain ([`serve_item`] reads no other header), so it can be
/// prepared.
fn is_plain(method: &Method, headers: &HeaderMap) -> bool {
	method == Method::GET
		&& !headers.contains_key(header::RANGE)
		&& !headers.contains_key(header::IF_NONE_MATCH)
		&& !headers.contains_key(CLIENT_HEADER)
}

/// The answer to a plain request for `id` from the head prepared at best block `at` and the
/// bytes the store keeps in memory; `None` when either is missing or a storage challenge is
/// pending on the item (the full path refuses and counts that).
fn prepared_answer(gateway: &Gateway, at: H256, id: &ContentId) -> Option<Response> {
	let head = gateway.prepared.head(at, id)?;
	let object = gateway.store.hot().get(id)?;
	let size = object.len() as u64;
	if gateway.challenges.overlap(id, 0, size).is_some() {
		return None;
	}
	gateway.metrics.bytes_served.inc_by(size);
	let mut response = Response::new(Body::from(object));
	*response.headers_mut() = head;
	Some(response)
}

/// Keeps the head of `response`, the full answer to a plain request for `id` begun while `at`
/// was the best block, if it sent a whole small file and the best block is still `at` (so
/// the verdict it followed was the one of `at`).
fn keep_head(gateway: &Gateway, at: Option<H256>, id: ContentId, response: &Response) {
	let Some(at) = at else { return };
	let small =
		response.body().size_hint().exact().is_some_and(|size| gateway.store.hot().takes(size));
	if response.status() == StatusCode::OK && small && gateway.chain.best_hash() == Some(at) {
		gateway.prepared.keep(at, id, response.headers().clone());
	}
}

/// How a website presents one of its files ([`super::site`]): with the type its manifest
/// names, and as the answer to a missing page (its 404 page) or not.
pub(super) struct SitePage<'a> {
	/// The `Content-Type` from the site's manifest.
	pub(super) mime: &'a str,
	/// The site's fallback page, answered with 404 for a path that names no file: sent whole,
	/// never as a range, and not cached as the answer to that path.
	pub(super) not_found: bool,
}

/// The answer with the bytes of `id` (or a refusal), presented as the catalog says or as a
/// site's `page`.
pub(super) async fn serve_item(
	gateway: &Arc<Gateway>,
	id: ContentId,
	page: Option<&SitePage<'_>>,
	method: &Method,
	headers: &HeaderMap,
) -> Result<Response, Response> {
	let Servable { moderator, mime, size } = authorise(gateway, id).await?;
	let paying = paying_client(gateway, headers, moderator).await?;
	let etag = format!("\"{}\"", to_hex(&id));
	let not_found = page.is_some_and(|page| page.not_found);
	let cache = if not_found { NO_CACHE } else { IMMUTABLE };
	let response = representation(&etag, page.map_or(mime.as_str(), |page| page.mime), cache);
	if !not_found && not_modified(headers, &etag) {
		return Ok(empty(response.status(StatusCode::NOT_MODIFIED)));
	}
	let selection = match not_found {
		true => Selection { status: StatusCode::NOT_FOUND, start: 0, end: size },
		false => select(headers, size)?,
	};
	let mut response = selection.headers(response, size);
	if let Some(paying) = &paying {
		// The whole answer must be one the client can pay for.
		paying.ensure_affordable(selection.len())?;
		response = paying.headers(response);
	}
	if method == Method::HEAD {
		return Ok(empty(response));
	}
	guard_challenged(gateway, &id, &selection, paying.as_ref()).await?;
	if gateway.store.hot().takes(size) {
		return send_small(gateway, id, size, &selection, paying.as_ref(), response).await;
	}
	send(gateway, id, &selection, paying, response).await
}

/// Headers an answer with content carries at most: its representation, its selection, a
/// paying client's, CORS and the date.
const ANSWER_HEADERS: usize = 20;

/// `Cache-Control` of a site's 404 page: it answers a path that may name a page later.
const NO_CACHE: &str = "no-cache";

/// The headers of every answer about the content tagged `etag` of type `mime`, cached as
/// `cache` says.
fn representation(etag: &str, mime: &str, cache: &'static str) -> Builder {
	let content_type = HeaderValue::from_str(mime)
		.ok()
		.filter(|_| !mime.is_empty())
		.unwrap_or(HeaderValue::from_static("application/octet-stream"));
	let mut builder = Response::builder();
	if let Some(headers) = builder.headers_mut() {
		// Room for every header of an answer at once, instead of growing the map as they come.
		headers.reserve(ANSWER_HEADERS);
	}
	// Static values are not copied.
	builder
		.header(header::ETAG, etag)
		.header(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"))
		.header(header::CONTENT_TYPE, content_type)
		.header(header::CACHE_CONTROL, HeaderValue::from_static(cache))
		.header(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
}

/// Whether `If-None-Match` names `etag` (or `*`): the client has the bytes already.
pub(super) fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
	let Some(tags) = headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) else {
		return false;
	};
	tags.split(',').any(|tag| {
		let tag = tag.trim();
		tag == "*" || tag.trim_start_matches("W/") == etag
	})
}

/// The bytes `start..end` a request selects: all of them (200) or one range (206).
struct Selection {
	status: StatusCode,
	start: u64,
	end: u64,
}

impl Selection {
	fn len(&self) -> u64 {
		self.end - self.start
	}

	/// The status and the headers that describe the selection of content of `size` bytes.
	fn headers(&self, builder: Builder, size: u64) -> Builder {
		let builder = builder.status(self.status).header(header::CONTENT_LENGTH, self.len());
		if self.status != StatusCode::PARTIAL_CONTENT {
			return builder;
		}
		let range = format!("bytes {}-{}/{size}", self.start, self.end - 1);
		builder.header(header::CONTENT_RANGE, range)
	}
}

/// What the `Range` header selects of content of `size` bytes; else the 416 answer.
fn select(headers: &HeaderMap, size: u64) -> Result<Selection, Response> {
	let range = headers.get(header::RANGE).map(|v| v.to_str().unwrap_or("\u{0}"));
	match parse_range(range, size) {
		RangeRequest::Full => Ok(Selection { status: StatusCode::OK, start: 0, end: size }),
		RangeRequest::Single { start, end } => {
			Ok(Selection { status: StatusCode::PARTIAL_CONTENT, start, end: end + 1 })
		},
		refused => Err(unsatisfiable(refused, size)),
	}
}

/// The 416 answer to a range that cannot be served, with the size it can be asked within.
fn unsatisfiable(refused: RangeRequest, size: u64) -> Response {
	let reason = match refused {
		RangeRequest::Multiple => "multiple ranges are not supported: request one range at a time",
		RangeRequest::Invalid => "malformed Range header",
		_ => "range not satisfiable",
	};
	let mut answer = refuse(StatusCode::RANGE_NOT_SATISFIABLE, reason);
	if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
		answer.headers_mut().insert(header::CONTENT_RANGE, value);
	}
	answer
}

/// The answer with the selected bytes of a small object (one of `size` bytes the store keeps
/// in memory, [`crate::hot`]): from memory when it is kept there, else read whole and
/// verified in one hop to a blocking thread, and kept. Sent in one write.
async fn send_small(
	gateway: &Arc<Gateway>,
	id: ContentId,
	size: u64,
	selection: &Selection,
	paying: Option<&Paying>,
	response: Builder,
) -> Result<Response, Response> {
	let object = match gateway.store.hot().get(&id) {
		Some(object) => object,
		None => read_whole(gateway, id, size).await?,
	};
	if let Some(paying) = paying {
		paying.reserve(selection.len())?;
	}
	gateway.metrics.bytes_served.inc_by(selection.len());
	let (start, end) = (selection.start as usize, selection.end as usize);
	Ok(whole(response, object.slice(start..end)))
}

/// All `size` bytes of `id`, read and verified on a blocking thread and kept in memory; or
/// the answer to why not. Corrupt content is removed from the store.
async fn read_whole(gateway: &Arc<Gateway>, id: ContentId, size: u64) -> Result<Bytes, Response> {
	let read = gateway.ask(move |g| g.store.reader(&id)?.read_verified(0, size as usize)).await?;
	match read {
		Ok(bytes) => {
			let bytes = Bytes::from(bytes);
			gateway.store.hot().insert(id, bytes.clone());
			Ok(bytes)
		},
		Err(StoreError::Corrupt { id }) => {
			count_failed_read(gateway, &StoreError::Corrupt { id }).await;
			Err(refuse(StatusCode::INTERNAL_SERVER_ERROR, FAILED_VERIFICATION))
		},
		Err(e) => opened_or_answer(gateway, Err(e)),
	}
}

/// The answer to a stored copy that does not hash to its id.
const FAILED_VERIFICATION: &str = "the stored copy failed verification";

// A paying client signs for what it has received, while the body's next blocks are reserved
// before they are read: its window must hold them, or a client signing as it goes would wait.
const _: () = assert!((1 + READ_AHEAD as u64) * STREAM_BLOCK < WINDOW_BYTES);

/// The answer with the selected bytes. The first block is read and verified before the
/// status line goes out, so a corrupt copy is answered with 500 instead of a cut-off 200; a
/// selection within one block is sent whole, in one write.
async fn send(
	gateway: &Arc<Gateway>,
	id: ContentId,
	selection: &Selection,
	paying: Option<Paying>,
	response: Builder,
) -> Result<Response, Response> {
	let Selection { start, end, .. } = *selection;
	let first_len = (end - start).min(STREAM_BLOCK);
	let (reader, first) = match &paying {
		// Reserved once the content opens, before a byte is read.
		Some(paying) => {
			let reader = open(gateway, id).await?;
			paying.reserve(first_len)?;
			let first = read_block(gateway, &reader, start, first_len).await;
			(reader, first)
		},
		None => open_and_read(gateway, id, start, first_len).await?,
	};
	let first = first.map_err(|e| {
		log::error!(target: "content", "{e}");
		refuse(StatusCode::INTERNAL_SERVER_ERROR, FAILED_VERIFICATION)
	})?;
	if start + first_len >= end {
		return Ok(whole(response, first));
	}
	// A paying client's window is reserved a block at a time, so that one that stops signing
	// has been sent all of it; a free answer reads in larger steps.
	let step = if paying.is_some() { STREAM_BLOCK } else { STREAM_STEP };
	let (gateway, paying) = (gateway.clone(), paying.map(Arc::new));
	let read = move |offset, len| {
		let (gateway, reader, paying) = (gateway.clone(), reader.clone(), paying.clone());
		async move { next_block(&gateway, &reader, paying.as_deref(), offset, len).await }
	};
	Ok(streamed(response, first, start + first_len, end, step, read))
}

/// The next block of a body, once a paying client has signed for enough of what it was
/// sent; an error (which cuts the connection) when it stopped signing.
async fn next_block(
	gateway: &Arc<Gateway>,
	reader: &Arc<ContentReader>,
	paying: Option<&Paying>,
	offset: u64,
	len: u64,
) -> Result<Bytes, StoreError> {
	if let Some(paying) = paying {
		if !paying.wait_and_reserve(len).await {
			log::debug!(target: "content", "cut off a client that stopped signing");
			return Err(StoreError::Io(std::io::Error::other("receipt window exhausted")));
		}
	}
	read_block(gateway, reader, offset, len).await
}

/// Opens `id` for reading or answers with the error.
pub(super) async fn open(
	gateway: &Arc<Gateway>,
	id: ContentId,
) -> Result<Arc<ContentReader>, Response> {
	let opened = gateway.ask(move |g| g.store.reader(&id)).await?;
	opened_or_answer(gateway, opened).map(Arc::new)
}

/// Opens `id` and reads and verifies `len` bytes at `offset`, in one hop to a blocking
/// thread: a small item costs one hop in all. Corrupt content is removed from the store.
async fn open_and_read(
	gateway: &Arc<Gateway>,
	id: ContentId,
	offset: u64,
	len: u64,
) -> Result<(Arc<ContentReader>, Result<Bytes, StoreError>), Response> {
	let opened = gateway
		.ask(move |g| -> Result<_, StoreError> {
			let reader = g.store.reader(&id)?;
			let read = reader.read_verified(offset, len as usize);
			Ok((reader, read))
		})
		.await?;
	let (reader, read) = opened_or_answer(gateway, opened)?;
	Ok((Arc::new(reader), counted(gateway, read).await))
}

/// What opening content gave; or the answer to why it did not open.
fn opened_or_answer<T>(gateway: &Gateway, opened: Result<T, StoreError>) -> Result<T, Response> {
	match opened {
		Ok(opened) => Ok(opened),
		Err(StoreError::NotFound) => Err(not_stored()),
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
	counted(gateway, result).await
}

/// The bytes of a verified read, counted as served; a failed read counted, and its content
/// quarantined if it failed verification.
async fn counted(
	gateway: &Arc<Gateway>,
	result: Result<Vec<u8>, StoreError>,
) -> Result<Bytes, StoreError> {
	match result {
		Ok(bytes) => {
			gateway.metrics.bytes_served.inc_by(bytes.len() as u64);
			Ok(Bytes::from(bytes))
		},
		Err(e) => {
			count_failed_read(gateway, &e).await;
			Err(e)
		},
	}
}

/// Counts a failed read; quarantines content that failed verification.
async fn count_failed_read(gateway: &Arc<Gateway>, e: &StoreError) {
	let StoreError::Corrupt { id } = e else {
		gateway.metrics.count_error("io");
		return;
	};
	gateway.metrics.count_error("corrupt");
	let (store, id) = (gateway.store.clone(), *id);
	let _ = tokio::task::spawn_blocking(move || store.quarantine(&id)).await;
}

/// Refuses the selected bytes of `id` while they overlap a chunk under a pending storage
/// challenge, unless a paying client that is not a registered node asks for them
/// (`crate::challenges`): a node that deleted what it must hold cannot fetch its answer here.
async fn guard_challenged(
	gateway: &Arc<Gateway>,
	id: &ContentId,
	selection: &Selection,
	paying: Option<&Paying>,
) -> Result<(), Response> {
	let (start, end) = (selection.start, selection.end);
	let Some(wait) = gateway.challenges.overlap(id, start, end) else { return Ok(()) };
	let outcome = match paying.map(Paying::client) {
		None => "refused_unpaid",
		Some(client) if is_node(gateway, client).await? => "refused_node",
		Some(client) => {
			log::info!(
				target: "content",
				"Serving chunks of {} under a storage challenge to paying client {}",
				to_hex(id),
				ss58(client)
			);
			gateway.metrics.challenged_ranges.with_label_values(&["served_paying"]).inc();
			return Ok(());
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

/// Whether `account` is a registered node, as the chain says.
async fn is_node(
	gateway: &Arc<Gateway>,
	account: &bitcloud_primitives::AccountId,
) -> Result<bool, Response> {
	let asked = account.clone();
	gateway
		.ask_chain(move |g| g.chain.is_node(&asked))
		.await?
		.map_err(|e| super::responses::chain_error(gateway, e))
}
