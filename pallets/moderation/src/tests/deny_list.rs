//! Deny lists.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::deny_key;
use polkadot_sdk::{frame_support::assert_noop, sp_runtime::DispatchError};

#[test]
fn deny_content_adds_the_deny_key() {
	new_test_ext(|| {
		register(ALICE);
		assert_deny_content(ALICE, content(1));
		assert_deny_content(ALICE, content(2));
		// Denying does not delist, and the key is not the content id.
		assert!(DenyList::<Test>::contains_key(ALICE, deny_key(&content(1))));
		assert!(!DenyList::<Test>::contains_key(ALICE, content(1)));
	});
}

#[test]
fn deny_content_does_not_delist() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 10);
		assert_deny_content(ALICE, content(1));
		assert!(Catalog::<Test>::contains_key(ALICE, content(1)));
	});
}

#[test]
fn deny_content_refuses_duplicates_full_list_unknown_retired_and_unsigned() {
	new_test_ext(|| {
		let key = deny_key(&content(1));
		assert_noop!(
			Moderation::deny_content(RuntimeOrigin::signed(ALICE), key),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		assert_deny_content(ALICE, content(1));
		assert_noop!(
			Moderation::deny_content(RuntimeOrigin::signed(ALICE), key),
			Error::<Test>::AlreadyDenied
		);
		assert_deny_content(ALICE, content(2));
		assert_deny_content(ALICE, content(3));
		assert_noop!(
			Moderation::deny_content(RuntimeOrigin::signed(ALICE), deny_key(&content(4))),
			Error::<Test>::DenyListFull
		);
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::deny_content(origin, key), DispatchError::BadOrigin);
		}
		assert_allow_content(ALICE, content(3));
		assert_retire_moderator(ALICE, false);
		assert_noop!(
			Moderation::deny_content(RuntimeOrigin::signed(ALICE), deny_key(&content(4))),
			Error::<Test>::ModeratorRetired
		);
	});
}

#[test]
fn allow_content_removes_the_deny_key() {
	new_test_ext(|| {
		register(ALICE);
		assert_deny_content(ALICE, content(1));
		assert_allow_content(ALICE, content(1));
		// Once allowed, the content can be listed.
		list(ALICE, content(1), 10);
	});
}

#[test]
fn allow_content_refuses_missing_unknown_retired_and_unsigned() {
	new_test_ext(|| {
		let key = deny_key(&content(1));
		assert_noop!(
			Moderation::allow_content(RuntimeOrigin::signed(ALICE), key),
			Error::<Test>::UnknownModerator
		);
		register(ALICE);
		assert_noop!(
			Moderation::allow_content(RuntimeOrigin::signed(ALICE), key),
			Error::<Test>::NotDenied
		);
		assert_deny_content(ALICE, content(1));
		for origin in [RuntimeOrigin::none(), RuntimeOrigin::root()] {
			assert_noop!(Moderation::allow_content(origin, key), DispatchError::BadOrigin);
		}
		assert_retire_moderator(ALICE, false);
		assert_noop!(
			Moderation::allow_content(RuntimeOrigin::signed(ALICE), key),
			Error::<Test>::ModeratorRetired
		);
	});
}
