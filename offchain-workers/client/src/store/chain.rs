//! The leases pallet over JSON-RPC: its runtime API (`LeasesApi_*`), its calls and the events
//! they report. Every call goes through [`Rpc::execute`] or [`Rpc::execute_all`], so a refusal
//! comes back with the runtime's name for it and, for the common ones, what to do.

use super::errors::with_hint;
use crate::{rpc::Rpc, Error, Signer};
use bitcloud_primitives::{AccountId, Balance, ContentId, EpochIndex, LeaseId};
use bitcloud_runtime::{Runtime, RuntimeCall, RuntimeError, RuntimeEvent};
use pallet_leases::ShareId;
use polkadot_sdk::{frame_support::traits::Get, frame_system, sp_runtime::DispatchError};
use std::time::{Duration, Instant};

/// A lease as `LeasesApi_lease` returns it.
pub type LeaseView = pallet_leases::LeaseView<AccountId, Balance>;

/// A share in an inbox as `LeasesApi_shares` returns it.
pub type ShareView = pallet_leases::ShareView<AccountId, Balance>;

/// The event of `pallet-leases` in this runtime.
type LeasesEvent = pallet_leases::Event<Runtime>;

/// An X25519 public key as the chain holds it.
pub type EncryptionKey = pallet_leases::EncryptionKey;

/// The terms of new leases: under which moderator (its subscribed nodes keep the objects; none:
/// unmoderated, kept by nodes carrying unmoderated traffic and moved through the onion layer),
/// by how many keepers, paid for how many epochs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
	/// The moderator whose nodes keep and serve the objects; none: anonymous storage.
	pub moderator: Option<AccountId>,
	/// Keepers paid for.
	pub replicas: u32,
	/// Epochs paid for.
	pub epochs: EpochIndex,
}

// Queries.

/// Lease `id`, if it exists (not yet closed).
pub fn lease(rpc: &Rpc, id: LeaseId) -> Result<Option<LeaseView>, Error> {
	rpc.runtime_api("LeasesApi_lease", id)
}

/// The lease of `account`'s index, if it has one.
pub fn index_lease(rpc: &Rpc, account: &AccountId) -> Result<Option<LeaseId>, Error> {
	rpc.runtime_api("LeasesApi_index", account)
}

/// The X25519 public key `account` published for shares, if any.
pub fn encryption_key(rpc: &Rpc, account: &AccountId) -> Result<Option<EncryptionKey>, Error> {
	rpc.runtime_api("LeasesApi_encryption_key", account)
}

/// `account`'s inbox, oldest share first.
pub fn shares(rpc: &Rpc, account: &AccountId) -> Result<Vec<ShareView>, Error> {
	rpc.runtime_api("LeasesApi_shares", account)
}

/// The leases of object `content`.
pub fn leases_of_content(rpc: &Rpc, content: &ContentId) -> Result<Vec<LeaseId>, Error> {
	rpc.runtime_api("LeasesApi_leases_of_content", content)
}

/// The leases `owner` owns.
pub fn leases_of(rpc: &Rpc, owner: &AccountId) -> Result<Vec<LeaseId>, Error> {
	rpc.runtime_api("LeasesApi_leases_of", owner)
}

/// The most leases an account may hold, as this client's runtime has it.
pub fn max_leases_per_owner() -> usize {
	let max: u32 = <Runtime as pallet_leases::Config>::MaxLeasesPerOwner::get();
	max as usize
}

/// Refuses `new` more leases when `owner`, holding `held`, would pass `max`.
pub fn check_lease_room(held: usize, new: usize, max: usize) -> Result<(), Error> {
	if held.saturating_add(new) > max {
		return Err(Error::Refused(format!(
			"this needs {new} new leases and the account holds {held} of the {max} the chain \
			 allows: store fewer files at once, or remove some (bitcloud store rm)"
		)));
	}
	Ok(())
}

/// What `account` has free (the balance not held or frozen aside; fees and new holds come
/// out of it).
pub fn free_balance(rpc: &Rpc, account: &AccountId) -> Result<Balance, Error> {
	let key = frame_system::Account::<Runtime>::hashed_key_for(account);
	let info: Option<AccountInfo> = rpc.storage(&key)?;
	Ok(info.map(|info| info.data.free).unwrap_or_default())
}

/// An account as `frame_system` stores it.
type AccountInfo = frame_system::AccountInfo<
	<Runtime as frame_system::Config>::Nonce,
	<Runtime as frame_system::Config>::AccountData,
>;

/// Waits (at most [`SETTLE_TIMEOUT`]) until the best block is past the current one, so that
/// transactions submitted with one that failed are in a block or gone.
pub fn next_block(rpc: &Rpc) -> Result<(), Error> {
	let start = rpc.best_number()?;
	let since = Instant::now();
	while rpc.best_number()? <= start && since.elapsed() < SETTLE_TIMEOUT {
		std::thread::sleep(Duration::from_millis(250));
	}
	Ok(())
}

/// Longest [`next_block`] waits.
pub const SETTLE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a lease of `bytes` under `terms` would hold; the chain's refusal (with what to do
/// about it) if `createLease` would fail.
pub fn quote(rpc: &Rpc, bytes: u64, terms: &Terms) -> Result<Balance, Error> {
	let args = (terms.moderator.as_ref(), bytes, terms.replicas, terms.epochs);
	let answer: Result<Balance, DispatchError> = rpc.runtime_api("LeasesApi_quote", args)?;
	answer.map_err(|error| {
		let name = match RuntimeError::from_dispatch_error(error) {
			Some(error) => format!("{error:?}"),
			None => format!("{error:?}"),
		};
		with_hint(Error::Refused(format!("the chain would refuse the lease: {name}")))
	})
}

// Calls.

/// `leases.createLease` of object `content` of `bytes` bytes under `terms`.
pub fn create_lease(content: ContentId, bytes: u64, terms: &Terms) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::create_lease {
		content,
		bytes,
		replicas: terms.replicas,
		moderator: terms.moderator.clone(),
		epochs: terms.epochs,
	})
}

/// `leases.endLease(lease)`.
pub fn end_lease(lease: LeaseId) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::end_lease { lease })
}

/// `leases.setIndex(lease)`.
pub fn set_index(lease: Option<LeaseId>) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::set_index { lease })
}

/// `leases.setEncryptionKey(key)`.
pub fn set_encryption_key(key: EncryptionKey) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::set_encryption_key { key })
}

/// `leases.share(to, capsule)`; refused when the capsule is longer than the runtime takes.
pub fn share(to: &AccountId, capsule: Vec<u8>) -> Result<RuntimeCall, Error> {
	let len = capsule.len();
	let capsule = capsule.try_into().map_err(|_| {
		Error::Input(format!("a capsule of {len} bytes is longer than the chain takes"))
	})?;
	Ok(RuntimeCall::Leases(pallet_leases::Call::share { to: to.clone(), capsule }))
}

/// `leases.topUp(lease, epochs)`.
pub fn top_up(lease: LeaseId, epochs: EpochIndex) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::top_up { lease, epochs })
}

/// `leases.dismissShare(share)`: out of the caller's inbox, the deposit back to its sender.
pub fn dismiss_share(share: ShareId) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::dismiss_share { share })
}

/// `leases.withdrawShare(to, share)`: a share the caller sent, out of `to`'s inbox, its
/// deposit released.
pub fn withdraw_share(to: &AccountId, share: ShareId) -> RuntimeCall {
	RuntimeCall::Leases(pallet_leases::Call::withdraw_share { to: to.clone(), share })
}

/// Signs and executes `call`; its events, or the refusal with what to do about it.
pub fn execute(rpc: &Rpc, signer: &Signer, call: RuntimeCall) -> Result<Vec<RuntimeEvent>, Error> {
	rpc.execute(signer, call).map_err(with_hint)
}

/// Signs and executes `calls` at once (see [`Rpc::execute_all`]); their events, or the first
/// refusal with what to do about it.
pub fn execute_all(
	rpc: &Rpc,
	signer: &Signer,
	calls: Vec<RuntimeCall>,
) -> Result<Vec<Vec<RuntimeEvent>>, Error> {
	if calls.is_empty() {
		return Ok(Vec::new());
	}
	rpc.execute_all(signer, calls).map_err(with_hint)
}

// Events.

/// A lease the chain reported created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
	/// The new lease.
	pub lease: LeaseId,
	/// Its object.
	pub content: ContentId,
	/// What was held for it.
	pub held: Balance,
	/// First epoch not paid for.
	pub paid_until: EpochIndex,
}

/// The leases created among `events` (`LeaseCreated`), in order.
pub fn created_leases<'a>(events: impl IntoIterator<Item = &'a RuntimeEvent>) -> Vec<Created> {
	events
		.into_iter()
		.filter_map(|event| match event {
			RuntimeEvent::Leases(LeasesEvent::LeaseCreated {
				lease,
				content,
				held,
				paid_until,
				..
			}) => Some(Created {
				lease: *lease,
				content: *content,
				held: *held,
				paid_until: *paid_until,
			}),
			_ => None,
		})
		.collect()
}

/// The lease created for `content` among `created`; an error if the chain reported none.
pub fn created_for(created: &[Created], content: &ContentId) -> Result<Created, Error> {
	created.iter().find(|c| c.content == *content).cloned().ok_or_else(|| {
		Error::BadPeer(format!(
			"the chain took the lease of {} but reported no LeaseCreated for it",
			hex::encode(content)
		))
	})
}

/// The share reported among `events` (`Shared`).
pub fn shared_id(events: &[RuntimeEvent]) -> Result<ShareId, Error> {
	events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Leases(LeasesEvent::Shared { share, .. }) => Some(*share),
			_ => None,
		})
		.ok_or_else(|| Error::BadPeer("the share went through but reported no Shared".into()))
}

/// A lease the chain reported topped up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToppedUp {
	/// The lease.
	pub lease: LeaseId,
	/// What was held for the epochs added.
	pub held: Balance,
	/// First epoch not paid for now.
	pub paid_until: EpochIndex,
}

/// The top-up of `lease` among `events` (`LeaseToppedUp`); an error if the chain reported
/// none.
pub fn topped_up(events: &[RuntimeEvent], lease: LeaseId) -> Result<ToppedUp, Error> {
	events
		.iter()
		.find_map(|event| match event {
			RuntimeEvent::Leases(LeasesEvent::LeaseToppedUp {
				lease: id,
				held,
				paid_until,
				..
			}) if *id == lease => Some(ToppedUp { lease, held: *held, paid_until: *paid_until }),
			_ => None,
		})
		.ok_or_else(|| {
			Error::BadPeer(format!(
				"the chain took the top-up of lease {lease} but reported no LeaseToppedUp for it"
			))
		})
}

/// Whether `events` report share `share` out of its inbox (`ShareDismissed` or
/// `ShareWithdrawn`); an error if they do not.
pub fn share_removed(events: &[RuntimeEvent], share: ShareId) -> Result<(), Error> {
	let removed = events.iter().any(|event| {
		matches!(
			event,
			RuntimeEvent::Leases(
				LeasesEvent::ShareDismissed { share: id, .. }
					| LeasesEvent::ShareWithdrawn { share: id, .. }
			) if *id == share
		)
	});
	match removed {
		true => Ok(()),
		false => Err(Error::BadPeer(format!(
			"the chain took the call but reported no removal of share {share}"
		))),
	}
}

/// Whether `view` is a lease `owner` can still end: it exists, is `owner`'s and is not
/// ended yet.
pub fn endable(view: Option<&LeaseView>, owner: &AccountId) -> bool {
	view.is_some_and(|view| view.owner == *owner && !view.ended)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn created(lease: LeaseId, content: u8) -> RuntimeEvent {
		RuntimeEvent::Leases(LeasesEvent::LeaseCreated {
			lease,
			owner: AccountId::new([1; 32]),
			content: [content; 32],
			bytes: 100,
			replicas: 2,
			moderator: Some(AccountId::new([2; 32])),
			price: 1,
			paid_until: 150,
			held: 200 * u128::from(content),
		})
	}

	#[test]
	fn new_leases_are_read_from_their_events_by_content() {
		let set = RuntimeEvent::Leases(LeasesEvent::EncryptionKeySet {
			account: AccountId::new([1; 32]),
			key: [3; 32],
		});
		let events = [set, created(7, 1), created(8, 2)];
		let found = created_leases(&events);
		assert_eq!(found.len(), 2);
		assert_eq!(created_for(&found, &[2; 32]).unwrap().lease, 8);
		assert_eq!(created_for(&found, &[1; 32]).unwrap().held, 200);
		let missing = created_for(&found, &[9; 32]).unwrap_err();
		assert!(matches!(missing, Error::BadPeer(_)));
		assert!(shared_id(&events).is_err());
		let shared = RuntimeEvent::Leases(LeasesEvent::Shared {
			from: AccountId::new([1; 32]),
			to: AccountId::new([2; 32]),
			share: 5,
			deposit: 1,
		});
		assert_eq!(shared_id(&[shared]).unwrap(), 5);
	}

	#[test]
	fn top_ups_and_removed_shares_are_read_from_their_events() {
		let topped = |lease| {
			RuntimeEvent::Leases(LeasesEvent::LeaseToppedUp {
				lease,
				epochs: 4,
				held: 400,
				paid_until: 20,
			})
		};
		let events = [created(7, 1), topped(8), topped(9)];
		let found = topped_up(&events, 9).unwrap();
		assert_eq!(found, ToppedUp { lease: 9, held: 400, paid_until: 20 });
		assert!(matches!(topped_up(&events, 7), Err(Error::BadPeer(_))));
		let (a, b) = (AccountId::new([1; 32]), AccountId::new([2; 32]));
		let dismissed =
			RuntimeEvent::Leases(LeasesEvent::ShareDismissed { to: a.clone(), share: 3, from: b });
		let withdrawn =
			RuntimeEvent::Leases(LeasesEvent::ShareWithdrawn { from: a.clone(), to: a, share: 4 });
		assert!(share_removed(std::slice::from_ref(&dismissed), 3).is_ok());
		assert!(share_removed(std::slice::from_ref(&withdrawn), 4).is_ok());
		assert!(matches!(share_removed(&[dismissed, created(7, 1)], 4), Err(Error::BadPeer(_))));
	}

	#[test]
	fn leases_past_the_owners_bound_are_refused_before_any_is_made() {
		assert!(check_lease_room(1000, 24, 1024).is_ok());
		let error = check_lease_room(1000, 25, 1024).unwrap_err();
		assert!(matches!(error, Error::Refused(_)));
		assert!(error.message().contains("holds 1000 of the 1024"), "{error}");
		assert_eq!(max_leases_per_owner(), 1024);
	}

	#[test]
	fn capsules_longer_than_the_runtime_takes_are_refused() {
		let to = AccountId::new([1; 32]);
		assert!(share(&to, vec![1; 512]).is_ok());
		assert!(matches!(share(&to, vec![1; 513]), Err(Error::Input(_))));
	}

	#[test]
	fn only_live_leases_of_the_owner_are_ended() {
		let me = AccountId::new([1; 32]);
		let view = LeaseView {
			owner: me.clone(),
			content: [0; 32],
			bytes: 1,
			replicas: 1,
			moderator: None,
			price: 1,
			start: 0,
			paid_until: 1,
			funds: 1,
			ended: false,
			closable_from: 7,
			keepers: Vec::new(),
		};
		assert!(endable(Some(&view), &me));
		assert!(!endable(None, &me));
		assert!(!endable(Some(&view), &AccountId::new([2; 32])));
		assert!(!endable(Some(&LeaseView { ended: true, ..view }), &me));
	}
}
