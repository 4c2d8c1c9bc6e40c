//! Helpers that run a call or a block and check its events and every storage change it
//! makes.
//!
//! Each `assert_*` helper takes a [`MemorySnapshot`] of all the pallet's storage and of what
//! the law touches elsewhere (standings and bonds of the test accounts), runs the call,
//! derives the expected snapshot from the old one by applying exactly the changes the call
//! must make, and compares it with the new snapshot, so any other change fails the test. It
//! also compares the exact list of events the pallet emitted, and checks the invariants. The
//! snapshot includes the test leases (what each test account keeps, and every `missed` the law
//! reported), so an unexpected `missed` fails too.

use crate::{mock::*, *};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use bitcloud_primitives::{
	content_id,
	storage_proof::{build_proof, chunk_count},
	traits::CatalogProofs,
	ChallengeProofs, ContentId, KeptLease, LeaseId, NodeRegistry, Standing, StorageProof,
};
use polkadot_sdk::{
	frame_support::{
		assert_ok,
		dispatch::Pays,
		traits::fungible::{Inspect, InspectHold},
	},
	sp_runtime::{DispatchError, DispatchResult, Perbill},
};

/// `respond` as `who`, with the error only.
pub fn respond(who: AccountId, id: ChallengeId, proofs: ChallengeProofs) -> DispatchResult {
	StorageLaw::respond(RuntimeOrigin::signed(who), id, proofs).map(|_| ()).map_err(|e| e.error)
}

/// An answer made of `proofs` (at most `MAX_CHALLENGE_CHUNKS`).
pub fn answer(proofs: Vec<StorageProof>) -> ChallengeProofs {
	proofs.try_into().expect("at most MAX_CHALLENGE_CHUNKS proofs")
}

/// A copy of the pallet's storage and of the test accounts' standings and bonds.
#[derive(Clone, PartialEq, Debug)]
pub struct MemorySnapshot {
	/// `Params`.
	pub params: LawParams,
	/// `Challenges`.
	pub challenges: BTreeMap<ChallengeId, Challenge<AccountId, u64>>,
	/// `NodeChallenges`.
	pub node_challenges: BTreeSet<(AccountId, ChallengeId)>,
	/// `NextChallengeId`.
	pub next_challenge_id: ChallengeId,
	/// `ExpiryCursor`.
	pub expiry_cursor: ChallengeId,
	/// `LastChallengedEpoch`.
	pub last_challenged_epoch: Option<u32>,
	/// `Records`.
	pub records: BTreeMap<AccountId, NodeRecord>,
	/// Standing of each test account in the node registry.
	pub standings: BTreeMap<AccountId, Option<Standing>>,
	/// Held bond of each test account.
	pub bonds: BTreeMap<AccountId, Balance>,
	/// Free balance of the treasury (slashes go there).
	pub treasury: Balance,
	/// The leases each test account keeps (test leases), in position order.
	pub kept_leases: BTreeMap<AccountId, Vec<KeptLease>>,
	/// Every `missed(node, lease)` the law reported so far.
	pub missed_leases: Vec<(AccountId, LeaseId)>,
}

impl MemorySnapshot {
	/// Take a snapshot of the current state.
	pub fn new() -> Self {
		Self {
			params: Params::<Test>::get(),
			challenges: Challenges::<Test>::iter().collect(),
			node_challenges: NodeChallenges::<Test>::iter().map(|(n, id, ())| (n, id)).collect(),
			next_challenge_id: NextChallengeId::<Test>::get(),
			expiry_cursor: ExpiryCursor::<Test>::get(),
			last_challenged_epoch: LastChallengedEpoch::<Test>::get(),
			records: Records::<Test>::iter().collect(),
			standings: ACCOUNTS.iter().map(|who| (*who, Nodes::standing(who))).collect(),
			bonds: ACCOUNTS.iter().map(|who| (*who, bond_of(*who))).collect(),
			treasury: Balances::balance(&TREASURY),
			kept_leases: ACCOUNTS.iter().map(|who| (*who, kept_leases(*who))).collect(),
			missed_leases: missed_leases(),
		}
	}

	/// The law reports that `node` missed its challenge on `lease`: recorded, and the node
	/// keeps the lease no more (the last lease it keeps takes its position), as the test
	/// leases do.
	pub fn lease_missed(&mut self, node: AccountId, lease: LeaseId) {
		self.missed_leases.push((node, lease));
		let kept = self.kept_leases.entry(node).or_default();
		if let Some(position) = kept.iter().position(|l| l.lease == lease) {
			kept.swap_remove(position);
		}
	}

	/// Remove challenge `id` from both indexes; returns it.
	pub fn remove_challenge(&mut self, id: ChallengeId) -> Challenge<AccountId, u64> {
		let challenge = self.challenges.remove(&id).expect("the challenge is pending");
		assert!(self.node_challenges.remove(&(challenge.node, id)));
		challenge
	}

	/// The record of `who`, created empty if needed.
	pub fn record(&mut self, who: AccountId) -> &mut NodeRecord {
		self.records.entry(who).or_default()
	}
}

/// Held bond of `who` in the node registry.
pub fn bond_of(who: AccountId) -> Balance {
	Balances::balance_on_hold(&pallet_nodes::HoldReason::NodeBond.into(), &who)
}

/// All events of the storage law, in order.
pub fn law_events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|record| match record.event {
			RuntimeEvent::StorageLaw(event) => Some(event),
			_ => None,
		})
		.collect()
}

/// Run `call`, then check that the state became `expected` and that exactly `events` were
/// emitted by this pallet, and the invariants.
pub fn check<R>(
	call: impl FnOnce() -> R,
	expected: impl FnOnce(&mut MemorySnapshot) -> Vec<Event<Test>>,
) -> R {
	let mut snapshot = MemorySnapshot::new();
	let events_before = law_events().len();
	let result = call();
	let events = expected(&mut snapshot);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(law_events()[events_before..], events[..]);
	assert_ok!(StorageLaw::do_try_state());
	result
}

/// Run `call`, which must fail with `error`, and check that nothing changed and no event was
/// emitted.
pub fn assert_fails(call: impl FnOnce() -> DispatchResult, error: impl Into<DispatchError>) {
	let snapshot = MemorySnapshot::new();
	let events_before = System::events().len();
	assert_eq!(call(), Err(error.into()));
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_eq!(System::events().len(), events_before);
}

/// The bytes of the sample file with id `content`.
pub fn file_with_id(content: ContentId) -> Vec<u8> {
	(0..FILES).map(file).find(|bytes| content_id(bytes) == content).expect("a sample file")
}

/// The proofs of every chunk `challenge` names, in order, built from the sample file it names:
/// the valid answer.
pub fn proof_for(challenge: &Challenge<AccountId, u64>) -> ChallengeProofs {
	let bytes = file_with_id(challenge.content);
	answer(
		challenge
			.chunks
			.iter()
			.map(|chunk| build_proof(&bytes, *chunk).expect("the chunk exists"))
			.collect(),
	)
}

/// The lease of challenge `challenge`, if it is a lease challenge.
pub fn lease_of(challenge: &Challenge<AccountId, u64>) -> Option<LeaseId> {
	match challenge.kind {
		ChallengeKind::Lease(lease) => Some(lease),
		_ => None,
	}
}

/// Check that `challenge` names `min(chunks_per_challenge, chunks)` chunks of its content,
/// the `j`-th in the `j`-th of as many equal stretches (so ascending and distinct), and for a
/// probe that the last is the content's last chunk.
pub fn assert_spread(challenge: &Challenge<AccountId, u64>, chunks_per_challenge: u32) {
	let chunks = chunk_count(challenge.size);
	let count = u64::from(chunks_per_challenge).min(chunks);
	assert_eq!(challenge.chunks.len() as u64, count, "{challenge:?}");
	for (j, chunk) in challenge.chunks.iter().enumerate() {
		let j = j as u64;
		let stretch = (chunks * j / count)..(chunks * (j + 1) / count);
		assert!(stretch.contains(chunk), "chunk {chunk} outside stretch {stretch:?}");
	}
	if challenge.kind == ChallengeKind::Probe {
		assert_eq!(challenge.chunks.last(), Some(&(chunks - 1)), "a probe ends on the last chunk");
	}
}

/// The moderator of the big item: registered by [`ferdie_subscribes_to_the_big_item`].
pub const BIG_MODERATOR: AccountId = NOBODY;

/// Register [`BIG_MODERATOR`] with the [`BIG_FILE`] (41 chunks) as its only item, proven, and
/// subscribe Ferdie to it: the next draw challenges Ferdie on it. Returns its id.
pub fn ferdie_subscribes_to_the_big_item() -> ContentId {
	let bytes = file(BIG_FILE);
	let id = content_id(&bytes);
	assert_ok!(Moderation::register_moderator(
		RuntimeOrigin::signed(BIG_MODERATOR),
		b"big".to_vec(),
		b"uri".to_vec(),
		[0; 32],
		Perbill::zero(),
	));
	assert_ok!(Moderation::list_content(
		RuntimeOrigin::signed(BIG_MODERATOR),
		id,
		bytes.len() as u64,
		b"t".to_vec(),
		b"m".to_vec(),
		None,
	));
	// As if a node had passed a probe of it in the next block.
	let next = System::block_number() + 1;
	assert!(Moderation::record_proof(&BIG_MODERATOR, &id, bytes.len() as u64, next));
	assert_ok!(Nodes::subscribe(RuntimeOrigin::signed(FERDIE), BIG_MODERATOR));
	id
}

/// Whether passing `challenge` proves its content: a probe of the listing still in a live
/// catalog, unproven, with the same size, listed before the probe was issued.
pub fn proves(challenge: &Challenge<AccountId, u64>) -> bool {
	let Some(moderator) = challenge.moderator else { return false };
	challenge.kind == ChallengeKind::Probe
		&& <Moderation as bitcloud_primitives::ModeratorRegistry<_>>::is_live(&moderator)
		&& pallet_moderation::Catalog::<Test>::get(moderator, challenge.content).is_some_and(
			|item| {
				item.proven_at.is_none()
					&& item.size == challenge.size
					&& item.listed_at < challenge.issued_at
			},
		)
}

/// Answer `who`'s challenge `id` with a valid proof, and check that it was cleared, the pass
/// counted, the call free, and the events (`ContentProven` for a probe that proves its
/// content, then `restored` if the node is restored); a proved item is proven from now.
pub fn assert_respond(who: AccountId, id: ChallengeId, restored: Option<Standing>) {
	let challenge = Challenges::<Test>::get(id).expect("pending");
	let proof = proof_for(&challenge);
	let proven = proves(&challenge);
	let info = check(
		|| StorageLaw::respond(RuntimeOrigin::signed(who), id, proof),
		|s| {
			s.remove_challenge(id);
			s.record(who).passed += 1;
			let mut events = vec![Event::ChallengePassed { challenge_id: id, node: who }];
			if proven {
				events.push(Event::ContentProven {
					moderator: challenge.moderator.expect("a probe names its moderator"),
					content: challenge.content,
					node: who,
				});
			}
			if let Some(from) = restored {
				s.record(who).strikes = 0;
				s.standings.insert(who, Some(Standing::Active));
				events.push(Event::StandingRestored { node: who, from });
			}
			events
		},
	);
	assert_eq!(info.expect("the proof is valid").pays_fee, Pays::No);
	if let (true, Some(moderator)) = (proven, challenge.moderator) {
		let item =
			pallet_moderation::Catalog::<Test>::get(moderator, challenge.content).expect("listed");
		assert_eq!(item.proven_at, Some(System::block_number()));
	}
}

/// Set the parameters as Root and check the storage and the event.
pub fn assert_set_params(params: LawParams) {
	check(
		|| StorageLaw::set_params(RuntimeOrigin::root(), params),
		|s| {
			s.params = params;
			vec![Event::ParamsSet { params }]
		},
	)
	.expect("valid params");
}

/// The pending challenges of `who`, oldest first.
pub fn pending(who: AccountId) -> Vec<(ChallengeId, Challenge<AccountId, u64>)> {
	StorageLaw::pending_challenges(&who)
}

/// The single pending challenge of `who`.
pub fn only_challenge(who: AccountId) -> (ChallengeId, Challenge<AccountId, u64>) {
	let mut all = pending(who);
	assert_eq!(all.len(), 1, "{who} has one pending challenge");
	all.remove(0)
}

/// Answer every pending challenge of `who` (no restoration expected).
pub fn answer_all(who: AccountId) {
	for (id, _) in pending(who) {
		assert_respond(who, id, None);
	}
}

/// The expected events and storage changes of an epoch start that challenges `nodes` (each
/// once, in the order given, no strike, no restoration), from `block`.
pub fn issued(
	s: &mut MemorySnapshot,
	epoch: u32,
	block: u64,
	nodes: &[AccountId],
) -> Vec<Event<Test>> {
	s.last_challenged_epoch = Some(epoch);
	let mut events = Vec::new();
	for node in nodes {
		let id = s.next_challenge_id;
		s.next_challenge_id += 1;
		// What the chain chose: checked to be one of the node's obligations, or a lease it
		// keeps.
		let challenge = Challenges::<Test>::get(id).expect("issued");
		assert_eq!(challenge.node, *node);
		match (challenge.kind, challenge.moderator) {
			(ChallengeKind::Lease(lease), moderator) => {
				assert_eq!(moderator, None, "the test leases give no moderator");
				let kept = KeptLease { lease, content: challenge.content, bytes: challenge.size };
				assert!(kept_leases(*node).contains(&kept), "{node} keeps {kept:?}");
			},
			(_, Some(moderator)) => {
				assert!(
					<Moderation as bitcloud_primitives::ModeratorRegistry<_>>::content_size(
						&moderator,
						&challenge.content
					) == Some(challenge.size)
				);
				// One of its obligations: a subscription, or one that ended at this epoch's
				// start.
				assert!(Nodes::obligations(node).contains(&moderator));
			},
			(kind, None) => panic!("a {kind:?} challenge without its moderator"),
		}
		assert_eq!(challenge.issued_at, block);
		assert_eq!(challenge.deadline, block + u64::from(s.params.response_blocks));
		assert_spread(&challenge, s.params.chunks_per_challenge);
		s.challenges.insert(id, challenge.clone());
		s.node_challenges.insert((*node, id));
		events.push(Event::ChallengeIssued {
			challenge_id: id,
			node: *node,
			moderator: challenge.moderator,
			content: challenge.content,
			chunks: challenge.chunks.clone(),
			deadline: challenge.deadline,
			kind: challenge.kind,
		});
	}
	events
}

/// The nodes challenged by `events`, in order.
pub fn challenged(events: &[Event<Test>]) -> Vec<AccountId> {
	events
		.iter()
		.filter_map(|e| match e {
			Event::ChallengeIssued { node, .. } => Some(*node),
			_ => None,
		})
		.collect()
}

/// Run to the block before `block`, then run `block` and check that it challenges exactly
/// `expected_nodes` (in any order), each on one of its obligations, and changes nothing else
/// (no expiry, strike or restoration may fall in `block`).
pub fn assert_challenges_at(block: u64, expected_nodes: &[AccountId]) {
	run_to_block(block - 1);
	let before = law_events().len();
	let mut snapshot = MemorySnapshot::new();
	run_to_block(block);
	let events = law_events()[before..].to_vec();
	let mut nodes = challenged(&events);
	let expected = issued(&mut snapshot, (block / EPOCH_LENGTH) as u32, block, &nodes);
	assert_eq!(events, expected);
	assert_eq!(MemorySnapshot::new(), snapshot);
	assert_ok!(StorageLaw::do_try_state());
	nodes.sort();
	let mut want = expected_nodes.to_vec();
	want.sort();
	assert_eq!(nodes, want);
}

/// Run to the block before `block`, then run `block`, in which `missed` (challenge, node)
/// pairs expire as strikes (a lease challenge also dropping its node from the lease), with
/// `lowered` steps `(node, from, to, slashed, banned_rest)`; check every change and event.
pub fn assert_missed_at(
	block: u64,
	missed: &[(ChallengeId, AccountId)],
	lowered: &[(AccountId, Standing, Standing, Balance, Balance)],
) {
	run_to_block(block - 1);
	let before = law_events().len();
	let mut s = MemorySnapshot::new();
	run_to_block(block);
	let epoch = (block / EPOCH_LENGTH) as u32;
	let mut events = Vec::new();
	let mut missed = missed.to_vec();
	missed.sort();
	for (id, node) in &missed {
		let challenge = s.remove_challenge(*id);
		events.push(Event::ChallengeMissed { challenge_id: *id, node: *node });
		let window = s.params.strike_window;
		let r = s.record(*node);
		if r.strikes > 0 && epoch >= r.window_start + window {
			r.strikes = 0;
		}
		if r.strikes == 0 {
			r.window_start = epoch;
		}
		r.strikes += 1;
		r.total_strikes += 1;
		r.last_strike = Some(epoch);
		let strikes = r.strikes;
		events.push(Event::StrikeRecorded {
			node: *node,
			reason: StrikeReason::MissedChallenge(*id),
			strikes,
		});
		if let Some((_, from, to, slashed, rest)) = lowered.iter().find(|l| l.0 == *node) {
			let r = s.record(*node);
			r.strikes = 0;
			r.window_start = epoch;
			s.standings.insert(*node, Some(*to));
			*s.bonds.get_mut(node).unwrap() -= slashed + rest;
			s.treasury += slashed + rest;
			events.push(Event::StandingLowered {
				node: *node,
				from: *from,
				to: *to,
				slashed: *slashed,
			});
		}
		if let Some(lease) = lease_of(&challenge) {
			s.lease_missed(*node, lease);
		}
	}
	// Expiry walks up to the oldest challenge still pending (answered ones are skipped).
	s.expiry_cursor = s.challenges.keys().next().copied().unwrap_or(s.next_challenge_id);
	// The block may also start an epoch: its challenges are checked like any others.
	let got = law_events()[before..].to_vec();
	let issued_events: Vec<_> =
		got.iter().filter(|e| matches!(e, Event::ChallengeIssued { .. })).cloned().collect();
	let others: Vec<_> =
		got.iter().filter(|e| !matches!(e, Event::ChallengeIssued { .. })).cloned().collect();
	assert_eq!(others, events);
	let nodes = challenged(&issued_events);
	if !nodes.is_empty() {
		issued(&mut s, epoch, block, &nodes);
	}
	assert_eq!(MemorySnapshot::new(), s);
	assert_ok!(StorageLaw::do_try_state());
}
