//! The content node's duties on chain, signed with the node's own key from the keystore:
//! submitting the receipts its clients signed, and answering the storage law's challenges
//! with proofs built from its store. A tokio task runs a round at every new best block (and
//! at least every [`ROUND`]), challenges first: their deadline is a few blocks. The chain is
//! the source of truth for what is done (`BandwidthApi::claimed`,
//! `StorageLawApi::pending_challenges`), so a lost or dropped transaction is simply sent
//! again: a receipt [`RETRY_BLOCKS`] later, an answer [`CHALLENGE_RETRY_BLOCKS`] later.
//!
//! Receipts are dry-run before they are sent (`BlockBuilder_apply_extrinsic` at the best
//! block on a throw-away runtime API instance, what `system_dryRun` does: no fee, nothing
//! written). The chain fails a batch whole if one receipt is bad; a refused batch is bisected
//! ([`bitcloud_content::bisect`]) down to the receipts the chain refuses, which are dropped
//! from the book for good (`bitcloud_receipts_dropped_total{error}`), and the rest is sent.
//! A bad receipt costs at most `2⌈log2 n⌉` dry runs in a batch of `n`, and at most
//! [`MAX_TRIALS_PER_ROUND`] dry runs are made per round. What a [`DutyError`] says decides
//! between dropping a receipt (the chain refuses it) and trying again later (the chain, the
//! pool or the node's own standing is the problem).

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use bitcloud_content::{
	bisect::{bisect, Trial},
	book::verify_batch,
	prove::ProveError,
	ContentStore, ReceiptBook,
};
use bitcloud_primitives::{EpochIndex, SignedReceipt};
use bitcloud_runtime::{
	signing::{try_signed_extrinsic, SigningContext},
	AccountId, BlockNumber, Nonce, Runtime, RuntimeCall, RuntimeError,
};
use codec::Encode;
use futures::StreamExt;
use pallet_bandwidth::runtime_api::BandwidthApi;
use pallet_storage_law::runtime_api::StorageLawApi;
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system_rpc_runtime_api::AccountNonceApi,
	sc_client_api::BlockchainEvents,
	sc_transaction_pool_api::{TransactionPool as _, TransactionSource},
	sp_api::{Core as _, ProvideRuntimeApi},
	sp_block_builder::BlockBuilder as _,
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::KeyTypeId, sr25519, H256},
	sp_keystore::KeystorePtr,
	sp_runtime::{BoundedVec, DispatchError, OpaqueExtrinsic},
	substrate_prometheus_endpoint::{
		register, Counter, CounterVec, Gauge, Opts, PrometheusError, Registry, U64,
	},
};

use crate::service::{FullClient, TransactionPool};

/// Key type of the content node's account key in the keystore
/// (`bitcloud-node key insert --key-type bcnd --scheme sr25519 --suri ...`).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bcnd");

/// Longest time between two rounds when no new best block comes: one block.
pub const ROUND: Duration = Duration::from_millis(bitcloud_runtime::MILLI_SECS_PER_BLOCK);

/// Blocks before a receipt batch that has not taken effect is sent again.
pub const RETRY_BLOCKS: BlockNumber = 5;

/// Blocks before an answer to a challenge that has not taken effect is sent again: within
/// the challenge's deadline (`storageLaw.params().responseBlocks`, 4 on public chains).
pub const CHALLENGE_RETRY_BLOCKS: BlockNumber = 2;

/// Dry runs of receipt batches per round at most. A dry run of a full batch (256 receipts)
/// costs a few tens of milliseconds, so a round stays within a second or two even when many
/// receipts are refused; one bad receipt in a full batch needs at most 17. Receipts not
/// decided when they run out wait [`RETRY_BLOCKS`] like any other retry.
pub const MAX_TRIALS_PER_ROUND: usize = 64;

/// The chain takes receipts of the current epoch and the `SubmissionWindow` epochs before it.
fn submission_window() -> EpochIndex {
	<<Runtime as pallet_bandwidth::Config>::SubmissionWindow as Get<u32>>::get()
}

/// Why a duty was not done, and whether to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DutyError {
	/// A runtime API call at the best block failed: tried again next time.
	ChainUnavailable(String),
	/// The transaction is not valid for the node's account at the moment (it cannot pay the
	/// fee, its nonce is stale, the block is full): tried again next time.
	NotValid(String),
	/// The transaction pool did not take the transaction (full, or a nonce clash): tried
	/// again next time.
	Pool(String),
	/// The chain refuses the node itself (`NotANode`, `NodeNotEarning`): its receipts are
	/// kept and tried again until their window closes.
	NodeRefused(&'static str),
	/// The chain refuses a receipt (the bandwidth pallet's error names why): the receipt is
	/// dropped from the book and never sent again.
	ReceiptRefused(&'static str),
	/// The call failed for a reason that is not the bandwidth pallet's: tried again.
	Dispatch(String),
	/// The node's key could not sign: tried again.
	Signing(String),
	/// The receipt book could not be written: tried again.
	Book(String),
	/// The round's dry runs are used up ([`MAX_TRIALS_PER_ROUND`]): the rest waits.
	OutOfTrials,
}

impl DutyError {
	/// Whether the receipt is dropped for good, rather than tried again later.
	pub fn drops_receipt(&self) -> bool {
		matches!(self, DutyError::ReceiptRefused(_))
	}

	/// A short label for metrics: the chain's error for a refused receipt, the kind
	/// otherwise.
	pub fn label(&self) -> &'static str {
		match self {
			DutyError::ChainUnavailable(_) => "chain_unavailable",
			DutyError::NotValid(_) => "not_valid",
			DutyError::Pool(_) => "pool",
			DutyError::NodeRefused(error) | DutyError::ReceiptRefused(error) => error,
			DutyError::Dispatch(_) => "dispatch",
			DutyError::Signing(_) => "signing",
			DutyError::Book(_) => "book",
			DutyError::OutOfTrials => "out_of_trials",
		}
	}

	fn chain(e: impl std::fmt::Display) -> Self {
		DutyError::ChainUnavailable(e.to_string())
	}
}

impl std::fmt::Display for DutyError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			DutyError::ChainUnavailable(e) => write!(f, "the chain cannot be asked: {e}"),
			DutyError::NotValid(e) => write!(f, "the transaction is not valid now: {e}"),
			DutyError::Pool(e) => write!(f, "the transaction pool refused it: {e}"),
			DutyError::NodeRefused(e) => write!(f, "the chain refuses this node: {e}"),
			DutyError::ReceiptRefused(e) => write!(f, "the chain refuses the receipt: {e}"),
			DutyError::Dispatch(e) => write!(f, "the call fails: {e}"),
			DutyError::Signing(e) => write!(f, "cannot sign: {e}"),
			DutyError::Book(e) => write!(f, "receipt book: {e}"),
			DutyError::OutOfTrials => write!(f, "no dry runs left this round"),
		}
	}
}

impl std::error::Error for DutyError {}

/// What the chain's refusal of a batch says: a bandwidth error about a receipt drops it;
/// one about the node, or any other error, is tried again.
fn classify(error: DispatchError) -> DutyError {
	use pallet_bandwidth::Error;
	match RuntimeError::from_dispatch_error(error) {
		Some(RuntimeError::Bandwidth(
			e @ (Error::NotANode | Error::NodeNotEarning | Error::EmptyBatch),
		)) => DutyError::NodeRefused(e.into()),
		Some(RuntimeError::Bandwidth(e)) => DutyError::ReceiptRefused(e.into()),
		Some(other) => DutyError::Dispatch(format!("{other:?}")),
		None => DutyError::Dispatch(format!("{error:?}")),
	}
}

/// The duties' figures in the node's Prometheus registry.
#[derive(Clone)]
pub struct DutyMetrics {
	receipts_pending: Gauge<U64>,
	receipts_submitted: Counter<U64>,
	receipts_dropped: CounterVec<U64>,
	receipts_deferred: CounterVec<U64>,
	challenges_answered: Counter<U64>,
	challenges_missed: Counter<U64>,
}

impl DutyMetrics {
	fn register(registry: Option<&Registry>) -> Result<Self, PrometheusError> {
		let metrics = DutyMetrics {
			receipts_pending: Gauge::new(
				"bitcloud_receipts_pending",
				"Receipts held whose bytes the chain has not credited yet",
			)?,
			receipts_submitted: Counter::new(
				"bitcloud_receipts_submitted_total",
				"Receipts sent to the chain in submit_receipts transactions",
			)?,
			receipts_dropped: CounterVec::new(
				Opts::new(
					"bitcloud_receipts_dropped_total",
					"Receipts the chain refuses (found by dry runs), dropped from the book, by \
					 the chain's error",
				),
				&["error"],
			)?,
			receipts_deferred: CounterVec::new(
				Opts::new(
					"bitcloud_receipts_deferred_total",
					"Receipts not sent this round and kept for a retry, by cause",
				),
				&["cause"],
			)?,
			challenges_answered: Counter::new(
				"bitcloud_challenges_answered_total",
				"Storage challenges answered with a proof",
			)?,
			challenges_missed: Counter::new(
				"bitcloud_challenges_missed_total",
				"Storage challenges that could not be answered (content not in the store)",
			)?,
		};
		if let Some(registry) = registry {
			let m = &metrics;
			register(m.receipts_pending.clone(), registry)?;
			register(m.receipts_submitted.clone(), registry)?;
			register(m.receipts_dropped.clone(), registry)?;
			register(m.receipts_deferred.clone(), registry)?;
			register(m.challenges_answered.clone(), registry)?;
			register(m.challenges_missed.clone(), registry)?;
		}
		Ok(metrics)
	}
}

/// What a retry is remembered by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Attempt {
	Receipt(AccountId, EpochIndex, Option<AccountId>, u64),
	Challenge(u64),
}

/// The content node's duties.
pub struct Duties {
	client: Arc<FullClient>,
	pool: Arc<TransactionPool>,
	keystore: KeystorePtr,
	node: AccountId,
	book: Arc<ReceiptBook>,
	store: Arc<ContentStore>,
	metrics: DutyMetrics,
	attempts: std::sync::Mutex<BTreeMap<Attempt, BlockNumber>>,
	next_nonce: std::sync::Mutex<Option<Nonce>>,
}

impl Duties {
	/// Duties of `node`, whose key must be in `keystore` under [`KEY_TYPE`].
	pub fn new(
		client: Arc<FullClient>,
		pool: Arc<TransactionPool>,
		keystore: KeystorePtr,
		node: AccountId,
		book: Arc<ReceiptBook>,
		store: Arc<ContentStore>,
		registry: Option<&Registry>,
	) -> Result<Self, String> {
		let public = sr25519::Public::from_raw(*node.as_ref());
		if !keystore.has_keys(&[(public.to_vec(), KEY_TYPE)]) {
			return Err(format!(
				"no key for the node account {node} in the keystore (key type bcnd): receipts \
				 are not submitted and challenges not answered; insert it with `bitcloud-node \
				 key insert --key-type bcnd --scheme sr25519`"
			));
		}
		let metrics = DutyMetrics::register(registry).map_err(|e| e.to_string())?;
		Ok(Duties {
			client,
			pool,
			keystore,
			node,
			book,
			store,
			metrics,
			attempts: Default::default(),
			next_nonce: Default::default(),
		})
	}

	/// Runs a round at every new best block, and after [`ROUND`] without one, until the
	/// future is dropped. Rounds do not overlap: blocks that come during one are served by
	/// the next.
	pub async fn run(self) {
		let this = Arc::new(self);
		let mut blocks = this.client.import_notification_stream();
		loop {
			let round = this.clone();
			match tokio::task::spawn_blocking(move || round.round()).await {
				Ok(Ok(())) => {},
				Ok(Err(e)) => log::warn!(target: "duties", "{e}"),
				Err(e) => log::error!(target: "duties", "duties round failed: {e}"),
			}
			let next_best = async {
				while let Some(block) = blocks.next().await {
					if block.is_new_best {
						return;
					}
				}
				// The client is shutting down: rounds go on at the slow pace.
				std::future::pending::<()>().await
			};
			let _ = tokio::time::timeout(ROUND, next_best).await;
		}
	}

	/// One round: challenges, then receipts of closed epochs the chain has not credited.
	fn round(&self) -> Result<(), DutyError> {
		let info = self.client.info();
		let (best, number) = (info.best_hash, info.best_number);
		let answered = self.answer_challenges(best, number);
		let (epoch, _) =
			self.client.runtime_api().receipt_context(best).map_err(DutyError::chain)?;
		let book_error = |e: bitcloud_content::BookError| DutyError::Book(e.to_string());
		self.book.sync().map_err(book_error)?;
		self.book.prune(epoch.saturating_sub(submission_window())).map_err(book_error)?;
		self.submit_receipts(best, number, epoch)?;
		answered
	}

	/// Receipts of closed epochs that count more than the chain credited and are due.
	fn due_receipts(
		&self,
		best: H256,
		number: BlockNumber,
		epoch: EpochIndex,
	) -> Result<Vec<SignedReceipt<AccountId>>, DutyError> {
		let api = self.client.runtime_api();
		let mut due = Vec::new();
		let mut pending = 0u64;
		for signed in self.book.receipts() {
			let r = &signed.receipt;
			// Receipts of the open epoch may still grow: they go out once it has closed, and
			// until then the chain has credited none of them.
			if r.epoch >= epoch {
				pending += 1;
				continue;
			}
			let claimed = api
				.claimed(best, r.epoch, self.node.clone(), r.client.clone(), r.moderator.clone())
				.map_err(DutyError::chain)?;
			if r.bytes <= claimed {
				continue;
			}
			pending += 1;
			let attempt = Attempt::Receipt(r.client.clone(), r.epoch, r.moderator.clone(), r.bytes);
			if self.due(attempt, number) {
				due.push(signed);
			}
		}
		self.metrics.receipts_pending.set(pending);
		Ok(due)
	}

	/// Sends the due receipts in batches of at most `MaxBatch`, each dry-run first and
	/// bisected if the chain refuses it.
	fn submit_receipts(
		&self,
		best: H256,
		number: BlockNumber,
		epoch: EpochIndex,
	) -> Result<(), DutyError> {
		let due = self.due_receipts(best, number, epoch)?;
		// Forgeries are dropped without asking the chain (one batch verification): the door
		// lets none in, but a book written by an older node may hold some.
		let (valid, forged) = verify_batch(due, &self.book.genesis());
		for signed in &forged {
			self.drop_receipt(signed, "BadSignature");
		}
		let max = <<Runtime as pallet_bandwidth::Config>::MaxBatch as Get<u32>>::get() as usize;
		let mut trials_left = MAX_TRIALS_PER_ROUND;
		for chunk in valid.chunks(max.max(1)) {
			let found = bisect(chunk.to_vec(), |candidate| {
				if trials_left == 0 {
					return Trial::Stop(DutyError::OutOfTrials);
				}
				trials_left -= 1;
				match self.dry_run(best, candidate) {
					Ok(()) => Trial::Accepted,
					Err(e) if e.drops_receipt() => Trial::Refused(e),
					Err(e) => Trial::Stop(e),
				}
			});
			for (signed, error) in &found.refused {
				self.drop_receipt(signed, error.label());
			}
			if !found.accepted.is_empty() {
				self.send_receipts(best, found.accepted);
			}
			if let Some((error, undecided)) = found.stopped {
				self.metrics
					.receipts_deferred
					.with_label_values(&[error.label()])
					.inc_by(undecided.len() as u64);
				log::warn!(
					target: "duties",
					"{} receipts wait for a retry in {RETRY_BLOCKS} blocks: {error}",
					undecided.len()
				);
				// The same cause would stop the next batches too.
				break;
			}
		}
		Ok(())
	}

	/// Puts a batch the dry run accepted in the pool.
	fn send_receipts(&self, best: H256, receipts: Vec<SignedReceipt<AccountId>>) {
		let count = receipts.len();
		match self.submit(best, receipts_call(receipts)) {
			Ok(()) => {
				self.metrics.receipts_submitted.inc_by(count as u64);
				log::info!(target: "duties", "Submitted {count} receipts");
			},
			Err(e) => {
				self.metrics.receipts_deferred.with_label_values(&[e.label()]).inc_by(count as u64);
				log::warn!(target: "duties", "{count} receipts not submitted: {e}");
			},
		}
	}

	/// Drops a receipt the chain refuses from the book, for good.
	fn drop_receipt(&self, signed: &SignedReceipt<AccountId>, error: &'static str) {
		let r = &signed.receipt;
		self.metrics.receipts_dropped.with_label_values(&[error]).inc();
		log::warn!(
			target: "duties",
			"Dropped the receipt of {} for {} bytes in epoch {}: the chain refuses it ({error})",
			r.client,
			r.bytes,
			r.epoch
		);
		if let Err(e) = self.book.refuse(signed) {
			log::error!(target: "duties", "could not record the refused receipt: {e}");
		}
	}

	/// What the chain would do with `receipts` now: `apply_extrinsic` at the best block, on a
	/// runtime API instance of its own whose changes are thrown away (`system_dryRun`). Costs
	/// no fee.
	fn dry_run(&self, best: H256, receipts: &[SignedReceipt<AccountId>]) -> Result<(), DutyError> {
		let nonce: Nonce = self
			.client
			.runtime_api()
			.account_nonce(best, self.node.clone())
			.map_err(DutyError::chain)?;
		let xt = self.extrinsic(best, receipts_call(receipts.to_vec()), nonce)?;
		match self.client.runtime_api().apply_extrinsic(best, xt) {
			Err(e) => Err(DutyError::chain(e)),
			Ok(Err(invalid)) => Err(DutyError::NotValid(format!("{invalid:?}"))),
			Ok(Ok(Err(error))) => Err(classify(error)),
			Ok(Ok(Ok(()))) => Ok(()),
		}
	}

	/// Answers the node's pending challenges, each with one proof per chunk it names, built
	/// from the store's outboard and the chunks' groups (no pass over the whole item).
	fn answer_challenges(&self, best: H256, number: BlockNumber) -> Result<(), DutyError> {
		let challenges = self
			.client
			.runtime_api()
			.pending_challenges(best, self.node.clone())
			.map_err(DutyError::chain)?;
		for (id, challenge) in challenges {
			if !self.due(Attempt::Challenge(id), number) {
				continue;
			}
			let proofs = self.store.prove_chunks(&challenge.content, &challenge.chunks);
			if let Err(ProveError::Corrupt { id } | ProveError::OutboardInconsistent { id }) =
				&proofs
			{
				// Removed, so that replication fetches a good copy.
				self.store.quarantine(id);
			}
			let proofs = proofs.map_err(|e| e.to_string()).and_then(|proofs| {
				BoundedVec::try_from(proofs)
					.map_err(|_| "more proofs than a challenge takes".into())
			});
			let proofs = match proofs {
				Ok(proofs) => proofs,
				Err(e) => {
					self.metrics.challenges_missed.inc();
					log::warn!(
						target: "duties",
						"Cannot answer challenge {id} for {} (chunks {:?}): {e}",
						bitcloud_content::to_hex(&challenge.content),
						challenge.chunks
					);
					continue;
				},
			};
			let call = RuntimeCall::StorageLaw(pallet_storage_law::Call::respond {
				challenge_id: id,
				proofs,
			});
			match self.submit(best, call) {
				Ok(()) => {
					self.metrics.challenges_answered.inc();
					log::info!(target: "duties", "Answered storage challenge {id}");
				},
				Err(e) => log::warn!(target: "duties", "Challenge {id} not answered: {e}"),
			}
		}
		Ok(())
	}

	/// Whether `attempt` was not tried in its last retry interval ([`RETRY_BLOCKS`] or
	/// [`CHALLENGE_RETRY_BLOCKS`]); records it as tried now.
	fn due(&self, attempt: Attempt, number: BlockNumber) -> bool {
		let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
		attempts.retain(|_, at| number.saturating_sub(*at) < RETRY_BLOCKS * 20);
		let retry = match attempt {
			Attempt::Challenge(_) => CHALLENGE_RETRY_BLOCKS,
			Attempt::Receipt(..) => RETRY_BLOCKS,
		};
		match attempts.get(&attempt) {
			Some(at) if number.saturating_sub(*at) < retry => false,
			_ => {
				attempts.insert(attempt, number);
				true
			},
		}
	}

	/// `call` signed with the node's key and `nonce`, for the runtime at `best`.
	fn extrinsic(
		&self,
		best: H256,
		call: RuntimeCall,
		nonce: Nonce,
	) -> Result<OpaqueExtrinsic, DutyError> {
		let version = self.client.runtime_api().version(best).map_err(DutyError::chain)?;
		let context = SigningContext {
			nonce,
			genesis: self.client.info().genesis_hash,
			spec_version: version.spec_version,
			transaction_version: version.transaction_version,
		};
		let public = sr25519::Public::from_raw(*self.node.as_ref());
		let xt = try_signed_extrinsic(call, self.node.clone(), context, |payload| {
			self.keystore
				.sr25519_sign(KEY_TYPE, &public, payload)
				.map_err(|e| DutyError::Signing(e.to_string()))?
				.ok_or_else(|| DutyError::Signing("the node's key left the keystore".into()))
		})?;
		OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode())
			.map_err(|e| DutyError::Signing(format!("cannot encode the transaction: {e}")))
	}

	/// Signs `call` with the node's key and puts it in the transaction pool.
	fn submit(&self, best: H256, call: RuntimeCall) -> Result<(), DutyError> {
		let on_chain: Nonce = self
			.client
			.runtime_api()
			.account_nonce(best, self.node.clone())
			.map_err(DutyError::chain)?;
		let mut next = self.next_nonce.lock().unwrap_or_else(|p| p.into_inner());
		let nonce = next.map_or(on_chain, |n| n.max(on_chain));
		let opaque = self.extrinsic(best, call, nonce)?;
		let submitted = futures::executor::block_on(self.pool.submit_one(
			best,
			TransactionSource::Local,
			opaque,
		));
		match submitted {
			Ok(_) => {
				*next = Some(nonce + 1);
				Ok(())
			},
			Err(e) => {
				// The nonce may be stale or ahead: ask the chain again next time.
				*next = None;
				Err(DutyError::Pool(e.to_string()))
			},
		}
	}
}

/// `bandwidth.submitReceipts` with `receipts` (at most `MaxBatch`: the caller's batches are).
fn receipts_call(receipts: Vec<SignedReceipt<AccountId>>) -> RuntimeCall {
	let receipts = BoundedVec::truncate_from(receipts);
	RuntimeCall::Bandwidth(pallet_bandwidth::Call::submit_receipts { receipts })
}
