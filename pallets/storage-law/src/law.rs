//! The law itself, run from `on_initialize`: expiry of missed challenges, the epoch's
//! random challenges, strikes and the standing state machine; and the queries behind the
//! runtime API.

use crate::*;
use alloc::vec::Vec;
use bitcloud_primitives::{
	storage_proof::spread_chunks,
	traits::{CatalogProofs, ListedItem},
	CapacityStatus, ChallengeChunks, ContentId, EpochClock, EpochIndex, KeptLease,
	LeaseObligations, ModeratorRegistry, NodePenalties, NodeRegistry, Standing,
};
use codec::{Decode, Encode};
use frame_support::{
	traits::{Defensive, Get, Randomness},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{Hash, Saturating, TrailingZeroInput};

/// Domain tag of the randomness subject.
const RANDOMNESS_SUBJECT: &[u8] = b"bitcloud/storage-law/challenges";

/// How many strides are tried to find one coprime with the node count.
const MAX_STRIDE_TRIES: u32 = 64;

/// What a random draw is for (part of what is hashed, so that draws are independent).
/// Variants are only ever appended, so that the draws of the older ones do not change.
#[derive(Encode, Clone, Copy)]
enum Draw {
	/// Where the walk over the nodes starts.
	Start,
	/// The walk's stride.
	Stride,
	/// The proven item of the `i`-th sampled node's obligation challenge.
	Content(u32),
	/// The chunk in stretch `j` of that item: `Chunk(i, j)`.
	Chunk(u32, u32),
	/// The unproven item of the `i`-th sampled node's probe.
	Probe(u32),
	/// The chunk in stretch `j` of that item: `ProbeChunk(i, j)` (the last stretch's is the
	/// item's last chunk, whatever the draw).
	ProbeChunk(u32, u32),
	/// The kept lease of the `i`-th sampled node's lease challenge.
	Lease(u32),
	/// The chunk in stretch `j` of that lease's object: `LeaseChunk(i, j)`.
	LeaseChunk(u32, u32),
}

/// Which part of a catalog a pick is from: the proven items (`0..proven_len`) or the unproven
/// ones (`proven_len..catalog_len`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
	Proven,
	Unproven,
}

/// A catalog a node must hold: its moderator, proven items and items in all.
struct ObligationCatalog<AccountId> {
	moderator: AccountId,
	proven: u32,
	items: u32,
}

impl<AccountId> ObligationCatalog<AccountId> {
	/// Items in `part`.
	fn len(&self, part: Part) -> u32 {
		match part {
			Part::Proven => self.proven,
			Part::Unproven => self.items.saturating_sub(self.proven),
		}
	}
}

impl<T: Config> Pallet<T> {
	/// The block hook: expiry, then the epoch's challenges if the epoch is new.
	pub(crate) fn on_block(now: BlockNumberFor<T>) -> Weight {
		let examined = Self::expire_challenges(now);
		let mut weight = T::WeightInfo::expire_challenges(examined);
		let epoch = T::Epochs::current_epoch();
		if LastChallengedEpoch::<T>::get().is_none_or(|last| last != epoch) {
			let sampled = Self::issue_challenges(epoch, now);
			weight = weight.saturating_add(T::WeightInfo::issue_challenges(sampled));
		}
		weight
	}

	/// Expire challenges whose deadline is before `now`, walking the queue from
	/// `ExpiryCursor`; looks at `MaxExpiriesPerBlock` challenges at most. Returns how many
	/// it looked at.
	pub(crate) fn expire_challenges(now: BlockNumberFor<T>) -> u32 {
		let mut cursor = ExpiryCursor::<T>::get();
		let next = NextChallengeId::<T>::get();
		let max = T::MaxExpiriesPerBlock::get();
		let mut examined = 0u32;
		while cursor < next && examined < max {
			examined = examined.saturating_add(1);
			match Challenges::<T>::get(cursor) {
				// Answered already.
				None => {},
				Some(challenge) if challenge.deadline < now => {
					Self::remove_challenge(cursor, &challenge.node);
					Self::miss(cursor, &challenge.node, challenge.kind);
				},
				// Ids come in deadline order: the rest are not due either.
				Some(_) => break,
			}
			cursor = cursor.saturating_add(1);
		}
		ExpiryCursor::<T>::put(cursor);
		examined
	}

	/// Challenge `id` of `node` was missed: a strike, unless it was a probe or the node was
	/// banned meanwhile. A missed lease challenge also drops `node` from the lease, banned or
	/// not: it could not prove it keeps the object, so it is paid for it no more.
	fn miss(challenge_id: ChallengeId, node: &T::AccountId, kind: ChallengeKind) {
		if kind == ChallengeKind::Probe {
			// Nobody may be able to prove unproven content: failing to is no fault.
			Self::deposit_event(Event::ProbeMissed { challenge_id, node: node.clone() });
			return;
		}
		if T::Nodes::standing(node) == Some(Standing::Banned) {
			Self::deposit_event(Event::ChallengeDiscarded { challenge_id, node: node.clone() });
		} else {
			Self::deposit_event(Event::ChallengeMissed { challenge_id, node: node.clone() });
			Self::strike(node, StrikeReason::MissedChallenge(challenge_id));
		}
		if let ChallengeKind::Lease(lease) = kind {
			T::Leases::missed(node, lease);
		}
	}

	/// Issue the challenges of `epoch`: sample `min(challengeRate × nodes,
	/// challengesPerEpoch)` distinct registered nodes at random; challenge each on
	/// `chunksPerChallenge` random chunks spread over a random proven item of its obligations,
	/// probe it likewise (ending with the last chunk) on a random unproven one past its grace
	/// period, and challenge it likewise on the object of a random lease it keeps. Returns how
	/// many nodes it sampled.
	pub(crate) fn issue_challenges(epoch: EpochIndex, now: BlockNumberFor<T>) -> u32 {
		LastChallengedEpoch::<T>::put(epoch);
		let params = Params::<T>::get();
		let nodes = T::Nodes::node_count();
		let sample = params
			.challenge_rate
			.mul_ceil(nodes)
			.min(params.challenges_per_epoch)
			.min(T::MaxChallengesPerEpoch::get());
		if sample == 0 {
			return 0;
		}
		let (seed, _) = T::Randomness::random(&(RANDOMNESS_SUBJECT, epoch).encode());
		// A random start and a random stride coprime with the node count visit `sample`
		// distinct positions.
		let start = Self::draw(&seed, Draw::Start) % u64::from(nodes);
		let stride = Self::coprime_stride(Self::draw(&seed, Draw::Stride), u64::from(nodes));
		for i in 0..sample {
			let position = start
				.saturating_add(u64::from(i).saturating_mul(stride) % u64::from(nodes))
				% u64::from(nodes);
			if let Some(node) = u32::try_from(position).ok().and_then(T::Nodes::node_at) {
				Self::challenge_node(&node, &seed, i, now, &params);
			}
		}
		sample
	}

	/// A stride in `1..nodes` coprime with `nodes`, from `random` (1 if none is found fast).
	fn coprime_stride(random: u64, nodes: u64) -> u64 {
		if nodes <= 2 {
			return 1;
		}
		let mut stride = 1 + random % (nodes - 1);
		for _ in 0..MAX_STRIDE_TRIES {
			if gcd(stride, nodes) == 1 {
				return stride;
			}
			stride = 1 + stride % (nodes - 1);
		}
		1
	}

	/// Check `node`'s standing and capacity, then challenge it on a random proven item of its
	/// obligations, probe it on a random unproven one, and challenge it on a random lease it
	/// keeps.
	///
	/// The three picks are independent, so unproven items (which a moderator can list at will)
	/// never take the place of an obligation challenge: padding a catalog with ids nobody can
	/// prove shields no subscriber from the law. Likewise leases and catalogs neither dilute
	/// nor shield each other: a node that keeps many leases is still challenged on its
	/// catalogs every time it is sampled, and the other way round.
	fn challenge_node(
		node: &T::AccountId,
		seed: &T::Hash,
		i: u32,
		now: BlockNumberFor<T>,
		params: &LawParams,
	) {
		Self::maybe_restore(node);
		if T::Nodes::check_capacity(node) == Some(CapacityStatus::Failing) {
			Self::strike(node, StrikeReason::CapacityShortfall);
		}
		if !T::Nodes::is_registered(node) {
			// Banned by that strike.
			return;
		}
		let catalogs = Self::obligation_catalogs(node);
		if let Some((moderator, item)) =
			Self::pick(&catalogs, Self::draw(seed, Draw::Content(i)), Part::Proven)
		{
			let chunks = spread_chunks(item.size, params.chunks_per_challenge, false, |j| {
				Self::draw(seed, Draw::Chunk(i, j))
			});
			let target = (Some(moderator), item.content, item.size);
			Self::issue(node, target, chunks, ChallengeKind::Obligation, now, params);
		}
		if let Some((moderator, item)) =
			Self::pick(&catalogs, Self::draw(seed, Draw::Probe(i)), Part::Unproven)
		{
			// Within its grace period an item is nobody's concern yet.
			if now >= item.listed_at.saturating_add(T::ContentGracePeriod::get()) {
				// Ending with the last chunk: its proof authenticates the listed size.
				let chunks = spread_chunks(item.size, params.chunks_per_challenge, true, |j| {
					Self::draw(seed, Draw::ProbeChunk(i, j))
				});
				let target = (Some(moderator), item.content, item.size);
				Self::issue(node, target, chunks, ChallengeKind::Probe, now, params);
			}
		}
		if let Some(kept) = Self::pick_lease(node, Self::draw(seed, Draw::Lease(i))) {
			// No grace and no probe: the keeper checked the object's size when it chose to
			// keep it, so the lease is its obligation from then on.
			let chunks = spread_chunks(kept.bytes, params.chunks_per_challenge, false, |j| {
				Self::draw(seed, Draw::LeaseChunk(i, j))
			});
			let target = (None, kept.content, kept.bytes);
			Self::issue(node, target, chunks, ChallengeKind::Lease(kept.lease), now, params);
		}
	}

	/// The lease of those `node` keeps that `random` picks, each equally likely; `None` if it
	/// keeps none.
	fn pick_lease(node: &T::AccountId, random: u64) -> Option<KeptLease> {
		let kept = T::Leases::kept_len(node);
		if kept == 0 {
			return None;
		}
		let index = u32::try_from(random % u64::from(kept)).ok()?;
		T::Leases::kept_at(node, index)
	}

	/// Record a challenge of `node` on `chunks` of the content `(moderator, content, size)`:
	/// an item of `moderator`'s catalog, or a lease's object (no moderator).
	fn issue(
		node: &T::AccountId,
		(moderator, content, size): (Option<T::AccountId>, ContentId, u64),
		chunks: ChallengeChunks,
		kind: ChallengeKind,
		now: BlockNumberFor<T>,
		params: &LawParams,
	) {
		let challenge_id = NextChallengeId::<T>::get();
		NextChallengeId::<T>::put(challenge_id.saturating_add(1));
		let deadline = now.saturating_add(params.response_blocks.into());
		Challenges::<T>::insert(
			challenge_id,
			Challenge {
				node: node.clone(),
				moderator: moderator.clone(),
				content,
				size,
				chunks: chunks.clone(),
				issued_at: now,
				deadline,
				kind,
			},
		);
		NodeChallenges::<T>::insert(node, challenge_id, ());
		Self::deposit_event(Event::ChallengeIssued {
			challenge_id,
			node: node.clone(),
			moderator,
			content,
			chunks,
			deadline,
			kind,
		});
	}

	/// The catalogs of `node`'s obligations this epoch (see `NodeRegistry::obligations`: an
	/// ending subscription is covered by the draw of the epoch it ends in).
	fn obligation_catalogs(node: &T::AccountId) -> Vec<ObligationCatalog<T::AccountId>> {
		T::Nodes::obligations(node)
			.into_iter()
			.map(|moderator| ObligationCatalog {
				proven: T::Moderators::proven_len(&moderator),
				items: T::Moderators::catalog_len(&moderator),
				moderator,
			})
			.collect()
	}

	/// The item of `part` of `catalogs` that `random` picks, each equally likely:
	/// `(moderator, item)`.
	fn pick(
		catalogs: &[ObligationCatalog<T::AccountId>],
		random: u64,
		part: Part,
	) -> Option<(T::AccountId, ListedItem<BlockNumberFor<T>>)> {
		let total = catalogs.iter().fold(0u64, |sum, c| sum.saturating_add(u64::from(c.len(part))));
		if total == 0 {
			return None;
		}
		let mut pick = random % total;
		for catalog in catalogs {
			let len = u64::from(catalog.len(part));
			if pick < len {
				let offset = u32::try_from(pick).ok()?;
				let index = match part {
					Part::Proven => offset,
					Part::Unproven => catalog.proven.saturating_add(offset),
				};
				let item = T::Moderators::listed_item_at(&catalog.moderator, index)?;
				return (item.proven == (part == Part::Proven))
					.then(|| (catalog.moderator.clone(), item));
			}
			pick = pick.saturating_sub(len);
		}
		None
	}

	/// A random `u64` for `draw`, from the epoch's seed.
	fn draw(seed: &T::Hash, draw: Draw) -> u64 {
		let hash = T::Hashing::hash_of(&(seed, draw));
		u64::decode(&mut TrailingZeroInput::new(hash.as_ref())).unwrap_or_default()
	}

	/// Give `node` a strike; a step down when the window holds `strikesPerStep` of them.
	///
	/// A node that deregistered (its bond still unbonding) has no standing to lower: each
	/// strike slashes `slashFraction` of its unbonding funds instead.
	pub(crate) fn strike(node: &T::AccountId, reason: StrikeReason) {
		let params = Params::<T>::get();
		let epoch = T::Epochs::current_epoch();
		let standing = T::Nodes::standing(node);
		if standing == Some(Standing::Banned) {
			return;
		}
		let mut record = Records::<T>::get(node).unwrap_or_default();
		if record.strikes > 0 && epoch >= record.window_start.saturating_add(params.strike_window) {
			record.strikes = 0;
		}
		if record.strikes == 0 {
			record.window_start = epoch;
		}
		record.strikes = record.strikes.saturating_add(1);
		record.total_strikes = record.total_strikes.saturating_add(1);
		record.last_strike = Some(epoch);
		let strikes = record.strikes;
		Self::deposit_event(Event::StrikeRecorded { node: node.clone(), reason, strikes });

		match standing {
			Some(from) if strikes >= params.strikes_per_step => {
				record.strikes = 0;
				record.window_start = epoch;
				Records::<T>::insert(node, record);
				Self::lower(node, from, params.slash_fraction);
			},
			Some(_) => Records::<T>::insert(node, record),
			None => {
				Records::<T>::insert(node, record);
				Self::slash_unbonding(node, params.slash_fraction);
			},
		}
	}

	/// Slash `fraction` of the unbonding funds of the deregistered `node`. The registry emits
	/// `Slashed` when it does; when it cannot (the node already withdrew its bond, so nothing
	/// is left to slash), the strike stays recorded and `SlashFailed` says why.
	fn slash_unbonding(node: &T::AccountId, fraction: sp_runtime::Perbill) {
		if let Err(error) = T::Penalties::slash(node, fraction) {
			Self::deposit_event(Event::SlashFailed { node: node.clone(), error });
		}
	}

	/// Move `node` one step down from `from`, slashing `fraction` of its bond.
	fn lower(node: &T::AccountId, from: Standing, fraction: sp_runtime::Perbill) {
		let to = match from {
			Standing::Active => Standing::Warned,
			Standing::Warned => Standing::Suspended,
			Standing::Suspended | Standing::Banned => Standing::Banned,
		};
		let slashed = T::Penalties::slash(node, fraction).defensive().unwrap_or_default();
		let changed = match to {
			Standing::Warned => T::Penalties::warn(node),
			Standing::Suspended => T::Penalties::suspend(node),
			_ => T::Penalties::ban(node),
		};
		if changed.defensive().is_ok() {
			Self::deposit_event(Event::StandingLowered { node: node.clone(), from, to, slashed });
		}
	}

	/// Restore a warned or suspended `node` whose last strike is `cleanEpochs` epochs old.
	/// A standing set by `AdminOrigin` without a strike recorded here is left alone.
	pub(crate) fn maybe_restore(node: &T::AccountId) {
		let Some(from) = T::Nodes::standing(node) else { return };
		if !matches!(from, Standing::Warned | Standing::Suspended) {
			return;
		}
		let Some(mut record) = Records::<T>::get(node) else { return };
		let Some(last) = record.last_strike else { return };
		let epoch = T::Epochs::current_epoch();
		if epoch < last.saturating_add(Params::<T>::get().clean_epochs) {
			return;
		}
		if T::Penalties::restore(node).defensive().is_ok() {
			record.strikes = 0;
			Records::<T>::insert(node, record);
			Self::deposit_event(Event::StandingRestored { node: node.clone(), from });
		}
	}

	/// The pending challenges of `node`, oldest first (runtime API
	/// `StorageLawApi::pending_challenges`). Iterates the node's challenges: for off-chain
	/// queries, never for a dispatchable.
	pub fn pending_challenges(node: &T::AccountId) -> Vec<(ChallengeId, ChallengeOf<T>)> {
		let mut pending: Vec<_> = NodeChallenges::<T>::iter_key_prefix(node)
			.filter_map(|id| Challenges::<T>::get(id).map(|c| (id, c)))
			.collect();
		pending.sort_by_key(|(id, _)| *id);
		pending
	}

	/// Every pending challenge's content, chunks and deadline, oldest first (runtime API
	/// `StorageLawApi::open_challenges`): what gateways refuse to serve until the deadline, so
	/// that a node that deleted content cannot fetch its challenged chunks in time.
	///
	/// Iterates all of `Challenges`: for off-chain queries, never for a dispatchable. Bounded
	/// by the pending challenges: at most `3 × MaxChallengesPerEpoch` issued per epoch (an
	/// obligation challenge, a probe and a lease challenge per sampled node), plus those past
	/// their deadline still waiting for expiry (`MaxExpiriesPerBlock` are expired per block).
	pub fn open_challenges() -> Vec<(ContentId, ChallengeChunks, BlockNumberFor<T>)> {
		let mut open: Vec<_> = Challenges::<T>::iter().collect();
		open.sort_by_key(|(id, _)| *id);
		open.into_iter().map(|(_, c)| (c.content, c.chunks, c.deadline)).collect()
	}

	/// `node`'s standing, strikes and pending challenges (runtime API
	/// `StorageLawApi::standing`); `None` for an account that is no node and has no record.
	pub fn standing_view(node: &T::AccountId) -> Option<StandingView> {
		let record = Records::<T>::get(node);
		let standing = T::Nodes::standing(node);
		if standing.is_none() && record.is_none() {
			return None;
		}
		let record = record.unwrap_or_default();
		let params = Params::<T>::get();
		let epoch = T::Epochs::current_epoch();
		let in_window = epoch < record.window_start.saturating_add(params.strike_window);
		Some(StandingView {
			// A deregistered node with a record shows as active: it has no standing to lose.
			standing: standing.unwrap_or_default(),
			strikes: if in_window { record.strikes } else { 0 },
			strikes_per_step: params.strikes_per_step,
			total_strikes: record.total_strikes,
			passed: record.passed,
			last_strike: record.last_strike,
			pending: NodeChallenges::<T>::iter_key_prefix(node).count() as u32,
		})
	}
}

/// Greatest common divisor.
fn gcd(mut a: u64, mut b: u64) -> u64 {
	while b != 0 {
		(a, b) = (b, a % b);
	}
	a
}
