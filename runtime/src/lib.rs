//! The Bitcloud runtime: FRAME on polkadot-sdk stable2609 with Aura block production,
//! GRANDPA finality, a validator set that root changes through pallet-session, balances,
//! transaction payment and (for dev chains) sudo.
//!
//! The Bitcloud pallets (moderation, nodes, bandwidth, rewards, storage law) plug in here;
//! see `docs/` at the root of the repository.

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` needs a higher recursion limit.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub use apis::RuntimeApi;
pub mod configs;
pub mod genesis_presets;
#[cfg(feature = "std")]
pub mod signing;

use alloc::{borrow::Cow, vec::Vec};
use polkadot_sdk::{
	frame_executive, frame_metadata_hash_extension, frame_support, frame_system,
	pallet_transaction_payment,
	sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256},
	sp_version::{self, RuntimeVersion},
};

pub use bitcloud_primitives::{
	AccountId, Balance, BlockNumber, Hash, Nonce, Signature, MICRO_UNIT, MILLI_UNIT, UNIT,
};

/// Opaque types: what the node needs to know of blocks without knowing the runtime's
/// extrinsic format.
pub mod opaque {
	use super::*;
	pub use polkadot_sdk::sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Block header.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Block with opaque extrinsics.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;

	impl_opaque_keys! {
		/// The keys a validator holds: Aura for authoring, GRANDPA for finality.
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

/// The runtime's version. Bump `spec_version` with every change of runtime logic and
/// `transaction_version` with every change of call indices or extrinsic format.
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("bitcloud"),
	impl_name: Cow::Borrowed("bitcloud-node"),
	authoring_version: 1,
	spec_version: 104,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 3,
	system_version: 1,
};

/// Target block time. Aura slots have the same length.
pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
/// Length of an Aura slot.
pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;
/// Blocks in a minute.
pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
/// Blocks in an hour.
pub const HOURS: BlockNumber = MINUTES * 60;
/// Blocks in a day.
pub const DAYS: BlockNumber = HOURS * 24;

/// Length of an epoch on a public network: ten minutes.
pub const EPOCH_BLOCKS: BlockNumber = 10 * MINUTES;

/// Length of an epoch on the development chain: one minute, so tests see several.
pub const DEV_EPOCH_BLOCKS: BlockNumber = MINUTES;

/// The least balance an account must hold to exist.
pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

/// How accounts are addressed in calls.
pub type Address = polkadot_sdk::sp_runtime::MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;

/// The checks every signed transaction goes through, in order.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Extrinsic as the runtime decodes it.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;

/// The payload a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations to run on the next runtime upgrade.
type Migrations = (
	// Storage law v0 → v1: challenges name several chunks; pending one-chunk challenges are
	// dropped.
	pallet_storage_law::migrations::v1::MigrateV0ToV1<
		Runtime,
		configs::storage_law::MigratedChunksPerChallenge,
	>,
	// Storage law v1 → v2: a challenge's moderator is optional (lease challenges have none);
	// pending challenges keep theirs.
	pallet_storage_law::migrations::v2::MigrateV1ToV2<Runtime>,
);

/// Dispatches extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	#[runtime::pallet_index(0)]
	pub type System = frame_system;

	#[runtime::pallet_index(1)]
	pub type Timestamp = polkadot_sdk::pallet_timestamp;

	// The validator set before Session, Session before Aura and GRANDPA: the set's genesis
	// gives pallet-session its first validators, whose keys become the authorities.
	#[runtime::pallet_index(7)]
	pub type ValidatorSet = pallet_validator_set;

	#[runtime::pallet_index(8)]
	pub type Session = polkadot_sdk::pallet_session;

	#[runtime::pallet_index(2)]
	pub type Aura = polkadot_sdk::pallet_aura;

	#[runtime::pallet_index(3)]
	pub type Grandpa = polkadot_sdk::pallet_grandpa;

	#[runtime::pallet_index(4)]
	pub type Balances = polkadot_sdk::pallet_balances;

	#[runtime::pallet_index(5)]
	pub type TransactionPayment = polkadot_sdk::pallet_transaction_payment;

	#[runtime::pallet_index(6)]
	pub type Sudo = polkadot_sdk::pallet_sudo;

	// Bitcloud. Epochs first: the other pallets count per epoch.
	#[runtime::pallet_index(9)]
	pub type Epochs = pallet_epochs;

	// Moderation comes before Nodes: genesis nodes subscribe to genesis moderators.
	#[runtime::pallet_index(10)]
	pub type Moderation = pallet_moderation;

	#[runtime::pallet_index(11)]
	pub type Nodes = pallet_nodes;

	#[runtime::pallet_index(12)]
	pub type Bandwidth = pallet_bandwidth;
	#[runtime::pallet_index(14)]
	pub type StorageLaw = pallet_storage_law;
	#[runtime::pallet_index(13)]
	pub type Rewards = pallet_rewards;

	#[runtime::pallet_index(15)]
	pub type Leases = pallet_leases;
}
