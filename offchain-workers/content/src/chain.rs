//! What the content services need to know from the chain, and the serving rule.

use bitcloud_primitives::{AccountId, ContentId, EpochIndex};
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

	/// The nodes that serve `moderator`'s catalog (subscribed, not suspended) with the HTTP
	/// endpoints of their gateways: where replication fetches from.
	fn endpoints(&self, _moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		Ok(Vec::new())
	}
}

/// Whether the node may serve a piece of content over plain HTTP, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
	/// Listed by `moderator`, a subscribed moderator, and denied by none.
	Serve {
		/// The first subscribed moderator (in subscription order) that lists it.
		moderator: AccountId,
		/// Its catalog metadata.
		meta: ItemMeta,
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
/// it and no subscribed moderator denies it. A deny by any subscribed moderator wins over a
/// listing by another: a node subscribes to moderators to stay within its own law, and one
/// of them saying no is reason enough (see `docs/content-node.md`).
pub fn verdict(
	chain: &dyn ChainView,
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
	Ok(match listed {
		Some((moderator, meta)) => Verdict::Serve { moderator, meta },
		None => Verdict::NotListed,
	})
}

/// Whether the node accepts an upload of a piece of content, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadVerdict {
	/// Listed by or proposed to a subscribed moderator, denied by none: accepted up to `size`
	/// bytes, and only if they hash to the content id.
	Accept {
		/// The size the catalog or the proposal gives.
		size: u64,
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
/// publisher proposed to one (so it is in place when the moderator lists it), unless a
/// subscribed moderator denies it. Serving still follows [`verdict`]: proposed content is
/// stored but not served until it is listed.
pub fn upload_verdict(
	chain: &dyn ChainView,
	node: &AccountId,
	content: &ContentId,
) -> Result<UploadVerdict, ChainError> {
	let mut size = None;
	for moderator in chain.subscriptions(node)? {
		if chain.is_denied(&moderator, content)? {
			return Ok(UploadVerdict::Denied { moderator });
		}
		if size.is_none() {
			size = match chain.catalog_item(&moderator, content)? {
				Some(meta) => Some(meta.size),
				None => chain.proposed_size(&moderator, content)?,
			};
		}
	}
	Ok(size.map_or(UploadVerdict::NotWanted, |size| UploadVerdict::Accept { size }))
}
