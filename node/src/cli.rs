//! Command-line interface of `bitcloud-node`.

use polkadot_sdk::sc_cli;

use crate::account_arg::parse_account;

/// `bitcloud-node [SUBCOMMAND] [OPTIONS]`: without a subcommand, runs the node.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// Maintenance subcommands; none runs the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Options of a running node (chain, ports, database, keys...).
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Options of the content services (store and HTTP gateway).
	#[clap(flatten)]
	pub content: ContentParams,
}

/// Content node options. The content services run with `--content`, with any other option
/// of this group, or on the development chain; `--no-content` turns them off.
#[derive(Debug, Clone, clap::Args)]
pub struct ContentParams {
	/// Run the content store and HTTP gateway (on by default on the development chain).
	#[arg(long)]
	pub content: bool,

	/// Do not run the content store and HTTP gateway, even on the development chain.
	#[arg(long, conflicts_with_all = ["content", "content_dir", "gateway_addr", "node_account", "onion", "onion_store", "gateway_max_connections", "gateway_max_connections_per_peer", "gateway_threads"])]
	pub no_content: bool,

	/// Directory of the content store [default: `<base path>/content`].
	#[arg(long, value_name = "PATH")]
	pub content_dir: Option<std::path::PathBuf>,

	/// Address of the HTTP gateway; port 0 picks a free port (the log shows the real one).
	#[arg(long, value_name = "IP:PORT", default_value = crate::content::DEFAULT_GATEWAY_ADDR)]
	pub gateway_addr: std::net::SocketAddr,

	/// The content node's account (SS58 or 0x hex): its subscriptions decide what the gateway
	/// serves [default on the development chain: Dave].
	#[arg(long, value_name = "ACCOUNT", value_parser = parse_account)]
	pub node_account: Option<bitcloud_runtime::AccountId>,

	/// Carry unmoderated traffic: run an onion relay on the gateway (`/onion`). Register
	/// the onion key the log shows, with the unmoderated flag, for clients to use it.
	#[arg(long)]
	pub onion: bool,

	/// Also store unmoderated content that clients publish through circuits (implies
	/// --onion).
	#[arg(long)]
	pub onion_store: bool,

	/// Connections the gateway serves at once; more are answered 503 at once.
	#[arg(long, value_name = "N", default_value_t = bitcloud_content::connection::MAX_CONNECTIONS as u16,
		value_parser = clap::value_parser!(u16).range(1..))]
	pub gateway_max_connections: u16,

	/// Connections the gateway serves at once from one IPv4 address or IPv6 /64. Raise it
	/// behind a reverse proxy or CDN, which connects from one address for many viewers.
	#[arg(long, value_name = "N", default_value_t = bitcloud_content::connection::MAX_CONNECTIONS_PER_PEER as u16,
		value_parser = clap::value_parser!(u16).range(1..))]
	pub gateway_max_connections_per_peer: u16,

	/// Threads that serve the gateway's connections, each with a runtime of its own
	/// [default: one per core].
	#[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..256))]
	pub gateway_threads: Option<u16>,
}

impl ContentParams {
	/// Whether the content services were asked for explicitly.
	pub fn explicitly_enabled(&self) -> bool {
		self.content
			|| self.content_dir.is_some()
			|| self.node_account.is_some()
			|| self.onion
			|| self.onion_store
	}

	/// The gateway's connection limits: the defaults with the counts given.
	pub fn connection_limits(&self) -> bitcloud_content::ConnectionLimits {
		let defaults = bitcloud_content::ConnectionLimits::default();
		bitcloud_content::ConnectionLimits {
			max_connections: self.gateway_max_connections.into(),
			max_per_peer: self.gateway_max_connections_per_peer.into(),
			threads: self.gateway_threads.map_or(defaults.threads, usize::from),
			..defaults
		}
	}
}

/// Maintenance subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
	/// Key management: generate, inspect and insert keys, node keys.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export a chain specification (`--chain dev|local|FILE`) as JSON.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Build the chain specification of a new multi-party network (its validators, funded
	/// accounts, root and bootnodes).
	TestnetSpec(crate::testnet_spec::TestnetSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}
