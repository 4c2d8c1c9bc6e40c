//! The door of the receipt book: every receipt the node would keep, from the gateway's signing
//! window or from an onion exit, is checked against what the chain checks when the node
//! submits it (`pallet_bandwidth`'s `do_submit_receipts`), so that a receipt the chain would
//! refuse never enters the book and never fails a batch. Refused receipts are counted in
//! `bitcloud_receipts_refused_total{reason}` and not stored.
//!
//! | the chain refuses a receipt when | checked at the door |
//! |---|---|
//! | it names another node (`WrongNode`) | yes |
//! | its client is the node (`SelfServed`) | yes |
//! | its epoch is not within `[current − SubmissionWindow, current]` (`EpochOutsideWindow`) | yes, against the current epoch cached for up to a block |
//! | the node does not subscribe to its moderator (`NotSubscribed`) or, unmoderated, does not carry unmoderated traffic (`UnmoderatedNotCarried`) | yes, against the node's terms cached for a block |
//! | its signature is not the client's for this chain (`BadSignature`) | yes |
//! | its client has no coins backing its epoch (`ClientHasNoLock`) | yes (locked coins, or coins unlocking since that epoch); a yes is cached while the epoch is in the window (coins that back an epoch keep backing it until its window closes), a no for a block |
//! | it does not count more than the last credited (`NotIncreasing`) | by the book: more than the receipt held; the duties skip what the chain credited |
//! | its client's pairs or the node's moderators of the epoch are full (`TooManyPairs`, `TooManyModerators`) | no: these depend on what is submitted before it; the duties find such a receipt by bisection and drop it |
//! | the node is not a node or earns nothing (`NotANode`, `NodeNotEarning`) | no: about the node, not the receipt; the duties retry later |
//!
//! The cheap checks run first (node, epoch, moderator, room in the book), then the signature,
//! then the client's lock, the only one that may cost a runtime call. A chain query that fails
//! refuses the receipt (`chain_unavailable`): nothing unchecked is kept.

use crate::{
	book::{Kept, NotKept, ReceiptBook},
	chain::{ChainError, ChainView},
	metrics::ReceiptMetrics,
	protocol::ReceiptKey,
	window::ReceiptSink,
};
use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	AccountId, EpochIndex,
};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex, MutexGuard},
	time::{Duration, Instant},
};

/// How long the chain's answers about the current epoch, the node's terms and a client
/// without a lock are trusted: one block (six seconds), the least time in which they can
/// change.
pub const CACHE_TTL: Duration = Duration::from_secs(6);

/// Lock answers (client and epoch) remembered at most: 4 MiB or so. When full, answers that
/// are no longer fresh are forgotten, and if that is not enough, all of them.
pub const MAX_CACHED_LOCKS: usize = 65_536;

/// How often a receipt for the epoch after the cached one may make the door ask the chain for
/// the current epoch again (at an epoch's start the cache may be a block behind; a receipt
/// for any later epoch is refused without asking).
const EPOCH_REFRESH: Duration = Duration::from_secs(1);

/// Why the door refused a receipt: what the chain would say of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
	/// It names another node.
	WrongNode,
	/// Its client is this node.
	SelfServed,
	/// Its epoch is not one the chain takes receipts for.
	EpochOutsideWindow {
		/// The receipt's epoch.
		epoch: EpochIndex,
		/// The current epoch.
		current: EpochIndex,
	},
	/// It is under a moderator this node does not subscribe to.
	NotSubscribed {
		/// The moderator.
		moderator: AccountId,
	},
	/// It is for unmoderated content, which this node does not carry.
	UnmoderatedNotCarried,
	/// The signature is not the client's over this chain's receipt payload.
	BadSignature,
	/// Its client has no coins backing the receipt's epoch.
	NoBandwidthLock,
	/// The chain could not be asked.
	ChainUnavailable(ChainError),
}

impl Refusal {
	/// A short label for metrics.
	pub fn reason(&self) -> &'static str {
		match self {
			Refusal::WrongNode => "wrong_node",
			Refusal::SelfServed => "self_served",
			Refusal::EpochOutsideWindow { .. } => "epoch_outside_window",
			Refusal::NotSubscribed { .. } => "not_subscribed",
			Refusal::UnmoderatedNotCarried => "unmoderated_not_carried",
			Refusal::BadSignature => "bad_signature",
			Refusal::NoBandwidthLock => "no_bandwidth_lock",
			Refusal::ChainUnavailable(_) => "chain_unavailable",
		}
	}
}

impl std::fmt::Display for Refusal {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			Refusal::WrongNode => write!(f, "the receipt names another node"),
			Refusal::SelfServed => write!(f, "the receipt's client is this node"),
			Refusal::EpochOutsideWindow { epoch, current } => write!(
				f,
				"the receipt is for epoch {epoch}, outside the chain's submission window at \
				 epoch {current}"
			),
			Refusal::NotSubscribed { moderator } => {
				write!(f, "this node does not subscribe to the receipt's moderator {moderator}")
			},
			Refusal::UnmoderatedNotCarried => {
				write!(f, "the receipt is for unmoderated content, which this node does not carry")
			},
			Refusal::BadSignature => {
				write!(f, "the signature is not the client's over this chain's receipt")
			},
			Refusal::NoBandwidthLock => write!(f, "the receipt's client has no bandwidth lock"),
			Refusal::ChainUnavailable(e) => write!(f, "the receipt cannot be checked: {e}"),
		}
	}
}

impl std::error::Error for Refusal {}

/// What the chain says of this node's receipts: the moderators it subscribes to and whether
/// it carries unmoderated traffic.
struct Terms {
	subscriptions: Vec<AccountId>,
	unmoderated: bool,
}

/// Whether a client has coins backing an epoch, as the chain said at `at`.
struct LockAnswer {
	has_lock: bool,
	at: Instant,
}

impl LockAnswer {
	/// A yes holds while `epoch` is within the window from `oldest` (coins that back an epoch
	/// cannot be withdrawn before its window closes), a no for [`CACHE_TTL`] (the client may
	/// lock coins any block).
	fn fresh(&self, epoch: EpochIndex, oldest: EpochIndex, now: Instant) -> bool {
		if self.has_lock {
			epoch >= oldest
		} else {
			now.saturating_duration_since(self.at) < CACHE_TTL
		}
	}
}

/// The chain's answers, kept while they hold.
#[derive(Default)]
struct Cache {
	epoch: Option<(EpochIndex, Instant)>,
	terms: Option<(Arc<Terms>, Instant)>,
	locks: BTreeMap<(EpochIndex, AccountId), LockAnswer>,
}

impl Cache {
	/// Makes room for one more lock answer, keeping at most `cap`; `oldest` is the oldest
	/// epoch of the window.
	fn make_room(&mut self, cap: usize, oldest: EpochIndex, now: Instant) {
		if self.locks.len() < cap {
			return;
		}
		self.locks.retain(|(epoch, _), answer| answer.fresh(*epoch, oldest, now));
		if self.locks.len() >= cap {
			self.locks.clear();
		}
	}
}

/// The checks of the door, with the chain's answers cached.
pub struct Admission {
	node: AccountId,
	genesis: H256,
	submission_window: EpochIndex,
	chain: Arc<dyn ChainView>,
	cache: Mutex<Cache>,
}

impl Admission {
	/// The checks for `node`'s receipts on the chain of `genesis`, which takes receipts of the
	/// current epoch and the [`ChainView::submission_window`] epochs before it.
	pub fn new(node: AccountId, genesis: H256, chain: Arc<dyn ChainView>) -> Self {
		let submission_window = chain.submission_window();
		Admission { node, genesis, submission_window, chain, cache: Mutex::new(Cache::default()) }
	}

	fn cache(&self) -> MutexGuard<'_, Cache> {
		// A panic while holding the lock leaves plain answers behind: keep using them.
		self.cache.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// The checks that need no signature check and no client: node, client, epoch,
	/// moderator. Returns the current epoch.
	fn check_terms(&self, receipt: &Receipt<AccountId>) -> Result<EpochIndex, Refusal> {
		if receipt.node != self.node {
			return Err(Refusal::WrongNode);
		}
		if receipt.client == self.node {
			return Err(Refusal::SelfServed);
		}
		let current = self.current_epoch(receipt.epoch)?;
		if receipt.epoch > current || receipt.epoch < current.saturating_sub(self.submission_window)
		{
			return Err(Refusal::EpochOutsideWindow { epoch: receipt.epoch, current });
		}
		let terms = self.terms()?;
		match &receipt.moderator {
			Some(moderator) if !terms.subscriptions.contains(moderator) => {
				Err(Refusal::NotSubscribed { moderator: moderator.clone() })
			},
			None if !terms.unmoderated => Err(Refusal::UnmoderatedNotCarried),
			_ => Ok(current),
		}
	}

	fn check_signature(&self, signed: &SignedReceipt<AccountId>) -> Result<(), Refusal> {
		if receipt::verify(signed, &self.genesis) {
			Ok(())
		} else {
			Err(Refusal::BadSignature)
		}
	}

	fn check_lock(&self, receipt: &Receipt<AccountId>, current: EpochIndex) -> Result<(), Refusal> {
		let now = Instant::now();
		let oldest = current.saturating_sub(self.submission_window);
		let key = (receipt.epoch, receipt.client.clone());
		let cached = self
			.cache()
			.locks
			.get(&key)
			.filter(|answer| answer.fresh(receipt.epoch, oldest, now))
			.map(|answer| answer.has_lock);
		let has_lock = match cached {
			Some(has_lock) => has_lock,
			None => {
				let has_lock = self
					.chain
					.has_bandwidth_lock(&receipt.client, receipt.epoch)
					.map_err(Refusal::ChainUnavailable)?;
				let mut cache = self.cache();
				cache.make_room(MAX_CACHED_LOCKS, oldest, now);
				cache.locks.insert(key, LockAnswer { has_lock, at: now });
				has_lock
			},
		};
		if has_lock {
			Ok(())
		} else {
			Err(Refusal::NoBandwidthLock)
		}
	}

	/// The current epoch, from the cache while it is fresh. A receipt for the epoch right
	/// after the cached one asks the chain again (at most every [`EPOCH_REFRESH`]): the
	/// epoch may have just turned.
	fn current_epoch(&self, wanted: EpochIndex) -> Result<EpochIndex, Refusal> {
		let now = Instant::now();
		if let Some((current, at)) = self.cache().epoch {
			let age = now.saturating_duration_since(at);
			let maybe_turned = wanted == current.saturating_add(1) && age >= EPOCH_REFRESH;
			if age < CACHE_TTL && !maybe_turned {
				return Ok(current);
			}
		}
		// Asked without holding the lock: the runtime call may take a while.
		let (current, _) = self.chain.receipt_context().map_err(Refusal::ChainUnavailable)?;
		self.cache().epoch = Some((current, now));
		Ok(current)
	}

	/// This node's terms, from the cache while they are fresh.
	fn terms(&self) -> Result<Arc<Terms>, Refusal> {
		let now = Instant::now();
		if let Some((terms, at)) = &self.cache().terms {
			if now.saturating_duration_since(*at) < CACHE_TTL {
				return Ok(terms.clone());
			}
		}
		let subscriptions =
			self.chain.subscriptions(&self.node).map_err(Refusal::ChainUnavailable)?;
		let unmoderated =
			self.chain.carries_unmoderated(&self.node).map_err(Refusal::ChainUnavailable)?;
		let terms = Arc::new(Terms { subscriptions, unmoderated });
		self.cache().terms = Some((terms.clone(), now));
		Ok(terms)
	}
}

/// Why the door did not keep a receipt.
#[derive(Debug)]
pub enum DoorError {
	/// The chain would refuse it.
	Refused(Refusal),
	/// The book did not keep it (not newer, no room, or the disk failed).
	NotKept(NotKept),
}

impl DoorError {
	/// A short label for metrics.
	pub fn reason(&self) -> &'static str {
		match self {
			DoorError::Refused(refusal) => refusal.reason(),
			DoorError::NotKept(not_kept) => not_kept.reason(),
		}
	}
}

impl std::fmt::Display for DoorError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			DoorError::Refused(refusal) => refusal.fmt(f),
			DoorError::NotKept(not_kept) => not_kept.fmt(f),
		}
	}
}

impl std::error::Error for DoorError {}

impl From<Refusal> for DoorError {
	fn from(refusal: Refusal) -> Self {
		DoorError::Refused(refusal)
	}
}

impl From<NotKept> for DoorError {
	fn from(not_kept: NotKept) -> Self {
		DoorError::NotKept(not_kept)
	}
}

/// The receipt book behind its door: the [`ReceiptSink`] that both the gateway's signing
/// window and the onion relay give their receipts to.
pub struct BookDoor {
	admission: Admission,
	book: Arc<ReceiptBook>,
	metrics: ReceiptMetrics,
}

impl BookDoor {
	/// `book` behind the checks of `admission`, counting in `metrics`.
	pub fn new(admission: Admission, book: Arc<ReceiptBook>, metrics: ReceiptMetrics) -> Self {
		BookDoor { admission, book, metrics }
	}

	/// The book.
	pub fn book(&self) -> &Arc<ReceiptBook> {
		&self.book
	}

	/// Checks `signed` and keeps it if the chain would take it and the book has room.
	/// Counts neither: [`ReceiptSink::accepted`] does.
	pub fn admit(&self, signed: SignedReceipt<AccountId>) -> Result<Kept, DoorError> {
		let r = &signed.receipt;
		let current = self.admission.check_terms(r)?;
		self.book.would_keep(&ReceiptKey::from(r), r.bytes)?;
		self.admission.check_signature(&signed)?;
		self.admission.check_lock(r, current)?;
		Ok(self.book.insert(signed)?)
	}
}

impl ReceiptSink for BookDoor {
	fn accepted(&self, receipt: SignedReceipt<AccountId>) {
		let (client, epoch) = (receipt.receipt.client.clone(), receipt.receipt.epoch);
		match self.admit(receipt) {
			Ok(_) => self.metrics.kept.inc(),
			Err(e) => {
				self.metrics.refused.with_label_values(&[e.reason()]).inc();
				match e {
					DoorError::NotKept(NotKept::Io(_)) => {
						log::error!(target: "content", "could not keep a receipt: {e}")
					},
					DoorError::Refused(Refusal::ChainUnavailable(_)) => {
						log::warn!(target: "content", "receipt of {client} not kept: {e}")
					},
					_ => log::debug!(
						target: "content",
						"receipt of {client} for epoch {epoch} refused: {e}"
					),
				}
			},
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::{
		book::{Limits, ReceiptBook},
		chain::ItemMeta,
		test_support::signed_receipt,
	};
	use bitcloud_primitives::ContentId;
	use polkadot_sdk::sp_core::{sr25519, Pair};
	use std::{collections::BTreeSet, sync::atomic::AtomicUsize, sync::atomic::Ordering};

	const GENESIS: H256 = H256::repeat_byte(7);
	const EPOCH: EpochIndex = 10;
	const WINDOW: EpochIndex = 2;

	fn account(seed: &str) -> (sr25519::Pair, AccountId) {
		let pair = sr25519::Pair::from_string(seed, None).unwrap();
		let id = pair.public().into();
		(pair, id)
	}

	/// The chain in memory, counting the questions asked.
	struct Chain {
		epoch: EpochIndex,
		subscriptions: Vec<AccountId>,
		unmoderated: bool,
		/// Clients with a lock; `None`: every client has one.
		locked: Option<BTreeSet<AccountId>>,
		down: bool,
		lock_queries: AtomicUsize,
		other_queries: AtomicUsize,
	}

	impl Chain {
		fn answer<T>(&self, counter: &AtomicUsize, value: T) -> Result<T, ChainError> {
			counter.fetch_add(1, Ordering::Relaxed);
			if self.down {
				return Err(ChainError::Unavailable("the chain is down".into()));
			}
			Ok(value)
		}
	}

	impl ChainView for Chain {
		fn subscriptions(&self, _node: &AccountId) -> Result<Vec<AccountId>, ChainError> {
			self.answer(&self.other_queries, self.subscriptions.clone())
		}
		fn catalog(&self, _: &AccountId) -> Result<Vec<(ContentId, ItemMeta)>, ChainError> {
			Ok(Vec::new())
		}
		fn catalog_item(
			&self,
			_: &AccountId,
			_: &ContentId,
		) -> Result<Option<ItemMeta>, ChainError> {
			Ok(None)
		}
		fn is_denied(&self, _: &AccountId, _: &ContentId) -> Result<bool, ChainError> {
			Ok(false)
		}
		fn submission_window(&self) -> EpochIndex {
			WINDOW
		}
		fn receipt_context(&self) -> Result<(EpochIndex, H256), ChainError> {
			self.answer(&self.other_queries, (self.epoch, GENESIS))
		}
		fn has_bandwidth_lock(
			&self,
			client: &AccountId,
			_: EpochIndex,
		) -> Result<bool, ChainError> {
			let has = self.locked.as_ref().is_none_or(|locked| locked.contains(client));
			self.answer(&self.lock_queries, has)
		}
		fn carries_unmoderated(&self, _node: &AccountId) -> Result<bool, ChainError> {
			self.answer(&self.other_queries, self.unmoderated)
		}
	}

	/// A chain at [`EPOCH`] where the node subscribes to `moderator` and carries unmoderated
	/// traffic, and the clients `locked` have a lock (`None`: every client has one).
	fn chain(moderator: &AccountId, locked: Option<BTreeSet<AccountId>>) -> Chain {
		Chain {
			epoch: EPOCH,
			subscriptions: vec![moderator.clone()],
			unmoderated: true,
			locked,
			down: false,
			lock_queries: AtomicUsize::new(0),
			other_queries: AtomicUsize::new(0),
		}
	}

	struct Setup {
		door: BookDoor,
		chain: Arc<Chain>,
		node: AccountId,
		client: sr25519::Pair,
		moderator: AccountId,
		metrics: ReceiptMetrics,
		_dir: tempfile::TempDir,
	}

	/// Dave's door, with Ferdie as a client and Charlie as the moderator; `change` adjusts
	/// the chain (by default only Ferdie has a lock).
	fn setup_with(limits: Limits, change: impl FnOnce(&mut Chain)) -> Setup {
		let (_, node) = account("//Dave");
		let (client, client_id) = account("//Ferdie");
		let (_, moderator) = account("//Charlie");
		let mut chain = chain(&moderator, Some(BTreeSet::from([client_id])));
		change(&mut chain);
		let chain = Arc::new(chain);
		let dir = tempfile::tempdir().unwrap();
		let (book, _) = ReceiptBook::open(dir.path(), GENESIS, limits).unwrap();
		let metrics = ReceiptMetrics::unregistered();
		let admission = Admission::new(node.clone(), GENESIS, chain.clone());
		let door = BookDoor::new(admission, Arc::new(book), metrics.clone());
		Setup { door, chain, node, client, moderator, metrics, _dir: dir }
	}

	fn setup() -> Setup {
		setup_with(Limits::new(33), |_| {})
	}

	fn receipt(
		client: &sr25519::Pair,
		node: &AccountId,
		epoch: EpochIndex,
		moderator: Option<&AccountId>,
		bytes: u64,
	) -> SignedReceipt<AccountId> {
		signed_receipt(client, node, epoch, moderator, bytes, &GENESIS)
	}

	/// Offers `signed` through the sink and checks it was refused for `reason`, counted once
	/// and not stored.
	fn assert_refused(s: &Setup, signed: SignedReceipt<AccountId>, reason: &str) {
		let before = s.metrics.refused_for(reason);
		let held = s.door.book().receipts().len();
		s.door.accepted(signed);
		assert_eq!(s.metrics.refused_for(reason), before + 1, "counted as {reason}");
		assert_eq!(s.door.book().receipts().len(), held, "nothing stored ({reason})");
	}

	#[test]
	fn receipts_the_chain_would_take_are_kept() {
		let s = setup();
		s.door.accepted(receipt(&s.client, &s.node, EPOCH, Some(&s.moderator), 100));
		s.door.accepted(receipt(&s.client, &s.node, EPOCH - WINDOW, None, 100));
		assert_eq!(s.door.book().receipts().len(), 2);
		assert_eq!(s.metrics.kept.get(), 2);
	}

	#[test]
	fn receipts_the_chain_would_refuse_are_refused_at_the_door_and_counted() {
		let s = setup();
		let (node, client, moderator) = (&s.node, &s.client, Some(&s.moderator));
		// Any epoch ahead, u32::MAX included, is refused without asking the chain again.
		assert_refused(
			&s,
			receipt(client, node, EpochIndex::MAX, moderator, 1),
			"epoch_outside_window",
		);
		assert_refused(&s, receipt(client, node, EPOCH + 2, moderator, 1), "epoch_outside_window");
		assert_refused(
			&s,
			receipt(client, node, EPOCH - WINDOW - 1, moderator, 1),
			"epoch_outside_window",
		);
		assert_eq!(s.chain.other_queries.load(Ordering::Relaxed), 1, "one receipt_context");
		// Another node's receipt.
		let (_, eve) = account("//Eve");
		assert_refused(&s, receipt(client, &eve, EPOCH, moderator, 1), "wrong_node");
		// A moderator the node does not subscribe to.
		let (_, other_moderator) = account("//Bob");
		assert_refused(
			&s,
			receipt(client, node, EPOCH, Some(&other_moderator), 1),
			"not_subscribed",
		);
		// A client without a lock: a fresh key, signing validly.
		let (fresh, _) = account("//fresh");
		assert_refused(&s, receipt(&fresh, node, EPOCH, moderator, 1), "no_bandwidth_lock");
		// Bad signatures: altered after signing, and signed for another chain.
		let mut forged = receipt(client, node, EPOCH, moderator, 10);
		forged.receipt.bytes = 1_000_000;
		assert_refused(&s, forged, "bad_signature");
		let other_chain = receipt::sign(
			receipt(client, node, EPOCH, moderator, 10).receipt,
			client,
			&H256::repeat_byte(8),
		);
		assert_refused(&s, other_chain, "bad_signature");
		assert!(s.door.book().receipts().is_empty());
	}

	#[test]
	fn the_node_itself_and_unmoderated_content_it_does_not_carry_are_refused() {
		let s = setup_with(Limits::new(33), |chain| chain.unmoderated = false);
		let (dave, _) = account("//Dave");
		assert_refused(&s, receipt(&dave, &s.node, EPOCH, Some(&s.moderator), 1), "self_served");
		assert_refused(&s, receipt(&s.client, &s.node, EPOCH, None, 1), "unmoderated_not_carried");
	}

	#[test]
	fn a_chain_that_cannot_be_asked_keeps_nothing() {
		let s = setup_with(Limits::new(33), |chain| chain.down = true);
		assert_refused(&s, receipt(&s.client, &s.node, EPOCH, None, 1), "chain_unavailable");
	}

	#[test]
	fn chain_answers_are_cached() {
		let s = setup();
		for bytes in 1..=50 {
			s.door.accepted(receipt(&s.client, &s.node, EPOCH, Some(&s.moderator), bytes));
		}
		assert_eq!(s.metrics.kept.get(), 50);
		assert_eq!(s.chain.lock_queries.load(Ordering::Relaxed), 1);
		// receipt_context, subscriptions and carries_unmoderated: once each.
		assert_eq!(s.chain.other_queries.load(Ordering::Relaxed), 3);
		// A client without a lock is asked about once per block, not once per receipt.
		let (fresh, _) = account("//fresh");
		for bytes in 1..=20 {
			s.door.accepted(receipt(&fresh, &s.node, EPOCH, None, bytes));
		}
		assert_eq!(s.metrics.refused_for("no_bandwidth_lock"), 20);
		assert_eq!(s.chain.lock_queries.load(Ordering::Relaxed), 2);
	}

	#[test]
	fn a_flood_of_fresh_locked_keys_stops_at_the_book_limits() {
		// Every client has a lock (the attacker locked coins for each): the book's limits are
		// what stop them.
		let limits = Limits { per_client_epoch: 1, per_epoch: 8 };
		let s = setup_with(limits, |chain| chain.locked = None);
		for n in 0..40 {
			let (fresh, _) = account(&format!("//flood{n}"));
			s.door.accepted(receipt(&fresh, &s.node, EPOCH, None, 1));
		}
		assert_eq!(s.door.book().receipts().len(), 8);
		assert_eq!(s.metrics.kept.get(), 8);
		assert_eq!(s.metrics.refused_for("epoch_full"), 32);
		// Past the limit the door refuses before checking signatures or asking the chain.
		assert_eq!(s.chain.lock_queries.load(Ordering::Relaxed), 8);
		// One client cannot hold more keys per epoch than its own limit either.
		s.door.accepted(receipt(&s.client, &s.node, EPOCH - 1, None, 1));
		assert_refused(
			&s,
			receipt(&s.client, &s.node, EPOCH - 1, Some(&s.moderator), 1),
			"client_full",
		);
		// A newer receipt for a key held still replaces the old one.
		s.door.accepted(receipt(&s.client, &s.node, EPOCH - 1, None, 2));
		assert_eq!(s.metrics.kept.get(), 10);
		assert_eq!(s.door.book().receipts().len(), 9);
	}

	#[test]
	fn the_lock_cache_is_bounded() {
		let mut cache = Cache::default();
		let now = Instant::now();
		for n in 0..10u8 {
			cache.make_room(4, EPOCH - WINDOW, now);
			let answer = LockAnswer { has_lock: n % 2 == 0, at: now };
			cache.locks.insert((EPOCH, AccountId::new([n; 32])), answer);
			assert!(cache.locks.len() <= 4);
		}
		// Answers for epochs that left the window go first.
		let mut cache = Cache::default();
		for n in 0..4u8 {
			let answer = LockAnswer { has_lock: true, at: now };
			cache
				.locks
				.insert((EPOCH - WINDOW - 1 + u32::from(n % 2), AccountId::new([n; 32])), answer);
		}
		cache.make_room(4, EPOCH - WINDOW, now);
		assert_eq!(cache.locks.len(), 2);
	}
}
