//! The chains this binary knows by name: `dev` and `local`, built from the runtime's
//! genesis presets; and new public networks (`testnet-spec`).

use bitcloud_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use bitcloud_runtime::WASM_BINARY;
use polkadot_sdk::{
	sc_chain_spec::{ChainType, Properties},
	sc_network::config::MultiaddrWithPeerId,
	sc_service, sp_genesis_builder,
};

/// The chain specification type of Bitcloud (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Its builder.
type ChainSpecBuilder = polkadot_sdk::sc_chain_spec::ChainSpecBuilder;

/// What wallets need to show amounts and addresses right.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

/// The builder of every Bitcloud chain spec: its runtime, protocol and properties.
fn builder(name: &str, id: &str, chain_type: ChainType) -> Result<ChainSpecBuilder, String> {
	let wasm = WASM_BINARY.ok_or("the wasm runtime was not built (SKIP_WASM_BUILD was set?)")?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("bitcloud")
		.with_chain_type(chain_type)
		.with_properties(properties()))
}

/// A chain spec from a genesis preset of the runtime.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(builder(name, id, chain_type)?.with_genesis_config_preset_name(preset).build())
}

/// A public network (`bitcloud-node testnet-spec`): `genesis` from
/// `bitcloud_runtime::genesis_presets::testnet`, and the nodes new nodes dial first.
pub fn testnet(
	name: &str,
	id: &str,
	genesis: serde_json::Value,
	bootnodes: Vec<MultiaddrWithPeerId>,
) -> Result<ChainSpec, String> {
	Ok(builder(name, id, ChainType::Live)?
		.with_genesis_config_patch(genesis)
		.with_boot_nodes(bootnodes)
		.build())
}

/// `--dev`: one validator, Alice, who also holds sudo.
pub fn development() -> Result<ChainSpec, String> {
	from_preset(
		"Bitcloud Development",
		DEV_CHAIN_ID,
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// Chain id of the development chain (`--dev`, `--chain dev`).
pub const DEV_CHAIN_ID: &str = "bitcloud_dev";

/// `--chain local`: Alice, Bob, Charlie and Dave as validators, Charlie's sample catalog.
pub fn local_testnet() -> Result<ChainSpec, String> {
	from_preset(
		"Bitcloud Local Testnet",
		"bitcloud_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
