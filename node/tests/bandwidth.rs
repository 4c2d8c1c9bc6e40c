//! End to end against the real node: proof of bandwidth over RPC. A client (Ferdie) locks
//! coins, signs receipts for bytes the sample node Dave served under Charlie's catalog, Dave
//! submits them and the totals show in `BandwidthApi`; then every attack of
//! `docs/threat-model.md` that a receipt can carry fails with its error and changes nothing.

mod common;

use bitcloud_primitives::{
	receipt::{self, Receipt, SignedReceipt},
	EpochIndex,
};
use bitcloud_runtime::{Runtime, RuntimeCall, RuntimeEvent, UNIT};
use common::{account, failure, succeeded, Node};
use pallet_bandwidth::{ClientQuota, EpochSummary, Error, Event, NodeBytes};
use polkadot_sdk::{
	frame_support::BoundedVec,
	sp_core::{crypto::AccountId32, H256},
	sp_keyring::Sr25519Keyring::{self, Alice, Bob, Charlie, Dave, Eve, Ferdie},
	sp_runtime::DispatchError,
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
	let node = Node::start_dev(&[]);
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
	// Eve may add at most the 1 MiB left.
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
	assert_refused(&node, Eve, vec![eve_over], epoch, Error::QuotaExceeded);

	// Content under a moderator Dave does not subscribe to (Alice is none of his).
	let (epoch, _) = receipt_context(&node);
	let unsubscribed = receipt_signed_by(Ferdie, Ferdie, Dave, epoch, Some(Alice), 1_000, &genesis);
	assert_refused(&node, Dave, vec![unsubscribed], epoch, Error::NotSubscribed);

	// A client without a lock (Bob locked nothing).
	let no_lock = receipt_signed_by(Bob, Bob, Dave, epoch, Some(Charlie), 1_000, &genesis);
	assert_refused(&node, Dave, vec![no_lock], epoch, Error::ClientHasNoLock);

	assert!(node.stop().success());
}
