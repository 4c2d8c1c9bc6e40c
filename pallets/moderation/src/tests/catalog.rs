//! Listing and delisting content.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

fn list_call(who: AccountId, content: bitcloud_primitives::ContentId, size: u64) -> DispatchResult {
	Moderation::list_content(
		RuntimeOrigin::signed(who),
		content,
		size,
		b"t".to_vec(),
		b"m".to_vec(),
		None,
	)
}

use polkadot_sdk::frame_support::pallet_prelude::DispatchResult;

#[test]
fn list_content_adds_item_at_next_position() {
	new_test_ext(|| {
		register(ALICE);
		assert_list_content(ALICE, content(1), 100, b"first", b"video/x", None);
		assert_list_content(ALICE, content(2), 200, &[b't'; 16], &[b'm'; 8], Some(CHARLIE));
		assert_list_content(ALICE, content(3), 1, b"", b"", Some(ALICE));
		// The same content may be in several catalogs.
		register(BOB);
		assert_list_content(BOB, content(1), 100, b"first", b"video/x", None);
	});
}

#[test]
fn list_content_fills_catalog_to_its_limits() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 1);
		list(ALICE, content(2), 1);
		list(ALICE, content(3), 1);
		// The last item takes the catalog to exactly MaxCatalogBytes and MaxCatalogItems.
		list(ALICE, content(4), MAX_CATALOG_BYTES - 3);
		assert_noop!(list_call(ALICE, content(5), 1), Error::<Test>::CatalogFull);
	});
}

#[test]
fn list_content_refuses_bytes_above_the_limit() {
	new_test_ext(|| {
		register(ALICE);
		assert_noop!(
			list_call(ALICE, content(1), MAX_CATALOG_BYTES + 1),
			Error::<Test>::CatalogTooLarge
		);
		list(ALICE, content(1), MAX_CATALOG_BYTES);
		assert_noop!(list_call(ALICE, content(2), 1), Error::<Test>::CatalogTooLarge);
		// Overflow is refused, not wrapped.
		assert_noop!(list_call(ALICE, content(2), u64::MAX), Error::<Test>::CatalogTooLarge);
	});
}

#[test]
fn list_content_refuses_bad_input() {
	new_test_ext(|| {
		register(ALICE);
		assert_noop!(list_call(ALICE, content(1), 0), Error::<Test>::EmptyContent);
		assert_noop!(
			Moderation::list_content(
				RuntimeOrigin::signed(ALICE),
				content(1),
				1,
				vec![b't'; 17],
				vec![],
				None
			),
			Error::<Test>::TitleTooLong
		);
		assert_noop!(
			Moderation::list_content(
				RuntimeOrigin::signed(ALICE),
				content(1),
				1,
				vec![],
				vec![b'm'; 9],
				None
			),
			Error::<Test>::MimeTypeTooLong
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(
				Moderation::list_content(origin, content(1), 1, vec![], vec![], None),
				DispatchError::BadOrigin
			);
		}
	});
}

#[test]
fn list_content_refuses_duplicates_denied_unknown_and_retired() {
	new_test_ext(|| {
		assert_noop!(list_call(ALICE, content(1), 1), Error::<Test>::UnknownModerator);
		register(ALICE);
		list(ALICE, content(1), 1);
		assert_noop!(list_call(ALICE, content(1), 1), Error::<Test>::AlreadyListed);
		assert_deny_content(ALICE, content(2));
		assert_noop!(list_call(ALICE, content(2), 1), Error::<Test>::ContentDenied);
		assert_retire_moderator(ALICE, false);
		assert_noop!(list_call(ALICE, content(3), 1), Error::<Test>::ModeratorRetired);
	});
}

#[test]
fn delist_content_swaps_last_item_into_the_gap() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 10);
		list(ALICE, content(2), 20);
		list(ALICE, content(3), 30);
		// Middle item: the last one moves into its position.
		assert_delist_content(ALICE, content(2));
		assert_eq!(CatalogIndex::<Test>::get(ALICE, 1), Some(content(3)));
		// First item.
		assert_delist_content(ALICE, content(1));
		// Last and only item.
		assert_delist_content(ALICE, content(3));
		assert_eq!(Moderators::<Test>::get(ALICE).unwrap().catalog_bytes, 0);
		// A delisted item can be listed again.
		list(ALICE, content(2), 20);
	});
}

#[test]
fn delist_content_refuses_unlisted_unknown_retired_and_unsigned() {
	new_test_ext(|| {
		assert_noop!(
			Moderation::delist_content(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		register(BOB);
		list(BOB, content(1), 10);
		// Another moderator's item is not in ALICE's catalog.
		assert_noop!(
			Moderation::delist_content(RuntimeOrigin::signed(ALICE), content(1)),
			Error::<Test>::NotListed
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::delist_content(origin, content(1)), DispatchError::BadOrigin);
		}
		assert_retire_moderator(BOB, false);
		assert_noop!(
			Moderation::delist_content(RuntimeOrigin::signed(BOB), content(1)),
			Error::<Test>::ModeratorRetired
		);
	});
}
