//! The chain's answers, kept for the best block they were given at.
//!
//! Every request the gateway serves asks the chain the same few questions: is the item
//! listed, is it denied, which moderators the node subscribes to, the client's quota. Each is
//! a runtime call, and at a given best block each answer is deterministic. [`CachedChain`]
//! wraps a [`ChainView`] and keeps its answers until the best block changes, so that a
//! request for a listed item makes no runtime call once the answers for this block are
//! known. The serving rule's verdict, made of three of those answers, is kept as well
//! ([`ChainView::verdict`]): a request looks up one answer, not three.
//!
//! **Exact.** Every lookup first reads the best block's hash ([`ChainView::best_hash`], no
//! runtime call); answers kept for another hash are all dropped before anything is looked up.
//! An answer is kept only if nothing cleared the cache while it was asked for (a generation
//! counter read before the call): an answer asked at block N and returned after a lookup saw
//! N+1 is used once, never kept. So an answer served is never older than the best block the
//! request saw, and a new deny-list entry takes effect at the next block as without the
//! cache. Errors are never kept: a chain that could not answer is asked again.
//!
//! **Bounded.** Each kind of answer is kept for at most [`MAX_ANSWERS`] distinct arguments
//! (lists of subscriptions: [`MAX_LISTS`]). A full kind keeps what it holds and takes nothing
//! new until the next block: ids or client accounts a peer makes up cost a runtime call each,
//! as without the cache, but neither grow memory nor push out the answers already held.
//!
//! A view that cannot name its best block (`best_hash` is `None`, as in-memory test views)
//! has its answers dropped every [`UNTAGGED_TTL`] (one block time) and on
//! [`CachedChain::invalidate`].
//!
//! **Peeking.** A lookup that misses runs the runtime and blocks, so async code asks on a
//! blocking thread; but most lookups hit, and a hop to a blocking thread costs more than the
//! lookup. [`peek`] runs a whole query (several lookups, as the serving rule makes) with every
//! `CachedChain` on this thread answering only what it holds: a miss asks nothing and fails
//! the query, which the caller then asks again on a blocking thread. It works through views
//! that pass their lookups on to a `CachedChain` (the node's does), and tells the caller when
//! no `CachedChain` answered at all (the view keeps nothing, so peeking is no use).

use crate::chain::{serving_rule, ChainError, ChainView, ItemMeta, LeaseFacts, Quota, Verdict};
use bitcloud_primitives::{AccountId, ContentId, EpochIndex};
use polkadot_sdk::sp_core::H256;
use std::{
	cell::Cell,
	collections::HashMap,
	hash::Hash,
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};

/// Distinct arguments one kind of answer is kept for in a block (is denied, catalog item,
/// quota...): more than every item of 16 full catalogs (1 024 items each), at most a few MiB
/// per kind (a catalog item's answer is under 1 KiB, the others under 150 bytes).
pub const MAX_ANSWERS: usize = 16_384;

/// Nodes whose subscriptions are kept in a block: an answer is up to 32 accounts (1 KiB), and
/// the content services ask for their own node's only.
pub const MAX_LISTS: usize = 256;

/// Objects whose leases are kept in a block: an answer is up to 16 leases of 8 keepers each
/// (about 6 KiB), so at most about 6 MiB in all.
pub const MAX_LEASE_LISTS: usize = 1_024;

/// How long answers of a view that names no best block are kept: one block time.
pub const UNTAGGED_TTL: Duration = Duration::from_secs(6);

/// What a [`peek`] found, on the thread running it.
#[derive(Clone, Copy, Default)]
struct PeekState {
	/// A peek runs on this thread: lookups answer only what is held.
	active: bool,
	/// A `CachedChain` was asked.
	consulted: bool,
	/// A lookup was not held (or is never kept): the query's answer is not the chain's.
	missed: bool,
}

thread_local! {
	static PEEK: Cell<PeekState> = const { Cell::new(PeekState { active: false, consulted: false, missed: false }) };
}

/// What [`peek`] made of a query.
#[derive(Debug, PartialEq, Eq)]
pub enum Peeked<T> {
	/// Every lookup was held: the query's answer, as asking would have given it.
	Held(T),
	/// A lookup was not held: ask again, on a blocking thread.
	Missed,
	/// No `CachedChain` was asked: the view keeps nothing, and `T` is its own answer (which
	/// may have blocked: do not peek at such a view again).
	Uncached(T),
}

/// Ends a peek on this thread, even if the query panicked.
struct PeekScope {
	outer: PeekState,
}

impl Drop for PeekScope {
	fn drop(&mut self) {
		PEEK.with(|state| state.set(self.outer));
	}
}

/// Runs `query` with every [`CachedChain`] on this thread answering only what it holds for
/// the best block: no runtime call, no waiting on one (see the module's documentation).
pub fn peek<T>(query: impl FnOnce() -> T) -> Peeked<T> {
	let outer = PEEK.with(|state| state.replace(PeekState { active: true, ..Default::default() }));
	let scope = PeekScope { outer };
	let answer = query();
	let seen = PEEK.with(Cell::get);
	drop(scope);
	match seen {
		PeekState { missed: true, .. } => Peeked::Missed,
		PeekState { consulted: false, .. } => Peeked::Uncached(answer),
		_ => Peeked::Held(answer),
	}
}

/// Within a [`peek`], notes that a `CachedChain` was asked and whether it held the answer;
/// `true` when a peek is on (a miss must then not ask the chain).
fn note_peek(held: bool) -> bool {
	PEEK.with(|state| {
		let mut seen = state.get();
		if !seen.active {
			return false;
		}
		seen.consulted = true;
		seen.missed |= !held;
		state.set(seen);
		true
	})
}

/// The error a lookup gives within a [`peek`] when the answer is not held; the peek reports
/// [`Peeked::Missed`], so it is never shown.
fn not_held() -> ChainError {
	ChainError::Unavailable("not held for this block".into())
}

/// The answers of one kind, by their arguments, at most `cap` of them.
struct Answers<K, V> {
	map: HashMap<K, V>,
	cap: usize,
}

impl<K: Eq + Hash, V: Clone> Answers<K, V> {
	fn new(cap: usize) -> Self {
		Answers { map: HashMap::new(), cap }
	}

	fn get(&self, key: &K) -> Option<V> {
		self.map.get(key).cloned()
	}

	/// Keeps `value` unless the kind is full: what is held stays until the next block.
	fn put(&mut self, key: K, value: V) {
		if self.map.len() < self.cap {
			self.map.insert(key, value);
		}
	}
}

/// The answers kept at one best block.
struct Block {
	/// The best block they are about (none: the view names none).
	at: Option<H256>,
	/// When they started being kept.
	since: Instant,
	/// Bumped at every clearing: an answer asked for before one is not kept.
	generation: u64,
	subscriptions: Answers<AccountId, Vec<AccountId>>,
	catalog_items: Answers<(AccountId, ContentId), Option<ItemMeta>>,
	denied: Answers<(AccountId, ContentId), bool>,
	proposed: Answers<(AccountId, ContentId), Option<u64>>,
	receipt_context: Answers<(), (EpochIndex, H256)>,
	quotas: Answers<(AccountId, EpochIndex), Quota>,
	locks: Answers<(AccountId, EpochIndex), bool>,
	unmoderated: Answers<AccountId, bool>,
	nodes: Answers<AccountId, bool>,
	leases: Answers<ContentId, Vec<LeaseFacts>>,
	/// The serving rule's verdicts, by node and content: one lookup per request instead of
	/// the rule's three.
	verdicts: Answers<(AccountId, ContentId), Verdict>,
}

impl Block {
	fn new(at: Option<H256>, generation: u64, cap: usize) -> Self {
		Block {
			at,
			since: Instant::now(),
			generation,
			subscriptions: Answers::new(cap.min(MAX_LISTS)),
			catalog_items: Answers::new(cap),
			denied: Answers::new(cap),
			proposed: Answers::new(cap),
			receipt_context: Answers::new(1),
			quotas: Answers::new(cap),
			locks: Answers::new(cap),
			unmoderated: Answers::new(cap),
			nodes: Answers::new(cap),
			leases: Answers::new(cap.min(MAX_LEASE_LISTS)),
			verdicts: Answers::new(cap),
		}
	}

	/// Drops every answer (and the memory they held); the next ones are about `at`.
	fn clear(&mut self, at: Option<H256>) {
		let cap = self.denied.cap;
		*self = Block::new(at, self.generation.wrapping_add(1), cap);
	}

	/// Clears the answers unless they are about `at`, the best block now.
	fn follow(&mut self, at: Option<H256>) {
		let stale = match at {
			Some(_) => self.at != at,
			None => self.at.is_some() || self.since.elapsed() >= UNTAGGED_TTL,
		};
		if stale {
			self.clear(at);
		}
	}

	/// How many answers are kept, of every kind.
	fn len(&self) -> usize {
		self.subscriptions.map.len()
			+ self.catalog_items.map.len()
			+ self.denied.map.len()
			+ self.proposed.map.len()
			+ self.receipt_context.map.len()
			+ self.quotas.map.len()
			+ self.locks.map.len()
			+ self.unmoderated.map.len()
			+ self.nodes.map.len()
			+ self.leases.map.len()
			+ self.verdicts.map.len()
	}
}

/// A [`ChainView`] whose answers are kept for the best block they are about (see the
/// module's documentation). Cheap to ask from many threads: one mutex over hash maps, held
/// for a lookup or an insertion, never during a runtime call.
pub struct CachedChain<V: ?Sized> {
	inner: Arc<V>,
	block: Mutex<Block>,
}

impl<V: ChainView + ?Sized> CachedChain<V> {
	/// `inner`'s answers, at most [`MAX_ANSWERS`] per kind.
	pub fn new(inner: Arc<V>) -> Self {
		Self::with_capacity(inner, MAX_ANSWERS)
	}

	/// `inner`'s answers, at most `cap` per kind (and at most [`MAX_LISTS`] lists of
	/// subscriptions).
	pub fn with_capacity(inner: Arc<V>, cap: usize) -> Self {
		CachedChain { inner, block: Mutex::new(Block::new(None, 0, cap)) }
	}

	/// The view asked on a miss.
	pub fn inner(&self) -> &Arc<V> {
		&self.inner
	}

	/// Drops every answer kept: the next lookups ask the chain again.
	pub fn invalidate(&self) {
		let mut block = self.block();
		let at = block.at;
		block.clear(at);
	}

	/// How many answers are kept now, of every kind.
	pub fn len(&self) -> usize {
		self.block().len()
	}

	/// Whether no answer is kept.
	pub fn is_empty(&self) -> bool {
		self.len() == 0
	}

	fn block(&self) -> MutexGuard<'_, Block> {
		// A panic while holding the lock leaves plain answers behind: keep using them.
		self.block.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// The answer kept in `kind` for `key` at the best block; else `ask`'s (a runtime call),
	/// kept if nothing cleared the cache meanwhile and it is not an error.
	fn cached<K: Eq + Hash, T: Clone>(
		&self,
		kind: fn(&mut Block) -> &mut Answers<K, T>,
		key: K,
		ask: impl FnOnce(&V) -> Result<T, ChainError>,
	) -> Result<T, ChainError> {
		self.kept_or(kind, key, || {
			if note_peek(false) {
				return Err(not_held());
			}
			ask(&self.inner)
		})
	}

	/// The answer kept in `kind` for `key` at the best block, noted as held by a peek; else
	/// `work`'s, kept if nothing cleared the cache meanwhile and it is not an error.
	fn kept_or<K: Eq + Hash, T: Clone>(
		&self,
		kind: fn(&mut Block) -> &mut Answers<K, T>,
		key: K,
		work: impl FnOnce() -> Result<T, ChainError>,
	) -> Result<T, ChainError> {
		let at = self.inner.best_hash();
		let generation = {
			let mut block = self.block();
			block.follow(at);
			if let Some(answer) = kind(&mut block).get(&key) {
				note_peek(true);
				return Ok(answer);
			}
			block.generation
		};
		let answer = work()?;
		let mut block = self.block();
		if block.generation == generation {
			kind(&mut block).put(key, answer.clone());
		}
		Ok(answer)
	}
}

impl<V: ChainView + ?Sized> ChainView for CachedChain<V> {
	fn subscriptions(&self, node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
		self.cached(|b| &mut b.subscriptions, node.clone(), |v| v.subscriptions(node))
	}

	/// Not kept: the catalog snapshot of `/catalog` ([`crate::catalog`]) keeps it per block,
	/// and replication asks for it once a round.
	fn catalog(&self, moderator: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
		if note_peek(false) {
			return Err(not_held());
		}
		self.inner.catalog(moderator)
	}

	fn catalog_item(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<ItemMeta>, ChainError> {
		let key = (moderator.clone(), *content);
		self.cached(|b| &mut b.catalog_items, key, |v| v.catalog_item(moderator, content))
	}

	fn is_denied(&self, moderator: &AccountId, content: &ContentId) -> Result<bool, ChainError> {
		let key = (moderator.clone(), *content);
		self.cached(|b| &mut b.denied, key, |v| v.is_denied(moderator, content))
	}

	fn submission_window(&self) -> EpochIndex {
		self.inner.submission_window()
	}

	fn proposed_size(
		&self,
		moderator: &AccountId,
		content: &ContentId,
	) -> Result<Option<u64>, ChainError> {
		let key = (moderator.clone(), *content);
		self.cached(|b| &mut b.proposed, key, |v| v.proposed_size(moderator, content))
	}

	fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
		self.cached(|b| &mut b.receipt_context, (), |v| v.receipt_context())
	}

	fn client_quota(&self, client: &AccountId, epoch: EpochIndex) -> Result<Quota, ChainError> {
		let key = (client.clone(), epoch);
		self.cached(|b| &mut b.quotas, key, |v| v.client_quota(client, epoch))
	}

	fn has_bandwidth_lock(
		&self,
		client: &AccountId,
		epoch: EpochIndex,
	) -> Result<bool, ChainError> {
		let key = (client.clone(), epoch);
		self.cached(|b| &mut b.locks, key, |v| v.has_bandwidth_lock(client, epoch))
	}

	fn carries_unmoderated(&self, node: &AccountId) -> Result<bool, ChainError> {
		self.cached(|b| &mut b.unmoderated, node.clone(), |v| v.carries_unmoderated(node))
	}

	fn is_node(&self, account: &AccountId) -> Result<bool, ChainError> {
		self.cached(|b| &mut b.nodes, account.clone(), |v| v.is_node(account))
	}

	fn leases(&self, content: &ContentId) -> Result<Vec<LeaseFacts>, ChainError> {
		self.cached(|b| &mut b.leases, *content, |v| v.leases(content))
	}

	fn best_block(&self) -> Option<(u32, String)> {
		self.inner.best_block()
	}

	fn best_hash(&self) -> Option<H256> {
		self.inner.best_hash()
	}

	/// Worked out from this cache's own answers (each kept or, outside a peek, asked), and
	/// kept as they are: a verdict kept is never older than the answers it was made of.
	fn verdict(&self, node: &AccountId, content: &ContentId) -> Result<Verdict, ChainError> {
		let key = (node.clone(), *content);
		self.kept_or(|b| &mut b.verdicts, key, || serving_rule(self, node, content))
	}

	/// Not kept: replication asks for it once a round.
	fn endpoints(&self, moderator: &AccountId) -> Result<Vec<(AccountId, String)>, ChainError> {
		if note_peek(false) {
			return Err(not_held());
		}
		self.inner.endpoints(moderator)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::sync::{
		atomic::{AtomicU64, Ordering},
		Weak,
	};

	/// A chain that denies everything, counts its calls and may run a hook inside a call.
	#[derive(Default)]
	struct Counting {
		calls: AtomicU64,
		best: Mutex<Option<H256>>,
		failing: std::sync::atomic::AtomicBool,
		during_call: Mutex<Option<Weak<CachedChain<Counting>>>>,
	}

	impl Counting {
		fn calls(&self) -> u64 {
			self.calls.load(Ordering::Relaxed)
		}

		fn answer<T>(&self, value: T) -> Result<T, ChainError> {
			self.calls.fetch_add(1, Ordering::Relaxed);
			let hook = self.during_call.lock().unwrap().take();
			if let Some(cache) = hook.and_then(|weak| weak.upgrade()) {
				cache.invalidate();
			}
			if self.failing.load(Ordering::Relaxed) {
				return Err(ChainError::unavailable("down"));
			}
			Ok(value)
		}
	}

	impl ChainView for Counting {
		fn subscriptions(&self, _: &AccountId) -> Result<Vec<AccountId>, ChainError> {
			self.answer(vec![AccountId::new([9; 32])])
		}
		fn catalog(&self, _: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
			self.answer(Vec::new())
		}
		fn catalog_item(
			&self,
			_: &AccountId,
			_: &ContentId,
		) -> Result<Option<ItemMeta>, ChainError> {
			self.answer(None)
		}
		fn is_denied(&self, _: &AccountId, _: &ContentId) -> Result<bool, ChainError> {
			self.answer(true)
		}
		fn submission_window(&self) -> EpochIndex {
			2
		}
		fn client_quota(&self, _: &AccountId, epoch: EpochIndex) -> Result<Quota, ChainError> {
			self.answer(Quota { quota: epoch.into(), used: 0 })
		}
		fn is_node(&self, _: &AccountId) -> Result<bool, ChainError> {
			self.answer(false)
		}
		fn best_hash(&self) -> Option<H256> {
			*self.best.lock().unwrap()
		}
	}

	fn cache(cap: usize) -> (Arc<Counting>, Arc<CachedChain<Counting>>) {
		let chain = Arc::new(Counting::default());
		*chain.best.lock().unwrap() = Some(H256::repeat_byte(1));
		(chain.clone(), Arc::new(CachedChain::with_capacity(chain, cap)))
	}

	fn id(n: u64) -> ContentId {
		let mut id = [0; 32];
		id[..8].copy_from_slice(&n.to_le_bytes());
		id
	}

	fn moderator() -> AccountId {
		AccountId::new([9; 32])
	}

	#[test]
	fn an_answer_is_asked_once_per_best_block() {
		let (chain, cache) = cache(MAX_ANSWERS);
		assert_eq!(cache.is_denied(&moderator(), &id(1)), Ok(true));
		assert_eq!(cache.is_denied(&moderator(), &id(1)), Ok(true));
		assert_eq!(chain.calls(), 1);
		*chain.best.lock().unwrap() = Some(H256::repeat_byte(2));
		assert_eq!(cache.is_denied(&moderator(), &id(1)), Ok(true));
		assert_eq!(chain.calls(), 2, "a new best block asks again");
		cache.invalidate();
		assert_eq!(cache.is_denied(&moderator(), &id(1)), Ok(true));
		assert_eq!(chain.calls(), 3, "invalidate asks again");
	}

	#[test]
	fn a_verdict_is_one_lookup_kept_per_best_block() {
		let (chain, cache) = cache(MAX_ANSWERS);
		let denied = Ok(Verdict::Denied { moderator: moderator() });
		assert_eq!(cache.verdict(&moderator(), &id(1)), denied);
		assert_eq!(chain.calls(), 2, "subscriptions, then the deny list");
		// The rule's own answers dropped: the verdict alone answers, without asking.
		let mut block = cache.block();
		block.subscriptions.map.clear();
		block.denied.map.clear();
		assert_eq!(block.verdicts.map.len(), 1);
		drop(block);
		assert_eq!(cache.verdict(&moderator(), &id(1)), denied);
		assert_eq!(chain.calls(), 2);
		*chain.best.lock().unwrap() = Some(H256::repeat_byte(2));
		assert_eq!(cache.verdict(&moderator(), &id(1)), denied);
		assert_eq!(chain.calls(), 4, "a new best block works it out again");
		// Errors are not kept, nor a verdict worked out across a clearing.
		chain.failing.store(true, Ordering::Relaxed);
		cache.invalidate();
		assert!(cache.verdict(&moderator(), &id(1)).is_err());
		assert!(cache.block().verdicts.map.is_empty());
		chain.failing.store(false, Ordering::Relaxed);
		*chain.during_call.lock().unwrap() = Some(Arc::downgrade(&cache));
		assert_eq!(cache.verdict(&moderator(), &id(1)), denied);
		assert!(cache.block().verdicts.map.is_empty(), "a verdict older than a clearing was kept");
	}

	#[test]
	fn an_answer_asked_across_a_clearing_is_not_kept() {
		let (chain, cache) = cache(MAX_ANSWERS);
		// The cache is cleared while the chain answers: the answer may be the old block's.
		*chain.during_call.lock().unwrap() = Some(Arc::downgrade(&cache));
		assert_eq!(cache.is_node(&moderator()), Ok(false));
		assert!(cache.is_empty(), "an answer older than the clearing was kept");
		assert_eq!(cache.is_node(&moderator()), Ok(false));
		assert_eq!(cache.len(), 1);
		assert_eq!(chain.calls(), 2);
	}

	#[test]
	fn errors_are_not_kept() {
		let (chain, cache) = cache(MAX_ANSWERS);
		chain.failing.store(true, Ordering::Relaxed);
		assert!(cache.subscriptions(&moderator()).is_err());
		chain.failing.store(false, Ordering::Relaxed);
		assert_eq!(cache.subscriptions(&moderator()), Ok(vec![moderator()]));
		assert_eq!(chain.calls(), 2);
		assert_eq!(cache.len(), 1);
		// A view that knows no receipts says so every time: its error is not an answer.
		assert!(cache.receipt_context().is_err());
		assert!(cache.receipt_context().is_err());
		assert_eq!(cache.len(), 1);
	}

	#[test]
	fn made_up_arguments_fill_each_kind_up_to_its_bound_and_push_nothing_out() {
		let cap = 64;
		let (chain, cache) = cache(cap);
		let client = |n: u64| AccountId::new(blake3::hash(&n.to_le_bytes()).into());
		assert_eq!(cache.client_quota(&client(0), 5).map(|q| q.quota), Ok(5));
		assert_eq!(cache.is_denied(&moderator(), &id(0)), Ok(true));
		for n in 1..(10 * cap as u64) {
			cache.is_denied(&moderator(), &id(n)).unwrap();
			cache.catalog_item(&moderator(), &id(n)).unwrap();
			cache.client_quota(&client(n), 5).unwrap();
			cache.is_node(&client(n)).unwrap();
			assert!(cache.len() <= 4 * cap, "{} answers kept", cache.len());
		}
		assert_eq!(cache.len(), 4 * cap);
		let before = chain.calls();
		cache.client_quota(&client(0), 5).unwrap();
		cache.is_denied(&moderator(), &id(0)).unwrap();
		assert_eq!(chain.calls(), before, "the answers held first were pushed out");
		*chain.best.lock().unwrap() = Some(H256::repeat_byte(2));
		cache.is_node(&client(0)).unwrap();
		assert_eq!(cache.len(), 1, "a new block drops what the last one held");
	}

	#[test]
	fn a_view_without_best_blocks_is_kept_for_a_block_time_at_most() {
		let (chain, cache) = cache(MAX_ANSWERS);
		*chain.best.lock().unwrap() = None;
		cache.is_node(&moderator()).unwrap();
		cache.is_node(&moderator()).unwrap();
		assert_eq!(chain.calls(), 1);
		let mut block = cache.block();
		block.since = block.since.checked_sub(UNTAGGED_TTL).expect("an instant a block ago");
		drop(block);
		cache.is_node(&moderator()).unwrap();
		assert_eq!(chain.calls(), 2);
	}

	#[test]
	fn a_peek_answers_what_is_held_and_asks_nothing() {
		let (chain, cache) = cache(MAX_ANSWERS);
		let serving = || cache.verdict(&moderator(), &id(1));
		assert_eq!(peek(serving), Peeked::Missed);
		assert_eq!(chain.calls(), 0, "a peek asked the chain");
		let asked = serving();
		assert_eq!(chain.calls(), 2, "subscriptions, then the deny list");
		assert_eq!(peek(serving), Peeked::Held(asked));
		assert_eq!(chain.calls(), 2);
		*chain.best.lock().unwrap() = Some(H256::repeat_byte(2));
		assert_eq!(peek(serving), Peeked::Missed, "a new best block holds nothing yet");
		assert_eq!(chain.calls(), 2);
		// Catalogs are never kept, so never peeked at.
		assert_eq!(peek(|| cache.catalog(&moderator()).is_ok()), Peeked::Missed);
		assert_eq!(chain.calls(), 2);
	}

	#[test]
	fn a_peek_at_a_view_without_cache_says_so_and_ends_with_its_query() {
		let chain = Counting::default();
		assert_eq!(peek(|| chain.is_node(&moderator())), Peeked::Uncached(Ok(false)));
		assert_eq!(chain.calls(), 1);
		// Outside a peek, the cache asks on a miss again.
		let (chain, cache) = cache(MAX_ANSWERS);
		assert_eq!(peek(|| cache.is_node(&moderator())), Peeked::Missed);
		assert_eq!(cache.is_node(&moderator()), Ok(false));
		assert_eq!(chain.calls(), 1);
		// Even a query that panics ends its peek.
		let panicked =
			std::panic::catch_unwind(|| peek(|| -> bool { panic!("a query that fails") }));
		assert!(panicked.is_err());
		assert_eq!(cache.is_denied(&moderator(), &id(2)), Ok(true));
		assert_eq!(chain.calls(), 2, "the peek outlived its query");
	}
}
