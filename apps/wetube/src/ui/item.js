// `#/item/<moderator>/<content id>`: an item's page. The player's source is the service
// worker's verified, paying stream (`<app>/stream/<moderator>/<id>`); around it, which nodes
// served and that the bytes were verified, the replicas dropped and why, errors in words,
// the item's details, the nodes serving it in the chain's order, and the paid panel.

import { hexToU8a, u8aToHex } from '@polkadot/util';
import { h, replace, errorLine, loadingLine } from './dom.js';
import { paidPanel } from './paid.js';
import { kindOf } from './catalog.js';
import { contentCid } from '../cid.js';
import { formatBytes } from '../format.js';
import { streamUrl } from '../worker.js';

/** Largest text shown inline (bigger files are offered as a download). */
const INLINE_TEXT_BYTES = 256 * 1024;

/**
 * A worker's error in words for the viewer.
 * @param {{message: string, kind: string, status: number | null, quotaLeft?: number | null}} error
 * @returns {string}
 */
export function explain (error) {
  if (error.status === 403) {
    return `The moderator denied this content: the node refuses to serve it (${error.message}).`;
  }
  if (error.status === 402 && error.quotaLeft !== null && error.quotaLeft !== undefined) {
    return `Your bandwidth quota is used up at this node for this epoch (${error.message}). Lock more CLD in the account panel, or wait for the next epoch.`;
  }
  if (error.status === 402) {
    return `The node wants payment your session cannot make yet (${error.message}). Fund your session account and lock CLD in the account panel, then play again.`;
  }
  if (error.status === 401) {
    return `The node did not accept this page's proof of its session key (${error.message}). Check this computer's clock.`;
  }
  switch (error.kind) {
    case 'unavailable': return `The nodes serving this content are down or unreachable right now: ${error.message}.`;
    case 'bad-peer': return `No replica sent bytes that match the content id, so nothing was played: ${error.message}.`;
    case 'not-found': return `No node can serve this content now: ${error.message}.`;
    default: return error.message;
  }
}

/**
 * Renders the item page into `root`; returns the view's cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx
 * @param {{moderator: string, id: string}} params
 * @returns {() => void}
 */
export function itemView (root, ctx, { moderator, id }) {
  const cleanups = [];
  let alive = true;
  replace(root, loadingLine('Reading the item from the chain…'));
  load(root, ctx, moderator, id, cleanups, () => alive).catch((error) => {
    if (alive) {
      root.append(errorLine(`This item could not be opened: ${error.message}`));
    }
  });
  return () => {
    alive = false;
    for (const cleanup of cleanups) {
      cleanup();
    }
  };
}

async function load (root, ctx, moderatorText, idText, cleanups, alive) {
  const { chain } = ctx;
  const idHex = idText.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{64}$/.test(idHex)) {
    replace(root, errorLine(`${idText} is not a content id (64 hex digits).`));
    return;
  }
  let moderatorBytes;
  try {
    moderatorBytes = chain.accountBytes(moderatorText);
  } catch (error) {
    replace(root, errorLine(error.message));
    return;
  }
  const moderator = chain.address(moderatorBytes);
  const id = hexToU8a(`0x${idHex}`);
  const [entry, denied, info] = await Promise.all([
    chain.catalogItem(moderatorBytes, id),
    chain.isDenied(moderatorBytes, id),
    chain.moderator(moderatorBytes)
  ]);
  if (!alive()) {
    return;
  }
  const moderatorName = info?.name ?? moderator;
  const back = h('p', { class: 'crumbs' }, h('a', { href: `#/m/${moderator}` }, `← ${moderatorName}`));
  if (!entry) {
    replace(root, back, errorLine(`This content is not in ${moderatorName}'s catalog (it may have been delisted).`));
    return;
  }
  const kind = kindOf(entry.mime);
  const stage = h('div', { class: `stage ${kind}` });
  const servedBy = h('p', { class: 'served-by', testid: 'served-by' });
  const dropped = h('div', { class: 'dropped-slot' });
  const problem = h('div', { class: 'problem' });
  const replicasList = h('ol', { class: 'replicas' }, h('li', { class: 'meta' }, 'reading the nodes from the chain…'));
  const key = `${moderator}/${idHex}`;
  replace(root,
    back,
    h('div', { class: 'watch' },
      h('div', { class: 'watch-main' },
        stage,
        h('h1', { class: 'item-title' }, entry.title),
        h('p', { class: 'meta' }, `${entry.mime} · ${formatBytes(entry.size)} · listed by ${moderatorName}`),
        servedBy, dropped, problem,
        details(entry, idHex, id, moderator, chain)),
      h('div', { class: 'watch-side' },
        h('section', { class: 'panel' }, h('h2', null, 'Nodes serving it'), h('p', { class: 'meta' }, 'In the chain\'s order for you this epoch: the player takes ranges from the first two in turn, and from the next one when a replica fails.'), replicasList))));

  if (denied) {
    replace(stage, h('div', { class: 'blocked' }, '⛔'));
    problem.append(errorLine(`${moderatorName} (the moderator) denied this content: it is on the moderator's deny list, so WeTube does not play it.`));
    replace(replicasList, h('li', { class: 'meta' }, 'not asked: the content is denied'));
    return;
  }
  const { epoch, replicas } = await chain.replicas(moderatorBytes, id, ctx.session.publicKey);
  if (!alive()) {
    return;
  }
  const status = new Map();
  const renderReplicas = () => replace(replicasList, replicas.length
    ? replicas.map((r, i) => h('li', { class: `replica ${status.get(u8aToHex(r.node)) ?? ''}` },
      h('span', { class: 'rank' }, `${i + 1}`),
      h('span', { class: 'address' }, r.address),
      h('span', { class: 'gateway' }, r.gateway),
      h('span', { class: 'badge' }, status.get(u8aToHex(r.node)) ?? r.standing)))
    : h('li', { class: 'meta' }, 'none'));
  renderReplicas();
  if (replicas.length === 0) {
    problem.append(errorLine(`No node with a gateway serves ${moderatorName}'s catalog: nothing can play this content.`));
    return;
  }
  if (!ctx.worker) {
    problem.append(errorLine(ctx.workerError ?? 'The service worker is not running: reload the page.'));
    return;
  }

  const panel = paidPanel(ctx, { key, moderatorHex: u8aToHex(moderatorBytes) });
  cleanups.push(panel.stop);
  root.querySelector('.watch-side').prepend(panel.element);

  ctx.ledger.resetItem(key);
  await ctx.worker.openItem({
    key,
    id: idHex,
    moderator: u8aToHex(moderatorBytes),
    size: entry.size,
    mime: entry.mime,
    genesis: u8aToHex(chain.genesis),
    client: ctx.session.hex,
    epoch,
    replicas: replicas.map((r) => ({ node: u8aToHex(r.node), gateway: r.gateway }))
  });
  if (!alive()) {
    return;
  }

  let media = null;
  const showProblem = (message, retry = false) => replace(problem, errorLine(message),
    retry ? h('button', { type: 'button', class: 'secondary', testid: 'retry', onclick: () => ctx.refresh() }, 'Try again') : null);
  const update = (event) => {
    const item = ctx.ledger.item(key);
    const served = [...item.served].filter(([, s]) => s.verified > 0);
    replace(servedBy, served.length
      ? `✔ ${formatBytes(served.reduce((sum, [, s]) => sum + s.verified, 0))} verified against the content id, served by ${served.map(([node, s]) => `${s.gateway} (node ${chain.address(hexToU8a(node))})`).join(' and ')}`
      : 'Waiting for the first verified bytes…');
    for (const [node] of served) {
      status.set(node, 'serving');
    }
    for (const drop of item.dropped) {
      status.set(drop.node, 'dropped');
    }
    // Shown only when a replica was dropped.
    replace(dropped, item.dropped.length
      ? h('p', { class: 'dropped', testid: 'dropped' }, `${item.dropped.length} replica${item.dropped.length === 1 ? '' : 's'} dropped: ${item.dropped.map((d) => `${d.gateway}: ${d.reason}`).join('; ')}`)
      : null);
    renderReplicas();
    if (event?.type === 'error' && event.item === key) {
      showProblem(explain(item.error), item.error.status !== 403);
      if (item.error.status === 403 && media) {
        // Denied by the moderator, as the node says: nothing more is played.
        media.pause();
        media.removeAttribute('src');
        media.remove();
        media = null;
        replace(stage, h('div', { class: 'blocked' }, '⛔'));
      }
    } else if (event?.type === 'served' && event.item === key) {
      replace(problem);
    }
  };
  cleanups.push(ctx.ledger.on((event) => {
    if (event.item === key) {
      update(event);
    }
  }));
  update(null);

  const source = streamUrl(moderator, idHex);
  if (kind === 'video' || kind === 'audio') {
    media = h(kind, { controls: true, preload: 'metadata', testid: 'player', class: 'player', playsinline: true, src: source });
    media.addEventListener('pause', () => ctx.worker.settle());
    media.addEventListener('ended', () => ctx.worker.settle());
    media.addEventListener('error', () => {
      if (!ctx.ledger.item(key).error && media?.error) {
        showProblem(`The player cannot play this file: ${media.error.message || mediaErrorText(media.error.code)}.`);
      }
    });
    replace(stage, media);
    cleanups.push(() => {
      media?.pause();
      ctx.worker.settle();
    });
  } else if (kind === 'image') {
    replace(stage, h('img', { src: source, alt: entry.title, class: 'picture' }));
  } else if (kind === 'text' && entry.size <= INLINE_TEXT_BYTES) {
    const pre = h('pre', { class: 'text-view' }, 'loading verified text…');
    replace(stage, pre);
    fetch(source).then(async (response) => {
      if (!response.ok) {
        throw new Error((await response.text()).slice(0, 500));
      }
      replace(pre, await response.text());
      ctx.worker.settle();
    }).catch((error) => {
      replace(pre, '');
      if (!ctx.ledger.item(key).error) {
        showProblem(`The text could not be read: ${error.message}`);
      }
    });
  } else {
    replace(stage, h('a', { class: 'button', href: source, download: entry.title }, `Download ${entry.title} (verified)`));
  }
}

function details (entry, idHex, id, moderator, chain) {
  const row = (name, ...value) => [h('dt', null, name), h('dd', null, ...value)];
  return h('details', { class: 'item-details' },
    h('summary', null, 'Details'),
    h('dl', null,
      row('Content id', h('code', { testid: 'content-id' }, idHex)),
      row('CID', h('code', null, contentCid(id))),
      row('Size', `${entry.size} bytes (${formatBytes(entry.size)})`),
      row('Type', entry.mime),
      row('Moderator', h('a', { href: `#/m/${moderator}` }, moderator)),
      entry.publisher ? row('Publisher', chain.address(entry.publisher)) : null,
      entry.listedAt !== null ? row('Listed at block', `#${entry.listedAt}`) : null));
}

function mediaErrorText (code) {
  return ['', 'playback was aborted', 'a network error stopped the download', 'the file could not be decoded', 'the format is not supported'][code] ?? 'unknown error';
}
