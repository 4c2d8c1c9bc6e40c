#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod account_text;
pub mod bandwidth;
pub mod content;
pub mod epoch;
pub mod lease;
mod no_bandwidth;
pub mod receipt;
pub mod storage_proof;
pub mod traits;

#[cfg(feature = "std")]
pub use account_text::{parse_account, parse_hex32, AccountTextError};
pub use bandwidth::BandwidthLedger;
pub use content::{content_id, deny_key, ContentId, DenyKey};
pub use epoch::{EpochClock, EpochIndex};
pub use lease::{KeptLease, LeaseId, LeaseObligations};
pub use receipt::{Receipt, SignedReceipt};
pub use storage_proof::{verify_proof, ChallengeChunks, ChallengeProofs, StorageProof};
pub use traits::{
	CapacityStatus, ModeratorRegistry, NodePenalties, NodeRegistry, Standing, SubscriberCount,
};

use polkadot_sdk::{
	sp_core,
	sp_runtime::{
		self,
		traits::{IdentifyAccount, Verify},
	},
};

/// Block number of the Bitcloud chain.
pub type BlockNumber = u32;

/// Signature scheme of accounts: sr25519 by default, ed25519 and ecdsa accepted.
pub type Signature = sp_runtime::MultiSignature;

/// An account id: the public key behind [`Signature`].
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// Balance of an account, in plancks (10^-12 CLD).
pub type Balance = u128;

/// Index of a transaction in an account's history.
pub type Nonce = u32;

/// Hash of a block or of state.
pub type Hash = sp_core::H256;

/// Token symbol shown by wallets.
pub const TOKEN_SYMBOL: &str = "CLD";

/// Decimals of the token: one CLD is 10^12 of the smallest unit.
pub const TOKEN_DECIMALS: u8 = 12;

/// One CLD in the smallest unit.
pub const UNIT: Balance = 1_000_000_000_000;

/// One thousandth of a CLD.
pub const MILLI_UNIT: Balance = UNIT / 1_000;

/// One millionth of a CLD.
pub const MICRO_UNIT: Balance = UNIT / 1_000_000;

/// SS58 address prefix of Bitcloud accounts (see `docs/chain.md`). Not taken in the
/// public SS58 registry at the time of writing; addresses start with "5" under 42, and
/// with this prefix they are recognisably Bitcloud's.
pub const SS58_PREFIX: u16 = 4253;
