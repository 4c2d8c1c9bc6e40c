//! The relay's door: `GET /onion` with `Upgrade: bitcloud-onion/2` on the node's gateway
//! turns the HTTP connection into an onion link.

use crate::{
	link::{ONION_PATH, UPGRADE_PROTOCOL},
	relay::Relay,
};
use axum::{
	body::Body,
	extract::{ConnectInfo, Request, State},
	http::{header, StatusCode},
	response::Response,
	routing::get,
	Router,
};
use std::{net::SocketAddr, sync::Arc};

/// The route to merge into the gateway's router. The gateway must serve connections with
/// upgrades enabled and put the peer's address in a [`ConnectInfo`] extension.
pub fn router(relay: Arc<Relay>) -> Router {
	Router::new().route(ONION_PATH, get(upgrade)).with_state(relay)
}

async fn upgrade(State(relay): State<Arc<Relay>>, mut request: Request) -> Response {
	let asks_onion = request
		.headers()
		.get(header::UPGRADE)
		.and_then(|value| value.to_str().ok())
		.is_some_and(|value| value.eq_ignore_ascii_case(UPGRADE_PROTOCOL));
	if !asks_onion {
		let reason = format!("this is an onion relay: upgrade to {UPGRADE_PROTOCOL}");
		return plain(StatusCode::UPGRADE_REQUIRED, &reason);
	}
	let previous = request
		.extensions()
		.get::<ConnectInfo<SocketAddr>>()
		.map_or(SocketAddr::from(([0, 0, 0, 0], 0)), |info| info.0);
	let on_upgrade = hyper::upgrade::on(&mut request);
	tokio::spawn(async move {
		match on_upgrade.await {
			Ok(upgraded) => relay.serve(hyper_util::rt::TokioIo::new(upgraded), previous).await,
			Err(e) => log::debug!(target: "onion", "upgrade from {previous} failed: {e}"),
		}
	});
	Response::builder()
		.status(StatusCode::SWITCHING_PROTOCOLS)
		.header(header::CONNECTION, "upgrade")
		.header(header::UPGRADE, UPGRADE_PROTOCOL)
		.body(Body::empty())
		.unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))
}

fn plain(status: StatusCode, reason: &str) -> Response {
	let mut response = Response::new(Body::from(format!("{reason}\n")));
	*response.status_mut() = status;
	response
}
