//! Helpers that run a call and check its events and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of the
//! test accounts' balances, runs the call, derives the expected snapshot from the old one by
//! applying exactly the changes the call must make, and compares it with the new snapshot, so
//! any other change fails the test. It also compares the exact list of events the call
//! emitted, and checks the pallet's invariants.

use crate::{mock::*, *};
use alloc::collections::{
	btree_map::{BTreeMap, Entry},
	btree_set::BTreeSet,
};
use bitcloud_primitives::{CapacityStatus, ModeratorRegistry, NodePenalties, Standing};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		traits::fungible::{Inspect, InspectHold},
	},
	sp_runtime::Perbill,
};

/// Free balance and bond hold of an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AccountBalances {
	/// Free balance.
	pub free: Balance,
	/// Held for `NodeBond`.
	pub bond: Balance,
}

/// A copy of all the pallet's storage and of the test accounts' balances.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Nodes`.
	pub nodes: BTreeMap<AccountId, NodeInfo<Test>>,
	/// `NodeCount`.
	pub node_count: u32,
	/// `NodeIndex`.
	pub node_index: BTreeMap<u32, AccountId>,
	/// `Subscribers`.
	pub subscribers: BTreeSet<(AccountId, AccountId)>,
	/// `SubscriberCount`.
	pub subscriber_count: BTreeMap<AccountId, u32>,
	/// `OverCapacitySince`.
	pub over_capacity_since: BTreeMap<AccountId, u64>,
	/// `Unbonding`.
	pub unbonding: BTreeMap<AccountId, UnbondingInfo<Test>>,
	/// `Banned`.
	pub banned: BTreeMap<AccountId, u64>,
	/// Balances of [`ACCOUNTS`].
	pub balances: BTreeMap<AccountId, AccountBalances>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			nodes: Nodes::<Test>::iter().collect(),
			node_count: NodeCount::<Test>::get(),
			node_index: NodeIndex::<Test>::iter().collect(),
			subscribers: Subscribers::<Test>::iter().map(|(m, n, ())| (m, n)).collect(),
			subscriber_count: SubscriberCount::<Test>::iter().collect(),
			over_capacity_since: OverCapacitySince::<Test>::iter().collect(),
			unbonding: Unbonding::<Test>::iter().collect(),
			banned: Banned::<Test>::iter().collect(),
			balances: ACCOUNTS
				.iter()
				.map(|who| {
					(
						*who,
						AccountBalances {
							free: Balances::balance(who),
							bond: Balances::balance_on_hold(&HoldReason::NodeBond.into(), who),
						},
					)
				})
				.collect(),
		}
	}

	fn node(&mut self, who: AccountId) -> &mut NodeInfo<Test> {
		self.nodes.get_mut(&who).expect("the node exists")
	}

	fn balances_of(&mut self, who: AccountId) -> &mut AccountBalances {
		self.balances.get_mut(&who).expect("only test accounts are used")
	}

	fn hold(&mut self, who: AccountId, amount: Balance) {
		let b = self.balances_of(who);
		b.free -= amount;
		b.bond += amount;
	}

	fn release(&mut self, who: AccountId, amount: Balance) {
		let b = self.balances_of(who);
		b.free += amount;
		b.bond -= amount;
	}

	/// Move `amount` of `who`'s bond to the treasury.
	fn slash(&mut self, who: AccountId, amount: Balance) {
		self.balances_of(who).bond -= amount;
		self.balances_of(TREASURY).free += amount;
	}

	fn remove_subscriber(&mut self, moderator: AccountId, node: AccountId) {
		self.subscribers.remove(&(moderator, node));
		let count = self.subscriber_count.get_mut(&moderator).expect("counted");
		*count -= 1;
		if *count == 0 {
			self.subscriber_count.remove(&moderator);
		}
	}

	/// Remove a node's record, position and subscriptions as deregistering and banning do.
	fn remove_node(&mut self, who: AccountId) -> NodeInfo<Test> {
		let info = self.nodes.remove(&who).expect("the node exists");
		for subscription in info.subscriptions.iter() {
			self.remove_subscriber(subscription.moderator, who);
		}
		let last = self.node_count - 1;
		let moved = self.node_index.remove(&last).expect("dense positions");
		if info.index != last {
			self.node_index.insert(info.index, moved);
			self.node(moved).index = info.index;
		}
		self.node_count = last;
		self.over_capacity_since.remove(&who);
		info
	}

	/// Apply the capacity check every call that touches subscriptions or capacity makes, and
	/// return the event it emits, if any.
	fn refresh_capacity(&mut self, who: AccountId) -> Option<Event<Test>> {
		let info = self.nodes.get(&who).expect("the node exists").clone();
		let required = required_bytes(&info);
		let now = System::block_number();
		if required <= info.capacity {
			self.over_capacity_since.remove(&who).map(|_| Event::CapacityRestored { node: who })
		} else {
			match self.over_capacity_since.entry(who) {
				Entry::Occupied(_) => None,
				Entry::Vacant(entry) => {
					entry.insert(now);
					Some(Event::CapacityShortfall {
						node: who,
						required,
						capacity: info.capacity,
						grace_ends: now + GRACE_PERIOD,
					})
				},
			}
		}
	}
}

/// Bytes `info`'s live subscriptions in effect require, according to the moderator double.
pub fn required_bytes(info: &NodeInfo<Test>) -> u64 {
	let epoch = current_epoch();
	info.subscriptions
		.iter()
		.filter(|s| s.ends.is_none_or(|ends| epoch < ends))
		.map(|s| MockModerators::catalog_bytes(&s.moderator))
		.sum()
}

impl MemorySnapshot {
	/// Remove `who`'s subscriptions that have ended, as subscribing does first; returns the
	/// `Unsubscribed` events.
	fn remove_ended(&mut self, who: AccountId) -> Vec<Event<Test>> {
		let epoch = current_epoch();
		let ended: Vec<AccountId> = self
			.node(who)
			.subscriptions
			.iter()
			.filter(|s| s.ends.is_some_and(|ends| ends <= epoch))
			.map(|s| s.moderator)
			.collect();
		self.node(who).subscriptions.retain(|s| !ended.contains(&s.moderator));
		ended
			.into_iter()
			.map(|moderator| {
				self.remove_subscriber(moderator, who);
				Event::Unsubscribed { node: who, moderator }
			})
			.collect()
	}
}

/// All events of the pallet, in order.
pub fn node_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Registry(event) => Some(event),
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
	let events_before = node_events().len();
	assert_ok!(call());
	let events = expected(&mut snapshot);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(node_events()[events_before..], events[..]);
	assert_ok!(Registry::do_try_state());
}

/// An onion key for tests.
pub const ONION_KEY: [u8; 32] = [7; 32];
/// An endpoint for tests.
pub const ENDPOINT: &[u8] = b"http://node:8080";

/// Register `who`'s node and check the record, position, held bond and event.
pub fn assert_register_node(
	who: AccountId,
	bond: Balance,
	capacity: u64,
	endpoint: &[u8],
	onion_key: [u8; 32],
	unmoderated: bool,
) {
	check(
		|| {
			Registry::register_node(
				RuntimeOrigin::signed(who),
				bond,
				capacity,
				endpoint.to_vec(),
				onion_key,
				unmoderated,
			)
		},
		|s| {
			let index = s.node_count;
			s.nodes.insert(
				who,
				NodeInfo {
					bond,
					capacity,
					endpoint: endpoint.to_vec().try_into().unwrap(),
					onion_key,
					unmoderated,
					standing: Standing::Active,
					subscriptions: Default::default(),
					registered_at: System::block_number(),
					index,
				},
			);
			s.node_index.insert(index, who);
			s.node_count += 1;
			s.hold(who, bond);
			vec![Event::NodeRegistered { node: who, bond, capacity, unmoderated }]
		},
	);
}

/// Register `who` with a bond of 1 000, a capacity of 10 000 bytes and moderated traffic only.
pub fn register(who: AccountId) {
	assert_register_node(who, 1_000, 10_000, ENDPOINT, ONION_KEY, false);
}

/// Update `who`'s node and check the record, the capacity bookkeeping and the events.
pub fn assert_update_node(
	who: AccountId,
	capacity: u64,
	endpoint: &[u8],
	onion_key: [u8; 32],
	unmoderated: bool,
) {
	check(
		|| {
			Registry::update_node(
				RuntimeOrigin::signed(who),
				capacity,
				endpoint.to_vec(),
				onion_key,
				unmoderated,
			)
		},
		|s| {
			let info = s.node(who);
			info.capacity = capacity;
			info.endpoint = endpoint.to_vec().try_into().unwrap();
			info.onion_key = onion_key;
			info.unmoderated = unmoderated;
			let mut events = vec![Event::NodeUpdated { node: who, capacity, unmoderated }];
			events.extend(s.refresh_capacity(who));
			events
		},
	);
}

/// Add `amount` to `who`'s bond and check the hold and the event.
pub fn assert_bond_extra(who: AccountId, amount: Balance) {
	check(
		|| Registry::bond_extra(RuntimeOrigin::signed(who), amount),
		|s| {
			s.hold(who, amount);
			let info = s.node(who);
			info.bond += amount;
			vec![Event::BondIncreased { node: who, amount, bond: info.bond }]
		},
	);
}

/// Subscribe `who` to `moderator` and check both indexes, the count and the events (first
/// the removal of ended subscriptions).
pub fn assert_subscribe(who: AccountId, moderator: AccountId) {
	check(
		|| Registry::subscribe(RuntimeOrigin::signed(who), moderator),
		|s| {
			let mut events = s.remove_ended(who);
			s.node(who).subscriptions.try_push(Subscription { moderator, ends: None }).unwrap();
			s.subscribers.insert((moderator, who));
			*s.subscriber_count.entry(moderator).or_default() += 1;
			events.push(Event::Subscribed { node: who, moderator });
			events.extend(s.refresh_capacity(who));
			events
		},
	);
}

/// `who` unsubscribes from the live `moderator`: check that the subscription stays, ending
/// `UnsubscribeDelay` epochs from now, and the event.
pub fn assert_schedule_unsubscription(who: AccountId, moderator: AccountId) {
	let ends = current_epoch() + UNSUBSCRIBE_DELAY;
	check(
		|| Registry::unsubscribe(RuntimeOrigin::signed(who), moderator),
		|s| {
			let subscription = s
				.node(who)
				.subscriptions
				.iter_mut()
				.find(|sub| sub.moderator == moderator)
				.expect("subscribed");
			subscription.ends = Some(ends);
			vec![Event::UnsubscriptionScheduled { node: who, moderator, ends }]
		},
	);
}

/// `who` subscribes again to `moderator`, which it is unsubscribing from: check that the end
/// is cancelled (after the removal of ended subscriptions), and the events.
pub fn assert_cancel_unsubscription(who: AccountId, moderator: AccountId) {
	check(
		|| Registry::subscribe(RuntimeOrigin::signed(who), moderator),
		|s| {
			let mut events = s.remove_ended(who);
			let subscription = s
				.node(who)
				.subscriptions
				.iter_mut()
				.find(|sub| sub.moderator == moderator)
				.expect("subscribed");
			assert!(subscription.ends.is_some());
			subscription.ends = None;
			events.push(Event::UnsubscriptionCancelled { node: who, moderator });
			events
		},
	);
}

/// Unsubscribe `who` at once from `moderator`, which is not live (or, with `pruner`, prune the
/// subscription) and check both indexes, the count and the events.
pub fn assert_unsubscribe(who: AccountId, moderator: AccountId, pruner: Option<AccountId>) {
	check(
		|| match pruner {
			Some(caller) => {
				Registry::prune_subscription(RuntimeOrigin::signed(caller), who, moderator)
			},
			None => Registry::unsubscribe(RuntimeOrigin::signed(who), moderator),
		},
		|s| {
			s.node(who).subscriptions.retain(|sub| sub.moderator != moderator);
			s.remove_subscriber(moderator, who);
			let mut events = vec![match pruner {
				Some(_) => Event::SubscriptionPruned { node: who, moderator },
				None => Event::Unsubscribed { node: who, moderator },
			}];
			events.extend(s.refresh_capacity(who));
			events
		},
	);
}

/// Deregister `who`'s node and check that it is gone, its bond unbonding, and the event.
pub fn assert_deregister_node(who: AccountId) {
	check(
		|| Registry::deregister_node(RuntimeOrigin::signed(who)),
		|s| {
			let info = s.remove_node(who);
			let unlocks_at = System::block_number() + UNBONDING_PERIOD;
			s.unbonding.insert(who, UnbondingInfo { amount: info.bond, unlocks_at });
			vec![Event::NodeDeregistered { node: who, bond: info.bond, unlocks_at }]
		},
	);
}

/// Withdraw `who`'s unbonded bond and check the release and the event.
pub fn assert_withdraw_unbonded(who: AccountId) {
	check(
		|| Registry::withdraw_unbonded(RuntimeOrigin::signed(who)),
		|s| {
			let unbonding = s.unbonding.remove(&who).expect("unbonding");
			s.release(who, unbonding.amount);
			vec![Event::BondWithdrawn { node: who, amount: unbonding.amount }]
		},
	);
}

/// Check `node`'s capacity (called by `caller`) and check the bookkeeping, the events and the
/// status the trait reports.
pub fn assert_check_capacity(caller: AccountId, node: AccountId, status: CapacityStatus<u64>) {
	check(
		|| Registry::check_capacity(RuntimeOrigin::signed(caller), node),
		|s| s.refresh_capacity(node).into_iter().collect(),
	);
	assert_eq!(
		<Registry as bitcloud_primitives::NodeRegistry<AccountId, u64>>::check_capacity(&node),
		Some(status)
	);
}

/// Set `node`'s standing through the penalty trait (`warn`, `suspend`, `restore`) or, with
/// `forced`, by Root, and check the record and the event.
pub fn assert_set_standing(node: AccountId, to: Standing, forced: bool) {
	assert_ne!(to, Standing::Banned, "use assert_ban");
	check(
		|| {
			if forced {
				Registry::force_set_standing(RuntimeOrigin::root(), node, to)
			} else {
				match to {
					Standing::Active => <Registry as NodePenalties<AccountId>>::restore(&node),
					Standing::Warned => <Registry as NodePenalties<AccountId>>::warn(&node),
					Standing::Suspended => <Registry as NodePenalties<AccountId>>::suspend(&node),
					Standing::Banned => unreachable!(),
				}
			}
		},
		|s| {
			let info = s.node(node);
			let from = info.standing;
			info.standing = to;
			if from == to {
				vec![]
			} else {
				vec![Event::StandingChanged { node, from, to }]
			}
		},
	);
}

/// Slash `fraction` of `node`'s bond (or unbonding funds) through the penalty trait and check
/// that exactly `amount` moved to the treasury, and the event.
pub fn assert_slash(node: AccountId, fraction: Perbill, amount: Balance) {
	check(
		|| {
			assert_eq!(<Registry as NodePenalties<AccountId>>::slash(&node, fraction), Ok(amount));
			Ok(())
		},
		|s| {
			s.slash(node, amount);
			if let Some(info) = s.nodes.get_mut(&node) {
				info.bond -= amount;
			} else {
				s.unbonding.get_mut(&node).expect("bonded").amount -= amount;
			}
			vec![Event::Slashed { node, amount }]
		},
	);
}

/// Ban `node` (through the penalty trait, or by Root when `forced`) and check that its
/// registration, subscriptions and bond are gone, the ban recorded, and the event.
pub fn assert_ban(node: AccountId, forced: bool) {
	check(
		|| {
			if forced {
				Registry::force_set_standing(RuntimeOrigin::root(), node, Standing::Banned)
			} else {
				<Registry as NodePenalties<AccountId>>::ban(&node)
			}
		},
		|s| {
			let slashed = if s.nodes.contains_key(&node) {
				s.remove_node(node).bond
			} else {
				s.unbonding.remove(&node).expect("bonded").amount
			};
			s.slash(node, slashed);
			s.banned.insert(node, System::block_number());
			vec![Event::NodeBanned { node, slashed }]
		},
	);
	assert_eq!(Registry::standing_of(&node), Some(Standing::Banned));
}

/// Lift `node`'s ban and check the removal and the event.
pub fn assert_unban(node: AccountId) {
	check(
		|| Registry::force_unban(RuntimeOrigin::root(), node),
		|s| {
			s.banned.remove(&node);
			vec![Event::NodeUnbanned { node }]
		},
	);
}
