//! Genesis presets: the initial state of the `development` and `local_testnet` chains.

use crate::{
	configs::storage_law::DEV_PARAMS, AccountId, Balance, BalancesConfig, BlockNumber,
	EpochsConfig, ModerationConfig, NodesConfig, RewardsConfig, RuntimeGenesisConfig,
	StorageLawConfig, SudoConfig, DEV_EPOCH_BLOCKS, EPOCH_BLOCKS, UNIT,
};
use alloc::{vec, vec::Vec};
use bitcloud_primitives::content_id;
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
	sp_consensus_aura::sr25519::AuthorityId as AuraId,
	sp_consensus_grandpa::AuthorityId as GrandpaId,
	sp_crypto_hashing::blake2_256,
	sp_genesis_builder::{self, PresetId},
	sp_keyring::{Ed25519Keyring, Sr25519Keyring},
	sp_runtime::Perbill,
};
use serde_json::Value;

/// What each pre-funded development account starts with: a million CLD.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// Coins an epoch may emit after the bootstrap period (see `docs/rewards.md`).
pub const BASE_EMISSION: Balance = 100 * UNIT;

/// Epochs of the bootstrap period, which emit three times the base: 30 days of 10-minute
/// epochs (3 days on the development chain).
pub const BOOTSTRAP_EPOCHS: u32 = 4_320;

/// Epochs between two 10% decay steps of the emission: a year of 10-minute epochs.
pub const DECAY_PERIOD_EPOCHS: u32 = 52_560;

/// Bond of each sample node of the `development` preset.
pub const SAMPLE_NODE_BOND: Balance = 1_000 * UNIT;

/// Declared capacity of each sample node: 1 GiB.
pub const SAMPLE_NODE_CAPACITY: u64 = 1 << 30;

/// The sample catalog of the `development` preset: `(title, MIME type, bytes)`.
pub const SAMPLE_CONTENT: [(&str, &str, &[u8]); 2] = [
	("welcome.txt", "text/plain", include_bytes!("../sample-content/welcome.txt")),
	("about.md", "text/markdown", include_bytes!("../sample-content/about.md")),
];

/// The state shared by every preset, from its authorities, sudo key and funded accounts.
fn genesis(
	authorities: Vec<(AuraId, GrandpaId)>,
	endowed_accounts: Vec<AccountId>,
	root: AccountId,
	epoch_length: BlockNumber,
) -> Value {
	let (aura, grandpa): (Vec<_>, Vec<_>) = authorities.into_iter().unzip();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed_accounts.into_iter().map(|account| (account, ENDOWMENT)).collect(),
		},
		aura: polkadot_sdk::pallet_aura::GenesisConfig { authorities: aura },
		grandpa: polkadot_sdk::pallet_grandpa::GenesisConfig {
			authorities: grandpa.into_iter().map(|id| (id, 1)).collect(),
		},
		sudo: SudoConfig { key: Some(root) },
		epochs: EpochsConfig { epoch_length },
		rewards: RewardsConfig {
			base_emission: BASE_EMISSION,
			bootstrap_epochs: BOOTSTRAP_EPOCHS,
			bootstrap_multiplier: 3,
			decay: Perbill::from_percent(10),
			decay_period: DECAY_PERIOD_EPOCHS,
		},
	})
}

/// The Aura and GRANDPA keys of a well-known development account.
fn authority_keys(sr: Sr25519Keyring, ed: Ed25519Keyring) -> (AuraId, GrandpaId) {
	(sr.public().into(), ed.public().into())
}

/// `development`: Alice alone produces and finalises blocks and holds sudo; epochs last a
/// minute. Charlie is a moderator with a small catalog; Dave and Eve are content nodes
/// subscribed to it. The storage law issues no challenges (`DEV_PARAMS`) until root turns it on.
fn development() -> Value {
	let mut state = genesis(
		vec![authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		Sr25519Keyring::Alice.to_account_id(),
		DEV_EPOCH_BLOCKS,
	);
	merge(&mut state, sample_registries());
	state
}

/// Adds the top-level entries (pallets) of `extra` to `base`.
fn merge(base: &mut Value, extra: Value) {
	if let (Value::Object(base), Value::Object(extra)) = (base, extra) {
		base.extend(extra);
	}
}

/// Charlie's moderator registration and catalog, and the nodes Dave and Eve.
fn sample_registries() -> Value {
	let moderator = Sr25519Keyring::Charlie.to_account_id();
	let policy = b"Sample catalog of the development chain: anything legal, nothing large.";
	let catalog = SAMPLE_CONTENT
		.iter()
		.map(|(title, mime, bytes)| {
			let id = content_id(bytes);
			(
				moderator.clone(),
				id,
				bytes.len() as u64,
				title.as_bytes().to_vec(),
				mime.as_bytes().to_vec(),
			)
		})
		.collect::<Vec<_>>();
	let node = |who: Sr25519Keyring, port: u16| {
		(
			who.to_account_id(),
			SAMPLE_NODE_BOND,
			SAMPLE_NODE_CAPACITY,
			alloc::format!("http://127.0.0.1:{port}").into_bytes(),
			// Sample onion keys: the onion layer replaces them with the nodes' own.
			blake2_256(alloc::format!("bitcloud/dev-onion-key/{who:?}").as_bytes()),
			false,
			vec![moderator.clone()],
		)
	};
	build_struct_json_patch!(RuntimeGenesisConfig {
		moderation: ModerationConfig {
			moderators: vec![(
				moderator.clone(),
				b"Charlie's samples".to_vec(),
				b"https://bitcloud.invalid/policies/samples".to_vec(),
				blake2_256(policy),
				Perbill::from_percent(10),
			)],
			catalog,
		},
		nodes: NodesConfig {
			nodes: vec![node(Sr25519Keyring::Dave, 8080), node(Sr25519Keyring::Eve, 8081)],
		},
		// Fast storage law: every node challenged every epoch, banned after three misses.
		storage_law: StorageLawConfig { params: Some(DEV_PARAMS) },
	})
}

/// `local_testnet`: Alice and Bob share authoring and finality; Alice holds sudo.
fn local_testnet() -> Value {
	genesis(
		vec![
			authority_keys(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			authority_keys(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect(),
		Sr25519Keyring::Alice.to_account_id(),
		EPOCH_BLOCKS,
	)
}

/// The JSON patch of the preset `id`, if there is one.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet(),
		_ => return None,
	};
	Some(
		serde_json::to_string(&patch)
			.expect("serialising a JSON value cannot fail; qed")
			.into_bytes(),
	)
}

/// The names of all presets.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
