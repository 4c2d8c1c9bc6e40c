//! Moving leased objects: pushes to the nodes serving a moderator (`PUT /content/{id}`, which
//! a node takes for an object with an active lease under a moderator it subscribes to), and
//! verified downloads from an object's keepers, then from the other nodes serving its
//! moderator. Objects under unmoderated leases (`--anonymous`) move through the onion layer
//! instead ([`crate::anonymous`]): published to an exit and fetched through three-hop
//! circuits, so no node learns who stores or fetches them.
//!
//! Leasing objects before they move, and ending the leases of those that went nowhere
//! ([`lease_all`], [`end_made`], [`end_leases`]), is here too: personal storage and anonymous
//! websites (`crate::site`) lease and move their objects alike.

use super::{
	chain::{self, Created, LeaseView, Terms},
	index::Ending,
};
use crate::{
	anonymous,
	download::{download, DownloadReport, Payer},
	operator,
	publish::{self, Push},
	queries,
	replicas::{epoch_seed, rendezvous_order, Replica},
	rpc::Rpc,
	Error, Signer,
};
use bitcloud_onion::{Anonymous, TransferReport};
use bitcloud_primitives::{AccountId, ContentId, LeaseId};
use bitcloud_runtime::RuntimeCall;
use polkadot_sdk::sp_core::H256;
use std::path::Path;

/// A node and its gateway.
pub type Gateway = (AccountId, String);

/// The nodes serving `moderator` that list a gateway.
pub fn gateways(rpc: &Rpc, moderator: &AccountId) -> Result<Vec<Gateway>, Error> {
	Ok(queries::nodes(rpc, moderator)?
		.into_iter()
		.filter_map(|(node, view)| Some((node, endpoint(view?.endpoint)?)))
		.collect())
}

/// A registered endpoint as a gateway URL, if it is one.
fn endpoint(bytes: Vec<u8>) -> Option<String> {
	String::from_utf8(bytes).ok().filter(|endpoint| !endpoint.is_empty())
}

/// An object to push: its name in reports, its file, content id and size.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
	/// What reports call it (a path of the index, or `(index)`).
	pub label: &'a str,
	/// The ciphertext's file.
	pub file: &'a Path,
	/// Its content id.
	pub id: ContentId,
	/// Its size.
	pub size: u64,
}

/// What reports call the onion layer where they name a gateway.
pub const ONION: &str = "onion";

/// Where uploads go: the gateways of the nodes serving the leases' moderator, or the onion
/// layer (unmoderated leases: an exit the client does not choose stores them).
#[derive(Debug, Clone)]
pub enum Route {
	/// Pushed over HTTP to these nodes.
	Gateways(Vec<Gateway>),
	/// Published through circuits.
	Onion(Anonymous),
}

/// How one node took the objects pushed to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodePushes {
	/// The node (none: the onion layer's exit, which the client does not learn).
	pub node: Option<AccountId>,
	/// Its gateway ([`ONION`] for the onion layer).
	pub gateway: String,
	/// Objects it stored or held already, by label.
	pub taken: Vec<String>,
	/// Objects it did not take, by label, and why.
	pub failed: Vec<(String, Error)>,
}

/// Pushes every upload to every gateway, in order. `progress` hears (bytes pushed of the
/// current object, its size).
pub fn push_all(
	gateways: &[Gateway],
	uploads: &[Upload],
	progress: &mut dyn FnMut(u64, u64),
) -> Vec<NodePushes> {
	gateways
		.iter()
		.map(|(node, gateway)| {
			let mut report = NodePushes {
				node: Some(node.clone()),
				gateway: gateway.clone(),
				taken: Vec::new(),
				failed: Vec::new(),
			};
			for upload in uploads {
				let label = upload.label.to_string();
				match publish::push(gateway, &upload.id, upload.file, upload.size, progress) {
					Push::Stored | Push::AlreadyStored => report.taken.push(label),
					Push::Failed(e) => report.failed.push((label, e)),
				}
			}
			report
		})
		.collect()
}

/// Sends every upload the way `route` says: see [`push_all`] and [`publish_all`].
pub fn push_via(
	route: &Route,
	uploads: &[Upload],
	progress: &mut dyn FnMut(u64, u64),
) -> Vec<NodePushes> {
	match route {
		Route::Gateways(gateways) => push_all(gateways, uploads, progress),
		Route::Onion(anonymous) => vec![publish_all(anonymous, uploads, progress)],
	}
}

/// Publishes every upload through circuits, in order, as unmoderated content: one report
/// for the onion layer. `progress` hears of each object once it is published.
pub fn publish_all(
	anonymous: &Anonymous,
	uploads: &[Upload],
	progress: &mut dyn FnMut(u64, u64),
) -> NodePushes {
	let mut report =
		NodePushes { node: None, gateway: ONION.into(), taken: Vec::new(), failed: Vec::new() };
	for upload in uploads {
		let label = upload.label.to_string();
		match anonymous::publish(anonymous, upload.file) {
			Ok((id, ..)) if id == upload.id => {
				progress(upload.size, upload.size);
				report.taken.push(label)
			},
			Ok(_) => {
				let why = format!("{} changed while it was published", upload.file.display());
				report.failed.push((label, Error::Local(why)))
			},
			Err(e) => report.failed.push((label, e)),
		}
	}
	report
}

/// Leases every object of `objects` (content id, bytes) under `terms`, after the calls
/// `before` (the account's key, for personal storage), all signed at once; the lease of each
/// object, in order. If the chain refuses a call, the leases it made anyway are ended
/// ([`end_made`]) and the error says so.
pub fn lease_all(
	rpc: &Rpc,
	signer: &Signer,
	before: Vec<RuntimeCall>,
	objects: &[(ContentId, u64)],
	terms: &Terms,
) -> Result<Vec<Created>, Error> {
	let creates = objects.iter().map(|(id, bytes)| chain::create_lease(*id, *bytes, terms));
	let calls = before.into_iter().chain(creates).collect();
	let created: Result<Vec<Created>, Error> =
		chain::execute_all(rpc, signer, calls).and_then(|results| {
			let created = chain::created_leases(results.iter().flatten());
			objects.iter().map(|(id, _)| chain::created_for(&created, id)).collect()
		});
	created.map_err(|error| {
		let ids: Vec<ContentId> = objects.iter().map(|(id, _)| *id).collect();
		end_made(rpc, signer, &ids);
		error.map_message(|e| format!("{e} (the leases made anyway are ended)"))
	})
}

/// Ends, as far as it can, `signer`'s leases of the objects `contents`, once the calls
/// submitted with them are in a block.
pub fn end_made(rpc: &Rpc, signer: &Signer, contents: &[ContentId]) -> Ending {
	let _ = chain::next_block(rpc);
	let me = signer.account();
	let mut mine = Vec::new();
	for content in contents {
		for id in chain::leases_of_content(rpc, content).unwrap_or_default() {
			if chain::endable(chain::lease(rpc, id).ok().flatten().as_ref(), &me) {
				mine.push(id);
			}
		}
	}
	end_leases(rpc, signer, &mine)
}

/// Ends those of `ids` that exist, are `signer`'s and are not ended, all at once; says which
/// ended and which are left.
pub fn end_leases(rpc: &Rpc, signer: &Signer, ids: &[LeaseId]) -> Ending {
	let live = match live_leases(rpc, &signer.account(), ids) {
		Ok(live) => live,
		Err(error) => return Ending { ended: Vec::new(), left: ids.to_vec(), error: Some(error) },
	};
	let calls = live.iter().map(|&id| chain::end_lease(id)).collect();
	match chain::execute_all(rpc, signer, calls) {
		Ok(_) => Ending { ended: live, left: Vec::new(), error: None },
		Err(error) => {
			// Some may have ended before the refusal: ask which are still running.
			let left = live_leases(rpc, &signer.account(), &live).unwrap_or_else(|_| live.clone());
			let ended = live.into_iter().filter(|id| !left.contains(id)).collect();
			Ending { ended, left, error: Some(error) }
		},
	}
}

/// Those of `ids` that exist, are `owner`'s and are not ended.
fn live_leases(rpc: &Rpc, owner: &AccountId, ids: &[LeaseId]) -> Result<Vec<LeaseId>, Error> {
	let mut live = Vec::new();
	for &id in ids {
		if chain::endable(chain::lease(rpc, id)?.as_ref(), owner) {
			live.push(id);
		}
	}
	Ok(live)
}

/// Whether an object with `leases` is fetched through the onion layer: one of them is
/// unmoderated (its owner stored it anonymously: no node serves it over HTTP, and asking
/// there would tell who wants it).
pub fn through_onion(leases: &[LeaseView]) -> bool {
	leases.iter().any(|lease| lease.moderator.is_none())
}

/// Downloads `content` into `out` through circuits, verified against the id; `what` names
/// it in errors. `progress` hears of it once it is complete.
pub fn fetch_anonymously(
	anonymous: &Anonymous,
	content: &ContentId,
	out: &Path,
	what: &str,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	let report = anonymous::get(anonymous, content, out, &mut |_, _| {})
		.map_err(|e| e.map_message(|e| format!("{what}: {e}")))?;
	progress(report.bytes, report.bytes);
	Ok(onion_report(report))
}

/// A transfer through circuits as a download report: the onion layer as its one replica.
fn onion_report(report: TransferReport) -> DownloadReport {
	let onion = Replica { node: None, gateway: ONION.into() };
	let failures = report.failed_builds.into_iter().map(|why| (onion.clone(), why)).collect();
	DownloadReport { size: report.bytes, served: vec![(onion, report.bytes)], failures }
}

/// Whether some node took the object `label`.
pub fn taken(pushes: &[NodePushes], label: &str) -> bool {
	pushes.iter().any(|node| node.taken.iter().any(|taken| taken == label))
}

/// Why no node took `label`: every node's reason (the advice of the first one's), or that no
/// node was asked.
pub fn why_not_taken(pushes: &[NodePushes], label: &str) -> Error {
	let reasons: Vec<(&str, &Error)> = pushes
		.iter()
		.flat_map(|node| {
			node.failed.iter().filter(|(l, _)| l == label).map(|(_, e)| (node.gateway.as_str(), e))
		})
		.collect();
	let Some((_, first)) = reasons.first() else {
		return Error::Unavailable(format!("no node was asked to keep {label}"));
	};
	let all: Vec<String> = reasons.iter().map(|(gateway, e)| format!("{gateway}: {e}")).collect();
	(*first).clone().map_message(|_| format!("no node took {label} ({})", all.join("; ")))
}

/// Where to download `content` from: the keepers of `leases` (their registered gateways),
/// then the other nodes serving the leases' moderators; each group in rendezvous order for
/// `client` (see [`crate::replicas`]), each gateway once.
pub fn replicas(
	rpc: &Rpc,
	leases: &[LeaseView],
	content: &ContentId,
	client: &AccountId,
) -> Result<Vec<Replica>, Error> {
	let mut keepers = Vec::new();
	for keeper in leases.iter().flat_map(|lease| &lease.keepers) {
		let view = operator::node(rpc, &keeper.node)?;
		if let Some(gateway) = view.and_then(|view| endpoint(view.endpoint)) {
			keepers.push(Replica { node: Some(keeper.node.clone()), gateway });
		}
	}
	let mut others = Vec::new();
	let mut moderators: Vec<&AccountId> =
		leases.iter().filter_map(|lease| lease.moderator.as_ref()).collect();
	moderators.sort();
	moderators.dedup();
	for moderator in moderators {
		for (node, gateway) in gateways(rpc, moderator)? {
			others.push(Replica { node: Some(node), gateway });
		}
	}
	Ok(in_order(keepers, others, &epoch_seed(rpc)?, client, content))
}

/// `keepers` then `others`, each in rendezvous order, without a gateway twice.
pub fn in_order(
	keepers: Vec<Replica>,
	others: Vec<Replica>,
	seed: &H256,
	client: &AccountId,
	content: &ContentId,
) -> Vec<Replica> {
	let keepers = rendezvous_order(keepers, seed, client, content);
	let others = rendezvous_order(others, seed, client, content);
	let mut order: Vec<Replica> = Vec::new();
	for replica in keepers.into_iter().chain(others) {
		if !order.iter().any(|known| known.gateway == replica.gateway) {
			order.push(replica);
		}
	}
	order
}

/// Downloads `content` into `out` from `replicas`, every range verified against the id;
/// `what` names it when no node has it.
pub fn fetch(
	replicas: Vec<Replica>,
	content: &ContentId,
	out: &Path,
	stripe: usize,
	payer: Option<&Payer>,
	what: &str,
	progress: &mut dyn FnMut(u64, u64),
) -> Result<DownloadReport, Error> {
	if replicas.is_empty() {
		return Err(Error::NotFound(format!(
			"no node keeps or serves {what}: its lease may have ended"
		)));
	}
	download(replicas, content, out, stripe, payer, progress)
		.map_err(|e| e.map_message(|e| format!("{what}: {e}")))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn replica(n: u8) -> Replica {
		Replica { node: Some(AccountId::new([n; 32])), gateway: format!("http://node-{n}") }
	}

	#[test]
	fn keepers_come_first_and_no_gateway_twice() {
		let keepers = vec![replica(1), replica(2), replica(1)];
		let others = vec![replica(3), replica(2), replica(4)];
		let order =
			in_order(keepers, others, &H256::repeat_byte(1), &AccountId::new([9; 32]), &[5; 32]);
		let gateways: Vec<&str> = order.iter().map(|r| r.gateway.as_str()).collect();
		assert_eq!(gateways.len(), 4);
		let mut first_two = gateways[..2].to_vec();
		first_two.sort();
		assert_eq!(first_two, ["http://node-1", "http://node-2"]);
	}

	#[test]
	fn a_refusal_everywhere_says_who_refused_and_why() {
		let refused = Error::Refused("gateway answered 403".into());
		let pushes = vec![
			NodePushes {
				node: Some(AccountId::new([1; 32])),
				gateway: "http://a".into(),
				taken: vec!["x".into()],
				failed: vec![("y".into(), refused.clone())],
			},
			NodePushes {
				node: Some(AccountId::new([2; 32])),
				gateway: "http://b".into(),
				taken: Vec::new(),
				failed: vec![("x".into(), refused.clone()), ("y".into(), refused)],
			},
		];
		assert!(taken(&pushes, "x"));
		assert!(!taken(&pushes, "y"));
		let why = why_not_taken(&pushes, "y");
		assert!(matches!(why, Error::Refused(_)));
		assert!(why.message().contains("http://a: gateway answered 403; http://b"), "{why}");
		assert!(matches!(why_not_taken(&[], "y"), Error::Unavailable(_)));
	}

	fn lease(moderator: Option<AccountId>) -> LeaseView {
		LeaseView {
			owner: AccountId::new([1; 32]),
			content: [0; 32],
			bytes: 100,
			replicas: 1,
			moderator,
			price: 1,
			start: 0,
			paid_until: 10,
			funds: 1,
			ended: false,
			closable_from: 16,
			keepers: Vec::new(),
		}
	}

	#[test]
	fn unmoderated_objects_go_through_the_onion_layer() {
		let moderated = lease(Some(AccountId::new([2; 32])));
		assert!(!through_onion(std::slice::from_ref(&moderated)));
		assert!(through_onion(&[lease(None)]));
		assert!(through_onion(&[moderated, lease(None)]), "never asked for over HTTP");
		assert!(!through_onion(&[]));
		let transfer = TransferReport {
			bytes: 42,
			circuits: Vec::new(),
			failed_builds: vec!["relay down".into()],
		};
		let report = onion_report(transfer);
		assert_eq!(report.size, 42);
		assert_eq!(report.served[0].0.gateway, ONION);
		assert_eq!(report.failures.len(), 1);
	}

	#[test]
	fn fetching_from_nobody_is_not_found() {
		let error = fetch(
			Vec::new(),
			&[0; 32],
			Path::new("/nonexistent"),
			1,
			None,
			"a.txt",
			&mut |_, _| {},
		)
		.unwrap_err();
		assert!(matches!(error, Error::NotFound(_)));
		assert!(error.message().contains("a.txt"));
	}
}
