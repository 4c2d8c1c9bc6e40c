//! The content node's duties on chain, signed with the node's own key from the keystore:
//! submitting the receipts its clients signed, answering the storage law's challenges with
//! proofs built from its store, and keeping leased objects (`leases`: joining their leases,
//! claiming their pay). A tokio task runs a round at every new best block (and
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
//! [`MAX_TRIALS_PER_ROUND`] dry runs are made per round. A [`DutyError`] says whether a
//! receipt is dropped (the chain refuses it) or tried again later (the chain, the pool or
//! the node's own standing is the problem).

mod error;
mod leases;
mod metrics;

use std::{
	collections::BTreeMap,
	sync::{Arc, Mutex, MutexGuard},
	time::Duration,
};

use bitcloud_content::{
	bisect::{bisect, Bisection, Trial},
	book::verify_batch,
	protocol::ReceiptKey,
	prove::ProveError,
	ContentStore, ReceiptBook,
};
use bitcloud_primitives::{storage_proof::ChallengeProofs, EpochIndex, SignedReceipt};
use bitcloud_runtime::{
	signing::{try_signed_extrinsic, SigningContext},
	AccountId, BlockNumber, Nonce, RuntimeCall,
};
use codec::Encode;
use futures::StreamExt;
use pallet_bandwidth::runtime_api::BandwidthApi;
use pallet_storage_law::{runtime_api::StorageLawApi, Challenge, ChallengeId, ChallengeKind};
use polkadot_sdk::{
	frame_system_rpc_runtime_api::AccountNonceApi,
	sc_client_api::BlockchainEvents,
	sc_transaction_pool_api::{TransactionPool as _, TransactionSource},
	sp_api::{Core as _, ProvideRuntimeApi},
	sp_block_builder::BlockBuilder as _,
	sp_blockchain::HeaderBackend,
	sp_core::H256,
	sp_runtime::{BoundedVec, OpaqueExtrinsic},
	substrate_prometheus_endpoint::Registry,
};

pub use self::error::{Cause, DutyError, StartError};
use self::{error::classify, metrics::DutyMetrics};
use crate::{
	client::{FullClient, TransactionPool},
	node_key::NodeKey,
	runtime_params,
};

/// Longest time between two rounds when no new best block comes: one block.
pub const ROUND: Duration = runtime_params::BLOCK_TIME;

/// Blocks before a receipt batch that has not taken effect is sent again.
pub const RETRY_BLOCKS: BlockNumber = 5;

/// Blocks before an answer to a challenge that has not taken effect is sent again: within
/// the challenge's deadline (`storageLaw.params().responseBlocks`, 4 on public chains).
pub const CHALLENGE_RETRY_BLOCKS: BlockNumber = 2;

/// Blocks after which an attempt is forgotten: long past any retry interval, so that the
/// record of attempts does not grow with every receipt ever tried.
const FORGET_ATTEMPTS_AFTER: BlockNumber = RETRY_BLOCKS * 20;

/// Dry runs of receipt batches per round at most. A dry run of a full batch (256 receipts)
/// costs a few tens of milliseconds, so a round stays within a second or two even when many
/// receipts are refused; one bad receipt in a full batch needs at most 17. Receipts not
/// decided when they run out wait [`RETRY_BLOCKS`] like any other retry.
pub const MAX_TRIALS_PER_ROUND: usize = 64;

/// What a retry is remembered by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Attempt {
	/// A receipt, by what it counts for and how many bytes it counts.
	Receipt(ReceiptKey, u64),
	/// An answer to a challenge.
	Challenge(ChallengeId),
	/// Joining a lease as a keeper.
	Keep(bitcloud_primitives::LeaseId),
	/// Claiming what a kept lease owes.
	Claim(bitcloud_primitives::LeaseId),
}

impl Attempt {
	/// Blocks before the attempt is made again.
	fn retry_blocks(&self) -> BlockNumber {
		match self {
			Attempt::Challenge(_) => CHALLENGE_RETRY_BLOCKS,
			Attempt::Receipt(..) | Attempt::Keep(_) | Attempt::Claim(_) => RETRY_BLOCKS,
		}
	}
}

/// What the duties act through.
pub struct DutyParts {
	/// The client, for runtime API calls at the best block.
	pub client: Arc<FullClient>,
	/// The pool the transactions go to.
	pub pool: Arc<TransactionPool>,
	/// The node account's key, which signs them.
	pub key: NodeKey,
	/// The receipts the node's clients signed.
	pub book: Arc<ReceiptBook>,
	/// The store that challenges are answered from.
	pub store: Arc<ContentStore>,
}

/// The content node's duties.
pub struct Duties {
	client: Arc<FullClient>,
	pool: Arc<TransactionPool>,
	key: NodeKey,
	book: Arc<ReceiptBook>,
	store: Arc<ContentStore>,
	metrics: DutyMetrics,
	/// The block at which each receipt or answer was last tried.
	attempts: Mutex<BTreeMap<Attempt, BlockNumber>>,
	/// The nonce after the last transaction the pool took: the chain's nonce does not count
	/// transactions still in the pool.
	next_nonce: Mutex<Option<Nonce>>,
	/// The epoch whose lease claims were looked at: once per epoch, not per block.
	claims_checked: Mutex<Option<EpochIndex>>,
}

/// `mutex` locked; a panic while it was held leaves a plain value behind: keep using it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
	mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Duties {
	/// The duties done with `parts`; the node's key must be in the keystore.
	pub fn new(parts: DutyParts, registry: Option<&Registry>) -> Result<Self, StartError> {
		let DutyParts { client, pool, key, book, store } = parts;
		if !key.is_present() {
			return Err(StartError::KeyMissing(key.account().clone()));
		}
		let metrics = DutyMetrics::register(registry).map_err(StartError::Metrics)?;
		let (attempts, next_nonce, claims_checked) = Default::default();
		Ok(Duties { client, pool, key, book, store, metrics, attempts, next_nonce, claims_checked })
	}

	/// The node's account.
	fn node(&self) -> AccountId {
		self.key.account().clone()
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
			// A timeout is the slow pace itself, not a failure.
			let _ = tokio::time::timeout(ROUND, next_best).await;
		}
	}

	/// One round: challenges, then receipts of closed epochs the chain has not credited, then
	/// the leases the node keeps or may keep.
	fn round(&self) -> Result<(), DutyError> {
		let info = self.client.info();
		let (best, number) = (info.best_hash, info.best_number);
		let answered = self.answer_challenges(best, number);
		let (epoch, _) = self.client.runtime_api().receipt_context(best)?;
		self.book.sync()?;
		self.book.prune(runtime_params::oldest_submittable_epoch(epoch))?;
		self.submit_receipts(best, number, epoch)?;
		self.lease_duties(best, number, epoch)?;
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
			let claimed =
				api.claimed(best, r.epoch, self.node(), r.client.clone(), r.moderator.clone())?;
			if r.bytes <= claimed {
				continue;
			}
			pending += 1;
			if self.due(Attempt::Receipt(ReceiptKey::from(r), r.bytes), number) {
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
		let mut trials_left = MAX_TRIALS_PER_ROUND;
		for batch in valid.chunks(runtime_params::max_batch().max(1)) {
			let found = self.search(best, batch, &mut trials_left);
			if !self.settle(best, found) {
				// The same cause would stop the next batches too.
				break;
			}
		}
		Ok(())
	}

	/// Bisects `batch` by dry runs, while `trials_left`, into the receipts the chain accepts
	/// together and those it refuses.
	fn search(
		&self,
		best: H256,
		batch: &[SignedReceipt<AccountId>],
		trials_left: &mut usize,
	) -> Bisection<SignedReceipt<AccountId>, DutyError> {
		bisect(batch.to_vec(), |candidate| {
			if *trials_left == 0 {
				return Trial::Stop(Cause::OutOfTrials.into());
			}
			*trials_left -= 1;
			match self.dry_run(best, candidate) {
				Ok(()) => Trial::Accepted,
				Err(e @ DutyError::DropReceipt(_)) => Trial::Refused(e),
				Err(e @ DutyError::RetryLater(_)) => Trial::Stop(e),
			}
		})
	}

	/// Drops the receipts `found` refused, sends those it accepted and counts those it left
	/// for a retry. Returns whether the search went to its end.
	fn settle(&self, best: H256, found: Bisection<SignedReceipt<AccountId>, DutyError>) -> bool {
		for (signed, error) in &found.refused {
			self.drop_receipt(signed, error.label());
		}
		if !found.accepted.is_empty() {
			self.send_receipts(best, found.accepted);
		}
		let Some((error, undecided)) = found.stopped else { return true };
		self.metrics
			.receipts_deferred
			.with_label_values(&[error.label()])
			.inc_by(undecided.len() as u64);
		log::warn!(
			target: "duties",
			"{} receipts wait for a retry in {RETRY_BLOCKS} blocks: {error}",
			undecided.len()
		);
		false
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
		let nonce: Nonce = self.client.runtime_api().account_nonce(best, self.node())?;
		let xt = self.extrinsic(best, receipts_call(receipts.to_vec()), nonce)?;
		match self.client.runtime_api().apply_extrinsic(best, xt)? {
			Err(invalid) => Err(Cause::NotValid(invalid).into()),
			Ok(Err(error)) => Err(classify(error)),
			Ok(Ok(())) => Ok(()),
		}
	}

	/// Answers the node's pending challenges that are due.
	fn answer_challenges(&self, best: H256, number: BlockNumber) -> Result<(), DutyError> {
		let challenges = self.client.runtime_api().pending_challenges(best, self.node())?;
		for (id, challenge) in challenges {
			if self.due(Attempt::Challenge(id), number) {
				self.answer(best, id, &challenge);
			}
		}
		Ok(())
	}

	/// Answers challenge `id`, or counts it missed; either way it is tried again
	/// [`CHALLENGE_RETRY_BLOCKS`] later if the chain still lists it then.
	fn answer(&self, best: H256, id: ChallengeId, challenge: &Challenge<AccountId, BlockNumber>) {
		let proofs = match self.prove(challenge) {
			Ok(proofs) => proofs,
			Err(e) => {
				self.metrics.challenges_missed.inc();
				log::warn!(
					target: "duties",
					"Cannot answer challenge {id} ({}) for {} (chunks {:?}): {e}",
					kind_name(challenge.kind),
					bitcloud_content::to_hex(&challenge.content),
					challenge.chunks
				);
				return;
			},
		};
		let call =
			RuntimeCall::StorageLaw(pallet_storage_law::Call::respond { challenge_id: id, proofs });
		match self.submit(best, call) {
			Ok(()) => {
				self.metrics.challenges_answered.inc();
				log::info!(target: "duties", "Answered storage challenge {id}");
			},
			Err(e) => log::warn!(target: "duties", "Challenge {id} not answered: {e}"),
		}
	}

	/// One proof per chunk `challenge` names, built from the store's outboard and the
	/// chunks' groups (no pass over the whole item).
	fn prove(
		&self,
		challenge: &Challenge<AccountId, BlockNumber>,
	) -> Result<ChallengeProofs, DutyError> {
		let proofs = self.store.prove_chunks(&challenge.content, &challenge.chunks);
		if let Err(ProveError::Corrupt { id } | ProveError::OutboardInconsistent { id }) = &proofs {
			// Removed, so that replication fetches a good copy.
			self.store.quarantine(id);
		}
		let proofs = proofs.map_err(Cause::Proof)?;
		let count = proofs.len();
		BoundedVec::try_from(proofs).map_err(|_| Cause::TooManyProofs(count).into())
	}

	/// Whether `attempt` was not tried in its last retry interval ([`RETRY_BLOCKS`] or
	/// [`CHALLENGE_RETRY_BLOCKS`]); records it as tried now.
	fn due(&self, attempt: Attempt, number: BlockNumber) -> bool {
		let mut attempts = lock(&self.attempts);
		attempts.retain(|_, at| number.saturating_sub(*at) < FORGET_ATTEMPTS_AFTER);
		match attempts.get(&attempt) {
			Some(at) if number.saturating_sub(*at) < attempt.retry_blocks() => false,
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
		let version = self.client.runtime_api().version(best)?;
		let context = SigningContext {
			nonce,
			genesis: self.client.info().genesis_hash,
			spec_version: version.spec_version,
			transaction_version: version.transaction_version,
		};
		let xt =
			try_signed_extrinsic(call, self.node(), context, |payload| self.key.sign(payload))?;
		OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode())
			.map_err(|e| Cause::Encoding(e).into())
	}

	/// Signs `call` with the node's key and puts it in the transaction pool.
	fn submit(&self, best: H256, call: RuntimeCall) -> Result<(), DutyError> {
		let on_chain: Nonce = self.client.runtime_api().account_nonce(best, self.node())?;
		let mut next = lock(&self.next_nonce);
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
				Err(Cause::Pool(e).into())
			},
		}
	}
}

/// `bandwidth.submitReceipts` with `receipts` (at most `MaxBatch`: the caller's batches are).
fn receipts_call(receipts: Vec<SignedReceipt<AccountId>>) -> RuntimeCall {
	let receipts = BoundedVec::truncate_from(receipts);
	RuntimeCall::Bandwidth(pallet_bandwidth::Call::submit_receipts { receipts })
}

/// What a challenge is for, for the logs: `obligation`, `probe` or `lease <id>`. A lease
/// challenge is answered like the others, from the store, where the leased object is kept.
fn kind_name(kind: ChallengeKind) -> String {
	match kind {
		ChallengeKind::Obligation => "obligation".into(),
		ChallengeKind::Probe => "probe".into(),
		ChallengeKind::Lease(lease) => format!("lease {lease}"),
	}
}
