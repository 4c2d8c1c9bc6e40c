// WeTube's service worker (scope: the app's directory, `/app/` on a gateway). It answers the
// player's requests for `<scope>stream/<moderator ss58>/<content id hex>` with Range, from
// bytes verified against the content id and paid for with receipts signed by the session key
// (stream.js); every other request goes to the network untouched.
//
// The page hands over what it learnt from the chain about an item (replicas in order, size,
// type, genesis) with a message and in IndexedDB (`items`), so that a worker restarted by
// the browser still knows it. The worker tells every window what happens: `served`,
// `dropped`, `receipt`, `posted`, `error`.

import { hexToU8a, u8aEq } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { loadVerifier } from '../verifier/verifier.js';
import { SESSION_KEY, idbGet, idbPut, STORES } from './idb.js';
import { ReceiptBook } from './receipts.js';
import { parseRange } from './ranges.js';
import { ItemStream, RANGE_BYTES, settleAll } from './stream.js';
import { Kind } from './errors.js';

const scope = new URL(self.registration.scope);
const STREAM_PREFIX = `${scope.pathname}stream/`;

self.addEventListener('install', (event) => event.waitUntil(self.skipWaiting()));
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

let verifierLoading = null;

/** The wasm verifier (`<scope>verifier.wasm`), loaded once. */
function verifier () {
  if (!verifierLoading) {
    verifierLoading = loadVerifier(new URL('verifier.wasm', scope).href);
    verifierLoading.catch(() => { verifierLoading = null; });
  }
  return verifierLoading;
}

/** @type {Map<string, Promise<import('./stream.js').Payer>>} by client and genesis */
const payers = new Map();
/** @type {Map<string, {info: import('./stream.js').ItemInfo, stream: ItemStream}>} by item key */
const streams = new Map();

/** Tells every window of the app about `event`. */
async function emit (event) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) {
    client.postMessage({ source: 'wetube-sw', ...event });
  }
}

/** Keeps the newest receipt per key for the pages' paid panel (never a smaller one). */
async function remember (record) {
  const key = `${record.client}/${record.node}/${record.epoch}/${record.moderator ?? 'none'}`;
  try {
    const known = await idbGet(STORES.receipts, key);
    if (!known || known.bytes < record.bytes) {
      await idbPut(STORES.receipts, key, { ...record, at: Date.now() });
    }
  } catch (error) {
    console.warn(`WeTube: a receipt could not be kept for the paid panel: ${error.message}`);
  }
}

/**
 * The paying client of `clientHex` on the chain of `genesisHex`: the session key stored by
 * the page, which must be that client's.
 */
function payerFor (clientHex, genesisHex) {
  const id = `${clientHex}/${genesisHex}`;
  let loading = payers.get(id);
  if (!loading) {
    loading = (async () => {
      await cryptoWaitReady();
      const stored = await idbGet(STORES.keys, SESSION_KEY);
      if (!(stored?.publicKey instanceof Uint8Array) || !(stored?.secretKey instanceof Uint8Array)) {
        throw new Error('no session key in this browser: open the app page first');
      }
      if (!u8aEq(stored.publicKey, hexToU8a(clientHex))) {
        throw new Error('the session key changed: open the item page again');
      }
      const keypair = { publicKey: stored.publicKey, secretKey: stored.secretKey };
      return {
        keypair,
        book: new ReceiptBook(keypair, hexToU8a(genesisHex)),
        pending: new Map(),
        emit,
        remember
      };
    })();
    loading.catch(() => payers.delete(id));
    payers.set(id, loading);
  }
  return loading;
}

/** Whether `info` has the shape stream.js needs (the page's own data, checked anyway). */
function validInfo (info) {
  const hex32 = (text) => typeof text === 'string' && /^0x[0-9a-f]{64}$/i.test(text);
  return info && typeof info.key === 'string' && /^[0-9a-f]{64}$/i.test(info.id) &&
    hex32(info.moderator) && hex32(info.genesis) && hex32(info.client) &&
    Number.isSafeInteger(info.size) && info.size >= 0 && typeof info.mime === 'string' &&
    Array.isArray(info.replicas) &&
    info.replicas.every((r) => hex32(r.node) && typeof r.gateway === 'string');
}

/** The stream of item `key`: the one in use, or a new one from what the page stored. */
async function streamFor (key) {
  const known = streams.get(key);
  if (known) {
    return known.stream;
  }
  const info = await idbGet(STORES.items, key);
  if (!validInfo(info)) {
    return null;
  }
  return startStream(info);
}

/** Items streamed at once; the oldest beyond are closed (each caches up to 8 MiB). */
const MAX_STREAMS = 3;

async function startStream (info) {
  const payer = await payerFor(info.client, info.genesis);
  const previous = streams.get(info.key);
  if (previous) {
    previous.stream.settle();
    previous.stream.close();
    streams.delete(info.key);
  }
  const stream = new ItemStream(info, payer, verifier);
  streams.set(info.key, { info, stream });
  while (streams.size > MAX_STREAMS) {
    const [oldest, { stream: old }] = streams.entries().next().value;
    old.settle();
    old.close();
    streams.delete(oldest);
  }
  return stream;
}

function textAnswer (status, text, headers = {}) {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers } });
}

/** The HTTP status that tells the player what a failure is. */
function failureStatus (error) {
  switch (error.kind) {
    case Kind.refused: return error.status ?? 403;
    case Kind.notFound: return 404;
    case Kind.unavailable: return 503;
    case Kind.badPeer: return 502;
    default: return 500;
  }
}

/**
 * The player's answer: the selected bytes, the first range verified before the status line
 * goes out (so that a refusal is a clean status), the next ones as the player reads.
 */
async function answer (request, key) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return textAnswer(405, 'only GET and HEAD');
  }
  let stream;
  try {
    stream = await streamFor(key);
  } catch (error) {
    emit({ item: key, type: 'error', message: error.message, kind: Kind.local });
    return textAnswer(500, error.message);
  }
  if (!stream) {
    return textAnswer(404, 'unknown item: open its page in WeTube first (the player needs its replicas from the chain)');
  }
  const size = stream.size;
  const range = parseRange(request.headers.get('range'), size);
  if (!range) {
    return textAnswer(416, 'range not satisfiable', { 'content-range': `bytes */${size}` });
  }
  const headers = {
    'content-type': stream.info.mime || 'application/octet-stream',
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
    'content-length': String(range.end - range.start)
  };
  if (range.partial) {
    headers['content-range'] = `bytes ${range.start}-${range.end - 1}/${size}`;
  }
  const status = range.partial ? 206 : 200;
  if (request.method === 'HEAD' || range.end === range.start) {
    return new Response(null, { status, headers });
  }
  let first;
  try {
    first = await stream.range(Math.floor(range.start / RANGE_BYTES));
  } catch (error) {
    return textAnswer(failureStatus(error), error.message);
  }
  let position = range.start;
  let pending = first;
  const body = new ReadableStream({
    async pull (controller) {
      try {
        const index = Math.floor(position / RANGE_BYTES);
        const bytes = pending ?? await stream.range(index);
        pending = null;
        const from = position - index * RANGE_BYTES;
        const to = Math.min(range.end - index * RANGE_BYTES, bytes.length);
        if (to <= from) {
          throw new Error('the stream lost its place');
        }
        controller.enqueue(bytes.slice(from, to));
        position += to - from;
        if (position >= range.end) {
          controller.close();
        }
      } catch (error) {
        controller.error(error);
      }
    }
  }, new CountQueuingStrategy({ highWaterMark: 2 }));
  return new Response(body, { status, headers });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(STREAM_PREFIX)) {
    return;
  }
  let key;
  try {
    key = decodeURIComponent(url.pathname.slice(STREAM_PREFIX.length));
  } catch {
    event.respondWith(textAnswer(400, 'malformed item address'));
    return;
  }
  event.respondWith(answer(event.request, key));
});

self.addEventListener('message', (event) => {
  const data = event.data ?? {};
  const reply = (message) => event.ports?.[0]?.postMessage(message);
  const settleEverything = async () => {
    for (const loading of payers.values()) {
      try {
        await settleAll(await loading);
      } catch {
        // A payer that never loaded has nothing to settle.
      }
    }
  };
  switch (data.type) {
    case 'item':
      if (!validInfo(data.info)) {
        reply({ ok: false, error: 'malformed item' });
        return;
      }
      event.waitUntil(startStream(data.info).then(
        () => reply({ ok: true }),
        (error) => reply({ ok: false, error: error.message })
      ));
      return;
    case 'settle':
      event.waitUntil(settleEverything().then(() => reply({ ok: true })));
      return;
    case 'reset':
      event.waitUntil(settleEverything().then(() => {
        for (const { stream } of streams.values()) {
          stream.close();
        }
        streams.clear();
        payers.clear();
        reply({ ok: true });
      }));
      return;
    case 'ping':
      reply({ ok: true, version: 1 });
      return;
    default:
      reply({ ok: false, error: `unknown message ${String(data.type)}` });
  }
});
