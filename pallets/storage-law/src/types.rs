//! Types stored and returned by the storage law.

use bitcloud_primitives::{ChallengeChunks, ContentId, EpochIndex, LeaseId, Standing};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::sp_runtime::Perbill;
use scale_info::TypeInfo;

/// Identifier of a challenge, in order of issue.
pub type ChallengeId = u64;

/// What a challenge is for. (Variants are only ever appended: their index is their encoding.)
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum ChallengeKind {
	/// On a proven item of the node's obligations: a miss is a strike.
	Obligation,
	/// On an unproven item listed more than `ContentGracePeriod` blocks ago, its last chunk
	/// among those named: a miss costs nothing (nobody may be able to prove it); a pass
	/// proves the item (its size is right and some node holds it), making it an obligation.
	Probe,
	/// On the object of a storage lease the node keeps (`pallet-leases`): a miss is a strike,
	/// and the node stops keeping the lease, forfeiting the pay it had not claimed
	/// (`LeaseObligations::missed`). The keeper checked the object's size when it chose to
	/// keep it, so there is no grace period and no probe.
	Lease(LeaseId),
}

/// A storage challenge (`storageLaw.challenges(u64)`): `node` must prove that it holds the
/// chunks `chunks` of `content` by block `deadline`, with one proof per chunk.
#[derive(
	Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo, Clone, PartialEq, Eq, Debug,
)]
pub struct Challenge<AccountId, BlockNumber> {
	/// The challenged node.
	pub node: AccountId,
	/// For an obligation or a probe, the moderator whose catalog lists the content (always
	/// `Some`). For a lease challenge `None`: the law does not look up the lease's moderator
	/// (a lease may have none); `pallet-leases` has it, under the id in `kind`.
	pub moderator: Option<AccountId>,
	/// The content id (BLAKE3 root) of the content.
	pub content: ContentId,
	/// Size of the content in bytes, as the catalog (or the lease) gave it when the challenge
	/// was issued.
	pub size: u64,
	/// Indexes of the chunks (of 1 KiB) to prove, each below `ceil(size / 1024)`: ascending,
	/// distinct, one in each of as many equal stretches of the content
	/// (`bitcloud_primitives::storage_proof::spread_chunks`), `params.chunksPerChallenge` of
	/// them (all the chunks of a smaller item). For a probe the last is the item's last chunk.
	pub chunks: ChallengeChunks,
	/// Block in which the challenge was issued.
	pub issued_at: BlockNumber,
	/// Last block in which `respond` is accepted; afterwards the challenge is missed.
	pub deadline: BlockNumber,
	/// An obligation (a miss is a strike), a probe of unproven content (a miss is free) or a
	/// lease's object (a miss is a strike and drops the node from the lease).
	pub kind: ChallengeKind,
}

/// A challenge as the runtime stores it.
pub type ChallengeOf<T> = Challenge<
	<T as polkadot_sdk::frame_system::Config>::AccountId,
	polkadot_sdk::frame_system::pallet_prelude::BlockNumberFor<T>,
>;

/// Why a node got a strike.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
)]
pub enum StrikeReason {
	/// No valid proof for the challenge (an obligation or a lease's object) arrived by its
	/// deadline.
	MissedChallenge(ChallengeId),
	/// The node's capacity has not covered its subscribed catalogs since before its grace
	/// period ended.
	CapacityShortfall,
}

/// A node's record under the storage law (`storageLaw.records(AccountId)`).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
)]
pub struct NodeRecord {
	/// Strikes in the current window, since the last step of its standing.
	pub strikes: u32,
	/// Epoch of the first of those strikes.
	pub window_start: EpochIndex,
	/// Epoch of the last strike, if any.
	pub last_strike: Option<EpochIndex>,
	/// Strikes over the node's whole life.
	pub total_strikes: u32,
	/// Challenges answered with a valid proof over the node's whole life.
	pub passed: u32,
}

/// The parameters of the storage law (`storageLaw.params()`), set at genesis and by
/// `AdminOrigin` with `setParams`.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	serde::Serialize,
	serde::Deserialize,
)]
#[serde(rename_all = "camelCase")]
pub struct LawParams {
	/// Share of the registered nodes challenged each epoch (rounded up).
	pub challenge_rate: Perbill,
	/// Most challenges issued per epoch; at most the pallet's `MaxChallengesPerEpoch`.
	pub challenges_per_epoch: u32,
	/// Chunks each challenge names (all the chunks of an item that has fewer), spread over
	/// the item: one in each of as many equal stretches. From 1 to
	/// `bitcloud_primitives::storage_proof::MAX_CHALLENGE_CHUNKS` (16). Several chunks spread
	/// over the item, with a short `response_blocks`, leave a node that deleted the content
	/// no time to fetch what it is asked for from a peer, and a node that kept part of it
	/// no answer.
	pub chunks_per_challenge: u32,
	/// Blocks a node has to answer a challenge, counted from the block that issued it: enough
	/// to read the chunks from its own disk and get a transaction in, too few to find a peer
	/// that hands them over.
	pub response_blocks: u32,
	/// Strikes within `strike_window` epochs that move a node one step down:
	/// `Active → Warned → Suspended → Banned`.
	pub strikes_per_step: u32,
	/// Length of the strike window, in epochs.
	pub strike_window: u32,
	/// Epochs without a strike after which a warned or suspended node is restored.
	pub clean_epochs: u32,
	/// Share of the bond slashed at each step down (the ban then slashes the rest).
	pub slash_fraction: Perbill,
}

/// Everything about a node's standing under the storage law, as the `StorageLawApi`
/// runtime API returns it.
#[derive(Encode, Decode, TypeInfo, Clone, PartialEq, Eq, Debug)]
pub struct StandingView {
	/// The node's standing in the node registry.
	pub standing: Standing,
	/// Strikes counting towards the next step (zero once the window has passed).
	pub strikes: u32,
	/// Strikes that make a step (`params.strikesPerStep`).
	pub strikes_per_step: u32,
	/// Strikes over the node's whole life.
	pub total_strikes: u32,
	/// Challenges passed over the node's whole life.
	pub passed: u32,
	/// Epoch of the last strike.
	pub last_strike: Option<EpochIndex>,
	/// Challenges waiting for the node's answer.
	pub pending: u32,
}
