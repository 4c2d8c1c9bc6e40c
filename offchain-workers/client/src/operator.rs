//! A node operator's routine without polkadot-js: register a content node, change its
//! capacity, endpoint, onion key and unmoderated flag, its subscriptions and its bond, leave
//! and withdraw the bond (`pallet-nodes`). Validators have theirs in [`crate::validator`].
//!
//! Every call goes through [`Rpc::execute`], so a refusal comes back with the runtime's name
//! for it (for example `Nodes(AlreadyRegistered)`).

use crate::{
	economy::{self, StandingView},
	keys::ss58,
	queries::{self, NodeView},
	rpc::Rpc,
	Error, Signer,
};
use bitcloud_primitives::{AccountId, Balance, BlockNumber, EpochIndex, Standing};
use bitcloud_runtime::{Runtime, RuntimeCall, RuntimeEvent};
use polkadot_sdk::sp_crypto_hashing::blake2_256;

/// The event of `pallet-nodes` in this runtime.
type NodesEvent = pallet_nodes::Event<Runtime>;

/// An x25519 onion key (32 bytes).
pub type OnionKey = pallet_nodes::OnionKey;

// Sizes.

/// The units [`parse_size`] accepts (lower case) and their bytes: IEC units are powers of
/// 1024, SI units powers of 1000.
const UNITS: [(&str, u64); 13] = [
	("b", 1),
	("kib", 1 << 10),
	("mib", 1 << 20),
	("gib", 1 << 30),
	("tib", 1 << 40),
	("pib", 1 << 50),
	("eib", 1 << 60),
	("kb", 1_000),
	("mb", 1_000_000),
	("gb", 1_000_000_000),
	("tb", 1_000_000_000_000),
	("pb", 1_000_000_000_000_000),
	("eb", 1_000_000_000_000_000_000),
];

/// Parses a size in bytes: a whole number, optionally followed by a unit, such as `4096`,
/// `512MiB`, `10 GiB` or `1TiB` (units are case-insensitive: `B`; `KiB`, `MiB`, `GiB`,
/// `TiB`, `PiB`, `EiB`, powers of 1024; `kB`, `MB`, `GB`, `TB`, `PB`, `EB`, powers of 1000;
/// `_` may group digits). Zero is refused (a capacity of nothing is never meant), and so is
/// anything above `u64::MAX` bytes.
pub fn parse_size(text: &str) -> Result<u64, Error> {
	let clean = text.trim().replace('_', "");
	let split = clean.find(|c: char| !c.is_ascii_digit()).unwrap_or(clean.len());
	let (number, unit) = clean.split_at(split);
	if number.is_empty() {
		return Err(Error::Input(format!(
			"{text:?} is not a size: give a whole number of bytes, optionally with a unit, \
			 such as 512MiB, 10GiB or 1TiB"
		)));
	}
	if unit.starts_with(['.', ',']) {
		return Err(Error::Input(format!(
			"{text:?}: give a whole number of units (for example 1536MiB rather than 1.5GiB)"
		)));
	}
	let unit = unit.trim().to_ascii_lowercase();
	let multiplier = match unit.as_str() {
		"" => 1,
		unit => UNITS.iter().find(|(name, _)| *name == unit).map(|(_, bytes)| *bytes).ok_or_else(
			|| {
				Error::Input(format!(
					"{text:?}: unknown unit; use B, KiB, MiB, GiB, TiB, PiB or EiB (powers of \
					 1024) or kB, MB, GB, TB, PB or EB (powers of 1000)"
				))
			},
		)?,
	};
	let too_large =
		|| Error::Input(format!("{text:?} is too large: at most {} bytes (16 EiB)", u64::MAX));
	// Only digits are left, so parsing fails on overflow alone.
	let bytes =
		number.parse::<u64>().ok().and_then(|n| n.checked_mul(multiplier)).ok_or_else(too_large)?;
	if bytes == 0 {
		return Err(Error::Input(format!("{text:?} is 0 bytes: the size must be more than 0")));
	}
	Ok(bytes)
}

/// A size for people, in the largest power-of-1024 unit it reaches: `10 GiB`, `1.50 KiB`,
/// `300 B`.
pub fn format_size(bytes: u64) -> String {
	let units = [(60, "EiB"), (50, "PiB"), (40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")];
	for (shift, name) in units {
		let unit = 1u64 << shift;
		if bytes >= unit {
			return match bytes % unit {
				0 => format!("{} {name}", bytes / unit),
				_ => format!("{:.2} {name}", bytes as f64 / unit as f64),
			};
		}
	}
	format!("{bytes} B")
}

// Registration.

/// What [`placeholder_onion_key`] hashes before the account.
const PLACEHOLDER_LABEL: &[u8] = b"bitcloud/placeholder-onion-key/";

/// The onion key registered for a node that gives none: `blake2_256` of
/// `"bitcloud/placeholder-onion-key/"` followed by the account's 32 bytes, made the way the
/// development chain's genesis makes its sample keys (`runtime/src/genesis_presets.rs`).
///
/// The pallet wants a key that is not all zeros; this one is a hash, not the public half of
/// a secret anybody holds, so no circuit can be built through it, and anybody can recompute
/// it from the account to see that it is a placeholder ([`is_placeholder_onion_key`]). A node
/// registered with it does not carry unmoderated traffic; an onion relay registers its real
/// key (the one `bitcloud-node --onion` logs) with `bitcloud relay`.
pub fn placeholder_onion_key(account: &AccountId) -> OnionKey {
	let account: &[u8] = account.as_ref();
	blake2_256(&[PLACEHOLDER_LABEL, account].concat())
}

/// Whether `key` is `account`'s [`placeholder_onion_key`].
pub fn is_placeholder_onion_key(account: &AccountId, key: &OnionKey) -> bool {
	placeholder_onion_key(account) == *key
}

/// Checks a gateway URL to register (`http://` and a host: the gateway, the client and the
/// onion directory speak plain HTTP; TLS is a proxy's job, not yet supported) and returns its
/// bytes. The chain checks its length.
pub fn parse_endpoint(text: &str) -> Result<Vec<u8>, Error> {
	let rest = text.strip_prefix("http://");
	match rest {
		Some(rest)
			if !rest.is_empty()
				&& !rest.starts_with('/')
				&& !text.contains(char::is_whitespace) =>
		{
			Ok(text.as_bytes().to_vec())
		},
		_ => Err(Error::Input(format!(
			"{text:?} is not a gateway URL: give http://HOST:PORT (where \
			 clients reach the node's gateway)"
		))),
	}
}

const UNMODERATED_NEEDS_KEY: &str = "--unmoderated needs --onion-key: an unmoderated node is \
	an onion relay, and clients encrypt to its own onion key (the one `bitcloud-node --onion` \
	logs); circuits through a placeholder key would fail";

/// A new node's registration (`nodes.registerNode`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
	/// Bond, in planck: at least the chain's minimum.
	pub bond: Balance,
	/// Storage offered, in bytes.
	pub capacity: u64,
	/// The gateway URL clients reach.
	pub endpoint: String,
	/// The node's onion key; none registers the [`placeholder_onion_key`].
	pub onion_key: Option<OnionKey>,
	/// Whether the node carries unmoderated (onion-only) traffic; needs `onion_key`.
	pub unmoderated: bool,
}

impl Registration {
	/// The `registerNode` call for `account`, once the registration is checked: an
	/// unmoderated node needs its own onion key, the endpoint must be a URL.
	pub fn call(&self, account: &AccountId) -> Result<pallet_nodes::Call<Runtime>, Error> {
		if self.unmoderated && self.onion_key.is_none() {
			return Err(Error::Input(UNMODERATED_NEEDS_KEY.into()));
		}
		Ok(pallet_nodes::Call::register_node {
			bond: self.bond,
			capacity: self.capacity,
			endpoint: parse_endpoint(&self.endpoint)?,
			onion_key: self.onion_key.unwrap_or_else(|| placeholder_onion_key(account)),
			unmoderated: self.unmoderated,
		})
	}
}

/// What to do about the node registry's refusals an operator meets.
const HINTS: [(&str, &str); 8] = [
	("AlreadyRegistered", "the account already has a node: change it with `bitcloud node update`"),
	("NotRegistered", "register the node first (`bitcloud node register`)"),
	("BondTooLow", "the bond is below the chain's minimum node bond"),
	("InsufficientBalance", "the account cannot pay that bond and keep its existential deposit"),
	(
		"CapacityExceeded",
		"the capacity must cover the catalogs the node subscribes to (`bitcloud node show`: \
		 required by subscriptions)",
	),
	(
		"SubscriptionsNotEnded",
		"unsubscribe from every moderator first (`bitcloud node unsubscribe M`) and deregister \
		 from the epoch the last subscription ends (`bitcloud node show`)",
	),
	("NotUnbonding", "there is no unbonding bond: deregister first (`bitcloud node deregister`)"),
	(
		"UnbondingNotElapsed",
		"the bond is still unbonding: `bitcloud node show` tells from which block it can be \
		 withdrawn",
	),
];

/// `error` with what to do about it, when it is one of the node registry's refusals in
/// [`HINTS`].
fn with_hint(error: Error) -> Error {
	let hint = HINTS.iter().find(|(name, _)| error.message().ends_with(&format!("Nodes({name})")));
	match hint {
		Some((_, hint)) => error.map_message(|error| format!("{error}: {hint}")),
		None => error,
	}
}

/// Signs and executes a node registry call (see [`Rpc::execute`]); its events.
fn execute(
	rpc: &Rpc,
	signer: &Signer,
	call: pallet_nodes::Call<Runtime>,
) -> Result<Vec<RuntimeEvent>, Error> {
	rpc.execute(signer, RuntimeCall::Nodes(call)).map_err(with_hint)
}

/// Registers the signer's content node (`nodes.registerNode`); the bond is held.
pub fn register_node(rpc: &Rpc, signer: &Signer, registration: &Registration) -> Result<(), Error> {
	let call = registration.call(&signer.account())?;
	execute(rpc, signer, call).map(drop)
}

/// A change of a node's registration: the fields given replace the registered ones, the
/// others stay.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeUpdate {
	/// New capacity, in bytes.
	pub capacity: Option<u64>,
	/// New gateway URL.
	pub endpoint: Option<String>,
	/// New onion key.
	pub onion_key: Option<OnionKey>,
	/// Whether to carry unmoderated traffic.
	pub unmoderated: Option<bool>,
}

impl NodeUpdate {
	/// Whether it changes nothing.
	pub fn is_empty(&self) -> bool {
		*self == NodeUpdate::default()
	}

	/// Checks what can be checked without the registration: the change is not empty, and the
	/// endpoint, if given, is a URL.
	pub fn check(&self) -> Result<(), Error> {
		if self.is_empty() {
			return Err(Error::Input(
				"nothing to change: give --capacity, --endpoint, --onion-key or --unmoderated"
					.into(),
			));
		}
		self.endpoint.as_deref().map(parse_endpoint).transpose().map(drop)
	}

	/// The `updateNode` call that applies it to `current`, `account`'s registration. Refuses
	/// what [`NodeUpdate::check`] refuses, and carrying unmoderated traffic with the
	/// placeholder onion key.
	pub fn call(
		&self,
		account: &AccountId,
		current: &NodeView,
	) -> Result<pallet_nodes::Call<Runtime>, Error> {
		self.check()?;
		let onion_key = self.onion_key.unwrap_or(current.onion_key);
		let unmoderated = self.unmoderated.unwrap_or(current.unmoderated);
		if unmoderated && is_placeholder_onion_key(account, &onion_key) {
			return Err(Error::Input(UNMODERATED_NEEDS_KEY.into()));
		}
		let endpoint = match &self.endpoint {
			Some(endpoint) => parse_endpoint(endpoint)?,
			None => current.endpoint.clone(),
		};
		Ok(pallet_nodes::Call::update_node {
			capacity: self.capacity.unwrap_or(current.capacity),
			endpoint,
			onion_key,
			unmoderated,
		})
	}
}

/// `account`'s node registration as the chain has it, if it is a registered node.
pub fn node(rpc: &Rpc, account: &AccountId) -> Result<Option<NodeView>, Error> {
	rpc.runtime_api("NodesApi_node", account)
}

/// `account`'s node registration; an error naming the account when it has none.
pub fn registration(rpc: &Rpc, account: &AccountId) -> Result<NodeView, Error> {
	node(rpc, account)?.ok_or_else(|| {
		Error::Refused(format!(
			"{} is not a registered node: register it first (bitcloud node register)",
			ss58(account)
		))
	})
}

/// Changes the signer's node registration (`nodes.updateNode`): reads the registration from
/// the chain and keeps every field `update` does not give.
pub fn update_node(rpc: &Rpc, signer: &Signer, update: &NodeUpdate) -> Result<(), Error> {
	let account = signer.account();
	let call = update.call(&account, &registration(rpc, &account)?)?;
	execute(rpc, signer, call).map(drop)
}

/// The events of `pallet-nodes` among `events`.
fn nodes_events(events: Vec<RuntimeEvent>) -> impl Iterator<Item = NodesEvent> {
	events.into_iter().filter_map(|event| match event {
		RuntimeEvent::Nodes(event) => Some(event),
		_ => None,
	})
}

/// The first of `events` that `pick` takes, or an error saying the chain did not report
/// `what`.
fn find_event<T>(
	events: Vec<RuntimeEvent>,
	what: &str,
	pick: impl FnMut(NodesEvent) -> Option<T>,
) -> Result<T, Error> {
	nodes_events(events).find_map(pick).ok_or_else(|| {
		Error::BadPeer(format!("the transaction went through but reported no {what}"))
	})
}

/// What [`subscribe`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
	/// The node now subscribes to the moderator.
	New,
	/// The node was unsubscribing from the moderator; it no longer is.
	UnsubscriptionCancelled,
}

/// Subscribes the signer's node to `moderator` (`nodes.subscribe`): the node must then hold
/// the moderator's catalog.
pub fn subscribe(rpc: &Rpc, signer: &Signer, moderator: &AccountId) -> Result<Subscribed, Error> {
	let call = pallet_nodes::Call::subscribe { moderator: moderator.clone() };
	let events = execute(rpc, signer, call)?;
	find_event(events, "subscription", |event| match event {
		NodesEvent::Subscribed { .. } => Some(Subscribed::New),
		NodesEvent::UnsubscriptionCancelled { .. } => Some(Subscribed::UnsubscriptionCancelled),
		_ => None,
	})
}

/// What [`unsubscribe`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsubscribed {
	/// The node stays subscribed (and must hold the catalog) until the start of this epoch.
	Ends(EpochIndex),
	/// Ended at once (the moderator is not live).
	Now,
}

/// Unsubscribes the signer's node from `moderator` (`nodes.unsubscribe`).
pub fn unsubscribe(
	rpc: &Rpc,
	signer: &Signer,
	moderator: &AccountId,
) -> Result<Unsubscribed, Error> {
	let call = pallet_nodes::Call::unsubscribe { moderator: moderator.clone() };
	let events = execute(rpc, signer, call)?;
	find_event(events, "unsubscription", |event| match event {
		NodesEvent::UnsubscriptionScheduled { ends, .. } => Some(Unsubscribed::Ends(ends)),
		NodesEvent::Unsubscribed { .. } => Some(Unsubscribed::Now),
		_ => None,
	})
}

/// Deregisters the signer's node (`nodes.deregisterNode`); returns the bond now unbonding
/// and the first block [`withdraw_unbonded`] releases it at.
pub fn deregister(rpc: &Rpc, signer: &Signer) -> Result<(Balance, BlockNumber), Error> {
	let call = pallet_nodes::Call::deregister_node {};
	let events = execute(rpc, signer, call)?;
	find_event(events, "deregistration", |event| match event {
		NodesEvent::NodeDeregistered { bond, unlocks_at, .. } => Some((bond, unlocks_at)),
		_ => None,
	})
}

/// Releases the signer's bond once its unbonding period is over
/// (`nodes.withdrawUnbonded`); returns the amount released.
pub fn withdraw_unbonded(rpc: &Rpc, signer: &Signer) -> Result<Balance, Error> {
	let call = pallet_nodes::Call::withdraw_unbonded {};
	let events = execute(rpc, signer, call)?;
	find_event(events, "withdrawal", |event| match event {
		NodesEvent::BondWithdrawn { amount, .. } => Some(amount),
		_ => None,
	})
}

/// Adds `amount` to the signer's node bond (`nodes.bondExtra`); returns the bond now.
pub fn bond_extra(rpc: &Rpc, signer: &Signer, amount: Balance) -> Result<Balance, Error> {
	let call = pallet_nodes::Call::bond_extra { amount };
	let events = execute(rpc, signer, call)?;
	find_event(events, "bond increase", |event| match event {
		NodesEvent::BondIncreased { bond, .. } => Some(bond),
		_ => None,
	})
}

// What the chain knows of a node.

/// Where an account stands as a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeStatus {
	/// A registered node.
	Registered(NodeView),
	/// Deregistered; its bond is unbonding.
	Unbonding {
		/// Bond still held.
		amount: Balance,
		/// First block at which `withdraw_unbonded` releases it.
		unlocks_at: BlockNumber,
	},
	/// Banned (bond slashed); may not register again unless the ban is lifted.
	Banned,
	/// Not a node.
	NotANode,
}

/// A node as `bitcloud node show` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeReport {
	/// The account.
	pub account: AccountId,
	/// Registered, unbonding, banned or none of these.
	pub status: NodeStatus,
	/// Its standing under the storage law (none if it never was a node).
	pub standing: Option<StandingView>,
	/// The current epoch.
	pub epoch: EpochIndex,
	/// The best block's number.
	pub best: BlockNumber,
}

/// What the chain knows of `account` as a node: registration (`NodesApi_node`), ban
/// (`NodesApi_standing`), unbonding bond (`nodes.unbonding`), and standing under the storage
/// law (`StorageLawApi_standing`).
pub fn node_report(rpc: &Rpc, account: &AccountId) -> Result<NodeReport, Error> {
	let status = match node(rpc, account)? {
		Some(view) => NodeStatus::Registered(view),
		None => {
			let standing: Option<Standing> = rpc.runtime_api("NodesApi_standing", account)?;
			let key = pallet_nodes::Unbonding::<Runtime>::hashed_key_for(account);
			let unbonding: Option<pallet_nodes::UnbondingInfo<Runtime>> = rpc.storage(&key)?;
			match (standing, unbonding) {
				(Some(Standing::Banned), _) => NodeStatus::Banned,
				(_, Some(info)) => {
					NodeStatus::Unbonding { amount: info.amount, unlocks_at: info.unlocks_at }
				},
				_ => NodeStatus::NotANode,
			}
		},
	};
	Ok(NodeReport {
		account: account.clone(),
		status,
		standing: economy::standing(rpc, account)?,
		epoch: queries::current_epoch(rpc)?.epoch,
		best: rpc.best_number()?,
	})
}

#[cfg(test)]
mod tests {
	use super::*;
	use bitcloud_primitives::CapacityStatus;

	#[test]
	fn sizes_parse_with_units() {
		assert_eq!(parse_size("4096"), Ok(4096));
		assert_eq!(parse_size("512MiB"), Ok(512 << 20));
		assert_eq!(parse_size("10GiB"), Ok(10 << 30));
		assert_eq!(parse_size("10 gib"), Ok(10 << 30));
		assert_eq!(parse_size(" 1TiB "), Ok(1 << 40));
		assert_eq!(parse_size("3KiB"), Ok(3072));
		assert_eq!(parse_size("2kB"), Ok(2000));
		assert_eq!(parse_size("5GB"), Ok(5_000_000_000));
		assert_eq!(parse_size("1_000B"), Ok(1000));
		assert_eq!(parse_size("15EiB"), Ok(15 << 60));
		assert_eq!(parse_size("18446744073709551615"), Ok(u64::MAX));
	}

	#[test]
	fn bad_sizes_are_refused_with_reasons() {
		for zero in ["0", "0GiB", "000"] {
			let error = parse_size(zero).unwrap_err().to_string();
			assert!(error.contains("more than 0"), "{zero}: {error}");
		}
		for huge in ["16EiB", "18446744073709551616", "99999999999999999999999TiB"] {
			let error = parse_size(huge).unwrap_err().to_string();
			assert!(error.contains("too large"), "{huge}: {error}");
		}
		assert!(parse_size("1.5GiB").unwrap_err().to_string().contains("whole number"));
		for unknown in ["12XB", "10G", "10GiBs", "0x10"] {
			let error = parse_size(unknown).unwrap_err().to_string();
			assert!(error.contains("unknown unit"), "{unknown}: {error}");
		}
		for garbage in ["", "GiB", "-1", "ten"] {
			let error = parse_size(garbage).unwrap_err().to_string();
			assert!(error.contains("is not a size"), "{garbage}: {error}");
		}
	}

	#[test]
	fn sizes_print_in_binary_units() {
		assert_eq!(format_size(300), "300 B");
		assert_eq!(format_size(1536), "1.50 KiB");
		assert_eq!(format_size(10 << 30), "10 GiB");
		assert_eq!(format_size(1 << 40), "1 TiB");
		assert_eq!(format_size(u64::MAX), "16.00 EiB");
	}

	#[test]
	fn refusals_come_with_what_to_do() {
		let refused =
			|name: &str| Error::Refused(format!("the chain refused the transaction: {name}"));
		let hinted = with_hint(refused("Nodes(SubscriptionsNotEnded)"));
		assert!(matches!(hinted, Error::Refused(_)), "a hint keeps the advice: {hinted:?}");
		let error = hinted.to_string();
		assert!(
			error.starts_with(
				"the chain refused the transaction: Nodes(SubscriptionsNotEnded): unsubscribe"
			),
			"{error}"
		);
		for other in ["Nodes(ZeroAmount)", "Moderation(NotSubscribed)", "Nodes(NotUnbondingX)"] {
			assert_eq!(with_hint(refused(other)), refused(other));
		}
	}

	#[test]
	fn endpoints_are_http_urls() {
		assert_eq!(parse_endpoint("http://127.0.0.1:8080"), Ok(b"http://127.0.0.1:8080".to_vec()));
		assert!(parse_endpoint("https://node.example").is_err());
		for bad in ["", "127.0.0.1:8080", "http://", "http:///x", "ftp://x", "http://a b"] {
			assert!(parse_endpoint(bad).is_err(), "{bad}");
		}
	}

	fn account(byte: u8) -> AccountId {
		AccountId::new([byte; 32])
	}

	#[test]
	fn placeholder_onion_keys_are_per_account_and_recognised() {
		let (a, b) = (account(1), account(2));
		let key = placeholder_onion_key(&a);
		assert_ne!(key, [0; 32]);
		assert_ne!(key, placeholder_onion_key(&b));
		assert!(is_placeholder_onion_key(&a, &key));
		assert!(!is_placeholder_onion_key(&b, &key));
		let mut preimage = b"bitcloud/placeholder-onion-key/".to_vec();
		preimage.extend_from_slice(&[1; 32]);
		assert_eq!(key, blake2_256(&preimage));
	}

	fn registration() -> Registration {
		Registration {
			bond: 100,
			capacity: 1 << 30,
			endpoint: "http://127.0.0.1:8080".into(),
			onion_key: None,
			unmoderated: false,
		}
	}

	#[test]
	fn registrations_without_a_key_get_the_placeholder_unless_unmoderated() {
		let me = account(7);
		match registration().call(&me) {
			Ok(pallet_nodes::Call::register_node { onion_key, unmoderated: false, .. }) => {
				assert_eq!(onion_key, placeholder_onion_key(&me))
			},
			other => panic!("{other:?}"),
		}
		let relay = Registration { unmoderated: true, ..registration() };
		assert!(relay.call(&me).unwrap_err().to_string().contains("--onion-key"));
		let relay = Registration { onion_key: Some([9; 32]), ..relay };
		match relay.call(&me) {
			Ok(pallet_nodes::Call::register_node { onion_key, unmoderated: true, .. }) => {
				assert_eq!(onion_key, [9; 32])
			},
			other => panic!("{other:?}"),
		}
		let bad = Registration { endpoint: "localhost:8080".into(), ..registration() };
		assert!(bad.call(&me).unwrap_err().to_string().contains("not a gateway URL"));
	}

	fn view(me: &AccountId) -> NodeView {
		NodeView {
			bond: 100,
			capacity: 1 << 30,
			required: 0,
			capacity_status: CapacityStatus::Covered,
			endpoint: b"http://old:8080".to_vec(),
			onion_key: placeholder_onion_key(me),
			unmoderated: false,
			standing: Standing::Active,
			subscriptions: vec![],
			unsubscribing: vec![],
		}
	}

	#[test]
	fn updates_keep_every_field_not_given() {
		let me = account(3);
		let current = view(&me);
		let update = NodeUpdate { capacity: Some(2 << 30), ..Default::default() };
		assert_eq!(
			update.call(&me, &current),
			Ok(pallet_nodes::Call::update_node {
				capacity: 2 << 30,
				endpoint: current.endpoint.clone(),
				onion_key: current.onion_key,
				unmoderated: false,
			})
		);
		let update = NodeUpdate {
			endpoint: Some("http://new".into()),
			onion_key: Some([5; 32]),
			unmoderated: Some(true),
			..Default::default()
		};
		assert_eq!(
			update.call(&me, &current),
			Ok(pallet_nodes::Call::update_node {
				capacity: current.capacity,
				endpoint: b"http://new".to_vec(),
				onion_key: [5; 32],
				unmoderated: true,
			})
		);
	}

	#[test]
	fn updates_refuse_nothing_and_relaying_on_the_placeholder() {
		let me = account(4);
		let current = view(&me);
		assert!(NodeUpdate::default()
			.call(&me, &current)
			.unwrap_err()
			.to_string()
			.contains("nothing"));
		let relay = NodeUpdate { unmoderated: Some(true), ..Default::default() };
		assert!(relay.call(&me, &current).unwrap_err().to_string().contains("--onion-key"));
		let registered = NodeView { onion_key: [8; 32], ..current };
		assert!(relay.call(&me, &registered).is_ok());
	}
}
