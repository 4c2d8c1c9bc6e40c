//! Submitting receipts: what is credited, and every receipt the chain refuses.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{receipt, BandwidthLedger, Receipt, Standing};
use polkadot_sdk::{
	frame_support::{assert_noop, dispatch::GetDispatchInfo, traits::fungible::Inspect},
	sp_core::{Pair, H256},
	sp_runtime::DispatchError,
};

/// [`CLIENT`] locks enough for 10 000 bytes per epoch.
fn client_with_quota() {
	assert_lock(CLIENT, 1_000_000);
}

#[test]
fn only_the_increase_of_a_cumulative_receipt_is_credited() {
	new_test_ext(|| {
		client_with_quota();
		assert_eq!(
			assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000)]),
			1_000
		);
		assert_eq!(
			assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 3_000)]),
			2_000
		);
		assert_eq!(
			Bandwidth::claimed(0, &account(NODE), &account(CLIENT), &Some(account(MODERATOR))),
			3_000
		);
		assert_eq!(Bandwidth::node_bytes(0, &account(NODE)), 3_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).used, 3_000);
	});
}

#[test]
fn a_batch_credits_many_pairs_and_repeated_pairs_once_each() {
	new_test_ext(|| {
		client_with_quota();
		assert_lock(CLIENT_2, 500_000);
		run_to_epoch(2);
		let credited = assert_submit(
			NODE,
			vec![
				signed(CLIENT, NODE, 2, Some(MODERATOR), 1_000),
				signed(CLIENT, NODE, 2, None, 500),
				signed(CLIENT_2, NODE, 2, Some(MODERATOR), 700),
				// The same pair again in the batch: only its increase counts.
				signed(CLIENT, NODE, 2, Some(MODERATOR), 1_600),
				// An earlier epoch still in the window.
				signed(CLIENT, NODE, 0, Some(MODERATOR), 100),
			],
		);
		assert_eq!(credited, 1_600 + 500 + 700 + 100);
		assert_eq!(
			Bandwidth::node_bytes_by_moderator(2, &account(NODE)),
			vec![(Some(account(MODERATOR)), 2_300), (None, 500)]
		);
		assert_eq!(Bandwidth::total_bytes(2), 2_800);
		assert_eq!(Bandwidth::total_bytes(0), 100);
		assert_eq!(ModeratorBytes::<Test>::get(2, None::<AccountId>), 500);
		assert_submit(NODE_2, vec![signed(CLIENT, NODE_2, 2, Some(MODERATOR), 900)]);
		assert_eq!(ModeratorBytes::<Test>::get(2, Some(account(MODERATOR))), 3_200);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 2).used, 1_600 + 500 + 900);
	});
}

#[test]
fn a_replayed_or_lower_receipt_is_refused() {
	new_test_ext(|| {
		client_with_quota();
		let receipt = signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000);
		assert_submit(NODE, vec![receipt.clone()]);
		assert_submit_fails(NODE, vec![receipt.clone()], Error::<Test>::NotIncreasing);
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 999)],
			Error::<Test>::NotIncreasing,
		);
		// A replay within one batch.
		let next = signed(CLIENT, NODE, 0, Some(MODERATOR), 2_000);
		assert_submit_fails(NODE, vec![next.clone(), next], Error::<Test>::NotIncreasing);
		// A zero receipt credits nothing.
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, None, 0)],
			Error::<Test>::NotIncreasing,
		);
	});
}

#[test]
fn forged_altered_and_foreign_receipts_are_refused() {
	new_test_ext(|| {
		client_with_quota();
		// Signed by the node instead of the client.
		assert_submit_fails(
			NODE,
			vec![signed_by(NODE, CLIENT, NODE, 0, Some(MODERATOR), 1_000)],
			Error::<Test>::BadSignature,
		);
		// Inflated after signing.
		let mut inflated = signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000);
		inflated.receipt.bytes = 5_000;
		assert_submit_fails(NODE, vec![inflated], Error::<Test>::BadSignature);
		// Signed for another chain.
		let other_chain = receipt::sign(
			Receipt {
				client: account(CLIENT),
				node: account(NODE),
				epoch: 0,
				moderator: Some(account(MODERATOR)),
				bytes: 1_000,
			},
			&CLIENT.pair(),
			&H256::repeat_byte(0x99),
		);
		assert!(receipt::verify(&other_chain, &H256::repeat_byte(0x99)));
		assert_submit_fails(NODE, vec![other_chain], Error::<Test>::BadSignature);
		// A signature of the plain receipt, without domain tag and genesis hash.
		let mut plain = signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000);
		plain.signature = CLIENT.pair().sign(&codec::Encode::encode(&plain.receipt));
		assert_submit_fails(NODE, vec![plain], Error::<Test>::BadSignature);
	});
}

#[test]
fn one_bad_receipt_fails_the_whole_batch() {
	new_test_ext(|| {
		client_with_quota();
		let mut bad = signed(CLIENT, NODE, 0, None, 500);
		bad.receipt.bytes = 600;
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000), bad],
			Error::<Test>::BadSignature,
		);
		assert_eq!(Bandwidth::total_bytes(0), 0);
	});
}

#[test]
fn receipts_outside_the_submission_window_are_refused() {
	new_test_ext(|| {
		client_with_quota();
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 1, Some(MODERATOR), 1_000)],
			Error::<Test>::EpochOutsideWindow,
		);
		run_to_epoch(3);
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000)],
			Error::<Test>::EpochOutsideWindow,
		);
		// The window's oldest epoch (3 - 2) is still open.
		assert_submit(NODE, vec![signed(CLIENT, NODE, 1, Some(MODERATOR), 1_000)]);
		assert!(Bandwidth::is_final(0));
		assert!(!Bandwidth::is_final(1));
	});
}

#[test]
fn only_active_or_warned_nodes_submit() {
	new_test_ext(|| {
		client_with_quota();
		let receipt = |node| vec![signed(CLIENT, node, 0, Some(MODERATOR), 1_000)];
		assert_submit_fails(STRANGER, receipt(STRANGER), Error::<Test>::NotANode);
		for standing in [Standing::Suspended, Standing::Banned] {
			set_node(&account(NODE), standing, &[account(MODERATOR)], true);
			assert_submit_fails(NODE, receipt(NODE), Error::<Test>::NodeNotEarning);
		}
		set_node(&account(NODE), Standing::Warned, &[account(MODERATOR)], true);
		assert_submit(NODE, receipt(NODE));
		remove_node(&account(NODE));
		assert_submit_fails(NODE, receipt(NODE), Error::<Test>::NotANode);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Bandwidth::submit_receipts(origin, batch(receipt(NODE_2))),
				DispatchError::BadOrigin
			);
		}
		assert_submit_fails(NODE_2, vec![], Error::<Test>::EmptyBatch);
	});
}

#[test]
fn a_node_submits_only_its_own_receipts_and_not_as_its_own_client() {
	new_test_ext(|| {
		client_with_quota();
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE_2, 0, Some(MODERATOR), 1_000)],
			Error::<Test>::WrongNode,
		);
		assert_lock(NODE, 1_000_000);
		assert_submit_fails(
			NODE,
			vec![signed(NODE, NODE, 0, Some(MODERATOR), 1_000)],
			Error::<Test>::SelfServed,
		);
	});
}

#[test]
fn content_must_be_under_a_subscribed_moderator_or_carried_unmoderated() {
	new_test_ext(|| {
		client_with_quota();
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, Some(MODERATOR_2), 1_000)],
			Error::<Test>::NotSubscribed,
		);
		assert_submit_fails(
			NODE_2,
			vec![signed(CLIENT, NODE_2, 0, None, 1_000)],
			Error::<Test>::UnmoderatedNotCarried,
		);
		assert_submit(NODE, vec![signed(CLIENT, NODE, 0, None, 1_000)]);
	});
}

#[test]
fn a_client_signing_past_its_quota_across_nodes_pays_the_later_nodes_from_its_lock() {
	new_test_ext(|| {
		client_with_quota();
		// 10 000 bytes of quota; the client signs 6 000 to NODE and 6 000 to NODE_2.
		assert_eq!(
			assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 6_000)]),
			6_000
		);
		let node_2_free = Balances::balance(&account(NODE_2));
		// NODE_2 is credited the 4 000 left and paid 2 000 × FeePerByte for the rest.
		assert_eq!(
			assert_submit(NODE_2, vec![signed(CLIENT, NODE_2, 0, Some(MODERATOR), 6_000)]),
			4_000
		);
		assert_eq!(Balances::balance(&account(NODE_2)), node_2_free + 2_000 * FeePerByte::get());
		assert!(bandwidth_events().contains(&Event::QuotaOverdrawn {
			client: account(CLIENT),
			node: account(NODE_2),
			epoch: 0,
			bytes: 2_000,
			paid: 2_000 * FeePerByte::get(),
		}));
		// The receipt is used up: resubmitting it is a replay, and a higher total of NODE's
		// is credited nothing more but paid for.
		assert_submit_fails(
			NODE_2,
			vec![signed(CLIENT, NODE_2, 0, Some(MODERATOR), 6_000)],
			Error::<Test>::NotIncreasing,
		);
		assert_eq!(assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 7_000)]), 0);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).used, 10_000);
		// The quota is per epoch, and follows the coins: the 3 000 paid to the nodes for
		// overdrawn bytes left the lock.
		run_to_epoch(1);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 1).quota, 9_970);
		assert_eq!(
			assert_submit(NODE, vec![signed(CLIENT, NODE, 1, Some(MODERATOR), 10_000)]),
			9_970
		);
	});
}

#[test]
fn a_batch_is_weighed_for_overdrafts_and_refunded_those_that_did_not_happen() {
	new_test_ext(|| {
		client_with_quota();
		assert_lock(CLIENT_2, 100_000);
		let receipts = vec![
			signed(CLIENT, NODE, 0, Some(MODERATOR), 1_000),
			// CLIENT_2's quota is 1 000 bytes: 500 are paid from its lock.
			signed(CLIENT_2, NODE, 0, Some(MODERATOR), 1_500),
		];
		let call = Call::<Test>::submit_receipts { receipts: batch(receipts.clone()) };
		// Before it runs, every receipt may overdraw.
		assert_eq!(call.get_dispatch_info().call_weight, <() as WeightInfo>::submit_receipts(0, 2));
		// Run, it is charged one receipt within quota and one past it (checked by assert_submit).
		assert_eq!(assert_submit(NODE, receipts), 2_000);
		// The refund is of time: a receipt within quota reads and writes less.
		let (refunded, upfront) =
			(<() as WeightInfo>::submit_receipts(1, 1), <() as WeightInfo>::submit_receipts(0, 2));
		assert!(refunded.ref_time() < upfront.ref_time());
		assert!(refunded.all_lte(upfront));
	});
}

#[test]
fn a_client_cannot_void_its_receipts_by_unlocking() {
	new_test_ext(|| {
		client_with_quota();
		// The client signs for 5 000 bytes in epoch 0, then unlocks everything.
		let receipt = signed(CLIENT, NODE, 0, Some(MODERATOR), 5_000);
		assert_unlock(CLIENT, 1_000_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).quota, 10_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 1).quota, 0);
		// The unlocking coins still pay for the receipt of epoch 0, late in its window.
		run_to_epoch(SUBMISSION_WINDOW);
		assert_submit(NODE, vec![receipt]);
		let unlocking = Locks::<Test>::get(account(CLIENT)).expect("held").unlocking;
		assert_eq!(unlocking, 1_000_000 - 5_000 * FeePerByte::get());
		// Epochs after the unlock are not backed.
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 1, Some(MODERATOR), 1)],
			Error::<Test>::ClientHasNoLock,
		);
	});
}

#[test]
fn unlocked_coins_are_withdrawn_only_after_the_window_of_their_epoch() {
	new_test_ext(|| {
		client_with_quota();
		run_to_epoch(1);
		assert_unlock(CLIENT, 1_000_000);
		// Governance doubles the epoch length: the unlock delay now passes within the
		// submission window of the epoch of the unlock.
		BlocksPerEpoch::set(2 * EPOCH_LENGTH);
		run_to_block(10 + UNLOCK_DELAY);
		assert!(!Bandwidth::epoch_is_final(1));
		assert_noop!(
			Bandwidth::withdraw_unlocked(RuntimeOrigin::signed(account(CLIENT))),
			Error::<Test>::StillBackingReceipts
		);
		run_to_epoch(1 + SUBMISSION_WINDOW + 1);
		assert_withdraw_unlocked(CLIENT);
		BlocksPerEpoch::set(EPOCH_LENGTH);
	});
}

#[test]
fn a_client_without_locked_coins_gets_nothing_credited() {
	new_test_ext(|| {
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT_2, NODE, 0, Some(MODERATOR), 1)],
			Error::<Test>::ClientHasNoLock,
		);
		// Coins unlocked in epoch 0 back no receipt of a later epoch.
		assert_lock(CLIENT_2, 100_000);
		assert_unlock(CLIENT_2, 100_000);
		run_to_epoch(1);
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT_2, NODE, 1, Some(MODERATOR), 1)],
			Error::<Test>::ClientHasNoLock,
		);
	});
}

#[test]
fn pairs_per_client_and_moderators_per_node_are_bounded() {
	new_test_ext(|| {
		client_with_quota();
		assert_lock(CLIENT_2, 1_000_000);
		let moderators = [account(MODERATOR), account(MODERATOR_2), account(POOR)];
		set_node(&account(NODE), Standing::Active, &moderators, true);
		assert_submit(
			NODE,
			vec![
				signed(CLIENT, NODE, 0, Some(MODERATOR), 10),
				signed(CLIENT, NODE, 0, Some(MODERATOR_2), 10),
				signed(CLIENT, NODE, 0, Some(POOR), 10),
			],
		);
		assert_submit(NODE_2, vec![signed(CLIENT, NODE_2, 0, Some(MODERATOR), 10)]);
		// A fifth pair for the client.
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT, NODE, 0, None, 10)],
			Error::<Test>::TooManyPairs,
		);
		// A fourth moderator for the node.
		assert_submit_fails(
			NODE,
			vec![signed(CLIENT_2, NODE, 0, None, 10)],
			Error::<Test>::TooManyModerators,
		);
	});
}

#[test]
fn credited_bytes_cost_the_client_a_fee_burnt_from_its_lock() {
	new_test_ext(|| {
		client_with_quota();
		let issuance = Balances::total_issuance();
		assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 3_000)]);
		let lock = Locks::<Test>::get(account(CLIENT)).expect("locked");
		assert_eq!((lock.locked, lock.spent), (1_000_000 - 3_000, 3_000));
		// Spent fees still count for the quota until they are burnt.
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).quota, 10_000);
		// The client's next call burns them.
		assert_lock(CLIENT, 1_000);
		assert_eq!(Balances::total_issuance(), issuance - 3_000);
		assert_eq!(Bandwidth::client_quota(&account(CLIENT), 0).quota, 9_980);
		assert!(bandwidth_events()
			.contains(&Event::FeesBurnt { client: account(CLIENT), amount: 3_000 }));
	});
}

#[test]
fn bytes_are_credited_only_as_far_as_the_lock_pays_their_fees() {
	new_test_ext(|| {
		client_with_quota();
		// 10 000 bytes of quota would cost 2 000 000 at 200 per byte: the 1 000 000 locked
		// pay for 5 000, and nothing is left to pay the node for the rest.
		FeePerByte::set(200);
		assert_eq!(
			assert_submit(NODE, vec![signed(CLIENT, NODE, 0, Some(MODERATOR), 6_000)]),
			5_000
		);
		assert!(bandwidth_events().contains(&Event::QuotaOverdrawn {
			client: account(CLIENT),
			node: account(NODE),
			epoch: 0,
			bytes: 1_000,
			paid: 0,
		}));
		FeePerByte::set(DEFAULT_FEE_PER_BYTE);
	});
}
