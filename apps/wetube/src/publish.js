// Publishing from the page, as the CLI's `bitcloud publish` does
// (offchain-workers/client/src/publish.rs): the file's content id (BLAKE3, read once), its
// listing (when the session key is the moderator) or proposal (otherwise) on chain, then the
// push of its bytes to every node serving the moderator's catalog (`PUT /content/<id>`),
// which takes them only if they hash to the id.

import { blake3 } from '@noble/hashes/blake3';
import { u8aToHex } from '@polkadot/util';

/** Longest title and MIME type the chain takes, in bytes (runtime: MaxTitleLength, MaxMimeTypeLength). */
export const MAX_TITLE_BYTES = 128;
export const MAX_MIME_BYTES = 64;

const MIME_BY_EXTENSION = {
  mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', mkv: 'video/x-matroska',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', wav: 'audio/wav', flac: 'audio/flac',
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', webp: 'image/webp',
  pdf: 'application/pdf', txt: 'text/plain; charset=utf-8', md: 'text/plain; charset=utf-8',
  html: 'text/html; charset=utf-8', htm: 'text/html; charset=utf-8', json: 'application/json'
};

/**
 * What a file is, for its catalog entry: the browser's type, else one from its extension.
 * @param {File} file
 * @returns {string}
 */
export function guessMime (file) {
  if (file.type) {
    return file.type;
  }
  const extension = file.name.includes('.') ? file.name.split('.').pop().toLowerCase() : '';
  return MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
}

/**
 * The content id of `file` (the BLAKE3 hash of its bytes), read once in slices.
 * @param {File} file
 * @param {(done: number, size: number) => void} onProgress
 * @returns {Promise<Uint8Array>}
 */
export async function contentIdOf (file, onProgress) {
  const hasher = blake3.create({});
  const reader = file.stream().getReader();
  let done = 0;
  for (;;) {
    const { done: end, value } = await reader.read();
    if (end) {
      break;
    }
    hasher.update(value);
    done += value.length;
    onProgress(done, file.size);
  }
  return hasher.digest();
}

/**
 * Lists the content if the session key is the moderator, proposes it otherwise; nothing is
 * sent twice. Resolves with what happened: `listed`, `proposed`, `already listed`,
 * `already proposed`.
 * @param {import('./chain.js').Chain} chain
 * @param {{pair: any, address: string}} session
 * @param {string} moderator SS58
 * @param {Uint8Array} id
 * @param {{size: number, title: string, mime: string}} entry
 * @param {(text: string) => void} onProgress
 * @returns {Promise<string>}
 */
export async function listOrPropose (chain, session, moderator, id, { size, title, mime }, onProgress) {
  if (await chain.catalogItem(moderator, id)) {
    return 'already listed';
  }
  const api = chain.api;
  if (chain.address(moderator) === session.address) {
    await chain.send(api.tx.moderation.listContent(id, size, title, mime, null), { pair: session.pair }, onProgress);
    return 'listed';
  }
  if (await chain.proposal(moderator, id)) {
    return 'already proposed';
  }
  await chain.send(api.tx.moderation.proposeContent(moderator, id, size, title, mime), { pair: session.pair }, onProgress);
  return 'proposed';
}

/**
 * Pushes `file` to one gateway (`PUT /content/<id>`), with upload progress. A gateway whose
 * chain view has not seen the listing yet refuses with 403: asked again, up to 3 times.
 * @param {string} gateway
 * @param {Uint8Array} id
 * @param {File} file
 * @param {(done: number, size: number) => void} onProgress
 * @returns {Promise<{ok: boolean, text: string}>}
 */
export async function push (gateway, id, file, onProgress) {
  const url = `${gateway.replace(/\/+$/, '')}/content/${u8aToHex(id, -1, false)}`;
  for (let attempt = 0; ; attempt++) {
    const answer = await put(url, file, onProgress);
    if (answer.status === 201) {
      return { ok: true, text: 'stored' };
    }
    if (answer.status === 200) {
      return { ok: true, text: 'already stored' };
    }
    if (answer.status === 403 && attempt < 3) {
      await new Promise((resolve) => setTimeout(resolve, 3000));
      continue;
    }
    return { ok: false, text: answer.status === 0 ? 'unreachable (down, or it refuses this page: CORS)' : `answered ${answer.status}: ${answer.reason}` };
  }
}

function put (url, file, onProgress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, file.size));
    xhr.addEventListener('load', () => resolve({ status: xhr.status, reason: String(xhr.responseText ?? '').trim().slice(0, 300) }));
    xhr.addEventListener('error', () => resolve({ status: 0, reason: '' }));
    xhr.addEventListener('abort', () => resolve({ status: 0, reason: '' }));
    xhr.send(file);
  });
}
