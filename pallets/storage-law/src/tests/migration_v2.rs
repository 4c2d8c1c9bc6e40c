//! The storage migration from version 1 (a challenge always names a moderator) to version 2
//! (an optional moderator, for lease challenges).

use super::testing_utils::*;
use crate::{
	migrations::v2::{v1, ChallengeV1, MigrateV1ToV2},
	mock::*,
	*,
};
use bitcloud_primitives::content_id;
use codec::Encode;
use polkadot_sdk::frame_support::{
	assert_ok,
	storage::unhashed,
	traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
	weights::Weight,
};

/// The migration as the runtime wires it.
type Migration = MigrateV1ToV2<Test>;

/// The weight of `reads` reads and `writes` writes in the mock (1 and 1 000 units).
fn db(reads: u64, writes: u64) -> Weight {
	Weight::from_parts(reads * DB_READ + writes * DB_WRITE, 0)
}

/// Challenge `id` of `node` in the version 1 format: of `kind`, on every chunk of sample file
/// 0 (3 000 bytes, three chunks) of the moderator's catalog, issued in block 1, due by 6.
fn old_challenge(node: AccountId, kind: ChallengeKind) -> ChallengeV1<AccountId, u64> {
	ChallengeV1 {
		node,
		moderator: MODERATOR,
		content: content_id(&file(0)),
		size: 3_000,
		chunks: vec![0, 1, 2].try_into().unwrap(),
		issued_at: 1,
		deadline: 6,
		kind,
	}
}

/// Put the storage in the version 1 format: challenges 5, 6 and 7 of Dave (an obligation),
/// Eve (a probe) and Dave (an obligation) pending, the expiry cursor at 5, the next id 8, and
/// epoch 0 drawn. Returns them.
fn at_version_1() -> Vec<(ChallengeId, ChallengeV1<AccountId, u64>)> {
	StorageVersion::new(1).put::<StorageLaw>();
	let old = vec![
		(5, old_challenge(DAVE, ChallengeKind::Obligation)),
		(6, old_challenge(EVE, ChallengeKind::Probe)),
		(7, old_challenge(DAVE, ChallengeKind::Obligation)),
	];
	for (id, challenge) in &old {
		v1::Challenges::<Test>::insert(id, challenge);
		NodeChallenges::<Test>::insert(challenge.node, id, ());
	}
	NextChallengeId::<Test>::put(8);
	ExpiryCursor::<Test>::put(5);
	LastChallengedEpoch::<Test>::put(0);
	old
}

#[test]
fn the_version_1_format_is_the_version_2_format_with_a_moderator_always() {
	// The moderator was an account; it is an option now. The kinds of version 1 keep their
	// encoding (the lease kind is appended).
	let old = old_challenge(DAVE, ChallengeKind::Probe);
	let new = old.clone().upgrade();
	assert_eq!(new.moderator, Some(MODERATOR));
	let mut expected = old.encode();
	// `Some` is one byte more, after the node (8 bytes in the mock).
	expected.insert(8, 1);
	assert_eq!(new.encode(), expected);
	assert_eq!(ChallengeKind::Obligation.encode(), vec![0]);
	assert_eq!(ChallengeKind::Probe.encode(), vec![1]);
	assert_eq!(ChallengeKind::Lease(7).encode(), [vec![2], 7u64.encode()].concat());
}

#[test]
fn the_migration_gives_pending_challenges_their_moderator() {
	new_test_ext(|| {
		// (A snapshot cannot be taken in the version 1 format: it would not decode.)
		let mut expected = MemorySnapshot::new();
		let old = at_version_1();
		let weight = Migration::on_runtime_upgrade();

		// The challenges, each with its moderator; nothing else changed (the index, the
		// queue, the records, the leases) from what `at_version_1` wrote; and no event.
		for (id, challenge) in &old {
			assert_eq!(challenge.moderator, MODERATOR);
			expected.challenges.insert(*id, challenge.clone().upgrade());
			expected.node_challenges.insert((challenge.node, *id));
		}
		(expected.next_challenge_id, expected.expiry_cursor) = (8, 5);
		expected.last_challenged_epoch = Some(0);
		assert_eq!(MemorySnapshot::new(), expected);
		assert!(expected.challenges.values().all(|c| c.moderator == Some(MODERATOR)));
		assert_eq!(StorageLaw::on_chain_storage_version(), 2);
		assert!(law_events().is_empty());
		// Reads: the version and three challenges. Writes: three challenges and the version.
		assert_eq!(weight, db(4, 4));
		assert_ok!(StorageLaw::do_try_state());

		// They are answered, or missed, as if nothing had happened.
		assert_respond(DAVE, 5, None);
		assert_respond(EVE, 6, None);
		assert_missed_at(7, &[(7, DAVE)], &[]);
		// The law goes on from id 8.
		assert_challenges_at(10, &[DAVE, EVE]);
		assert!(Challenges::<Test>::iter_keys().all(|id| id >= 8));
	});
}

#[test]
fn the_migration_runs_once() {
	new_test_ext(|| {
		at_version_1();
		Migration::on_runtime_upgrade();
		let before = MemorySnapshot::new();
		// Version 2 on chain: a no-op reading the version only.
		assert_eq!(Migration::on_runtime_upgrade(), db(1, 0));
		assert_eq!(MemorySnapshot::new(), before);
	});
}

#[test]
fn an_empty_queue_migrates_too() {
	new_test_ext(|| {
		StorageVersion::new(1).put::<StorageLaw>();
		assert_eq!(Migration::on_runtime_upgrade(), db(1, 1));
		assert_eq!(StorageLaw::on_chain_storage_version(), 2);
		assert_eq!(Challenges::<Test>::iter_keys().count(), 0);
	});
}

/// A challenge that does not decode in the version 1 format (a defensive case: the migration
/// reports it, which panics in debug builds) is dropped with its index entry.
#[test]
#[cfg_attr(debug_assertions, should_panic(expected = "Defensive failure"))]
fn an_undecodable_challenge_is_dropped_with_its_index_entry() {
	new_test_ext(|| {
		at_version_1();
		// Eve's challenge cut short: her account, then garbage.
		let key = Challenges::<Test>::hashed_key_for(6);
		unhashed::put_raw(&key, &[EVE.encode(), vec![0xff; 3]].concat());
		let weight = Migration::on_runtime_upgrade();
		assert_eq!(Challenges::<Test>::get(6), None);
		assert!(!NodeChallenges::<Test>::contains_key(EVE, 6));
		assert_eq!(Challenges::<Test>::iter_keys().count(), 2);
		// As above, and one more write for the index entry.
		assert_eq!(weight, db(4, 5));
		assert_eq!(Records::<Test>::iter().count(), 0);
		assert_ok!(StorageLaw::do_try_state());
	});
}

#[cfg(feature = "try-runtime")]
#[test]
fn the_migration_passes_its_try_runtime_checks() {
	new_test_ext(|| {
		at_version_1();
		assert_ok!(Migration::try_on_runtime_upgrade(true));
		assert_eq!(StorageLaw::on_chain_storage_version(), 2);
	});
}

#[test]
fn both_migrations_in_a_row_bring_version_0_to_2() {
	new_test_ext(|| {
		StorageVersion::new(0).put::<StorageLaw>();
		type Both = (
			crate::migrations::v1::MigrateV0ToV1<
				Test,
				polkadot_sdk::frame_support::traits::ConstU32<8>,
			>,
			Migration,
		);
		Both::on_runtime_upgrade();
		assert_eq!(StorageLaw::on_chain_storage_version(), 2);
		assert_ok!(StorageLaw::do_try_state());
	});
}
