//! The chain as the node's services see it: [`RuntimeChainView`] answers the content
//! services' [`ChainView`] and the onion relay's [`Directory`] through the runtime APIs at
//! the best block. The node never decodes storage itself: the runtime keeps the single
//! definition of its state.
//!
//! The content services' answers are kept for the best block they are about
//! ([`CachedChain`]): the gateway asks the same few questions for every request, and at one
//! best block each answer is the same. They are dropped as soon as the best block's hash
//! changes, which every lookup reads first.

use std::sync::Arc;

use bitcloud_content::{CachedChain, ChainError, ChainView, ItemMeta, LeaseFacts, Quota, Verdict};
use bitcloud_onion::{Directory, RelayInfo};
use bitcloud_primitives::{ContentId, EpochIndex, Standing};
use bitcloud_runtime::{opaque::Block, AccountId, Balance, BlockNumber};
use pallet_bandwidth::{runtime_api::BandwidthApi, ClientQuota};
use pallet_leases::{runtime_api::LeasesApi, LeaseView};
use pallet_moderation::{runtime_api::ModerationApi, CatalogEntry};
use pallet_nodes::{runtime_api::NodesApi, NodeView};
use polkadot_sdk::{
	sp_api::{ApiError, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
	sp_core::H256,
};

use crate::{client::FullClient, runtime_params};

/// The runtime APIs of the node's runtime.
type RuntimeApis = <FullClient as ProvideRuntimeApi<Block>>::Api;

/// A registered node as the registry shows it.
pub type NodeRecord = NodeView<AccountId, Balance, BlockNumber>;

/// The chain at the best block, through the runtime APIs; the content services' answers are
/// kept for the block they are about.
pub struct RuntimeChainView {
	cached: CachedChain<BestBlock>,
}

impl RuntimeChainView {
	/// The view of the chain `client` follows.
	pub fn new(client: Arc<FullClient>) -> Self {
		RuntimeChainView { cached: CachedChain::new(Arc::new(BestBlock { client })) }
	}

	/// The view that asks the runtime every time.
	fn runtime(&self) -> &BestBlock {
		self.cached.inner()
	}

	/// The chain's genesis hash.
	pub fn genesis(&self) -> H256 {
		self.runtime().genesis()
	}

	/// The registry's record of `account` at the best block, if it is a node.
	pub fn node(&self, account: &AccountId) -> Result<Option<NodeRecord>, ChainError> {
		self.runtime().node(account)
	}
}

/// The chain at the best block, every answer a runtime call.
struct BestBlock {
	client: Arc<FullClient>,
}

impl BestBlock {
	/// The best block, which every answer is about.
	fn best(&self) -> H256 {
		self.client.info().best_hash
	}

	/// The chain's genesis hash.
	fn genesis(&self) -> H256 {
		self.client.info().genesis_hash
	}

	/// `query` answered by the runtime at block `at`.
	fn ask<R>(
		&self,
		at: H256,
		query: impl FnOnce(&RuntimeApis, H256) -> Result<R, ApiError>,
	) -> Result<R, ChainError> {
		query(&self.client.runtime_api(), at).map_err(ChainError::unavailable)
	}

	/// `query` answered by the runtime at the best block.
	fn ask_best<R>(
		&self,
		query: impl FnOnce(&RuntimeApis, H256) -> Result<R, ApiError>,
	) -> Result<R, ChainError> {
		self.ask(self.best(), query)
	}

	/// The registry's record of `account` at block `at`, if it is a node.
	fn node_at(&self, at: H256, account: &AccountId) -> Result<Option<NodeRecord>, ChainError> {
		self.ask(at, |api, at| api.node(at, account.clone()))
	}

	/// The registry's record of `account` at the best block, if it is a node.
	fn node(&self, account: &AccountId) -> Result<Option<NodeRecord>, ChainError> {
		self.node_at(self.best(), account)
	}

	/// `client`'s quota of `epoch` and the coins that back it.
	fn quota(
		&self,
		client: &AccountId,
		epoch: EpochIndex,
	) -> Result<ClientQuota<Balance>, ChainError> {
		self.ask_best(|api, at| api.client_quota(at, client.clone(), epoch))
	}

	/// `account` as an onion relay, if it is one: Active, carrying unmoderated traffic, with
	/// an endpoint.
	fn relay_info(&self, account: &AccountId) -> Result<Option<RelayInfo>, ChainError> {
		let relay = self
			.node(account)?
			.filter(|view| view.unmoderated && view.standing == Standing::Active);
		Ok(relay.and_then(|view| {
			let endpoint = String::from_utf8(view.endpoint).ok()?;
			Some(RelayInfo { account: account.clone(), endpoint, onion_key: view.onion_key })
		}))
	}

	/// The leases of `content` at block `at`, with the epoch they are judged in.
	fn leases_at(&self, at: H256, content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		let (epoch, _) = self.ask(at, |api, at| api.receipt_context(at))?;
		let ids = self.ask(at, |api, at| api.leases_of_content(at, *content))?;
		let mut leases = Vec::with_capacity(ids.len());
		for id in ids {
			if let Some(view) = self.ask(at, |api, at| api.lease(at, id))? {
				leases.push(lease_facts(id, view, epoch));
			}
		}
		Ok(leases)
	}

	/// Every onion relay the registry lists.
	fn onion_relays(&self) -> Result<Vec<RelayInfo>, ChainError> {
		let accounts = self.ask_best(|api, at| api.onion_relays(at))?;
		let mut relays = Vec::new();
		for account in accounts {
			relays.extend(self.relay_info(&account)?);
		}
		Ok(relays)
	}
}

/// What the content services need of a lease, in `epoch`.
fn lease_facts(
	id: bitcloud_primitives::LeaseId,
	view: LeaseView<AccountId, Balance>,
	epoch: EpochIndex,
) -> LeaseFacts {
	LeaseFacts {
		id,
		covered: !view.ended && epoch < view.paid_until,
		closable: epoch >= view.closable_from,
		moderator: view.moderator,
		bytes: view.bytes,
		replicas: view.replicas,
		keepers: view.keepers.into_iter().map(|keeper| keeper.node).collect(),
	}
}

/// What the content services show of a catalog entry.
fn meta(entry: CatalogEntry<AccountId, BlockNumber>) -> ItemMeta {
	ItemMeta {
		size: entry.size,
		title: String::from_utf8_lossy(&entry.title).into_owned(),
		mime_type: String::from_utf8_lossy(&entry.mime_type).into_owned(),
	}
}

impl ChainView for BestBlock {
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		Ok(self.node(node)?.map(|view| view.subscriptions).unwrap_or_default())
	}

	fn catalog(&self, moderator: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		let entries = self.ask_best(|api, at| api.catalog(at, moderator.clone()))?;
		Ok(entries.into_iter().map(|entry| (entry.content, meta(entry))).collect())
	}

	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<ItemMeta>, ChainError> {
		let entry = self.ask_best(|api, at| api.catalog_item(at, moderator.clone(), *content))?;
		Ok(entry.map(meta))
	}

	fn is_denied(&self, moderator: &AccountId, content: &ContentId) -> Result<bool, ChainError> {
		self.ask_best(|api, at| api.is_denied(at, moderator.clone(), *content))
	}

	fn submission_window(&self) -> EpochIndex {
		runtime_params::submission_window()
	}

	fn proposed_size(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<u64>, ChainError> {
		let proposal = self.ask_best(|api, at| api.proposal(at, moderator.clone(), *content))?;
		Ok(proposal.map(|proposal| proposal.size))
	}

	fn leases(&self, content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		self.leases_at(self.best(), content)
	}

	fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
		let (epoch, _) = self.ask_best(|api, at| api.receipt_context(at))?;
		// The runtime learns the genesis hash only when block 1 is built (`BlockHash(0)` is a
		// placeholder before); the client knows it from the start.
		Ok((epoch, self.genesis()))
	}

	fn client_quota(&self, client: &AccountId, epoch: EpochIndex) -> Result<Quota, ChainError> {
		let quota = self.quota(client, epoch)?;
		Ok(Quota { quota: quota.quota, used: quota.used })
	}

	fn has_bandwidth_lock(
		&self,
		client: &AccountId,
		epoch: EpochIndex,
	) -> Result<bool, ChainError> {
		let quota = self.quota(client, epoch)?;
		// The quota of `epoch` is computed from the coins that back it (locked, and unlocking
		// since that epoch): no quota and nothing locked is what `ClientHasNoLock` refuses.
		Ok(quota.quota > 0 || quota.locked > 0)
	}

	fn carries_unmoderated(&self, node: &AccountId) -> Result<bool, ChainError> {
		Ok(self.node(node)?.is_some_and(|view| view.unmoderated))
	}

	fn is_node(&self, account: &AccountId) -> Result<bool, ChainError> {
		Ok(self.node(account)?.is_some())
	}

	fn best_block(&self) -> Option<(u32, String)> {
		let info = self.client.info();
		Some((info.best_number, format!("{:?}", info.best_hash)))
	}

	fn best_hash(&self) -> Option<H256> {
		Some(self.best())
	}

	fn endpoints(&self, moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		// One block for the whole answer: the list and the records agree.
		let best = self.best();
		let nodes = self.ask(best, |api, at| api.nodes_serving(at, moderator.clone()))?;
		let mut endpoints = Vec::new();
		for node in nodes {
			let record = self.node_at(best, &node)?;
			if let Some(endpoint) = record.and_then(|view| String::from_utf8(view.endpoint).ok()) {
				endpoints.push((node, endpoint));
			}
		}
		Ok(endpoints)
	}
}

/// The cached answers, every method passed on (a default method would answer otherwise).
impl ChainView for RuntimeChainView {
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		self.cached.subscriptions(node)
	}

	fn catalog(&self, moderator: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		self.cached.catalog(moderator)
	}

	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<ItemMeta>, ChainError> {
		self.cached.catalog_item(moderator, content)
	}

	fn is_denied(&self, moderator: &AccountId, content: &ContentId) -> Result<bool, ChainError> {
		self.cached.is_denied(moderator, content)
	}

	fn submission_window(&self) -> EpochIndex {
		self.cached.submission_window()
	}

	fn proposed_size(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<u64>, ChainError> {
		self.cached.proposed_size(moderator, content)
	}

	fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
		self.cached.receipt_context()
	}

	fn leases(&self, content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		self.cached.leases(content)
	}

	fn client_quota(&self, client: &AccountId, epoch: EpochIndex) -> Result<Quota, ChainError> {
		self.cached.client_quota(client, epoch)
	}

	fn has_bandwidth_lock(
		&self,
		client: &AccountId,
		epoch: EpochIndex,
	) -> Result<bool, ChainError> {
		self.cached.has_bandwidth_lock(client, epoch)
	}

	fn carries_unmoderated(&self, node: &AccountId) -> Result<bool, ChainError> {
		self.cached.carries_unmoderated(node)
	}

	fn is_node(&self, account: &AccountId) -> Result<bool, ChainError> {
		self.cached.is_node(account)
	}

	fn best_block(&self) -> Option<(u32, String)> {
		self.cached.best_block()
	}

	fn best_hash(&self) -> Option<H256> {
		self.cached.best_hash()
	}

	fn endpoints(&self, moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		self.cached.endpoints(moderator)
	}

	fn verdict(&self, node: &AccountId, content: &ContentId) -> Result<Verdict, ChainError> {
		self.cached.verdict(node, content)
	}
}

/// Relays are asked of the runtime every time: a circuit is built far less often than
/// content is served.
impl Directory for RuntimeChainView {
	fn relay(&self, account: &AccountId) -> Result<Option<RelayInfo>, String> {
		self.runtime().relay_info(account).map_err(|e| e.cause().to_owned())
	}

	fn relays(&self) -> Result<Vec<RelayInfo>, String> {
		self.runtime().onion_relays().map_err(|e| e.cause().to_owned())
	}
}
