//! Helpers that run a call and check its event and every storage change it makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of the
//! test accounts' balances, runs the call, derives the expected snapshot from the old one by
//! applying exactly the changes the call must make, and compares it with the new snapshot; so
//! any other change, anywhere, fails the test. The pallet's invariants are checked too.

use crate::{mock::*, *};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use bitcloud_primitives::{deny_key, ContentId, DenyKey, EpochClock, EpochIndex};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		traits::fungible::{Inspect, InspectHold},
	},
	sp_runtime::Perbill,
};

/// Free balance and the two holds of an account.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct AccountBalances {
	/// Free balance.
	pub free: Balance,
	/// Held for `ModeratorDeposit`.
	pub moderator_deposit: Balance,
	/// Held for `ProposalDeposit`.
	pub proposal_deposit: Balance,
}

impl AccountBalances {
	/// The deposit held for `reason`.
	fn held_for(&mut self, reason: HoldReason) -> &mut Balance {
		match reason {
			HoldReason::ModeratorDeposit => &mut self.moderator_deposit,
			HoldReason::ProposalDeposit => &mut self.proposal_deposit,
		}
	}
}

/// A copy of all the pallet's storage and of the test accounts' balances.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Moderators`.
	pub moderators: BTreeMap<AccountId, ModeratorInfo<Test>>,
	/// `Catalog`.
	pub catalog: BTreeMap<(AccountId, ContentId), CatalogItem<Test>>,
	/// `CatalogIndex`.
	pub catalog_index: BTreeMap<(AccountId, u32), ContentId>,
	/// `DenyList`.
	pub deny_list: BTreeSet<(AccountId, DenyKey)>,
	/// `Proposals`.
	pub proposals: BTreeMap<(AccountId, ContentId), Proposal<Test>>,
	/// Balances of [`ACCOUNTS`].
	pub balances: BTreeMap<AccountId, AccountBalances>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			moderators: Moderators::<Test>::iter().collect(),
			catalog: Catalog::<Test>::iter().map(|(m, c, item)| ((m, c), item)).collect(),
			catalog_index: CatalogIndex::<Test>::iter().map(|(m, i, c)| ((m, i), c)).collect(),
			deny_list: DenyList::<Test>::iter().map(|(m, k, ())| (m, k)).collect(),
			proposals: Proposals::<Test>::iter().map(|(m, c, p)| ((m, c), p)).collect(),
			balances: ACCOUNTS
				.iter()
				.map(|who| {
					(
						*who,
						AccountBalances {
							free: Balances::balance(who),
							moderator_deposit: Balances::balance_on_hold(
								&HoldReason::ModeratorDeposit.into(),
								who,
							),
							proposal_deposit: Balances::balance_on_hold(
								&HoldReason::ProposalDeposit.into(),
								who,
							),
						},
					)
				})
				.collect(),
		}
	}

	fn balances_of(&mut self, who: AccountId) -> &mut AccountBalances {
		self.balances.get_mut(&who).expect("only test accounts are used")
	}

	fn moderator(&mut self, who: AccountId) -> &mut ModeratorInfo<Test> {
		self.moderators.get_mut(&who).expect("the moderator exists")
	}

	/// Move `amount` of `who`'s free balance to the deposit held for `reason`.
	fn hold(&mut self, who: AccountId, reason: HoldReason, amount: Balance) {
		let b = self.balances_of(who);
		b.free -= amount;
		*b.held_for(reason) += amount;
	}

	/// Move `amount` of the deposit held for `reason` back to `who`'s free balance.
	fn release(&mut self, who: AccountId, reason: HoldReason, amount: Balance) {
		let b = self.balances_of(who);
		b.free += amount;
		*b.held_for(reason) -= amount;
	}

	/// Remove the proposal of `content` to `moderator`, release its deposit and count it off the
	/// moderator's pending proposals, as accepting, rejecting and withdrawing do; returns it.
	fn close_proposal(&mut self, moderator: AccountId, content: ContentId) -> Proposal<Test> {
		let proposal = self.proposals.remove(&(moderator, content)).expect("the proposal existed");
		self.release(proposal.publisher, HoldReason::ProposalDeposit, proposal.deposit);
		self.moderator(moderator).pending_proposals -= 1;
		proposal
	}

	/// Move the item at catalog position `from` of `moderator` to position `to`.
	pub fn move_position(&mut self, moderator: AccountId, from: u32, to: u32) {
		if from == to {
			return;
		}
		let moved = self.catalog_index[&(moderator, from)];
		self.catalog_index.insert((moderator, to), moved);
		self.catalog.get_mut(&(moderator, moved)).expect("indexed items exist").index = to;
	}

	/// Append a catalog item as listing does.
	fn push_item(
		&mut self,
		moderator: AccountId,
		content: ContentId,
		size: u64,
		title: &[u8],
		mime_type: &[u8],
		publisher: Option<AccountId>,
	) {
		let index = self.moderator(moderator).catalog_items;
		self.catalog.insert(
			(moderator, content),
			CatalogItem {
				size,
				title: title.to_vec().try_into().unwrap(),
				mime_type: mime_type.to_vec().try_into().unwrap(),
				publisher,
				listed_at: System::block_number(),
				proven_at: None,
				index,
			},
		);
		self.catalog_index.insert((moderator, index), content);
		let info = self.moderator(moderator);
		info.catalog_items += 1;
		info.catalog_bytes += size;
	}
}

/// The last event of the pallet.
pub fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Moderation(event) => Some(event),
			_ => None,
		})
		.expect("the pallet emitted an event")
}

/// All events of the pallet, in order.
pub fn moderation_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::Moderation(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// A content id for tests.
pub fn content(n: u8) -> ContentId {
	[n; 32]
}

/// Register `who` and check the new record, the held deposit and the event.
pub fn assert_register_moderator(
	who: AccountId,
	name: &[u8],
	policy_uri: &[u8],
	policy_hash: [u8; 32],
	commission: Perbill,
) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::register_moderator(
		RuntimeOrigin::signed(who),
		name.to_vec(),
		policy_uri.to_vec(),
		policy_hash,
		commission,
	));

	let mut expected = pre;
	expected.moderators.insert(
		who,
		ModeratorInfo {
			name: name.to_vec().try_into().unwrap(),
			policy: Policy { uri: policy_uri.to_vec().try_into().unwrap(), hash: policy_hash },
			// In force from the epoch of registration.
			commission_rates: rates(&[(TestEpochs::current_epoch(), commission)]),
			deposit: MODERATOR_DEPOSIT,
			status: ModeratorStatus::Live,
			registered_at: System::block_number(),
			catalog_items: 0,
			catalog_bytes: 0,
			proven_items: 0,
			proven_bytes: 0,
			deny_entries: 0,
			pending_proposals: 0,
		},
	);
	expected.hold(who, HoldReason::ModeratorDeposit, MODERATOR_DEPOSIT);
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(
		last_event(),
		Event::ModeratorRegistered { moderator: who, deposit: MODERATOR_DEPOSIT, commission }
	);
	assert_ok!(Moderation::do_try_state());
}

/// Register `who` with a default name, policy and 5% commission.
pub fn register(who: AccountId) {
	assert_register_moderator(who, b"news", b"https://rules", [9; 32], Perbill::from_percent(5));
}

/// Commission rates from `(from_epoch, rate)` pairs.
pub fn rates(pairs: &[(EpochIndex, Perbill)]) -> CommissionRatesOf<Test> {
	pairs
		.iter()
		.map(|(from_epoch, rate)| CommissionRate { from_epoch: *from_epoch, rate: *rate })
		.collect::<Vec<_>>()
		.try_into()
		.expect("at most MaxCommissionChanges rates")
}

/// Update `who` and check the changed record, that its commission rates are exactly
/// `rates_after` (given by hand by the test), and the events: `CommissionChangeScheduled`
/// from `current + CommissionChangeDelay` when the rates changed, then `ModeratorUpdated`.
pub fn assert_update_moderator(
	who: AccountId,
	name: &[u8],
	policy_uri: &[u8],
	policy_hash: [u8; 32],
	commission: Perbill,
	rates_after: &[(EpochIndex, Perbill)],
) {
	let pre = MemorySnapshot::new();
	let events_before = moderation_events().len();
	assert_ok!(Moderation::update_moderator(
		RuntimeOrigin::signed(who),
		name.to_vec(),
		policy_uri.to_vec(),
		policy_hash,
		commission,
	));

	let mut expected = pre;
	let info = expected.moderator(who);
	info.name = name.to_vec().try_into().unwrap();
	info.policy = Policy { uri: policy_uri.to_vec().try_into().unwrap(), hash: policy_hash };
	let changed = info.commission_rates != rates(rates_after);
	info.commission_rates = rates(rates_after);
	assert_eq!(MemorySnapshot::new(), expected);

	let mut events = Vec::new();
	if changed {
		let from_epoch = TestEpochs::current_epoch() + COMMISSION_CHANGE_DELAY;
		events.push(Event::CommissionChangeScheduled {
			moderator: who,
			rate: commission,
			from_epoch,
		});
	}
	events.push(Event::ModeratorUpdated { moderator: who });
	assert_eq!(moderation_events()[events_before..], events[..]);
	assert_ok!(Moderation::do_try_state());
}

/// `who` changes only its commission (same name and policy); checks as
/// [`assert_update_moderator`].
pub fn assert_set_commission(
	who: AccountId,
	commission: Perbill,
	rates_after: &[(EpochIndex, Perbill)],
) {
	let info = Moderators::<Test>::get(who).expect("a moderator");
	assert_update_moderator(
		who,
		&info.name,
		&info.policy.uri,
		info.policy.hash,
		commission,
		rates_after,
	);
}

/// Retire `who` (by itself, or by Root when `forced`) and check the status and the event.
pub fn assert_retire_moderator(who: AccountId, forced: bool) {
	let pre = MemorySnapshot::new();
	if forced {
		assert_ok!(Moderation::force_retire_moderator(RuntimeOrigin::root(), who));
	} else {
		assert_ok!(Moderation::retire_moderator(RuntimeOrigin::signed(who)));
	}

	let now = System::block_number();
	let deposit_unlocks_at = now + RETIREMENT_DELAY;
	let mut expected = pre;
	expected.moderator(who).status = ModeratorStatus::Retired { since: now, deposit_unlocks_at };
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(
		last_event(),
		Event::ModeratorRetired { moderator: who, deposit_unlocks_at, forced }
	);
	assert_ok!(Moderation::do_try_state());
}

/// Reap `moderator` (called by `caller`) and check that the record, catalog, index, deny list
/// and proposals are gone, every deposit is back, and the events.
pub fn assert_reap_moderator(caller: AccountId, moderator: AccountId) {
	let pre = MemorySnapshot::new();
	let events_before = moderation_events().len();
	assert_ok!(Moderation::reap_moderator(RuntimeOrigin::signed(caller), moderator));

	let mut expected = pre.clone();
	let info = expected.moderators.remove(&moderator).expect("the moderator existed");
	expected.release(moderator, HoldReason::ModeratorDeposit, info.deposit);
	expected.catalog.retain(|(m, _), _| *m != moderator);
	expected.catalog_index.retain(|(m, _), _| *m != moderator);
	expected.deny_list.retain(|(m, _)| *m != moderator);
	let mut rejected = Vec::new();
	for ((m, content), proposal) in pre.proposals.iter() {
		if *m == moderator {
			expected.proposals.remove(&(*m, *content));
			expected.release(proposal.publisher, HoldReason::ProposalDeposit, proposal.deposit);
			rejected.push((*content, proposal.publisher));
		}
	}
	assert_eq!(MemorySnapshot::new(), expected);

	let events = moderation_events()[events_before..].to_vec();
	assert_eq!(events.len(), rejected.len() + 1);
	for (content, publisher) in rejected {
		assert!(events.contains(&Event::ProposalRejected { moderator, content, publisher }));
	}
	assert_eq!(last_event(), Event::ModeratorReaped { moderator, deposit: info.deposit });
	assert_ok!(Moderation::do_try_state());
}

/// List `content` in `who`'s catalog and check the item, its position, the totals and the
/// event.
pub fn assert_list_content(
	who: AccountId,
	content: ContentId,
	size: u64,
	title: &[u8],
	mime_type: &[u8],
	publisher: Option<AccountId>,
) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::list_content(
		RuntimeOrigin::signed(who),
		content,
		size,
		title.to_vec(),
		mime_type.to_vec(),
		publisher,
	));

	let mut expected = pre;
	expected.push_item(who, content, size, title, mime_type, publisher);
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(last_event(), Event::ContentListed { moderator: who, content, size, publisher });
	assert_ok!(Moderation::do_try_state());
}

/// List `content` with a default title and MIME type and no publisher.
pub fn list(who: AccountId, content: ContentId, size: u64) {
	assert_list_content(who, content, size, b"a title", b"video/x", None);
}

/// Delist `content` from `who`'s catalog and check the swap-remove, the totals and the event.
pub fn assert_delist_content(who: AccountId, content: ContentId) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::delist_content(RuntimeOrigin::signed(who), content));

	let mut expected = pre;
	let item = expected.catalog.remove(&(who, content)).expect("the item was listed");
	let last = expected.moderator(who).catalog_items - 1;
	if item.proven_at.is_some() {
		// The last proven item fills the hole; the last item fills the one that leaves.
		let last_proven = expected.moderator(who).proven_items - 1;
		expected.move_position(who, last_proven, item.index);
		expected.move_position(who, last, last_proven);
		let info = expected.moderator(who);
		info.proven_items -= 1;
		info.proven_bytes -= item.size;
	} else {
		expected.move_position(who, last, item.index);
	}
	expected.catalog_index.remove(&(who, last)).expect("dense positions");
	let info = expected.moderator(who);
	info.catalog_items -= 1;
	info.catalog_bytes -= item.size;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(last_event(), Event::ContentDelisted { moderator: who, content, size: item.size });
	assert_ok!(Moderation::do_try_state());
}

/// Propose `content` to `moderator` and check the proposal, the held deposit and the event.
pub fn assert_propose_content(
	publisher: AccountId,
	moderator: AccountId,
	content: ContentId,
	size: u64,
	title: &[u8],
	mime_type: &[u8],
) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::propose_content(
		RuntimeOrigin::signed(publisher),
		moderator,
		content,
		size,
		title.to_vec(),
		mime_type.to_vec(),
	));

	let mut expected = pre;
	expected.proposals.insert(
		(moderator, content),
		Proposal {
			publisher,
			size,
			title: title.to_vec().try_into().unwrap(),
			mime_type: mime_type.to_vec().try_into().unwrap(),
			deposit: PROPOSAL_DEPOSIT,
		},
	);
	expected.hold(publisher, HoldReason::ProposalDeposit, PROPOSAL_DEPOSIT);
	expected.moderator(moderator).pending_proposals += 1;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(
		last_event(),
		Event::ContentProposed { moderator, content, publisher, deposit: PROPOSAL_DEPOSIT }
	);
	assert_ok!(Moderation::do_try_state());
}

/// Propose `content` with a default title and MIME type.
pub fn propose(publisher: AccountId, moderator: AccountId, content: ContentId, size: u64) {
	assert_propose_content(publisher, moderator, content, size, b"proposed", b"audio/x");
}

/// Accept the proposal of `content` to `who` and check the new item, the released deposit and
/// both events.
pub fn assert_accept_proposal(who: AccountId, content: ContentId) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::accept_proposal(RuntimeOrigin::signed(who), content));

	let mut expected = pre;
	let proposal = expected.close_proposal(who, content);
	expected.push_item(
		who,
		content,
		proposal.size,
		&proposal.title,
		&proposal.mime_type,
		Some(proposal.publisher),
	);
	assert_eq!(MemorySnapshot::new(), expected);
	let events = moderation_events();
	assert_eq!(
		events[events.len() - 2..],
		[
			Event::ContentListed {
				moderator: who,
				content,
				size: proposal.size,
				publisher: Some(proposal.publisher),
			},
			Event::ProposalAccepted { moderator: who, content, publisher: proposal.publisher },
		]
	);
	assert_ok!(Moderation::do_try_state());
}

/// Reject the proposal of `content` to `who` and check the released deposit and the event.
pub fn assert_reject_proposal(who: AccountId, content: ContentId) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::reject_proposal(RuntimeOrigin::signed(who), content));

	let mut expected = pre;
	let proposal = expected.close_proposal(who, content);
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(
		last_event(),
		Event::ProposalRejected { moderator: who, content, publisher: proposal.publisher }
	);
	assert_ok!(Moderation::do_try_state());
}

/// Withdraw `publisher`'s proposal of `content` to `moderator` and check the released deposit
/// and the event.
pub fn assert_withdraw_proposal(publisher: AccountId, moderator: AccountId, content: ContentId) {
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::withdraw_proposal(RuntimeOrigin::signed(publisher), moderator, content));

	let mut expected = pre;
	expected.close_proposal(moderator, content);
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(last_event(), Event::ProposalWithdrawn { moderator, content, publisher });
	assert_ok!(Moderation::do_try_state());
}

/// Deny `content` (by its deny key) in `who`'s deny list and check the entry and the event.
pub fn assert_deny_content(who: AccountId, content: ContentId) {
	let key = deny_key(&content);
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::deny_content(RuntimeOrigin::signed(who), key));

	let mut expected = pre;
	expected.deny_list.insert((who, key));
	expected.moderator(who).deny_entries += 1;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(last_event(), Event::ContentDenied { moderator: who, deny_key: key });
	assert_ok!(Moderation::do_try_state());
}

/// Remove `content`'s deny key from `who`'s deny list and check the removal and the event.
pub fn assert_allow_content(who: AccountId, content: ContentId) {
	let key = deny_key(&content);
	let pre = MemorySnapshot::new();
	assert_ok!(Moderation::allow_content(RuntimeOrigin::signed(who), key));

	let mut expected = pre;
	expected.deny_list.remove(&(who, key));
	expected.moderator(who).deny_entries -= 1;
	assert_eq!(MemorySnapshot::new(), expected);
	assert_eq!(last_event(), Event::ContentAllowed { moderator: who, deny_key: key });
	assert_ok!(Moderation::do_try_state());
}
