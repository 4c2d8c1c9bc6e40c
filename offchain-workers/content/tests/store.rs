//! The content store: ids, verified reads, crash safety.

mod common;

use bitcloud_content::{store::GROUP_BYTES, ContentStore, StoreError};
use bitcloud_primitives::content_id;
use common::bytes;
use std::fs;

const SIZES: [usize; 8] =
	[0, 1, 1024, 1025, 16 * 1024, 16 * 1024 + 1, 100_000, 5 * 1024 * 1024 + 7];

#[test]
fn import_names_content_by_its_blake3_root_and_reads_it_back_verified() {
	let dir = tempfile::tempdir().unwrap();
	let (store, report) = ContentStore::open(dir.path()).unwrap();
	assert_eq!(report, Default::default());
	let mut total = 0;
	for (n, size) in SIZES.into_iter().enumerate() {
		let data = bytes(size, n as u8);
		let id = store.import_bytes(&data).unwrap();
		assert_eq!(id, content_id(&data), "size {size}");
		assert_eq!(store.size(&id), Some(size as u64));
		total += size as u64;
		let reader = store.reader(&id).unwrap();
		assert_eq!(reader.read_verified(0, size).unwrap(), data, "size {size}");
		// Ranges that start and end inside chunk groups and across them.
		for (start, len) in [(0, 1), (1, 1023), (1000, 100), (16_383, 2), (size / 2, size / 3 + 1)]
		{
			let got = reader.read_verified(start as u64, len).unwrap();
			let end = (start + len).min(size);
			let want = if start >= size { &[][..] } else { &data[start..end] };
			assert_eq!(got, want, "size {size} range {start}+{len}");
		}
		store.verify(&id).unwrap();
	}
	assert_eq!(store.len(), SIZES.len());
	assert_eq!(store.total_bytes(), total);

	// Importing the same bytes again changes nothing.
	store.import_bytes(&bytes(1025, 3)).unwrap();
	assert_eq!(store.len(), SIZES.len());
	assert_eq!(store.total_bytes(), total);

	// A restart finds everything again.
	drop(store);
	let (store, report) = ContentStore::open(dir.path()).unwrap();
	assert_eq!(report.items, SIZES.len());
	assert_eq!(report.bytes, total);
	assert_eq!(report.broken_removed, 0);
	assert_eq!(store.total_bytes(), total);
}

#[test]
fn import_from_a_file_streams_it() {
	let dir = tempfile::tempdir().unwrap();
	let data = bytes(3 * 1024 * 1024 + 5, 9);
	let path = dir.path().join("input");
	fs::write(&path, &data).unwrap();
	let (store, _) = ContentStore::open(dir.path().join("store")).unwrap();
	let id = store.import_file(&path).unwrap();
	assert_eq!(id, content_id(&data));
	assert!(fs::read_dir(dir.path().join("store/tmp")).unwrap().next().is_none());
}

#[test]
fn import_refuses_the_wrong_root_or_too_many_bytes_and_keeps_nothing() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let data = bytes(5000, 1);
	let wrong = content_id(b"something else");
	match store.import(&data[..], Some(wrong), None) {
		Err(StoreError::RootMismatch { expected, actual }) => {
			assert_eq!(expected, wrong);
			assert_eq!(actual, content_id(&data));
		},
		other => panic!("expected a root mismatch, got {other:?}"),
	}
	assert!(matches!(
		store.import(&data[..], None, Some(4999)),
		Err(StoreError::TooLarge { limit: 4999 })
	));
	assert!(store.is_empty());
	assert!(!store.data_path(&content_id(&data)).exists());
	assert!(fs::read_dir(dir.path().join("tmp")).unwrap().next().is_none());
	// With the right root and a sufficient limit it goes in.
	let id = store.import(&data[..], Some(content_id(&data)), Some(5000)).unwrap();
	assert!(store.contains(&id));
}

#[test]
fn a_crash_leaves_nothing_that_would_be_served_broken() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let good = bytes(100_000, 1);
	let truncated = bytes(100_000, 2);
	let half_renamed = bytes(40_000, 3);
	let good_id = store.import_bytes(&good).unwrap();
	let truncated_id = store.import_bytes(&truncated).unwrap();
	let half_id = store.import_bytes(&half_renamed).unwrap();
	drop(store);

	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let truncated_path = store.data_path(&truncated_id);
	let half_path = store.data_path(&half_id);
	drop(store);
	// An import killed mid-copy leaves temporary files.
	fs::write(dir.path().join("tmp/import-1-0"), b"partial").unwrap();
	fs::write(dir.path().join("tmp/import-1-0.obao"), b"partial").unwrap();
	// A data file cut short (a crash on a file system that lost the tail).
	fs::OpenOptions::new().write(true).open(&truncated_path).unwrap().set_len(50_000).unwrap();
	// Killed between the two renames: the outboard is in place, the data is not.
	fs::remove_file(&half_path).unwrap();
	// A stray file in the objects directory.
	fs::write(truncated_path.with_file_name("not-an-object"), b"?").unwrap();

	let (store, report) = ContentStore::open(dir.path()).unwrap();
	assert_eq!(report.temp_files_removed, 2);
	// The truncated object, the orphan outboard and the stray file.
	assert_eq!(report.broken_removed, 3);
	assert_eq!(report.items, 1);
	assert_eq!(store.list(), vec![(good_id, good.len() as u64)]);
	assert!(!truncated_path.exists());
	assert!(!store.outboard_path(&half_id).exists());
	assert_eq!(store.reader(&good_id).unwrap().read_verified(0, good.len()).unwrap(), good);
	assert!(matches!(store.reader(&truncated_id), Err(StoreError::NotFound)));
}

#[test]
fn corrupted_bytes_are_never_returned_and_the_object_is_removed() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let data = bytes(5 * GROUP_BYTES as usize + 100, 4);
	let id = store.import_bytes(&data).unwrap();
	// Flip one byte in the third chunk group: same size, so the start-up check passes.
	let path = store.data_path(&id);
	let mut on_disk = fs::read(&path).unwrap();
	on_disk[2 * GROUP_BYTES as usize + 5] ^= 1;
	fs::write(&path, on_disk).unwrap();
	drop(store);
	let (store, report) = ContentStore::open(dir.path()).unwrap();
	assert_eq!(report.items, 1);

	let reader = store.reader(&id).unwrap();
	// Groups before the damage still verify; any read touching it fails.
	assert_eq!(reader.read_verified(0, 1000).unwrap(), &data[..1000]);
	let third = 2 * GROUP_BYTES;
	assert!(matches!(reader.read_verified(third + 1000, 10), Err(StoreError::Corrupt { .. })));
	assert!(matches!(reader.read_verified(0, data.len()), Err(StoreError::Corrupt { .. })));

	assert!(matches!(store.verify(&id), Err(StoreError::Corrupt { .. })));
	assert!(!store.contains(&id));
	assert!(!path.exists());
}

/// Flips the byte at `offset` of the file at `path` in place, then sets its modification time
/// back to what it was (the change time cannot be set back).
fn flip_in_place(path: &std::path::Path, offset: u64) {
	use std::os::unix::fs::FileExt;
	let file = fs::OpenOptions::new().read(true).write(true).open(path).unwrap();
	let modified = file.metadata().unwrap().modified().unwrap();
	let mut byte = [0u8];
	file.read_exact_at(&mut byte, offset).unwrap();
	file.write_all_at(&[byte[0] ^ 1], offset).unwrap();
	file.set_modified(modified).unwrap();
}

#[test]
fn groups_verified_once_are_trusted_only_while_the_file_is_unchanged() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let data = bytes(40 * GROUP_BYTES as usize + 7, 9);
	let id = store.import_bytes(&data).unwrap();
	let len = data.len() as u64;
	// A file changed within the file system clock's reach is not trusted yet ("racy git").
	assert_eq!(store.reader(&id).unwrap().read_verified(0, data.len()).unwrap(), data);
	assert!(!store.reader(&id).unwrap().verified(0, len), "a file changed just now was trusted");
	std::thread::sleep(bitcloud_content::verified::SETTLED);
	let reader = store.reader(&id).unwrap();
	assert_eq!(reader.read_verified(0, data.len()).unwrap(), data);
	assert!(store.reader(&id).unwrap().verified(0, len), "verified groups were not kept");

	// A byte flipped in place, with the modification time set back: the change time moves,
	// so neither a new reader nor the one already open trusts what was verified.
	let third = 2 * GROUP_BYTES + 5;
	flip_in_place(&store.data_path(&id), third);
	assert!(!store.reader(&id).unwrap().verified(0, len));
	assert!(!reader.verified(0, len));
	assert!(matches!(reader.read_verified(third, 1), Err(StoreError::Corrupt { .. })));
	let fresh = store.reader(&id).unwrap();
	assert!(matches!(fresh.read_verified(0, data.len()), Err(StoreError::Corrupt { .. })));
	// `verify` checks every byte whatever was verified before.
	assert!(matches!(store.verify(&id), Err(StoreError::Corrupt { .. })));
	assert!(!store.contains(&id));
}

#[test]
fn removing_content_forgets_it() {
	let dir = tempfile::tempdir().unwrap();
	let (store, _) = ContentStore::open(dir.path()).unwrap();
	let id = store.import_bytes(b"short lived").unwrap();
	assert!(store.remove(&id).unwrap());
	assert!(!store.remove(&id).unwrap());
	assert!(store.is_empty());
	assert_eq!(store.total_bytes(), 0);
	assert!(!store.data_path(&id).exists());
}

#[test]
fn an_unknown_layout_is_refused() {
	let dir = tempfile::tempdir().unwrap();
	fs::write(dir.path().join("LAYOUT"), "something else 9\n").unwrap();
	assert!(ContentStore::open(dir.path()).is_err());
}
