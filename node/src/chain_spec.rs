//! The chains this binary knows by name: `dev` and `local`, built from the runtime's
//! genesis presets.

use bitcloud_primitives::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL};
use bitcloud_runtime::WASM_BINARY;
use polkadot_sdk::{
	sc_chain_spec::{ChainType, Properties},
	sc_service, sp_genesis_builder,
};

/// The chain specification type of Bitcloud (no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// What wallets need to show amounts and addresses right.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

/// A chain spec from a genesis preset of the runtime.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	let wasm = WASM_BINARY.ok_or("the wasm runtime was not built (SKIP_WASM_BUILD was set?)")?;
	Ok(ChainSpec::builder(wasm, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id("bitcloud")
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
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

/// `--chain local`: Alice and Bob as validators.
pub fn local_testnet() -> Result<ChainSpec, String> {
	from_preset(
		"Bitcloud Local Testnet",
		"bitcloud_local_testnet",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
