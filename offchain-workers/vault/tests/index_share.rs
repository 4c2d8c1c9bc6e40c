//! The encrypted index and shares, end to end.

use bitcloud_vault::{
	ciphertext_len, decrypt, encrypt, open_share, seal_share, Error, FileKey, Index, IndexEntry,
	SharedFile, VaultKeys, MAX_CAPSULE_LEN, MAX_ENTRIES, MAX_NAME_LEN, MAX_PATH_LEN,
};

fn keys(seed: u8) -> VaultKeys {
	VaultKeys::from_secret(&[seed; 32]).unwrap()
}

fn entry(path: &str, plain_len: u64) -> IndexEntry {
	IndexEntry {
		path: path.to_owned(),
		id: [plain_len as u8; 32],
		cipher_len: ciphertext_len(plain_len),
		plain_len,
		file_key: FileKey::generate().unwrap(),
		lease: plain_len.is_multiple_of(2).then_some(plain_len * 3),
	}
}

#[test]
fn index_round_trips_on_a_new_machine() {
	let mut index = Index::new();
	for (path, len) in [("photos/b.jpg", 10), ("a.txt", 0), ("photos/a.jpg", 70_000)] {
		assert!(index.insert(entry(path, len)).unwrap().is_none());
	}
	let sealed = index.seal(&keys(1)).unwrap();
	// The same secret, derived again elsewhere.
	let opened = Index::open(&keys(1), &sealed).unwrap();
	assert_eq!(opened, index);
	let paths: Vec<&str> = opened.sorted().iter().map(|e| e.path.as_str()).collect();
	assert_eq!(paths, ["a.txt", "photos/a.jpg", "photos/b.jpg"]);
	// Sealing again uses a new salt and nonce prefix.
	assert_ne!(index.seal(&keys(1)).unwrap(), sealed);
	// Empty index.
	let empty = Index::new().seal(&keys(1)).unwrap();
	assert_eq!(Index::open(&keys(1), &empty).unwrap(), Index::new());
}

#[test]
fn entries_are_added_replaced_and_removed_by_path() {
	let mut index = Index::new();
	index.insert(entry("x/y", 1)).unwrap();
	let newer = entry("x/y", 2);
	let old = index.insert(newer.clone()).unwrap().unwrap();
	assert_eq!(old.plain_len, 1);
	assert_eq!(index.entries.len(), 1);
	assert_eq!(index.get("x/y"), Some(&newer));
	assert_eq!(index.remove("x/y"), Some(newer));
	assert_eq!(index.remove("x/y"), None);
	assert!(index.get("x/y").is_none());
}

#[test]
fn tampered_or_foreign_index_fails() {
	let mut index = Index::new();
	index.insert(entry("a", 5)).unwrap();
	let sealed = index.seal(&keys(1)).unwrap();
	for at in [0, 31, 32, 40, 45, 52, 60, sealed.len() - 1] {
		let mut bad = sealed.clone();
		bad[at] ^= 1;
		assert!(Index::open(&keys(1), &bad).is_err(), "{at}");
	}
	assert!(matches!(Index::open(&keys(2), &sealed), Err(Error::Authentication)));
	assert!(Index::open(&keys(1), &sealed[..sealed.len() - 1]).is_err());
	assert!(Index::open(&keys(1), &sealed[..10]).is_err());
	assert!(Index::open(&keys(1), &[]).is_err());
}

#[test]
fn bad_paths_and_bounds_are_refused() {
	let mut index = Index::new();
	for path in ["../x", "a/../../x", "/etc/passwd", "a//b", "a/", "", ".", "a/./b"] {
		assert!(matches!(index.insert(entry(path, 1)), Err(Error::InvalidPath { .. })), "{path:?}");
	}
	let long = "a/".repeat(MAX_PATH_LEN / 2) + "b";
	assert!(matches!(index.insert(entry(&long, 1)), Err(Error::LimitExceeded { .. })));
	let mut lengths = entry("a", 10);
	lengths.cipher_len += 1;
	assert!(matches!(index.insert(lengths), Err(Error::InvalidLength(_))));
	assert!(index.entries.is_empty());

	// Entries pushed past `insert` are refused when sealing.
	let index = Index { entries: vec![entry("/abs", 1)] };
	assert!(matches!(index.seal(&keys(1)), Err(Error::InvalidPath { .. })));
	let index = Index { entries: vec![entry("a", 1), entry("a", 2)] };
	assert!(matches!(index.seal(&keys(1)), Err(Error::InvalidPath { .. })));

	// At most MAX_ENTRIES.
	let template = entry("t", 1);
	let mut index = Index {
		entries: (0..MAX_ENTRIES)
			.map(|i| IndexEntry { path: i.to_string(), ..template.clone() })
			.collect(),
	};
	assert!(matches!(
		index.insert(IndexEntry { path: "more".into(), ..template.clone() }),
		Err(Error::LimitExceeded { .. })
	));
	// Replacing still works at the bound.
	assert!(index.insert(IndexEntry { path: "7".into(), ..template.clone() }).unwrap().is_some());
	let sealed = index.seal(&keys(1)).unwrap();
	assert_eq!(Index::open(&keys(1), &sealed).unwrap().entries.len(), MAX_ENTRIES);
	index.entries.push(IndexEntry { path: "more".into(), ..template });
	assert!(matches!(index.seal(&keys(1)), Err(Error::LimitExceeded { .. })));
}

fn shared(name: &str, key: FileKey, plain_len: u64) -> SharedFile {
	SharedFile {
		name: name.to_owned(),
		id: [9; 32],
		cipher_len: ciphertext_len(plain_len),
		plain_len,
		file_key: key,
	}
}

#[test]
fn shares_open_for_the_recipient_only() {
	let (b, c) = (keys(2), keys(3));
	// A encrypts a file and shares it with B.
	let plain = b"a file for B".to_vec();
	let key = FileKey::generate().unwrap();
	let mut cipher = Vec::new();
	encrypt(&key, &plain[..], &mut cipher).unwrap();
	let file = shared("report.pdf", key, plain.len() as u64);
	let capsule = seal_share(&b.public_key(), &file).unwrap();
	assert!(capsule.len() <= MAX_CAPSULE_LEN);
	// Anonymous and randomized.
	assert_ne!(seal_share(&b.public_key(), &file).unwrap(), capsule);

	let opened = open_share(&b, &capsule).unwrap();
	assert_eq!(opened, file);
	let mut out = Vec::new();
	decrypt(&opened.file_key, &cipher[..], &mut out, opened.cipher_len).unwrap();
	assert_eq!(out, plain);

	assert!(matches!(open_share(&c, &capsule), Err(Error::Authentication)));
	let mut bad = capsule.clone();
	bad[40] ^= 1;
	assert!(matches!(open_share(&b, &bad), Err(Error::Authentication)));
	assert!(matches!(open_share(&b, &capsule[..47]), Err(Error::Authentication)));
}

#[test]
fn bad_names_are_refused() {
	let b = keys(2);
	let long = "n".repeat(MAX_NAME_LEN + 1);
	let file = shared(&long, FileKey::generate().unwrap(), 1);
	assert!(matches!(seal_share(&b.public_key(), &file), Err(Error::LimitExceeded { .. })));
	for name in ["", "a/b", "..", "."] {
		let file = shared(name, FileKey::generate().unwrap(), 1);
		assert!(
			matches!(seal_share(&b.public_key(), &file), Err(Error::InvalidName(_))),
			"{name:?}"
		);
	}
	let longest = shared(&"é".repeat(127), FileKey::generate().unwrap(), 1);
	let capsule = seal_share(&b.public_key(), &longest).unwrap();
	assert_eq!(open_share(&b, &capsule).unwrap(), longest);
}
