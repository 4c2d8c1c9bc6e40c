// Bandwidth receipts: their SCALE encoding, signing and checking (docs/protocol.md,
// "Bandwidth receipts"; the same bytes as scripts/js/sign-receipt.mjs), and the book of
// cumulative totals a client signs per (client, node, epoch, moderator).

import { bnToU8a, stringToU8a, u8aConcat, u8aEq, u8aToBigInt, u8aToHex } from '@polkadot/util';
import { sr25519Sign, sr25519Verify } from '@polkadot/util-crypto';

/** Domain tag of receipt signatures (version 1 of the format). */
export const RECEIPT_DOMAIN = stringToU8a('bitcloud/receipt/v1');

/**
 * @typedef {object} Receipt
 * @property {Uint8Array} client 32 bytes
 * @property {Uint8Array} node 32 bytes
 * @property {number} epoch u32
 * @property {Uint8Array | null} moderator 32 bytes, or null for unmoderated content
 * @property {number} bytes cumulative bytes (u64, kept below 2^53)
 */

/**
 * SCALE encoding of a receipt: client, node, epoch (u32 LE), Option<moderator>, bytes (u64 LE).
 * @param {Receipt} receipt
 * @returns {Uint8Array} 77 or 109 bytes
 */
export function encodeReceipt ({ client, node, epoch, moderator, bytes }) {
  return u8aConcat(
    client,
    node,
    bnToU8a(BigInt(epoch), { bitLength: 32, isLe: true }),
    moderator ? u8aConcat([1], moderator) : new Uint8Array([0]),
    bnToU8a(BigInt(bytes), { bitLength: 64, isLe: true })
  );
}

/**
 * The bytes a client signs for a receipt: domain ++ genesis hash ++ SCALE(receipt).
 * @param {Uint8Array} genesis
 * @param {Uint8Array} encoded SCALE of the receipt
 * @returns {Uint8Array}
 */
export function receiptPayload (genesis, encoded) {
  return u8aConcat(RECEIPT_DOMAIN, genesis, encoded);
}

/**
 * A signed receipt as submitted: SCALE(receipt) ++ 64-byte sr25519 signature.
 * @param {{publicKey: Uint8Array, secretKey: Uint8Array}} keypair the client's
 * @param {Uint8Array} genesis
 * @param {Receipt} receipt
 * @returns {Uint8Array}
 */
export function signReceipt (keypair, genesis, receipt) {
  const encoded = encodeReceipt(receipt);
  return u8aConcat(encoded, sr25519Sign(receiptPayload(genesis, encoded), keypair));
}

/**
 * Decodes a SCALE signed receipt; null unless it is exactly one (141 or 173 bytes, a valid
 * option tag, a count below 2^53).
 * @param {Uint8Array} bytes
 * @returns {{receipt: Receipt, encoded: Uint8Array, signature: Uint8Array} | null}
 */
export function decodeSignedReceipt (bytes) {
  if (!(bytes instanceof Uint8Array) || bytes.length < 69) {
    return null;
  }
  const tag = bytes[68];
  const moderated = tag === 1;
  if (tag > 1 || bytes.length !== (moderated ? 173 : 141)) {
    return null;
  }
  const at = moderated ? 101 : 69;
  const count = u8aToBigInt(bytes.subarray(at, at + 8), { isLe: true });
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) {
    return null;
  }
  return {
    receipt: {
      client: bytes.slice(0, 32),
      node: bytes.slice(32, 64),
      epoch: Number(u8aToBigInt(bytes.subarray(64, 68), { isLe: true })),
      moderator: moderated ? bytes.slice(69, 101) : null,
      bytes: Number(count)
    },
    encoded: bytes.slice(0, at + 8),
    signature: bytes.slice(at + 8)
  };
}

/**
 * Whether a decoded signed receipt carries its client's valid signature for this chain.
 * @param {{receipt: Receipt, encoded: Uint8Array, signature: Uint8Array}} signed
 * @param {Uint8Array} genesis
 * @returns {boolean}
 */
export function verifySignedReceipt (signed, genesis) {
  try {
    return sr25519Verify(receiptPayload(genesis, signed.encoded), signed.signature, signed.receipt.client);
  } catch {
    return false;
  }
}

/**
 * @typedef {object} ReceiptKey what a cumulative receipt counts bytes for
 * @property {Uint8Array} client
 * @property {Uint8Array} node
 * @property {number} epoch
 * @property {Uint8Array | null} moderator
 */

/**
 * Whether two receipt keys name the same (client, node, epoch, moderator).
 * @param {ReceiptKey} a
 * @param {ReceiptKey} b
 * @returns {boolean}
 */
export function sameKey (a, b) {
  return u8aEq(a.client, b.client) && u8aEq(a.node, b.node) && a.epoch === b.epoch &&
    (a.moderator === null ? b.moderator === null : b.moderator !== null && u8aEq(a.moderator, b.moderator));
}

/**
 * A receipt key as text, for maps and IndexedDB: `client/node/epoch/moderator|none` in hex.
 * @param {ReceiptKey} key
 * @returns {string}
 */
export function keyText ({ client, node, epoch, moderator }) {
  return `${u8aToHex(client)}/${u8aToHex(node)}/${epoch}/${moderator ? u8aToHex(moderator) : 'none'}`;
}

/**
 * The cumulative totals one client has signed, per receipt key, in memory. A total grows by
 * the verified bytes of each response, from the larger of what the client signed before and
 * what the gateway holds of the client's own valid receipts (docs/protocol.md): a gateway
 * cannot make the client sign on top of a count it never signed.
 */
export class ReceiptBook {
  /**
   * @param {{publicKey: Uint8Array, secretKey: Uint8Array}} keypair the client's
   * @param {Uint8Array} genesis the chain's genesis hash (from the client's own RPC node)
   */
  constructor (keypair, genesis) {
    this.keypair = keypair;
    this.genesis = genesis;
    /** @type {Map<string, number>} */
    this.signed = new Map();
  }

  /**
   * Signs the receipt for `len` more verified bytes under `key`, `held` being the count of
   * the gateway's held receipt when it is this client's own valid one for `key` (else 0).
   * @param {ReceiptKey} key
   * @param {number} held
   * @param {number} len
   * @returns {{receipt: Receipt, signed: Uint8Array}}
   */
  sign (key, held, len) {
    const text = keyText(key);
    const total = Math.max(this.signed.get(text) ?? 0, held) + len;
    this.signed.set(text, total);
    const receipt = { ...key, bytes: total };
    return { receipt, signed: signReceipt(this.keypair, this.genesis, receipt) };
  }
}
