//! Proven catalog items (`CatalogProofs`): what the storage law records when a node proves it
//! holds an item, and the partitioned catalog index behind it.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::{
	traits::{CatalogProofs, ListedItem},
	ContentId, ModeratorRegistry,
};
use polkadot_sdk::{
	frame_support::{assert_err, assert_ok},
	sp_runtime::Perbill,
};

type Registry = Pallet<Test>;

/// The contents at positions `0..catalog_len` of `who`'s catalog, in order.
fn positions(who: AccountId) -> Vec<ContentId> {
	(0..Registry::catalog_len(&who))
		.map(|i| Registry::listed_item_at(&who, i).expect("dense").content)
		.collect()
}

/// Record a proof of `content` (`size` bytes) for a probe issued in block `issued_at`, and
/// check that it is recorded (`proven`: moved to the first unproven position, counted, block
/// noted) or changes nothing; no event either way (the storage law emits `ContentProven`).
fn assert_record_proof(
	who: AccountId,
	content: ContentId,
	size: u64,
	issued_at: u64,
	proven: bool,
) {
	let pre = MemorySnapshot::new();
	let events_before = System::events().len();
	assert_eq!(Registry::record_proof(&who, &content, size, issued_at), proven);

	let mut expected = pre;
	if proven {
		let info = expected.moderators.get_mut(&who).expect("a moderator");
		let border = info.proven_items;
		info.proven_items += 1;
		info.proven_bytes += size;
		let index = expected.catalog[&(who, content)].index;
		expected.move_position(who, border, index);
		expected.catalog_index.insert((who, border), content);
		let item = expected.catalog.get_mut(&(who, content)).expect("listed");
		item.index = border;
		item.proven_at = Some(System::block_number());
	}
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(System::events().len(), events_before);
	assert_ok!(Moderation::do_try_state());
}

/// Register Alice with two items of 100 bytes and prove the second one in block 2.
fn alice_with_one_of_two_items_proven() {
	register(ALICE);
	list(ALICE, content(1), 100);
	list(ALICE, content(2), 100);
	run_to_block(2);
	assert_record_proof(ALICE, content(2), 100, 2, true);
}

#[test]
fn listed_items_are_unproven_and_hold_nobody_to_their_size() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 250);
		assert_eq!(Registry::proven_len(&ALICE), 0);
		// Only proven bytes are an obligation: a listed size is just the moderator's claim.
		assert_eq!(Registry::catalog_bytes(&ALICE), 0);
		assert_eq!(
			Registry::listed_item_at(&ALICE, 1),
			Some(ListedItem { content: content(2), size: 250, listed_at: 1, proven: false })
		);
		assert_eq!(Registry::listed_item_at(&ALICE, 2), None);
	});
}

#[test]
fn a_proof_of_the_listing_proves_it_and_moves_it_to_the_proven_part() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 200);
		list(ALICE, content(3), 300);
		run_to_block(5);
		// The third item swaps places with the first unproven one.
		assert_record_proof(ALICE, content(3), 300, 4, true);
		assert_eq!(positions(ALICE), vec![content(3), content(2), content(1)]);
		assert_eq!(Registry::proven_len(&ALICE), 1);
		assert_eq!(Registry::catalog_bytes(&ALICE), 300);
		assert_eq!(
			Registry::listed_item_at(&ALICE, 0),
			Some(ListedItem { content: content(3), size: 300, listed_at: 1, proven: true })
		);
		// The first unproven item is already at the border: it stays.
		assert_record_proof(ALICE, content(2), 200, 5, true);
		assert_eq!(positions(ALICE), vec![content(3), content(2), content(1)]);
		assert_record_proof(ALICE, content(1), 100, 5, true);
		assert_eq!(Registry::proven_len(&ALICE), 3);
		assert_eq!(Registry::catalog_bytes(&ALICE), 600);
		assert_eq!(Catalog::<Test>::get(ALICE, content(1)).unwrap().proven_at, Some(5));
		assert_eq!(Registry::catalog_item_view(&ALICE, &content(1)).unwrap().proven_at, Some(5));
	});
}

#[test]
fn proofs_of_another_size_a_later_listing_or_a_second_time_change_nothing() {
	new_test_ext(|| {
		register(ALICE);
		run_to_block(3);
		list(ALICE, content(1), 100);
		// Another size than the one listed.
		assert_record_proof(ALICE, content(1), 101, 5, false);
		// A probe issued before (or in the block of) this listing was for an earlier one.
		assert_record_proof(ALICE, content(1), 100, 3, false);
		assert_record_proof(ALICE, content(1), 100, 2, false);
		// Content that is not listed, or a moderator that does not exist.
		assert_record_proof(ALICE, content(2), 100, 5, false);
		assert_record_proof(BOB, content(1), 100, 5, false);
		// The first proof counts; a second changes nothing.
		run_to_block(4);
		assert_record_proof(ALICE, content(1), 100, 4, true);
		run_to_block(6);
		assert_record_proof(ALICE, content(1), 100, 6, false);
		assert_eq!(Catalog::<Test>::get(ALICE, content(1)).unwrap().proven_at, Some(4));
	});
}

#[test]
fn a_retired_catalog_records_no_proof() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		assert_retire_moderator(ALICE, false);
		run_to_block(5);
		assert_record_proof(ALICE, content(1), 100, 5, false);
		assert_eq!(Registry::proven_len(&ALICE), 0);
		assert_eq!(Registry::listed_item_at(&ALICE, 0), None);
	});
}

#[test]
fn delisting_keeps_the_index_dense_and_partitioned() {
	new_test_ext(|| {
		register(ALICE);
		for n in 1..=4 {
			list(ALICE, content(n), u64::from(n) * 100);
		}
		run_to_block(2);
		for n in [1, 2, 3] {
			assert_record_proof(ALICE, content(n), u64::from(n) * 100, 2, true);
		}
		assert_eq!(positions(ALICE), vec![content(1), content(2), content(3), content(4)]);
		// A proven item in the middle: the last proven one fills its place, the last item
		// the border.
		assert_delist_content(ALICE, content(1));
		assert_eq!(positions(ALICE), vec![content(3), content(2), content(4)]);
		assert_eq!((Registry::proven_len(&ALICE), Registry::catalog_bytes(&ALICE)), (2, 500));
		// The last proven item, with an unproven one after it.
		assert_delist_content(ALICE, content(2));
		assert_eq!(positions(ALICE), vec![content(3), content(4)]);
		// An unproven item.
		assert_delist_content(ALICE, content(4));
		assert_eq!(positions(ALICE), vec![content(3)]);
		// The last item, proven.
		assert_delist_content(ALICE, content(3));
		assert_eq!(Registry::catalog_len(&ALICE), 0);
		assert_eq!(Registry::proven_len(&ALICE), 0);
		// Listed again, it is a new listing: unproven until proved again.
		list(ALICE, content(3), 300);
		assert_eq!(Registry::proven_len(&ALICE), 0);
	});
}

#[test]
fn delisting_a_proven_item_when_all_are_proven() {
	new_test_ext(|| {
		register(ALICE);
		for n in 1..=3 {
			list(ALICE, content(n), 10);
		}
		run_to_block(2);
		for n in 1..=3 {
			assert_record_proof(ALICE, content(n), 10, 2, true);
		}
		assert_delist_content(ALICE, content(2));
		assert_eq!(positions(ALICE), vec![content(1), content(3)]);
		assert_eq!(Registry::proven_len(&ALICE), 2);
	});
}

#[test]
fn genesis_items_count_as_proven() {
	let genesis = GenesisConfig::<Test> {
		moderators: vec![(ALICE, b"news".to_vec(), vec![], [1; 32], Perbill::zero())],
		catalog: vec![
			(ALICE, content(1), 100, b"one".to_vec(), b"video/x".to_vec()),
			(ALICE, content(2), 200, b"two".to_vec(), b"audio/x".to_vec()),
		],
		deny_list: vec![],
	};
	ExtBuilder::default().with_genesis(genesis).build_and_execute(|| {
		let info = Moderators::<Test>::get(ALICE).unwrap();
		assert_eq!((info.proven_items, info.proven_bytes), (2, 300));
		assert_eq!(Registry::catalog_bytes(&ALICE), 300);
		assert_eq!(Catalog::<Test>::get(ALICE, content(2)).unwrap().proven_at, Some(0));
		// Content listed after genesis is not.
		list(ALICE, content(3), 50);
		assert_eq!(Registry::proven_len(&ALICE), 2);
		assert_eq!(Registry::catalog_bytes(&ALICE), 300);
	});
}

#[test]
fn reaping_removes_proven_items_too() {
	new_test_ext(|| {
		alice_with_one_of_two_items_proven();
		assert_retire_moderator(ALICE, false);
		run_to_block(100);
		assert_reap_moderator(BOB, ALICE);
		assert_eq!(CatalogIndex::<Test>::iter_prefix(ALICE).count(), 0);
	});
}

#[test]
fn try_state_detects_a_broken_partition() {
	new_test_ext(|| {
		alice_with_one_of_two_items_proven();

		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().proven_bytes = 1);
		assert_err!(Moderation::do_try_state(), "proven byte total differs from the items");
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().proven_bytes = 100);

		// An unproven item inside the proven part.
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().proven_items = 2);
		assert_err!(
			Moderation::do_try_state(),
			"catalog index not partitioned into proven and unproven items"
		);
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().proven_items = 1);

		Catalog::<Test>::mutate(ALICE, content(2), |item| {
			item.as_mut().unwrap().proven_at = Some(0);
		});
		assert_err!(Moderation::do_try_state(), "catalog item proven before its listing");
		Catalog::<Test>::mutate(ALICE, content(2), |item| {
			item.as_mut().unwrap().proven_at = Some(2);
		});
		assert_ok!(Moderation::do_try_state());
	});
}
