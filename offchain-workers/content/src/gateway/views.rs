//! The JSON views: `GET /catalog` (a page of the catalogs this node serves, [`crate::catalog`])
//! and `GET /status` (node account, subscriptions, store, version).

use super::{
	responses::{chain_error, internal_error, refuse},
	ss58, Gateway,
};
use crate::{
	catalog::{PageError, PageQuery},
	store::GROUP_BYTES,
	ChainError,
};
use axum::{
	extract::State,
	http::{StatusCode, Uri},
	response::{IntoResponse, Response},
	Json,
};
use bitcloud_primitives::AccountId;
use serde_json::{json, Value};
use std::sync::Arc;

/// `GET /catalog?offset=N&limit=M`: one page of the items of the subscribed catalogs that
/// this node may serve, and whether it holds them.
pub(super) async fn catalog(State(gateway): State<Arc<Gateway>>, uri: Uri) -> Response {
	let query = match PageQuery::parse(uri.query()) {
		Ok(query) => query,
		Err(reason) => return refuse(StatusCode::BAD_REQUEST, &reason),
	};
	let Some(node) = gateway.node.clone() else {
		return Json(no_catalog(&query)).into_response();
	};
	match gateway.catalog.page(gateway.chain.clone(), node.clone(), query).await {
		Ok(page) => Json(page.to_json(&node, |id| gateway.store.contains(id))).into_response(),
		Err(PageError::Chain(e)) => chain_error(&gateway, e),
		Err(PageError::Internal(e)) => {
			gateway.metrics.count_error("internal");
			internal_error(e)
		},
	}
}

/// The catalog page of a gateway without a node account: empty.
fn no_catalog(query: &PageQuery) -> Value {
	json!({
		"node": null,
		"offset": query.offset,
		"limit": query.limit,
		"total": 0,
		"next": null,
		"moderators": [],
	})
}

/// `GET /status`: node account, subscriptions, store and version.
pub(super) async fn status(State(gateway): State<Arc<Gateway>>) -> Response {
	gateway.refresh_store_metrics();
	let answer = gateway.ask(|g| (subscriptions(g), g.chain.best_block())).await;
	let (subscriptions, best) = match answer {
		Ok(answer) => answer,
		Err(response) => return response,
	};
	let (subscriptions, chain_error) = match subscriptions {
		Ok(list) => (Some(list.iter().map(ss58).collect::<Vec<_>>()), None),
		Err(e) => (None, Some(e.to_string())),
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

/// The node's subscriptions (none without a node account). Blocking.
fn subscriptions(gateway: &Gateway) -> Result<Vec<AccountId>, ChainError> {
	match &gateway.node {
		Some(node) => gateway.chain.subscriptions(node),
		None => Ok(Vec::new()),
	}
}
