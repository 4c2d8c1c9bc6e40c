//! End to end against the real node: the epoch clock every Bitcloud pallet counts by.

use crate::common::{failure, succeeded, sudo, Node};
use bitcloud_runtime::{Runtime, RuntimeCall, RuntimeEvent, DEV_EPOCH_BLOCKS};
use pallet_epochs::{EpochInfo, Event};
use polkadot_sdk::{
	pallet_sudo,
	sp_keyring::Sr25519Keyring::{Alice, Bob},
	sp_runtime::DispatchError,
};

fn set_epoch_length(length: u32) -> RuntimeCall {
	RuntimeCall::Epochs(pallet_epochs::Call::set_epoch_length { length })
}

/// The result of the call that `sudo` dispatched, from its `Sudid` event.
fn sudid(events: &[RuntimeEvent]) -> Option<Result<(), DispatchError>> {
	events.iter().find_map(|e| match e {
		RuntimeEvent::Sudo(pallet_sudo::Event::Sudid { sudo_result }) => Some(*sudo_result),
		_ => None,
	})
}

#[test]
fn epochs_start_on_time_and_only_root_changes_their_length() {
	let node = Node::start_dev(&[]);
	node.wait_finalized(1);

	let info: EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
	assert_eq!(
		info,
		EpochInfo { epoch: 0, first_block: 0, length: DEV_EPOCH_BLOCKS, next_length: None }
	);

	// Root schedules 40-block epochs from the next epoch on.
	let events = node.execute(Alice, sudo(set_epoch_length(40)));
	assert!(succeeded(&events));
	let from_epoch = events
		.iter()
		.find_map(|e| match e {
			RuntimeEvent::Epochs(Event::EpochLengthScheduled { length: 40, from_epoch }) => {
				Some(*from_epoch)
			},
			_ => None,
		})
		.expect("the change was scheduled");
	let first_block = from_epoch * DEV_EPOCH_BLOCKS;

	// Bob is not root: refused, and the schedule stays as it was.
	let events = node.execute(Bob, set_epoch_length(20));
	assert_eq!(failure(&events), Some(DispatchError::BadOrigin));
	// Root, but shorter than the minimum: refused with the pallet's error.
	let events = node.execute(Alice, sudo(set_epoch_length(1)));
	let too_short = pallet_epochs::Error::<Runtime>::EpochLengthTooShort.into();
	assert_eq!(sudid(&events), Some(Err(too_short)));
	let info: EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
	let length_ahead = if info.epoch < from_epoch { info.next_length } else { Some(info.length) };
	assert_eq!(length_ahead, Some(40), "refused changes leave the schedule alone");

	// The epoch begins on time with the new length, announced by an event in its first block.
	node.wait_finalized(first_block);
	let started: Vec<_> = node
		.events(node.block_hash(first_block))
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Epochs(event) => Some(event),
			_ => None,
		})
		.collect();
	assert_eq!(started, vec![Event::EpochStarted { epoch: from_epoch, length: 40 }]);
	let info: EpochInfo<u32> = node.runtime_api("EpochsApi_current_epoch", ());
	assert_eq!(info, EpochInfo { epoch: from_epoch, first_block, length: 40, next_length: None });
	let start: Option<u32> = node.runtime_api("EpochsApi_epoch_start", from_epoch + 2);
	assert_eq!(start, Some(first_block + 80));
	node.stop();
}
