//! Plain HTTP to gateways: one agent configuration, bounded bodies, refusals as errors.

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

/// Reads a body up to `limit` bytes, failing beyond.
pub(crate) fn read_body(
	response: ureq::http::Response<ureq::Body>,
	limit: u64,
) -> Result<Vec<u8>, Error> {
	let mut bytes = Vec::new();
	response
		.into_body()
		.into_reader()
		.take(limit.saturating_add(1))
		.read_to_end(&mut bytes)
		.map_err(Error::from_display)?;
	if bytes.len() as u64 > limit {
		return Err(Error(format!("answer longer than the {limit} bytes expected")));
	}
	Ok(bytes)
}

/// A refusal of a gateway as an error carrying its status and reason.
pub(crate) fn refusal(response: ureq::http::Response<ureq::Body>) -> Error {
	let status = response.status();
	let reason = read_body(response, 4096).unwrap_or_default();
	Error(format!("gateway answered {status}: {}", String::from_utf8_lossy(&reason).trim()))
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
		.ok_or_else(|| Error(format!("gateway sent no valid {name} header")))
}
