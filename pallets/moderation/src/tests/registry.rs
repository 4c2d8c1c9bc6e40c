//! The `ModeratorRegistry` trait, genesis and the invariant checker.

use super::testing_utils::*;
use crate::{mock::*, *};
use bitcloud_primitives::ModeratorRegistry;
use polkadot_sdk::{frame_support::assert_err, sp_runtime::Perbill};

type Registry = Pallet<Test>;

#[test]
fn registry_answers_for_a_live_moderator() {
	new_test_ext(|| {
		assert_register_moderator(ALICE, b"news", b"", [0; 32], Perbill::from_percent(7));
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 250);
		assert_deny_content(ALICE, content(3));

		assert!(Registry::exists(&ALICE));
		assert!(Registry::is_live(&ALICE));
		// Nobody proved these items yet: they hold nobody to their size (tests::proofs).
		assert_eq!(Registry::catalog_bytes(&ALICE), 0);
		assert_eq!(Registry::catalog_len(&ALICE), 2);
		assert_eq!(Registry::catalog_item_at(&ALICE, 0), Some((content(1), 100)));
		assert_eq!(Registry::catalog_item_at(&ALICE, 1), Some((content(2), 250)));
		assert_eq!(Registry::catalog_item_at(&ALICE, 2), None);
		assert_eq!(Registry::content_size(&ALICE, &content(2)), Some(250));
		assert!(Registry::is_listed(&ALICE, &content(1)));
		assert!(!Registry::is_listed(&ALICE, &content(3)));
		assert!(Registry::is_denied(&ALICE, &content(3)));
		assert!(!Registry::is_denied(&ALICE, &content(1)));
		assert_eq!(Registry::commission(&ALICE, 0), Some(Perbill::from_percent(7)));

		// Positions stay dense after a delist.
		assert_delist_content(ALICE, content(1));
		assert_eq!(Registry::catalog_item_at(&ALICE, 0), Some((content(2), 250)));
		assert_eq!(Registry::catalog_len(&ALICE), 1);
	});
}

#[test]
fn registry_treats_a_retired_catalog_as_no_obligation() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		assert_deny_content(ALICE, content(3));
		assert_retire_moderator(ALICE, false);

		assert!(Registry::exists(&ALICE));
		assert!(!Registry::is_live(&ALICE));
		assert_eq!(Registry::catalog_bytes(&ALICE), 0);
		assert_eq!(Registry::catalog_len(&ALICE), 0);
		assert_eq!(Registry::catalog_item_at(&ALICE, 0), None);
		assert_eq!(Registry::content_size(&ALICE, &content(1)), None);
		assert_eq!(Registry::commission(&ALICE, 0), None);
		// The deny list still answers until the moderator is reaped.
		assert!(Registry::is_denied(&ALICE, &content(3)));
		run_to_block(100);
		assert_reap_moderator(BOB, ALICE);
		assert!(!Registry::exists(&ALICE));
		assert!(!Registry::is_denied(&ALICE, &content(3)));
	});
}

#[test]
fn registry_knows_nothing_of_unknown_accounts() {
	new_test_ext(|| {
		assert!(!Registry::exists(&ALICE));
		assert!(!Registry::is_live(&ALICE));
		assert_eq!(Registry::catalog_bytes(&ALICE), 0);
		assert_eq!(Registry::catalog_len(&ALICE), 0);
		assert_eq!(Registry::content_size(&ALICE, &content(1)), None);
		assert!(!Registry::is_denied(&ALICE, &content(1)));
		assert_eq!(Registry::commission(&ALICE, 0), None);
	});
}

#[test]
fn genesis_registers_moderators_catalogs_and_deny_lists() {
	let genesis = GenesisConfig::<Test> {
		moderators: vec![(
			ALICE,
			b"news".to_vec(),
			b"https://rules".to_vec(),
			[1; 32],
			Perbill::from_percent(5),
		)],
		catalog: vec![
			(ALICE, content(1), 100, b"one".to_vec(), b"video/x".to_vec()),
			(ALICE, content(2), 200, b"two".to_vec(), b"audio/x".to_vec()),
		],
		deny_list: vec![(ALICE, bitcloud_primitives::deny_key(&content(9)))],
	};
	ExtBuilder::default().with_genesis(genesis).build_and_execute(|| {
		let info = Moderators::<Test>::get(ALICE).unwrap();
		assert_eq!(info.catalog_items, 2);
		assert_eq!(info.catalog_bytes, 300);
		assert_eq!(info.deny_entries, 1);
		assert_eq!(info.deposit, MODERATOR_DEPOSIT);
		assert_eq!(info.commission_rates, rates(&[(0, Perbill::from_percent(5))]));
		assert_eq!(Balances::free_balance(ALICE), INITIAL_BALANCE - MODERATOR_DEPOSIT);
		assert!(Registry::is_denied(&ALICE, &content(9)));
	});
}

#[test]
#[should_panic(expected = "genesis catalog items must be valid")]
fn genesis_refuses_an_invalid_catalog() {
	let genesis = GenesisConfig::<Test> {
		moderators: vec![(ALICE, b"news".to_vec(), vec![], [1; 32], Perbill::zero())],
		catalog: vec![(ALICE, content(1), 0, vec![], vec![])],
		deny_list: vec![],
	};
	ExtBuilder::default().with_genesis(genesis).build();
}

#[test]
fn try_state_detects_corruption() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 100);

		// Wrong byte total.
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().catalog_bytes = 1);
		assert_err!(Moderation::do_try_state(), "catalog byte total differs from the items");
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().catalog_bytes = 200);

		// Deposit that does not match the hold.
		Moderators::<Test>::mutate(ALICE, |info| info.as_mut().unwrap().deposit = 1);
		assert_err!(Moderation::do_try_state(), "moderator deposit differs from its hold");
		Moderators::<Test>::mutate(ALICE, |info| {
			info.as_mut().unwrap().deposit = MODERATOR_DEPOSIT
		});

		// Broken position index.
		CatalogIndex::<Test>::insert(ALICE, 0, content(2));
		assert_err!(Moderation::do_try_state(), "catalog item not at its recorded position");
		CatalogIndex::<Test>::insert(ALICE, 0, content(1));

		// Orphaned deny-list entry.
		DenyList::<Test>::insert(BOB, [0; 32], ());
		assert_err!(Moderation::do_try_state(), "deny list of unknown moderator");
		DenyList::<Test>::remove(BOB, [0; 32]);
	});
}

#[test]
fn runtime_api_views_follow_the_catalog_and_deny_list() {
	new_test_ext(|| {
		register(ALICE);
		list(ALICE, content(1), 100);
		list(ALICE, content(2), 250);
		assert_deny_content(ALICE, content(3));

		let catalog = Registry::catalog_view(&ALICE);
		assert_eq!(
			catalog.iter().map(|entry| (entry.content, entry.size)).collect::<Vec<_>>(),
			vec![(content(1), 100), (content(2), 250)]
		);
		let item = Registry::catalog_item_view(&ALICE, &content(2)).expect("listed");
		assert_eq!(item, catalog[1]);
		assert_eq!(Registry::catalog_item_view(&ALICE, &content(3)), None);
		assert!(Registry::is_content_denied(&ALICE, &content(3)));
		assert!(!Registry::is_content_denied(&ALICE, &content(1)));
		assert!(Registry::catalog_view(&BOB).is_empty());

		// A retired catalog reads as empty; its deny list still answers.
		assert_retire_moderator(ALICE, false);
		assert!(Registry::catalog_view(&ALICE).is_empty());
		assert_eq!(Registry::catalog_item_view(&ALICE, &content(1)), None);
		assert!(Registry::is_content_denied(&ALICE, &content(3)));
	});
}
