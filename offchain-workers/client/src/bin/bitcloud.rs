//! `bitcloud`: keys, publishing, verified downloads, personal storage, catalogs, nodes and
//! gateway status.

use bitcloud_client::{
	anonymous::{self, RelayChoice},
	download, economy,
	economy::StandingView,
	keys,
	operator::{self, NodeReport, NodeStatus, NodeUpdate, Registration, Subscribed, Unsubscribed},
	publish, queries, replicas_of,
	site::{self, AnonymousSiteReport, SiteOptions, SiteReport},
	ss58,
	store::{
		self, Ending, IndexSave, NodePushes, PutOptions, PutReport, StoreListing, Terms,
		DEFAULT_EPOCHS, DEFAULT_REPLICAS,
	},
	validator, DownloadReport, Error, Listing, Payer, Push, Replica, Rpc, Signer, Store,
	DEFAULT_STRIPE,
};
use bitcloud_primitives::{AccountId, Balance, CapacityStatus};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::{path::PathBuf, process::ExitCode};

/// The Bitcloud client.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
	/// A content node's HTTP gateway [default for `status`: http://127.0.0.1:8080]; with
	/// `get`, download from this gateway only.
	#[arg(long, global = true)]
	gateway: Option<String>,

	/// A Bitcloud node's JSON-RPC endpoint (HTTP).
	#[arg(long, global = true, default_value = "http://127.0.0.1:9944")]
	rpc: String,

	/// Your secret: a mnemonic, a 0x seed or a dev URI such as //Ferdie.
	#[arg(long, global = true, env = "BITCLOUD_SURI", hide_env_values = true)]
	suri: Option<String>,

	/// A key file written by `bitcloud keys generate --out FILE`.
	#[arg(long, global = true, env = "BITCLOUD_KEY_FILE", conflicts_with = "suri")]
	key_file: Option<PathBuf>,

	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// Create or show keys.
	#[command(subcommand)]
	Keys(KeysCommand),
	/// Publish a file under a moderator's catalog: list it (if you are the moderator) or
	/// propose it, then push it to the nodes serving the catalog.
	Publish {
		/// The file.
		file: PathBuf,
		/// The moderator's account (SS58 or 0x hex).
		#[arg(long, required_unless_present = "anonymous")]
		moderator: Option<String>,
		/// Title in the catalog [default: the file name].
		#[arg(long)]
		title: Option<String>,
		/// MIME type [default: from the file's extension].
		#[arg(long)]
		mime_type: Option<String>,
		/// Publish unmoderated content through a three-hop onion circuit instead: no
		/// catalog, no key needed; a relay that stores unmoderated content keeps it and
		/// nobody learns who published it.
		#[arg(long, conflicts_with_all = ["moderator", "title", "mime_type"])]
		anonymous: bool,
	},
	/// Download content, checking every range against its id before writing it; ranges come
	/// from the replicas the chain's randomness picks, and from the next one if a node fails.
	Get {
		/// Content id: 64 hex characters or a CIDv1 (bafkr4i...).
		id: String,
		/// Where to write it.
		#[arg(short, long)]
		output: PathBuf,
		/// The moderator whose catalog lists it (its nodes are the replicas); not needed
		/// with --gateway.
		#[arg(long)]
		moderator: Option<String>,
		/// Replicas to take ranges from at the same time.
		#[arg(long, default_value_t = DEFAULT_STRIPE as u8, value_parser = clap::value_parser!(u8).range(1..=16))]
		stripe: u8,
		/// Download through a three-hop onion circuit of random relays (unmoderated
		/// content, or to hide who asks); rebuilt through other relays if one fails.
		#[arg(long, conflicts_with_all = ["moderator", "stripe"])]
		anonymous: bool,
		/// The first circuit's relays, first hop first (accounts, comma-separated).
		#[arg(long, requires = "anonymous", value_delimiter = ',', value_name = "ACCOUNTS")]
		via: Vec<String>,
	},
	/// List the onion relays the chain knows (Active nodes carrying unmoderated traffic).
	Relays,
	/// Offer your node as an onion relay: `nodes.updateNode` with the onion key that
	/// `bitcloud-node --onion` logs and unmoderated = true, signed with the node account's key;
	/// --stop withdraws the offer.
	Relay {
		/// The node's onion key, as its log shows it (0x and 64 hex digits).
		#[arg(long, required_unless_present = "stop")]
		onion_key: Option<String>,
		/// The gateway URL to register [default: the registered one].
		#[arg(long)]
		endpoint: Option<String>,
		/// Stop carrying unmoderated traffic.
		#[arg(long, conflicts_with_all = ["onion_key", "endpoint"])]
		stop: bool,
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
	/// Lock CLD for bandwidth: your quota of bytes per epoch grows with the lock.
	Lock {
		/// Amount in CLD (for example 10 or 0.5).
		amount: String,
	},
	/// Start unlocking CLD (withdraw them with `withdraw` after the delay).
	Unlock {
		/// Amount in CLD.
		amount: String,
	},
	/// Withdraw the CLD that finished unlocking.
	Withdraw,
	/// Show an account's bandwidth lock and quota this epoch [default: your key's].
	Quota {
		/// The account (SS58 or 0x hex).
		account: Option<String>,
	},
	/// Show a node's rewards for recent epochs [default: your key's account].
	Rewards {
		/// The node's account (SS58 or 0x hex).
		node: Option<String>,
		/// How many epochs back.
		#[arg(long, default_value_t = 10)]
		epochs: u32,
	},
	/// Claim a node's reward for a closed epoch (your own, or another node's on its behalf).
	Claim {
		/// The epoch.
		epoch: u32,
		/// The node [default: your key's account].
		#[arg(long)]
		node: Option<String>,
	},
	/// Show a node's standing under the storage law.
	Standing {
		/// The node's account (SS58 or 0x hex).
		node: String,
	},
	/// Run a content node: register it, change it, subscribe to catalogs, leave.
	#[command(subcommand)]
	Node(NodeCommand),
	/// Run a validator: session keys.
	#[command(subcommand)]
	Validator(ValidatorCommand),
	/// Publish websites: a directory's files and its manifest, served by path.
	#[command(subcommand)]
	Site(SiteCommand),
	/// Personal storage: your files encrypted on this machine, kept by nodes under leases you
	/// pay per byte and epoch, listed in an encrypted index only your key opens (the same key
	/// on another machine finds everything again).
	Store(StoreArgs),
}

#[derive(clap::Args)]
struct StoreArgs {
	/// Pay for downloads with receipts (draws on your bandwidth quota: `bitcloud lock`).
	#[arg(long, global = true)]
	pay: bool,

	#[command(subcommand)]
	command: StoreCommand,
}

#[derive(Subcommand)]
enum StoreCommand {
	/// Publish your account's encryption key, which others share files with you through
	/// (`leases.setEncryptionKey`); `put` does it when needed.
	Init,
	/// Store files and directories: each file is encrypted here under a fresh key, leased
	/// under the moderator (paid for --replicas nodes and --epochs epochs), pushed to the
	/// moderator's nodes and added to your index; a file already at that path is replaced.
	Put {
		/// Files or directories (a directory is stored under its name, with all it holds).
		#[arg(required = true, value_name = "PATH")]
		paths: Vec<PathBuf>,
		/// The moderator whose nodes keep the files (SS58 or 0x hex); it must offer storage.
		#[arg(long, value_name = "M", value_parser = keys::parse_account, required_unless_present = "anonymous")]
		moderator: Option<AccountId>,
		/// Lease under no moderator and move the files (and the index) through three-hop onion
		/// circuits only: the nodes keeping them do not learn who stores them (the leases are
		/// still signed by your account on chain). `get`, `ls`, `rm` and `share` then go
		/// through the onion layer by themselves.
		#[arg(long, conflicts_with = "moderator")]
		anonymous: bool,
		/// Nodes paid to keep each file.
		#[arg(long, value_name = "N", default_value_t = DEFAULT_REPLICAS, value_parser = clap::value_parser!(u32).range(1..))]
		replicas: u32,
		/// Epochs paid for (144 ten-minute epochs: a day).
		#[arg(long, value_name = "E", default_value_t = DEFAULT_EPOCHS, value_parser = clap::value_parser!(u32).range(1..))]
		epochs: u32,
		/// The directory of your storage to put them in [default: the top].
		#[arg(long = "as", value_name = "DIR", value_parser = store::parse_prefix)]
		prefix: Option<String>,
	},
	/// List your stored files: path, size, lease, paid-until epoch and keepers.
	Ls,
	/// Fetch a stored file (or, with --shared, one shared with you), verified against its id,
	/// and decrypt it; OUT appears only once every byte is authentic.
	Get {
		/// The file's path in your storage.
		#[arg(value_parser = store::parse_index_path, required_unless_present = "shared", conflicts_with = "shared")]
		path: Option<String>,
		/// Where to write it.
		#[arg(short, long, value_name = "OUT")]
		output: PathBuf,
		/// A share of your inbox instead (its id, from `bitcloud store inbox`).
		#[arg(long, value_name = "SHARE_ID")]
		shared: Option<u64>,
		/// Replicas to take ranges from at the same time.
		#[arg(long, default_value_t = DEFAULT_STRIPE as u8, value_parser = clap::value_parser!(u8).range(1..=16))]
		stripe: u8,
		/// Through three-hop onion circuits only: refuse a file (or index) leased under a
		/// moderator rather than fetch it over HTTP. Files stored with `put --anonymous` go
		/// through the onion layer without it.
		#[arg(long)]
		anonymous: bool,
	},
	/// Remove a stored file: out of the index, then its lease ends (its funds for the epochs
	/// after this one come back).
	Rm {
		/// The file's path in your storage.
		#[arg(value_parser = store::parse_index_path)]
		path: String,
	},
	/// Share a stored file with another account: its key, sealed to their published key, in
	/// their inbox (a deposit is held until they dismiss it).
	Share {
		/// The file's path in your storage.
		#[arg(value_parser = store::parse_index_path)]
		path: String,
		/// The recipient (SS58 or 0x hex); they must have run `bitcloud store init`.
		#[arg(long, value_name = "ACCOUNT", value_parser = keys::parse_account)]
		to: AccountId,
	},
	/// List the files shared with you: share id, sender, name and size.
	Inbox,
	/// Pay more epochs for stored files (every one if no PATH is given) and for your index
	/// (`leases.topUp`, all at once): each lease holds price × bytes × replicas × epochs more.
	/// Prints each lease's new paid-until epoch and what was held.
	Renew {
		/// Files of your storage to renew [default: all of them]; the index is always renewed.
		#[arg(value_name = "PATH", value_parser = store::parse_index_path)]
		paths: Vec<String>,
		/// Epochs to add to each lease (144 ten-minute epochs: a day).
		#[arg(long, value_name = "N")]
		epochs: u32,
	},
	/// Dismiss a share from your inbox (`leases.dismissShare`); its sender gets the deposit
	/// back.
	Dismiss {
		/// The share's id, from `bitcloud store inbox`.
		#[arg(value_name = "SHARE_ID")]
		share: u64,
	},
	/// Take back a share you made (`leases.withdrawShare`): out of the recipient's inbox, your
	/// deposit released.
	Unshare {
		/// The share's id, as `bitcloud store share` printed it.
		#[arg(value_name = "SHARE_ID")]
		share: u64,
		/// Its recipient (SS58 or 0x hex).
		#[arg(long, value_name = "ACCOUNT", value_parser = keys::parse_account)]
		to: AccountId,
	},
}

#[derive(Subcommand)]
enum SiteCommand {
	/// Publish the directory DIR as a website under a moderator's catalog: every file and the
	/// site's manifest are listed (you are the moderator) or proposed, then pushed to the
	/// nodes serving the catalog. With --anonymous, under no moderator: each is leased
	/// unmoderated and published through onion circuits. Prints the site's id and where to
	/// browse it.
	Publish {
		/// The site's root directory.
		dir: PathBuf,
		/// The moderator's account (SS58 or 0x hex).
		#[arg(long, value_parser = keys::parse_account, required_unless_present = "anonymous")]
		moderator: Option<AccountId>,
		/// Under no moderator: every file and the manifest leased unmoderated (paid for
		/// --replicas nodes and --epochs epochs) and published through three-hop onion
		/// circuits, not encrypted (a site is public). Browsed with `site browse --anonymous`
		/// only: no gateway serves unmoderated content over plain HTTP.
		#[arg(long, conflicts_with_all = ["moderator", "title"])]
		anonymous: bool,
		/// Nodes paid to keep each file (with --anonymous).
		#[arg(long, value_name = "N", default_value_t = DEFAULT_REPLICAS, value_parser = clap::value_parser!(u32).range(1..), requires = "anonymous")]
		replicas: u32,
		/// Epochs paid for, with --anonymous (144 ten-minute epochs: a day).
		#[arg(long, value_name = "E", default_value_t = DEFAULT_EPOCHS, value_parser = clap::value_parser!(u32).range(1..), requires = "anonymous")]
		epochs: u32,
		/// The index document of directories.
		#[arg(long, default_value = bitcloud_content::site::DEFAULT_INDEX)]
		index: String,
		/// The page answered with 404 for paths that name no file (a path in DIR).
		#[arg(long)]
		fallback: Option<String>,
		/// Title in the catalog [default: the directory's name].
		#[arg(long)]
		title: Option<String>,
	},
	/// Browse a site: with --anonymous, a local HTTP proxy that fetches the site through onion
	/// circuits, every page verified before it is sent; with --gateway URL, where that
	/// gateway serves it.
	Browse {
		/// The site's id (hex or CIDv1).
		#[arg(value_name = "SITE_ID")]
		site: String,
		/// Serve the site at --listen, fetched through three-hop onion circuits.
		#[arg(long)]
		anonymous: bool,
		/// Where the proxy listens: a loopback address.
		#[arg(long, value_name = "ADDR", default_value = site::DEFAULT_LISTEN, requires = "anonymous")]
		listen: std::net::SocketAddr,
		/// Listen on an address that is not loopback: whoever reaches it browses through your
		/// circuits, as you.
		#[arg(long, requires = "anonymous")]
		public_listen: bool,
	},
}

#[derive(Subcommand)]
enum NodeCommand {
	/// Register your key's account as a content node (`nodes.registerNode`; the bond is
	/// held), then subscribe it to each --moderator.
	Register {
		/// Bond in CLD (at least the chain's minimum).
		#[arg(long, value_name = "CLD", value_parser = economy::parse_cld)]
		bond: Balance,
		/// Storage the node offers: bytes, or with a unit (512MiB, 10GiB, 1TiB, 2TB).
		#[arg(long, value_name = "SIZE", value_parser = operator::parse_size)]
		capacity: u64,
		/// The node's gateway URL, where clients reach it (http://HOST:PORT).
		#[arg(long, value_name = "URL")]
		endpoint: String,
		/// The node's onion key, as `bitcloud-node --onion` logs it (0x and 64 hex digits)
		/// [default: a placeholder derived from the account, for nodes that do not relay].
		#[arg(long, value_name = "0x..", value_parser = anonymous::parse_onion_key)]
		onion_key: Option<[u8; 32]>,
		/// Carry unmoderated (onion-only) traffic; needs --onion-key.
		#[arg(long)]
		unmoderated: bool,
		/// Subscribe to this moderator's catalog once registered (repeat for several).
		#[arg(long = "moderator", value_name = "M", value_parser = keys::parse_account)]
		moderators: Vec<AccountId>,
	},
	/// Change your node's registration (`nodes.updateNode`); what you do not give stays.
	Update {
		/// New capacity: bytes, or with a unit (512MiB, 10GiB, 1TiB).
		#[arg(long, value_name = "SIZE", value_parser = operator::parse_size)]
		capacity: Option<u64>,
		/// New gateway URL.
		#[arg(long, value_name = "URL")]
		endpoint: Option<String>,
		/// New onion key (0x and 64 hex digits).
		#[arg(long, value_name = "0x..", value_parser = anonymous::parse_onion_key)]
		onion_key: Option<[u8; 32]>,
		/// Whether to carry unmoderated (onion-only) traffic.
		#[arg(long, value_name = "true|false")]
		unmoderated: Option<bool>,
	},
	/// Subscribe your node to a moderator's catalog (it must then hold the catalog).
	Subscribe {
		/// The moderator's account (SS58 or 0x hex).
		#[arg(value_parser = keys::parse_account)]
		moderator: AccountId,
	},
	/// Unsubscribe your node from a moderator (it stays held to the catalog for a delay).
	Unsubscribe {
		/// The moderator's account (SS58 or 0x hex).
		#[arg(value_parser = keys::parse_account)]
		moderator: AccountId,
	},
	/// Deregister your node once its subscriptions have ended; the bond unbonds.
	Deregister,
	/// Withdraw your node's bond once it has unbonded.
	Withdraw,
	/// Add to your node's bond.
	BondExtra {
		/// Amount in CLD (for example 10 or 0.5).
		#[arg(value_parser = economy::parse_cld)]
		amount: Balance,
	},
	/// Show a node's registration, subscriptions and standing [default: your key's account].
	Show {
		/// The node's account (SS58 or 0x hex).
		#[arg(value_parser = keys::parse_account)]
		account: Option<AccountId>,
	},
}

#[derive(Subcommand)]
enum ValidatorCommand {
	/// Generate session keys in your validator node's keystore (`author_rotateKeysWithOwner`,
	/// an unsafe RPC: ask your own node) and register them for your key's account
	/// (`session.setKeys`, through --rpc).
	Keys {
		/// Your validator node's JSON-RPC endpoint [default: --rpc].
		#[arg(long, value_name = "URL")]
		node_rpc: Option<String>,
	},
	/// Show whether an account has session keys and validates [default: your key's account].
	Show {
		/// The account (SS58 or 0x hex).
		#[arg(value_parser = keys::parse_account)]
		account: Option<AccountId>,
	},
}

#[derive(Subcommand)]
enum KeysCommand {
	/// Generate a new key; prints its address and secret phrase, or writes the phrase to a
	/// new file readable only by you.
	Generate {
		/// Write the secret phrase here instead of printing it.
		#[arg(long)]
		out: Option<PathBuf>,
	},
	/// Show the address of the key given by --suri or --key-file.
	Show,
}

impl Cli {
	fn signer(&self) -> Result<Option<Signer>, Error> {
		match (&self.suri, &self.key_file) {
			(Some(suri), _) => Signer::from_suri(suri).map(Some),
			(None, Some(path)) => Signer::from_file(path).map(Some),
			(None, None) => Ok(None),
		}
	}

	/// `text` as an account, or the signer's account when none is given.
	fn account_or_signer(&self, text: &Option<String>) -> Result<AccountId, Error> {
		self.or_signer(&text.as_deref().map(keys::parse_account).transpose()?)
	}

	/// `account`, or the signer's account when none is given.
	fn or_signer(&self, account: &Option<AccountId>) -> Result<AccountId, Error> {
		match account {
			Some(account) => Ok(account.clone()),
			None => self.require_signer().map(|signer| signer.account()),
		}
	}

	fn require_signer(&self) -> Result<Signer, Error> {
		self.signer()?.ok_or_else(|| {
			Error::Input("this needs your key: give --suri or --key-file (or BITCLOUD_SURI)".into())
		})
	}
}

/// A content id from the command line.
fn parse_id(text: &str) -> Result<bitcloud_primitives::ContentId, Error> {
	bitcloud_content::parse_id(text).map_err(|e| Error::Input(e.to_string()))
}

const WHERE_FROM: &str = "say where to download from: --moderator M (its nodes) or --gateway URL";

/// A progress bar on stderr (drawn only on a terminal) and its update function.
fn bar(message: &str) -> (ProgressBar, impl FnMut(u64, u64)) {
	let bar = ProgressBar::new(0).with_message(message.to_string());
	if let Ok(style) =
		ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}")
	{
		bar.set_style(style.progress_chars("=> "));
	}
	let updater = bar.clone();
	(bar, move |done, total| {
		updater.set_length(total);
		updater.set_position(done);
	})
}

fn run_site(cli: &Cli, rpc: &Rpc, command: &SiteCommand) -> Result<(), Error> {
	match command {
		SiteCommand::Publish {
			dir,
			moderator,
			anonymous,
			replicas,
			epochs,
			index,
			fallback,
			title,
		} => {
			let signer = cli.require_signer()?;
			let title = title.clone().unwrap_or_else(|| {
				let name =
					dir.canonicalize().ok().and_then(|d| d.file_name().map(|n| n.to_owned()));
				name.map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "site".into())
			});
			let options = SiteOptions { index: index.clone(), fallback: fallback.clone(), title };
			let (bar, mut progress) = bar("push");
			if *anonymous {
				let report = site::publish_anonymously(
					rpc,
					&signer,
					dir,
					&options,
					*replicas,
					*epochs,
					&mut progress,
				);
				bar.finish_and_clear();
				print_anonymous_site(&cli.rpc, &report?);
				return Ok(());
			}
			// clap lets through a moderator or --anonymous.
			let moderator = moderator.as_ref().ok_or_else(|| {
				Error::Input("say under which --moderator, or give --anonymous".into())
			})?;
			let report = site::publish_site(rpc, &signer, dir, moderator, &options, &mut progress);
			bar.finish_and_clear();
			print_site(&report?)
		},
		SiteCommand::Browse { site: id, anonymous, listen, public_listen } => {
			let id = parse_id(id)?;
			match (anonymous, &cli.gateway) {
				(true, Some(_)) => {
					Err(Error::Input("--anonymous goes through relays, not --gateway".into()))
				},
				(true, None) => site::browse(rpc, id, *listen, *public_listen, &mut |listening| {
					println!("site: {}", hex::encode(id));
					println!("files: {}", listening.files);
					println!("listening: {}", listening.addr);
					println!("browse: {}", listening.url);
					eprintln!("serving until stopped (Ctrl-C); pages go through onion circuits");
				}),
				(false, Some(gateway)) => {
					println!("{}", site::site_url(gateway, &id));
					Ok(())
				},
				(false, None) => Err(Error::Input(
					"say how to browse: --anonymous (a local proxy through onion circuits) or \
					 --gateway URL (a gateway serving the site's moderator)"
						.into(),
				)),
			}
		},
	}
}

/// What `site publish --anonymous` did.
fn print_anonymous_site(rpc: &str, report: &AnonymousSiteReport) {
	let cid = bitcloud_content::to_cid(&report.id);
	println!("site: {}", hex::encode(report.id));
	println!("cid: {cid}");
	println!("files: {}", report.manifest.files.len());
	let held: Balance = report.leases.iter().map(|(_, created)| created.held).sum();
	println!(
		"leased {} objects unmoderated (replicas {}, epochs {}): {} held",
		report.leases.len(),
		report.terms.replicas,
		report.terms.epochs,
		economy::format_cld(held)
	);
	for (label, created) in &report.leases {
		println!("lease {}  paid until epoch {}  {label}", created.lease, created.paid_until);
	}
	println!("(an onion exit)  {}  took all", report.pushes.gateway);
	println!(
		"browse: bitcloud --rpc {rpc} site browse {cid} --anonymous --listen {}",
		site::DEFAULT_LISTEN
	);
}

/// What `site publish` did; an error when no node took the whole site.
fn print_site(report: &SiteReport) -> Result<(), Error> {
	println!("site: {}", hex::encode(report.id));
	println!("cid: {}", bitcloud_content::to_cid(&report.id));
	println!("files: {}", report.manifest.files.len());
	let count = |wanted: Listing| report.listings.iter().filter(|(_, l)| *l == wanted).count();
	println!(
		"listed {}, proposed {}, already listed {}, already proposed {}",
		count(Listing::Listed),
		count(Listing::Proposed),
		count(Listing::AlreadyListed),
		count(Listing::AlreadyProposed)
	);
	if report.pushes.is_empty() {
		println!("no node serves this catalog yet: nothing pushed");
	}
	for pushes in &report.pushes {
		let gateway = &pushes.gateway;
		match pushes.failed.is_empty() {
			true => println!(
				"{}  {gateway}  took all  {}",
				ss58(&pushes.node),
				site::site_url(gateway, &report.id)
			),
			false => println!(
				"{}  {gateway}  failed {} of {}",
				ss58(&pushes.node),
				pushes.failed.len(),
				pushes.failed.len() + pushes.taken
			),
		}
		for (path, reason) in &pushes.failed {
			let path = if path.is_empty() { "(manifest)" } else { path };
			println!("    {path}: {reason}");
		}
	}
	let complete = report.pushes.iter().any(|pushes| pushes.failed.is_empty());
	if !complete && !report.pushes.is_empty() {
		return Err(Error::Unavailable("no node took the whole site: publish again".into()));
	}
	Ok(())
}

fn run(cli: Cli) -> Result<(), Error> {
	let rpc = Rpc::new(&cli.rpc);
	match &cli.command {
		Command::Keys(KeysCommand::Generate { out }) => {
			let (signer, phrase) = Signer::generate();
			match out {
				Some(path) => {
					keys::write_key_file(path, &phrase)?;
					println!("{}", ss58(&signer.account()));
					eprintln!("secret phrase written to {} (keep it safe)", path.display());
				},
				None => {
					println!("address: {}", ss58(&signer.account()));
					println!("secret phrase: {phrase}");
					eprintln!("keep the secret phrase safe: it controls the account");
				},
			}
		},
		Command::Keys(KeysCommand::Show) => {
			let signer = cli.require_signer()?;
			println!("address: {}", ss58(&signer.account()));
			println!("public key: 0x{}", hex::encode(signer.account()));
		},
		Command::Publish { file, anonymous: true, .. } => {
			let settings = anonymous::anonymous(&rpc, None)?;
			let (id, size, report) = anonymous::publish(&settings, file)?;
			println!("id: {}", hex::encode(id));
			println!("cid: {}", bitcloud_content::to_cid(&id));
			println!("size: {size} bytes");
			println!("published anonymously through {} circuit(s)", report.circuits.len());
		},
		Command::Publish { file, moderator, title, mime_type, .. } => {
			let signer = cli.require_signer()?;
			let moderator = keys::parse_account(moderator.as_deref().unwrap_or_default())?;
			let title = title.clone().unwrap_or_else(|| {
				file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
			});
			let mime_type =
				mime_type.clone().unwrap_or_else(|| publish::guess_mime_type(file).to_string());
			let (bar, mut progress) = bar("push");
			let report =
				publish(&rpc, &signer, file, &moderator, &title, &mime_type, &mut progress)?;
			bar.finish_and_clear();
			println!("id: {}", hex::encode(report.id));
			println!("cid: {}", bitcloud_content::to_cid(&report.id));
			println!("size: {} bytes", report.size);
			println!(
				"{}",
				match report.listing {
					Listing::Listed => "listed in your catalog",
					Listing::Proposed =>
						"proposed to the moderator (deposit held until it decides)",
					Listing::AlreadyListed => "already in the catalog",
					Listing::AlreadyProposed => "already proposed",
				}
			);
			if report.pushes.is_empty() {
				println!("no node serves this catalog yet: nothing pushed");
			}
			for (node, gateway, push) in &report.pushes {
				let outcome = match push {
					Push::Stored => "stored".to_string(),
					Push::AlreadyStored => "already stored".to_string(),
					Push::Failed(reason) => format!("failed: {reason}"),
				};
				println!("{}  {gateway}  {outcome}", ss58(node));
			}
			let failed: Vec<&Error> = report
				.pushes
				.iter()
				.filter_map(|(_, _, push)| match push {
					Push::Failed(e) => Some(e),
					_ => None,
				})
				.collect();
			// When no node took it, the first one's reason says whether to retry.
			if let Some(first) = failed.first().filter(|_| failed.len() == report.pushes.len()) {
				return Err((*first).clone().map_message(|_| "no node took the content".into()));
			}
		},
		Command::Get { id, output, anonymous: true, via, .. } => {
			if cli.gateway.is_some() {
				return Err(Error::Input("--anonymous goes through relays, not --gateway".into()));
			}
			let id = parse_id(id)?;
			let via = match via.is_empty() {
				true => None,
				false => Some(
					via.iter().map(|text| keys::parse_account(text)).collect::<Result<_, _>>()?,
				),
			};
			let settings = anonymous::anonymous(&rpc, via)?;
			let (bar, mut progress) = bar("get");
			let report = anonymous::get(&settings, &id, output, &mut progress);
			bar.finish_and_clear();
			let report = report?;
			for failure in &report.failed_builds {
				eprintln!("circuit not built: {failure}");
			}
			for path in &report.circuits {
				let path: Vec<String> = path.iter().map(ss58).collect();
				eprintln!("circuit: {}", path.join(" -> "));
			}
			println!("{} bytes verified and written to {}", report.bytes, output.display());
		},
		Command::Relays => {
			for relay in anonymous::relays(&rpc)? {
				println!(
					"{}  {}  0x{}",
					ss58(&relay.account),
					relay.endpoint,
					hex::encode(relay.onion_key)
				);
			}
		},
		Command::Relay { onion_key, endpoint, stop } => {
			let signer = cli.require_signer()?;
			// clap lets through exactly one of --onion-key and --stop.
			let choice = match onion_key {
				Some(key) => RelayChoice::Carry {
					onion_key: anonymous::parse_onion_key(key)?,
					endpoint: endpoint.clone(),
				},
				None => RelayChoice::Stop,
			};
			anonymous::set_relay(&rpc, &signer, choice)?;
			let state = if *stop { "no longer carries" } else { "carries" };
			println!("{} {state} unmoderated traffic", ss58(&signer.account()));
		},
		Command::Get { id, output, moderator, stripe, .. } => {
			let id = parse_id(id)?;
			// With a key, every verified range is paid with a receipt.
			let payer = match cli.signer()? {
				Some(signer) => Some(Payer { signer, genesis: rpc.genesis()? }),
				None => None,
			};
			let client = payer.as_ref().map(|payer| payer.signer.account());
			let replicas = match (&cli.gateway, moderator) {
				(Some(gateway), _) => vec![Replica { node: None, gateway: gateway.clone() }],
				(None, Some(moderator)) => {
					let client = client.unwrap_or_else(|| AccountId::new([0; 32]));
					replicas_of(&rpc, &keys::parse_account(moderator)?, &id, &client)?
				},
				(None, None) => return Err(Error::Input(WHERE_FROM.into())),
			};
			let (bar, mut progress) = bar("get");
			let stripe = usize::from(*stripe);
			let report = download(replicas, &id, output, stripe, payer.as_ref(), &mut progress);
			bar.finish_and_clear();
			let report = report?;
			for (replica, reason) in &report.failures {
				eprintln!("dropped {}: {reason}", replica.gateway);
			}
			for (replica, bytes) in &report.served {
				eprintln!("{} bytes verified from {}", bytes, replica.gateway);
			}
			println!("{} bytes verified and written to {}", report.size, output.display());
		},
		Command::Site(command) => run_site(&cli, &rpc, command)?,
		Command::Catalog { moderator } => {
			let items = queries::catalog(&rpc, &keys::parse_account(moderator)?)?;
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
			let list = queries::nodes(&rpc, &keys::parse_account(moderator)?)?;
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
		Command::Lock { amount } => {
			let amount = economy::parse_cld(amount)?;
			let signer = cli.require_signer()?;
			economy::lock(&rpc, &signer, amount)?;
			print_quota(&rpc, &signer.account())?;
		},
		Command::Unlock { amount } => {
			let amount = economy::parse_cld(amount)?;
			let signer = cli.require_signer()?;
			economy::unlock(&rpc, &signer, amount)?;
			print_quota(&rpc, &signer.account())?;
		},
		Command::Withdraw => {
			let signer = cli.require_signer()?;
			economy::withdraw(&rpc, &signer)?;
			print_quota(&rpc, &signer.account())?;
		},
		Command::Quota { account } => print_quota(&rpc, &cli.account_or_signer(account)?)?,
		Command::Rewards { node, epochs } => {
			let node = cli.account_or_signer(node)?;
			for (epoch, reward) in economy::rewards(&rpc, &node, *epochs)? {
				println!(
					"epoch {epoch:>6}  {:<14}  {:>14} bytes  node {}  total {}",
					format!("{:?}", reward.status),
					reward.node_bytes,
					economy::format_cld(reward.node_part),
					economy::format_cld(reward.total),
				);
			}
		},
		Command::Claim { epoch, node } => {
			let signer = cli.require_signer()?;
			let node = match node {
				Some(node) => keys::parse_account(node)?,
				None => signer.account(),
			};
			economy::claim(&rpc, &signer, &node, *epoch)?;
			println!("claimed epoch {epoch} for {}", ss58(&node));
		},
		Command::Standing { node } => {
			let node = keys::parse_account(node)?;
			match economy::standing(&rpc, &node)? {
				None => println!("{} is not a node", ss58(&node)),
				Some(view) => print_standing(&view),
			}
		},
		Command::Node(command) => run_node(&cli, &rpc, command)?,
		Command::Store(args) => run_store(&cli, &rpc, args)?,
		Command::Validator(command) => run_validator(&cli, &rpc, command)?,
		Command::Status => {
			let gateway = cli.gateway.as_deref().unwrap_or("http://127.0.0.1:8080");
			let status = queries::status(gateway)?;
			let status = serde_json::to_string_pretty(&status)
				.map_err(|e| Error::Local(format!("cannot print the status: {e}")))?;
			println!("{status}");
		},
	}
	Ok(())
}

fn print_standing(view: &StandingView) {
	println!("standing: {:?}", view.standing);
	println!(
		"strikes: {} of {} before the next step ({} in all)",
		view.strikes, view.strikes_per_step, view.total_strikes
	);
	println!("challenges passed: {}, pending: {}", view.passed, view.pending);
	if let Some(epoch) = view.last_strike {
		println!("last strike in epoch {epoch}");
	}
}

const PLACEHOLDER_NOTE: &str = "note: registered a placeholder onion key (derived from the \
	account, not a real key): this node relays no onion traffic. To relay, run the node with \
	--onion and register the key it logs: bitcloud relay --onion-key 0x..";

fn run_node(cli: &Cli, rpc: &Rpc, command: &NodeCommand) -> Result<(), Error> {
	if let NodeCommand::Show { account } = command {
		return print_node(&operator::node_report(rpc, &cli.or_signer(account)?)?);
	}
	let signer = cli.require_signer()?;
	let me = signer.account();
	match command {
		NodeCommand::Register { bond, capacity, endpoint, onion_key, unmoderated, moderators } => {
			let registration = Registration {
				bond: *bond,
				capacity: *capacity,
				endpoint: endpoint.clone(),
				onion_key: *onion_key,
				unmoderated: *unmoderated,
			};
			// Checked before anything goes to the chain.
			registration.call(&me)?;
			operator::register_node(rpc, &signer, &registration)?;
			println!("registered {}", ss58(&me));
			for moderator in moderators {
				operator::subscribe(rpc, &signer, moderator).map_err(|e| {
					e.map_message(|e| {
						format!(
							"the node is registered, but subscribing to {m} failed: {e}; then \
							 retry with `bitcloud node subscribe {m}`",
							m = ss58(moderator)
						)
					})
				})?;
				println!("subscribed to {}", ss58(moderator));
			}
			if onion_key.is_none() {
				eprintln!("{PLACEHOLDER_NOTE}");
			}
			print_node(&operator::node_report(rpc, &me)?)?;
		},
		NodeCommand::Update { capacity, endpoint, onion_key, unmoderated } => {
			let update = NodeUpdate {
				capacity: *capacity,
				endpoint: endpoint.clone(),
				onion_key: *onion_key,
				unmoderated: *unmoderated,
			};
			// Checked before anything goes to the chain.
			update.check()?;
			operator::update_node(rpc, &signer, &update)?;
			println!("updated {}", ss58(&me));
			print_node(&operator::node_report(rpc, &me)?)?;
		},
		NodeCommand::Subscribe { moderator } => {
			match operator::subscribe(rpc, &signer, moderator)? {
				Subscribed::New => println!("subscribed to {}", ss58(moderator)),
				Subscribed::UnsubscriptionCancelled => println!(
					"subscribed to {} again: the unsubscription is cancelled",
					ss58(moderator)
				),
			}
		},
		NodeCommand::Unsubscribe { moderator } => {
			match operator::unsubscribe(rpc, &signer, moderator)? {
				Unsubscribed::Ends(epoch) => println!(
					"unsubscribing from {}: subscribed (and held to its catalog) until the \
					 start of epoch {epoch}",
					ss58(moderator)
				),
				Unsubscribed::Now => println!("unsubscribed from {}", ss58(moderator)),
			}
		},
		NodeCommand::Deregister => {
			let (bond, unlocks_at) = operator::deregister(rpc, &signer)?;
			println!(
				"deregistered {}: bond of {} unbonding; withdraw it from block {unlocks_at} \
				 with `bitcloud node withdraw`",
				ss58(&me),
				economy::format_cld(bond)
			);
		},
		NodeCommand::Withdraw => {
			let amount = operator::withdraw_unbonded(rpc, &signer)?;
			println!("withdrew {}", economy::format_cld(amount));
		},
		NodeCommand::BondExtra { amount } => {
			let bond = operator::bond_extra(rpc, &signer, *amount)?;
			println!(
				"bond: {} (added {})",
				economy::format_cld(bond),
				economy::format_cld(*amount)
			);
		},
		// Needs no key: answered above.
		NodeCommand::Show { .. } => {},
	}
	Ok(())
}

fn print_node(report: &NodeReport) -> Result<(), Error> {
	let me = &report.account;
	println!("account: {}", ss58(me));
	match &report.status {
		NodeStatus::NotANode => println!("status: not a node"),
		NodeStatus::Banned => println!("status: banned"),
		NodeStatus::Unbonding { amount, unlocks_at } => {
			println!("status: deregistered, bond unbonding");
			println!("unbonding: {}", economy::format_cld(*amount));
			let when = match *unlocks_at <= report.best {
				true => "now (bitcloud node withdraw)".to_string(),
				false => format!("block {unlocks_at} (best block {})", report.best),
			};
			println!("withdrawable from: {when}");
		},
		NodeStatus::Registered(view) => {
			println!("status: registered");
			println!("bond: {}", economy::format_cld(view.bond));
			let size = |bytes: u64| match bytes < 1024 {
				true => format!("{bytes} bytes"),
				false => format!("{bytes} bytes ({})", operator::format_size(bytes)),
			};
			println!("capacity: {}", size(view.capacity));
			println!("required by subscriptions: {}", size(view.required));
			println!(
				"capacity status: {}",
				match view.capacity_status {
					CapacityStatus::Covered => "covered".to_string(),
					CapacityStatus::Grace { ends } => format!(
						"short: add capacity or unsubscribe before block {ends} (best block {})",
						report.best
					),
					CapacityStatus::Failing =>
						"failing: short of capacity past the grace period".to_string(),
				}
			);
			println!("endpoint: {}", String::from_utf8_lossy(&view.endpoint));
			let placeholder = match operator::is_placeholder_onion_key(me, &view.onion_key) {
				true => {
					" (placeholder, not a real key: register the node's own with `bitcloud relay`)"
				},
				false => "",
			};
			println!("onion key: 0x{}{placeholder}", hex::encode(view.onion_key));
			println!("unmoderated: {}", if view.unmoderated { "yes" } else { "no" });
			println!("epoch: {}", report.epoch);
			println!("subscriptions: {}", view.subscriptions.len());
			for moderator in &view.subscriptions {
				let ends = view.unsubscribing.iter().find(|(m, _)| m == moderator);
				match ends {
					None => println!("subscription: {}", ss58(moderator)),
					Some((_, ends)) if *ends <= report.epoch => println!(
						"subscription: {} (ended at the start of epoch {ends})",
						ss58(moderator)
					),
					Some((_, ends)) => println!(
						"subscription: {} (unsubscribing: held until the start of epoch {ends})",
						ss58(moderator)
					),
				}
			}
		},
	}
	if let Some(standing) = &report.standing {
		print_standing(standing);
	}
	Ok(())
}

fn run_validator(cli: &Cli, rpc: &Rpc, command: &ValidatorCommand) -> Result<(), Error> {
	match command {
		ValidatorCommand::Keys { node_rpc } => {
			let signer = cli.require_signer()?;
			let node = Rpc::new(node_rpc.as_deref().unwrap_or(&cli.rpc));
			let rotated = validator::rotate_keys(&node, &signer.account())?;
			let included = validator::set_session_keys(rpc, &signer, &rotated)?;
			println!("account: {}", ss58(&signer.account()));
			println!("keys: 0x{}", hex::encode(&rotated.encoded));
			for (name, key) in validator::session_key_parts(&rotated.keys) {
				println!("{name}: {key}");
			}
			println!("block: {} (0x{})", included.number, hex::encode(included.block));
			eprintln!(
				"session keys set; they are used from the session after next once the account \
				 is in the validator set (governance: validatorSet.addValidator)"
			);
		},
		ValidatorCommand::Show { account } => {
			let report = validator::validator_report(rpc, &cli.or_signer(account)?)?;
			println!("account: {}", ss58(&report.account));
			match &report.keys {
				Some(keys) => {
					println!("session keys: yes");
					for (name, key) in validator::session_key_parts(keys) {
						println!("{name}: {key}");
					}
				},
				None => println!("session keys: no"),
			}
			let yes = |b: bool| if b { "yes" } else { "no" };
			println!("in the validator set: {}", yes(report.in_set));
			println!("validating in session {}: {}", report.session, yes(report.in_session));
		},
	}
	Ok(())
}

fn run_store(cli: &Cli, rpc: &Rpc, args: &StoreArgs) -> Result<(), Error> {
	let signer = cli.require_signer()?;
	let mut store = Store::new(rpc, &signer)?;
	if args.pay {
		store = store.paying()?;
	}
	match &args.command {
		StoreCommand::Init => {
			let state = match store.init()? {
				store::Init::Published => "published",
				store::Init::AlreadyPublished => "already published",
			};
			println!("encryption key 0x{}: {state}", hex::encode(store.public_key()));
		},
		StoreCommand::Put { paths, moderator, replicas, epochs, prefix, .. } => {
			// clap lets through exactly one of --moderator and --anonymous.
			let terms =
				Terms { moderator: moderator.clone(), replicas: *replicas, epochs: *epochs };
			let options = PutOptions { terms, prefix: prefix.clone() };
			let (bar, mut progress) = bar("push");
			let report = store.put(paths, &options, &mut progress);
			bar.finish_and_clear();
			print_put(&report?)?;
		},
		StoreCommand::Ls => print_listing(&store.list()?),
		StoreCommand::Get { path, output, shared, stripe, anonymous } => {
			let mut store = store.with_stripe(usize::from(*stripe));
			if *anonymous {
				store = store.onion_only();
			}
			let (bar, mut progress) = bar("get");
			// clap lets through exactly one of PATH and --shared.
			let report = match (shared, path) {
				(Some(share), _) => store.get_shared(*share, output, &mut progress),
				(None, Some(path)) => store.get(path, output, &mut progress),
				(None, None) => Err(Error::Input("give PATH or --shared SHARE_ID".into())),
			};
			bar.finish_and_clear();
			let report = report?;
			print_download(&report.download);
			println!(
				"{}: {} bytes decrypted and written to {}",
				report.name,
				report.plain_len,
				output.display()
			);
		},
		StoreCommand::Rm { path } => {
			let report = store.remove(path)?;
			match report.lease {
				Some(lease) => println!("removed {} (lease {lease})", report.path),
				None => println!("removed {}", report.path),
			}
			print_index_save(&report.index);
		},
		StoreCommand::Share { path, to } => {
			let share = store.share(path, to)?;
			println!(
				"shared {path} with {}: share {share} (a deposit is held until they dismiss it)",
				ss58(to)
			);
		},
		StoreCommand::Inbox => {
			let items = store.inbox()?;
			if items.is_empty() {
				println!("your inbox is empty");
			}
			for item in items {
				match &item.file {
					Ok(file) => println!(
						"{:>6}  from {}  {:>12} bytes  {}",
						item.id,
						ss58(&item.from),
						file.plain_len,
						file.name
					),
					Err(why) => {
						println!("{:>6}  from {}  unreadable: {why}", item.id, ss58(&item.from))
					},
				}
			}
		},
		StoreCommand::Renew { paths, epochs } => print_renew(&store.renew(paths, *epochs)?),
		StoreCommand::Dismiss { share } => {
			let gone = store.dismiss(*share)?;
			println!(
				"dismissed share {} from {}: their deposit of {} is returned",
				gone.id,
				ss58(&gone.from),
				economy::format_cld(gone.deposit)
			);
		},
		StoreCommand::Unshare { share, to } => {
			let gone = store.unshare(*share, to)?;
			println!(
				"took back share {} from the inbox of {}: your deposit of {} is released",
				gone.id,
				ss58(&gone.to),
				economy::format_cld(gone.deposit)
			);
		},
	}
	Ok(())
}

/// What `store renew` did: each lease's paid-until epoch before and now, and what was held.
fn print_renew(report: &store::RenewReport) {
	for renewed in &report.renewed {
		println!(
			"renewed {}  lease {}  paid until epoch {} (was {})  held {}",
			renewed.label,
			renewed.lease,
			renewed.paid_until,
			renewed.was_paid_until,
			economy::format_cld(renewed.held)
		);
	}
	println!(
		"held for {} more epochs of {} leases: {}",
		report.epochs,
		report.renewed.len(),
		economy::format_cld(report.held)
	);
}

/// Which replicas a download used and dropped, on stderr.
fn print_download(report: &DownloadReport) {
	for (replica, reason) in &report.failures {
		eprintln!("dropped {}: {reason}", replica.gateway);
	}
	for (replica, bytes) in &report.served {
		eprintln!("{} bytes verified from {}", bytes, replica.gateway);
	}
}

/// What `store put` did; an error when some file was not stored.
fn print_put(report: &PutReport) -> Result<(), Error> {
	if report.key_published {
		println!("encryption key published: others can share files with you");
	}
	let held: Balance = report.stored.iter().map(|object| object.held).sum();
	for object in &report.stored {
		println!(
			"stored {}  {} bytes  lease {}  {}",
			object.path,
			object.plain_len,
			object.lease,
			hex::encode(object.id)
		);
	}
	print_pushes(&report.pushes);
	for (object, why) in &report.not_taken {
		println!("not stored {} (no node took it; its lease is ended): {why}", object.path);
	}
	println!("held for the files' leases: {}", economy::format_cld(held));
	print_index_save(&report.index);
	match report.not_taken.first() {
		Some((_, why)) => Err(why.clone().map_message(|_| {
			format!("{} file(s) not stored: put them again", report.not_taken.len())
		})),
		None => Ok(()),
	}
}

/// How each node took the pushed objects.
/// Who took pushes: the node, or the onion layer's exit (unknown to the client).
fn pusher(pushes: &NodePushes) -> String {
	pushes.node.as_ref().map(ss58).unwrap_or_else(|| "(an onion exit)".into())
}

fn print_pushes(pushes: &[NodePushes]) {
	for node in pushes {
		let total = node.taken.len() + node.failed.len();
		match node.failed.is_empty() {
			true => println!("{}  {}  took all {total}", pusher(node), node.gateway),
			false => println!(
				"{}  {}  failed {} of {total}",
				pusher(node),
				node.gateway,
				node.failed.len()
			),
		}
		for (label, reason) in &node.failed {
			println!("    {label}: {reason}");
		}
	}
}

/// The new index and the leases it let go.
fn print_index_save(save: &IndexSave) {
	let took = save.pushes.iter().filter(|node| node.failed.is_empty()).count();
	println!(
		"index: lease {}, paid until epoch {}, pushed to {took} of {} nodes",
		save.lease,
		save.paid_until,
		save.pushes.len()
	);
	print_ending(&save.ending);
}

fn print_ending(ending: &Ending) {
	let list = |ids: &[u64]| ids.iter().map(u64::to_string).collect::<Vec<_>>().join(", ");
	if !ending.ended.is_empty() {
		println!("ended leases: {}", list(&ending.ended));
	}
	if !ending.left.is_empty() {
		let why = ending.error.as_ref().map(|e| format!(": {e}")).unwrap_or_default();
		eprintln!(
			"warning: leases {} are no longer used but still run until their paid epochs are \
			 over{why}",
			list(&ending.left)
		);
	}
}

/// What `store ls` shows: the index's lease and how it stands, then every file's, and what
/// to do when leases run out.
fn print_listing(listing: &StoreListing) {
	let epoch = listing.epoch;
	let mut to_renew = false;
	match &listing.index {
		Some((lease, status)) => {
			let standing = status.standing(epoch);
			println!(
				"epoch {epoch}; index: lease {lease}, paid until epoch {}, keepers {}/{}{}",
				status.paid_until,
				status.keepers,
				status.replicas,
				standing_note(standing)
			);
			if let Some(warning) = index_warning(standing) {
				println!("{warning}");
			}
			to_renew |= renewable(standing);
		},
		None => println!("nothing stored yet (bitcloud store put PATH --moderator M)"),
	}
	let width = listing.files.iter().map(|file| file.path.chars().count()).max().unwrap_or(0);
	let width = width.min(60);
	for file in &listing.files {
		let lease = match (file.lease, &file.status) {
			(Some(lease), Some(status)) => {
				let standing = status.standing(epoch);
				to_renew |= renewable(standing);
				format!(
					"lease {lease}  paid until {}  keepers {}/{}{}",
					status.paid_until,
					status.keepers,
					status.replicas,
					standing_note(standing)
				)
			},
			(Some(lease), None) => format!("lease {lease}  closed: store it again"),
			(None, _) => "no lease".to_string(),
		};
		println!("{:<width$}  {:>12} bytes  {lease}", file.path, file.plain_len);
	}
	if to_renew {
		println!("pay more epochs with: bitcloud store renew [PATH...] --epochs N");
	}
}

/// How a lease stands, after its `ls` line (nothing when it is paid for long enough).
fn standing_note(standing: store::Standing) -> String {
	match standing {
		store::Standing::Paid { .. } => String::new(),
		store::Standing::RunningOut { left } => format!("  running out: {left} epochs left"),
		store::Standing::Unpaid { closable_from } => {
			format!("  unpaid: renew before epoch {closable_from}")
		},
		store::Standing::Closable => "  expired: store it again".into(),
		store::Standing::Ended => "  ended".into(),
	}
}

/// Whether a lease that stands so wants renewing (and still can be).
fn renewable(standing: store::Standing) -> bool {
	matches!(standing, store::Standing::RunningOut { .. } | store::Standing::Unpaid { .. })
}

/// What `ls` says when the index's lease runs out: every file is found through it.
fn index_warning(standing: store::Standing) -> Option<String> {
	let lost = "every file you store is found through it";
	match standing {
		store::Standing::RunningOut { left } => Some(format!(
			"warning: your index is paid for {left} more epochs only ({lost}): renew it with \
			 `bitcloud store renew`"
		)),
		store::Standing::Unpaid { closable_from } => Some(format!(
			"warning: your index is no longer paid ({lost}): renew it with `bitcloud store \
			 renew` before epoch {closable_from}, when its keepers may delete it"
		)),
		store::Standing::Closable => Some(format!(
			"warning: your index's grace period is over ({lost}): its keepers may delete it; \
			 store your files again (bitcloud store put)"
		)),
		store::Standing::Paid { .. } | store::Standing::Ended => None,
	}
}

fn print_quota(rpc: &Rpc, account: &AccountId) -> Result<(), Error> {
	let (epoch, quota) = economy::quota(rpc, account)?;
	println!("{}: locked {}", ss58(account), economy::format_cld(quota.locked));
	if quota.unlocking > 0 {
		println!("unlocking {}", economy::format_cld(quota.unlocking));
	}
	println!("epoch {epoch}: quota {} bytes, {} used", quota.quota, quota.used);
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

#[cfg(test)]
mod tests {
	use super::*;
	use clap::CommandFactory;

	fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
		Cli::try_parse_from(["bitcloud"].iter().chain(args))
	}

	const M: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";

	#[test]
	fn the_command_line_is_consistent() {
		Cli::command().debug_assert();
	}

	#[test]
	fn store_put_takes_paths_and_defaults() {
		let cli = parse(&["store", "put", "a", "b", "--moderator", M, "--as", "/backup/"]).unwrap();
		let Command::Store(StoreArgs {
			command: StoreCommand::Put { paths, replicas, epochs, prefix, .. },
			pay,
		}) = cli.command
		else {
			panic!("not a put");
		};
		assert_eq!(paths, [PathBuf::from("a"), PathBuf::from("b")]);
		assert_eq!((replicas, epochs, pay), (DEFAULT_REPLICAS, DEFAULT_EPOCHS, false));
		assert_eq!(prefix.as_deref(), Some("backup"));
	}

	#[test]
	fn store_arguments_are_checked() {
		// No path, no moderator, zero replicas or epochs, a prefix leaving the storage.
		assert!(parse(&["store", "put", "--moderator", M]).is_err());
		assert!(parse(&["store", "put", "a"]).is_err());
		assert!(parse(&["store", "put", "a", "--moderator", "nobody"]).is_err());
		assert!(parse(&["store", "put", "a", "--moderator", M, "--replicas", "0"]).is_err());
		assert!(parse(&["store", "put", "a", "--moderator", M, "--epochs", "0"]).is_err());
		let escape = parse(&["store", "put", "a", "--moderator", M, "--as", "../x"]);
		assert!(escape.is_err_and(|e| e.to_string().contains("'..'")));
		// get: PATH or --shared, not both, and -o.
		assert!(parse(&["store", "get", "a.txt", "-o", "out"]).is_ok());
		assert!(parse(&["store", "get", "--shared", "3", "-o", "out"]).is_ok());
		assert!(parse(&["store", "get", "-o", "out"]).is_err());
		assert!(parse(&["store", "get", "a.txt", "--shared", "3", "-o", "out"]).is_err());
		assert!(parse(&["store", "get", "a.txt"]).is_err());
		assert!(parse(&["store", "get", "a//b", "-o", "out"]).is_err());
		// share needs --to, an account.
		assert!(parse(&["store", "share", "a.txt"]).is_err());
		assert!(parse(&["store", "share", "a.txt", "--to", "x"]).is_err());
		assert!(parse(&["store", "share", "a.txt", "--to", M]).is_ok());
		assert!(parse(&["store", "inbox", "--pay"]).is_ok_and(|cli| matches!(
			cli.command,
			Command::Store(StoreArgs { pay: true, command: StoreCommand::Inbox })
		)));
	}

	#[test]
	fn store_commands_need_a_key() {
		let cli = parse(&["store", "ls"]).unwrap();
		let Command::Store(args) = &cli.command else { panic!("not store") };
		let rpc = Rpc::new("http://127.0.0.1:1");
		let error = run_store(&cli, &rpc, args).err().map(|e| e.to_string()).unwrap_or_default();
		assert!(error.contains("this needs your key"), "{error}");
	}

	#[test]
	fn store_renew_dismiss_and_unshare_take_their_arguments() {
		let cli = parse(&["store", "renew", "/a.txt", "d/b", "--epochs", "6"]).unwrap();
		let Command::Store(StoreArgs { command: StoreCommand::Renew { paths, epochs }, .. }) =
			cli.command
		else {
			panic!("not a renew");
		};
		assert_eq!((paths, epochs), (vec!["a.txt".to_string(), "d/b".to_string()], 6));
		let all = parse(&["store", "renew", "--epochs", "1"]).unwrap();
		assert!(matches!(
			all.command,
			Command::Store(StoreArgs { command: StoreCommand::Renew { ref paths, .. }, .. })
				if paths.is_empty()
		));
		assert!(parse(&["store", "renew"]).is_err(), "--epochs is needed");
		assert!(parse(&["store", "renew", "../a", "--epochs", "1"]).is_err());
		assert!(parse(&["store", "dismiss", "7"]).is_ok());
		assert!(parse(&["store", "dismiss"]).is_err());
		assert!(parse(&["store", "dismiss", "x"]).is_err());
		assert!(parse(&["store", "unshare", "7", "--to", M]).is_ok());
		assert!(parse(&["store", "unshare", "7"]).is_err());
		assert!(parse(&["store", "unshare", "7", "--to", "nobody"]).is_err());
	}

	#[test]
	fn renewing_by_zero_epochs_is_refused_before_the_chain_is_asked() {
		let cli = parse(&["--suri", "//Ferdie", "store", "renew", "--epochs", "0"]).unwrap();
		let Command::Store(args) = &cli.command else { panic!("not store") };
		let rpc = Rpc::new("http://127.0.0.1:1");
		let error = run_store(&cli, &rpc, args).expect_err("refused");
		assert!(matches!(error, Error::Refused(_)), "{error:?}");
		assert!(error.message().starts_with("--epochs must be at least 1"), "{error}");
	}
}
