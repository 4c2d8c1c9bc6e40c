//! `put`: files encrypted here, leased under a moderator and pushed to its nodes (or, with no
//! moderator, leased unmoderated and published through the onion layer), and added to the
//! index.

use super::{
	chain::{self, Created, Terms},
	entries::with_entries,
	files::{encrypt_file, Encrypted, Scratch},
	index::{IndexSave, StoredIndex},
	paths::{self, Source},
	transfer::{self, NodePushes, Upload},
	Store,
};
use crate::Error;
use bitcloud_primitives::{Balance, ContentId, LeaseId};
use bitcloud_vault::{Index, IndexEntry};
use std::path::PathBuf;

/// How `put` stores files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutOptions {
	/// The leases' moderator, keepers and paid epochs (the index's too).
	pub terms: Terms,
	/// The directory of the index the files go under (`--as`).
	pub prefix: Option<String>,
}

/// A file stored by `put`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
	/// Its path in the index.
	pub path: String,
	/// The content id of its ciphertext.
	pub id: ContentId,
	/// Bytes of plaintext.
	pub plain_len: u64,
	/// Bytes of ciphertext (what is leased).
	pub cipher_len: u64,
	/// Its lease.
	pub lease: LeaseId,
	/// What the lease holds.
	pub held: Balance,
}

/// What `put` did.
#[derive(Debug, Clone)]
pub struct PutReport {
	/// Whether the account's encryption key was published now (an implicit `init`).
	pub key_published: bool,
	/// The files in the index now.
	pub stored: Vec<StoredObject>,
	/// Files no node took, and why: left out of the index, their leases ended.
	pub not_taken: Vec<(StoredObject, Error)>,
	/// How each node took the files.
	pub pushes: Vec<NodePushes>,
	/// The new index.
	pub index: IndexSave,
}

impl Store<'_> {
	/// Stores the files and directories `inputs` (see [`paths::sources`]): each encrypted
	/// under a fresh key into a temporary file, leased under `options.terms` (all leases in
	/// one go, with the account's key if the chain lacks it), pushed to every node serving the
	/// moderator (or, under none, published through the onion layer), then added to the index, replacing files of the same path (their leases
	/// end). Nothing is leased when a file, the index or the chain's quote refuses.
	/// `progress` hears (bytes pushed of the current object, its size).
	pub fn put(
		&self,
		inputs: &[PathBuf],
		options: &PutOptions,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<PutReport, Error> {
		let terms = &options.terms;
		let sources = paths::sources(inputs, options.prefix.as_deref())?;
		let route = self.route(terms.moderator.as_ref())?;
		let old = self.load_index()?;
		let scratch = Scratch::new()?;
		let encrypted = encrypt_all(&sources, &scratch)?;
		// What the index or the chain would refuse, before anything is paid.
		with_entries(old.index.clone(), entries(&sources, &encrypted, &[]))?;
		for file in &encrypted {
			chain::quote(self.rpc, file.cipher_len, terms)?;
		}
		// The files' leases, the new index's, and the old index's until it ends.
		let held = chain::leases_of(self.rpc, &self.account())?.len();
		chain::check_lease_room(held, encrypted.len() + 1, chain::max_leases_per_owner())?;
		let (key_published, created) = self.create_leases(&encrypted, terms)?;
		let objects = objects(&sources, &encrypted, &created);
		let uploads: Vec<Upload> = objects
			.iter()
			.zip(&encrypted)
			.map(|(object, file)| Upload {
				label: &object.path,
				file: &file.file,
				id: file.id,
				size: file.cipher_len,
			})
			.collect();
		let pushes = transfer::push_via(&route, &uploads, progress);
		let outcome = Outcome { sources, encrypted, objects, created, key_published, pushes };
		self.index_put(old, outcome, terms, progress)
	}

	/// Leases every file (and publishes the account's key first if the chain lacks it), all
	/// signed at once; whether the key was published, and the lease of each file in order. If
	/// the chain refuses a call, the leases it made anyway are ended ([`transfer::lease_all`]).
	fn create_leases(
		&self,
		encrypted: &[Encrypted],
		terms: &Terms,
	) -> Result<(bool, Vec<Created>), Error> {
		let init = self.init_call()?;
		let key_published = init.is_some();
		let objects: Vec<(ContentId, u64)> =
			encrypted.iter().map(|file| (file.id, file.cipher_len)).collect();
		let created = transfer::lease_all(
			self.rpc,
			self.signer,
			init.into_iter().collect(),
			&objects,
			terms,
		)?;
		Ok((key_published, created))
	}

	/// Adds the files some node took to the index and saves it; the others are left out and
	/// their leases end. If the index cannot be saved, every new lease is ended.
	fn index_put(
		&self,
		old: StoredIndex,
		outcome: Outcome,
		terms: &Terms,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<PutReport, Error> {
		let Outcome { sources, encrypted, objects, created, key_published, pushes } = outcome;
		let new_leases: Vec<LeaseId> = created.iter().map(|c| c.lease).collect();
		let (mut stored, mut not_taken) = (Vec::new(), Vec::new());
		for object in objects {
			match transfer::taken(&pushes, &object.path) {
				true => stored.push(object),
				false => {
					let why = transfer::why_not_taken(&pushes, &object.path);
					not_taken.push((object, why));
				},
			}
		}
		let lost: Vec<LeaseId> = not_taken.iter().map(|(object, _)| object.lease).collect();
		if stored.is_empty() {
			self.end_leases(&new_leases);
			let why = not_taken.into_iter().next().map(|(_, why)| why);
			let error = why.unwrap_or_else(|| Error::Input("nothing to store".into()));
			return Err(
				error.map_message(|e| format!("{e}; nothing is stored (the leases are ended)"))
			);
		}
		let kept: Vec<LeaseId> = stored.iter().map(|object| object.lease).collect();
		let added = entries(&sources, &encrypted, &created);
		let saved = plan_index(&old.index, added, &kept, &lost)
			.and_then(|(index, dropped)| self.save_index(&index, &old, &dropped, terms, progress));
		match saved {
			Ok(index) => Ok(PutReport { key_published, stored, not_taken, pushes, index }),
			Err(error) => {
				self.end_leases(&new_leases);
				Err(error.map_message(|e| {
					format!("{e}; the new files' leases are ended: store them again")
				}))
			},
		}
	}
}

/// The index after a put: `old` with those of `added` whose lease is `kept` (some node took
/// them), and the leases to let go once it is set: those of the entries it replaces and the
/// `lost` ones (of files no node took).
fn plan_index(
	old: &Index,
	added: Vec<IndexEntry>,
	kept: &[LeaseId],
	lost: &[LeaseId],
) -> Result<(Index, Vec<LeaseId>), Error> {
	let added =
		added.into_iter().filter(|entry| entry.lease.is_some_and(|lease| kept.contains(&lease)));
	let (index, replaced) = with_entries(old.clone(), added.collect())?;
	let mut dropped: Vec<LeaseId> = replaced.iter().filter_map(|entry| entry.lease).collect();
	dropped.extend_from_slice(lost);
	Ok((index, dropped))
}

/// A put's files once leased and pushed.
struct Outcome {
	sources: Vec<Source>,
	encrypted: Vec<Encrypted>,
	objects: Vec<StoredObject>,
	created: Vec<Created>,
	key_published: bool,
	pushes: Vec<NodePushes>,
}

/// Every source encrypted into the scratch directory, in order.
fn encrypt_all(sources: &[Source], scratch: &Scratch) -> Result<Vec<Encrypted>, Error> {
	sources.iter().map(|source| encrypt_file(&source.file, scratch.path("cipher"))).collect()
}

/// The index entries of the encrypted `sources`, with the leases `created` for them (none
/// if not yet leased).
fn entries(sources: &[Source], encrypted: &[Encrypted], created: &[Created]) -> Vec<IndexEntry> {
	sources
		.iter()
		.zip(encrypted)
		.enumerate()
		.map(|(n, (source, file))| IndexEntry {
			path: source.path.clone(),
			id: file.id,
			cipher_len: file.cipher_len,
			plain_len: file.plain_len,
			file_key: file.key.clone(),
			lease: created.get(n).map(|c| c.lease),
		})
		.collect()
}

/// What reports say of each leased file.
fn objects(sources: &[Source], encrypted: &[Encrypted], created: &[Created]) -> Vec<StoredObject> {
	sources
		.iter()
		.zip(encrypted)
		.zip(created)
		.map(|((source, file), created)| StoredObject {
			path: source.path.clone(),
			id: file.id,
			plain_len: file.plain_len,
			cipher_len: file.cipher_len,
			lease: created.lease,
			held: created.held,
		})
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::fs;

	fn entry(path: &str, lease: LeaseId) -> IndexEntry {
		IndexEntry {
			path: path.into(),
			id: [lease as u8; 32],
			cipher_len: bitcloud_vault::ciphertext_len(1),
			plain_len: 1,
			file_key: bitcloud_vault::FileKey::from_bytes([1; 32]),
			lease: Some(lease),
		}
	}

	#[test]
	fn only_files_some_node_took_enter_the_index() {
		let old = Index { entries: vec![entry("a", 1), entry("b", 2)] };
		let added = vec![entry("b", 10), entry("c", 11), entry("d", 12)];
		// Node took b and c; d went nowhere.
		let (index, dropped) = plan_index(&old, added, &[10, 11], &[12]).unwrap();
		let paths: Vec<(&str, Option<LeaseId>)> =
			index.sorted().iter().map(|e| (e.path.as_str(), e.lease)).collect();
		assert_eq!(paths, [("a", Some(1)), ("b", Some(10)), ("c", Some(11))]);
		// The replaced b's lease and the lost d's end once the index is set.
		assert_eq!(dropped, [2, 12]);
		assert_eq!(old.entries.len(), 2, "the old index is left as it was");
	}

	#[test]
	fn entries_carry_paths_ids_lengths_keys_and_leases() {
		let dir = tempfile::tempdir().unwrap();
		let scratch = Scratch::new().unwrap();
		fs::write(dir.path().join("a"), "hello").unwrap();
		fs::create_dir(dir.path().join("d")).unwrap();
		fs::write(dir.path().join("d/b"), "world!").unwrap();
		let inputs = [dir.path().join("a"), dir.path().join("d")];
		let sources = paths::sources(&inputs, Some("x")).unwrap();
		let encrypted = encrypt_all(&sources, &scratch).unwrap();
		let unleased = entries(&sources, &encrypted, &[]);
		assert!(unleased.iter().all(|entry| entry.lease.is_none()));
		let created: Vec<Created> = encrypted
			.iter()
			.enumerate()
			.map(|(n, file)| Created {
				lease: 10 + n as u64,
				content: file.id,
				held: 5,
				paid_until: 9,
			})
			.collect();
		let leased = entries(&sources, &encrypted, &created);
		let summary: Vec<(&str, u64, Option<u64>)> =
			leased.iter().map(|e| (e.path.as_str(), e.plain_len, e.lease)).collect();
		assert_eq!(summary, [("x/a", 5, Some(10)), ("x/d/b", 6, Some(11))]);
		assert_eq!(leased[0].file_key, encrypted[0].key);
		assert_ne!(leased[0].file_key, leased[1].file_key, "a fresh key per file");
		let objects = objects(&sources, &encrypted, &created);
		assert_eq!(objects[1].lease, 11);
		assert_eq!(objects[1].cipher_len, encrypted[1].cipher_len);
	}
}
