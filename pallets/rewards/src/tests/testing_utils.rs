//! Helpers that run a call and check its events and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage, of the test
//! accounts' balances and of the total issuance, runs the call, derives the expected snapshot
//! from the old one by applying exactly the changes the call must make, and compares it with
//! the new snapshot, so any other change fails the test. It also compares the exact list of
//! events the call emitted, checks that the issuance grew by exactly what was paid, and checks
//! the pallet's invariants.

use crate::{mock::*, *};
use alloc::collections::btree_map::BTreeMap;
use bitcloud_primitives::{BandwidthLedger, EpochIndex, ModeratorRegistry};
use polkadot_sdk::{frame_support::assert_ok, frame_support::traits::fungible::Inspect};

/// A copy of all the pallet's storage, the test accounts' balances and the issuance.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Schedule`.
	pub schedule: EmissionSchedule<Balance>,
	/// `EpochTotals`.
	pub epoch_totals: BTreeMap<EpochIndex, EpochRecord<Balance>>,
	/// `Claimed`.
	pub claimed: BTreeMap<(EpochIndex, AccountId), Balance>,
	/// `TotalPaid`.
	pub total_paid: Balance,
	/// `NextPruneEpoch`.
	pub next_prune: EpochIndex,
	/// Balances of [`ACCOUNTS`].
	pub balances: BTreeMap<AccountId, Balance>,
	/// Total issuance.
	pub issuance: Balance,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			schedule: Schedule::<Test>::get(),
			epoch_totals: crate::EpochTotals::<Test>::iter().collect(),
			claimed: Claimed::<Test>::iter().map(|(e, n, paid)| ((e, n), paid)).collect(),
			total_paid: TotalPaid::<Test>::get(),
			next_prune: NextPruneEpoch::<Test>::get(),
			balances: ACCOUNTS.iter().map(|who| (*who, Balances::total_balance(who))).collect(),
			issuance: Balances::total_issuance(),
		}
	}

	fn pay(&mut self, who: AccountId, amount: Balance) {
		*self.balances.get_mut(&who).expect("only test accounts are used") += amount;
		self.issuance += amount;
	}
}

/// All events of the pallet, in order.
pub fn reward_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Rewards(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Run `call`, then check that the state became `expected` and that exactly `events` were
/// emitted, and the invariants.
fn check(
	call: impl FnOnce() -> polkadot_sdk::sp_runtime::DispatchResult,
	expected: impl FnOnce(&mut MemorySnapshot) -> Vec<Event<Test>>,
) {
	let mut snapshot = MemorySnapshot::new();
	let events_before = reward_events().len();
	assert_ok!(call());
	let events = expected(&mut snapshot);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(reward_events()[events_before..], events[..]);
	assert_ok!(Rewards::do_try_state());
}

/// What a claim pays.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Payout {
	/// Bytes of the node.
	pub bytes: u64,
	/// The node's part.
	pub node: Balance,
	/// Commissions actually paid, in the ledger's order.
	pub commissions: Vec<(AccountId, Balance)>,
}

impl Payout {
	/// Everything paid.
	pub fn total(&self) -> Balance {
		self.node + self.commissions.iter().map(|(_, a)| a).sum::<Balance>()
	}
}

/// The claim of `node` for `epoch` worked out by hand from the doubles, with plain integer
/// arithmetic (the pallet uses `formula`; the formula tests pin both to literal numbers).
pub fn expected_payout(node: AccountId, epoch: EpochIndex) -> (EpochRecord<Balance>, Payout) {
	let totals = crate::EpochTotals::<Test>::get(epoch).unwrap_or(EpochRecord {
		pot: Rewards::emission(epoch),
		total_bytes: MockLedger::total_bytes(epoch),
		paid: 0,
	});
	let bytes = MockLedger::node_bytes(epoch, &node);
	let (pot, b, t) = (totals.pot as u128, bytes as u128, totals.total_bytes as u128);
	let mut reward = if b == 0 || t == 0 {
		0
	} else {
		(pot * b.min(t) / t).min(MAX_REWARD_PER_BYTE as u128 * b.min(t))
	};
	reward = reward.min(pot - totals.paid as u128);
	// The node's part is the reward minus every commission the formula computes, paid or not.
	let formula = formula_commissions(node, epoch, reward, b);
	let computed: u128 = formula.iter().map(|(_, amount)| amount).sum();
	let commissions = formula
		.into_iter()
		.map(|(moderator, amount)| (moderator, amount as Balance))
		.filter(|(moderator, amount)| {
			let exists = Balances::total_balance(moderator) > 0;
			*amount > 0 && (exists || *amount >= EXISTENTIAL_DEPOSIT)
		})
		.collect();
	(totals, Payout { bytes, node: (reward - computed) as Balance, commissions })
}

/// The commission on `reward` the formula computes for each moderator with a rate that `node`'s
/// `b` bytes of `epoch` count for (at most `MAX_COMMISSIONS` moderators), paid or not.
fn formula_commissions(
	node: AccountId,
	epoch: EpochIndex,
	reward: u128,
	b: u128,
) -> Vec<(AccountId, u128)> {
	let mut left = b;
	let mut counted = 0;
	let mut all = Vec::new();
	for (moderator, bytes) in MockLedger::node_bytes_by_moderator(epoch, &node) {
		let bm = (bytes as u128).min(left);
		left -= bm;
		let Some(moderator) = moderator else { continue };
		if counted == MAX_COMMISSIONS {
			continue;
		}
		counted += 1;
		if let Some(rate) = MockModerators::commission(&moderator, epoch) {
			all.push((moderator, (reward * bm / b) * rate.deconstruct() as u128 / 1_000_000_000));
		}
	}
	all
}

/// `caller` claims `node`'s reward for `epoch` (with `claimRewards` when they are the same
/// account, else `claimRewardsFor`); checks the payments, the records, the events and the
/// issuance, and returns what was paid.
pub fn assert_claim(caller: AccountId, node: AccountId, epoch: EpochIndex) -> Payout {
	let (mut totals, payout) = expected_payout(node, epoch);
	let returned = payout.clone();
	check(
		|| {
			if caller == node {
				Rewards::claim_rewards(RuntimeOrigin::signed(caller), epoch)
			} else {
				Rewards::claim_rewards_for(RuntimeOrigin::signed(caller), node, epoch)
			}
		},
		|s| {
			let total = payout.total();
			s.pay(node, payout.node);
			let mut events = Vec::new();
			for (moderator, amount) in &payout.commissions {
				s.pay(*moderator, *amount);
				events.push(Event::CommissionPaid {
					moderator: *moderator,
					node,
					epoch,
					amount: *amount,
				});
			}
			totals.paid += total;
			s.epoch_totals.insert(epoch, totals);
			s.claimed.insert((epoch, node), total);
			s.total_paid += total;
			events.push(Event::RewardsClaimed {
				node,
				epoch,
				bytes: payout.bytes,
				node_reward: payout.node,
				commissions: total - payout.node,
				claimed_by: caller,
			});
			events
		},
	);
	returned
}

/// Replace the schedule and check the storage and the event.
pub fn assert_set_schedule(schedule: EmissionSchedule<Balance>) {
	check(
		|| Rewards::set_emission_schedule(RuntimeOrigin::root(), schedule),
		|s| {
			s.schedule = schedule;
			vec![Event::EmissionScheduleSet { schedule }]
		},
	);
}

/// Credit `node` with `bytes` by moderator in `epoch`, close the epoch and move the clock
/// just past it.
pub fn credit(epoch: EpochIndex, node: AccountId, bytes: Vec<(Option<AccountId>, u64)>) {
	set_bytes(epoch, node, bytes);
	finalise(epoch);
	set_epoch(epoch + 1);
}

/// A schedule without bootstrap or decay emitting `base` per epoch.
pub fn flat(base: Balance) -> EmissionSchedule<Balance> {
	EmissionSchedule {
		base,
		bootstrap_epochs: 0,
		bootstrap_multiplier: 1,
		decay: Default::default(),
		decay_period: 0,
	}
}
