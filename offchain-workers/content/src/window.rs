//! The signing window: a client that identifies itself is served only as far as it keeps
//! signing receipts. For each [`ReceiptKey`] (client, epoch, moderator; the node is this
//! gateway's own) the gateway counts the bytes it sent
//! and holds the newest receipt; it sends more only while `sent − signed` stays within
//! [`WINDOW_BYTES`]. A client that stops signing is cut off after at most the window, and the
//! node can never be paid for more than the client signed. Protocol: `docs/protocol.md`,
//! "Receipts between client and gateway".

use crate::{auth::ClientAuth, protocol::ReceiptKey};
use bitcloud_primitives::{
	receipt::{self, SignedReceipt},
	AccountId, EpochIndex,
};
use polkadot_sdk::sp_core::H256;
use std::{
	collections::BTreeMap,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc, Mutex, OnceLock,
	},
};

/// Bytes a client may have received without a receipt covering them.
pub const WINDOW_BYTES: u64 = 8 << 20;

/// Where accepted receipts go: the node's receipt book, which keeps, persists and submits
/// them.
pub trait ReceiptSink: Send + Sync + 'static {
	/// A receipt newer than any before it for its (client, epoch, moderator), with a valid
	/// signature for this chain and this node.
	fn accepted(&self, receipt: SignedReceipt<AccountId>);
}

/// A receipt the gateway will not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptError {
	/// Its node is another node.
	WrongNode,
	/// Its epoch is neither the current one nor within the chain's submission window before
	/// it.
	WrongEpoch {
		/// The receipt's epoch.
		epoch: EpochIndex,
		/// The current epoch.
		current: EpochIndex,
	},
	/// The signature is not the client's over this chain's receipt payload.
	BadSignature,
	/// It does not count more bytes than the receipt already held.
	NotIncreasing {
		/// Bytes of the receipt already held.
		held: u64,
	},
	/// It counts more bytes than were sent to the client.
	BeyondSent {
		/// Bytes sent.
		sent: u64,
	},
}

impl std::fmt::Display for ReceiptError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			ReceiptError::WrongNode => write!(f, "the receipt names another node"),
			ReceiptError::WrongEpoch { epoch, current } => {
				write!(f, "the receipt is for epoch {epoch}; the current epoch is {current}")
			},
			ReceiptError::BadSignature => {
				write!(f, "the signature is not the client's over this chain's receipt")
			},
			ReceiptError::NotIncreasing { held } => {
				write!(f, "the receipt does not count more than the {held} bytes already signed")
			},
			ReceiptError::BeyondSent { sent } => {
				write!(f, "the receipt counts more than the {sent} bytes sent")
			},
		}
	}
}

/// Which receipt a byte count belongs to: the old name of [`ReceiptKey`].
pub use crate::protocol::ReceiptKey as Account;

#[derive(Default)]
struct Entry {
	sent: u64,
	held: Option<SignedReceipt<AccountId>>,
}

impl Entry {
	fn signed(&self) -> u64 {
		self.held.as_ref().map_or(0, |held| held.receipt.bytes)
	}
}

/// The answer to [`SigningWindow::reserve`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
	/// The bytes may be sent.
	Reserved,
	/// The client must sign for bytes already sent first.
	WindowFull {
		/// Bytes sent that no receipt covers.
		unsigned: u64,
	},
	/// The client cannot pay for that many more bytes this epoch.
	OverQuota {
		/// Bytes it can still pay for at this node.
		left: u64,
	},
}

/// Bytes sent to `client` in `epoch` under every moderator (keys are ordered by client, node
/// and epoch, and the node is always this one: they are adjacent).
fn sent_in_epoch(
	entries: &BTreeMap<ReceiptKey, Entry>,
	node: &AccountId,
	client: &AccountId,
	epoch: EpochIndex,
) -> u64 {
	let first = ReceiptKey { client: client.clone(), node: node.clone(), epoch, moderator: None };
	entries
		.range(first..)
		.take_while(|(key, _)| key.client == *client && key.epoch == epoch)
		.fold(0u64, |sum, (_, entry)| sum.saturating_add(entry.sent))
}

/// The window of every client of this node.
pub struct SigningWindow {
	node: AccountId,
	genesis: H256,
	window: u64,
	/// Epochs before the current one whose receipts are still taken (the chain's).
	submission_window: EpochIndex,
	/// Who may use a client's window: only the client.
	auth: ClientAuth,
	entries: Mutex<BTreeMap<ReceiptKey, Entry>>,
	sink: OnceLock<Arc<dyn ReceiptSink>>,
	/// The current epoch when entries were last pruned: pruning runs once per epoch, not
	/// once per receipt.
	pruned_at: AtomicU32,
}

impl SigningWindow {
	/// The window of `window` bytes of `node` on the chain of `genesis`, which takes receipts
	/// for the current epoch and the `submission_window` before it
	/// ([`ChainView::submission_window`](crate::ChainView::submission_window)), passing
	/// accepted receipts to `sink`.
	pub fn new(
		node: AccountId,
		genesis: H256,
		window: u64,
		submission_window: EpochIndex,
		sink: Option<Arc<dyn ReceiptSink>>,
	) -> Self {
		let cell = OnceLock::new();
		if let Some(sink) = sink {
			let _ = cell.set(sink);
		}
		SigningWindow {
			auth: ClientAuth::new(genesis, node.clone()),
			node,
			genesis,
			window,
			submission_window,
			entries: Mutex::new(BTreeMap::new()),
			sink: cell,
			pruned_at: AtomicU32::new(0),
		}
	}

	/// Takes back the receipts a previous run of the node kept (its receipt book): each is
	/// held again, and counts as sent, so a restart neither refuses a client's next receipt
	/// as older than the one the client knows was held nor forgets what the client was sent.
	/// Receipts of other nodes are skipped; old epochs go at the next pruning.
	pub fn restore(&self, receipts: impl IntoIterator<Item = SignedReceipt<AccountId>>) {
		let mut entries = self.entries();
		for signed in receipts.into_iter().filter(|signed| signed.receipt.node == self.node) {
			let bytes = signed.receipt.bytes;
			let entry = entries.entry(ReceiptKey::from(&signed.receipt)).or_default();
			if bytes > entry.signed() {
				entry.sent = entry.sent.max(bytes);
				entry.held = Some(signed);
			}
		}
	}

	/// Sets where accepted receipts go, if nothing was set before; false otherwise.
	pub fn set_sink(&self, sink: Arc<dyn ReceiptSink>) -> bool {
		self.sink.set(sink).is_ok()
	}

	/// The genesis hash receipts must be signed for.
	pub fn genesis(&self) -> &H256 {
		&self.genesis
	}

	/// The node receipts must name.
	pub fn node(&self) -> &AccountId {
		&self.node
	}

	/// The window in bytes.
	pub fn window(&self) -> u64 {
		self.window
	}

	/// The check that a request naming a client comes from it.
	pub fn auth(&self) -> &ClientAuth {
		&self.auth
	}

	/// The key of `client`'s receipts for bytes this node sends in `epoch` under `moderator`.
	pub fn key(
		&self,
		client: AccountId,
		epoch: EpochIndex,
		moderator: Option<AccountId>,
	) -> ReceiptKey {
		ReceiptKey { client, node: self.node.clone(), epoch, moderator }
	}

	/// The oldest epoch whose receipts are taken at `current`.
	fn oldest(&self, current: EpochIndex) -> EpochIndex {
		current.saturating_sub(self.submission_window)
	}

	fn entries(&self) -> std::sync::MutexGuard<'_, BTreeMap<ReceiptKey, Entry>> {
		// A panic while holding the lock leaves plain counters behind: keep using them.
		self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Takes `signed` if it is valid and newer than the held one; forgets epochs that are
	/// too old to be paid. Returns the bytes it covers.
	pub fn offer(
		&self,
		signed: SignedReceipt<AccountId>,
		current: EpochIndex,
	) -> Result<u64, ReceiptError> {
		let receipt = &signed.receipt;
		if receipt.node != self.node {
			return Err(ReceiptError::WrongNode);
		}
		if receipt.epoch > current || receipt.epoch < self.oldest(current) {
			return Err(ReceiptError::WrongEpoch { epoch: receipt.epoch, current });
		}
		let key = ReceiptKey::from(receipt);
		{
			let entries = self.entries();
			let entry = entries.get(&key);
			let (sent, held) = entry.map_or((0, 0), |entry| (entry.sent, entry.signed()));
			if receipt.bytes <= held {
				return Err(ReceiptError::NotIncreasing { held });
			}
			if receipt.bytes > sent {
				return Err(ReceiptError::BeyondSent { sent });
			}
		}
		// The signature is checked outside the lock: it is the expensive part.
		if !receipt::verify(&signed, &self.genesis) {
			return Err(ReceiptError::BadSignature);
		}
		let bytes = receipt.bytes;
		{
			let mut entries = self.entries();
			if self.pruned_at.fetch_max(current, Ordering::Relaxed) < current {
				let oldest = self.oldest(current);
				entries.retain(|key, _| key.epoch >= oldest);
			}
			let entry = entries.entry(key).or_default();
			// Another request may have brought a newer receipt meanwhile.
			if bytes <= entry.signed() {
				return Err(ReceiptError::NotIncreasing { held: entry.signed() });
			}
			entry.held = Some(signed.clone());
		}
		if let Some(sink) = self.sink.get() {
			sink.accepted(signed);
		}
		Ok(bytes)
	}

	/// Reserves `len` more bytes for `key` if they keep the unsigned bytes within the window
	/// and the bytes sent to its client in its epoch (under every moderator) within `budget`,
	/// what the client can still pay for; the caller then sends them.
	pub fn reserve(&self, key: &ReceiptKey, len: u64, budget: u64) -> Reservation {
		let mut entries = self.entries();
		let sent = sent_in_epoch(&entries, &self.node, &key.client, key.epoch);
		if sent.saturating_add(len) > budget {
			return Reservation::OverQuota { left: budget.saturating_sub(sent) };
		}
		let entry = entries.entry(key.clone()).or_default();
		let unsigned = entry.sent.saturating_sub(entry.signed());
		if unsigned.saturating_add(len) > self.window {
			return Reservation::WindowFull { unsigned };
		}
		entry.sent = entry.sent.saturating_add(len);
		Reservation::Reserved
	}

	/// Bytes sent to `client` in `epoch`, under every moderator.
	pub fn sent_in_epoch(&self, client: &AccountId, epoch: EpochIndex) -> u64 {
		sent_in_epoch(&self.entries(), &self.node, client, epoch)
	}

	/// Bytes sent for `key` and bytes its newest receipt covers.
	pub fn figures(&self, key: &ReceiptKey) -> (u64, u64) {
		self.entries().get(key).map_or((0, 0), |entry| (entry.sent, entry.signed()))
	}

	/// The newest receipt held for `key`.
	pub fn held(&self, key: &ReceiptKey) -> Option<SignedReceipt<AccountId>> {
		self.entries().get(key).and_then(|entry| entry.held.clone())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::test_support::{pair, signed_receipt};
	use polkadot_sdk::sp_core::{sr25519, Pair};
	use std::sync::Mutex as StdMutex;

	const GENESIS: H256 = H256::repeat_byte(7);
	const SUBMISSION_WINDOW: EpochIndex = 2;
	/// A budget no test reaches.
	const QUOTA: u64 = 1 << 40;

	struct Collect(StdMutex<Vec<u64>>);
	impl ReceiptSink for Collect {
		fn accepted(&self, receipt: SignedReceipt<AccountId>) {
			self.0.lock().unwrap().push(receipt.receipt.bytes);
		}
	}

	fn setup() -> (SigningWindow, Arc<Collect>, sr25519::Pair, ReceiptKey) {
		let node = pair("//Dave");
		let client = pair("//Ferdie");
		let sink = Arc::new(Collect(StdMutex::new(Vec::new())));
		let window = SigningWindow::new(
			node.public().into(),
			GENESIS,
			100,
			SUBMISSION_WINDOW,
			Some(sink.clone()),
		);
		let account = window.key(client.public().into(), 5, None);
		(window, sink, client, account)
	}

	fn signed(
		client: &sr25519::Pair,
		node: &AccountId,
		epoch: u32,
		bytes: u64,
	) -> SignedReceipt<AccountId> {
		signed_receipt(client, node, epoch, None, bytes, &GENESIS)
	}

	#[test]
	fn sending_stops_at_the_window_and_resumes_with_a_receipt() {
		let (window, sink, client, account) = setup();
		assert_eq!(window.reserve(&account, 60, QUOTA), Reservation::Reserved);
		assert_eq!(window.reserve(&account, 40, QUOTA), Reservation::Reserved);
		assert_eq!(
			window.reserve(&account, 1, QUOTA),
			Reservation::WindowFull { unsigned: 100 },
			"100 unsigned bytes: the window is full"
		);
		assert_eq!(window.offer(signed(&client, window.node(), 5, 70), 5), Ok(70));
		assert_eq!(window.reserve(&account, 70, QUOTA), Reservation::Reserved);
		assert_eq!(window.reserve(&account, 1, QUOTA), Reservation::WindowFull { unsigned: 100 });
		assert_eq!(window.figures(&account), (170, 70));
		assert_eq!(window.held(&account).unwrap().receipt.bytes, 70);
		assert_eq!(*sink.0.lock().unwrap(), vec![70]);
	}

	#[test]
	fn a_restarted_window_holds_the_kept_receipts_again() {
		let (window, sink, client, account) = setup();
		let node = window.node().clone();
		let other: AccountId = pair("//Eve").public().into();
		let kept = [signed(&client, &node, 5, 70), signed(&client, &node, 5, 40)];
		window.restore(kept.into_iter().chain([signed(&client, &other, 5, 90)]));
		assert_eq!(window.figures(&account), (70, 70), "the newest of this node's receipts");
		assert_eq!(
			window.offer(signed(&client, &node, 5, 70), 5),
			Err(ReceiptError::NotIncreasing { held: 70 })
		);
		assert_eq!(window.reserve(&account, 30, QUOTA), Reservation::Reserved);
		assert_eq!(window.offer(signed(&client, &node, 5, 100), 5), Ok(100));
		assert_eq!(*sink.0.lock().unwrap(), vec![100], "restored receipts are not passed on");
	}

	#[test]
	fn bad_receipts_are_refused_and_change_nothing() {
		let (window, sink, client, account) = setup();
		assert_eq!(window.reserve(&account, 50, QUOTA), Reservation::Reserved);
		let node = window.node().clone();
		let other: AccountId = pair("//Eve").public().into();
		assert_eq!(window.offer(signed(&client, &other, 5, 10), 5), Err(ReceiptError::WrongNode));
		assert_eq!(
			window.offer(signed(&client, &node, 6, 10), 5),
			Err(ReceiptError::WrongEpoch { epoch: 6, current: 5 })
		);
		assert_eq!(
			window.offer(signed(&client, &node, 2, 10), 5),
			Err(ReceiptError::WrongEpoch { epoch: 2, current: 5 })
		);
		assert_eq!(
			window.offer(signed(&client, &node, 5, 51), 5),
			Err(ReceiptError::BeyondSent { sent: 50 })
		);
		let mut forged = signed(&client, &node, 5, 20);
		forged.receipt.bytes = 30;
		assert_eq!(window.offer(forged, 5), Err(ReceiptError::BadSignature));
		let other_chain = {
			let receipt = signed(&client, &node, 5, 20).receipt;
			receipt::sign(receipt, &client, &H256::repeat_byte(8))
		};
		assert_eq!(window.offer(other_chain, 5), Err(ReceiptError::BadSignature));
		assert_eq!(window.offer(signed(&client, &node, 5, 20), 5), Ok(20));
		assert_eq!(
			window.offer(signed(&client, &node, 5, 20), 5),
			Err(ReceiptError::NotIncreasing { held: 20 })
		);
		assert_eq!(window.figures(&account), (50, 20));
		assert_eq!(*sink.0.lock().unwrap(), vec![20]);
	}

	#[test]
	fn receipts_of_past_epochs_are_taken_within_the_submission_window() {
		let (window, _, client, account) = setup();
		assert_eq!(window.reserve(&account, 10, QUOTA), Reservation::Reserved);
		let node = window.node().clone();
		assert_eq!(window.offer(signed(&client, &node, 5, 10), 7), Ok(10));
		// Two epochs later the entry is dropped when another receipt arrives.
		let later = ReceiptKey { epoch: 8, ..account.clone() };
		assert_eq!(window.reserve(&later, 5, QUOTA), Reservation::Reserved);
		assert_eq!(window.offer(signed(&client, &node, 8, 5), 8), Ok(5));
		assert_eq!(window.figures(&account), (0, 0));
	}

	#[test]
	fn a_client_is_never_sent_more_than_it_can_pay_for_under_all_moderators() {
		let (window, _, client, _) = setup();
		let client: AccountId = client.public().into();
		let under =
			|moderator: u8| window.key(client.clone(), 5, Some(AccountId::new([moderator; 32])));
		// The client can pay for 150 bytes this epoch; the window (100) is not what stops it.
		assert_eq!(window.reserve(&under(1), 100, 150), Reservation::Reserved);
		assert_eq!(window.reserve(&under(2), 60, 150), Reservation::OverQuota { left: 50 });
		assert_eq!(window.reserve(&under(2), 50, 150), Reservation::Reserved);
		assert_eq!(window.reserve(&under(1), 1, 150), Reservation::OverQuota { left: 0 });
		assert_eq!(window.sent_in_epoch(&client, 5), 150);
		// Other epochs are counted apart.
		assert_eq!(window.sent_in_epoch(&client, 6), 0);
		let next = ReceiptKey { epoch: 6, ..under(1) };
		assert_eq!(window.reserve(&next, 100, 150), Reservation::Reserved);
		assert_eq!(window.sent_in_epoch(&client, 5), 150);
	}
}
