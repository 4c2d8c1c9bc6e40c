// Which nodes a client downloads from, and in which order: rendezvous hashing over the
// chain's randomness, exactly as offchain-workers/client/src/replicas.rs does it, so that a
// client cannot steer its traffic to a node of its choosing.

import { compactToU8a, stringToU8a, u8aConcat } from '@polkadot/util';
import { blake2AsU8a } from '@polkadot/util-crypto';

/** Domain tag of replica scores. */
export const REPLICA_DOMAIN = stringToU8a('bitcloud/replica/v1');

/**
 * The score of `node` for `client` downloading `content` in the epoch seeded by `seed`:
 * blake2_256(SCALE((REPLICA_DOMAIN as &[u8], seed, client, content, node))), the domain
 * with its compact length prefix.
 * @param {Uint8Array} seed hash of the current epoch's first block
 * @param {Uint8Array} client
 * @param {Uint8Array} content
 * @param {Uint8Array} node
 * @returns {Uint8Array} 32 bytes
 */
export function score (seed, client, content, node) {
  return blake2AsU8a(
    u8aConcat(compactToU8a(REPLICA_DOMAIN.length), REPLICA_DOMAIN, seed, client, content, node),
    256
  );
}

function compareBytes (a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return a[i] - b[i];
    }
  }
  return a.length - b.length;
}

/**
 * `replicas` in rendezvous order: highest score first; replicas without a node account last
 * (a stable sort, as Rust's `sort_by_cached_key`).
 * @template {{node: Uint8Array | null}} R
 * @param {R[]} replicas
 * @param {Uint8Array} seed
 * @param {Uint8Array} client
 * @param {Uint8Array} content
 * @returns {R[]} a new array
 */
export function rendezvousOrder (replicas, seed, client, content) {
  const scored = replicas.map((replica) => ({
    replica,
    score: replica.node ? score(seed, client, content, replica.node) : null
  }));
  scored.sort((a, b) => {
    if (a.score === null || b.score === null) {
      return (a.score === null ? 1 : 0) - (b.score === null ? 1 : 0);
    }
    return compareBytes(b.score, a.score);
  });
  return scored.map(({ replica }) => replica);
}
