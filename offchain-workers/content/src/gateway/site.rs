//! Websites by path: a request whose host is `<site id as CIDv1>.<anything>` asks for a page
//! of the site whose manifest has that id ([`crate::site`]), whatever its path. The manifest
//! and every file are served under the serving rule like any content (listed by a subscribed
//! moderator, denied by none, verified as read), so a moderator takes a site down by denying
//! its manifest, or one page by denying that file.
//!
//! Each site is its own origin (its own host), so sites share no cookies or storage with each
//! other or with the node's own pages. What a request gets is decided by
//! [`crate::site::answer`] (shared with the client's anonymous proxy): the file's bytes with
//! the manifest's type and `nosniff`; `/dir` redirects to `/dir/` when that directory has an
//! index document; `.`/`..` segments, encoded or not, are refused with 400; a path naming no
//! file gets the site's fallback page with 404, or a plain 404. This module fetches the
//! manifest and serves the answer.

use super::{
	authorise::{authorise, not_stored},
	content::{serve_item, SitePage},
	responses::refuse,
	Gateway,
};
use crate::{
	id::{parse_id, to_cid},
	site::{self, Answer, Manifest, Refusal, MAX_MANIFEST_BYTES},
	store::StoreError,
};
use axum::{
	http::{header, request::Parts, HeaderMap, Method, StatusCode},
	response::{IntoResponse, Redirect, Response},
};
use bitcloud_primitives::ContentId;
use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
};

/// Manifests kept parsed (they never change: an id names one manifest); beyond this many the
/// cache starts over.
const MAX_MANIFESTS: usize = 256;

/// Parsed manifests by site id.
#[derive(Default)]
pub(crate) struct Manifests(Mutex<HashMap<ContentId, Arc<Manifest>>>);

impl Manifests {
	fn get(&self, site: &ContentId) -> Option<Arc<Manifest>> {
		self.0.lock().ok()?.get(site).cloned()
	}

	fn keep(&self, site: ContentId, manifest: Arc<Manifest>) {
		let Ok(mut held) = self.0.lock() else { return };
		if held.len() >= MAX_MANIFESTS {
			held.clear();
		}
		held.insert(site, manifest);
	}
}

/// The answer to a request with `head`, made to the host of `site`: a page of the site,
/// whatever the path.
pub(super) async fn answer_page(gateway: &Arc<Gateway>, site: ContentId, head: &Parts) -> Response {
	match page(gateway, site, &head.method, head.uri.path(), &head.headers).await {
		Ok(response) | Err(response) => response,
	}
}

/// The site a request's `Host` names: its first label is a content id in CIDv1 form (hosts
/// are case-insensitive, so it is read lowercased) followed by more labels.
pub(super) fn site_of_host(headers: &HeaderMap) -> Option<ContentId> {
	let host = headers.get(header::HOST)?.to_str().ok()?;
	let (label, rest) = host.split_once('.')?;
	if rest.is_empty() || !label.starts_with(['b', 'B']) {
		return None;
	}
	parse_id(&label.to_ascii_lowercase()).ok()
}

/// The answer to `path` of `site`.
async fn page(
	gateway: &Arc<Gateway>,
	site: ContentId,
	method: &Method,
	path: &str,
	headers: &HeaderMap,
) -> Result<Response, Response> {
	site::check_method(method).map_err(refusal)?;
	let manifest = manifest(gateway, site).await?;
	match site::answer(&site, &manifest, path) {
		Answer::Page(page) => {
			let presented = SitePage { mime: &page.file.mime, not_found: page.not_found };
			serve_item(gateway, page.id, Some(&presented), method, headers).await
		},
		Answer::Redirect(to) => Ok(Redirect::permanent(&to).into_response()),
		Answer::Refused(refused) => Err(refusal(refused)),
	}
}

/// The response to a site's refusal.
fn refusal(refused: Refusal) -> Response {
	refuse(refused.status, &refused.reason)
}

/// The site's manifest, parsed once: served under the serving rule like any content, and
/// read whole and verified.
async fn manifest(gateway: &Arc<Gateway>, site: ContentId) -> Result<Arc<Manifest>, Response> {
	// The serving rule is asked every time: a deny takes the site down at the next block.
	let servable = authorise(gateway, site).await?;
	if let Some(manifest) = gateway.manifests.get(&site) {
		return Ok(manifest);
	}
	if servable.size > MAX_MANIFEST_BYTES {
		let e = crate::site::SiteError::TooLarge(servable.size);
		return Err(bad_site(&site, &e));
	}
	let size = servable.size as usize;
	let read = gateway
		.ask(move |g| {
			let read = g.store.reader(&site).and_then(|reader| reader.read_verified(0, size));
			if let Err(StoreError::Corrupt { id }) = &read {
				g.store.quarantine(id);
			}
			read
		})
		.await?;
	let bytes = read.map_err(|e| unreadable(gateway, &site, e))?;
	let manifest = Arc::new(Manifest::from_bytes(&bytes).map_err(|e| bad_site(&site, &e))?);
	gateway.manifests.keep(site, manifest.clone());
	Ok(manifest)
}

/// The answer to a site whose manifest is not one: the site is broken, not the request.
fn bad_site(site: &ContentId, e: &dyn std::fmt::Display) -> Response {
	refusal(site::broken(site, e))
}

/// The answer to a manifest that could not be read (a corrupt copy was removed).
fn unreadable(gateway: &Gateway, site: &ContentId, e: StoreError) -> Response {
	match e {
		StoreError::NotFound => not_stored(),
		StoreError::Corrupt { .. } => {
			log::error!(target: "content", "site {}: {e}", to_cid(site));
			gateway.metrics.count_error("corrupt");
			refuse(StatusCode::INTERNAL_SERVER_ERROR, "the stored copy failed verification")
		},
		e => {
			log::error!(target: "content", "site {}: {e}", to_cid(site));
			gateway.metrics.count_error("io");
			refuse(StatusCode::INTERNAL_SERVER_ERROR, "content store error")
		},
	}
}
