//! `GET /catalog`, one bounded page at a time.
//!
//! The subscribed catalogs are read from the chain once per best block (one runtime call per
//! subscribed moderator) into a snapshot that every request of that block shares; a request
//! then checks the deny lists for the items of its page only (at most [`CATALOG_PAGE_MAX`]
//! items, each at most once per snapshot). So a request costs at most
//! `CATALOG_PAGE_MAX × subscriptions` runtime calls whatever the catalogs' size, and one
//! request at a time does that work (the others wait for the snapshot).

use crate::{
	chain::{ChainError, ChainView, ItemMeta},
	gateway::ss58,
	id::{to_cid, to_hex},
};
use bitcloud_primitives::{AccountId, ContentId};
use serde_json::{json, Value};
use std::{
	collections::HashMap,
	sync::Arc,
	time::{Duration, Instant},
};

/// Most items in one page of `GET /catalog` (a larger `limit` is lowered to it).
pub const CATALOG_PAGE_MAX: usize = 100;

/// Longest a snapshot of the catalogs is used, even when the chain view names no new best
/// block (one block time).
pub const CATALOG_SNAPSHOT_TTL: Duration = Duration::from_secs(6);

/// Which page a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
	/// Position of the first entry, over the subscribed catalogs in subscription order.
	pub offset: usize,
	/// Entries at most, 1 to [`CATALOG_PAGE_MAX`].
	pub limit: usize,
}

impl PageQuery {
	/// Parses `offset=N&limit=M` (both optional; other parameters are ignored); the error is
	/// a one-line reason.
	pub fn parse(query: Option<&str>) -> Result<Self, String> {
		let mut page = PageQuery { offset: 0, limit: CATALOG_PAGE_MAX };
		for pair in query.unwrap_or_default().split('&').filter(|pair| !pair.is_empty()) {
			let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
			match key {
				"offset" => {
					page.offset = value
						.parse()
						.map_err(|_| format!("offset is a whole number: {value:?}"))?;
				},
				"limit" => {
					let limit: usize = value.parse().unwrap_or(0);
					if limit == 0 {
						return Err(format!(
							"limit is a whole number from 1 to {CATALOG_PAGE_MAX}: {value:?}"
						));
					}
					page.limit = limit.min(CATALOG_PAGE_MAX);
				},
				_ => {},
			}
		}
		Ok(page)
	}
}

/// One page of the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
	/// The query, with `limit` as applied.
	pub query: PageQuery,
	/// Entries of the subscribed catalogs, denied ones included.
	pub total: usize,
	/// Offset of the next page, if there is one.
	pub next: Option<usize>,
	/// The moderators whose entries fall in the page, in subscription order, each with the
	/// entries a subscribed moderator does not deny.
	pub moderators: Vec<(AccountId, Vec<(ContentId, ItemMeta)>)>,
}

impl Page {
	/// The JSON answer (`docs/content-node.md`, `GET /catalog`); `stored` says whether the
	/// store holds an item.
	pub fn to_json(&self, node: &AccountId, stored: impl Fn(&ContentId) -> bool) -> Value {
		let moderators: Vec<Value> = self
			.moderators
			.iter()
			.map(|(moderator, items)| {
				let items: Vec<Value> = items
					.iter()
					.map(|(id, meta)| {
						json!({
							"id": to_hex(id),
							"cid": to_cid(id),
							"size": meta.size,
							"title": meta.title,
							"mimeType": meta.mime_type,
							"stored": stored(id),
						})
					})
					.collect();
				json!({ "moderator": ss58(moderator), "items": items })
			})
			.collect();
		json!({
			"node": ss58(node),
			"offset": self.query.offset,
			"limit": self.query.limit,
			"total": self.total,
			"next": self.next,
			"moderators": moderators,
		})
	}
}

/// Why no page could be made.
#[derive(Debug)]
pub enum PageError {
	/// The chain could not be asked.
	Chain(ChainError),
	/// The blocking task failed.
	Internal(String),
}

/// The catalogs at one best block, and the deny checks made at it.
struct Snapshot {
	block: Option<(u32, String)>,
	taken: Instant,
	subscriptions: Vec<AccountId>,
	/// Every entry of the subscribed catalogs: index into `subscriptions`, id, metadata.
	entries: Vec<(usize, ContentId, ItemMeta)>,
	/// Whether a subscribed moderator denies an item, for the items asked about so far.
	denied: HashMap<ContentId, bool>,
}

impl Snapshot {
	fn take(
		chain: &dyn ChainView,
		node: &AccountId,
		block: Option<(u32, String)>,
	) -> Result<Self, ChainError> {
		let subscriptions = chain.subscriptions(node)?;
		let mut entries = Vec::new();
		for (index, moderator) in subscriptions.iter().enumerate() {
			entries
				.extend(chain.catalog(moderator)?.into_iter().map(|(id, meta)| (index, id, meta)));
		}
		Ok(Snapshot {
			block,
			taken: Instant::now(),
			subscriptions,
			entries,
			denied: HashMap::new(),
		})
	}

	fn is_fresh(&self, block: &Option<(u32, String)>) -> bool {
		self.block == *block && self.taken.elapsed() < CATALOG_SNAPSHOT_TTL
	}

	/// Whether a subscribed moderator denies `id` (the serving rule: a deny by any wins).
	fn denied(&mut self, chain: &dyn ChainView, id: &ContentId) -> Result<bool, ChainError> {
		if let Some(denied) = self.denied.get(id) {
			return Ok(*denied);
		}
		let mut denied = false;
		for moderator in &self.subscriptions {
			if chain.is_denied(moderator, id)? {
				denied = true;
				break;
			}
		}
		self.denied.insert(*id, denied);
		Ok(denied)
	}

	fn page(&mut self, chain: &dyn ChainView, query: PageQuery) -> Result<Page, ChainError> {
		let total = self.entries.len();
		let end = query.offset.saturating_add(query.limit).min(total);
		let slice: Vec<_> = self.entries.get(query.offset..end).unwrap_or_default().to_vec();
		let mut moderators: Vec<(AccountId, Vec<(ContentId, ItemMeta)>)> = Vec::new();
		for (index, id, meta) in slice {
			let moderator = &self.subscriptions[index];
			if moderators.last().map(|(last, _)| last) != Some(moderator) {
				moderators.push((moderator.clone(), Vec::new()));
			}
			// Listed here, denied by a subscribed moderator: not served, not shown.
			if !self.denied(chain, &id)? {
				if let Some((_, items)) = moderators.last_mut() {
					items.push((id, meta));
				}
			}
		}
		Ok(Page { query, total, next: (end < total).then_some(end), moderators })
	}
}

/// The snapshot of the catalogs shared by the gateway's requests.
#[derive(Default)]
pub struct CatalogCache {
	snapshot: Arc<tokio::sync::Mutex<Option<Snapshot>>>,
}

impl CatalogCache {
	/// The page `query` of the catalogs `node` serves, from the snapshot of the current best
	/// block (taken first if there is none). Requests wait for each other, not for threads.
	pub async fn page(
		&self,
		chain: Arc<dyn ChainView>,
		node: AccountId,
		query: PageQuery,
	) -> Result<Page, PageError> {
		let mut snapshot = self.snapshot.clone().lock_owned().await;
		tokio::task::spawn_blocking(move || {
			let block = chain.best_block();
			if !snapshot.as_ref().is_some_and(|taken| taken.is_fresh(&block)) {
				*snapshot =
					Some(Snapshot::take(chain.as_ref(), &node, block).map_err(PageError::Chain)?);
			}
			let Some(snapshot) = snapshot.as_mut() else {
				return Err(PageError::Internal("no catalog snapshot".into()));
			};
			snapshot.page(chain.as_ref(), query).map_err(PageError::Chain)
		})
		.await
		.map_err(|e| PageError::Internal(e.to_string()))?
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn queries_are_parsed_bounded_and_refused_when_malformed() {
		let page = |query: &str| PageQuery::parse(Some(query));
		assert_eq!(PageQuery::parse(None), Ok(PageQuery { offset: 0, limit: CATALOG_PAGE_MAX }));
		assert_eq!(page("offset=5&limit=7"), Ok(PageQuery { offset: 5, limit: 7 }));
		assert_eq!(page("limit=100000").map(|q| q.limit), Ok(CATALOG_PAGE_MAX));
		assert_eq!(page("other=x&offset=3").map(|q| q.offset), Ok(3));
		assert!(page("offset=-1").is_err());
		assert!(page("offset=").is_err());
		assert!(page("limit=0").is_err());
		assert!(page("limit=ten").is_err());
	}
}
