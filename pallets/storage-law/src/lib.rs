#![cfg_attr(not(feature = "std"), no_std)]
#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod dispatchable_impls;
#[cfg(any(feature = "try-runtime", test))]
mod invariants;
mod law;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod runtime_api;
#[cfg(test)]
mod tests;
mod types;
pub mod weights;

pub use types::*;
pub use weights::WeightInfo;

extern crate alloc;

use polkadot_sdk::{frame_support, frame_system, sp_runtime};

/// What the benchmarks need from the runtime to build worst cases: moderators with catalogs,
/// nodes subscribed to them (through the real registries), and leases they keep.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Make `moderator` a live moderator whose catalog holds, listed in the current block, at
	/// least one proven item and one unproven item.
	fn moderator_with_catalog(moderator: &AccountId);
	/// Make `moderator` a live moderator and list `content` of `size` bytes (unproven) in its
	/// catalog.
	fn list_unproven(moderator: &AccountId, content: bitcloud_primitives::ContentId, size: u64);
	/// The largest item a catalog can list (the moderator registry's `MaxCatalogBytes`): its
	/// proofs are the deepest `respond` can be asked for.
	fn largest_item_size() -> u64;
	/// Register `node` as a content node subscribed to `moderators`.
	fn node_subscribed_to(node: &AccountId, moderators: &[AccountId]);
	/// Most moderators one node may subscribe to.
	fn max_subscriptions() -> u32;
	/// Make `node` (registered) keep a lease of `content` of `bytes` bytes, as `Config::Leases`
	/// sees it. A runtime whose `Leases` keep nothing may do nothing: the benchmarks then
	/// measure no lease challenge, which is only right as long as nobody keeps leases.
	fn node_keeps_lease(node: &AccountId, content: bitcloud_primitives::ContentId, bytes: u64);
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use bitcloud_primitives::{
		traits::CatalogProofs, ChallengeChunks, ChallengeProofs, EpochClock, LeaseObligations,
		ModeratorRegistry, NodePenalties, NodeRegistry,
	};
	use frame_support::{
		pallet_prelude::*,
		traits::{BuildGenesisConfig, EnsureOrigin, Randomness},
	};
	use frame_system::pallet_prelude::*;

	/// Version 1: challenges name several chunks (`Challenge::chunks`) and the parameters
	/// carry `chunks_per_challenge` (migration from 0: [`crate::migrations::v1`]).
	///
	/// Version 2: a challenge's moderator is optional (`Challenge::moderator`), for challenges
	/// of leases (`ChallengeKind::Lease`) (migration from 1: [`crate::migrations::v2`]).
	pub(crate) const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Configuration of the storage law.
	#[pallet::config]
	pub trait Config: polkadot_sdk::frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// Weight information for the calls and hooks of this pallet.
		type WeightInfo: WeightInfo;

		/// Balance of the bonds the penalties slash (for events).
		type Balance: Parameter + Member + MaxEncodedLen + Copy + Default;

		/// The node registry (`pallet-nodes`): which nodes exist, what they subscribe to, and
		/// whether their capacity covers it.
		type Nodes: NodeRegistry<Self::AccountId, BlockNumberFor<Self>>;

		/// The penalties (`pallet-nodes`): slash, warn, suspend, ban, restore.
		type Penalties: NodePenalties<Self::AccountId, Balance = Self::Balance>;

		/// The moderator registry (`pallet-moderation`): the catalogs nodes must hold, which of
		/// their items are proven, and where a passed probe is recorded.
		type Moderators: ModeratorRegistry<Self::AccountId>
			+ CatalogProofs<Self::AccountId, BlockNumberFor<Self>>;

		/// The storage leases (`pallet-leases`): which leases a node keeps, each challenged
		/// like an obligation, and where a missed lease challenge drops its keeper. `()` if
		/// the runtime has no leases.
		type Leases: LeaseObligations<Self::AccountId>;

		/// Which epoch the chain is in (`pallet-epochs`). Challenges are issued in the first
		/// block of each epoch.
		type Epochs: EpochClock<BlockNumberFor<Self>>;

		/// Where the randomness that picks challenges comes from. See the README for the
		/// runtime's source and how far a block author can bias it.
		type Randomness: Randomness<Self::Hash, BlockNumberFor<Self>>;

		/// Origin allowed to change the parameters, e.g. Root or a council.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The parameters when the genesis does not set them.
		#[pallet::constant]
		type DefaultParams: Get<LawParams>;

		/// Most nodes challenged in one epoch (bounds the work of the epoch's first block);
		/// each gets at most one obligation challenge, one probe and one lease challenge.
		/// `params.challengesPerEpoch` may not exceed it.
		#[pallet::constant]
		type MaxChallengesPerEpoch: Get<u32>;

		/// Blocks after its listing before an unproven item is probed: long enough for
		/// subscribers to fetch it. No challenge of any kind names an item younger than this,
		/// and an item becomes an obligation only when a probe of it passes.
		#[pallet::constant]
		type ContentGracePeriod: Get<BlockNumberFor<Self>>;

		/// Most challenges looked at for expiry in one block.
		#[pallet::constant]
		type MaxExpiriesPerBlock: Get<u32>;

		/// Builds worst cases for the benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The parameters of the law.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, LawParams, ValueQuery, T::DefaultParams>;

	/// Pending challenges, by id.
	#[pallet::storage]
	pub type Challenges<T: Config> = StorageMap<
		_,
		Twox64Concat,
		ChallengeId,
		Challenge<T::AccountId, BlockNumberFor<T>>,
		OptionQuery,
	>;

	/// Pending challenges by node: `(node, id)` is present while challenge `id` of `node` is.
	#[pallet::storage]
	pub type NodeChallenges<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		ChallengeId,
		(),
		OptionQuery,
	>;

	/// Id of the next challenge.
	#[pallet::storage]
	pub type NextChallengeId<T: Config> = StorageValue<_, ChallengeId, ValueQuery>;

	/// Lowest id that may still be pending: the head of the expiry queue. Ids are issued in
	/// order of deadline, so expiry walks up from here.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, ChallengeId, ValueQuery>;

	/// The last epoch for which challenges were issued.
	#[pallet::storage]
	pub type LastChallengedEpoch<T: Config> = StorageValue<_, u32, OptionQuery>;

	/// Strikes and passes of nodes that have been challenged.
	#[pallet::storage]
	pub type Records<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, NodeRecord, OptionQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A node was challenged to prove it holds chunks of a content (an obligation, or the
		/// object of a lease it keeps), or probed on chunks of an unproven content ending with
		/// its last chunk.
		ChallengeIssued {
			/// The challenge.
			challenge_id: ChallengeId,
			/// The challenged node.
			node: T::AccountId,
			/// The moderator whose catalog lists the content; `None` for a lease challenge.
			moderator: Option<T::AccountId>,
			/// The content id.
			content: bitcloud_primitives::ContentId,
			/// The chunks to prove, ascending, one proof each.
			chunks: ChallengeChunks,
			/// Last block in which the answer is accepted.
			deadline: BlockNumberFor<T>,
			/// An obligation (a miss is a strike), a probe (a miss is free) or a lease's object
			/// (a miss is a strike and drops the node from the lease).
			kind: ChallengeKind,
		},
		/// A node proved it holds the challenged chunks.
		ChallengePassed {
			/// The challenge.
			challenge_id: ChallengeId,
			/// The node.
			node: T::AccountId,
		},
		/// A challenge's deadline passed without a valid proof (a strike follows; for a lease
		/// challenge the node is also dropped from the lease).
		ChallengeMissed {
			/// The challenge.
			challenge_id: ChallengeId,
			/// The node.
			node: T::AccountId,
		},
		/// A probe's deadline passed without a valid proof: no strike (nobody may be able to
		/// prove the content), and the content stays unproven.
		ProbeMissed {
			/// The challenge.
			challenge_id: ChallengeId,
			/// The node.
			node: T::AccountId,
		},
		/// A node passed a probe: the content's listed size is right and some node holds it,
		/// so it is an obligation of the moderator's subscribers from now on.
		ContentProven {
			/// The moderator whose catalog lists it.
			moderator: T::AccountId,
			/// The content id.
			content: bitcloud_primitives::ContentId,
			/// The node that proved it.
			node: T::AccountId,
		},
		/// A pending challenge was dropped because its node was banned meanwhile (no strike; a
		/// lease challenge still drops the node from the lease).
		ChallengeDiscarded {
			/// The challenge.
			challenge_id: ChallengeId,
			/// The banned node.
			node: T::AccountId,
		},
		/// A node got a strike.
		StrikeRecorded {
			/// The node.
			node: T::AccountId,
			/// Why.
			reason: StrikeReason,
			/// Its strikes in the current window, this one included.
			strikes: u32,
		},
		/// A node's strikes moved it one step down: part of its bond was slashed and its
		/// standing changed (to `Banned`: whole bond slashed, registration ended).
		StandingLowered {
			/// The node.
			node: T::AccountId,
			/// Standing before.
			from: bitcloud_primitives::Standing,
			/// Standing now.
			to: bitcloud_primitives::Standing,
			/// Amount slashed for this step (`params.slashFraction` of the bond; a ban
			/// slashes the rest on top).
			slashed: T::Balance,
		},
		/// A warned or suspended node went `params.cleanEpochs` epochs without a strike and
		/// is active again.
		StandingRestored {
			/// The node.
			node: T::AccountId,
			/// Standing before.
			from: bitcloud_primitives::Standing,
		},
		/// The parameters changed.
		ParamsSet {
			/// The new parameters.
			params: LawParams,
		},
		/// A strike of a deregistered node could not slash its unbonding funds (typically
		/// because it already withdrew them); the strike was recorded all the same.
		SlashFailed {
			/// The node.
			node: T::AccountId,
			/// Why the node registry refused the slash.
			error: DispatchError,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No pending challenge has this id (never issued, answered, or expired).
		UnknownChallenge,
		/// The challenge is not the caller's.
		NotChallengedNode,
		/// The challenge's deadline has passed; it will count as missed.
		ChallengeExpired,
		/// The answer carries as many proofs as the challenge names chunks, but one of them does
		/// not prove its chunk of the challenged content: proof `i` must prove chunk
		/// `chunks[i]` (same order as the challenge), and one has wrong chunk bytes or length, a
		/// wrong sibling path, or proves another chunk or another content (proofs in another
		/// order than the chunks included).
		ProofInvalid,
		/// The answer carries another number of proofs than the challenge names chunks (a
		/// proof missing or one too many): it must carry exactly one per chunk.
		ProofCountMismatch,
		/// The parameters are out of bounds: `challengesPerEpoch` above
		/// `MaxChallengesPerEpoch`; `chunksPerChallenge` zero or above `MAX_CHALLENGE_CHUNKS`
		/// (16); or a zero `responseBlocks`, `strikesPerStep` or `strikeWindow`.
		InvalidParams,
	}

	/// The parameters of the law at genesis (the runtime's `DefaultParams` if `None`).
	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters.
		pub params: Option<LawParams>,
		#[serde(skip)]
		#[allow(missing_docs)]
		pub _config: core::marker::PhantomData<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = self.params {
				assert!(Pallet::<T>::params_valid(&params), "genesis storage-law params invalid");
				Params::<T>::put(params);
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Expire missed challenges (at most `MaxExpiriesPerBlock`), then, in the first block
		/// of an epoch, issue the epoch's challenges (to at most `MaxChallengesPerEpoch` nodes,
		/// at most three each: an obligation, a probe and a lease challenge).
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::on_block(now)
		}

		fn integrity_test() {
			assert!(T::MaxExpiriesPerBlock::get() > 0, "MaxExpiriesPerBlock must expire");
			assert!(
				T::ContentGracePeriod::get() > 0u32.into(),
				"ContentGracePeriod must give subscribers time to fetch new content"
			);
			assert!(
				Pallet::<T>::params_valid(&T::DefaultParams::get()),
				"DefaultParams must be within bounds"
			);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call(weight(<T as Config>::WeightInfo))]
	impl<T: Config> Pallet<T> {
		/// Answer a storage challenge with one proof per chunk it names, in the challenge's
		/// order: each the chunk and its sibling path in the content's BLAKE3 tree (build them
		/// with `bitcloud_primitives::storage_proof::Prover` or `build_proof_from_reader`).
		///
		/// - `origin`: the challenged node (its account, e.g. from its off-chain service).
		/// - `challenge_id`: a pending challenge of the caller, before its deadline.
		/// - `proofs`: proof `i` proves chunk `chunks[i]` of the challenge; exactly as many
		///   proofs as chunks.
		///
		/// Free when every proof is valid. Emits `ChallengePassed` (for any kind: obligation,
		/// probe or lease); `ContentProven` if it is the first passed probe of the content; and `StandingRestored` if the node has been
		/// clean long enough. An answer with a proof missing or one too many fails with
		/// `ProofCountMismatch`, one with any invalid proof with `ProofInvalid`; either changes
		/// nothing: the challenge stays pending and counts as missed if no valid answer comes
		/// by the deadline.
		///
		/// Weight: `respond(n)` for `n` proofs (at most `MAX_CHALLENGE_CHUNKS`), each of the
		/// greatest depth a listed item can have.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::respond(proofs.len() as u32))]
		pub fn respond(
			origin: OriginFor<T>,
			challenge_id: ChallengeId,
			proofs: ChallengeProofs,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_respond(&who, challenge_id, &proofs)
		}

		/// Set the parameters of the law.
		///
		/// - `origin`: `AdminOrigin`.
		///
		/// Emits `ParamsSet`.
		#[pallet::call_index(1)]
		pub fn set_params(origin: OriginFor<T>, params: LawParams) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_params(params)
		}
	}
}
