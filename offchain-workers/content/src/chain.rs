//! What the content services need to know from the chain, and the serving rule.

use bitcloud_primitives::{AccountId, ContentId, EpochIndex, LeaseId};
use polkadot_sdk::sp_core::H256;
use std::fmt;

/// Metadata of a catalog item, as a moderator listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMeta {
	/// Size in bytes.
	pub size: u64,
	/// Title (UTF-8, lossily decoded).
	pub title: String,
	/// MIME type (as listed; the gateway sends it only if it is a valid header value).
	pub mime_type: String,
}

/// A storage lease of an object (`pallet-leases`), as the content services need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaseFacts {
	/// The lease.
	pub id: LeaseId,
	/// The moderator whose subscribers may keep the object (`None`: unmoderated, onion only).
	pub moderator: Option<AccountId>,
	/// The object's size, as its owner declared it.
	pub bytes: u64,
	/// How many keepers the lease pays for.
	pub replicas: u32,
	/// The nodes keeping it now.
	pub keepers: Vec<AccountId>,
	/// Paid for the current epoch: nodes may still join as keepers.
	pub covered: bool,
	/// Past its paid epochs and grace (or ended and past its paid epochs): anyone may close
	/// it, and its keepers may delete the object.
	pub closable: bool,
}

impl LeaseFacts {
	/// Whether `node`, subscribed to `subscriptions`, may hold the object for this lease: the
	/// lease's moderator is one of them, the lease is not closable, and `node` keeps it or
	/// there is a place left for it while the lease is paid.
	pub fn holdable_by(&self, node: &AccountId, subscriptions: &[AccountId]) -> bool {
		let Some(moderator) = &self.moderator else { return false };
		subscriptions.contains(moderator) && self.pays(node)
	}

	/// Whether this lease is unmoderated and pays `node` to hold the object through the onion
	/// layer: not closable, and `node` keeps it or there is a place left for it while the
	/// lease is paid. Whether `node` carries unmoderated traffic (which the chain's `keep`
	/// requires) is [`ChainView::carries_unmoderated`]'s to say: see [`paid_unmoderated`].
	pub fn pays_unmoderated(&self, node: &AccountId) -> bool {
		self.moderator.is_none() && self.pays(node)
	}

	/// Not closable, and `node` keeps the object or may still join while the lease is paid.
	fn pays(&self, node: &AccountId) -> bool {
		let keeps = self.keepers.contains(node);
		let room = self.covered && (self.keepers.len() as u64) < u64::from(self.replicas);
		!self.closable && (keeps || room)
	}
}

/// Whether an unmoderated lease of `content` still pays `node` to hold it
/// ([`LeaseFacts::pays_unmoderated`]) and `node` carries unmoderated traffic: such an object
/// is not removed for its age. The node's terms are asked only when some lease would pay it.
pub fn paid_unmoderated(
	chain: &dyn ChainView,
	node: &AccountId,
	content: &ContentId,
) -> Result<bool, ChainError> {
	let leases = chain.leases(content)?;
	if !leases.iter().any(|lease| lease.pays_unmoderated(node)) {
		return Ok(false);
	}
	chain.carries_unmoderated(node)
}

/// What the serving rule gives a leased object: its declared size, and no title or type (its
/// bytes are ciphertext).
fn leased_meta(lease: &LeaseFacts) -> ItemMeta {
	ItemMeta { size: lease.bytes, title: String::new(), mime_type: String::new() }
}

/// A client's bandwidth quota in an epoch, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Quota {
	/// Bytes the client may receive in the epoch at its current lock.
	pub quota: u64,
	/// Bytes already credited against it (receipts nodes have submitted).
	pub used: u64,
}

/// A chain query that gave no answer, by what the caller should do about it. Every variant
/// keeps the cause, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainError {
	/// The chain cannot be asked now (the runtime call failed, the node is still starting or
	/// the block is gone): retry later; a request that waits on it is answered 503.
	Unavailable(String),
	/// The chain answered no in a way the query's value cannot say: refuse the request, do
	/// not retry it.
	Refused(String),
	/// This chain view cannot answer such a query at all (it was not given what it needs, or
	/// the node is misconfigured): stop relying on it; retrying does not help.
	Unsupported(String),
}

impl ChainError {
	/// [`ChainError::Unavailable`] with `cause`: how a failed runtime call is reported.
	pub fn unavailable(cause: impl fmt::Display) -> Self {
		ChainError::Unavailable(cause.to_string())
	}

	/// The cause, without the advice.
	pub fn cause(&self) -> &str {
		match self {
			ChainError::Unavailable(cause)
			| ChainError::Refused(cause)
			| ChainError::Unsupported(cause) => cause,
		}
	}
}

impl fmt::Display for ChainError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			ChainError::Unavailable(cause) => write!(f, "chain query failed: {cause}"),
			ChainError::Refused(cause) => write!(f, "the chain refuses: {cause}"),
			ChainError::Unsupported(cause) => write!(f, "chain view cannot answer: {cause}"),
		}
	}
}

impl std::error::Error for ChainError {}

/// The chain as the content services see it, at the best block. The node implements it over
/// the runtime APIs `NodesApi` and `ModerationApi`; tests implement it in memory.
///
/// Calls may block (they execute the runtime): async code calls them on blocking threads.
pub trait ChainView: Send + Sync + 'static {
	/// The moderators `node` subscribes to (empty when it is not a registered node).
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError>;

	/// The catalog of a live moderator (empty otherwise).
	fn catalog(&self, moderator: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError>;

	/// One item of a live moderator's catalog.
	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<ItemMeta>, ChainError>;

	/// Whether `moderator`'s deny list holds `content` (by its deny key).
	fn is_denied(&self, moderator: &AccountId, content: &ContentId) -> Result<bool, ChainError>;

	/// How many epochs before the current one the chain still takes receipts for (the
	/// runtime's `pallet_bandwidth::Config::SubmissionWindow`): the gateway keeps counting
	/// and the receipt book's door takes receipts for as long.
	fn submission_window(&self) -> EpochIndex;

	/// The size of `content` if a pending proposal offers it to `moderator` (none if not
	/// proposed, or the moderator is not live).
	fn proposed_size(
		&self,
		_moderator: &AccountId,
		_content: &ContentId,
	) -> Result<Option<u64>, ChainError> {
		Ok(None)
	}

	/// The current epoch and the genesis hash receipts are signed for
	/// (`BandwidthApi_receipt_context`).
	fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
		Err(ChainError::Unsupported("this chain view knows no receipts".into()))
	}

	/// A client's quota in `epoch` and the bytes already credited against it.
	fn client_quota(&self, _client: &AccountId, _epoch: EpochIndex) -> Result<Quota, ChainError> {
		Err(ChainError::Unsupported("this chain view knows no quotas".into()))
	}

	/// Whether `client` has coins locked or unlocking for bandwidth: the chain credits no
	/// receipt of a client without (`ClientHasNoLock`). `epoch` is the epoch the receipt is
	/// for.
	fn has_bandwidth_lock(
		&self,
		_client: &AccountId,
		_epoch: EpochIndex,
	) -> Result<bool, ChainError> {
		Err(ChainError::Unsupported("this chain view knows no bandwidth locks".into()))
	}

	/// Whether `node` is a registered node that carries unmoderated traffic: the chain
	/// credits unmoderated receipts to such nodes only (`UnmoderatedNotCarried`).
	fn carries_unmoderated(&self, _node: &AccountId) -> Result<bool, ChainError> {
		Err(ChainError::Unsupported("this chain view knows no nodes' terms".into()))
	}

	/// Whether `account` is a registered content node (of any standing): challenged chunks
	/// are not handed to nodes (`crate::challenges`).
	fn is_node(&self, _account: &AccountId) -> Result<bool, ChainError> {
		Ok(false)
	}

	/// Number and hash (hex) of the best block, for `/status`.
	fn best_block(&self) -> Option<(u32, String)> {
		None
	}

	/// The best block's hash, read without a runtime call: what
	/// [`CachedChain`](crate::chain_cache::CachedChain) keeps answers for. `None` when the view
	/// cannot name its best block (the cache then keeps answers for one block time at most).
	fn best_hash(&self) -> Option<H256> {
		None
	}

	/// The storage leases of the object `content` (`LeasesApi`): at most the runtime's
	/// `MaxLeasesPerContent`.
	fn leases(&self, _content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		Ok(Vec::new())
	}

	/// The nodes that serve `moderator`'s catalog (subscribed, not suspended) with the HTTP
	/// endpoints of their gateways: where replication fetches from.
	fn endpoints(&self, _moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		Ok(Vec::new())
	}

	/// Whether `node` may serve `content` over plain HTTP, by the [`serving_rule`] over this
	/// view's answers.
	fn verdict(&self, node: &AccountId, content: &ContentId) -> Result<Verdict, ChainError> {
		serving_rule(self, node, content)
	}
}

/// Whether the node may serve a piece of content over plain HTTP, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
	/// Listed by `moderator`, a subscribed moderator, or leased under it, and denied by none.
	Serve {
		/// The first subscribed moderator (in subscription order) that lists it; or the
		/// moderator of the lease that pays this node to hold it.
		moderator: AccountId,
		/// Its catalog metadata (for a leased object: its size only).
		meta: ItemMeta,
		/// The lease, when no catalog lists it and a lease pays for it.
		lease: Option<LeaseId>,
	},
	/// A subscribed moderator denies it.
	Denied {
		/// The moderator that denies it.
		moderator: AccountId,
	},
	/// No subscribed moderator lists it (unknown, or unmoderated: never over plain HTTP).
	NotListed,
}

/// The serving rule: content may be served over plain HTTP when a subscribed moderator lists
/// it, or a lease under a subscribed moderator pays this node to hold it, and no subscribed
/// moderator denies it. A deny by any subscribed moderator wins over a listing by another: a
/// node subscribes to moderators to stay within its own law, and one of them saying no is
/// reason enough (see `docs/content-node.md`).
///
/// Asked through [`ChainView::verdict`], which a view that keeps answers keeps too.
pub fn serving_rule<C: ChainView + ?Sized>(
	chain: &C,
	node: &AccountId,
	content: &ContentId,
) -> Result<Verdict, ChainError> {
	let subscriptions = chain.subscriptions(node)?;
	let mut listed = None;
	for moderator in &subscriptions {
		if chain.is_denied(moderator, content)? {
			return Ok(Verdict::Denied { moderator: moderator.clone() });
		}
		if listed.is_none() {
			if let Some(meta) = chain.catalog_item(moderator, content)? {
				listed = Some((moderator.clone(), meta));
			}
		}
	}
	if let Some((moderator, meta)) = listed {
		return Ok(Verdict::Serve { moderator, meta, lease: None });
	}
	Ok(match holding_lease(chain, node, &subscriptions, content)? {
		Some((moderator, lease)) => {
			Verdict::Serve { moderator, meta: leased_meta(&lease), lease: Some(lease.id) }
		},
		None => Verdict::NotListed,
	})
}

/// The first lease of `content` for which `node` may hold it ([`LeaseFacts::holdable_by`]),
/// with its moderator. Asked only of content no subscribed catalog lists.
fn holding_lease<C: ChainView + ?Sized>(
	chain: &C,
	node: &AccountId,
	subscriptions: &[AccountId],
	content: &ContentId,
) -> Result<Option<(AccountId, LeaseFacts)>, ChainError> {
	if subscriptions.is_empty() {
		return Ok(None);
	}
	let leases = chain.leases(content)?;
	Ok(leases.into_iter().find_map(|lease| {
		let moderator = lease.moderator.clone().filter(|_| lease.holdable_by(node, subscriptions));
		moderator.map(|moderator| (moderator, lease))
	}))
}

/// Whether the node accepts an upload of a piece of content, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadVerdict {
	/// Listed by or proposed to a subscribed moderator, or leased under one, denied by none:
	/// accepted up to `size` bytes, and only if they hash to the content id.
	Accept {
		/// The size the catalog, the proposal or the lease gives.
		size: u64,
		/// The lease it is taken for, when no catalog lists it nor proposal offers it.
		lease: Option<LeaseId>,
	},
	/// A subscribed moderator denies it.
	Denied {
		/// The moderator that denies it.
		moderator: AccountId,
	},
	/// Neither listed by nor proposed to any subscribed moderator.
	NotWanted,
}

/// The upload rule: a node takes content that a subscribed moderator lists, or that a
/// publisher proposed to one (so it is in place when the moderator lists it), or that a lease
/// under one pays it to hold (a place among the lease's keepers is free or is this node's),
/// unless a subscribed moderator denies it. Serving still follows [`serving_rule`]: proposed
/// content is stored but not served until it is listed.
pub fn upload_verdict(
	chain: &dyn ChainView,
	node: &AccountId,
	content: &ContentId,
) -> Result<UploadVerdict, ChainError> {
	let subscriptions = chain.subscriptions(node)?;
	let mut size = None;
	for moderator in &subscriptions {
		if chain.is_denied(moderator, content)? {
			return Ok(UploadVerdict::Denied { moderator: moderator.clone() });
		}
		if size.is_none() {
			size = match chain.catalog_item(moderator, content)? {
				Some(meta) => Some(meta.size),
				None => chain.proposed_size(moderator, content)?,
			};
		}
	}
	if let Some(size) = size {
		return Ok(UploadVerdict::Accept { size, lease: None });
	}
	Ok(match holding_lease(chain, node, &subscriptions, content)? {
		Some((_, lease)) => UploadVerdict::Accept { size: lease.bytes, lease: Some(lease.id) },
		None => UploadVerdict::NotWanted,
	})
}
