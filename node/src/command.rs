//! Parses the command line and runs the node or one of its subcommands.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
	services::{ContentOptions, Onion},
};
use bitcloud_runtime::opaque::Block;
use futures::Future;
use polkadot_sdk::{
	sc_cli::{self, CliConfiguration, SubstrateCli},
	sc_network::config::NetworkBackendType,
	sc_service::{self, Configuration, TaskManager},
	sp_core::{
		crypto::{set_default_ss58_version, Ss58AddressFormat},
		H256,
	},
};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"Bitcloud Node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		env!("CARGO_PKG_AUTHORS").into()
	}

	fn support_url() -> String {
		"https://github.com/bitcloud/bitcloud/issues".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
		Ok(match id {
			"dev" => Box::new(chain_spec::development()?),
			"" | "local" => Box::new(chain_spec::local_testnet()?),
			path => {
				Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?)
			},
		})
	}
}

/// Runs the subcommand given on the command line, or the node.
pub fn run() -> sc_cli::Result<()> {
	let cli = Cli::from_args();
	// Addresses printed by `key` and the logs are Bitcloud addresses, not generic ones; but
	// a chain spec's genesis is read by the runtime, which knows only the generic format.
	if !matches!(cli.subcommand, Some(Subcommand::TestnetSpec(_))) {
		set_default_ss58_version(Ss58AddressFormat::custom(bitcloud_primitives::SS58_PREFIX));
	}

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::ExportChainSpec(cmd)) => {
			let chain_spec = cli.load_spec(&cmd.chain)?;
			cmd.run(chain_spec)
		},
		Some(Subcommand::TestnetSpec(cmd)) => cmd.run(),
		Some(Subcommand::CheckBlock(cmd)) => on_chain_data(&cli, cmd, |parts, _| {
			(cmd.run(parts.client, parts.import_queue), parts.task_manager)
		}),
		Some(Subcommand::ExportBlocks(cmd)) => on_chain_data(&cli, cmd, |parts, config| {
			(cmd.run(parts.client, config.database), parts.task_manager)
		}),
		Some(Subcommand::ExportState(cmd)) => on_chain_data(&cli, cmd, |parts, config| {
			(cmd.run(parts.client, config.chain_spec), parts.task_manager)
		}),
		Some(Subcommand::ImportBlocks(cmd)) => on_chain_data(&cli, cmd, |parts, _| {
			(cmd.run(parts.client, parts.import_queue), parts.task_manager)
		}),
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => on_chain_data(&cli, cmd, |parts, _| {
			let aux_revert = Box::new(|client, _, blocks| {
				polkadot_sdk::sc_consensus_grandpa::revert(client, blocks)?;
				Ok(())
			});
			(cmd.run(parts.client, parts.backend, Some(aux_revert)), parts.task_manager)
		}),
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let params = cli.content.clone();
			runner.run_node_until_exit(|config| async move {
				let dev = config.chain_spec.id() == chain_spec::DEV_CHAIN_ID;
				let wanted = !params.no_content && (dev || params.explicitly_enabled());
				let limits = params.connection_limits();
				let content = wanted.then_some(ContentOptions {
					dir: params.content_dir,
					gateway_addr: params.gateway_addr,
					node: params.node_account,
					onion: match (params.onion, params.onion_store) {
						(_, true) => Onion::RelayAndStore,
						(true, false) => Onion::Relay,
						(false, false) => Onion::Off,
					},
					limits,
				});
				match config.network.network_backend {
					NetworkBackendType::Libp2p => service::new_full::<
						polkadot_sdk::sc_network::NetworkWorker<Block, H256>,
					>(config, content)
					.map_err(sc_cli::Error::Service),
					NetworkBackendType::Litep2p => service::new_full::<
						polkadot_sdk::sc_network::Litep2pNetworkBackend,
					>(config, content)
					.map_err(sc_cli::Error::Service),
				}
			})
		},
	}
}

/// Runs a maintenance subcommand on the chain's data: `run` is given the client's parts
/// (without networking) and the configuration, and returns the command's future and the
/// task manager it runs under.
fn on_chain_data<C, F>(
	cli: &Cli,
	cmd: &C,
	run: impl FnOnce(service::Service, Configuration) -> (F, TaskManager),
) -> sc_cli::Result<()>
where
	C: CliConfiguration,
	F: Future<Output = sc_cli::Result<()>>,
{
	let runner = cli.create_runner(cmd)?;
	runner.async_run(|config| {
		let parts = service::new_partial(&config)?;
		Ok(run(parts, config))
	})
}
