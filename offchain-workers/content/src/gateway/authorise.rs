//! Whether a piece of content may be served: the serving rule ([`crate::chain::serving_rule`])
//! asked of the chain, and the store asked whether it holds it.

use super::{
	responses::{chain_error, denied_by, refuse},
	Gateway,
};
use crate::{
	chain::{ItemMeta, Verdict},
	id::{parse_id, to_hex},
};
use axum::{http::StatusCode, response::Response};
use bitcloud_primitives::{AccountId, ContentId};
use std::sync::Arc;

/// The answer to content that is listed, but not stored here.
const NOT_STORED: &str = "listed, but not stored on this node (yet)";

/// What may be served: the moderator whose catalog lists it, its MIME type and stored size.
pub(super) struct Servable {
	pub(super) moderator: AccountId,
	pub(super) mime: String,
	pub(super) size: u64,
}

/// Parses the id of a path, or the 400 answer.
pub(super) fn path_id(text: &str) -> Result<ContentId, Response> {
	parse_id(text)
		.map_err(|e| refuse(StatusCode::BAD_REQUEST, &format!("malformed content id: {e}")))
}

/// The 404 answer to content that is listed, but not stored here.
pub(super) fn not_stored() -> Response {
	refuse(StatusCode::NOT_FOUND, NOT_STORED)
}

/// Decides whether `id` may be served.
pub(super) async fn authorise(gateway: &Arc<Gateway>, id: ContentId) -> Result<Servable, Response> {
	let Some(node) = gateway.node.clone() else {
		return Err(refuse(
			StatusCode::NOT_FOUND,
			"this gateway has no node account: it serves no catalog",
		));
	};
	let verdict = gateway
		.ask_chain(move |g| g.chain.verdict(&node, &id))
		.await?
		.map_err(|e| chain_error(gateway, e))?;
	let (moderator, meta) = listing(verdict)?;
	let size = gateway.store.size(&id).ok_or_else(not_stored)?;
	warn_if_sizes_differ(&id, &meta, size);
	Ok(Servable { moderator, mime: meta.mime_type, size })
}

/// The moderator and metadata of a servable verdict; else the answer.
fn listing(verdict: Verdict) -> Result<(AccountId, ItemMeta), Response> {
	match verdict {
		Verdict::Serve { moderator, meta, .. } => Ok((moderator, meta)),
		Verdict::Denied { moderator } => Err(denied_by(&moderator)),
		Verdict::NotListed => Err(refuse(
			StatusCode::NOT_FOUND,
			"unknown content: not in any catalog this node serves",
		)),
	}
}

/// The verified copy is what is served; a catalog that says otherwise is worth a warning.
fn warn_if_sizes_differ(id: &ContentId, meta: &ItemMeta, size: u64) {
	if size != meta.size {
		log::warn!(
			target: "content",
			"catalog says {} is {} bytes; its verified copy is {size}",
			to_hex(id),
			meta.size
		);
	}
}
