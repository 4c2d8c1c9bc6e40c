//! The content node's duties on chain, signed with the node's own key from the keystore:
//! submitting the receipts its clients signed, and answering the storage law's challenges
//! with proofs built from its store. A tokio task runs a round every [`ROUND`]; the chain is
//! the source of truth for what is done (`BandwidthApi::claimed`,
//! `StorageLawApi::pending_challenges`), so a lost or dropped transaction is simply sent
//! again [`RETRY_BLOCKS`] later.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use bitcloud_content::{book::verify_batch, ContentStore, ReceiptBook};
use bitcloud_primitives::{storage_proof::build_proof_from_reader, EpochIndex};
use bitcloud_runtime::{
	signing::{try_signed_extrinsic, SigningContext},
	AccountId, BlockNumber, Nonce, Runtime, RuntimeCall,
};
use codec::Encode;
use pallet_bandwidth::runtime_api::BandwidthApi;
use pallet_storage_law::runtime_api::StorageLawApi;
use polkadot_sdk::{
	frame_support::traits::Get,
	frame_system_rpc_runtime_api::AccountNonceApi,
	sc_transaction_pool_api::{TransactionPool as _, TransactionSource},
	sp_api::{Core as _, ProvideRuntimeApi},
	sp_blockchain::HeaderBackend,
	sp_core::{crypto::KeyTypeId, sr25519, H256},
	sp_keystore::KeystorePtr,
	sp_runtime::{BoundedVec, OpaqueExtrinsic},
	substrate_prometheus_endpoint::{register, Counter, Gauge, PrometheusError, Registry, U64},
};

use crate::service::{FullClient, TransactionPool};

/// Key type of the content node's account key in the keystore
/// (`bitcloud-node key insert --key-type bcnd --scheme sr25519 --suri ...`).
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bcnd");

/// How often the duties run: one block.
pub const ROUND: Duration = Duration::from_secs(6);

/// Blocks before a transaction that has not taken effect is sent again.
pub const RETRY_BLOCKS: BlockNumber = 5;

/// Epochs after its own that a receipt can still be submitted (the runtime's
/// `SubmissionWindow`).
const SUBMISSION_WINDOW: EpochIndex = 2;

/// The duties' figures in the node's Prometheus registry.
#[derive(Clone)]
pub struct DutyMetrics {
	receipts_pending: Gauge<U64>,
	receipts_submitted: Counter<U64>,
	receipts_rejected: Counter<U64>,
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
			receipts_rejected: Counter::new(
				"bitcloud_receipts_rejected_total",
				"Receipts dropped before submission (bad signature) or refused by the pool",
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
			register(m.receipts_rejected.clone(), registry)?;
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

	/// Runs a round every [`ROUND`] until the future is dropped.
	pub async fn run(self) {
		let this = Arc::new(self);
		let mut tick = tokio::time::interval(ROUND);
		tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
		loop {
			tick.tick().await;
			let round = this.clone();
			match tokio::task::spawn_blocking(move || round.round()).await {
				Ok(Ok(())) => {},
				Ok(Err(e)) => log::warn!(target: "duties", "{e}"),
				Err(e) => log::error!(target: "duties", "duties round failed: {e}"),
			}
		}
	}

	/// One round: receipts of closed epochs the chain has not credited, then challenges.
	fn round(&self) -> Result<(), String> {
		let info = self.client.info();
		let (best, number) = (info.best_hash, info.best_number);
		let api = self.client.runtime_api();
		let (epoch, _) = api.receipt_context(best).map_err(|e| e.to_string())?;
		let genesis = self.book.genesis();
		self.book.sync().map_err(|e| e.to_string())?;
		self.book.prune(epoch.saturating_sub(SUBMISSION_WINDOW)).map_err(|e| e.to_string())?;
		self.submit_receipts(best, number, epoch, genesis)?;
		self.answer_challenges(best, number)
	}

	fn submit_receipts(
		&self,
		best: H256,
		number: BlockNumber,
		epoch: EpochIndex,
		genesis: H256,
	) -> Result<(), String> {
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
				.map_err(|e| e.to_string())?;
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
		let (valid, dropped) = verify_batch(due, &genesis);
		self.metrics.receipts_rejected.inc_by(dropped as u64);
		let max = <<Runtime as pallet_bandwidth::Config>::MaxBatch as Get<u32>>::get() as usize;
		for batch in valid.chunks(max.max(1)) {
			let receipts = BoundedVec::truncate_from(batch.to_vec());
			let call = RuntimeCall::Bandwidth(pallet_bandwidth::Call::submit_receipts { receipts });
			match self.submit(best, call) {
				Ok(()) => {
					self.metrics.receipts_submitted.inc_by(batch.len() as u64);
					log::info!(target: "duties", "Submitted {} receipts", batch.len());
				},
				Err(e) => {
					self.metrics.receipts_rejected.inc_by(batch.len() as u64);
					log::warn!(target: "duties", "Receipts not submitted: {e}");
				},
			}
		}
		Ok(())
	}

	fn answer_challenges(&self, best: H256, number: BlockNumber) -> Result<(), String> {
		let challenges = self
			.client
			.runtime_api()
			.pending_challenges(best, self.node.clone())
			.map_err(|e| e.to_string())?;
		for (id, challenge) in challenges {
			if !self.due(Attempt::Challenge(id), number) {
				continue;
			}
			let proof = std::fs::File::open(self.store.data_path(&challenge.content))
				.map_err(|e| e.to_string())
				.and_then(|file| {
					build_proof_from_reader(file, challenge.size, challenge.chunk)
						.map_err(|e| format!("{e:?}"))
				});
			let proof = match proof {
				Ok(proof) => proof,
				Err(e) => {
					self.metrics.challenges_missed.inc();
					log::warn!(
						target: "duties",
						"Cannot answer challenge {id} for {} (chunk {}): {e}",
						bitcloud_content::to_hex(&challenge.content),
						challenge.chunk
					);
					continue;
				},
			};
			let call = RuntimeCall::StorageLaw(pallet_storage_law::Call::respond {
				challenge_id: id,
				proof,
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

	/// Whether `attempt` was not tried in the last [`RETRY_BLOCKS`]; records it as tried now.
	fn due(&self, attempt: Attempt, number: BlockNumber) -> bool {
		let mut attempts = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
		attempts.retain(|_, at| number.saturating_sub(*at) < RETRY_BLOCKS * 20);
		match attempts.get(&attempt) {
			Some(at) if number.saturating_sub(*at) < RETRY_BLOCKS => false,
			_ => {
				attempts.insert(attempt, number);
				true
			},
		}
	}

	/// Signs `call` with the node's key and puts it in the transaction pool.
	fn submit(&self, best: H256, call: RuntimeCall) -> Result<(), String> {
		let api = self.client.runtime_api();
		let version = api.version(best).map_err(|e| e.to_string())?;
		let on_chain: Nonce =
			api.account_nonce(best, self.node.clone()).map_err(|e| e.to_string())?;
		let mut next = self.next_nonce.lock().unwrap_or_else(|p| p.into_inner());
		let nonce = next.map_or(on_chain, |n| n.max(on_chain));
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
				.map_err(|e| e.to_string())?
				.ok_or_else(|| "the node's key left the keystore".to_string())
		})?;
		let opaque = OpaqueExtrinsic::try_from_encoded_extrinsic(&xt.encode())
			.map_err(|e| format!("cannot encode the transaction: {e}"))?;
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
				Err(e.to_string())
			},
		}
	}
}
