// The account panel, on every page: the session account, its balance, lock and quota, and
// the actions on it: fund it (from a polkadot-js extension account, or a development
// account on a development chain), lock CLD for bandwidth (signed by the session key), and
// import another session key.

import { Keyring } from '@polkadot/keyring';
import { web3FromAddress } from '@polkadot/extension-dapp';
import { h, replace } from './dom.js';
import { formatAmount, formatBytes, parseAmount } from '../format.js';

/** The development accounts a dev chain endows. */
export const DEV_ACCOUNTS = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'];

/**
 * Renders the account panel into `root`; returns its cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx the app context; `ctx.importKey(suri)` replaces the session key
 * @returns {() => void}
 */
export function accountPanel (root, ctx) {
  const { chain, session } = ctx;
  const amount = (planck) => formatAmount(planck, chain.decimals, chain.token);
  let free = null;
  let busy = false;

  const balance = h('dd', null, '…');
  const locked = h('dd', null, '…');
  const quota = h('dd', { testid: 'quota' }, '…');
  const epochLine = h('dd', null, '…');
  const message = h('p', { class: 'account-message', testid: 'account-message', role: 'status' });
  const fundFrom = h('select', { testid: 'fund-from', 'aria-label': 'Fund from' });
  const fundAmount = h('input', { testid: 'fund-amount', type: 'text', inputmode: 'decimal', value: '100', 'aria-label': `Amount to fund in ${chain.token}` });
  const fundButton = h('button', { testid: 'fund', type: 'submit' }, 'Fund');
  const lockAmount = h('input', { testid: 'lock-amount', type: 'text', inputmode: 'decimal', value: '10', 'aria-label': `Amount to lock in ${chain.token}` });
  const lockButton = h('button', { testid: 'lock', type: 'submit', disabled: true }, 'Lock');
  const importKey = h('input', { testid: 'import-key', type: 'password', autocomplete: 'off', placeholder: 'mnemonic, or //Ferdie on a dev chain', 'aria-label': 'Secret to import' });
  const importButton = h('button', { testid: 'import', type: 'submit' }, 'Import');

  const say = (text, kind = 'info') => {
    message.className = `account-message ${kind}`;
    replace(message, text);
  };
  const refreshButtons = () => {
    lockButton.disabled = busy || free === null || free === 0n;
    fundButton.disabled = busy || fundFrom.options.length === 0;
    importButton.disabled = busy;
  };

  // Where funds can come from: extension accounts, then the dev accounts of a dev chain.
  const sources = () => {
    const options = [];
    for (const account of ctx.extensionAccounts ?? []) {
      options.push(h('option', { value: account.address }, `${account.meta?.name ?? 'account'} (extension) ${chain.address(account.address).slice(0, 8)}…`));
    }
    if (chain.isDev) {
      for (const name of DEV_ACCOUNTS) {
        options.push(h('option', { value: `//${name}` }, `${name} (development account)`));
      }
    }
    replace(fundFrom, options);
    fundFrom.disabled = options.length === 0;
    refreshButtons();
  };
  sources();

  const run = async (what, action) => {
    if (busy) {
      return;
    }
    busy = true;
    refreshButtons();
    try {
      await action();
    } catch (error) {
      say(`${what} failed: ${error.message}`, 'bad');
    } finally {
      busy = false;
      refreshButtons();
    }
  };

  const fund = (event) => {
    event.preventDefault();
    run('Funding', async () => {
      const value = parseAmount(fundAmount.value, chain.decimals, chain.token);
      const source = fundFrom.value;
      if (!source) {
        throw new Error('no account to fund from: install the polkadot-js extension, or use a development chain');
      }
      let from;
      if (source.startsWith('//')) {
        from = { pair: new Keyring({ type: 'sr25519', ss58Format: chain.ss58 }).addFromUri(source) };
      } else {
        from = { address: source, signer: (await web3FromAddress(source)).signer };
      }
      const tx = chain.api.tx.balances.transferKeepAlive(session.address, value);
      await chain.send(tx, from, (step) => say(`Funding ${amount(value)}: ${step}`));
      say(`Funded: ${amount(value)} sent to your session account.`, 'good');
    });
  };

  const lock = (event) => {
    event.preventDefault();
    run('Locking', async () => {
      const value = parseAmount(lockAmount.value, chain.decimals, chain.token);
      const tx = chain.api.tx.bandwidth.lock(value);
      await chain.send(tx, { pair: session.pair }, (step) => say(`Locking ${amount(value)}: ${step}`));
      say(`Locked ${amount(value)} for bandwidth: your quota grows with it.`, 'good');
      refreshQuota();
    });
  };

  const doImport = (event) => {
    event.preventDefault();
    run('Importing', async () => {
      await ctx.importKey(importKey.value);
      importKey.value = '';
    });
  };

  const refreshQuota = async () => {
    try {
      const { epoch } = await chain.currentEpoch();
      const q = await chain.clientQuota(session.publicKey, epoch);
      replace(quota, `${formatBytes(Math.max(0, q.quota - q.used))} left of ${formatBytes(q.quota)}`);
      replace(locked, q.unlocking > 0n ? `${amount(q.locked)} (${amount(q.unlocking)} unlocking)` : amount(q.locked));
      replace(epochLine, `${epoch}`);
    } catch (error) {
      replace(quota, 'unknown');
      console.warn(`WeTube: the quota could not be read: ${error.message}`);
    }
  };

  const stopBalance = chain.followBalance(session.address, (value) => {
    free = value;
    replace(balance, amount(value));
    refreshButtons();
  });
  const stopHeads = chain.onNewHead(() => { refreshQuota(); });
  refreshQuota();

  replace(root,
    h('section', { class: 'panel account-panel' },
      h('h2', null, 'Your session'),
      h('p', { class: 'meta' }, 'This browser\'s own key pays the nodes for the bytes they serve you: fund it, lock CLD for bandwidth, then watch.'),
      h('dl', { class: 'facts' },
        h('dt', null, 'Account'), h('dd', { class: 'address', testid: 'session-account' }, session.address),
        h('dt', null, 'Balance'), balance,
        h('dt', null, 'Locked'), locked,
        h('dt', null, 'Quota this epoch'), quota,
        h('dt', null, 'Epoch'), epochLine),
      h('form', { class: 'action', onsubmit: fund },
        h('label', null, 'Fund from', fundFrom),
        h('div', { class: 'row' }, fundAmount, h('span', { class: 'unit' }, chain.token), fundButton)),
      h('form', { class: 'action', onsubmit: lock },
        h('label', null, `Lock for bandwidth`),
        h('div', { class: 'row' }, lockAmount, h('span', { class: 'unit' }, chain.token), lockButton)),
      message,
      h('form', { class: 'action import', onsubmit: doImport },
        h('label', null, 'Use another session key'),
        h('div', { class: 'row' }, importKey, importButton)),
      h('p', { class: 'meta' }, 'The key stays in this browser (IndexedDB); it signs your receipts and your lock. Keep on it only what you mean to spend on bandwidth.')));

  return () => {
    stopBalance();
    stopHeads();
  };
}
