//! `get`: a stored or shared file fetched from the nodes that keep it, verified against its
//! content id, then decrypted into the output, which appears only when every byte is
//! authentic.

use super::{
	chain::{self, LeaseView},
	entries::find,
	errors::vault_error,
	files::{check_output, decrypt_file, Scratch},
	Store,
};
use crate::{download::DownloadReport, Error};
use bitcloud_primitives::{ContentId, LeaseId};
use bitcloud_vault::FileKey;
use pallet_leases::ShareId;
use std::path::Path;

/// What `get` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetReport {
	/// The file's path in the index, or a shared file's name.
	pub name: String,
	/// Bytes of plaintext written.
	pub plain_len: u64,
	/// How the ciphertext was downloaded.
	pub download: DownloadReport,
}

/// An object to fetch and decrypt.
struct Object<'a> {
	name: String,
	id: ContentId,
	cipher_len: u64,
	key: &'a FileKey,
	/// Its lease as the index has it, asked first.
	lease: Option<LeaseId>,
}

impl Store<'_> {
	/// Writes the file at `path` in the index to `out`. `progress` hears (verified bytes of
	/// ciphertext, its size).
	pub fn get(
		&self,
		path: &str,
		out: &Path,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<GetReport, Error> {
		check_output(out)?;
		let stored = self.load_index()?;
		let entry = find(&stored.index, path)?;
		let object = Object {
			name: entry.path.clone(),
			id: entry.id,
			cipher_len: entry.cipher_len,
			key: &entry.file_key,
			lease: entry.lease,
		};
		self.fetch_object(&object, out, progress)
	}

	/// Writes the file of share `share` in the account's inbox to `out`.
	pub fn get_shared(
		&self,
		share: ShareId,
		out: &Path,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<GetReport, Error> {
		check_output(out)?;
		let view = chain::shares(self.rpc, &self.account())?
			.into_iter()
			.find(|view| view.id == share)
			.ok_or_else(|| {
				Error::NotFound(format!(
					"no share {share} in your inbox (bitcloud store inbox lists them)"
				))
			})?;
		let file = bitcloud_vault::open_share(&self.keys, &view.capsule)
			.map_err(|e| vault_error(&format!("opening share {share}"), e))?;
		let object = Object {
			name: file.name.clone(),
			id: file.id,
			cipher_len: file.cipher_len,
			key: &file.file_key,
			lease: None,
		};
		self.fetch_object(&object, out, progress)
	}

	/// Downloads `object`'s ciphertext into a temporary file from the keepers of its leases
	/// (then the other nodes serving their moderators; through the onion layer when a lease
	/// is unmoderated) and decrypts it into `out`.
	fn fetch_object(
		&self,
		object: &Object,
		out: &Path,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<GetReport, Error> {
		let leases = self.leases_holding(&object.id, object.lease)?;
		let scratch = Scratch::new()?;
		let cipher = scratch.path("cipher");
		let what = object.name.as_str();
		let download = self.download(&leases, &object.id, &cipher, what, progress)?;
		let plain_len = decrypt_file(object.key, &cipher, object.cipher_len, out, what)?;
		Ok(GetReport { name: object.name.clone(), plain_len, download })
	}

	/// The running leases of object `id`: `first` (if it still holds `id`), then the others
	/// the chain knows.
	fn leases_holding(
		&self,
		id: &ContentId,
		first: Option<LeaseId>,
	) -> Result<Vec<LeaseView>, Error> {
		let mut ids: Vec<LeaseId> = first.into_iter().collect();
		for lease in chain::leases_of_content(self.rpc, id)? {
			if !ids.contains(&lease) {
				ids.push(lease);
			}
		}
		let mut views = Vec::new();
		for lease in ids {
			if let Some(view) = chain::lease(self.rpc, lease)?.filter(|view| view.content == *id) {
				views.push(view);
			}
		}
		Ok(views)
	}
}
