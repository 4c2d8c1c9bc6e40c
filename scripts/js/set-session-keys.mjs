#!/usr/bin/env node
// Sets a validator's session keys with polkadot-js, as an operator would from a dapp or the
// Apps UI: the operator's node generates the keys, the account registers them on chain.
//
//   node set-session-keys.mjs --node-rpc ws://127.0.0.1:9944 [--rpc ws://...] --suri //Eve
//
// 1. `author_rotateKeysWithOwner(owner)` on --node-rpc (the operator's own node: the RPC is
//    unsafe, so the node answers it on localhost or with --rpc-methods unsafe) generates new
//    Aura and GRANDPA keys in that node's keystore and proves that they belong to `owner`, the
//    SCALE-encoded account id (its 32 raw bytes) of the --suri account.
// 2. `session.setKeys(keys, proof)`, signed by the --suri account (sr25519) and sent to --rpc
//    (default: --node-rpc), registers them. The runtime checks the proof, so keys generated for
//    another account are refused.
//
// On success prints {"keys": "0x..", "block": "0x.."} (the SCALE-encoded keys and the block that
// included the transaction) and exits 0; exits 1 with the decoded error otherwise, 2 on bad usage.
// Root then adds the account to the validator set (`validatorSet.addValidator`).

import { ApiPromise, WsProvider } from '@polkadot/api';
import { Keyring } from '@polkadot/keyring';
import jsonrpc from '@polkadot/types/interfaces/jsonrpc';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

// How long the whole run may take (connecting, rotating, inclusion) before giving up: the
// WebSocket provider would otherwise retry an unreachable node forever.
const TIMEOUT_MS = 120_000;

// `author_rotateKeysWithOwner` as polkadot-js/api defines it since its PR #6263 (July 2026). The
// newest release on npm when this was written, 16.5.6, predates that PR, so without the
// definition `api.rpc.author.rotateKeysWithOwner` would not exist; with a release that has it,
// the built-in definition is used.
const ROTATE_KEYS_WITH_OWNER = {
  rpc: {
    author: {
      rotateKeysWithOwner: {
        description: 'Generate new session keys and returns the corresponding public keys and owner proof',
        isUnsafe: true,
        params: [{ name: 'owner', type: 'Bytes' }],
        type: 'GeneratedSessionKeys'
      }
    }
  },
  types: {
    // The node answers {"keys": "0x..", "proof": "0x.."}.
    GeneratedSessionKeys: {
      _alias: { sessionKeys: 'keys' },
      sessionKeys: 'Bytes',
      proof: 'Option<Bytes>'
    }
  }
};

// Transaction extensions of the runtime that polkadot-js does not know: they add no data to the
// transaction or to what is signed (this only silences polkadot-js's warning about them).
const SIGNED_EXTENSIONS = {
  AuthorizeCall: { extrinsic: {}, payload: {} }
};

function usage () {
  console.error('usage: set-session-keys.mjs --node-rpc <ws URL of your node> [--rpc <ws URL>] --suri <secret URI>');
  process.exit(2);
}

// {"node-rpc": ..., "rpc": ..., "suri": ...} from --name value pairs.
function parseArgs (argv) {
  const options = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [name, value] = [argv[i], argv[i + 1]];
    if (!['--node-rpc', '--rpc', '--suri'].includes(name) || value === undefined) {
      usage();
    }
    options[name.slice(2)] = value;
  }
  if (!options['node-rpc'] || !options.suri) {
    usage();
  }
  return options;
}

function connect (url) {
  const builtIn = Boolean(jsonrpc.author?.rotateKeysWithOwner);
  return ApiPromise.create({
    provider: new WsProvider(url),
    signedExtensions: SIGNED_EXTENSIONS,
    throwOnConnect: true,
    ...(builtIn ? {} : ROTATE_KEYS_WITH_OWNER)
  });
}

// The message of a failed dispatch: `pallet.Error: docs` for a module error.
function describe (api, dispatchError) {
  if (dispatchError.isModule) {
    const { docs, name, section } = api.registry.findMetaError(dispatchError.asModule);
    return `${section}.${name}: ${docs.join(' ')}`;
  }
  return dispatchError.toString();
}

// Signs and sends `tx` as `pair`; resolves with the hash of the block that included it, rejects
// if it failed there or never got in.
function sendInBlock (api, tx, pair) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(pair, ({ dispatchError, events, status }) => {
      if (status.isInBlock) {
        const failed = events.find(({ event }) => api.events.system.ExtrinsicFailed.is(event));
        if (failed || dispatchError) {
          const error = dispatchError || failed.event.data[0];
          reject(new Error(`session.setKeys failed in block ${status.asInBlock.toHex()}: ${describe(api, error)}`));
        } else {
          resolve(status.asInBlock.toHex());
        }
      } else if (status.isInvalid || status.isDropped || status.isUsurped) {
        reject(new Error(`session.setKeys was not included: ${status.type}`));
      }
    }).catch(reject);
  });
}

async function main () {
  const options = parseArgs(process.argv.slice(2));
  setTimeout(() => {
    console.error(`gave up after ${TIMEOUT_MS / 1000} s`);
    process.exit(1);
  }, TIMEOUT_MS).unref();

  // The account first, so that a bad URI fails before any connection.
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519' });
  let pair;
  try {
    pair = keyring.addFromUri(options.suri);
  } catch (error) {
    throw new Error(`--suri is not a valid secret URI: ${error.message}`);
  }

  const nodeApi = await connect(options['node-rpc']);
  const chainApi = options.rpc && options.rpc !== options['node-rpc']
    ? await connect(options.rpc)
    : nodeApi;
  try {
    // Addresses as this chain writes them (polkadot-js apps shows the same).
    keyring.setSS58Format(chainApi.registry.chainSS58);
    // The owner is the SCALE encoding of the account id: its 32 bytes, as they are.
    const owner = u8aToHex(pair.publicKey);
    const generated = await nodeApi.rpc.author.rotateKeysWithOwner(owner);
    if (generated.proof.isNone) {
      throw new Error('the node generated keys without an ownership proof: session.setKeys would refuse them');
    }
    const keys = generated.sessionKeys.toHex();
    const proof = generated.proof.unwrap().toHex();
    console.error(`${pair.address}: new session keys ${keys}`);

    const block = await sendInBlock(chainApi, chainApi.tx.session.setKeys(keys, proof), pair);
    console.log(JSON.stringify({ keys, block }));
  } finally {
    await Promise.all([...new Set([nodeApi, chainApi])].map((api) => api.disconnect()));
  }
}

main().then(() => process.exit(0), (error) => {
  console.error(error.message || error);
  process.exit(1);
});
