//! `GET /content/{id}/outboard`: the post-order hash pairs (64 bytes each, no size suffix)
//! for chunk groups of 16 KiB, with which a client verifies any range it receives; the size
//! is in [`CONTENT_SIZE_HEADER`], the chunk group in [`CHUNK_GROUP_LOG_HEADER`]. Streamed by
//! [`OUTBOARD_BLOCK`]; the first block is read before the status line goes out, so a store
//! error is answered with 500 rather than a cut-off 200.

use super::{
	authorise::{authorise, path_id},
	content::open,
	responses::{refuse, streamed, IMMUTABLE},
	Gateway, OUTBOARD_BLOCK,
};
use crate::{
	id::to_hex,
	protocol::{CHUNK_GROUP_LOG_HEADER, CONTENT_SIZE_HEADER},
	store::{ContentReader, BLOCK_SIZE},
};
use axum::{
	extract::{Path, State},
	http::{header, StatusCode},
	response::Response,
};
use bytes::Bytes;
use std::sync::Arc;

/// `GET /content/{id}/outboard`.
pub(super) async fn outboard(
	State(gateway): State<Arc<Gateway>>,
	Path(id): Path<String>,
) -> Response {
	match serve_outboard(&gateway, &id).await {
		Ok(response) | Err(response) => response,
	}
}

async fn serve_outboard(gateway: &Arc<Gateway>, id: &str) -> Result<Response, Response> {
	let id = path_id(id)?;
	let size = authorise(gateway, id).await?.size;
	let reader = open(gateway, id).await?;
	let len = reader.outboard_len();
	let first_len = len.min(OUTBOARD_BLOCK);
	let first = read_outboard(gateway, &reader, 0, first_len)
		.await
		.map_err(|_| refuse(StatusCode::INTERNAL_SERVER_ERROR, "content store error"))?;
	let response = Response::builder()
		.header(header::CONTENT_TYPE, "application/octet-stream")
		.header(header::CONTENT_LENGTH, len)
		.header(header::ETAG, format!("\"{}.obao4\"", to_hex(&id)))
		.header(header::CACHE_CONTROL, IMMUTABLE)
		.header(CONTENT_SIZE_HEADER, size)
		.header(CHUNK_GROUP_LOG_HEADER, u32::from(BLOCK_SIZE.chunk_log()));
	let gateway = gateway.clone();
	let read = move |offset, step| {
		let (gateway, reader) = (gateway.clone(), reader.clone());
		async move { read_outboard(&gateway, &reader, offset, step).await }
	};
	Ok(streamed(response, first, first_len, len, OUTBOARD_BLOCK, read))
}

/// [`ContentReader::read_outboard`] of `len` bytes at `offset`, on a blocking thread.
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
