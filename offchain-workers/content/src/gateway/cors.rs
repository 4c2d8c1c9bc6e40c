//! CORS on the API routes: a page from any origin (WeTube served by another node, a dapp)
//! may read content, outboards, the catalog and the status, pay with receipts and upload.
//! Nothing here is private to one origin: the API answers anyone who asks, and a paying
//! client proves itself with signatures, not cookies, so `*` opens nothing new.
//!
//! Every answer carries `Access-Control-Allow-Origin: *` and exposes the headers a client
//! reads; `OPTIONS` (a preflight) is answered 204 with the methods and request headers
//! allowed.

use crate::protocol::{REQUEST_HEADERS, RESPONSE_HEADERS};
use axum::{
	extract::Request,
	http::{
		header::{self, HeaderName},
		HeaderValue, Method, StatusCode,
	},
	middleware::Next,
	response::Response,
};
use std::sync::LazyLock;

/// Standard headers a client reads from the answers, beside the protocol's own.
const READ_HEADERS: [HeaderName; 5] = [
	header::CONTENT_RANGE,
	header::CONTENT_LENGTH,
	header::ETAG,
	header::RETRY_AFTER,
	header::ACCEPT_RANGES,
];

/// Standard headers a client sends that need a preflight, beside the protocol's own.
const SENT_HEADERS: [HeaderName; 3] = [header::RANGE, header::CONTENT_TYPE, header::IF_NONE_MATCH];

/// The methods of the API routes.
const METHODS: &str = "GET, HEAD, PUT, POST, OPTIONS";

/// How long a browser may keep a preflight's answer: two hours, the most Chromium keeps.
const MAX_AGE: &str = "7200";

/// `Access-Control-Expose-Headers`: the standard headers read and the protocol's responses.
static EXPOSE: LazyLock<HeaderValue> = LazyLock::new(|| names(&READ_HEADERS, &RESPONSE_HEADERS));

/// `Access-Control-Allow-Headers`: the standard headers sent and the protocol's requests.
static ALLOW: LazyLock<HeaderValue> = LazyLock::new(|| names(&SENT_HEADERS, &REQUEST_HEADERS));

/// `standard` and `protocol` header names as one comma-separated header value.
fn names(standard: &[HeaderName], protocol: &[&str]) -> HeaderValue {
	let all: Vec<&str> =
		standard.iter().map(HeaderName::as_str).chain(protocol.iter().copied()).collect();
	HeaderValue::from_str(&all.join(", ")).expect("header names are valid header values; qed")
}

/// The middleware: answers preflights, and opens every other answer to all origins.
pub(super) async fn cors(request: Request, next: Next) -> Response {
	let mut response =
		if request.method() == Method::OPTIONS { preflight() } else { next.run(request).await };
	open(&mut response);
	response
}

/// Opens `response` to pages of every origin.
pub(super) fn open(response: &mut Response) {
	let headers = response.headers_mut();
	headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
	headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE.clone());
}

/// The answer to `OPTIONS`: what a page may send.
fn preflight() -> Response {
	let mut response = Response::default();
	*response.status_mut() = StatusCode::NO_CONTENT;
	let headers = response.headers_mut();
	headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(METHODS));
	headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW.clone());
	headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
	response
}
