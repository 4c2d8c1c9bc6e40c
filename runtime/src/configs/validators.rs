//! Who validates: pallet-session rotates the Aura and GRANDPA authorities once per epoch, and
//! pallet-validator-set (root adds and removes accounts) decides the set it rotates to.

use crate::{
	opaque::SessionKeys, AccountId, Balance, Balances, BlockNumber, Epochs, Runtime, RuntimeEvent,
	Session, ValidatorSet, UNIT,
};
use bitcloud_primitives::EpochClock;
use polkadot_sdk::{
	frame_support::{parameter_types, traits::EstimateNextSessionRotation, weights::Weight},
	frame_system::EnsureRoot,
	pallet_session::{self, ShouldEndSession},
	sp_runtime::{
		traits::{ConvertInto, OpaqueKeys},
		Permill,
	},
};

parameter_types! {
	/// Most validators (and so Aura and GRANDPA authorities) the chain can have.
	pub const MaxAuthorities: u32 = 32;
	/// Held from an account while it has session keys registered, so that keys cost
	/// something to leave in storage.
	pub const SessionKeyDeposit: Balance = 10 * UNIT;
}

/// Sessions are epochs: a session ends where an epoch begins, so validator changes take
/// effect at epoch boundaries and one session lasts as long as one epoch
/// (`epochs.setEpochLength` changes both).
pub struct EpochSessions;

impl ShouldEndSession<BlockNumber> for EpochSessions {
	fn should_end_session(now: BlockNumber) -> bool {
		// Called from `on_initialize`, when the block number is already `now`. Whether the
		// epochs pallet has moved its anchor for this block or not, the epoch begins at `now`.
		Epochs::epoch_start(Epochs::current_epoch()) == Some(now)
	}
}

impl EstimateNextSessionRotation<BlockNumber> for EpochSessions {
	fn average_session_length() -> BlockNumber {
		Epochs::epoch_length()
	}

	fn estimate_current_session_progress(now: BlockNumber) -> (Option<Permill>, Weight) {
		let progress = Epochs::epoch_start(Epochs::current_epoch()).map(|start| {
			let length = Epochs::epoch_length().max(1);
			Permill::from_rational(now.saturating_sub(start).saturating_add(1), length)
		});
		(progress, read_weight())
	}

	fn estimate_next_session_rotation(_now: BlockNumber) -> (Option<BlockNumber>, Weight) {
		(Epochs::epoch_start(Epochs::current_epoch().saturating_add(1)), read_weight())
	}
}

/// The epochs pallet's anchor and length.
fn read_weight() -> Weight {
	<Runtime as polkadot_sdk::frame_system::Config>::DbWeight::get().reads(2)
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	// Validators are accounts: the validator set names accounts, and each account holds its
	// own session keys.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = EpochSessions;
	type NextSessionRotation = EpochSessions;
	type SessionManager = ValidatorSet;
	type SessionHandler = <SessionKeys as OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	// No slashing or disabling: a validator that misbehaves is removed by root.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_validator_set::Config for Runtime {
	type WeightInfo = pallet_validator_set::weights::SubstrateWeight<Runtime>;
	type AddRemoveOrigin = EnsureRoot<AccountId>;
	type ValidatorRegistration = Session;
	// One validator keeps a chain producing blocks; below four, losing one stops finality.
	type MinValidators = polkadot_sdk::frame_support::traits::ConstU32<1>;
	type MaxValidators = MaxAuthorities;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = BenchmarkSessionKeys;
}

/// Gives benchmark accounts session keys by writing them where pallet-session keeps them
/// (`setKeys` would need keys in a keystore to prove ownership).
#[cfg(feature = "runtime-benchmarks")]
pub struct BenchmarkSessionKeys;

#[cfg(feature = "runtime-benchmarks")]
impl pallet_validator_set::BenchmarkHelper<AccountId> for BenchmarkSessionKeys {
	fn set_session_keys(who: &AccountId) {
		use polkadot_sdk::sp_core::{ed25519, sr25519};
		let raw: [u8; 32] = who.clone().into();
		let keys = SessionKeys {
			aura: sr25519::Public::from_raw(raw).into(),
			grandpa: ed25519::Public::from_raw(raw).into(),
		};
		pallet_session::NextKeys::<Runtime>::insert(who, keys);
	}
}
