//! Checks that a request naming a paying client comes from that client
//! ([`crate::protocol`]: one signature per node and period), remembering proofs it verified
//! so that each costs one sr25519 verification, not one per request.

use crate::protocol::{auth_period, parse_request_proof, verify_request_proof};
use bitcloud_primitives::AccountId;
use polkadot_sdk::sp_core::H256;
use std::{
	collections::HashSet,
	sync::{Mutex, MutexGuard},
	time::SystemTime,
};

/// Proofs remembered at most; past it, those of old periods are forgotten first.
pub const MAX_REMEMBERED_PROOFS: usize = 16_384;

/// Why a request's proof was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
	/// No proof came with the request.
	Missing,
	/// The proof is not `<period>.<128 hex digits>`.
	Malformed,
	/// The proof is for another period than the gateway's clock allows.
	Stale {
		/// The proof's period.
		period: u64,
		/// The gateway's period.
		now: u64,
	},
	/// The signature is not the named client's for this node, chain and period.
	BadSignature,
}

impl std::fmt::Display for AuthError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			AuthError::Missing => write!(f, "a paying request must carry Bitcloud-Auth"),
			AuthError::Malformed => {
				write!(f, "Bitcloud-Auth is <period>.<128 hex digits of signature>")
			},
			AuthError::Stale { period, now } => write!(
				f,
				"Bitcloud-Auth is for period {period}; this gateway is in period {now}: check \
				 the clock"
			),
			AuthError::BadSignature => write!(
				f,
				"Bitcloud-Auth is not the client's signature for this node, chain and period"
			),
		}
	}
}

/// The request proofs of one node's gateway.
pub struct ClientAuth {
	genesis: H256,
	node: AccountId,
	verified: Mutex<HashSet<(AccountId, u64, [u8; 64])>>,
}

impl ClientAuth {
	/// Proofs for requests to `node` on the chain of `genesis`.
	pub fn new(genesis: H256, node: AccountId) -> Self {
		ClientAuth { genesis, node, verified: Mutex::new(HashSet::new()) }
	}

	fn verified(&self) -> MutexGuard<'_, HashSet<(AccountId, u64, [u8; 64])>> {
		// A panic while holding the lock leaves a plain set behind: keep using it.
		self.verified.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Whether `proof` (the [`crate::protocol::AUTH_HEADER`] value) proves a request comes
	/// from `client`, at time `now`.
	pub fn check(
		&self,
		client: &AccountId,
		proof: Option<&str>,
		now: SystemTime,
	) -> Result<(), AuthError> {
		let proof = proof.ok_or(AuthError::Missing)?;
		let (period, signature) = parse_request_proof(proof).ok_or(AuthError::Malformed)?;
		let current = auth_period(now);
		if period.abs_diff(current) > 1 {
			return Err(AuthError::Stale { period, now: current });
		}
		let key = (client.clone(), period, signature.0);
		if self.verified().contains(&key) {
			return Ok(());
		}
		if !verify_request_proof(&signature, &self.genesis, &self.node, client, period) {
			return Err(AuthError::BadSignature);
		}
		let mut verified = self.verified();
		if verified.len() >= MAX_REMEMBERED_PROOFS {
			verified.retain(|(_, period, _)| period.abs_diff(current) <= 1);
			if verified.len() >= MAX_REMEMBERED_PROOFS {
				verified.clear();
			}
		}
		verified.insert(key);
		Ok(())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::protocol::{sign_request_proof, AUTH_PERIOD_SECS};
	use polkadot_sdk::sp_core::{sr25519::Pair, Pair as _};
	use std::time::{Duration, UNIX_EPOCH};

	const GENESIS: H256 = H256::repeat_byte(5);

	fn pair(seed: &str) -> Pair {
		Pair::from_string(seed, None).expect("a dev seed")
	}

	fn at_period(period: u64) -> SystemTime {
		UNIX_EPOCH + Duration::from_secs(period * AUTH_PERIOD_SECS + 1)
	}

	#[test]
	fn only_the_named_client_can_prove_a_request() {
		let (bob, eve, dave) = (pair("//Bob"), pair("//Eve"), pair("//Dave"));
		let node = AccountId::from(dave.public());
		let auth = ClientAuth::new(GENESIS, node.clone());
		let bob_id = AccountId::from(bob.public());
		let now = at_period(100);
		let proof = sign_request_proof(&bob, &GENESIS, &node, 100);
		assert_eq!(auth.check(&bob_id, Some(&proof), now), Ok(()));
		// Again, from the memory of verified proofs.
		assert_eq!(auth.check(&bob_id, Some(&proof), now), Ok(()));
		// Eve names Bob: without a proof, with her own, or with Bob's for another node.
		assert_eq!(auth.check(&bob_id, None, now), Err(AuthError::Missing));
		let eve_proof = sign_request_proof(&eve, &GENESIS, &node, 100);
		assert_eq!(auth.check(&bob_id, Some(&eve_proof), now), Err(AuthError::BadSignature));
		let other_node = AccountId::from(eve.public());
		let elsewhere = sign_request_proof(&bob, &GENESIS, &other_node, 100);
		assert_eq!(auth.check(&bob_id, Some(&elsewhere), now), Err(AuthError::BadSignature));
		// Bob's proof of a long-gone period, replayed.
		let old = sign_request_proof(&bob, &GENESIS, &node, 90);
		assert_eq!(
			auth.check(&bob_id, Some(&old), now),
			Err(AuthError::Stale { period: 90, now: 100 })
		);
		// A neighbouring period is taken: clocks differ.
		let next = sign_request_proof(&bob, &GENESIS, &node, 101);
		assert_eq!(auth.check(&bob_id, Some(&next), now), Ok(()));
		assert_eq!(auth.check(&bob_id, Some("100.00"), now), Err(AuthError::Malformed));
	}

	#[test]
	fn the_memory_of_proofs_is_bounded() {
		let dave = pair("//Dave");
		let node = AccountId::from(dave.public());
		let auth = ClientAuth::new(GENESIS, node.clone());
		let client = pair("//Bob");
		let client_id = AccountId::from(client.public());
		for period in 0..3 {
			let proof = sign_request_proof(&client, &GENESIS, &node, period);
			assert_eq!(auth.check(&client_id, Some(&proof), at_period(period)), Ok(()));
		}
		// Filled up with entries of old periods, the memory drops them before growing.
		{
			let mut verified = auth.verified();
			for i in 0..MAX_REMEMBERED_PROOFS as u64 {
				let mut signature = [0u8; 64];
				signature[..8].copy_from_slice(&i.to_le_bytes());
				verified.insert((AccountId::new([1; 32]), 0, signature));
			}
		}
		let proof = sign_request_proof(&client, &GENESIS, &node, 10);
		assert_eq!(auth.check(&client_id, Some(&proof), at_period(10)), Ok(()));
		assert!(auth.verified().len() <= 2);
	}
}
