//! The storage migration from version 0 (one chunk per challenge, no `chunks_per_challenge`)
//! to version 1.

use super::testing_utils::*;
use crate::{
	migrations::v1::{v0, LawParamsV0, MigrateV0ToV1},
	mock::*,
	*,
};
use bitcloud_primitives::ContentId;
use codec::Encode;
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		storage::unhashed,
		traits::{ConstU32, GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		weights::Weight,
	},
	sp_runtime::Perbill,
};

/// The migration as a runtime wires it, with 8 chunks per challenge for stored params.
type Migration = MigrateV0ToV1<Test, ConstU32<8>>;

/// A challenge as version 0 stored it: one chunk.
#[derive(Encode)]
struct ChallengeV0 {
	node: AccountId,
	moderator: AccountId,
	content: ContentId,
	size: u64,
	chunk: u64,
	issued_at: u64,
	deadline: u64,
	kind: ChallengeKind,
}

/// Parameters in the version 0 format.
const OLD_PARAMS: LawParamsV0 = LawParamsV0 {
	challenge_rate: Perbill::from_percent(100),
	challenges_per_epoch: 7,
	response_blocks: 6,
	strikes_per_step: 3,
	strike_window: 4,
	clean_epochs: 5,
	slash_fraction: Perbill::from_percent(20),
};

/// The weight of `reads` reads and `writes` writes in the mock (1 and 1 000 units).
fn db(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(reads * DB_READ + writes * DB_WRITE, 0)
}

/// Put the storage in the version 0 format: `params` (if any), and challenges 5, 6 and 7 of
/// Dave, Eve and Dave pending, with the expiry cursor at 5 and the next id 8.
fn at_version_0(params: Option<LawParamsV0>) {
	StorageVersion::new(0).put::<StorageLaw>();
	Params::<Test>::kill();
	if let Some(params) = params {
		v0::Params::<Test>::put(params);
	}
	for (id, node) in [(5, DAVE), (6, EVE), (7, DAVE)] {
		let old = ChallengeV0 {
			node,
			moderator: MODERATOR,
			content: bitcloud_primitives::content_id(&file(0)),
			size: 3_000,
			chunk: id % 3,
			issued_at: 1,
			deadline: 6,
			kind: ChallengeKind::Obligation,
		};
		unhashed::put(&Challenges::<Test>::hashed_key_for(id), &old);
		NodeChallenges::<Test>::insert(node, id, ());
	}
	NextChallengeId::<Test>::put(8);
	ExpiryCursor::<Test>::put(5);
	LastChallengedEpoch::<Test>::put(0);
}

#[test]
fn the_in_code_storage_version_is_2_and_genesis_starts_there() {
	new_test_ext(|| {
		assert_eq!(StorageLaw::in_code_storage_version(), 2);
		assert_eq!(StorageLaw::on_chain_storage_version(), 2);
	});
}

#[test]
fn the_migration_translates_the_params_and_drops_old_challenges() {
	new_test_ext(|| {
		at_version_0(Some(OLD_PARAMS));
		let weight = Migration::on_runtime_upgrade();

		assert_eq!(
			Params::<Test>::get(),
			LawParams {
				challenge_rate: Perbill::from_percent(100),
				challenges_per_epoch: 7,
				chunks_per_challenge: 8,
				response_blocks: 6,
				strikes_per_step: 3,
				strike_window: 4,
				clean_epochs: 5,
				slash_fraction: Perbill::from_percent(20),
			}
		);
		assert_eq!(Challenges::<Test>::iter_keys().count(), 0);
		assert_eq!(NodeChallenges::<Test>::iter_keys().count(), 0);
		assert_eq!(NextChallengeId::<Test>::get(), 8);
		assert_eq!(ExpiryCursor::<Test>::get(), 8);
		assert_eq!(LastChallengedEpoch::<Test>::get(), Some(0));
		assert_eq!(StorageLaw::on_chain_storage_version(), 1);
		// Nobody was struck or credited, and no event.
		assert_eq!(Records::<Test>::iter().count(), 0);
		assert!(law_events().is_empty());
		// Reads: the version, the params, three challenges, three index entries, the next id.
		// Writes: the params, three challenges, three index entries, the cursor, the version.
		assert_eq!(weight, db(9, 9));
		assert_ok!(StorageLaw::do_try_state());

		// The law goes on in the new format, from id 8: the next epoch's draw.
		assert_challenges_at(10, &[DAVE, EVE]);
		let ids: Vec<_> = Challenges::<Test>::iter_keys().collect();
		assert!(ids.iter().all(|id| *id >= 8), "{ids:?}");
		answer_all(DAVE);
		answer_all(EVE);
	});
}

#[test]
fn params_never_stored_stay_the_runtime_defaults() {
	new_test_ext(|| {
		at_version_0(None);
		let weight = Migration::on_runtime_upgrade();
		assert!(!Params::<Test>::exists());
		assert_eq!(Params::<Test>::get(), PARAMS);
		assert_eq!(Challenges::<Test>::iter_keys().count(), 0);
		assert_eq!(ExpiryCursor::<Test>::get(), 8);
		// As above, without the params write.
		assert_eq!(weight, db(9, 8));
		assert_ok!(StorageLaw::do_try_state());
	});
}

#[test]
fn the_migration_runs_once() {
	new_test_ext(|| {
		at_version_0(Some(OLD_PARAMS));
		Migration::on_runtime_upgrade();
		run_to_block(10);
		let before = MemorySnapshot::new();
		assert!(!before.challenges.is_empty());
		// Version 1 on chain: a no-op reading the version only.
		assert_eq!(Migration::on_runtime_upgrade(), db(1, 0));
		assert_eq!(MemorySnapshot::new(), before);
	});
}

#[test]
fn an_empty_queue_migrates_too() {
	new_test_ext(|| {
		StorageVersion::new(0).put::<StorageLaw>();
		v0::Params::<Test>::put(OLD_PARAMS);
		assert_eq!(Migration::on_runtime_upgrade(), db(3, 3));
		assert_eq!(Params::<Test>::get().chunks_per_challenge, 8);
		assert_eq!((NextChallengeId::<Test>::get(), ExpiryCursor::<Test>::get()), (0, 0));
	});
}

#[cfg(feature = "try-runtime")]
#[test]
fn the_migration_passes_its_try_runtime_checks() {
	new_test_ext(|| {
		at_version_0(Some(OLD_PARAMS));
		assert_ok!(Migration::try_on_runtime_upgrade(true));
		assert_eq!(StorageLaw::on_chain_storage_version(), 1);
		at_version_0(None);
		assert_ok!(Migration::try_on_runtime_upgrade(true));
	});
}
