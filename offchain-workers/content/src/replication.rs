//! Replication: a content node fetches the items of its subscribed catalogs that it does not
//! hold from the gateways of other nodes serving the same catalogs, and keeps up as the
//! catalogs change.
//!
//! Every fetched byte goes through [`ContentStore::import`] with the catalog's content id
//! and size: the download streams to a temporary file (constant memory, at most `size` bytes
//! accepted), and the object enters the store only if its BLAKE3 root is the id. A peer that
//! sends other bytes wastes at most one item's size and is skipped for the next one.
//! Content that a subscribed moderator denies is removed from the store.

use crate::{
	chain::{ChainError, ChainView, Verdict},
	id::to_hex,
	store::{ContentStore, StoreError},
};
use bitcloud_primitives::{AccountId, ContentId};
use std::{collections::BTreeMap, sync::Arc, time::Duration};

/// What one replication round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RoundReport {
	/// Items fetched, verified and stored.
	pub fetched: usize,
	/// Items still missing after trying every peer.
	pub missing: usize,
	/// Downloads refused because the bytes were not the content (wrong root or too long).
	pub rejected: usize,
	/// Items removed because a subscribed moderator denies them.
	pub removed: usize,
}

/// Fetches missing catalog items from peers' gateways.
pub struct Replicator {
	store: Arc<ContentStore>,
	chain: Arc<dyn ChainView>,
	node: AccountId,
	agent: ureq::Agent,
}

impl Replicator {
	/// A replicator for the content node `node`.
	pub fn new(store: Arc<ContentStore>, chain: Arc<dyn ChainView>, node: AccountId) -> Self {
		let agent = ureq::Agent::config_builder()
			.http_status_as_error(false)
			.timeout_connect(Some(Duration::from_secs(5)))
			.timeout_recv_response(Some(Duration::from_secs(30)))
			.timeout_per_read(Some(Duration::from_secs(30)))
			.build()
			.into();
		Replicator { store, chain, node, agent }
	}

	/// One round: what is missing, from whom, fetched and verified. Blocking.
	pub fn round(&self) -> Result<RoundReport, ChainError> {
		let mut report = RoundReport::default();
		let chain = self.chain.as_ref();
		// Wanted: servable items not held, with their size and the moderators listing them.
		let mut wanted: BTreeMap<ContentId, (u64, Vec<AccountId>)> = BTreeMap::new();
		for moderator in chain.subscriptions(&self.node)? {
			for (id, meta) in chain.catalog(&moderator)? {
				match chain.verdict(&self.node, &id)? {
					Verdict::Denied { .. } if self.store.contains(&id) => {
						match self.store.remove(&id) {
							Ok(_) => {
								log::info!(
									target: "content",
									"Removed {}: denied by a subscribed moderator",
									to_hex(&id)
								);
								report.removed += 1;
							},
							Err(e) => {
								log::warn!(target: "content", "Could not remove denied content: {e}")
							},
						}
					},
					Verdict::Serve { .. } if !self.store.contains(&id) => {
						wanted
							.entry(id)
							.or_insert((meta.size, Vec::new()))
							.1
							.push(moderator.clone());
					},
					_ => {},
				}
			}
		}
		let mut peers_of: BTreeMap<AccountId, Vec<(AccountId, String)>> = BTreeMap::new();
		for (id, (size, moderators)) in wanted {
			let mut peers = Vec::new();
			for moderator in moderators {
				if !peers_of.contains_key(&moderator) {
					peers_of.insert(moderator.clone(), chain.endpoints(&moderator)?);
				}
				for peer in peers_of.get(&moderator).into_iter().flatten() {
					if peer.0 != self.node && !peers.contains(peer) {
						peers.push(peer.clone());
					}
				}
			}
			let mut stored = false;
			for (peer, endpoint) in peers {
				match self.fetch(&endpoint, &id, size) {
					Ok(()) => {
						log::info!(
							target: "content",
							"Replicated {} ({size} bytes) from {endpoint}",
							to_hex(&id)
						);
						report.fetched += 1;
						stored = true;
						break;
					},
					Err(FetchError::Rejected(e)) => {
						log::warn!(target: "content", "Peer {peer} at {endpoint} sent bad content: {e}");
						report.rejected += 1;
					},
					Err(FetchError::Unavailable(e)) => {
						log::debug!(target: "content", "Peer {endpoint} could not serve {}: {e}", to_hex(&id));
					},
				}
			}
			if !stored {
				report.missing += 1;
			}
		}
		Ok(report)
	}

	/// Downloads `id` from the gateway at `endpoint` into the store, verified.
	fn fetch(&self, endpoint: &str, id: &ContentId, size: u64) -> Result<(), FetchError> {
		let url = format!("{}/content/{}", endpoint.trim_end_matches('/'), to_hex(id));
		let response =
			self.agent.get(&url).call().map_err(|e| FetchError::Unavailable(e.to_string()))?;
		if response.status() != 200 {
			return Err(FetchError::Unavailable(format!("HTTP {}", response.status())));
		}
		let reader = response.into_body().into_reader();
		match self.store.import(reader, Some(*id), Some(size)) {
			Ok(_) => Ok(()),
			Err(e @ (StoreError::RootMismatch { .. } | StoreError::TooLarge { .. })) => {
				Err(FetchError::Rejected(e.to_string()))
			},
			Err(e) => Err(FetchError::Unavailable(e.to_string())),
		}
	}

	/// Runs rounds every `every` until the future is dropped.
	pub async fn run(self, every: Duration) {
		let this = Arc::new(self);
		let mut tick = tokio::time::interval(every);
		tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			tick.tick().await;
			let round = this.clone();
			match tokio::task::spawn_blocking(move || round.round()).await {
				Ok(Ok(report)) if report != RoundReport::default() => {
					log::info!(target: "content", "Replication round: {report:?}")
				},
				Ok(Ok(_)) => {},
				Ok(Err(e)) => log::warn!(target: "content", "Replication round: {e}"),
				Err(e) => log::error!(target: "content", "Replication round failed: {e}"),
			}
		}
	}
}

enum FetchError {
	/// The peer could not be reached or did not have it: try another.
	Unavailable(String),
	/// The peer sent bytes that are not the content.
	Rejected(String),
}
