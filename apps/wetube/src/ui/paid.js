// The item page's "Paid" panel: verified bytes per node, the receipts signed (cumulative
// bytes per node and epoch), the quota left at the serving node, and, once an epoch has
// closed, what each node was credited for it (`BandwidthApi_claimed`).

import { hexToU8a } from '@polkadot/util';
import { h, replace } from './dom.js';
import { formatBytes } from '../format.js';

/** Epochs looked back at: receipts shown, credits asked for. */
const RECENT_EPOCHS = 8;

/**
 * The paid panel of item `key` under `moderatorHex`, kept up to date with the ledger and
 * the chain's new blocks.
 * @param {object} ctx
 * @param {{key: string, moderatorHex: string}} item
 * @returns {{element: HTMLElement, stop: () => void}}
 */
export function paidPanel (ctx, { key, moderatorHex }) {
  const client = ctx.session.hex;
  const rows = h('tbody');
  const paid = h('p', { class: 'paid', testid: 'paid' });
  const quota = h('p', { class: 'meta', testid: 'node-quota' });
  const credits = h('div', { class: 'credits' });
  const element = h('section', { class: 'panel paid-panel' },
    h('h2', null, 'Paid with receipts'),
    h('p', { class: 'meta' }, 'Your session key signs a receipt for every verified range; each node is paid in proportion to the bytes it proves. Receipts of this catalog in recent epochs:'),
    paid,
    h('table', { class: 'nodes-table' },
      h('thead', null, h('tr', null, h('th', null, 'Node'), h('th', null, 'Verified here'), h('th', null, 'Receipts signed'))),
      rows),
    quota,
    credits);
  const nodeName = (hex) => ctx.chain.address(hexToU8a(hex));
  /** @type {Map<string, number>} credits known for good (the whole receipt credited) */
  const settled = new Map();
  /** @type {Map<string, number>} */
  const credited = new Map();
  let currentEpoch = null;

  const render = () => {
    const item = ctx.ledger.item(key);
    const receipts = ctx.ledger.receiptsOf(client, moderatorHex)
      .filter((r) => currentEpoch === null || currentEpoch - r.epoch <= RECENT_EPOCHS);
    const total = receipts.reduce((sum, r) => sum + r.bytes, 0);
    const nodes = new Set(receipts.map((r) => r.node));
    replace(paid, total > 0
      ? `Receipts signed: ${total} bytes (${formatBytes(total)}) to ${nodes.size} node${nodes.size === 1 ? '' : 's'}`
      : 'No receipts signed yet under this catalog.');
    const byNode = new Map();
    for (const [node, served] of item.served) {
      byNode.set(node, { verified: served.verified, signed: [] });
    }
    for (const receipt of receipts) {
      const row = byNode.get(receipt.node) ?? { verified: 0, signed: [] };
      row.signed.push(`${formatBytes(receipt.bytes)} in epoch ${receipt.epoch}`);
      byNode.set(receipt.node, row);
    }
    replace(rows, [...byNode].map(([node, row]) => h('tr', null,
      h('td', { class: 'address' }, nodeName(node)),
      h('td', null, formatBytes(row.verified)),
      h('td', null, row.signed.length ? row.signed.join(', ') : '–'))));
    replace(quota, item.quotaLeft === null ? '' : `Quota left at the serving node this epoch: ${formatBytes(item.quotaLeft)}`);
    const lines = [];
    for (const receipt of receipts) {
      if (currentEpoch === null || receipt.epoch >= currentEpoch) {
        continue;
      }
      const id = receiptId(receipt);
      const bytes = credited.get(id);
      if (bytes > 0) {
        lines.push(h('p', { class: 'credited', testid: 'credited' }, `${nodeName(receipt.node)} credited ${bytes} bytes in epoch ${receipt.epoch}`));
      } else if (currentEpoch - receipt.epoch <= RECENT_EPOCHS) {
        lines.push(h('p', { class: 'meta' }, `Epoch ${receipt.epoch} has closed: waiting for ${nodeName(receipt.node)} to submit your receipts…`));
      }
    }
    replace(credits, lines.length ? [h('h3', null, 'Credited by the chain'), lines] : []);
  };

  const refreshCredits = async () => {
    try {
      currentEpoch = (await ctx.chain.currentEpoch()).epoch;
      const receipts = ctx.ledger.receiptsOf(client, moderatorHex)
        .filter((r) => r.epoch < currentEpoch && currentEpoch - r.epoch <= RECENT_EPOCHS && !settled.has(receiptId(r)));
      await Promise.all(receipts.map(async (receipt) => {
        // Accounts as SS58 text: polkadot-js reads bytes given for an Option as its encoding.
        const account = (hex) => ctx.chain.address(hexToU8a(hex));
        const bytes = await ctx.chain.claimed(receipt.epoch, account(receipt.node), account(client), receipt.moderator ? account(receipt.moderator) : null);
        credited.set(receiptId(receipt), bytes);
        if (bytes >= receipt.bytes) {
          settled.set(receiptId(receipt), bytes);
        }
      }));
      render();
    } catch (error) {
      console.warn(`WeTube: credits could not be read: ${error.message}`);
    }
  };

  const stopLedger = ctx.ledger.on((event) => {
    if (event.item === key || event.type === 'receipt') {
      render();
    }
  });
  const stopHeads = ctx.chain.onNewHead(() => { refreshCredits(); });
  render();
  refreshCredits();
  return { element, stop: () => { stopLedger(); stopHeads(); } };
}

function receiptId (receipt) {
  return `${receipt.node}/${receipt.epoch}/${receipt.moderator ?? 'none'}`;
}
