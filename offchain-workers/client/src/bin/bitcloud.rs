//! `bitcloud`: download verified content, read catalogs and nodes, ask a gateway's status.

use bitcloud_client::{catalog, get, nodes, status, Error};
use bitcloud_primitives::AccountId;
use clap::{Parser, Subcommand};
use polkadot_sdk::sp_core::crypto::{Ss58AddressFormat, Ss58Codec};
use std::{path::PathBuf, process::ExitCode};

/// The Bitcloud client.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
	/// A content node's HTTP gateway.
	#[arg(long, global = true, default_value = "http://127.0.0.1:8080")]
	gateway: String,

	/// A Bitcloud node's JSON-RPC endpoint (HTTP).
	#[arg(long, global = true, default_value = "http://127.0.0.1:9944")]
	rpc: String,

	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Download content, checking every range against its id before writing it.
	Get {
		/// Content id: 64 hex characters or a CIDv1 (bafkr4i...).
		id: String,
		/// Where to write it.
		#[arg(short, long)]
		output: PathBuf,
	},
	/// List a moderator's catalog.
	Catalog {
		/// The moderator's account (SS58 or 0x hex).
		moderator: String,
	},
	/// List the nodes serving a moderator's catalog, with their gateways.
	Nodes {
		/// The moderator's account (SS58 or 0x hex).
		moderator: String,
	},
	/// Show a gateway's status.
	Status,
}

fn account(text: &str) -> Result<AccountId, Error> {
	if let Some(hex) = text.strip_prefix("0x") {
		let bytes: [u8; 32] = hex::decode(hex)
			.ok()
			.and_then(|b| b.try_into().ok())
			.ok_or_else(|| Error("an account in hex is 0x and 64 hex digits".into()))?;
		return Ok(bytes.into());
	}
	AccountId::from_ss58check_with_version(text)
		.map(|(account, _)| account)
		.map_err(|e| Error(format!("{text} is not an account: {e}")))
}

fn ss58(account: &AccountId) -> String {
	account.to_ss58check_with_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX))
}

fn run(cli: Cli) -> Result<(), Error> {
	match cli.command {
		Command::Get { id, output } => {
			let id = bitcloud_content::parse_id(&id).map_err(|e| Error(e.to_string()))?;
			let size = get(&cli.gateway, &id, &output)?;
			println!("{} bytes verified and written to {}", size, output.display());
		},
		Command::Catalog { moderator } => {
			let items = catalog(&cli.rpc, &account(&moderator)?)?;
			if items.is_empty() {
				println!("no catalog (unknown or retired moderator, or an empty catalog)");
			}
			for item in items {
				println!(
					"{}  {:>12}  {:<24}  {}",
					hex::encode(item.content),
					item.size,
					String::from_utf8_lossy(&item.mime_type),
					String::from_utf8_lossy(&item.title)
				);
			}
		},
		Command::Nodes { moderator } => {
			let list = nodes(&cli.rpc, &account(&moderator)?)?;
			if list.is_empty() {
				println!("no node serves this catalog");
			}
			for (node, view) in list {
				match view {
					Some(view) => println!(
						"{}  {}  capacity {} bytes  standing {:?}",
						ss58(&node),
						String::from_utf8_lossy(&view.endpoint),
						view.capacity,
						view.standing
					),
					None => println!("{}  (not registered)", ss58(&node)),
				}
			}
		},
		Command::Status => {
			let status = status(&cli.gateway)?;
			println!(
				"{}",
				serde_json::to_string_pretty(&status).map_err(|e| Error(e.to_string()))?
			);
		},
	}
	Ok(())
}

fn main() -> ExitCode {
	match run(Cli::parse()) {
		Ok(()) => ExitCode::SUCCESS,
		Err(e) => {
			eprintln!("bitcloud: {e}");
			ExitCode::FAILURE
		},
	}
}
