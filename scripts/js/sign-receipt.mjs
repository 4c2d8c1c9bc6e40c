#!/usr/bin/env node
// Signs a Bitcloud bandwidth receipt with polkadot-js, as a dapp would, and prints it as JSON.
//
//   node sign-receipt.mjs <genesis hash> <node> <epoch> <moderator|none> <bytes> [client URI]
//
// <node> and <moderator> are SS58 addresses or 0x-prefixed 32-byte public keys; the client is
// the sr25519 key of [client URI] (default //Alice). Output: {"client", "receipt" (SCALE hex),
// "payload" (the signed bytes), "signature"}. The layout is in docs/protocol.md, "Bandwidth
// receipts".

import { DEV_PHRASE, Keyring } from '@polkadot/keyring';
import { bnToU8a, hexToU8a, u8aConcat, u8aEq, u8aToHex, stringToU8a } from '@polkadot/util';
import {
  cryptoWaitReady,
  decodeAddress,
  keyExtractSuri,
  keyFromPath,
  mnemonicToMiniSecret,
  sr25519PairFromSeed,
  sr25519Sign,
  sr25519Verify
} from '@polkadot/util-crypto';

const DOMAIN = stringToU8a('bitcloud/receipt/v1');

function accountId (text) {
  const bytes = text.startsWith('0x') ? hexToU8a(text) : decodeAddress(text);
  if (bytes.length !== 32) {
    throw new Error(`not a 32-byte account id: ${text}`);
  }
  return bytes;
}

// The sr25519 key pair (public and secret key) of a development URI such as //Alice.
function devKeypair (uri) {
  const { path } = keyExtractSuri(`${DEV_PHRASE}${uri}`);
  return keyFromPath(sr25519PairFromSeed(mnemonicToMiniSecret(DEV_PHRASE)), path, 'sr25519');
}

// SCALE encoding of Receipt { client, node, epoch: u32, moderator: Option<AccountId>, bytes: u64 }.
function encodeReceipt ({ client, node, epoch, moderator, bytes }) {
  return u8aConcat(
    client,
    node,
    bnToU8a(epoch, { bitLength: 32, isLe: true }),
    moderator ? u8aConcat([1], moderator) : new Uint8Array([0]),
    bnToU8a(bytes, { bitLength: 64, isLe: true })
  );
}

async function main () {
  const [genesisHex, nodeText, epochText, moderatorText, bytesText, uri = '//Alice'] = process.argv.slice(2);
  if (!bytesText) {
    console.error('usage: sign-receipt.mjs <genesis hash> <node> <epoch> <moderator|none> <bytes> [client URI]');
    process.exit(2);
  }
  await cryptoWaitReady();
  const keypair = devKeypair(uri);
  // The same account as polkadot-js apps shows for this URI.
  const pair = new Keyring({ type: 'sr25519' }).addFromUri(uri);
  if (!u8aEq(pair.publicKey, keypair.publicKey)) {
    throw new Error('keyring and derived key pair differ');
  }
  const genesis = hexToU8a(genesisHex);
  if (genesis.length !== 32) {
    throw new Error('the genesis hash has 32 bytes');
  }
  const receipt = encodeReceipt({
    client: pair.publicKey,
    node: accountId(nodeText),
    epoch: BigInt(epochText),
    moderator: moderatorText === 'none' ? null : accountId(moderatorText),
    bytes: BigInt(bytesText)
  });
  const payload = u8aConcat(DOMAIN, genesis, receipt);
  // sr25519Sign signs with the "substrate" signing context, as sp_core's sr25519::Pair does.
  const signature = sr25519Sign(payload, keypair);
  if (!sr25519Verify(payload, signature, pair.publicKey)) {
    throw new Error('own signature does not verify');
  }
  console.log(JSON.stringify({
    client: u8aToHex(pair.publicKey),
    receipt: u8aToHex(receipt),
    payload: u8aToHex(payload),
    signature: u8aToHex(signature)
  }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
