//! Publishing: a file's content id, its listing (when the publisher is the moderator) or
//! proposal (otherwise), and the push of its bytes to the nodes serving the moderator's
//! catalog, which take it only if it hashes to the id.

use crate::{http, keys::Signer, queries, queries::ProposalEntry, rpc::Rpc, Error};
use bitcloud_primitives::{AccountId, ContentId};
use bitcloud_runtime::RuntimeCall;
use std::{
	fs::File,
	io::{self, Read},
	path::Path,
};

/// What happened on chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
	/// The publisher is the moderator: listed now.
	Listed,
	/// Proposed to the moderator now (a deposit is held until it decides).
	Proposed,
	/// Already in the catalog.
	AlreadyListed,
	/// Already proposed.
	AlreadyProposed,
}

/// How a node took the pushed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
	/// Stored (HTTP 201).
	Stored,
	/// It already held them (HTTP 200).
	AlreadyStored,
	/// Refused, or unreachable: why.
	Failed(Error),
}

/// What `publish` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishReport {
	/// The content id (BLAKE3 root).
	pub id: ContentId,
	/// Size in bytes.
	pub size: u64,
	/// The chain side.
	pub listing: Listing,
	/// Each node serving the catalog, its gateway and how it took the bytes.
	pub pushes: Vec<(AccountId, String, Push)>,
}

/// The content id and size of a file, read once with constant memory.
pub fn content_id_of(path: &Path) -> Result<(ContentId, u64), Error> {
	let mut file = open(path)?;
	let mut hasher = bao_tree::blake3::Hasher::new();
	let size = io::copy(&mut file, &mut hasher).map_err(|e| cannot_read(path, e))?;
	Ok((*hasher.finalize().as_bytes(), size))
}

/// What a file is, for its catalog entry: the MIME type from its extension.
pub fn guess_mime_type(path: &Path) -> &'static str {
	let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
	match extension.as_str() {
		"mp4" | "m4v" => "video/mp4",
		"webm" => "video/webm",
		"mkv" => "video/x-matroska",
		"mp3" => "audio/mpeg",
		"ogg" | "oga" => "audio/ogg",
		"png" => "image/png",
		"jpg" | "jpeg" => "image/jpeg",
		"gif" => "image/gif",
		"svg" => "image/svg+xml",
		"pdf" => "application/pdf",
		"txt" | "md" => "text/plain; charset=utf-8",
		"html" | "htm" => "text/html; charset=utf-8",
		"css" => "text/css; charset=utf-8",
		"js" | "mjs" => "text/javascript; charset=utf-8",
		"json" => "application/json",
		"xml" => "application/xml",
		"wasm" => "application/wasm",
		"webp" => "image/webp",
		"avif" => "image/avif",
		"ico" => "image/x-icon",
		"woff2" => "font/woff2",
		"woff" => "font/woff",
		_ => "application/octet-stream",
	}
}

/// Publishes `path` under `moderator`'s catalog: lists it if `signer` is the moderator,
/// proposes it otherwise (nothing is sent twice), then pushes the bytes to every node serving
/// the catalog. `progress` hears (bytes pushed to the current node, size).
pub fn publish(
	rpc: &Rpc,
	signer: &Signer,
	path: &Path,
	moderator: &AccountId,
	title: &str,
	mime_type: &str,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<PublishReport, Error> {
	let (id, size) = content_id_of(path)?;
	let listing = list_or_propose(rpc, signer, moderator, id, size, title, mime_type)?;
	let mut pushes = Vec::new();
	for (node, view) in queries::nodes(rpc, moderator)? {
		let Some(gateway) = view.and_then(|view| String::from_utf8(view.endpoint).ok()) else {
			continue;
		};
		let result = push(&gateway, &id, path, size, progress);
		pushes.push((node, gateway, result));
	}
	Ok(PublishReport { id, size, listing, pushes })
}

fn list_or_propose(
	rpc: &Rpc,
	signer: &Signer,
	moderator: &AccountId,
	id: ContentId,
	size: u64,
	title: &str,
	mime_type: &str,
) -> Result<Listing, Error> {
	let item = Item { id, size, title, mime_type };
	let (listing, call) = listing_call(rpc, &signer.account(), moderator, &item)?;
	if let Some(call) = call {
		rpc.execute(signer, call)?;
	}
	Ok(listing)
}

/// An item to list or propose: its id, size, title and type.
pub struct Item<'a> {
	/// The content id.
	pub id: ContentId,
	/// Its size in bytes.
	pub size: u64,
	/// Its title in the catalog.
	pub title: &'a str,
	/// Its MIME type.
	pub mime_type: &'a str,
}

/// What publishing `item` under `moderator` takes on chain, for `publisher`: the listing it
/// will have and the call that makes it so (none when it is listed or proposed already).
pub fn listing_call(
	rpc: &Rpc,
	publisher: &AccountId,
	moderator: &AccountId,
	item: &Item,
) -> Result<(Listing, Option<RuntimeCall>), Error> {
	let listed: Option<queries::CatalogEntry> =
		rpc.runtime_api("ModerationApi_catalog_item", (moderator, item.id))?;
	if listed.is_some() {
		return Ok((Listing::AlreadyListed, None));
	}
	let title = item.title.as_bytes().to_vec();
	let mime_type = item.mime_type.as_bytes().to_vec();
	let (content, size) = (item.id, item.size);
	if publisher == moderator {
		let call = pallet_moderation::Call::list_content {
			content,
			size,
			title,
			mime_type,
			publisher: None,
		};
		return Ok((Listing::Listed, Some(RuntimeCall::Moderation(call))));
	}
	let proposed: Option<ProposalEntry> =
		rpc.runtime_api("ModerationApi_proposal", (moderator, item.id))?;
	if proposed.is_some() {
		return Ok((Listing::AlreadyProposed, None));
	}
	let moderator = moderator.clone();
	let call =
		pallet_moderation::Call::propose_content { moderator, content, size, title, mime_type };
	Ok((Listing::Proposed, Some(RuntimeCall::Moderation(call))))
}

/// Pushes the file to one gateway (`PUT /content/{id}`).
pub fn push(
	gateway: &str,
	id: &ContentId,
	path: &Path,
	size: u64,
	progress: &mut dyn FnMut(u64, u64),
) -> Push {
	let file = match open(path) {
		Ok(file) => file,
		Err(e) => return Push::Failed(e),
	};
	let mut reader = Counting { inner: file, done: 0, size, progress };
	let url = format!("{}/content/{}", gateway.trim_end_matches('/'), hex::encode(id));
	// With `Expect: 100-continue` a refusing gateway answers before the body is sent.
	let answer = http::agent()
		.put(url)
		.header("expect", "100-continue")
		.header("content-length", size.to_string())
		.send(ureq::SendBody::from_reader(&mut reader));
	match answer {
		Ok(response) if response.status() == 201 => Push::Stored,
		Ok(response) if response.status() == 200 => Push::AlreadyStored,
		Ok(response) => Push::Failed(http::refusal(response)),
		Err(e) => Push::Failed(http::no_answer("gateway", e)),
	}
}

fn open(path: &Path) -> Result<File, Error> {
	File::open(path).map_err(|e| cannot_read(path, e))
}

fn cannot_read(path: &Path, e: io::Error) -> Error {
	Error::Input(format!("cannot read {}: {e}", path.display()))
}

/// A reader that reports how far it got.
struct Counting<'a, R> {
	inner: R,
	done: u64,
	size: u64,
	progress: &'a mut dyn FnMut(u64, u64),
}

impl<R: Read> Read for Counting<'_, R> {
	fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
		let n = self.inner.read(buf)?;
		self.done += n as u64;
		(self.progress)(self.done, self.size);
		Ok(n)
	}
}
