// `#/`: the moderators, each a card linking to its catalog.

import { h, replace, errorLine, loadingLine } from './dom.js';
import { formatBytes } from '../format.js';

/**
 * Renders the moderators into `root`; returns the view's cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx the app context (app.js)
 * @returns {() => void}
 */
export function moderatorsView (root, ctx) {
  let alive = true;
  replace(root, h('h1', null, 'Moderators'), loadingLine('Reading the moderators from the chain…'));
  ctx.chain.moderators().then((moderators) => {
    if (!alive) {
      return;
    }
    const intro = h('p', { class: 'lead' },
      'Each moderator curates a catalog that content nodes store and serve. Pick one to browse what it lists.');
    if (moderators.length === 0) {
      replace(root, h('h1', null, 'Moderators'), intro, h('p', { class: 'empty' }, 'No moderator is registered on this chain yet.'));
      return;
    }
    replace(root, h('h1', null, 'Moderators'), intro, h('div', { class: 'grid moderators' }, moderators.map(card)));
  }).catch((error) => {
    if (alive) {
      replace(root, h('h1', null, 'Moderators'), errorLine(`The moderators could not be read from the chain: ${error.message}`));
    }
  });
  return () => { alive = false; };
}

function card (moderator) {
  const commission = moderator.commission === null ? 'no commission set' : `${trim(moderator.commission)}% commission`;
  return h('article', { class: 'card moderator', testid: 'moderator' },
    h('a', { href: `#/m/${moderator.address}`, class: 'card-link' },
      h('div', { class: 'thumb avatar', 'aria-hidden': 'true', 'data-icon': initials(moderator.name) }),
      h('h2', { class: 'card-title' }, moderator.name)),
    h('p', { class: 'meta' },
      `${moderator.items} item${moderator.items === 1 ? '' : 's'} · ${formatBytes(moderator.bytes)} · ${commission}`,
      moderator.live ? null : h('span', { class: 'badge warn' }, 'retired')),
    moderator.policy ? h('p', { class: 'policy', title: 'Where the moderator publishes its rules' }, `Policy: ${moderator.policy}`) : null);
}

function initials (name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((w) => [...w][0].toUpperCase()).join('') || '?';
}

function trim (value) {
  return Number(value.toFixed(2)).toString();
}
