//! `bitcloud-node`: the Bitcloud chain node.

// `sc_cli::Error` and `sc_service::Error`, which every command returns, are large; boxing
// them would only move the allocation into every call site.
#![allow(clippy::result_large_err)]

mod account_arg;
mod chain_spec;
mod chain_view;
mod challenges;
mod cli;
mod client;
mod command;
mod content;
mod duties;
mod node_key;
mod onion;
mod rpc;
mod runtime_params;
mod service;
mod services;
mod testnet_spec;

/// jemalloc instead of glibc's malloc: cheaper for the many small, short-lived allocations of
/// answering requests (measured in docs/performance.md, "Session 16").
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> polkadot_sdk::sc_cli::Result<()> {
	command::run()
}
