// The CID of a content id: CIDv1, raw codec, BLAKE3 multihash, base32 (`bafkr4i…`), as the
// gateway's /catalog shows it.

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32 (bytes) {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += ALPHABET[(value << (5 - bits)) & 31];
  }
  return out;
}

/**
 * The CIDv1 text of a 32-byte BLAKE3 content id.
 * @param {Uint8Array} id
 * @returns {string}
 */
export function contentCid (id) {
  // version 1, codec raw (0x55), multihash blake3 (0x1e), 32 bytes
  return `b${base32(Uint8Array.from([0x01, 0x55, 0x1e, 0x20, ...id]))}`;
}
