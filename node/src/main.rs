//! `bitcloud-node`: the Bitcloud chain node.

// `sc_cli::Error` and `sc_service::Error`, which every command returns, are large; boxing
// them would only move the allocation into every call site.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod challenges;
mod cli;
mod command;
mod content;
mod duties;
mod onion;
mod rpc;
mod service;
mod testnet_spec;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
