// HTTP to content gateways from the service worker: every answer checked and bounded, every
// failure a PeerError by what it means (errors.js).

import { CHUNK_GROUP_LOG_HEADER, CONTENT_SIZE_HEADER, QUOTA_LEFT_HEADER, parseCount } from './protocol.js';
import { Kind, PeerError, statusKind } from './errors.js';

/** Longest wait for a gateway's status line and headers. */
export const HEADERS_TIMEOUT_MS = 20_000;
/** Longest a request to a gateway may take, body included. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** Largest chunk group accepted: 1 MiB, so that 1 MiB ranges stay on group boundaries. */
export const MAX_CHUNK_GROUP_LOG = 10;
/** Longest refusal reason read. */
const REASON_BYTES = 4096;

/**
 * The URL of content `idHex` at `gateway` (`http://host:port`), with an optional suffix.
 * @param {string} gateway
 * @param {string} idHex 64 hex digits
 * @param {string} [suffix]
 * @returns {string}
 */
export function contentUrl (gateway, idHex, suffix = '') {
  return `${gateway.replace(/\/+$/, '')}/content/${idHex}${suffix}`;
}

/**
 * `fetch` with a deadline; a network failure or timeout is an `unavailable` PeerError.
 * The returned `done()` stops the deadline once the body is read.
 * @param {string} url
 * @param {RequestInit} init
 * @param {string} who e.g. "gateway http://127.0.0.1:8080"
 * @returns {Promise<{response: Response, done: () => void}>}
 */
export async function request (url, init, who) {
  const abort = new AbortController();
  let why = `no answer within ${HEADERS_TIMEOUT_MS / 1000} s`;
  const headersTimer = setTimeout(() => abort.abort(), HEADERS_TIMEOUT_MS);
  const timer = setTimeout(() => {
    why = `no whole answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
    abort.abort();
  }, REQUEST_TIMEOUT_MS);
  const done = () => {
    clearTimeout(headersTimer);
    clearTimeout(timer);
  };
  try {
    const response = await fetch(url, {
      cache: 'no-store',
      credentials: 'omit',
      mode: 'cors',
      redirect: 'error',
      ...init,
      signal: abort.signal
    });
    clearTimeout(headersTimer);
    return { response, done };
  } catch (error) {
    done();
    throw new PeerError(Kind.unavailable, `${who} ${abort.signal.aborted ? why : 'unreachable (down, or it refuses this page: CORS)'}`);
  }
}

/**
 * Lets go of an answer whose body was not read (it would hold its connection).
 * @param {Response} response
 */
export function discard (response) {
  if (response.body && !response.bodyUsed) {
    response.body.cancel().catch(() => {});
  }
}

/**
 * Reads a body of at most `limit` bytes; a longer one is refused (`bad-peer`), one that
 * breaks off is `unavailable`.
 * @param {Response} response
 * @param {number} limit
 * @param {string} who
 * @returns {Promise<Uint8Array>}
 */
export async function readBody (response, limit, who) {
  const longer = () => new PeerError(Kind.badPeer, `${who} sent more than the ${limit} bytes asked for: refused`);
  const declared = parseCount(response.headers.get('content-length'));
  if (declared !== null && declared > limit) {
    response.body?.cancel().catch(() => {});
    throw longer();
  }
  if (!response.body) {
    return new Uint8Array(0);
  }
  const reader = response.body.getReader();
  const buffer = new Uint8Array(limit);
  let length = 0;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch {
      throw new PeerError(Kind.unavailable, `${who}: the answer broke off (or took too long)`);
    }
    if (chunk.done) {
      break;
    }
    if (length + chunk.value.length > limit) {
      reader.cancel().catch(() => {});
      throw longer();
    }
    buffer.set(chunk.value, length);
    length += chunk.value.length;
  }
  return buffer.subarray(0, length);
}

/**
 * A failed answer (not 2xx) as the PeerError its status means, with its reason (a courtesy:
 * at most 4 KiB of text), Retry-After (seconds) and Bitcloud-Quota-Left.
 * @param {Response} response
 * @param {string} who
 * @returns {Promise<PeerError>}
 */
export async function refusal (response, who) {
  let reason = '';
  try {
    reason = new TextDecoder().decode(await readBody(response, REASON_BYTES, who)).trim();
  } catch {
    reason = '(no reason given)';
  }
  const retryAfter = parseCount(response.headers.get('retry-after'));
  return new PeerError(statusKind(response.status), `${who} answered ${response.status}${reason ? `: ${reason}` : ''}`, {
    status: response.status,
    retryAfterMs: retryAfter === null ? null : retryAfter * 1000,
    quotaLeft: parseCount(response.headers.get(QUOTA_LEFT_HEADER))
  });
}

/**
 * The outboard a gateway sends for `idHex`, with the size and chunk group it describes;
 * checked for everything that can be checked before any byte of content: the headers, the
 * size the catalog gives (so the outboard read is bounded by it), a usable chunk group, the
 * exact length a content of that size needs.
 * @param {string} gateway
 * @param {string} idHex
 * @param {number} catalogSize the size in the moderator's catalog, on chain
 * @returns {Promise<{size: number, chunkGroupLog: number, outboard: Uint8Array}>}
 */
export async function fetchOutboard (gateway, idHex, catalogSize) {
  const who = `gateway ${gateway}`;
  const { response, done } = await request(contentUrl(gateway, idHex, '/outboard'), {}, who);
  try {
    if (response.status !== 200) {
      throw response.ok
        ? new PeerError(Kind.badPeer, `${who} answered ${response.status} for the outboard`)
        : await refusal(response, who);
    }
    const size = parseCount(response.headers.get(CONTENT_SIZE_HEADER));
    const log = parseCount(response.headers.get(CHUNK_GROUP_LOG_HEADER));
    if (size === null || log === null) {
      throw new PeerError(Kind.badPeer, `${who} sent no valid ${size === null ? CONTENT_SIZE_HEADER : CHUNK_GROUP_LOG_HEADER} header (or does not show it to pages: CORS)`);
    }
    if (size !== catalogSize) {
      throw new PeerError(Kind.badPeer, `${who} says the content is ${size} bytes; the catalog says ${catalogSize}`);
    }
    if (log > MAX_CHUNK_GROUP_LOG) {
      throw new PeerError(Kind.badPeer, `${who} sent an unusable chunk group size (2^${log} KiB)`);
    }
    const expected = outboardLength(size, log);
    const outboard = await readBody(response, expected, who);
    if (outboard.length !== expected) {
      throw new PeerError(Kind.badPeer, `${who}: the outboard has the wrong length (${outboard.length} bytes, ${expected} expected)`);
    }
    return { size, chunkGroupLog: log, outboard };
  } finally {
    done();
    discard(response);
  }
}

/**
 * The length of the post-order outboard of content of `size` bytes in chunk groups of
 * 2^`log` KiB: 64 bytes per pair of groups joined, none for a single group.
 * @param {number} size
 * @param {number} log
 * @returns {number}
 */
export function outboardLength (size, log) {
  const group = 1024 * 2 ** log;
  const blocks = Math.max(1, Math.ceil(size / group));
  return (blocks - 1) * 64;
}
