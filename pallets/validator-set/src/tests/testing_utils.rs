//! Helpers that run a call and check its events and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of the
//! validators pallet-session holds, runs the call, derives the expected snapshot from the old
//! one by applying exactly the changes the call must make, and compares it with the new
//! snapshot, so any other change fails the test (in particular, a call never changes
//! pallet-session's sets: only a session rotation does). It also compares the exact list of
//! events the call emitted, and checks the pallet's invariants.

use crate::{mock::*, *};
use polkadot_sdk::{frame_support::assert_ok, pallet_session};

/// A copy of all the pallet's storage and of pallet-session's sets.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Validators`.
	pub validators: Vec<AccountId>,
	/// `SetChanged`.
	pub set_changed: bool,
	/// pallet-session's validators of the current session.
	pub session_validators: Vec<AccountId>,
	/// pallet-session's validators of the next session (its queued keys).
	pub queued_validators: Vec<AccountId>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			validators: Validators::<Test>::get().into_inner(),
			set_changed: SetChanged::<Test>::get(),
			session_validators: session_validators(),
			queued_validators: queued_validators(),
		}
	}
}

/// pallet-session's validators of the current session.
pub fn session_validators() -> Vec<AccountId> {
	pallet_session::Validators::<Test>::get()
}

/// pallet-session's validators of the next session.
pub fn queued_validators() -> Vec<AccountId> {
	pallet_session::QueuedKeys::<Test>::get().into_iter().map(|(v, _)| v).collect()
}

/// The pallet's events since the last block began (or since the last reset).
pub fn validator_set_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::ValidatorSet(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Root adds `who`: it is appended to `Validators`, `SetChanged` is set, nothing else
/// changes, and `ValidatorAdded` is the only event.
pub fn assert_add_validator(who: AccountId) {
	let before = MemorySnapshot::new();
	System::reset_events();

	assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), who));

	let mut expected = before;
	expected.validators.push(who);
	expected.set_changed = true;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(validator_set_events(), vec![Event::ValidatorAdded { who }]);
	ValidatorSet::do_try_state().expect("invariants hold after add_validator");
}

/// Root removes `who`: it leaves `Validators` (the others keep their order), `SetChanged` is
/// set, nothing else changes, and `ValidatorRemoved` is the only event.
pub fn assert_remove_validator(who: AccountId) {
	let before = MemorySnapshot::new();
	System::reset_events();

	assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), who));

	let mut expected = before;
	expected.validators.retain(|v| *v != who);
	expected.set_changed = true;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(validator_set_events(), vec![Event::ValidatorRemoved { who }]);
	ValidatorSet::do_try_state().expect("invariants hold after remove_validator");
}
