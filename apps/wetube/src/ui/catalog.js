// `#/m/<moderator>`: a moderator's catalog as a grid of items, filtered by title as the
// viewer types.

import { h, replace, errorLine, loadingLine } from './dom.js';
import { formatBytes } from '../format.js';

/** What an item looks like in the grid, by MIME type. */
export function kindOf (mime) {
  const type = mime.split('/')[0];
  if (type === 'video' || type === 'audio' || type === 'image' || type === 'text') {
    return type;
  }
  return 'file';
}

const ICONS = { video: '▶', audio: '♪', image: '▣', text: '¶', file: '⬇' };

/**
 * Renders `moderator`'s catalog into `root`; returns the view's cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx
 * @param {{moderator: string}} params
 * @returns {() => void}
 */
export function catalogView (root, ctx, { moderator }) {
  let alive = true;
  replace(root, h('h1', null, 'Catalog'), loadingLine('Reading the catalog from the chain…'));
  let account;
  try {
    account = ctx.chain.accountBytes(moderator);
  } catch (error) {
    replace(root, h('h1', null, 'Catalog'), errorLine(error.message));
    return () => {};
  }
  Promise.all([ctx.chain.moderator(account), ctx.chain.catalog(account)]).then(([info, items]) => {
    if (!alive) {
      return;
    }
    const address = ctx.chain.address(account);
    const name = info?.name ?? address;
    const grid = h('div', { class: 'grid items' });
    const count = h('p', { class: 'meta' });
    const search = h('input', {
      type: 'search', class: 'search', testid: 'search', placeholder: 'Search titles', 'aria-label': 'Search titles', autocomplete: 'off'
    });
    const show = () => {
      const words = search.value.trim().toLowerCase();
      const found = words ? items.filter((item) => item.title.toLowerCase().includes(words)) : items;
      replace(grid, found.map((item) => itemCard(address, item)));
      replace(count, words
        ? `${found.length} of ${items.length} items match “${search.value.trim()}”`
        : `${items.length} item${items.length === 1 ? '' : 's'}`);
      if (found.length === 0) {
        grid.append(h('p', { class: 'empty' }, items.length ? 'No title matches.' : 'This catalog is empty.'));
      }
    };
    search.addEventListener('input', show);
    replace(root,
      h('div', { class: 'catalog-head' },
        h('div', null,
          h('h1', null, name),
          h('p', { class: 'meta' }, info
            ? `${info.commission === null ? 'no commission set' : `${Number(info.commission.toFixed(2))}% commission`} · ${formatBytes(info.bytes)} in all${info.live ? '' : ' · retired'}`
            : 'not a registered moderator'),
          info?.policy ? h('p', { class: 'policy' }, `Policy: ${info.policy}`) : null,
          h('p', { class: 'meta address' }, address)),
        search),
      count,
      grid,
      h('p', { class: 'foot' }, h('a', { href: `#/queue/${address}` }, 'Proposals waiting for this moderator'), ' · ', h('a', { href: `#/share?moderator=${address}` }, 'Share a file here')));
    show();
  }).catch((error) => {
    if (alive) {
      replace(root, h('h1', null, 'Catalog'), errorLine(`The catalog could not be read from the chain: ${error.message}`));
    }
  });
  return () => { alive = false; };
}

function itemCard (moderator, item) {
  const kind = kindOf(item.mime);
  return h('article', { class: 'card item', testid: 'catalog-item' },
    h('a', { href: `#/item/${moderator}/${item.id}`, class: 'card-link' },
      // Icon and size tag drawn by CSS from data attributes: the card's text stays title, type, size.
      h('div', { class: `thumb ${kind}`, 'aria-hidden': 'true', 'data-icon': ICONS[kind], 'data-size': formatBytes(item.size) }),
      h('h3', { class: 'card-title' }, item.title)),
    h('p', { class: 'meta' }, h('span', { class: 'type' }, item.mime), ' · ', h('span', { class: 'size' }, formatBytes(item.size))));
}
