//! The pallet as pallet-session's `SessionManager`: genesis, and changes reaching
//! pallet-session's sets as sessions rotate.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::{assert_ok, traits::Hooks},
	pallet_session::{self, SessionManager},
	sp_runtime::testing::UintAuthorityId,
};

/// pallet-session's events since the last block began.
fn session_events() -> Vec<pallet_session::Event<Test>> {
	System::read_events_for_pallet::<pallet_session::Event<Test>>()
}

#[test]
fn genesis_sets_the_set_and_pallet_session_takes_it() {
	new_test_ext(|| {
		assert_eq!(
			MemorySnapshot::new(),
			MemorySnapshot {
				validators: GENESIS_VALIDATORS.to_vec(),
				set_changed: false,
				session_validators: GENESIS_VALIDATORS.to_vec(),
				queued_validators: GENESIS_VALIDATORS.to_vec(),
			}
		);
		assert_eq!(pallet_session::CurrentIndex::<Test>::get(), 0);
	});
}

#[test]
#[should_panic(expected = "genesis validators fewer than MinValidators")]
fn a_genesis_set_below_min_validators_is_refused() {
	ExtBuilder::default().with_validators(vec![ALICE]).build_storage();
}

#[test]
#[should_panic(expected = "genesis validators more than MaxValidators")]
fn a_genesis_set_above_max_validators_is_refused() {
	ExtBuilder::default().with_validators(vec![ALICE, BOB, CHARLIE, DAVE, EVE]).build_storage();
}

#[test]
#[should_panic(expected = "duplicate genesis validator")]
fn a_genesis_set_with_duplicates_is_refused() {
	ExtBuilder::default().with_validators(vec![ALICE, BOB, ALICE]).build_storage();
}

#[test]
fn an_empty_genesis_list_builds_no_set_and_pallet_session_keeps_its_keys() {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: Default::default(),
		validator_set: GenesisConfig { initial_validators: Vec::new() },
		session: pallet_session::GenesisConfig {
			keys: GENESIS_VALIDATORS.iter().map(|v| (*v, *v, UintAuthorityId(*v))).collect(),
			non_authority_keys: Vec::new(),
		},
	};
	let mut ext: polkadot_sdk::sp_io::TestExternalities =
		polkadot_sdk::sp_runtime::BuildStorage::build_storage(&storage)
			.expect("an empty list builds")
			.into();
	ext.execute_with(|| {
		assert!(Validators::<Test>::get().is_empty());
		assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());
		assert_eq!(<ValidatorSet as SessionManager<_>>::new_session_genesis(0), None);
		assert!(ValidatorSet::do_try_state().is_err());
	});
}

#[test]
fn the_genesis_set_may_be_full() {
	ExtBuilder::default().with_validators(vec![ALICE, BOB, CHARLIE, FERDIE]).build_and_execute(
		|| {
			assert_eq!(session_validators(), vec![ALICE, BOB, CHARLIE, FERDIE]);
		},
	);
}

#[test]
fn the_mock_passes_the_integrity_test() {
	<ValidatorSet as Hooks<u64>>::integrity_test();
}

#[test]
fn an_addition_takes_effect_at_the_session_after_next() {
	new_test_ext(|| {
		let with_dave = vec![ALICE, BOB, CHARLIE, DAVE];
		assert_add_validator(DAVE);

		run_to_block(SESSION_LENGTH - 1);
		assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());
		assert_eq!(queued_validators(), GENESIS_VALIDATORS.to_vec());

		// Session 1 starts and session 2 is planned with the new set.
		run_to_session(1);
		assert_eq!(
			validator_set_events(),
			vec![Event::ValidatorSetPlanned { session: 2, validators: with_dave.clone() }]
		);
		assert_eq!(
			MemorySnapshot::new(),
			MemorySnapshot {
				validators: with_dave.clone(),
				set_changed: false,
				session_validators: GENESIS_VALIDATORS.to_vec(),
				queued_validators: with_dave.clone(),
			}
		);
		assert!(session_events().contains(&pallet_session::Event::NewQueued));

		// Session 2: Dave validates; nothing new is planned.
		run_to_session(2);
		assert_eq!(session_validators(), with_dave);
		assert!(validator_set_events().is_empty());
		assert!(!session_events().contains(&pallet_session::Event::NewQueued));
	});
}

#[test]
fn a_removal_takes_effect_at_the_session_after_next() {
	new_test_ext(|| {
		assert_remove_validator(ALICE);

		run_to_session(1);
		assert_eq!(
			validator_set_events(),
			vec![Event::ValidatorSetPlanned { session: 2, validators: vec![BOB, CHARLIE] }]
		);
		assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());
		assert_eq!(queued_validators(), vec![BOB, CHARLIE]);

		run_to_session(2);
		assert_eq!(session_validators(), vec![BOB, CHARLIE]);
	});
}

#[test]
fn changes_within_one_session_are_planned_together() {
	new_test_ext(|| {
		assert_add_validator(DAVE);
		assert_remove_validator(ALICE);
		assert_remove_validator(DAVE);
		assert_add_validator(EVE);

		run_to_session(1);
		assert_eq!(
			validator_set_events(),
			vec![Event::ValidatorSetPlanned { session: 2, validators: vec![BOB, CHARLIE, EVE] }]
		);
		run_to_session(2);
		assert_eq!(session_validators(), vec![BOB, CHARLIE, EVE]);
	});
}

#[test]
fn a_change_made_after_a_rotation_waits_for_the_next_one() {
	new_test_ext(|| {
		run_to_block(SESSION_LENGTH + 1);
		assert_add_validator(DAVE);

		run_to_session(2);
		assert_eq!(
			validator_set_events(),
			vec![Event::ValidatorSetPlanned {
				session: 3,
				validators: vec![ALICE, BOB, CHARLIE, DAVE]
			}]
		);
		assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());

		run_to_session(3);
		assert_eq!(session_validators(), vec![ALICE, BOB, CHARLIE, DAVE]);
	});
}

#[test]
fn without_a_change_no_set_is_planned() {
	new_test_ext(|| {
		for session in 1..=4 {
			run_to_session(session);
			assert!(validator_set_events().is_empty());
			assert!(session_events()
				.contains(&pallet_session::Event::NewSession { session_index: session }));
			assert!(!session_events().contains(&pallet_session::Event::NewQueued));
			assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());
		}
	});
}

#[test]
fn new_session_returns_the_set_only_when_it_changed() {
	new_test_ext(|| {
		assert_eq!(<ValidatorSet as SessionManager<_>>::new_session(1), None);
		assert_add_validator(DAVE);
		System::reset_events();

		assert_eq!(
			<ValidatorSet as SessionManager<_>>::new_session(1),
			Some(vec![ALICE, BOB, CHARLIE, DAVE])
		);
		assert!(!SetChanged::<Test>::get());
		assert_eq!(
			validator_set_events(),
			vec![Event::ValidatorSetPlanned {
				session: 1,
				validators: vec![ALICE, BOB, CHARLIE, DAVE]
			}]
		);
		assert_eq!(<ValidatorSet as SessionManager<_>>::new_session(2), None);
	});
}

#[test]
fn new_session_genesis_returns_the_genesis_set_and_starting_or_ending_does_nothing() {
	new_test_ext(|| {
		let before = MemorySnapshot::new();
		assert_eq!(
			<ValidatorSet as SessionManager<_>>::new_session_genesis(0),
			Some(GENESIS_VALIDATORS.to_vec())
		);
		<ValidatorSet as SessionManager<_>>::start_session(1);
		<ValidatorSet as SessionManager<_>>::end_session(1);
		assert_eq!(MemorySnapshot::new(), before);
		assert!(validator_set_events().is_empty());
	});
}

#[test]
fn a_validator_rotating_its_keys_needs_no_set_change() {
	new_test_ext(|| {
		assert_ok!(Session::set_keys(RuntimeOrigin::signed(ALICE), UintAuthorityId(100), vec![]));

		run_to_session(1);
		assert!(validator_set_events().is_empty());
		assert_eq!(
			pallet_session::QueuedKeys::<Test>::get().first(),
			Some(&(ALICE, UintAuthorityId(100)))
		);
		run_to_session(2);
		assert_eq!(session_validators(), GENESIS_VALIDATORS.to_vec());
	});
}
