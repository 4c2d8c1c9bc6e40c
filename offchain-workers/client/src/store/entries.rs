//! How the index changes, as pure functions: what `put` adds, what `rm` removes, which leases
//! end once the new index is in place, and what a share gives away.

use super::errors::vault_error;
use crate::Error;
use bitcloud_primitives::LeaseId;
use bitcloud_vault::{Index, IndexEntry, SharedFile};

/// `index` with `entries` added, each replacing the entry of the same path; the new index
/// and the entries replaced (their leases are to end once the new index is set). Refused
/// when an entry is invalid or the index would hold too many.
pub fn with_entries(
	mut index: Index,
	entries: Vec<IndexEntry>,
) -> Result<(Index, Vec<IndexEntry>), Error> {
	let mut replaced = Vec::new();
	for entry in entries {
		let path = entry.path.clone();
		let old = index.insert(entry).map_err(|e| vault_error(&format!("adding {path}"), e))?;
		replaced.extend(old);
	}
	Ok((index, replaced))
}

/// `index` without the entry of `path`, and that entry.
pub fn without(mut index: Index, path: &str) -> Result<(Index, IndexEntry), Error> {
	match index.remove(path) {
		Some(entry) => Ok((index, entry)),
		None => Err(not_stored(path)),
	}
}

/// The entry of `path`.
pub fn find<'a>(index: &'a Index, path: &str) -> Result<&'a IndexEntry, Error> {
	index.get(path).ok_or_else(|| not_stored(path))
}

fn not_stored(path: &str) -> Error {
	Error::NotFound(format!("{path} is not in your storage (bitcloud store ls lists it)"))
}

/// The leases to end once `new` is the index (held by lease `new_lease`): the old index's and
/// the `dropped` ones (of entries replaced or removed, of objects no node took), each once,
/// none that `new` or its own lease still uses.
pub fn leases_to_end(
	old_index: Option<LeaseId>,
	dropped: &[LeaseId],
	new: &Index,
	new_lease: LeaseId,
) -> Vec<LeaseId> {
	let mut ends: Vec<LeaseId> = Vec::new();
	for &lease in old_index.iter().chain(dropped) {
		let in_use = lease == new_lease || new.entries.iter().any(|e| e.lease == Some(lease));
		if !in_use && !ends.contains(&lease) {
			ends.push(lease);
		}
	}
	ends
}

/// The name a shared file gets: the last component of its path.
pub fn share_name(path: &str) -> &str {
	path.rsplit('/').next().unwrap_or(path)
}

/// What sharing `entry` gives the recipient: its name, where to fetch it and its key.
pub fn shared_file(entry: &IndexEntry) -> SharedFile {
	SharedFile {
		name: share_name(&entry.path).to_string(),
		id: entry.id,
		cipher_len: entry.cipher_len,
		plain_len: entry.plain_len,
		file_key: entry.file_key.clone(),
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_vault::{ciphertext_len, FileKey, VaultKeys};

	fn entry(path: &str, lease: u64) -> IndexEntry {
		IndexEntry {
			path: path.into(),
			id: [lease as u8; 32],
			cipher_len: ciphertext_len(lease),
			plain_len: lease,
			file_key: FileKey::from_bytes([lease as u8; 32]),
			lease: Some(lease),
		}
	}

	#[test]
	fn adding_replaces_the_same_path_and_says_what_it_replaced() {
		let index = Index { entries: vec![entry("a", 1), entry("b", 2)] };
		let (index, replaced) = with_entries(index, vec![entry("b", 3), entry("c", 4)]).unwrap();
		assert_eq!(replaced, vec![entry("b", 2)]);
		let paths: Vec<(&str, Option<u64>)> =
			index.sorted().iter().map(|e| (e.path.as_str(), e.lease)).collect();
		assert_eq!(paths, [("a", Some(1)), ("b", Some(3)), ("c", Some(4))]);
		// The sealed index opens with the same keys to the same entries.
		let keys = VaultKeys::from_secret(&[9; 32]).unwrap();
		let sealed = index.seal(&keys).unwrap();
		assert_eq!(Index::open(&keys, &sealed).unwrap(), index);
	}

	#[test]
	fn invalid_entries_are_refused() {
		let mut bad = entry("a", 1);
		bad.cipher_len += 1;
		let error = with_entries(Index::new(), vec![bad]).unwrap_err();
		assert!(matches!(error, Error::BadPeer(_) | Error::Input(_)), "{error:?}");
		let error = with_entries(Index::new(), vec![entry("../a", 1)]).unwrap_err();
		assert!(matches!(error, Error::Input(_)), "{error:?}");
	}

	#[test]
	fn removing_and_finding_name_missing_paths() {
		let index = Index { entries: vec![entry("a", 1), entry("d/b", 2)] };
		assert_eq!(find(&index, "d/b").unwrap().lease, Some(2));
		let (rest, gone) = without(index.clone(), "a").unwrap();
		assert_eq!(gone.lease, Some(1));
		assert_eq!(rest.entries.len(), 1);
		let missing = without(index, "z").unwrap_err();
		assert!(matches!(missing, Error::NotFound(_)));
		assert!(missing.to_string().contains("z is not in your storage"));
	}

	#[test]
	fn ending_skips_what_is_still_in_use_and_repeats() {
		let new = Index { entries: vec![entry("a", 1), entry("b", 5)] };
		let dropped = [2, 5, 2];
		assert_eq!(leases_to_end(Some(9), &dropped, &new, 10), [9, 2]);
		assert_eq!(leases_to_end(None, &[], &new, 10), Vec::<u64>::new());
		// The old index lease is never the new one, but if it were it would stay.
		assert_eq!(leases_to_end(Some(10), &[], &new, 10), Vec::<u64>::new());
	}

	#[test]
	fn shares_carry_the_last_component() {
		assert_eq!(share_name("photos/2024/a.jpg"), "a.jpg");
		assert_eq!(share_name("a.jpg"), "a.jpg");
		let file = shared_file(&entry("docs/report.pdf", 3));
		assert_eq!(file.name, "report.pdf");
		assert_eq!((file.id, file.plain_len), ([3; 32], 3));
		assert!(file.validate().is_ok());
	}
}
