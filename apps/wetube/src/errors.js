// Failures by what they mean for the caller, as the CLI classifies them
// (offchain-workers/client/src/http.rs): a network failure or 5xx is `unavailable` (ask
// again later), a wrong answer `bad-peer` (drop that replica at once), 404 `not-found`
// (drop it), a refusal `refused` (401/402/403: the node's decision; stop), `local` (this
// browser's own failure).

/** The kinds of failure. */
export const Kind = Object.freeze({
  unavailable: 'unavailable',
  badPeer: 'bad-peer',
  notFound: 'not-found',
  refused: 'refused',
  local: 'local'
});

/** A failure with its kind, the HTTP status if any, and the wait a Retry-After asked for. */
export class PeerError extends Error {
  /**
   * @param {string} kind one of Kind
   * @param {string} message in words
   * @param {{status?: number, retryAfterMs?: number | null, quotaLeft?: number | null}} [extra]
   */
  constructor (kind, message, extra = {}) {
    super(message);
    this.kind = kind;
    this.status = extra.status ?? null;
    this.retryAfterMs = extra.retryAfterMs ?? null;
    this.quotaLeft = extra.quotaLeft ?? null;
  }
}

/**
 * The kind of an HTTP answer with `status` (4xx or 5xx), by what it means.
 * @param {number} status
 * @returns {string}
 */
export function statusKind (status) {
  if ([408, 425, 429].includes(status) || (status >= 500 && status <= 599)) {
    return Kind.unavailable;
  }
  if (status === 404 || status === 410) {
    return Kind.notFound;
  }
  if ([401, 402, 403, 451].includes(status)) {
    return Kind.refused;
  }
  return Kind.badPeer;
}
