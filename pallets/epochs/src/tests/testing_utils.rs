//! Helpers that run a call and check its event and every storage change it makes.

use crate::{mock::*, *};
use bitcloud_primitives::{EpochClock, EpochIndex};
use polkadot_sdk::frame_support::assert_ok;

/// A copy of all the pallet's storage.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `EpochLength`.
	pub length: u64,
	/// `Anchor`.
	pub anchor: EpochAnchor<u64>,
	/// `NextEpochLength`.
	pub next_length: Option<u64>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			length: EpochLength::<Test>::get(),
			anchor: Anchor::<Test>::get(),
			next_length: NextEpochLength::<Test>::get(),
		}
	}
}

/// The pallet's events since the last block began.
pub fn epoch_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Epochs(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Root schedules `length`: only `NextEpochLength` changes, and the event names the next
/// epoch.
pub fn assert_set_epoch_length(length: u64) {
	let before = MemorySnapshot::new();
	let from_epoch: EpochIndex = Epochs::current_epoch() + 1;
	System::reset_events();

	assert_ok!(Epochs::set_epoch_length(RuntimeOrigin::root(), length));

	assert_eq!(MemorySnapshot::new(), MemorySnapshot { next_length: Some(length), ..before });
	assert_eq!(epoch_events(), vec![Event::EpochLengthScheduled { length, from_epoch }]);
}
