//! Helpers that run a call and check its events and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of the
//! test accounts' balances, runs the call, derives the expected snapshot from the old one by
//! applying exactly the changes the call must make, and compares it with the new snapshot, so
//! any other change fails the test. It also compares the exact list of events the call
//! emitted, and checks the pallet's invariants.

use crate::{mock::*, *};
use alloc::collections::btree_map::BTreeMap;
use bitcloud_primitives::{ContentId, EpochIndex, LeaseId, LeaseObligations, NodeRegistry};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		traits::fungible::{Inspect, InspectHold},
	},
	sp_runtime::DispatchResult,
};

/// Free balance and the pallet's holds of an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AccountBalances {
	/// Free balance.
	pub free: Balance,
	/// Held for `LeaseFunds`.
	pub lease_funds: Balance,
	/// Held for `ShareDeposit`.
	pub share_deposit: Balance,
}

/// A copy of all the pallet's storage and of the test accounts' balances.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `NextLeaseId`.
	pub next_lease_id: LeaseId,
	/// `Leases`.
	pub leases: BTreeMap<LeaseId, Lease<Test>>,
	/// `OwnerLeases`.
	pub owner_leases: BTreeMap<AccountId, Vec<LeaseId>>,
	/// `ContentLeases`.
	pub content_leases: BTreeMap<ContentId, Vec<LeaseId>>,
	/// `KeptBy`.
	pub kept_by: BTreeMap<AccountId, Vec<LeaseId>>,
	/// `Offers`.
	pub offers: BTreeMap<AccountId, Balance>,
	/// `EncryptionKeys`.
	pub encryption_keys: BTreeMap<AccountId, EncryptionKey>,
	/// `Indexes`.
	pub indexes: BTreeMap<AccountId, LeaseId>,
	/// `NextShareId`.
	pub next_share_id: ShareId,
	/// `Shares`.
	pub shares: BTreeMap<(AccountId, ShareId), Share<Test>>,
	/// `ShareCount`.
	pub share_count: BTreeMap<AccountId, u32>,
	/// Balances of [`ACCOUNTS`].
	pub balances: BTreeMap<AccountId, AccountBalances>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			next_lease_id: NextLeaseId::<Test>::get(),
			leases: Leases::<Test>::iter().collect(),
			owner_leases: OwnerLeases::<Test>::iter().map(|(k, v)| (k, v.into_inner())).collect(),
			content_leases: ContentLeases::<Test>::iter()
				.map(|(k, v)| (k, v.into_inner()))
				.collect(),
			kept_by: KeptBy::<Test>::iter().map(|(k, v)| (k, v.into_inner())).collect(),
			offers: Offers::<Test>::iter().collect(),
			encryption_keys: EncryptionKeys::<Test>::iter().collect(),
			indexes: Indexes::<Test>::iter().collect(),
			next_share_id: NextShareId::<Test>::get(),
			shares: Shares::<Test>::iter().map(|(to, id, share)| ((to, id), share)).collect(),
			share_count: ShareCount::<Test>::iter().collect(),
			balances: ACCOUNTS
				.iter()
				.map(|who| {
					let held = |reason: HoldReason| Balances::balance_on_hold(&reason.into(), who);
					(
						*who,
						AccountBalances {
							free: Balances::balance(who),
							lease_funds: held(HoldReason::LeaseFunds),
							share_deposit: held(HoldReason::ShareDeposit),
						},
					)
				})
				.collect(),
		}
	}

	/// The record of lease `id`.
	pub fn lease(&mut self, id: LeaseId) -> &mut Lease<Test> {
		self.leases.get_mut(&id).expect("the lease exists")
	}

	fn balances_of(&mut self, who: AccountId) -> &mut AccountBalances {
		self.balances.get_mut(&who).expect("only test accounts are used")
	}

	fn hold_funds(&mut self, who: AccountId, amount: Balance) {
		let b = self.balances_of(who);
		b.free -= amount;
		b.lease_funds += amount;
	}

	fn release_funds(&mut self, who: AccountId, amount: Balance) {
		let b = self.balances_of(who);
		b.free += amount;
		b.lease_funds -= amount;
	}

	/// Settle the keeper `node` of lease `id` up to epoch `to`, as the pallet does: paid from
	/// the owner's hold if `pay` and its standing earns, forfeited otherwise. Returns the
	/// event, if any epoch was owed.
	fn settle(
		&mut self,
		id: LeaseId,
		node: AccountId,
		to: EpochIndex,
		pay: bool,
	) -> Option<Event<Test>> {
		let lease = self.lease(id);
		let per_epoch = lease.price * lease.bytes;
		let owner = lease.owner;
		let keeper = lease.keepers.iter_mut().find(|k| k.node == node).expect("a keeper");
		let from = keeper.paid_from;
		if to <= from {
			return None;
		}
		keeper.paid_from = to;
		let amount = per_epoch * Balance::from(to - from);
		if pay && earns(node) {
			lease.funds -= amount;
			self.balances_of(owner).lease_funds -= amount;
			self.balances_of(node).free += amount;
			Some(Event::KeeperPaid { lease: id, node, from, to, amount })
		} else {
			Some(Event::KeeperForfeited { lease: id, node, from, to, amount })
		}
	}

	/// Remove `node` from the keepers of lease `id` and the lease from `node`'s kept leases.
	fn remove_keeper(&mut self, id: LeaseId, node: AccountId) {
		self.lease(id).keepers.retain(|k| k.node != node);
		remove_from(&mut self.kept_by, node, id);
	}

	/// The end of what keeper `node` of lease `id` is owed now.
	fn owed_until(&mut self, id: LeaseId, node: AccountId) -> EpochIndex {
		let lease = self.lease(id);
		let paid_from = lease.keepers.iter().find(|k| k.node == node).expect("a keeper").paid_from;
		current_epoch().min(lease.paid_until).max(paid_from)
	}

	/// Remove share `(to, id)` and release its deposit.
	fn remove_share(&mut self, to: AccountId, id: ShareId) -> Share<Test> {
		let share = self.shares.remove(&(to, id)).expect("the share exists");
		let b = self.balances_of(share.from);
		b.free += share.deposit;
		b.share_deposit -= share.deposit;
		let count = self.share_count.get_mut(&to).expect("counted");
		*count -= 1;
		if *count == 0 {
			self.share_count.remove(&to);
		}
		share
	}
}

/// Remove `id` from the list of `key` in `map`, and the list once empty.
fn remove_from<K: Ord>(map: &mut BTreeMap<K, Vec<LeaseId>>, key: K, id: LeaseId) {
	let list = map.get_mut(&key).expect("listed");
	list.retain(|i| *i != id);
	if list.is_empty() {
		map.remove(&key);
	}
}

/// Whether `node`'s standing in the registry double earns.
pub fn earns(node: AccountId) -> bool {
	MockNodes::standing(&node).is_some_and(|s| s.earns_rewards())
}

/// All events of the pallet, in order.
pub fn lease_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Leasing(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Run `call`, then check that the state became `expected` and that exactly `events` were
/// emitted, and the invariants.
pub fn check(
	call: impl FnOnce() -> DispatchResult,
	expected: impl FnOnce(&mut MemorySnapshot) -> Vec<Event<Test>>,
) {
	let mut snapshot = MemorySnapshot::new();
	let events_before = lease_events().len();
	assert_ok!(call());
	let events = expected(&mut snapshot);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(lease_events()[events_before..], events[..]);
	assert_ok!(Leasing::do_try_state());
}

/// Content id number `n`.
pub fn content(n: u8) -> ContentId {
	[n; 32]
}

/// A capsule of `bytes`.
pub fn capsule(bytes: &[u8]) -> CapsuleOf<Test> {
	bytes.to_vec().try_into().expect("within MaxCapsuleLen")
}

/// An encryption key for tests.
pub const KEY: EncryptionKey = [9; 32];

/// `moderator` offers storage at `price`: recorded, `StorageOffered` emitted.
pub fn assert_offer_storage(moderator: AccountId, price: Balance) {
	check(
		|| Leasing::offer_storage(RuntimeOrigin::signed(moderator), price),
		|s| {
			s.offers.insert(moderator, price);
			vec![Event::StorageOffered { moderator, price }]
		},
	);
}

/// `moderator` withdraws its offer: removed, `OfferWithdrawn` emitted.
pub fn assert_withdraw_offer(moderator: AccountId) {
	check(
		|| Leasing::withdraw_offer(RuntimeOrigin::signed(moderator)),
		|s| {
			s.offers.remove(&moderator).expect("an offer");
			vec![Event::OfferWithdrawn { moderator }]
		},
	);
}

/// `owner` creates a lease: price from the offer (or unmoderated), cost held, record and
/// indexes written, `LeaseCreated` emitted. Returns the lease's id.
pub fn assert_create_lease(
	owner: AccountId,
	content: ContentId,
	bytes: u64,
	replicas: u32,
	moderator: Option<AccountId>,
	epochs: EpochIndex,
) -> LeaseId {
	let id = NextLeaseId::<Test>::get();
	check(
		|| {
			Leasing::create_lease(
				RuntimeOrigin::signed(owner),
				content,
				bytes,
				replicas,
				moderator,
				epochs,
			)
		},
		|s| {
			let price = moderator.map_or(UnmoderatedPrice::get(), |m| s.offers[&m]);
			let held = price * bytes * Balance::from(replicas) * Balance::from(epochs);
			let start = current_epoch();
			let paid_until = start + epochs;
			assert_eq!(s.next_lease_id, id);
			s.next_lease_id += 1;
			s.owner_leases.entry(owner).or_default().push(id);
			s.content_leases.entry(content).or_default().push(id);
			s.hold_funds(owner, held);
			s.leases.insert(
				id,
				Lease {
					owner,
					content,
					bytes,
					replicas,
					moderator,
					price,
					start,
					paid_until,
					funds: held,
					ended: false,
					keepers: Default::default(),
				},
			);
			vec![Event::LeaseCreated {
				lease: id,
				owner,
				content,
				bytes,
				replicas,
				moderator,
				price,
				paid_until,
				held,
			}]
		},
	);
	id
}

/// `ALICE` leases `content(1)`, 100 bytes, two replicas under `MOD_A` (at the price it
/// offers, 3), for `epochs` epochs.
pub fn lease_under_mod_a(epochs: EpochIndex) -> LeaseId {
	if !Offers::<Test>::contains_key(MOD_A) {
		assert_offer_storage(MOD_A, 3);
	}
	assert_create_lease(ALICE, content(1), 100, 2, Some(MOD_A), epochs)
}

/// `owner` tops lease `id` up by `epochs`: held, coverage extended (from now after a lapse,
/// with the keepers settled first), `LeaseToppedUp` emitted.
pub fn assert_top_up(owner: AccountId, id: LeaseId, epochs: EpochIndex) {
	check(
		|| Leasing::top_up(RuntimeOrigin::signed(owner), id, epochs),
		|s| {
			let current = current_epoch();
			let lease = s.lease(id);
			let held =
				lease.price * lease.bytes * Balance::from(lease.replicas) * Balance::from(epochs);
			let before = lease.paid_until;
			let nodes: Vec<AccountId> = lease.keepers.iter().map(|k| k.node).collect();
			s.hold_funds(owner, held);
			s.lease(id).funds += held;
			let mut events = vec![];
			if current > before {
				for node in nodes {
					events.extend(s.settle(id, node, before, true));
					let lease = s.lease(id);
					lease.keepers.iter_mut().find(|k| k.node == node).unwrap().paid_from = current;
				}
			}
			let paid_until = before.max(current) + epochs;
			s.lease(id).paid_until = paid_until;
			events.push(Event::LeaseToppedUp { lease: id, epochs, held, paid_until });
			events
		},
	);
}

/// `owner` ends lease `id`: paid to the end of this epoch, later epochs refunded, marked
/// ended, `LeaseEnded` emitted.
pub fn assert_end_lease(owner: AccountId, id: LeaseId) {
	check(
		|| Leasing::end_lease(RuntimeOrigin::signed(owner), id),
		|s| {
			let lease = s.lease(id);
			let paid_until = lease.paid_until.min(current_epoch() + 1);
			let refunded = lease.price
				* lease.bytes
				* Balance::from(lease.replicas)
				* Balance::from(lease.paid_until - paid_until);
			lease.paid_until = paid_until;
			lease.funds -= refunded;
			lease.ended = true;
			s.release_funds(owner, refunded);
			vec![Event::LeaseEnded { lease: id, paid_until, refunded }]
		},
	);
}

/// `node` starts keeping lease `id`: keeper paid from the next epoch, listed in `keptBy`,
/// `KeeperJoined` emitted.
pub fn assert_keep(node: AccountId, id: LeaseId) {
	check(
		|| Leasing::keep(RuntimeOrigin::signed(node), id),
		|s| {
			let paid_from = current_epoch() + 1;
			s.lease(id).keepers.try_push(Keeper { node, paid_from }).expect("room");
			s.kept_by.entry(node).or_default().push(id);
			vec![Event::KeeperJoined { lease: id, node, paid_from }]
		},
	);
}

/// `node` releases lease `id`: settled (paid, or forfeited if its standing earns nothing),
/// removed, `KeeperReleased` emitted.
pub fn assert_release(node: AccountId, id: LeaseId) {
	check(
		|| Leasing::release(RuntimeOrigin::signed(node), id),
		|s| {
			let to = s.owed_until(id, node);
			let mut events: Vec<_> = s.settle(id, node, to, true).into_iter().collect();
			s.remove_keeper(id, node);
			events.push(Event::KeeperReleased { lease: id, node });
			events
		},
	);
}

/// `node` claims lease `id`: paid `price × bytes` per whole epoch owed, `KeeperPaid` emitted.
/// Returns the amount.
pub fn assert_claim(node: AccountId, id: LeaseId) -> Balance {
	let mut paid = 0;
	check(
		|| Leasing::claim(RuntimeOrigin::signed(node), id),
		|s| {
			let to = s.owed_until(id, node);
			let event = s.settle(id, node, to, true).expect("something is owed");
			if let Event::KeeperPaid { amount, .. } = &event {
				paid = *amount;
			} else {
				panic!("a claim pays");
			}
			vec![event]
		},
	);
	paid
}

/// `caller` closes lease `id`: keepers settled, the rest refunded, the lease and its index
/// entries removed (and the owner's index if it was the lease), events emitted. Returns the
/// amount refunded.
pub fn assert_close(caller: AccountId, id: LeaseId) -> Balance {
	let mut refunded = 0;
	check(
		|| Leasing::close(RuntimeOrigin::signed(caller), id),
		|s| {
			let lease = s.lease(id).clone();
			let mut events = vec![];
			for keeper in lease.keepers.iter() {
				events.extend(s.settle(id, keeper.node, lease.paid_until, true));
			}
			for keeper in lease.keepers.iter() {
				s.remove_keeper(id, keeper.node);
			}
			refunded = s.lease(id).funds;
			s.release_funds(lease.owner, refunded);
			s.leases.remove(&id);
			remove_from(&mut s.owner_leases, lease.owner, id);
			remove_from(&mut s.content_leases, lease.content, id);
			events.push(Event::LeaseClosed { lease: id, owner: lease.owner, refunded });
			if s.indexes.get(&lease.owner) == Some(&id) {
				s.indexes.remove(&lease.owner);
				events.push(Event::IndexSet { account: lease.owner, lease: None });
			}
			events
		},
	);
	refunded
}

/// `node` missed a challenge on lease `id` (through [`LeaseObligations::missed`]): forfeits
/// what it was owed, removed, `KeeperDropped` emitted.
pub fn assert_missed(node: AccountId, id: LeaseId) {
	check(
		|| {
			<Leasing as LeaseObligations<AccountId>>::missed(&node, id);
			Ok(())
		},
		|s| {
			let to = s.owed_until(id, node);
			let mut events: Vec<_> = s.settle(id, node, to, false).into_iter().collect();
			s.remove_keeper(id, node);
			events.push(Event::KeeperDropped { lease: id, node });
			events
		},
	);
}

/// `who` publishes `key`: recorded, `EncryptionKeySet` emitted.
pub fn assert_set_encryption_key(who: AccountId, key: EncryptionKey) {
	check(
		|| Leasing::set_encryption_key(RuntimeOrigin::signed(who), key),
		|s| {
			s.encryption_keys.insert(who, key);
			vec![Event::EncryptionKeySet { account: who, key }]
		},
	);
}

/// `who` removes its key: removed, `EncryptionKeyCleared` emitted.
pub fn assert_clear_encryption_key(who: AccountId) {
	check(
		|| Leasing::clear_encryption_key(RuntimeOrigin::signed(who)),
		|s| {
			s.encryption_keys.remove(&who).expect("a key");
			vec![Event::EncryptionKeyCleared { account: who }]
		},
	);
}

/// `who` sets its index to `lease` (or removes it): recorded, `IndexSet` emitted.
pub fn assert_set_index(who: AccountId, lease: Option<LeaseId>) {
	check(
		|| Leasing::set_index(RuntimeOrigin::signed(who), lease),
		|s| {
			match lease {
				Some(id) => s.indexes.insert(who, id),
				None => s.indexes.remove(&who),
			};
			vec![Event::IndexSet { account: who, lease }]
		},
	);
}

/// `from` shares `bytes` with `to`: deposit held, share stored and counted, `Shared` emitted.
/// Returns the share's id.
pub fn assert_share(from: AccountId, to: AccountId, bytes: &[u8]) -> ShareId {
	let id = NextShareId::<Test>::get();
	check(
		|| Leasing::share(RuntimeOrigin::signed(from), to, capsule(bytes)),
		|s| {
			assert_eq!(s.next_share_id, id);
			s.next_share_id += 1;
			let b = s.balances_of(from);
			b.free -= SHARE_DEPOSIT;
			b.share_deposit += SHARE_DEPOSIT;
			*s.share_count.entry(to).or_default() += 1;
			s.shares
				.insert((to, id), Share { from, capsule: capsule(bytes), deposit: SHARE_DEPOSIT });
			vec![Event::Shared { from, to, share: id, deposit: SHARE_DEPOSIT }]
		},
	);
	id
}

/// `to` dismisses share `id`: removed, deposit back to its sender, `ShareDismissed` emitted.
pub fn assert_dismiss_share(to: AccountId, id: ShareId) {
	check(
		|| Leasing::dismiss_share(RuntimeOrigin::signed(to), id),
		|s| {
			let share = s.remove_share(to, id);
			vec![Event::ShareDismissed { to, share: id, from: share.from }]
		},
	);
}

/// `from` withdraws share `id` it sent to `to`: removed, deposit released, `ShareWithdrawn`
/// emitted.
pub fn assert_withdraw_share(from: AccountId, to: AccountId, id: ShareId) {
	check(
		|| Leasing::withdraw_share(RuntimeOrigin::signed(from), to, id),
		|s| {
			s.remove_share(to, id);
			vec![Event::ShareWithdrawn { from, to, share: id }]
		},
	);
}
