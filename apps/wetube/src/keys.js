// The viewer's session key: an sr25519 key generated in the page (a 12-word mnemonic) or
// imported (a mnemonic, a 0x seed or a development URI such as //Ferdie), kept in IndexedDB
// so that the service worker can sign receipts and request proofs with it. The wallet that
// owns the viewer's coins only funds it (docs/protocol.md: extensions cannot sign receipts).

import { DEV_PHRASE } from '@polkadot/keyring';
import { hexToU8a, isHex } from '@polkadot/util';
import {
  keyExtractSuri,
  keyFromPath,
  mnemonicGenerate,
  mnemonicToMiniSecret,
  mnemonicValidate,
  sr25519PairFromSeed
} from '@polkadot/util-crypto';
import { SESSION_KEY, idbGet, idbPut, STORES } from './idb.js';

/**
 * The sr25519 key pair of a secret URI: `<mnemonic or 0x seed>[//hard][/soft][///password]`,
 * or a development path alone (`//Ferdie`, on the development phrase). Throws an Error in
 * words when the text is not one.
 * @param {string} suri
 * @returns {{publicKey: Uint8Array, secretKey: Uint8Array}}
 */
export function keypairFromSuri (suri) {
  const text = suri.trim();
  if (!text) {
    throw new Error('enter a mnemonic (12 or 24 words) or a development URI such as //Ferdie');
  }
  let parts;
  try {
    parts = keyExtractSuri(text.startsWith('/') ? `${DEV_PHRASE}${text}` : text);
  } catch {
    throw new Error('this is not a mnemonic, a 0x seed or a URI such as //Ferdie');
  }
  const { phrase, path, password } = parts;
  let seed;
  if (isHex(phrase, 256)) {
    seed = hexToU8a(phrase);
  } else if (mnemonicValidate(phrase)) {
    seed = mnemonicToMiniSecret(phrase, password);
  } else {
    throw new Error('this mnemonic is not valid (check the words and their order)');
  }
  return keyFromPath(sr25519PairFromSeed(seed), path, 'sr25519');
}

/**
 * @typedef {object} SessionKey
 * @property {string} suri the secret it was made from
 * @property {Uint8Array} publicKey
 * @property {Uint8Array} secretKey
 */

/**
 * The stored session key, or a new one (generated, stored) on the first visit.
 * @returns {Promise<SessionKey & {created: boolean}>}
 */
export async function loadOrCreateSessionKey () {
  const stored = await idbGet(STORES.keys, SESSION_KEY);
  if (stored?.publicKey instanceof Uint8Array && stored?.secretKey instanceof Uint8Array) {
    return { ...stored, created: false };
  }
  const suri = mnemonicGenerate(12);
  const key = { suri, ...keypairFromSuri(suri) };
  await idbPut(STORES.keys, SESSION_KEY, key);
  return { ...key, created: true };
}

/**
 * Replaces the session key with the one of `suri` (throws in words if it is not a secret).
 * @param {string} suri
 * @returns {Promise<SessionKey>}
 */
export async function importSessionKey (suri) {
  const key = { suri: suri.trim(), ...keypairFromSuri(suri) };
  await idbPut(STORES.keys, SESSION_KEY, key);
  return key;
}
