//! `PUT /content/{id}`: a publisher pushes content the node is to hold. The body streams
//! into the store with constant memory and enters it only if its BLAKE3 root is `id`.
//! Refusals come before any body byte is read: uploaders send `Expect: 100-continue` so that
//! they hear them instead of a closed connection.

use super::{
	authorise::path_id,
	responses::{chain_error, denied_by, done, refuse},
	Gateway,
};
use crate::{
	chain::{upload_verdict, UploadVerdict, Verdict},
	connection::BodyTooSlow,
	id::to_hex,
	store::{StoreError, Unlisted},
};
use axum::{
	body::Body,
	extract::{Path, State},
	http::{header, HeaderMap, StatusCode},
	response::Response,
};
use bitcloud_primitives::ContentId;
use futures::StreamExt as _;
use std::sync::Arc;

/// `PUT /content/{id}`.
pub(super) async fn upload(
	State(gateway): State<Arc<Gateway>>,
	Path(id): Path<String>,
	headers: HeaderMap,
	body: Body,
) -> Response {
	match take_upload(&gateway, &id, &headers, body).await {
		Ok(response) | Err(response) => response,
	}
}

async fn take_upload(
	gateway: &Arc<Gateway>,
	id: &str,
	headers: &HeaderMap,
	body: Body,
) -> Result<Response, Response> {
	let id = path_id(id)?;
	let Wanted { size, held } = wanted(gateway, id).await?;
	if gateway.store.contains(&id) {
		return Ok(done(StatusCode::OK, "already stored"));
	}
	check_declared_length(headers, size)?;
	let Ok(_permit) = gateway.uploads.clone().try_acquire_owned() else {
		return Err(refuse(StatusCode::SERVICE_UNAVAILABLE, "too many uploads at once, try again"));
	};
	let imported = import(gateway, id, size, held, body).await?;
	answer_import(gateway, &id, size, imported)
}

/// Content the node takes: its size, and how it is held.
struct Wanted {
	size: u64,
	held: Held,
}

/// How the store holds an upload.
#[derive(Clone, Copy)]
enum Held {
	/// A subscribed moderator lists it: like any catalog item.
	Listed,
	/// Proposed to a subscribed moderator, or leased under one: marked, under the store's
	/// budget of that kind, and swept once nothing wants it any more.
	Unlisted(Unlisted),
}

/// Whether the node takes `id`; else the 403 (or 503) answer. Content no subscribed
/// moderator lists yet (proposed) is held under the store's budget of unlisted content, and
/// expires unless it gets listed; a leased object is held under the budget of leased
/// objects while a lease pays for it.
async fn wanted(gateway: &Arc<Gateway>, id: ContentId) -> Result<Wanted, Response> {
	let Some(node) = gateway.node.clone() else {
		return Err(refuse(
			StatusCode::FORBIDDEN,
			"this gateway has no node account: it takes no content",
		));
	};
	let (decision, listed) = gateway
		.ask(move |g| {
			let chain = g.chain.as_ref();
			let upload = upload_verdict(chain, &node, &id)?;
			let listed = matches!(upload, UploadVerdict::Accept { lease: None, .. })
				&& matches!(chain.verdict(&node, &id)?, Verdict::Serve { lease: None, .. });
			Ok((upload, listed))
		})
		.await?
		.map_err(|e| chain_error(gateway, e))?;
	match decision {
		UploadVerdict::Accept { size, lease } => {
			let held = match (listed, lease) {
				(true, _) => Held::Listed,
				(false, Some(_)) => Held::Unlisted(Unlisted::Leased),
				(false, None) => Held::Unlisted(Unlisted::Proposed),
			};
			Ok(Wanted { size, held })
		},
		UploadVerdict::Denied { moderator } => Err(denied_by(&moderator)),
		UploadVerdict::NotWanted => Err(refuse(
			StatusCode::FORBIDDEN,
			"not wanted: no moderator this node subscribes to lists it, has it proposed or \
			 has it leased with a keeper's place free",
		)),
	}
}

/// Refuses a body whose declared `Content-Length` is not the content's `size`.
fn check_declared_length(headers: &HeaderMap, size: u64) -> Result<(), Response> {
	let declared = headers
		.get(header::CONTENT_LENGTH)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok());
	let status = match declared {
		Some(len) if len > size => StatusCode::PAYLOAD_TOO_LARGE,
		Some(len) if len < size => StatusCode::UNPROCESSABLE_ENTITY,
		_ => return Ok(()),
	};
	let len = declared.unwrap_or_default();
	Err(refuse(status, &format!("the body is {len} bytes; the content is {size}")))
}

/// Streams `body` into the store on a blocking thread: as listed content, or as proposed or
/// leased content under the budget of its kind.
async fn import(
	gateway: &Arc<Gateway>,
	id: ContentId,
	size: u64,
	held: Held,
	body: Body,
) -> Result<Result<ContentId, StoreError>, Response> {
	let stream = body.into_data_stream().map(|chunk| chunk.map_err(std::io::Error::other));
	let reader = tokio_util::io::SyncIoBridge::new(tokio_util::io::StreamReader::new(stream));
	gateway
		.ask(move |g| match held {
			Held::Listed => g.store.import(reader, Some(id), Some(size)),
			Held::Unlisted(kind) => g.store.import_unlisted(reader, id, size, kind),
		})
		.await
}

/// The answer to an import of `size` bytes of `id`.
fn answer_import(
	gateway: &Gateway,
	id: &ContentId,
	size: u64,
	imported: Result<ContentId, StoreError>,
) -> Result<Response, Response> {
	match imported {
		Ok(_) => {
			gateway.refresh_store_metrics();
			log::info!(target: "content", "Received {} ({size} bytes) by upload", to_hex(id));
			Ok(done(StatusCode::CREATED, "stored"))
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
		Err(StoreError::Io(e)) if e.get_ref().is_some_and(|e| BodyTooSlow::caused(e)) => {
			Err(refuse(StatusCode::REQUEST_TIMEOUT, &format!("upload cut: {e}")))
		},
		Err(e) => {
			gateway.metrics.count_error("upload");
			log::warn!(target: "content", "upload of {}: {e}", to_hex(id));
			Err(refuse(StatusCode::BAD_REQUEST, "the upload broke off or could not be stored"))
		},
	}
}
