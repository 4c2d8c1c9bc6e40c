//! `bitcloud-node testnet-spec`: the chain specification of a new multi-party network, from
//! its genesis validators (account and session keys), funded accounts, root and bootnodes.

use crate::{account_arg::parse_account, chain_spec};
use bitcloud_primitives::UNIT;
use bitcloud_runtime::{
	genesis_presets::{self, GenesisValidator},
	opaque::SessionKeys,
	AccountId, Balance,
};
use codec::DecodeAll;
use polkadot_sdk::{sc_cli, sc_network::config::MultiaddrWithPeerId};
use std::path::PathBuf;

/// Build the chain specification of a new network and print it (JSON).
///
/// Every genesis validator generates its session keys offline (`bitcloud-node key generate
/// --scheme sr25519` for Aura, `--scheme ed25519` for GRANDPA) and sends its account and the
/// two public keys; once the spec exists it inserts the secrets in its keystore (`key insert
/// --chain SPEC --key-type aura|gran`). The nodes of the network all start from the raw spec
/// this prints (`--raw`).
#[derive(Debug, Clone, clap::Args)]
pub struct TestnetSpecCmd {
	/// Name of the network.
	#[arg(long, default_value = "Bitcloud Testnet")]
	pub name: String,

	/// Chain id: nodes keep the chain under `<base path>/chains/<id>`.
	#[arg(long, default_value = "bitcloud_testnet")]
	pub id: String,

	/// A genesis validator, as ACCOUNT=KEYS: its account (SS58 or 0x hex) and its session
	/// keys as 0x followed by the hex of its Aura (sr25519) then its GRANDPA (ed25519) public
	/// key, the form `author_rotateKeys` returns. Repeat for each; a network that should
	/// finalize with one validator down needs four.
	#[arg(long = "validator", required = true, value_name = "ACCOUNT=KEYS", value_parser = parse_validator)]
	pub validators: Vec<GenesisValidator>,

	/// An account funded at genesis, as ACCOUNT=CLD (whole CLD). Repeat for each.
	#[arg(long = "endow", value_name = "ACCOUNT=CLD", value_parser = parse_endowment)]
	pub balances: Vec<(AccountId, Balance)>,

	/// The account that holds sudo (root): it adds and removes validators.
	#[arg(long, value_name = "ACCOUNT", value_parser = parse_account)]
	pub root: AccountId,

	/// A node that new nodes dial first, as a multiaddress ending in /p2p/<peer id> (the
	/// peer id a node logs as "Local node identity"). Repeat for each.
	#[arg(long = "bootnode", value_name = "MULTIADDR")]
	pub bootnodes: Vec<MultiaddrWithPeerId>,

	/// Print the raw spec (genesis as storage), the form every node of a network must share
	/// so that they agree on the genesis block.
	#[arg(long)]
	pub raw: bool,

	/// Write the spec to this file instead of standard output.
	#[arg(long, short, value_name = "FILE")]
	pub output: Option<PathBuf>,
}

impl TestnetSpecCmd {
	/// Builds the spec and writes it out.
	pub fn run(&self) -> sc_cli::Result<()> {
		let duplicates = |i: usize, (account, _): &GenesisValidator| {
			self.validators[..i].iter().any(|(other, _)| other == account)
		};
		if self.validators.iter().enumerate().any(|(i, v)| duplicates(i, v)) {
			return Err("the same account is given twice with --validator".into());
		}
		let genesis = genesis_presets::testnet(
			self.validators.clone(),
			self.balances.clone(),
			self.root.clone(),
		);
		let spec = chain_spec::testnet(&self.name, &self.id, genesis, self.bootnodes.clone())?;
		let json = spec.as_json(self.raw)?;
		match &self.output {
			Some(path) => std::fs::write(path, json)
				.map_err(|e| format!("writing {}: {e}", path.display()).into()),
			None => {
				println!("{json}");
				Ok(())
			},
		}
	}
}

/// Parses `ACCOUNT=KEYS`.
fn parse_validator(text: &str) -> Result<GenesisValidator, String> {
	let (account, keys) =
		text.split_once('=').ok_or("a validator is ACCOUNT=KEYS (keys from author_rotateKeys)")?;
	let bytes = keys
		.strip_prefix("0x")
		.and_then(|hex| hex::decode(hex).ok())
		.ok_or("session keys are 0x followed by hex digits, as author_rotateKeys returns them")?;
	let keys = SessionKeys::decode_all(&mut &bytes[..]).map_err(|_| {
		format!(
			"{} bytes are not session keys of this runtime (its Aura then its GRANDPA public \
			 key, as author_rotateKeys returns them)",
			bytes.len()
		)
	})?;
	Ok((parse_account(account)?, keys))
}

/// Parses `ACCOUNT=CLD` (whole CLD) into planck.
fn parse_endowment(text: &str) -> Result<(AccountId, Balance), String> {
	let (account, amount) = text.split_once('=').ok_or("an endowment is ACCOUNT=CLD")?;
	let amount =
		amount.parse::<u64>().map_err(|_| format!("{amount} is not a whole number of CLD"))?;
	let planck = Balance::from(amount)
		.checked_mul(UNIT)
		.ok_or_else(|| format!("{amount} CLD is more than a balance can hold"))?;
	Ok((parse_account(account)?, planck))
}

#[cfg(test)]
mod tests {
	use super::*;

	const ALICE: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn validators_parse_from_account_and_keys() {
		let keys = format!("0x{}", "11".repeat(32) + &"22".repeat(32));
		let (account, parsed) = parse_validator(&format!("{ALICE}={keys}")).unwrap();
		assert_eq!(account, parse_account(ALICE).unwrap());
		assert_eq!(codec::Encode::encode(&parsed), hex::decode(&keys[2..]).unwrap());
	}

	#[test]
	fn malformed_validators_are_refused_with_a_reason() {
		let short = format!("{ALICE}=0x{}", "11".repeat(32));
		assert!(parse_validator(&short).unwrap_err().contains("32 bytes are not session keys"));
		assert!(parse_validator(ALICE).unwrap_err().contains("ACCOUNT=KEYS"));
		assert!(parse_validator(&format!("{ALICE}=1122")).unwrap_err().contains("0x"));
		let bad_account = format!("nobody=0x{}", "11".repeat(64));
		assert!(parse_validator(&bad_account).is_err());
	}

	#[test]
	fn endowments_are_whole_cld() {
		assert_eq!(parse_endowment(&format!("{ALICE}=5")).unwrap().1, 5 * UNIT);
		assert!(parse_endowment(&format!("{ALICE}=0.5")).unwrap_err().contains("whole"));
		assert!(parse_endowment(ALICE).is_err());
	}
}
