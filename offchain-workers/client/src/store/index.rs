//! The index as the chain and nodes hold it: found through `LeasesApi_index`, fetched from
//! its lease's keepers (through the onion layer when its lease is unmoderated) and opened
//! with the account's keys; saved as a new leased object that becomes the account's index
//! before the leases it replaces end.

use super::{
	chain::{self, LeaseView, Terms},
	entries::leases_to_end,
	errors::vault_error,
	files::{read_at_most, write_new, Scratch},
	transfer::{self, NodePushes, Route, Upload},
	Store,
};
use crate::{anonymous, download::DownloadReport, keys::ss58, publish::content_id_of, Error};
use bitcloud_onion::Anonymous;
use bitcloud_primitives::{AccountId, ContentId, EpochIndex, LeaseId};
use bitcloud_vault::{ciphertext_len, Index, INDEX_SALT_LEN, MAX_INDEX_PLAIN_LEN};
use std::path::Path;

/// What reports call the index among pushed objects.
pub const INDEX_LABEL: &str = "(index)";

/// The longest sealed index: its salt and the ciphertext of the longest index plaintext.
pub fn max_sealed_len() -> u64 {
	INDEX_SALT_LEN as u64 + ciphertext_len(MAX_INDEX_PLAIN_LEN as u64)
}

/// The account's index and the lease that holds it (none before the first `put`).
#[derive(Debug, Clone, Default)]
pub struct StoredIndex {
	/// The entries.
	pub index: Index,
	/// The lease of the sealed index, and what the chain says of it.
	pub lease: Option<(LeaseId, LeaseView)>,
}

impl StoredIndex {
	/// The lease of the sealed index.
	pub fn lease_id(&self) -> Option<LeaseId> {
		self.lease.as_ref().map(|(id, _)| *id)
	}
}

/// What saving an index did.
#[derive(Debug, Clone)]
pub struct IndexSave {
	/// The lease of the new index, now the account's index.
	pub lease: LeaseId,
	/// First epoch its lease is not paid for.
	pub paid_until: EpochIndex,
	/// How each node took it.
	pub pushes: Vec<NodePushes>,
	/// The leases no longer needed (the old index's, replaced or removed files'), ended or not.
	pub ending: Ending,
}

/// Leases a command ended, and those it could not.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ending {
	/// Ended now.
	pub ended: Vec<LeaseId>,
	/// Still running (they end by themselves once their paid epochs are over).
	pub left: Vec<LeaseId>,
	/// Why they are left.
	pub error: Option<Error>,
}

impl Store<'_> {
	/// The account's index; an empty one if it has none yet. Fails with
	/// [`WRONG_KEY`](super::WRONG_KEY) if it does not open with this account's keys.
	pub fn load_index(&self) -> Result<StoredIndex, Error> {
		let me = self.account();
		let Some(id) = chain::index_lease(self.rpc, &me)? else {
			return Ok(StoredIndex::default());
		};
		let view = chain::lease(self.rpc, id)?.ok_or_else(|| {
			Error::BadPeer(format!(
				"the chain names lease {id} as your index but holds no such lease"
			))
		})?;
		let limit = max_sealed_len();
		if view.bytes > limit {
			let why =
				format!("the index's lease {id} is {} bytes, an index at most {limit}", view.bytes);
			return Err(Error::BadPeer(why));
		}
		let scratch = Scratch::new()?;
		let file = scratch.path("index");
		let leases = std::slice::from_ref(&view);
		self.download(leases, &view.content, &file, "your index", &mut |_, _| {})?;
		let sealed = read_at_most(&file, limit)?;
		let index = Index::open(&self.keys, &sealed)
			.map_err(|e| vault_error(&format!("opening the index of {}", ss58(&me)), e))?;
		Ok(StoredIndex { index, lease: Some((id, view)) })
	}

	/// Makes `new` the account's index: sealed, leased under `terms`, pushed to the nodes
	/// serving the moderator (published through the onion layer under none), set (`leases.setIndex`); then the leases it no longer needs end
	/// (`old`'s and the `dropped` ones, see [`leases_to_end`]). Until the index is set, a
	/// failure leaves `old` the index (and the new lease is ended).
	pub(super) fn save_index(
		&self,
		new: &Index,
		old: &StoredIndex,
		dropped: &[LeaseId],
		terms: &Terms,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<IndexSave, Error> {
		let sealed = new.seal(&self.keys).map_err(|e| vault_error("sealing the index", e))?;
		let scratch = Scratch::new()?;
		let file = scratch.path("index");
		write_new(&file, &sealed)?;
		let (id, size) = content_id_of(&file)?;
		let route = self.route(terms.moderator.as_ref())?;
		let events = chain::execute(self.rpc, self.signer, chain::create_lease(id, size, terms))?;
		let created = chain::created_for(&chain::created_leases(&events), &id)?;
		let upload = Upload { label: INDEX_LABEL, file: &file, id, size };
		let pushes = transfer::push_via(&route, &[upload], progress);
		let set = match transfer::taken(&pushes, INDEX_LABEL) {
			true => chain::execute(self.rpc, self.signer, chain::set_index(Some(created.lease))),
			false => Err(transfer::why_not_taken(&pushes, INDEX_LABEL)),
		};
		if let Err(error) = set {
			self.end_leases(&[created.lease]);
			return Err(error.map_message(|e| format!("{e}: your index is unchanged")));
		}
		let ends = leases_to_end(old.lease_id(), dropped, new, created.lease);
		let ending = self.end_leases(&ends);
		Ok(IndexSave { lease: created.lease, paid_until: created.paid_until, pushes, ending })
	}

	/// Ends the leases of `ids` that are still this account's and running, all at once; which
	/// ended and which are left ([`transfer::end_leases`]).
	pub(super) fn end_leases(&self, ids: &[LeaseId]) -> Ending {
		transfer::end_leases(self.rpc, self.signer, ids)
	}

	/// Downloads object `id` (`what`, in errors) into `out` the way its `leases` say: through
	/// the onion layer when one is unmoderated ([`transfer::through_onion`]), otherwise from
	/// their keepers, then the other nodes serving their moderators (refused when the store is
	/// [`Store::onion_only`]).
	pub(super) fn download(
		&self,
		leases: &[LeaseView],
		id: &ContentId,
		out: &Path,
		what: &str,
		progress: &mut dyn FnMut(u64, u64),
	) -> Result<DownloadReport, Error> {
		if transfer::through_onion(leases) {
			return transfer::fetch_anonymously(&self.onion()?, id, out, what, progress);
		}
		if self.onion_only {
			return Err(Error::Input(format!(
				"{what} is leased under a moderator: its nodes serve it over HTTP only, not \
				 through the onion layer (leave out --anonymous)"
			)));
		}
		let replicas = transfer::replicas(self.rpc, leases, id, &self.account())?;
		transfer::fetch(replicas, id, out, self.stripe, self.payer.as_ref(), what, progress)
	}

	/// Where objects leased under `moderator` go: its nodes' gateways, or the onion layer
	/// when there is none (anonymous storage).
	pub(super) fn route(&self, moderator: Option<&AccountId>) -> Result<Route, Error> {
		match moderator {
			Some(moderator) => self.gateways(moderator).map(Route::Gateways),
			None => self.onion().map(Route::Onion),
		}
	}

	/// Three-hop circuits through the chain's onion relays; refused when it lists none.
	fn onion(&self) -> Result<Anonymous, Error> {
		let onion = anonymous::anonymous(self.rpc, None)?;
		if onion.relays.is_empty() {
			return Err(Error::Refused(
				"the chain lists no onion relay: nothing can move what you store anonymously; \
				 store it under a --moderator instead"
					.into(),
			));
		}
		Ok(onion)
	}

	/// The nodes serving `moderator` with a gateway; refused when there is none (nothing could
	/// keep an object).
	pub(super) fn gateways(&self, moderator: &AccountId) -> Result<Vec<transfer::Gateway>, Error> {
		let gateways = transfer::gateways(self.rpc, moderator)?;
		if gateways.is_empty() {
			return Err(Error::Refused(format!(
				"no node serving {} lists a gateway: no node could keep what you store; choose \
				 another --moderator",
				ss58(moderator)
			)));
		}
		Ok(gateways)
	}
}
