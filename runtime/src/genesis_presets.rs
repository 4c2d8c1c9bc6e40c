//! Genesis presets: the initial state of the `development` and `local_testnet` chains.

use crate::{
	configs::storage_law::DEV_PARAMS, opaque::SessionKeys, AccountId, Balance, BalancesConfig,
	BlockNumber, EpochsConfig, LeasesConfig, ModerationConfig, NodesConfig, RewardsConfig,
	RuntimeGenesisConfig, SessionConfig, StorageLawConfig, SudoConfig, ValidatorSetConfig,
	DEV_EPOCH_BLOCKS, EPOCH_BLOCKS, UNIT,
};
use alloc::{vec, vec::Vec};
use bitcloud_primitives::content_id;
use polkadot_sdk::{
	frame_support::build_struct_json_patch,
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

/// A validator at genesis: its account and the session keys it validates with.
pub type GenesisValidator = (AccountId, SessionKeys);

/// The state shared by every preset, from its validators, sudo key and funded accounts.
fn genesis(
	validators: Vec<GenesisValidator>,
	balances: Vec<(AccountId, Balance)>,
	root: AccountId,
	epoch_length: BlockNumber,
) -> Value {
	let accounts = validators.iter().map(|(account, _)| account.clone()).collect::<Vec<_>>();
	// Aura's and GRANDPA's own genesis stay empty: pallet-session hands them the keys of the
	// validator set's first validators.
	let keys = validators
		.into_iter()
		.map(|(account, keys)| (account.clone(), account, keys))
		.collect::<Vec<_>>();
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig { balances },
		validator_set: ValidatorSetConfig { initial_validators: accounts },
		session: SessionConfig { keys },
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

/// A well-known development account as a validator, with its well-known session keys (the
/// ones `--alice`, `--bob`... put in the node's keystore).
fn dev_validator(sr: Sr25519Keyring, ed: Ed25519Keyring) -> GenesisValidator {
	(sr.to_account_id(), SessionKeys { aura: sr.public().into(), grandpa: ed.public().into() })
}

/// Every well-known development account, with [`ENDOWMENT`].
fn dev_balances() -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::well_known().map(|k| (k.to_account_id(), ENDOWMENT)).collect()
}

/// `development`: Alice alone produces and finalises blocks and holds sudo; epochs last a
/// minute. Charlie is a moderator with a small catalog; Dave and Eve are content nodes
/// subscribed to it. The storage law issues no challenges (`DEV_PARAMS`) until root turns it on.
fn development() -> Value {
	let mut state = genesis(
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_balances(),
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

/// The moderator of the sample catalog.
pub const SAMPLE_MODERATOR: Sr25519Keyring = Sr25519Keyring::Charlie;

/// Charlie's moderator registration and its catalog of [`SAMPLE_CONTENT`].
fn sample_moderator() -> Value {
	let moderator = SAMPLE_MODERATOR.to_account_id();
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
		// Charlie also sells storage leases: a planck per byte and epoch.
		leases: LeasesConfig { offers: vec![(moderator.clone(), 1)] },
	})
}

/// Charlie's moderator registration and catalog, and the nodes Dave and Eve.
fn sample_registries() -> Value {
	let moderator = SAMPLE_MODERATOR.to_account_id();
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
	let mut patch = sample_moderator();
	let nodes = build_struct_json_patch!(RuntimeGenesisConfig {
		nodes: NodesConfig {
			nodes: vec![node(Sr25519Keyring::Dave, 8080), node(Sr25519Keyring::Eve, 8081)],
		},
		// Fast storage law: every node challenged every epoch, banned after three misses.
		storage_law: StorageLawConfig { params: Some(DEV_PARAMS) },
	});
	merge(&mut patch, nodes);
	patch
}

/// The validators of `local_testnet`: four, so that GRANDPA finalizes with one of them down.
pub const LOCAL_VALIDATORS: [(Sr25519Keyring, Ed25519Keyring); 4] = [
	(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
	(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
	(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
	(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
];

/// `local_testnet`: Alice, Bob, Charlie and Dave validate (run them with `--alice`, `--bob`...);
/// Alice holds sudo; epochs (and so sessions) last a minute. Charlie is a moderator with the
/// sample catalog; content nodes and relays register themselves (`scripts/localnet` does it
/// with `bitcloud node register`), and the storage law runs with its default parameters.
fn local_testnet() -> Value {
	let mut state = genesis(
		LOCAL_VALIDATORS.into_iter().map(|(sr, ed)| dev_validator(sr, ed)).collect(),
		dev_balances(),
		Sr25519Keyring::Alice.to_account_id(),
		DEV_EPOCH_BLOCKS,
	);
	merge(&mut state, sample_moderator());
	state
}

/// The genesis of a public network (`bitcloud-node testnet-spec`): its validators, funded
/// accounts and root; ten-minute epochs; no sample registries; the storage law's defaults.
pub fn testnet(
	validators: Vec<GenesisValidator>,
	balances: Vec<(AccountId, Balance)>,
	root: AccountId,
) -> Value {
	genesis(validators, balances, root, EPOCH_BLOCKS)
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
