//! Configuration of the storage law, and where its randomness comes from.

use crate::{AccountId, Balance, BlockNumber, Hash, Moderation, Nodes, Runtime, System};
use alloc::vec::Vec;
use pallet_storage_law::LawParams;
use polkadot_sdk::{
	frame_support::{
		parameter_types,
		traits::{ConstU32, Randomness},
	},
	frame_system::EnsureRoot,
	sp_crypto_hashing::blake2_256,
	sp_runtime::Perbill,
};

/// How many recent block hashes the randomness mixes in.
pub const RANDOMNESS_BLOCKS: BlockNumber = 8;

/// The storage law's randomness: `blake2_256(subject ++ hashes of the last 8 blocks)`.
///
/// Cheap, always available, and as unpredictable as the last block hash is. **How far a
/// block author can bias it:** the most recent hash is the parent of the block that issues
/// the challenges, so its author moves last. With Aura it can (a) withhold its block, so
/// that the next slot's author builds another block at that height: a choice between two
/// outcomes per slot it owns; and (b) before sealing, try variants of its block (which
/// transactions it includes, their order, the timestamp within the allowed drift) and
/// publish the one whose hash gives the selection it prefers: as many outcomes as it can
/// compute in a slot. It cannot choose an arbitrary selection, only the best of the ones it
/// tried, and only at epoch starts that follow a slot it owns. The older hashes add nothing
/// against that author; they only keep the value from depending on one block. A VRF-based
/// source (BABE's `RandomnessFromOneEpochAgo`) leaves only (a); the storage law takes any
/// `Randomness` implementation, so switching is a configuration change. See
/// `docs/storage-law.md`.
pub struct RecentBlockHashes;

impl Randomness<Hash, BlockNumber> for RecentBlockHashes {
	fn random(subject: &[u8]) -> (Hash, BlockNumber) {
		let now = System::block_number();
		let mut preimage: Vec<u8> = subject.to_vec();
		for back in 1..=RANDOMNESS_BLOCKS {
			if let Some(number) = now.checked_sub(back) {
				preimage.extend_from_slice(System::block_hash(number).as_ref());
			}
		}
		(blake2_256(&preimage).into(), now.saturating_sub(1))
	}
}

/// Epochs per day at ten-minute epochs.
const EPOCHS_PER_DAY: u32 = 144;

/// The parameters of public chains (the `local_testnet` preset and any chain whose genesis
/// does not set them): a quarter of the nodes each epoch, eight chunks per challenge spread
/// over the item, four blocks (24 s) to answer, three strikes within a day per step, a clean
/// week to be restored, 5% of the bond per step.
///
/// The short deadline is what defeats fetching on demand: 24 s is time for an honest node to
/// read eight chunks from its own disk, build the proofs and get a transaction into one of the
/// next four blocks, and far too little for a node that deleted the content to find a peer
/// that will hand over the challenged chunks (honest gateways refuse them while the challenge
/// is open: `StorageLawApi::open_challenges`); eight chunks spread over the item leave a node
/// that kept only part of it without an answer. See `docs/storage-law.md`.
pub const DEFAULT_PARAMS: LawParams = LawParams {
	challenge_rate: Perbill::from_percent(25),
	challenges_per_epoch: 256,
	chunks_per_challenge: 8,
	response_blocks: 4,
	strikes_per_step: 3,
	strike_window: EPOCHS_PER_DAY,
	clean_epochs: 7 * EPOCHS_PER_DAY,
	slash_fraction: Perbill::from_percent(5),
};

/// Parameters fast enough to watch (and to test end to end): every node every epoch, 8 chunks
/// per challenge, 5 blocks to answer (a little slack for the end-to-end tests' nodes), one
/// strike per step (a node that stops answering is banned after three epochs), three clean
/// epochs to be restored, 10% per step. Root sets them with `storageLaw.setParams`.
pub const FAST_PARAMS: LawParams = LawParams {
	challenge_rate: Perbill::from_percent(100),
	challenges_per_epoch: 256,
	chunks_per_challenge: 8,
	response_blocks: 5,
	strikes_per_step: 1,
	strike_window: 3,
	clean_epochs: 3,
	slash_fraction: Perbill::from_percent(10),
};

parameter_types! {
	/// The parameters when the genesis does not set them.
	pub const DefaultLawParams: LawParams = DEFAULT_PARAMS;
	/// Chunks per challenge that the storage migration to version 1 gives stored params
	/// (`pallet_storage_law::migrations::v1`).
	pub const MigratedChunksPerChallenge: u32 = DEFAULT_PARAMS.chunks_per_challenge;
}

impl pallet_storage_law::Config for Runtime {
	type WeightInfo = pallet_storage_law::weights::SubstrateWeight<Runtime>;
	type Balance = Balance;
	type Nodes = Nodes;
	type Penalties = Nodes;
	type Moderators = Moderation;
	// Keepers of storage leases are challenged on the objects they keep, like on catalogs.
	type Leases = crate::Leases;
	type Epochs = crate::Epochs;
	type Randomness = RecentBlockHashes;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DefaultParams = DefaultLawParams;
	type MaxChallengesPerEpoch = ConstU32<256>;
	type MaxExpiriesPerBlock = ConstU32<32>;
	// New content is probed a day after its listing, the time a subscriber has to make room
	// when a catalog grows: a day at 12.7 MB/s (about 100 Mbit/s) fetches a whole catalog of
	// `MaxCatalogBytes` (1 TiB).
	type ContentGracePeriod = super::bitcloud::CapacityGracePeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = StorageLawBenchmarkHelper;
}

/// Builds the storage law's benchmark worst cases with the real registries.
#[cfg(feature = "runtime-benchmarks")]
pub struct StorageLawBenchmarkHelper;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_storage_law::BenchmarkHelper<AccountId> for StorageLawBenchmarkHelper {
	fn moderator_with_catalog(moderator: &AccountId) {
		use bitcloud_primitives::traits::CatalogProofs;
		let proven = blake2_256(moderator.as_ref());
		let unproven = blake2_256(&proven);
		Self::list_unproven(moderator, proven, 1 << 20);
		Self::list_unproven(moderator, unproven, 1 << 20);
		// As if a node had passed a probe of it in the next block.
		let _ = <Moderation as CatalogProofs<AccountId, BlockNumber>>::record_proof(
			moderator,
			&proven,
			1 << 20,
			System::block_number().saturating_add(1),
		);
	}

	fn list_unproven(moderator: &AccountId, content: bitcloud_primitives::ContentId, size: u64) {
		use crate::{Balances, RuntimeOrigin, UNIT};
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		if !pallet_moderation::Moderators::<Runtime>::contains_key(moderator) {
			let _ = Balances::set_balance(moderator, 1_000_000 * UNIT);
			let _ = Moderation::register_moderator(
				RuntimeOrigin::signed(moderator.clone()),
				b"benchmark".to_vec(),
				Vec::new(),
				[0; 32],
				Perbill::zero(),
			);
		}
		let _ = Moderation::list_content(
			RuntimeOrigin::signed(moderator.clone()),
			content,
			size,
			b"benchmark".to_vec(),
			b"application/octet-stream".to_vec(),
			None,
		);
	}

	fn largest_item_size() -> u64 {
		super::bitcloud::MaxCatalogBytes::get()
	}

	fn node_subscribed_to(node: &AccountId, moderators: &[AccountId]) {
		use crate::{Balances, RuntimeOrigin, UNIT};
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let _ = Balances::set_balance(node, 1_000_000 * UNIT);
		let _ = Nodes::register_node(
			RuntimeOrigin::signed(node.clone()),
			super::bitcloud::MinNodeBond::get(),
			u64::MAX,
			b"http://benchmark".to_vec(),
			[1; 32],
			false,
		);
		for moderator in moderators {
			let _ = Nodes::subscribe(RuntimeOrigin::signed(node.clone()), moderator.clone());
		}
	}

	fn max_subscriptions() -> u32 {
		use polkadot_sdk::frame_support::traits::Get;
		<Runtime as pallet_nodes::Config>::MaxSubscriptions::get()
	}

	// `node` keeps a lease of `content` under a moderator of its own: an offer, a lease paid
	// for one epoch, `keep`.
	fn node_keeps_lease(node: &AccountId, content: bitcloud_primitives::ContentId, bytes: u64) {
		use crate::{Balances, Leases, RuntimeOrigin, UNIT};
		use bitcloud_primitives::ModeratorRegistry;
		use polkadot_sdk::frame_support::traits::fungible::Mutate;
		let moderator = AccountId::new(blake2_256(&content));
		let owner = AccountId::new(blake2_256(&blake2_256(&content)));
		Moderation::ensure_live_moderator(&moderator, 1);
		let _ = Leases::offer_storage(RuntimeOrigin::signed(moderator.clone()), 1);
		let _ = Nodes::subscribe(RuntimeOrigin::signed(node.clone()), moderator.clone());
		let _ = Balances::set_balance(&owner, u128::from(bytes).saturating_add(1_000 * UNIT));
		let lease = pallet_leases::NextLeaseId::<crate::Runtime>::get();
		let _ = Leases::create_lease(
			RuntimeOrigin::signed(owner),
			content,
			bytes,
			1,
			Some(moderator),
			1,
		);
		let _ = Leases::keep(RuntimeOrigin::signed(node.clone()), lease);
	}
}

/// The parameters of the `development` preset: [`FAST_PARAMS`] with no challenges. The preset
/// registers Dave and Eve as content nodes but `scripts/run-dev` runs only Dave's, which
/// answers its challenges by itself; Eve would be banned three minutes into every dev chain.
/// Turn the law on with `sudo(storageLaw.setParams(FAST_PARAMS))`, as the end-to-end tests do.
pub const DEV_PARAMS: LawParams = LawParams { challenge_rate: Perbill::zero(), ..FAST_PARAMS };
