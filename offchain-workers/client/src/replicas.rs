//! Which nodes a client downloads from: the replicas of a catalog item, ordered by
//! rendezvous hashing over on-chain randomness, so that a client cannot steer its traffic
//! to a node of its choosing (see `docs/threat-model.md`, self-dealing).
//!
//! The seed is the hash of the current epoch's first block: the same for every client
//! during an epoch, unknown before the epoch starts. Each replica scores
//! `blake2_256("bitcloud/replica/v1" ++ seed ++ client ++ content ++ node)`; the highest
//! scores come first.

use crate::{queries, rpc::Rpc, Error};
use bitcloud_primitives::{AccountId, ContentId};
use codec::Encode;
use polkadot_sdk::{sp_core::H256, sp_crypto_hashing::blake2_256};

/// Domain tag of replica scores.
pub const REPLICA_DOMAIN: &[u8] = b"bitcloud/replica/v1";

/// A node holding content, and its gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
	/// The node's account (none when only a gateway address was given).
	pub node: Option<AccountId>,
	/// `http://host:port` of its gateway.
	pub gateway: String,
}

/// The score of `node` for `client` downloading `content` in the epoch seeded by `seed`.
pub fn score(seed: &H256, client: &AccountId, content: &ContentId, node: &AccountId) -> [u8; 32] {
	blake2_256(&(REPLICA_DOMAIN, seed, client, content, node).encode())
}

/// `replicas` in rendezvous order: highest score first; replicas without a node account last.
pub fn rendezvous_order(
	mut replicas: Vec<Replica>,
	seed: &H256,
	client: &AccountId,
	content: &ContentId,
) -> Vec<Replica> {
	replicas.sort_by_cached_key(|replica| {
		std::cmp::Reverse(replica.node.as_ref().map(|node| score(seed, client, content, node)))
	});
	replicas
}

/// The seed of the current epoch: the hash of its first block.
pub fn epoch_seed(rpc: &Rpc) -> Result<H256, Error> {
	let epoch = queries::current_epoch(rpc)?;
	rpc.block_hash(epoch.first_block)
}

/// The nodes serving `moderator`'s catalog that list a gateway, in rendezvous order for
/// `client` and `content`. Fails when the moderator does not list `content`.
pub fn replicas_of(
	rpc: &Rpc,
	moderator: &AccountId,
	content: &ContentId,
	client: &AccountId,
) -> Result<Vec<Replica>, Error> {
	let listed: Option<queries::CatalogEntry> =
		rpc.runtime_api("ModerationApi_catalog_item", (moderator, content))?;
	if listed.is_none() {
		return Err(Error::Refused(format!(
			"{} does not list {}",
			crate::ss58(moderator),
			hex::encode(content)
		)));
	}
	let replicas = queries::nodes(rpc, moderator)?
		.into_iter()
		.filter_map(|(node, view)| {
			let gateway = String::from_utf8(view?.endpoint).ok().filter(|e| !e.is_empty())?;
			Some(Replica { node: Some(node), gateway })
		})
		.collect();
	Ok(rendezvous_order(replicas, &epoch_seed(rpc)?, client, content))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn replica(n: u8) -> Replica {
		Replica { node: Some(AccountId::new([n; 32])), gateway: format!("http://node-{n}") }
	}

	#[test]
	fn the_order_depends_on_seed_client_and_content_and_nothing_else() {
		let replicas: Vec<_> = (1..=8).map(replica).collect();
		let client = AccountId::new([9; 32]);
		let order = |seed: u8, client: &AccountId, content: u8| {
			rendezvous_order(replicas.clone(), &H256::repeat_byte(seed), client, &[content; 32])
		};
		let first = order(1, &client, 1);
		// Deterministic, and independent of the input order.
		let mut reversed = replicas.clone();
		reversed.reverse();
		assert_eq!(rendezvous_order(reversed, &H256::repeat_byte(1), &client, &[1; 32]), first);
		assert_eq!(order(1, &client, 1), first);
		// Another seed, client or content reorders.
		assert_ne!(order(2, &client, 1), first);
		assert_ne!(order(1, &AccountId::new([8; 32]), 1), first);
		assert_ne!(order(1, &client, 2), first);
	}

	#[test]
	fn each_replica_comes_first_about_as_often_over_seeds() {
		let replicas: Vec<_> = (1..=4).map(replica).collect();
		let client = AccountId::new([9; 32]);
		let mut firsts = [0u32; 4];
		for seed in 0..4000u32 {
			let seed = H256(blake2_256(&seed.encode()));
			let order = rendezvous_order(replicas.clone(), &seed, &client, &[7; 32]);
			let first =
				order[0].node.as_ref().map(|n| AsRef::<[u8; 32]>::as_ref(n)[0]).unwrap_or(1);
			firsts[usize::from(first - 1)] += 1;
		}
		// 1000 expected each; a fair split stays well within ±15 %.
		assert!(firsts.iter().all(|&n| (850..=1150).contains(&n)), "{firsts:?}");
	}

	#[test]
	fn gateways_without_an_account_come_last() {
		let mut replicas: Vec<_> = (1..=3).map(replica).collect();
		replicas.insert(0, Replica { node: None, gateway: "http://anonymous".into() });
		let order = rendezvous_order(replicas, &H256::zero(), &AccountId::new([9; 32]), &[0; 32]);
		assert_eq!(order[3].node, None);
	}
}
