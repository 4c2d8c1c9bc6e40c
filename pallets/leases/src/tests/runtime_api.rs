//! The queries behind the `LeasesApi` runtime API.

use super::testing_utils::*;
use crate::{mock::*, *};

#[test]
fn lease_view_shows_the_lease_and_what_each_keeper_could_claim() {
	new_test_ext(|| {
		assert_eq!(Leasing::lease_view(0), None);
		let lease = lease_under_mod_a(4);
		assert_keep(NODE_1, lease);
		run_to_epoch(2);
		assert_keep(NODE_2, lease);
		run_to_epoch(3);
		let view = Leasing::lease_view(lease).expect("the lease");
		assert_eq!(
			view,
			LeaseView {
				owner: ALICE,
				content: content(1),
				bytes: 100,
				replicas: 2,
				moderator: Some(MOD_A),
				price: 3,
				start: 0,
				paid_until: 4,
				funds: 2_400,
				ended: false,
				closable_from: 4 + GRACE_EPOCHS,
				keepers: vec![
					KeeperView { node: NODE_1, paid_from: 1, due: 600 },
					KeeperView { node: NODE_2, paid_from: 3, due: 0 },
				],
			}
		);
		assert_end_lease(ALICE, lease);
		let view = Leasing::lease_view(lease).expect("the lease");
		assert_eq!((view.ended, view.paid_until, view.closable_from), (true, 4, 4));
	});
}

#[test]
fn lists_offers_keys_indexes_and_shares() {
	new_test_ext(|| {
		assert_eq!(Leasing::offer(&MOD_A), None);
		let lease = lease_under_mod_a(2);
		assert_eq!(Leasing::offer(&MOD_A), Some(3));
		assert_keep(NODE_1, lease);
		assert_eq!(Leasing::leases_of(&ALICE), vec![lease]);
		assert_eq!(Leasing::leases_of(&BOB), Vec::<u64>::new());
		assert_eq!(Leasing::leases_of_content(&content(1)), vec![lease]);
		assert_eq!(Leasing::kept_by(&NODE_1), vec![lease]);
		assert_eq!(Leasing::encryption_key(&BOB), None);
		assert_set_encryption_key(BOB, KEY);
		assert_eq!(Leasing::encryption_key(&BOB), Some(KEY));
		assert_eq!(Leasing::index_of(&ALICE), None);
		assert_set_index(ALICE, Some(lease));
		assert_eq!(Leasing::index_of(&ALICE), Some(lease));
		assert_eq!(Leasing::shares_of(&BOB), vec![]);
		let share = assert_share(ALICE, BOB, b"sealed");
		assert_eq!(
			Leasing::shares_of(&BOB),
			vec![ShareView {
				id: share,
				from: ALICE,
				capsule: b"sealed".to_vec(),
				deposit: SHARE_DEPOSIT
			}]
		);
	});
}

#[test]
fn quote_is_what_create_lease_holds_or_the_error_it_fails_with() {
	new_test_ext(|| {
		assert_eq!(Leasing::quote_amount(None, 100, 3, 5), Ok(2 * 100 * 3 * 5));
		assert_eq!(
			Leasing::quote_amount(Some(&MOD_A), 1, 1, 1),
			Err(Error::<Test>::NoOffer.into())
		);
		assert_offer_storage(MOD_A, 3);
		assert_eq!(Leasing::quote_amount(Some(&MOD_A), 100, 2, 4), Ok(2_400));
		let lease = assert_create_lease(ALICE, content(1), 100, 2, Some(MOD_A), 4);
		assert_eq!(Leases::<Test>::get(lease).map(|l| l.funds), Some(2_400));
		for (bytes, replicas, epochs, error) in [
			(0, 1, 1, Error::<Test>::ZeroBytes),
			(MAX_LEASE_BYTES + 1, 1, 1, Error::<Test>::TooManyBytes),
			(1, 0, 1, Error::<Test>::ZeroReplicas),
			(1, MAX_REPLICAS + 1, 1, Error::<Test>::TooManyReplicas),
			(1, 1, 0, Error::<Test>::ZeroEpochs),
		] {
			assert_eq!(Leasing::quote_amount(None, bytes, replicas, epochs), Err(error.into()));
		}
		set_moderator(MOD_A, false);
		assert_eq!(
			Leasing::quote_amount(Some(&MOD_A), 1, 1, 1),
			Err(Error::<Test>::ModeratorNotLive.into())
		);
		UnmoderatedPrice::set(u64::MAX);
		assert_eq!(Leasing::quote_amount(None, 2, 1, 1), Err(Error::<Test>::CostOverflow.into()));
	});
}
