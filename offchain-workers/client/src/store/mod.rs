//! Personal storage: files encrypted on this machine ([`bitcloud_vault`]) before they leave
//! it, kept by content nodes under storage leases (`pallet-leases`), and listed, with the key
//! of each, in an encrypted index that only the account's secret opens (`docs/storage.md`,
//! "Personal storage").
//!
//! Every key derives from the account's secret ([`Signer::vault_secret`]): the same secret on
//! a new machine finds the index on chain (`LeasesApi_index`), fetches and opens it, and so
//! every file. A [`Store`] does each command of `bitcloud store`:
//!
//! - [`Store::init`]: publish the account's X25519 key, which others seal shares to;
//! - [`Store::put`]: encrypt files, lease and push them, add them to the index; with no
//!   moderator ([`Terms::moderator`] `None`, `--anonymous`), leases are unmoderated and every
//!   upload and download of the files and the index goes through onion circuits;
//! - [`Store::list`], [`Store::get`], [`Store::remove`];
//! - [`Store::renew`]: more paid epochs for the files' leases and the index's;
//! - [`Store::share`] a file with another account, read the [`Store::inbox`] and
//!   [`Store::get_shared`]; [`Store::dismiss`] a share sent to the account, or
//!   [`Store::unshare`] one it sent.
//!
//! What changes the index goes through one path: the new index is sealed, leased and pushed,
//! set as the account's index (`leases.setIndex`), and only then are the leases it no longer
//! needs ended (the old index's, and those of replaced or removed files). A failure before
//! the index is set leaves the old one in place.
//!
//! The functions here talk to the chain and nodes and are thin; what they decide is in the
//! pure functions of [`paths`], [`entries`], [`files`] and [`renew`].

pub mod chain;
pub mod entries;
mod errors;
pub mod files;
mod get;
mod index;
mod list;
pub mod paths;
mod put;
mod remove;
pub mod renew;
mod share;
mod transfer;

pub use chain::{Created, EncryptionKey, LeaseView, ShareView, Terms, ToppedUp};
pub use errors::{vault_error, WRONG_KEY};
pub use get::GetReport;
pub use index::{Ending, IndexSave, StoredIndex};
pub use list::{row, LeaseStatus, Standing, StoreListing, StoredFile, RUNNING_OUT_EPOCHS};
pub use paths::{parse_index_path, parse_prefix};
pub use put::{PutOptions, PutReport, StoredObject};
pub use remove::{index_terms, RemoveReport};
pub use renew::{RenewReport, Renewed};
pub use share::{open_item, InboxItem, Unshared};
pub use transfer::{end_leases, end_made, lease_all, publish_all, NodePushes, Upload, ONION};

use crate::{download::Payer, rpc::Rpc, Error, Signer, DEFAULT_STRIPE};
use bitcloud_primitives::AccountId;
use bitcloud_runtime::RuntimeCall;
use bitcloud_vault::VaultKeys;

/// Replicas paid for by default (`--replicas`).
pub const DEFAULT_REPLICAS: u32 = 2;

/// Epochs paid for by default (`--epochs`): a day of ten-minute epochs.
pub const DEFAULT_EPOCHS: u32 = 144;

/// One account's personal storage: its keys, derived from the signer's secret, and the chain
/// and nodes it is kept on.
pub struct Store<'a> {
	rpc: &'a Rpc,
	signer: &'a Signer,
	keys: VaultKeys,
	payer: Option<Payer>,
	stripe: usize,
	onion_only: bool,
}

/// What [`Store::init`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
	/// The key is published now.
	Published,
	/// The chain held the key already.
	AlreadyPublished,
}

impl<'a> Store<'a> {
	/// `signer`'s storage on the chain behind `rpc`; downloads are unpaid and take ranges from
	/// [`DEFAULT_STRIPE`] replicas at once.
	pub fn new(rpc: &'a Rpc, signer: &'a Signer) -> Result<Self, Error> {
		let keys = VaultKeys::from_secret(&signer.vault_secret())
			.map_err(|e| vault_error("deriving the storage keys", e))?;
		Ok(Store { rpc, signer, keys, payer: None, stripe: DEFAULT_STRIPE, onion_only: false })
	}

	/// The same, paying every verified range it downloads with a receipt
	/// (`docs/protocol.md`, "Receipts between client and gateway").
	pub fn paying(mut self) -> Result<Self, Error> {
		let genesis = self.rpc.genesis()?;
		self.payer = Some(Payer { signer: self.signer.clone(), genesis });
		Ok(self)
	}

	/// The same, downloading from `stripe` replicas at once (at least one).
	pub fn with_stripe(mut self, stripe: usize) -> Self {
		self.stripe = stripe.max(1);
		self
	}

	/// The same, downloading through the onion layer only (`get --anonymous`): an object (or
	/// index) leased under a moderator is refused rather than fetched over HTTP.
	pub fn onion_only(mut self) -> Self {
		self.onion_only = true;
		self
	}

	/// The account.
	pub fn account(&self) -> AccountId {
		self.signer.account()
	}

	/// The account's X25519 public key, which others seal shares to.
	pub fn public_key(&self) -> EncryptionKey {
		self.keys.public_key()
	}

	/// Publishes the account's public key (`leases.setEncryptionKey`) unless the chain holds
	/// that exact key already.
	pub fn init(&self) -> Result<Init, Error> {
		match self.init_call()? {
			Some(call) => chain::execute(self.rpc, self.signer, call).map(|_| Init::Published),
			None => Ok(Init::AlreadyPublished),
		}
	}

	/// The call that publishes the account's key; none when the chain holds it already.
	fn init_call(&self) -> Result<Option<RuntimeCall>, Error> {
		let published = chain::encryption_key(self.rpc, &self.account())?;
		let key = self.public_key();
		Ok((published != Some(key)).then(|| chain::set_encryption_key(key)))
	}
}
