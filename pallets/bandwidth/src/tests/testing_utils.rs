//! Helpers that run a call and check its events and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of the
//! test accounts' balances, runs the call, derives the expected snapshot from the old one by
//! applying exactly the changes the call must make, and compares it with the new snapshot, so
//! any other change fails the test. It also compares the exact list of events the call
//! emitted, and checks the pallet's invariants.

use crate::{mock::*, *};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use bitcloud_primitives::{EpochClock, EpochIndex, SignedReceipt};
use polkadot_sdk::{
	frame_support::{
		assert_noop, assert_ok,
		traits::fungible::{Inspect, InspectHold},
		BoundedVec,
	},
	sp_keyring::Sr25519Keyring,
	sp_runtime::DispatchError,
};

/// Free balance and bandwidth hold of an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AccountBalances {
	/// Free balance.
	pub free: Balance,
	/// Held for `BandwidthLock`.
	pub held: Balance,
}

/// A copy of all the pallet's storage and of the test accounts' balances.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Locks`.
	pub locks: BTreeMap<AccountId, ClientLock<Test>>,
	/// `ClientEpochs`.
	pub client_epochs: BTreeMap<(EpochIndex, AccountId), ClientEpoch<Test>>,
	/// `NodeEpochs`.
	pub node_epochs: BTreeMap<(EpochIndex, AccountId), NodeEpoch<Test>>,
	/// `ModeratorBytes`.
	pub moderator_bytes: BTreeMap<(EpochIndex, Option<AccountId>), u64>,
	/// `EpochTotals`.
	pub epoch_totals: BTreeMap<EpochIndex, u64>,
	/// `OldestKeptEpoch`.
	pub oldest_kept_epoch: EpochIndex,
	/// `Pruning`.
	pub pruning: Option<PruneProgress>,
	/// Balances of [`KEYS`].
	pub balances: BTreeMap<AccountId, AccountBalances>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			locks: Locks::<Test>::iter().collect(),
			client_epochs: ClientEpochs::<Test>::iter().map(|(e, c, v)| ((e, c), v)).collect(),
			node_epochs: NodeEpochs::<Test>::iter().map(|(e, n, v)| ((e, n), v)).collect(),
			moderator_bytes: ModeratorBytes::<Test>::iter().map(|(e, m, v)| ((e, m), v)).collect(),
			epoch_totals: EpochTotals::<Test>::iter().collect(),
			oldest_kept_epoch: OldestKeptEpoch::<Test>::get(),
			pruning: Pruning::<Test>::get(),
			balances: KEYS
				.iter()
				.map(|key| {
					let who = account(*key);
					let held = Balances::balance_on_hold(&HoldReason::BandwidthLock.into(), &who);
					(who.clone(), AccountBalances { free: Balances::balance(&who), held })
				})
				.collect(),
		}
	}

	fn balances_of(&mut self, who: &AccountId) -> &mut AccountBalances {
		self.balances.get_mut(who).expect("only test accounts are used")
	}

	/// Burn `who`'s spent fees, as its `lock`, `unlock` and `withdraw_unlocked` do first;
	/// returns the event if there were any.
	fn burn_spent(&mut self, who: &AccountId) -> Option<Event<Test>> {
		let lock = self.locks.get_mut(who)?;
		let amount = core::mem::take(&mut lock.spent);
		if amount == 0 {
			return None;
		}
		self.balances_of(who).held -= amount;
		Some(Event::FeesBurnt { client: who.clone(), amount })
	}

	/// Apply one accepted receipt of a batch that found the locks `before`: the claim, the
	/// client's used bytes, fee and payment for overdrawn bytes, the node's, the
	/// moderator's and the epoch's figures. Returns the bytes credited, the fee and the
	/// `QuotaOverdrawn` event if the client signed past what it could pay for.
	fn credit(
		&mut self,
		signed: &SignedReceipt<AccountId>,
		before: &BTreeMap<AccountId, ClientLock<Test>>,
	) -> (u64, Balance, Option<Event<Test>>) {
		let r = &signed.receipt;
		let fee_per_byte = FeePerByte::get();
		let record = self.client_epochs.entry((r.epoch, r.client.clone())).or_default();
		let claim =
			record.claims.iter().position(|c| c.node == r.node && c.moderator == r.moderator);
		let previous = claim.map_or(0, |i| record.claims[i].total);
		let increase = r.bytes - previous;
		let backing = before.get(&r.client).expect("a paying client").backing(r.epoch);
		let quota_left = Bandwidth::quota_of(backing).saturating_sub(record.used);
		let lock = self.locks.get_mut(&r.client).expect("a paying client");
		let affordable = lock.spendable(r.epoch) / fee_per_byte;
		let credit = increase.min(quota_left).min(affordable);
		let fee = credit * fee_per_byte;
		lock.take(fee, r.epoch);
		lock.spent += fee;
		let overdrawn = increase - credit;
		let paid = (overdrawn * fee_per_byte).min(lock.spendable(r.epoch));
		lock.take(paid, r.epoch);
		record.used += credit;
		match claim {
			Some(i) => {
				record.claims[i].total = r.bytes;
				record.claims[i].credited += credit;
			},
			None => record
				.claims
				.try_push(Claim {
					node: r.node.clone(),
					moderator: r.moderator.clone(),
					total: r.bytes,
					credited: credit,
				})
				.expect("room for the pair"),
		}
		self.balances_of(&r.client).held -= paid;
		self.balances_of(&r.node).free += paid;
		if credit > 0 {
			let figures = self.node_epochs.entry((r.epoch, r.node.clone())).or_default();
			figures.total += credit;
			match figures.by_moderator.iter_mut().find(|(m, _)| *m == r.moderator) {
				Some((_, bytes)) => *bytes += credit,
				None => figures
					.by_moderator
					.try_push((r.moderator.clone(), credit))
					.expect("room for the moderator"),
			}
			*self.moderator_bytes.entry((r.epoch, r.moderator.clone())).or_default() += credit;
			*self.epoch_totals.entry(r.epoch).or_default() += credit;
		}
		let event = (overdrawn > 0).then(|| Event::QuotaOverdrawn {
			client: r.client.clone(),
			node: r.node.clone(),
			epoch: r.epoch,
			bytes: overdrawn,
			paid,
		});
		(credit, fee, event)
	}
}

/// All events of the pallet, in order.
pub fn bandwidth_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Bandwidth(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Run `call`, then check that the state became `expected` and that exactly `events` were
/// emitted, and the invariants.
pub fn check(
	call: impl FnOnce() -> polkadot_sdk::sp_runtime::DispatchResult,
	expected: impl FnOnce(&mut MemorySnapshot) -> Vec<Event<Test>>,
) {
	let mut snapshot = MemorySnapshot::new();
	let events_before = bandwidth_events().len();
	assert_ok!(call());
	let events = expected(&mut snapshot);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(bandwidth_events()[events_before..], events[..]);
	assert_ok!(Bandwidth::do_try_state());
}

/// `client` locks `amount`: held, recorded, `Locked` emitted.
pub fn assert_lock(client: Sr25519Keyring, amount: Balance) {
	let who = account(client);
	check(
		|| Bandwidth::lock(RuntimeOrigin::signed(who.clone()), amount),
		|s| {
			let mut events: Vec<_> = s.burn_spent(&who).into_iter().collect();
			let b = s.balances_of(&who);
			b.free -= amount;
			b.held += amount;
			let lock = s.locks.entry(who.clone()).or_default();
			lock.locked += amount;
			events.push(Event::Locked { client: who.clone(), amount, locked: lock.locked });
			events
		},
	);
}

/// `client` unlocks `amount`: moved to unlocking until now + delay, `UnlockStarted` emitted.
pub fn assert_unlock(client: Sr25519Keyring, amount: Balance) {
	let who = account(client);
	check(
		|| Bandwidth::unlock(RuntimeOrigin::signed(who.clone()), amount),
		|s| {
			let mut events: Vec<_> = s.burn_spent(&who).into_iter().collect();
			let lock = s.locks.get_mut(&who).expect("a lock");
			lock.locked -= amount;
			lock.unlocking += amount;
			lock.unlocks_at = System::block_number() + UNLOCK_DELAY;
			lock.backs_until = <MockEpochs as EpochClock<u64>>::current_epoch();
			events.push(Event::UnlockStarted {
				client: who.clone(),
				amount,
				unlocking: lock.unlocking,
				unlocks_at: lock.unlocks_at,
			});
			events
		},
	);
}

/// `client` withdraws its unlocked coins: released, lock record updated or removed,
/// `Withdrawn` emitted.
pub fn assert_withdraw_unlocked(client: Sr25519Keyring) {
	let who = account(client);
	check(
		|| Bandwidth::withdraw_unlocked(RuntimeOrigin::signed(who.clone())),
		|s| {
			let mut events: Vec<_> = s.burn_spent(&who).into_iter().collect();
			let lock = s.locks.get_mut(&who).expect("a lock");
			let amount = lock.unlocking;
			lock.unlocking = 0;
			lock.unlocks_at = 0;
			if lock.is_empty() {
				s.locks.remove(&who);
			}
			let b = s.balances_of(&who);
			b.free += amount;
			b.held -= amount;
			events.push(Event::Withdrawn { client: who.clone(), amount });
			events
		},
	);
}

/// The bounded batch of `receipts`.
pub fn batch(
	receipts: Vec<SignedReceipt<AccountId>>,
) -> BoundedVec<SignedReceipt<AccountId>, ConstMaxBatch> {
	BoundedVec::try_from(receipts).expect("within MaxBatch")
}

/// The `MaxBatch` bound of the mock.
pub type ConstMaxBatch = polkadot_sdk::frame_support::traits::ConstU32<MAX_BATCH>;

/// `node` submits `receipts`, all accepted: each credits its increase as far as its client
/// can pay for it and pays the node for the rest from the client's lock; one
/// `ReceiptsAccepted` with the sums, then a `QuotaOverdrawn` per receipt signed past what its
/// client could pay for. The batch is charged the weight of its receipts, those of clients
/// who paid the node from their locks as such. Returns the bytes credited.
pub fn assert_submit(node: Sr25519Keyring, receipts: Vec<SignedReceipt<AccountId>>) -> u64 {
	let who = account(node);
	let count = receipts.len() as u32;
	let mut credited = 0;
	let (mut post_info, mut paying) = (None, BTreeSet::new());
	check(
		|| {
			let result = Bandwidth::submit_receipts(
				RuntimeOrigin::signed(who.clone()),
				batch(receipts.clone()),
			);
			post_info = result.ok();
			result.map(|_| ()).map_err(|e| e.error)
		},
		|s| {
			let before = s.locks.clone();
			let (mut fees, mut overdrawn) = (0, Vec::new());
			for receipt in &receipts {
				let (bytes, fee, event) = s.credit(receipt, &before);
				credited += bytes;
				fees += fee;
				overdrawn.extend(event);
			}
			s.locks.retain(|_, lock| !lock.is_empty());
			for event in &overdrawn {
				if let Event::QuotaOverdrawn { client, paid, .. } = event {
					if *paid > 0 {
						paying.insert(client.clone());
					}
				}
			}
			let mut events = vec![Event::ReceiptsAccepted {
				node: who.clone(),
				receipts: count,
				bytes: credited,
				fees,
			}];
			events.extend(overdrawn);
			events
		},
	);
	let paying = paying.len() as u32;
	let charged = post_info.and_then(|info| info.actual_weight);
	assert_eq!(charged, Some(<() as WeightInfo>::submit_receipts(count - paying, paying)));
	credited
}

/// `node`'s batch `receipts` fails with `error` and changes nothing.
pub fn assert_submit_fails(
	node: Sr25519Keyring,
	receipts: Vec<SignedReceipt<AccountId>>,
	error: impl Into<DispatchError>,
) {
	assert_noop!(
		Bandwidth::submit_receipts(RuntimeOrigin::signed(account(node)), batch(receipts)),
		error.into()
	);
}
