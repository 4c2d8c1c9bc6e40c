//! Plain HTTP to gateways and nodes: one agent configuration, bounded bodies, and failures as
//! [`Error`]s by what they mean: a broken connection or a `5xx` is [`Error::Unavailable`], a
//! malformed answer [`Error::BadPeer`], a `404` [`Error::NotFound`], a refusal
//! [`Error::Refused`].

use crate::Error;
use std::io::Read;

/// A plain-HTTP agent that returns 4xx/5xx answers as responses.
pub fn agent() -> ureq::Agent {
	ureq::Agent::config_builder()
		.http_status_as_error(false)
		.timeout_connect(Some(std::time::Duration::from_secs(10)))
		.timeout_recv_response(Some(std::time::Duration::from_secs(60)))
		.timeout_per_read(Some(std::time::Duration::from_secs(60)))
		.build()
		.into()
}

/// The variant for a request that failed with `e`.
pub(crate) fn kind(e: &ureq::Error) -> fn(String) -> Error {
	use ureq::Error as E;
	match e {
		E::StatusCode(status) => status_kind(*status),
		// The address given cannot be asked at all (the user's, or the chain's listing).
		E::BadUri(_) | E::RequireHttpsOnly(_) | E::InvalidProxyUrl | E::Tls(_) => Error::Input,
		// The peer spoke, but not HTTP that makes sense.
		E::Protocol(_)
		| E::LargeResponseHeader(..)
		| E::TooManyRedirects
		| E::RedirectFailed
		| E::Json(_) => Error::BadPeer,
		// A body that outgrew its announced length: the file changed while it was sent.
		E::BodyExceedsLimit(_) => Error::Local,
		// Timeouts, resets, refused connections, unknown hosts: the network, for now.
		_ => Error::Unavailable,
	}
}

/// The variant for an HTTP answer with `status` (4xx or 5xx) by what it means.
pub(crate) fn status_kind(status: u16) -> fn(String) -> Error {
	match status {
		// Timeout, too early, too many requests, the server's failure: later may work.
		408 | 425 | 429 | 500..=599 => Error::Unavailable,
		404 | 410 => Error::NotFound,
		// Not authorised, no quota, denied: the node's decision.
		401 | 402 | 403 | 451 => Error::Refused,
		// A well-formed request refused as malformed, a range outside the size the peer
		// itself announced, a status nobody asked for: the peer's answer is wrong.
		_ => Error::BadPeer,
	}
}

/// A request to `peer` (such as `gateway` or `node at URL`) that got no answer: `e` as the
/// error it means.
pub(crate) fn no_answer(peer: &str, e: ureq::Error) -> Error {
	let error = kind(&e)(String::new());
	let what = match error {
		Error::BadPeer(_) => "sent a malformed answer",
		_ => "unreachable",
	};
	error.map_message(|_| format!("{peer} {what}: {e}"))
}

/// Most bytes [`read_body`] sets aside before an answer arrives.
const PREALLOCATE_MAX: u64 = 4 << 20;

/// Reads a body up to `limit` bytes, failing beyond.
pub(crate) fn read_body(
	response: ureq::http::Response<ureq::Body>,
	limit: u64,
) -> Result<Vec<u8>, Error> {
	let mut bytes = Vec::new();
	read_body_into(response, limit, &mut bytes)?;
	Ok(bytes)
}

/// [`read_body`] into `bytes` (emptied first; a buffer used before keeps its pages).
pub(crate) fn read_body_into(
	response: ureq::http::Response<ureq::Body>,
	limit: u64,
	bytes: &mut Vec<u8>,
) -> Result<(), Error> {
	bytes.clear();
	// Room for what is expected, as far as a sane answer goes (`limit` may come from a peer's
	// headers): no copies while the vector grows.
	bytes.reserve(limit.saturating_add(1).min(PREALLOCATE_MAX) as usize);
	response.into_body().into_reader().take(limit.saturating_add(1)).read_to_end(bytes).map_err(
		|e| {
			let e = ureq::Error::from(e);
			kind(&e)(format!("the answer broke off: {e}"))
		},
	)?;
	if bytes.len() as u64 > limit {
		return Err(Error::BadPeer(format!("answer longer than the {limit} bytes expected")));
	}
	Ok(())
}

/// A refusal of a gateway as an error carrying its status and reason, by what the status
/// means.
pub(crate) fn refusal(response: ureq::http::Response<ureq::Body>) -> Error {
	answered("gateway", response)
}

/// [`refusal`] of `peer` (such as `node at URL`).
pub(crate) fn answered(peer: &str, response: ureq::http::Response<ureq::Body>) -> Error {
	let status = response.status();
	// The reason is a courtesy: a status without one still says what happened.
	let reason = match read_body(response, 4096) {
		Ok(reason) => String::from_utf8_lossy(&reason).trim().to_string(),
		Err(e) => format!("(no reason: {e})"),
	};
	status_kind(status.as_u16())(format!("{peer} answered {status}: {reason}"))
}

/// A header's value parsed as a number.
pub(crate) fn number_header(
	response: &ureq::http::Response<ureq::Body>,
	name: &str,
) -> Result<u64, Error> {
	response
		.headers()
		.get(name)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok())
		.ok_or_else(|| Error::BadPeer(format!("gateway sent no valid {name} header")))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn statuses_say_what_the_caller_should_do() {
		let advice = |status| status_kind(status)(String::new());
		for later in [408, 429, 500, 502, 503, 504] {
			assert_eq!(advice(later), Error::Unavailable(String::new()), "{later}");
		}
		for no in [401, 402, 403] {
			assert_eq!(advice(no), Error::Refused(String::new()), "{no}");
		}
		assert_eq!(advice(404), Error::NotFound(String::new()));
		for wrong in [200, 400, 416] {
			assert_eq!(advice(wrong), Error::BadPeer(String::new()), "{wrong}");
		}
	}
}
