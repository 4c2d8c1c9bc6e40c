//! The relays the chain knows, and how a client picks a path through them.

use bitcloud_primitives::{AccountId, ContentId};
use rand::seq::SliceRandom;
use std::net::IpAddr;

/// A relay as the node registry describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayInfo {
	/// The node's account.
	pub account: AccountId,
	/// The HTTP endpoint of its gateway (`http://host:port`); relays listen on
	/// `/onion` there.
	pub endpoint: String,
	/// Its x25519 onion key.
	pub onion_key: [u8; 32],
}

/// What a relay needs from the chain. The node implements it over `NodesApi`; tests in
/// memory. Calls may block: async code calls them on blocking threads.
pub trait Directory: Send + Sync + 'static {
	/// The relay registered under `account`, if it is one (Active, carrying unmoderated
	/// traffic, with an onion key).
	fn relay(&self, account: &AccountId) -> Result<Option<RelayInfo>, String>;

	/// Every relay.
	fn relays(&self) -> Result<Vec<RelayInfo>, String>;
}

/// A fixed list of relays (tests, and a client that read the registry once).
impl Directory for Vec<RelayInfo> {
	fn relay(&self, account: &AccountId) -> Result<Option<RelayInfo>, String> {
		Ok(self.iter().find(|relay| relay.account == *account).cloned())
	}

	fn relays(&self) -> Result<Vec<RelayInfo>, String> {
		Ok(self.clone())
	}
}

/// `host:port` of an `http://` endpoint.
pub fn endpoint_authority(endpoint: &str) -> Result<&str, String> {
	let rest = endpoint
		.strip_prefix("http://")
		.ok_or_else(|| format!("endpoint {endpoint:?} is not an http:// URL"))?;
	let authority = rest.split('/').next().unwrap_or_default();
	if authority.is_empty() || !authority.contains(':') {
		return Err(format!("endpoint {endpoint:?} names no host:port"));
	}
	Ok(authority)
}

/// Who runs a relay, as far as a client can tell: the host of its endpoint, unless that is a
/// loopback address (local test networks, where every relay is on one machine). Two relays
/// with the same operator never share a circuit.
fn operator(relay: &RelayInfo) -> Option<String> {
	let authority = endpoint_authority(&relay.endpoint).ok()?;
	let host = authority.rsplit_once(':').map_or(authority, |(host, _)| host);
	let host = host.trim_start_matches('[').trim_end_matches(']');
	match host.parse::<IpAddr>() {
		Ok(ip) if ip.is_loopback() => None,
		_ if host == "localhost" => None,
		_ => Some(host.to_ascii_lowercase()),
	}
}

/// A random path of `hops` distinct relays, none sharing an operator, none in `avoid`.
pub fn choose_path(
	relays: &[RelayInfo],
	hops: usize,
	avoid: &[AccountId],
) -> Result<Vec<RelayInfo>, String> {
	let mut candidates: Vec<&RelayInfo> = relays
		.iter()
		.filter(|relay| !avoid.contains(&relay.account) && relay.onion_key != [0; 32])
		.collect();
	candidates.shuffle(&mut rand::thread_rng());
	let mut path: Vec<RelayInfo> = Vec::with_capacity(hops);
	for relay in candidates {
		let taken = path.iter().any(|chosen| {
			chosen.account == relay.account
				|| operator(chosen).is_some_and(|op| Some(op) == operator(relay))
		});
		if !taken {
			path.push(relay.clone());
		}
		if path.len() == hops {
			return Ok(path);
		}
	}
	Err(format!(
		"only {} usable relays with distinct operators, {hops} needed ({} relays known, {} \
		 avoided)",
		path.len(),
		relays.len(),
		avoid.len()
	))
}

/// The order in which an exit asks relays for a content: highest rendezvous score first,
/// so every exit asks the same nodes first for the same content and publishing and fetching
/// meet.
pub fn storage_order(relays: &mut [RelayInfo], id: &ContentId) {
	relays.sort_by_cached_key(|relay| {
		let mut hasher = blake3::Hasher::new_derive_key("bitcloud 2026 unmoderated placement");
		hasher.update(id);
		hasher.update(relay.account.as_ref());
		std::cmp::Reverse(*hasher.finalize().as_bytes())
	});
}

#[cfg(test)]
mod tests {
	use super::*;

	fn relay(n: u8, endpoint: &str) -> RelayInfo {
		RelayInfo {
			account: AccountId::new([n; 32]),
			endpoint: endpoint.into(),
			onion_key: [n; 32],
		}
	}

	#[test]
	fn paths_have_distinct_nodes_and_operators() {
		let relays = vec![
			relay(1, "http://10.0.0.1:80"),
			relay(2, "http://10.0.0.1:81"),
			relay(3, "http://10.0.0.2:80"),
			relay(4, "http://10.0.0.3:80"),
		];
		for _ in 0..50 {
			let path = choose_path(&relays, 3, &[]).unwrap();
			let mut hosts: Vec<_> = path.iter().map(|r| operator(r).unwrap()).collect();
			hosts.dedup();
			hosts.sort();
			hosts.dedup();
			assert_eq!(hosts.len(), 3);
		}
		let err = choose_path(&relays, 3, &[AccountId::new([3; 32])]).unwrap_err();
		assert!(err.starts_with("only 2 usable relays"), "{err}");
	}

	#[test]
	fn loopback_relays_are_distinct_operators_and_avoided_ones_are_skipped() {
		let relays: Vec<_> = (1..=4).map(|n| relay(n, &format!("http://127.0.0.1:{n}"))).collect();
		for _ in 0..50 {
			let path = choose_path(&relays, 3, &[AccountId::new([2; 32])]).unwrap();
			assert!(path.iter().all(|r| r.account != AccountId::new([2; 32])));
			let mut accounts: Vec<_> = path.iter().map(|r| r.account.clone()).collect();
			accounts.sort();
			accounts.dedup();
			assert_eq!(accounts.len(), 3);
		}
	}

	#[test]
	fn endpoints_parse_or_explain() {
		assert_eq!(endpoint_authority("http://127.0.0.1:8080/x"), Ok("127.0.0.1:8080"));
		assert!(endpoint_authority("https://a:1").is_err());
		assert!(endpoint_authority("http://nohost").is_err());
		assert!(endpoint_authority("http://").is_err());
	}

	#[test]
	fn storage_order_is_the_same_everywhere_and_depends_on_the_content() {
		let relays: Vec<_> = (1..=8).map(|n| relay(n, "http://127.0.0.1:1")).collect();
		let mut a = relays.clone();
		let mut b = relays.clone();
		b.reverse();
		storage_order(&mut a, &[1; 32]);
		storage_order(&mut b, &[1; 32]);
		assert_eq!(a, b);
		let firsts: std::collections::BTreeSet<_> = (0..32u8)
			.map(|n| {
				let mut order = relays.clone();
				storage_order(&mut order, &[n; 32]);
				order[0].account.clone()
			})
			.collect();
		assert!(firsts.len() > 3, "placement spreads over nodes");
	}
}
