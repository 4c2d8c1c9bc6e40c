//! Shares: a stored file's key and id sealed to another account's published key
//! (`leases.share`), the inbox of what others shared with this account, and shares taken out
//! of an inbox: dismissed by their recipient (`leases.dismissShare`) or taken back by their
//! sender (`leases.withdrawShare`), the deposit released either way.

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

/// A share taken out of an inbox; its deposit is no longer held from its sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unshared {
	/// Its id.
	pub id: ShareId,
	/// Who sent it.
	pub from: AccountId,
	/// Whose inbox it was in.
	pub to: AccountId,
	/// The deposit released to the sender.
	pub deposit: Balance,
}

/// Share `id` among `inbox`, the inbox of `to`, as [`Unshared`]. Refused when it is not
/// there, saying where the ids are (for the inbox of `me`, the account's own, or another's).
pub fn find_share(
	inbox: Vec<ShareView>,
	id: ShareId,
	to: &AccountId,
	me: &AccountId,
) -> Result<Unshared, Error> {
	let view = inbox.into_iter().find(|view| view.id == id).ok_or_else(|| {
		Error::Refused(match to == me {
			true => format!("no share {id} in your inbox: bitcloud store inbox lists them"),
			false => format!(
				"no share {id} in the inbox of {}: it was dismissed or taken back already, or \
				 was sent to another account (check --to and the id `bitcloud store share` \
				 printed)",
				ss58(to)
			),
		})
	})?;
	Ok(Unshared { id, from: view.from, to: to.clone(), deposit: view.deposit })
}

/// Refuses taking back `share` unless `me` sent it: only the sender may.
pub fn check_sender(share: &Unshared, me: &AccountId) -> Result<(), Error> {
	if share.from != *me {
		return Err(Error::Refused(format!(
			"share {} in the inbox of {} was sent by {}, not by this account: only its sender \
			 can take it back (check --suri or the share id)",
			share.id,
			ss58(&share.to),
			ss58(&share.from)
		)));
	}
	Ok(())
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

	/// Dismisses share `id` from the account's inbox (`leases.dismissShare`): its deposit
	/// goes back to its sender. Refused when the inbox holds no such share.
	pub fn dismiss(&self, id: ShareId) -> Result<Unshared, Error> {
		let me = self.account();
		let share = find_share(chain::shares(self.rpc, &me)?, id, &me, &me)?;
		let events = chain::execute(self.rpc, self.signer, chain::dismiss_share(id))?;
		chain::share_removed(&events, id)?;
		Ok(share)
	}

	/// Takes back share `id` this account sent to `to` (`leases.withdrawShare`): out of their
	/// inbox, its deposit released. Refused when `to`'s inbox holds no such share or another
	/// account sent it.
	pub fn unshare(&self, id: ShareId, to: &AccountId) -> Result<Unshared, Error> {
		let me = self.account();
		let share = find_share(chain::shares(self.rpc, to)?, id, to, &me)?;
		check_sender(&share, &me)?;
		let events = chain::execute(self.rpc, self.signer, chain::withdraw_share(to, id))?;
		chain::share_removed(&events, id)?;
		Ok(share)
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
	fn shares_are_found_in_their_inbox_and_taken_back_by_their_sender_only() {
		let (me, bob) = (AccountId::new([1; 32]), AccountId::new([2; 32]));
		let inbox = vec![view(1, vec![1]), view(2, vec![2])];
		let found = find_share(inbox.clone(), 2, &bob, &me).unwrap();
		assert_eq!(found, Unshared { id: 2, from: me.clone(), to: bob.clone(), deposit: 100 });
		assert!(check_sender(&found, &me).is_ok());
		let error = check_sender(&found, &bob).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().contains("only its sender can take it back"), "{error}");
		let mine = find_share(inbox.clone(), 3, &me, &me).unwrap_err();
		assert!(matches!(mine, Error::Refused(_)));
		assert!(mine.message().contains("bitcloud store inbox lists them"), "{mine}");
		let theirs = find_share(inbox, 3, &bob, &me).unwrap_err();
		assert!(theirs.message().contains("check --to"), "{theirs}");
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
