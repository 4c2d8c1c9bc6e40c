//! Shares: a stored file's key and id sealed to another account's published key
//! (`leases.share`), and the inbox of what others shared with this account.

use super::{
	chain::{self, ShareView},
	entries::{find, shared_file},
	errors::vault_error,
	Store,
};
use crate::{keys::ss58, Error};
use bitcloud_primitives::{AccountId, Balance};
use bitcloud_vault::{SharedFile, VaultKeys};
use pallet_leases::ShareId;

/// A share in the account's inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxItem {
	/// Its id (for `get --shared`).
	pub id: ShareId,
	/// Who shared it (the chain's word: the capsule itself proves nothing of its sender).
	pub from: AccountId,
	/// The deposit held from the sender until the share is dismissed.
	pub deposit: Balance,
	/// The file, or why the capsule does not open.
	pub file: Result<SharedFile, Error>,
}

/// `view` opened with `keys`: a capsule that does not open is an item with its error, not a
/// failure of the inbox.
pub fn open_item(keys: &VaultKeys, view: ShareView) -> InboxItem {
	let file = bitcloud_vault::open_share(keys, &view.capsule)
		.map_err(|e| vault_error(&format!("share {}", view.id), e));
	InboxItem { id: view.id, from: view.from, deposit: view.deposit, file }
}

impl Store<'_> {
	/// Shares the file at `path` with `to`: its name, id, lengths and key sealed to `to`'s
	/// published key, put in their inbox (`leases.share`, a deposit is held). Refused when
	/// `to` published no key: they must run `bitcloud store init`.
	pub fn share(&self, path: &str, to: &AccountId) -> Result<ShareId, Error> {
		let key = chain::encryption_key(self.rpc, to)?.ok_or_else(|| {
			Error::Refused(format!(
				"{} has published no encryption key: they must run `bitcloud store init` first",
				ss58(to)
			))
		})?;
		let stored = self.load_index()?;
		let file = shared_file(find(&stored.index, path)?);
		let capsule = bitcloud_vault::seal_share(&key, &file).map_err(|e| match e {
			bitcloud_vault::Error::InvalidPublicKey => Error::Refused(format!(
				"{} published an unusable encryption key: they must run `bitcloud store init` \
				 again",
				ss58(to)
			)),
			e => vault_error(&format!("sharing {path}"), e),
		})?;
		let events = chain::execute(self.rpc, self.signer, chain::share(to, capsule)?)?;
		chain::shared_id(&events)
	}

	/// The shares in the account's inbox, oldest first, each opened.
	pub fn inbox(&self) -> Result<Vec<InboxItem>, Error> {
		let shares = chain::shares(self.rpc, &self.account())?;
		Ok(shares.into_iter().map(|view| open_item(&self.keys, view)).collect())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_vault::{ciphertext_len, FileKey};

	fn file(name: &str) -> SharedFile {
		SharedFile {
			name: name.into(),
			id: [7; 32],
			cipher_len: ciphertext_len(1234),
			plain_len: 1234,
			file_key: FileKey::from_bytes([8; 32]),
		}
	}

	fn view(id: ShareId, capsule: Vec<u8>) -> ShareView {
		ShareView { id, from: AccountId::new([1; 32]), capsule, deposit: 100 }
	}

	#[test]
	fn an_unreadable_capsule_is_listed_not_fatal() {
		let me = VaultKeys::from_secret(&[1; 32]).unwrap();
		let other = VaultKeys::from_secret(&[2; 32]).unwrap();
		let mine = bitcloud_vault::seal_share(&me.public_key(), &file("a.txt")).unwrap();
		let theirs = bitcloud_vault::seal_share(&other.public_key(), &file("b.txt")).unwrap();
		let items: Vec<InboxItem> = [view(1, mine), view(2, theirs), view(3, vec![0; 4])]
			.into_iter()
			.map(|v| open_item(&me, v))
			.collect();
		assert_eq!(items[0].file.as_ref().unwrap(), &file("a.txt"));
		for item in &items[1..] {
			let error = item.file.as_ref().unwrap_err();
			assert!(error.message().contains("wrong key or tampered data"), "{error}");
			assert!(error.message().starts_with(&format!("share {}", item.id)));
		}
	}
}
