// The receipt exchange between a paying client and a gateway, as the page and the service
// worker speak it: header names and the request proof. The Rust side is
// offchain-workers/content/src/protocol.rs; the rules are in docs/protocol.md, "Receipts
// between client and gateway".

import { bnToU8a, stringToU8a, u8aConcat, u8aToHex } from '@polkadot/util';
import { sr25519Sign } from '@polkadot/util-crypto';

/** Request header naming the client that pays with receipts (`0x` and 64 hex digits). */
export const CLIENT_HEADER = 'bitcloud-client';
/** Request header proving that the request comes from the client: `<period>.<signature hex>`. */
export const AUTH_HEADER = 'bitcloud-auth';
/** Request header carrying the client's newest receipt for this node (hex of its SCALE). */
export const RECEIPT_HEADER = 'bitcloud-receipt';
/** Response header: the node's account (`0x` hex), the receipt's `node`. */
export const NODE_HEADER = 'bitcloud-node';
/** Response header: the current epoch, the receipt's `epoch`. */
export const EPOCH_HEADER = 'bitcloud-epoch';
/** Response header: the moderator whose catalog the content is served under. */
export const MODERATOR_HEADER = 'bitcloud-moderator';
/** Response header: the signing window in bytes. */
export const WINDOW_HEADER = 'bitcloud-window';
/** Response header: hex of the newest receipt the node holds from this client for the key. */
export const RECEIPT_HELD_HEADER = 'bitcloud-receipt-held';
/** Response header: bytes this node may still send the client in the epoch. */
export const QUOTA_LEFT_HEADER = 'bitcloud-quota-left';
/** Response header of `/content/<id>/outboard`: the content's size in bytes. */
export const CONTENT_SIZE_HEADER = 'bitcloud-content-size';
/** Response header of `/content/<id>/outboard`: log2 of the 1 KiB chunks in a chunk group. */
export const CHUNK_GROUP_LOG_HEADER = 'bitcloud-chunk-group-log';

/** Domain tag of a request proof. */
export const AUTH_DOMAIN = stringToU8a('bitcloud/gateway-auth/v1');
/** Length in seconds of the period a request proof is valid for. */
export const AUTH_PERIOD_SECS = 60;

/**
 * The request-proof period of `nowMs` (milliseconds since the Unix epoch): whole minutes.
 * @param {number} [nowMs]
 * @returns {number}
 */
export function authPeriod (nowMs = Date.now()) {
  return Math.floor(nowMs / 1000 / AUTH_PERIOD_SECS);
}

/**
 * The bytes a client signs to prove that its requests to `node` in `period` are its own:
 * AUTH_DOMAIN ++ SCALE(genesis: H256, node: AccountId, client: AccountId, period: u64).
 * @param {Uint8Array} genesis 32 bytes
 * @param {Uint8Array} node 32 bytes
 * @param {Uint8Array} client 32 bytes
 * @param {number} period
 * @returns {Uint8Array}
 */
export function requestProofPayload (genesis, node, client, period) {
  return u8aConcat(AUTH_DOMAIN, genesis, node, client, bnToU8a(BigInt(period), { bitLength: 64, isLe: true }));
}

/**
 * The AUTH_HEADER value of the client whose sr25519 key pair is `keypair`, for requests to
 * `node` on the chain of `genesis` in `period`: `<period>.<128 hex digits>`.
 * @param {{publicKey: Uint8Array, secretKey: Uint8Array}} keypair
 * @param {Uint8Array} genesis
 * @param {Uint8Array} node
 * @param {number} period
 * @returns {string}
 */
export function signRequestProof (keypair, genesis, node, period) {
  const signature = sr25519Sign(requestProofPayload(genesis, node, keypair.publicKey, period), keypair);
  return `${period}.${u8aToHex(signature, -1, false)}`;
}

/**
 * 32 bytes from `0x` and exactly 64 hex digits (how accounts travel in headers); null if
 * the text is anything else.
 * @param {string | null | undefined} text
 * @returns {Uint8Array | null}
 */
export function parseHex32 (text) {
  if (typeof text !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(text)) {
    return null;
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    bytes[i] = parseInt(text.slice(2 + 2 * i, 4 + 2 * i), 16);
  }
  return bytes;
}

/**
 * A non-negative decimal integer header value (at most 2^53 - 1); null if absent or not one.
 * @param {string | null | undefined} text
 * @returns {number | null}
 */
export function parseCount (text) {
  if (typeof text !== 'string' || !/^[0-9]{1,16}$/.test(text.trim())) {
    return null;
  }
  const value = Number(text.trim());
  return Number.isSafeInteger(value) ? value : null;
}
