// WeTube's page: connects to the chain (`?rpc=`, else the page's host on port 9944), loads or
// makes the session key, registers the service worker that verifies and pays, and shows the
// routes (router.js) next to the account panel. `window.wetubeReady` turns true once the
// chain connection is ready and the first view is drawn.

import { Keyring } from '@polkadot/keyring';
import { u8aToHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { web3Accounts, web3Enable } from '@polkadot/extension-dapp';
import { Chain, rpcAddress } from './chain.js';
import { importSessionKey, loadOrCreateSessionKey } from './keys.js';
import { Ledger } from './ledger.js';
import { WorkerClient } from './worker.js';
import { startRouter } from './router.js';
import { h, replace, errorLine, loadingLine } from './ui/dom.js';
import { accountPanel } from './ui/account.js';
import { moderatorsView } from './ui/moderators.js';
import { catalogView } from './ui/catalog.js';
import { itemView } from './ui/item.js';
import { queueView, shareView } from './ui/share.js';

const statusLine = document.querySelector('[data-testid="status"]');
const view = document.getElementById('view');
const aside = document.getElementById('account');

function setStatus (state, text) {
  statusLine.className = `status ${state}`;
  statusLine.textContent = text;
}

/** The session as the page uses it: key pair, hex, SS58 address, keyring pair for extrinsics. */
function sessionOf (key, chain) {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: chain.ss58 });
  return {
    publicKey: key.publicKey,
    secretKey: key.secretKey,
    hex: u8aToHex(key.publicKey),
    address: chain.address(key.publicKey),
    pair: keyring.addFromPair({ publicKey: key.publicKey, secretKey: key.secretKey })
  };
}

/** Accounts of a polkadot-js compatible extension, if one is injected (none otherwise). */
async function extensionAccounts () {
  if (!window.injectedWeb3 || Object.keys(window.injectedWeb3).length === 0) {
    return [];
  }
  try {
    const extensions = await web3Enable('WeTube');
    return extensions.length ? await web3Accounts() : [];
  } catch (error) {
    console.warn(`WeTube: the wallet extension did not answer: ${error.message}`);
    return [];
  }
}

async function main () {
  const rpc = rpcAddress(window.location);
  replace(view, loadingLine(`Connecting to the chain at ${rpc}…`));
  const ctx = { chain: null, session: null, worker: null, workerError: null, ledger: new Ledger(), extensionAccounts: [] };

  const worker = WorkerClient.register().then(
    (client) => { ctx.worker = client; },
    (error) => { ctx.workerError = error.message; }
  );
  await cryptoWaitReady();
  const key = await loadOrCreateSessionKey();

  let unreachableShown = false;
  ctx.chain = await Chain.connect(rpc, (state, text) => {
    setStatus(state, text);
    if (state === 'unreachable' && !ctx.chain && !unreachableShown) {
      unreachableShown = true;
      replace(view, errorLine(`The chain is unreachable at ${rpc}: is its node running? WeTube keeps trying. (Another node: add ?rpc=ws://host:9944 to the address.)`));
    }
  });
  ctx.session = sessionOf(key, ctx.chain);
  await worker;
  ctx.worker?.on((event) => ctx.ledger.handle(event));
  await ctx.ledger.load();
  ctx.extensionAccounts = await extensionAccounts();

  let stopPanel = () => {};
  const drawPanel = () => {
    stopPanel();
    stopPanel = accountPanel(aside, ctx);
  };
  let router = null;
  ctx.importKey = async (suri) => {
    const imported = await importSessionKey(suri);
    ctx.session = sessionOf(imported, ctx.chain);
    await ctx.worker?.reset();
    drawPanel();
    router?.refresh();
  };
  drawPanel();

  router = startRouter(view, {
    moderators: (root) => moderatorsView(root, ctx),
    catalog: (root, params) => catalogView(root, ctx, params),
    item: (root, params) => itemView(root, ctx, params),
    share: (root, params) => shareView(root, ctx, params),
    queue: (root, params) => queueView(root, ctx, params),
    notFound: (root) => {
      replace(root, h('h1', null, 'Not here'), h('p', null, 'This page does not exist. ', h('a', { href: '#/' }, 'See the moderators.')));
      return () => {};
    }
  });
  ctx.refresh = () => router.refresh();
  window.wetubeReady = true;
}

main().catch((error) => {
  setStatus('unreachable', 'not ready');
  replace(view, errorLine(`WeTube could not start: ${error.message}`));
  console.error(error);
});
