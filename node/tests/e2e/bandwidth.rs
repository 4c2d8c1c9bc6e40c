//! End to end against the real node: proof of bandwidth over RPC. A client (Ferdie) locks
//! coins, signs receipts for bytes the sample node Dave served under Charlie's catalog, Dave
//! submits them and the totals show in `BandwidthApi`; then every attack of
//! `docs/threat-model.md` that a receipt can carry fails with its error and changes nothing.
//! Once the epoch closes, Dave claims: his balance rises by exactly what the reward formula
//! gives from the runtime's parameters, and Charlie receives his commission.

use crate::common::{account, failure, succeeded, Node};
use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	EpochIndex,
};
use bitcloud_runtime::{
	configs::bitcloud::PricePerByte, Runtime, RuntimeCall, RuntimeEvent, DEV_EPOCH_BLOCKS, UNIT,
};
use pallet_bandwidth::{ClientQuota, EpochSummary, Error, Event, NodeBytes};
use pallet_rewards::{ClaimStatus, PendingRewards};
use polkadot_sdk::{
	frame_support::BoundedVec,
	pallet_transaction_payment,
	sp_core::{crypto::AccountId32, H256},
	sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie},
	sp_runtime::{DispatchError, Perbill},
};

/// 1 MiB: the quota one locked CLD buys per epoch on the development chain.
const MIB: u64 = 1 << 20;

/// The current epoch and the genesis hash receipts are signed for, from the runtime API.
fn receipt_context(node: &Node) -> (EpochIndex, H256) {
	node.runtime_api("BandwidthApi_receipt_context", ())
}

/// A receipt of `client` for `bytes` served by `server` in `epoch` under `moderator`, signed
/// with `signer`'s key for the chain of `genesis`.
fn receipt_signed_by(
	signer: Sr25519Keyring,
	client: Sr25519Keyring,
	server: Sr25519Keyring,
	epoch: EpochIndex,
	moderator: Option<Sr25519Keyring>,
	bytes: u64,
	genesis: &H256,
) -> SignedReceipt<AccountId32> {
	let r = Receipt {
		client: account(client),
		node: account(server),
		epoch,
		moderator: moderator.map(account),
		bytes,
	};
	receipt::sign(r, &signer.pair(), genesis)
}

fn submit(receipts: Vec<SignedReceipt<AccountId32>>) -> RuntimeCall {
	RuntimeCall::Bandwidth(pallet_bandwidth::Call::submit_receipts {
		receipts: BoundedVec::try_from(receipts).expect("within MaxBatch"),
	})
}

/// Everything an attack could change: Ferdie's lock and usage, the figures of Dave, Eve,
/// Charlie and the epoch.
#[derive(Debug, PartialEq)]
struct Figures {
	ferdie: ClientQuota<u128>,
	dave: NodeBytes<AccountId32>,
	eve: NodeBytes<AccountId32>,
	charlie: u64,
	epoch: EpochSummary,
}

fn figures(node: &Node, epoch: EpochIndex) -> Figures {
	Figures {
		ferdie: node.runtime_api("BandwidthApi_client_quota", (account(Ferdie), epoch)),
		dave: node.runtime_api("BandwidthApi_node_bytes", (account(Dave), epoch)),
		eve: node.runtime_api("BandwidthApi_node_bytes", (account(Eve), epoch)),
		charlie: node.runtime_api("BandwidthApi_moderator_bytes", (Some(account(Charlie)), epoch)),
		epoch: node.runtime_api("BandwidthApi_epoch_totals", epoch),
	}
}

/// `server` submits `receipts`; the extrinsic must fail with `error` and leave the figures of
/// `epoch` as they were.
fn assert_refused(
	node: &Node,
	server: Sr25519Keyring,
	receipts: Vec<SignedReceipt<AccountId32>>,
	epoch: EpochIndex,
	error: Error<Runtime>,
) {
	let before = figures(node, epoch);
	let events = node.execute(server, submit(receipts));
	assert_eq!(failure(&events), Some(DispatchError::from(error)), "{events:?}");
	assert_eq!(figures(node, epoch), before, "a refused batch changes nothing");
}

#[test]
fn receipts_land_over_rpc_and_attacks_fail() {
	let node = Node::start_dev(&["--no-content"]);
	node.wait_finalized(1);

	// The genesis hash a client reads with chain_getBlockHash(0) is the one the chain checks.
	let genesis = node.block_hash(0);
	let (_, context_genesis) = receipt_context(&node);
	assert_eq!(context_genesis, genesis);

	// Ferdie locks 4 CLD: 4 MiB of quota per epoch.
	let events = node
		.execute(Ferdie, RuntimeCall::Bandwidth(pallet_bandwidth::Call::lock { amount: 4 * UNIT }));
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Bandwidth(Event::Locked {
		client: account(Ferdie),
		amount: 4 * UNIT,
		locked: 4 * UNIT,
	})));

	// Dave served Ferdie 1 MiB of Charlie's catalog; Ferdie signed for it, Dave submits.
	let (epoch, _) = receipt_context(&node);
	let first = receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Charlie), MIB, &genesis);
	let events = node.execute(Dave, submit(vec![first.clone()]));
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Bandwidth(Event::ReceiptsAccepted {
		node: account(Dave),
		receipts: 1,
		bytes: MIB,
		// The runtime's fee: 1 CLD per 10^9 bytes, burnt from Ferdie's lock.
		fees: u128::from(MIB) * (UNIT / 1_000_000_000),
	})));

	// The totals show in the runtime API.
	let shown = figures(&node, epoch);
	assert_eq!(shown.dave.total, MIB);
	assert_eq!(shown.dave.by_moderator, vec![(Some(account(Charlie)), MIB)]);
	assert_eq!(shown.eve.total, 0);
	assert_eq!(shown.charlie, MIB);
	assert_eq!(shown.epoch.total_bytes, MIB);
	assert_eq!(shown.ferdie.quota, 4 * MIB);
	assert_eq!(shown.ferdie.used, MIB);
	let claimed: u64 = node.runtime_api(
		"BandwidthApi_claimed",
		(epoch, account(Dave), account(Ferdie), Some(account(Charlie))),
	);
	assert_eq!(claimed, MIB);

	// A replayed receipt.
	assert_refused(&node, Dave, vec![first], epoch, Error::NotIncreasing);
	// A lower total.
	let lower = receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Charlie), MIB / 2, &genesis);
	assert_refused(&node, Dave, vec![lower], epoch, Error::NotIncreasing);
	// A receipt signed for another chain.
	let foreign = H256::repeat_byte(0x42);
	let other_chain =
		receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Charlie), 2 * MIB, &foreign);
	assert!(receipt::verify(&other_chain, &foreign));
	assert_refused(&node, Dave, vec![other_chain], epoch, Error::BadSignature);
	// A forged signature: Dave signs a receipt in Ferdie's name.
	let forged = receipt_signed_by(Dave, Ferdie, Dave, epoch, Some(Charlie), 2 * MIB, &genesis);
	assert_refused(&node, Dave, vec![forged], epoch, Error::BadSignature);

	// Over quota across two nodes, within one epoch: Dave claims up to 3 MiB in total, then
	// Eve is credited the 1 MiB left and paid for the byte beyond it from Ferdie's lock.
	let (epoch, _) = receipt_context(&node);
	let dave_total: u64 = node.runtime_api(
		"BandwidthApi_claimed",
		(epoch, account(Dave), account(Ferdie), Some(account(Charlie))),
	);
	let used = figures(&node, epoch).ferdie.used;
	let dave_more = dave_total + (3 * MIB - used);
	let events = node.execute(
		Dave,
		submit(vec![receipt_signed_by(
			Ferdie,
			Ferdie,
			Dave,
			epoch,
			Some(Charlie),
			dave_more,
			&genesis,
		)]),
	);
	assert!(succeeded(&events), "{events:?}");
	assert_eq!(figures(&node, epoch).ferdie.used, 3 * MIB);
	let eve_over = receipt_signed_by(Ferdie, Ferdie, Eve, epoch, Some(Charlie), MIB + 1, &genesis);
	let events = node.execute(Eve, submit(vec![eve_over]));
	assert!(succeeded(&events), "{events:?}");
	assert_eq!(figures(&node, epoch).ferdie.used, 4 * MIB);
	assert!(
		events.iter().any(|e| matches!(
			e,
			RuntimeEvent::Bandwidth(Event::QuotaOverdrawn { bytes: 1, paid, .. }) if *paid > 0
		)),
		"{events:?}"
	);

	// Content under a moderator Dave does not subscribe to (Alice is none of his).
	let (epoch, _) = receipt_context(&node);
	let unsubscribed = receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Alice), 1_000, &genesis);
	assert_refused(&node, Dave, vec![unsubscribed], epoch, Error::NotSubscribed);

	// A client without a lock (Bob locked nothing).
	let no_lock = receipt_signed_by(Bob, Bob, Dave, epoch, Some(Charlie), 1_000, &genesis);
	assert_refused(&node, Dave, vec![no_lock], epoch, Error::ClientHasNoLock);

	assert!(node.stop().success());
}

/// The fee paid for the extrinsic whose events are `events`.
fn fee_paid(events: &[RuntimeEvent]) -> u128 {
	events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::TransactionPayment(
				pallet_transaction_payment::Event::TransactionFeePaid { actual_fee, tip, .. },
			) => Some(actual_fee + tip),
			_ => None,
		})
		.expect("a signed extrinsic pays a fee")
}

#[test]
fn a_node_claims_what_the_formula_gives_and_the_moderator_its_commission() {
	let node = Node::start_dev(&["--no-content"]);
	node.wait_finalized(1);
	let genesis = node.block_hash(0);

	// Ferdie locks 4 CLD and Dave serves him 3 MiB of Charlie's catalog.
	let lock = RuntimeCall::Bandwidth(pallet_bandwidth::Call::lock { amount: 4 * UNIT });
	assert!(succeeded(&node.execute(Ferdie, lock)));
	let (epoch, _) = receipt_context(&node);
	let bytes = 3 * MIB;
	let receipt = receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Charlie), bytes, &genesis);
	let submitted = node.execute(Dave, submit(vec![receipt]));
	assert!(succeeded(&submitted), "{submitted:?}");
	let receipt_fees = submitted
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Bandwidth(Event::ReceiptsAccepted { fees, .. }) => Some(*fees),
			_ => None,
		})
		.expect("the batch was accepted");

	// The epoch is final once its submission window (two more epochs) has passed.
	let open: PendingRewards<AccountId32, u128> =
		node.runtime_api("RewardsApi_pending_rewards", (account(Dave), epoch));
	assert_eq!(open.status, ClaimStatus::NotFinal);
	let final_from = (epoch + 3) * DEV_EPOCH_BLOCKS;
	let (mut reached, _) = node.finalized_head();
	while reached < final_from {
		reached = node.wait_finalized((reached + 20).min(final_from)).0;
	}

	// The formula, from the runtime's parameters: the pot shared by bytes (Dave carried all of
	// them), capped at the price per byte; Charlie's 10 % commission on the bytes of his
	// catalog (all of them), rounded down; Dave gets the rest.
	let pot: u128 = node.runtime_api("RewardsApi_emission", epoch);
	let reward = pot.min(PricePerByte::get() * u128::from(bytes));
	let commission = Perbill::from_percent(10) * reward;
	let pending: PendingRewards<AccountId32, u128> =
		node.runtime_api("RewardsApi_pending_rewards", (account(Dave), epoch));
	assert_eq!(pending.status, ClaimStatus::Claimable);
	assert_eq!(
		(pending.node_bytes, pending.total, pending.node_part),
		(bytes, reward, reward - commission)
	);
	assert_eq!(pending.commissions, vec![(account(Charlie), commission)]);

	let dave_before = node.account(&account(Dave), None).data.free;
	let charlie_before = node.account(&account(Charlie), None).data.free;
	let claim = RuntimeCall::Rewards(pallet_rewards::Call::claim_rewards { epoch });
	let events = node.execute(Dave, claim.clone());
	assert!(succeeded(&events), "{events:?}");
	assert!(events.contains(&RuntimeEvent::Rewards(pallet_rewards::Event::RewardsClaimed {
		node: account(Dave),
		epoch,
		bytes,
		node_reward: reward - commission,
		commissions: commission,
		claimed_by: account(Dave),
	})));
	let dave_after = node.account(&account(Dave), None).data.free;
	assert_eq!(dave_after, dave_before + (reward - commission) - fee_paid(&events));
	let charlie_after = node.account(&account(Charlie), None).data.free;
	assert_eq!(charlie_after, charlie_before + commission);

	// Self-dealing, with the runtime's real parameters: had Dave and Ferdie been one operator
	// downloading from itself, the reward (commission included) would not even cover the fee
	// burnt from the lock, let alone the two transactions' fees.
	let operator_profit = reward as i128
		- receipt_fees as i128
		- fee_paid(&submitted) as i128
		- fee_paid(&events) as i128;
	assert!(reward <= receipt_fees, "the price per byte is both fee and cap");
	assert!(operator_profit < 0, "self-dealing lost {operator_profit}");

	// A second claim for the same epoch pays nothing.
	let events = node.execute(Dave, claim);
	let already = pallet_rewards::Error::<Runtime>::AlreadyClaimed.into();
	assert_eq!(failure(&events), Some(already), "{events:?}");
	assert_eq!(node.account(&account(Charlie), None).data.free, charlie_after);
	node.stop();
}
