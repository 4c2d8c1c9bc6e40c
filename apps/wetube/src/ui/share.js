// `#/share`: publish a file from the page under a moderator's catalog (listed if the session
// key is the moderator, proposed otherwise), with progress; `#/queue/<moderator>`: the
// proposals waiting for a moderator, to accept or reject with the moderator's key.

import { hexToU8a } from '@polkadot/util';
import { h, replace, errorLine, loadingLine } from './dom.js';
import { formatBytes } from '../format.js';
import { MAX_MIME_BYTES, MAX_TITLE_BYTES, contentIdOf, guessMime, listOrPropose, push } from '../publish.js';

const utf8Length = (text) => new TextEncoder().encode(text).length;

/**
 * Renders the share form into `root`; returns the view's cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx
 * @param {{moderator: string}} params the moderator chosen at first
 * @returns {() => void}
 */
export function shareView (root, ctx, { moderator }) {
  let alive = true;
  replace(root, h('h1', null, 'Share'), loadingLine('Reading the moderators from the chain…'));
  ctx.chain.moderators().then((moderators) => {
    if (!alive) {
      return;
    }
    const live = moderators.filter((m) => m.live);
    if (live.length === 0) {
      replace(root, h('h1', null, 'Share'), errorLine('No moderator is registered on this chain: there is no catalog to share into.'));
      return;
    }
    const choose = h('select', { testid: 'share-moderator' }, live.map((m) => h('option', { value: m.address, selected: m.address === moderator }, m.name)));
    const file = h('input', { type: 'file', testid: 'share-file' });
    const title = h('input', { type: 'text', testid: 'share-title', maxlength: String(MAX_TITLE_BYTES), placeholder: 'Title in the catalog' });
    const type = h('input', { type: 'text', testid: 'share-type', maxlength: String(MAX_MIME_BYTES), placeholder: 'video/webm' });
    const button = h('button', { type: 'submit', testid: 'share-publish' }, 'Publish');
    const bar = h('progress', { max: '1', value: '0', hidden: true });
    const steps = h('div', { class: 'share-steps', testid: 'share-progress' });
    file.addEventListener('change', () => {
      const picked = file.files?.[0];
      if (picked) {
        title.value = title.value || picked.name;
        type.value = guessMime(picked);
      }
    });
    const say = (text, kind = 'meta') => steps.append(h('p', { class: kind }, text));
    const publish = async (event) => {
      event.preventDefault();
      const picked = file.files?.[0];
      replace(steps);
      if (!picked) {
        say('Choose a file first.', 'error');
        return;
      }
      if (!title.value.trim() || utf8Length(title.value.trim()) > MAX_TITLE_BYTES) {
        say(`The title must have 1 to ${MAX_TITLE_BYTES} bytes.`, 'error');
        return;
      }
      if (!type.value.trim() || utf8Length(type.value.trim()) > MAX_MIME_BYTES) {
        say(`The type must have 1 to ${MAX_MIME_BYTES} bytes (for example video/webm).`, 'error');
        return;
      }
      button.disabled = true;
      bar.hidden = false;
      try {
        const id = await contentIdOf(picked, (done, size) => { bar.value = size ? done / size : 1; });
        const idHex = Array.from(id, (b) => b.toString(16).padStart(2, '0')).join('');
        say(`Content id: ${idHex} (${formatBytes(picked.size)})`);
        const target = choose.value;
        const progress = h('p', { class: 'meta' }, 'on chain: …');
        steps.append(progress);
        const listing = await listOrPropose(ctx.chain, ctx.session, target, id,
          { size: picked.size, title: title.value.trim(), mime: type.value.trim() },
          (step) => replace(progress, `on chain: ${step}`));
        replace(progress, `On chain: ${listing}.`);
        const { replicas } = await ctx.chain.replicas(ctx.chain.accountBytes(target), id, ctx.session.publicKey);
        if (replicas.length === 0) {
          say('No node with a gateway serves this catalog yet: the bytes could not be pushed anywhere.', 'error');
        }
        for (const replica of replicas) {
          const line = h('p', { class: 'meta' }, `${replica.gateway}: sending…`);
          steps.append(line);
          const answer = await push(replica.gateway, id, picked, (done, size) => {
            bar.value = size ? done / size : 1;
            replace(line, `${replica.gateway}: ${formatBytes(done)} of ${formatBytes(size)} sent`);
          });
          line.className = answer.ok ? 'good-line' : 'error';
          replace(line, `${replica.gateway} (node ${replica.address}): ${answer.text}`);
        }
        steps.append(listing.includes('listed')
          ? h('p', null, h('a', { href: `#/item/${target}/${idHex}`, testid: 'share-item' }, 'Open it in WeTube'))
          : h('p', null, 'Proposed: the moderator accepts or rejects it (', h('a', { href: `#/queue/${target}` }, 'see its queue'), '). A deposit is held from your session account until then.'));
      } catch (error) {
        say(`Publishing failed: ${error.message}`, 'error');
      } finally {
        button.disabled = false;
        bar.hidden = true;
      }
    };
    replace(root,
      h('h1', null, 'Share'),
      h('p', { class: 'lead' }, 'Publish a video, a song or any file under a moderator\'s catalog. If your session key is the moderator\'s, the file is listed at once; otherwise it is proposed and the moderator decides. The nodes serving the catalog then store it, checked against its content id.'),
      h('form', { class: 'share-form panel', onsubmit: publish },
        h('label', null, 'Moderator', choose),
        h('label', null, 'File', file),
        h('label', null, 'Title', title),
        h('label', null, 'Type', type),
        h('div', null, button)),
      bar,
      steps);
  }).catch((error) => {
    if (alive) {
      replace(root, h('h1', null, 'Share'), errorLine(`The moderators could not be read from the chain: ${error.message}`));
    }
  });
  return () => { alive = false; };
}

/**
 * Renders the proposals waiting for `moderator` into `root`; returns the view's cleanup.
 * @param {HTMLElement} root
 * @param {object} ctx
 * @param {{moderator: string}} params
 * @returns {() => void}
 */
export function queueView (root, ctx, { moderator }) {
  let alive = true;
  // Outlives a redraw: what the last decision did stays said after the queue is read again.
  const message = h('p', { class: 'account-message', role: 'status', testid: 'queue-message' });
  const draw = async () => {
    let account;
    try {
      account = ctx.chain.accountBytes(moderator);
    } catch (error) {
      replace(root, h('h1', null, 'Proposals'), errorLine(error.message));
      return;
    }
    const address = ctx.chain.address(account);
    const [info, proposals] = await Promise.all([ctx.chain.moderator(account), ctx.chain.proposals(account)]);
    if (!alive) {
      return;
    }
    const mine = ctx.session.address === address;
    const decide = (what, id) => async (event) => {
      event.target.disabled = true;
      const call = what === 'accept' ? ctx.chain.api.tx.moderation.acceptProposal(hexToU8a(`0x${id}`)) : ctx.chain.api.tx.moderation.rejectProposal(hexToU8a(`0x${id}`));
      try {
        await ctx.chain.send(call, { pair: ctx.session.pair }, (step) => replace(message, `${what}: ${step}`));
        replace(message, what === 'accept' ? 'Accepted: it is in the catalog now.' : 'Rejected: the publisher\'s deposit is returned.');
        draw();
      } catch (error) {
        replace(message, `${what} failed: ${error.message}`);
        event.target.disabled = false;
      }
    };
    replace(root,
      h('p', { class: 'crumbs' }, h('a', { href: `#/m/${address}` }, `← ${info?.name ?? address}`)),
      h('h1', null, `Proposals to ${info?.name ?? address}`),
      mine
        ? h('p', { class: 'lead' }, 'Your session key is this moderator\'s: accept to list a proposal in the catalog, or reject it.')
        : h('p', { class: 'lead' }, 'Only the moderator decides: import its key in the account panel (on a development chain, //Charlie for Charlie\'s samples) to accept or reject.'),
      message,
      proposals.length === 0
        ? h('p', { class: 'empty' }, 'No proposal is waiting.')
        : h('div', { class: 'proposals' }, proposals.map((p) => h('section', { class: 'panel proposal', testid: 'proposal' },
          h('div', null,
            h('h3', null, p.title),
            h('p', { class: 'meta' }, `${p.mime} · ${formatBytes(p.size)} · from ${p.publisher}`),
            h('p', { class: 'meta address' }, p.id)),
          h('div', { class: 'buttons' },
            h('button', { type: 'button', disabled: !mine, testid: 'accept', onclick: decide('accept', p.id) }, 'Accept'),
            h('button', { type: 'button', class: 'secondary', disabled: !mine, testid: 'reject', onclick: decide('reject', p.id) }, 'Reject'))))));
  };
  replace(root, h('h1', null, 'Proposals'), loadingLine('Reading the proposals from the chain…'));
  draw().catch((error) => {
    if (alive) {
      replace(root, h('h1', null, 'Proposals'), errorLine(`The proposals could not be read from the chain: ${error.message}`));
    }
  });
  return () => { alive = false; };
}
