//! The emission schedule: genesis, the admin call and what it applies to.

use super::testing_utils::*;
use crate::{mock::*, *};
use polkadot_sdk::{
	frame_support::assert_noop,
	sp_runtime::{DispatchError, Perbill},
};

#[test]
fn genesis_puts_the_schedule_in_force() {
	new_test_ext(|| {
		assert_eq!(
			Schedule::<Test>::get(),
			EmissionSchedule {
				base: BASE,
				bootstrap_epochs: BOOTSTRAP_EPOCHS,
				bootstrap_multiplier: BOOTSTRAP_MULTIPLIER,
				decay: decay(),
				decay_period: DECAY_PERIOD,
			}
		);
		assert_eq!(Rewards::emission(0), 3 * BASE);
		assert_eq!(Rewards::emission(BOOTSTRAP_EPOCHS), BASE);
		assert_eq!(Rewards::emission(BOOTSTRAP_EPOCHS + DECAY_PERIOD), BASE * 9 / 10);
	});
}

#[test]
#[should_panic(expected = "a decay needs a decay period")]
fn genesis_refuses_a_decay_without_period() {
	ExtBuilder::default()
		.with_genesis(GenesisConfig {
			base_emission: 1,
			bootstrap_epochs: 0,
			bootstrap_multiplier: 1,
			decay: Perbill::from_percent(1),
			decay_period: 0,
		})
		.build();
}

#[test]
fn an_empty_genesis_emits_nothing() {
	ExtBuilder::default().with_genesis(Default::default()).build_and_execute(|| {
		assert_eq!(Rewards::emission(0), 0);
		assert_eq!(Rewards::emission(u32::MAX), 0);
	});
}

#[test]
fn admin_sets_the_schedule() {
	new_test_ext(|| {
		let schedule = EmissionSchedule {
			base: 77,
			bootstrap_epochs: 0,
			bootstrap_multiplier: 1,
			decay: Perbill::from_percent(50),
			decay_period: 1,
		};
		assert_set_schedule(schedule);
		assert_eq!(Rewards::emission(0), 77);
		assert_eq!(Rewards::emission(1), 38);
		assert_set_schedule(flat(5));
		assert_eq!(Rewards::emission(1_000), 5);
	});
}

#[test]
fn only_the_admin_sets_the_schedule_and_only_a_valid_one() {
	new_test_ext(|| {
		for origin in [RuntimeOrigin::signed(ALICE), RuntimeOrigin::none()] {
			assert_noop!(Rewards::set_emission_schedule(origin, flat(1)), DispatchError::BadOrigin);
		}
		let mut bad = flat(1);
		bad.decay = Perbill::from_percent(1);
		assert_noop!(
			Rewards::set_emission_schedule(RuntimeOrigin::root(), bad),
			Error::<Test>::InvalidSchedule
		);
	});
}
