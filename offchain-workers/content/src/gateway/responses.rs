//! The gateway's answers: refusals (a status and a one-line reason) apart from successful
//! answers (short texts, empty answers and streamed bodies).

use super::Gateway;
use crate::chain::ChainError;
use axum::{
	body::Body,
	http::{header, response::Builder, HeaderValue, StatusCode},
	response::{IntoResponse, Response},
	BoxError,
};
use bitcloud_primitives::AccountId;
use bytes::Bytes;
use futures::StreamExt as _;
use std::{fmt::Display, future::Future};

/// `Cache-Control` of what is named by its content id (the bytes and the outboard): it
/// never changes.
pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A one-line plain text answer.
fn text(status: StatusCode, line: &str) -> Response {
	(
		status,
		[(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"))],
		format!("{line}\n"),
	)
		.into_response()
}

/// A refusal: `status` (4xx or 5xx) with its one-line reason.
pub(crate) fn refuse(status: StatusCode, reason: &str) -> Response {
	text(status, reason)
}

/// A successful answer that is only a line of text (`already stored`, `receipt taken`).
pub(super) fn done(status: StatusCode, line: &str) -> Response {
	text(status, line)
}

/// The 500 answer to an error of the gateway itself.
pub(super) fn internal_error(e: impl Display) -> Response {
	refuse(StatusCode::INTERNAL_SERVER_ERROR, &format!("internal error: {e}"))
}

/// The 403 answer to content a subscribed moderator denies.
pub(super) fn denied_by(moderator: &AccountId) -> Response {
	refuse(StatusCode::FORBIDDEN, &format!("denied by moderator {}", super::ss58(moderator)))
}

/// The answer to a chain query that gave none, by what the client can do about it: try
/// again later (503), or not at all (403 for a refusal, 503 naming the cause otherwise).
pub(super) fn chain_error(gateway: &Gateway, e: ChainError) -> Response {
	gateway.metrics.count_error("chain");
	match &e {
		ChainError::Unavailable(_) => {
			log::warn!(target: "content", "{e}");
			refuse(StatusCode::SERVICE_UNAVAILABLE, "chain state unavailable, try again")
		},
		ChainError::Refused(cause) => refuse(StatusCode::FORBIDDEN, cause),
		ChainError::Unsupported(_) => {
			log::error!(target: "content", "{e}");
			refuse(StatusCode::SERVICE_UNAVAILABLE, &format!("this gateway cannot answer: {e}"))
		},
	}
}

/// A response without body from `builder`.
pub(super) fn empty(builder: Builder) -> Response {
	builder.body(Body::empty()).unwrap_or_else(internal_error)
}

/// A response from `builder` whose body is `bytes`, all known: sent with the head.
pub(super) fn whole(builder: Builder, bytes: Bytes) -> Response {
	builder.body(Body::from(bytes)).unwrap_or_else(internal_error)
}

/// Steps of a streamed body read at once, ahead of the one being sent.
pub(super) const READ_AHEAD: usize = 2;

/// A response from `builder` whose body is `first`, then bytes `from..end` read `step` at a
/// time by `read`. An error ends the body: the headers are out, so the connection is cut and
/// the client sees a short body.
pub(super) fn streamed<F, Fut, E>(
	builder: Builder,
	first: Bytes,
	from: u64,
	end: u64,
	step: u64,
	mut read: F,
) -> Response
where
	F: FnMut(u64, u64) -> Fut + Send + 'static,
	Fut: Future<Output = Result<Bytes, E>> + Send + 'static,
	E: Into<BoxError> + Send + 'static,
{
	// The next block is read while the one before is being sent: reading (a blocking thread)
	// and writing (the connection's thread) overlap on two cores.
	let steps = (from..end)
		.step_by(step.max(1) as usize)
		.map(move |offset| (offset, (end - offset).min(step)));
	let rest = futures::stream::iter(steps)
		.map(move |(offset, len)| read(offset, len))
		.buffered(READ_AHEAD);
	let body = futures::stream::once(async move { Ok(first) }).chain(rest);
	builder.body(Body::from_stream(body)).unwrap_or_else(internal_error)
}
