// The service worker's verified, paying stream of one item: ranges of at most 1 MiB come from
// the item's replicas in the chain's order, two of them in turn (range k from active replica
// k mod 2, as the CLI's stripe), each checked against the content id with the wasm verifier
// before a byte reaches the player, and paid for with a cumulative receipt.
// What a replica's failure means decides what comes next, exactly as the CLI's download
// (offchain-workers/client/src/download.rs):
//
// - unavailable (network error, timeout, 5xx such as 503): the same replica is asked again
//   after 0.25, 0.5 and 1 s (or the Retry-After it asks for, up to 60 s), then dropped;
// - refused (402 quota used up, 403 denied, 401): the request stops with the message, once
//   what was verified is paid for;
// - anything else (a wrong byte, a bad outboard, a gateway answering as another node than
//   the chain says, a malformed answer, 404): the replica is dropped at once and the range
//   comes from the next one.

import { u8aEq, u8aToHex, hexToU8a } from '@polkadot/util';
import {
  AUTH_HEADER, CLIENT_HEADER, EPOCH_HEADER, MODERATOR_HEADER, NODE_HEADER, QUOTA_LEFT_HEADER,
  RECEIPT_HEADER, RECEIPT_HELD_HEADER, authPeriod, parseCount, parseHex32, signRequestProof
} from './protocol.js';
import { decodeSignedReceipt, sameKey, verifySignedReceipt } from './receipts.js';
import { Kind, PeerError } from './errors.js';
import { contentUrl, discard, fetchOutboard, readBody, refusal, request } from './gateway.js';

/** Bytes asked of a gateway per range request, and the unit the stream caches. */
export const RANGE_BYTES = 1 << 20;
/** Times an unavailable replica is asked again before it is dropped. */
export const MAX_RETRIES = 3;
/** First wait before asking an unavailable replica again, doubled at each retry. */
export const RETRY_BACKOFF_MS = 250;
/** Longest Retry-After honoured; a replica asking for more is dropped. */
export const MAX_RETRY_WAIT_MS = 60_000;
/** Ranges kept in memory for a player that asks again. */
const CACHED_RANGES = 8;
/** Replicas ranges are taken from in turn (the CLI's default stripe). */
export const STRIPE = 2;
/** Quiet time after the last range before the receipts are handed to the nodes. */
export const SETTLE_AFTER_MS = 2000;
/** Longest Bitcloud-Receipt-Held value read (a receipt is 173 bytes: 346 hex digits). */
const MAX_HELD_HEX = 400;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long to wait before asking a replica again after `error`, when it was asked again
 * `retries` times already; null: do not ask it again.
 * @param {PeerError} error
 * @param {number} retries
 * @returns {number | null}
 */
export function retryWait (error, retries) {
  if (error.kind !== Kind.unavailable || retries >= MAX_RETRIES) {
    return null;
  }
  if (error.retryAfterMs !== null && error.retryAfterMs !== undefined) {
    return error.retryAfterMs <= MAX_RETRY_WAIT_MS ? error.retryAfterMs : null;
  }
  return RETRY_BACKOFF_MS * 2 ** retries;
}

/**
 * `attempt`'s first success, or its failure once retryWait says not to ask again.
 * @template T
 * @param {() => Promise<T>} attempt
 * @returns {Promise<T>}
 */
export async function retrying (attempt) {
  for (let retries = 0; ; retries++) {
    try {
      return await attempt();
    } catch (error) {
      const peerError = asPeerError(error);
      const wait = retryWait(peerError, retries);
      if (wait === null) {
        throw peerError;
      }
      await sleep(wait);
    }
  }
}

function asPeerError (error) {
  return error instanceof PeerError ? error : new PeerError(Kind.local, String(error?.message ?? error));
}

/**
 * What the item stream needs to know of an item (the page hands it over, worker.js keeps
 * it per item in IndexedDB).
 * @typedef {object} ItemInfo
 * @property {string} key `<moderator ss58>/<id hex>`
 * @property {string} id 64 hex digits, no 0x
 * @property {string} moderator 0x hex of the moderator's account
 * @property {number} size bytes, from the moderator's catalog
 * @property {string} mime
 * @property {string} genesis 0x hex of the chain's genesis hash (from the page's RPC node)
 * @property {string} client 0x hex of the session account
 * @property {{node: string, gateway: string}[]} replicas in the chain's order, node as 0x hex
 */

/**
 * The paying client and what it shares across items (worker.js): its key pair, the book of
 * signed totals, the newest receipt per node not yet known delivered, and a way to tell the
 * pages what happens.
 * @typedef {object} Payer
 * @property {{publicKey: Uint8Array, secretKey: Uint8Array}} keypair
 * @property {import('./receipts.js').ReceiptBook} book
 * @property {Map<string, Pending>} pending by node (0x hex)
 * @property {(event: object) => void} emit
 * @property {(record: object) => void} remember persists a signed receipt for the pages
 */

/**
 * @typedef {object} Pending the newest receipt signed for a node
 * @property {Uint8Array} signed SCALE of the signed receipt
 * @property {number} bytes
 * @property {string} gateway where to post it
 * @property {boolean} sent it went with a request or a POST already: it never goes with a
 *   request again (a gateway refuses a receipt that is not above the one it holds)
 * @property {boolean} delivered the gateway took it
 * @property {boolean} [posting] a POST of it is under way
 */

/** A replica in use: its verifier (its own outboard) and what it served. */
class Source {
  constructor (replica, verifier, chunkGroupLog) {
    this.gateway = replica.gateway;
    this.chunkGroupLog = chunkGroupLog;
    this.nodeHex = replica.node;
    this.node = hexToU8a(replica.node);
    this.verifier = verifier;
    this.served = 0;
    /** @type {{period: number, value: string} | null} */
    this.proof = null;
  }
}

/** The verified stream of one item for one paying client. */
export class ItemStream {
  /**
   * @param {ItemInfo} info
   * @param {Payer} payer
   * @param {() => Promise<{item: Function}>} loadVerifier the wasm verifier, loaded once
   */
  constructor (info, payer, loadVerifier) {
    this.info = info;
    this.size = info.size;
    this.id = hexToU8a(`0x${info.id}`);
    this.genesis = hexToU8a(info.genesis);
    this.payer = payer;
    this.loadVerifier = loadVerifier;
    this.waiting = info.replicas.filter((r) => parseHex32(r.node) && typeof r.gateway === 'string' && r.gateway);
    /** @type {Source[]} the replicas ranges are taken from, in turn */
    this.active = [];
    /** @type {{gateway: string, node: string, reason: string, kind: string, status: number | null}[]} */
    this.dropped = [];
    /** @type {Map<number, Promise<Uint8Array>>} */
    this.ranges = new Map();
    this.lane = Promise.resolve();
    this.settleTimer = null;
  }

  /**
   * Verified bytes `[index * RANGE_BYTES, min((index + 1) * RANGE_BYTES, size))`: from memory if
   * asked lately, else from the replicas (one gateway request at a time per item).
   * @param {number} index
   * @returns {Promise<Uint8Array>}
   */
  range (index) {
    const known = this.ranges.get(index);
    if (known) {
      this.ranges.delete(index);
      this.ranges.set(index, known);
      return known;
    }
    const fetching = this.lane.then(() => this.fetchRange(index));
    this.lane = fetching.catch(() => {});
    this.ranges.set(index, fetching);
    fetching.catch(() => this.ranges.delete(index));
    while (this.ranges.size > CACHED_RANGES) {
      this.ranges.delete(this.ranges.keys().next().value);
    }
    return fetching;
  }

  /**
   * Fetches range `index` from active replica `index mod active`, or from the next ones as
   * replicas are dropped.
   */
  async fetchRange (index) {
    const offset = index * RANGE_BYTES;
    const end = Math.min(offset + RANGE_BYTES, this.size);
    for (;;) {
      // The second replica is taken in when its first turn comes: the first range does not
      // wait for it.
      await this.fill(Math.min(STRIPE, (index % STRIPE) + 1));
      const source = this.active[index % this.active.length];
      try {
        const { bytes, quotaLeft } = await retrying(() => this.fetchFrom(source, offset, end));
        source.served += bytes.length;
        this.emit({
          type: 'served', gateway: source.gateway, node: source.nodeHex, offset, bytes: bytes.length,
          verified: source.served, quotaLeft
        });
        this.settleLater();
        return bytes;
      } catch (error) {
        if (error.kind === Kind.refused || error.kind === Kind.local) {
          // The node's decision (or this browser's failure): stop, paying for what came.
          this.settle();
          throw this.fail(error);
        }
        this.drop(source, error);
      }
    }
  }

  /**
   * Takes replicas from the waiting ones (in the chain's order) until `want` are active, each
   * with its own outboard; drops those whose outboard cannot be had (after retries, if they
   * are unavailable) or disagrees with the catalog or the other replicas. Nothing is paid for
   * yet, so even a refusal only drops the replica. Throws when no replica is left.
   */
  async fill (want) {
    let verifier;
    try {
      verifier = await this.loadVerifier();
    } catch (error) {
      throw this.fail(new PeerError(Kind.local, `the verifier could not be loaded: ${error.message}`));
    }
    while (this.active.length < want && this.waiting.length > 0) {
      const replica = this.waiting.shift();
      try {
        const tree = await retrying(() => fetchOutboard(replica.gateway, this.info.id, this.size));
        const first = this.active[0];
        if (first && first.chunkGroupLog !== tree.chunkGroupLog) {
          throw new PeerError(Kind.badPeer, `gateway ${replica.gateway}: its chunk groups differ from the other replicas'`);
        }
        let item;
        try {
          item = verifier.item({ root: this.id, size: tree.size, chunkGroupLog: tree.chunkGroupLog, outboard: tree.outboard });
        } catch (error) {
          throw new PeerError(Kind.badPeer, `gateway ${replica.gateway} sent an unusable outboard (${error.message})`);
        }
        this.active.push(new Source(replica, item, tree.chunkGroupLog));
      } catch (error) {
        this.recordDrop({ gateway: replica.gateway, nodeHex: replica.node }, asPeerError(error));
      }
    }
    if (this.active.length === 0) {
      throw this.fail(this.noReplicaLeft());
    }
  }

  /**
   * Bytes `offset..end` from `source`, verified against the content id, and the receipt for
   * them signed.
   * @param {Source} source
   * @param {number} offset
   * @param {number} end
   * @param {boolean} [again] whether a refused receipt may be followed by one more request
   * @returns {Promise<{bytes: Uint8Array, quotaLeft: number | null}>}
   */
  async fetchFrom (source, offset, end, again = true) {
    const who = `gateway ${source.gateway}`;
    const headers = {
      range: `bytes=${offset}-${end - 1}`,
      [CLIENT_HEADER]: u8aToHex(this.payer.keypair.publicKey),
      [AUTH_HEADER]: this.requestProof(source)
    };
    const pending = this.payer.pending.get(source.nodeHex);
    const attached = pending && !pending.sent && !pending.delivered ? pending : null;
    if (attached) {
      headers[RECEIPT_HEADER] = u8aToHex(attached.signed, -1, false);
      attached.sent = true;
    }
    const { response, done } = await request(contentUrl(source.gateway, this.info.id), { headers }, who);
    try {
      if (!response.ok) {
        const error = await refusal(response, who);
        if (attached && again && response.status === 400 && /receipt refused/.test(error.message)) {
          // The node holds this receipt already (a POST of it overtook the request): it is
          // not sent again, and the range is asked once more without it.
          attached.delivered = true;
          return this.fetchFrom(source, offset, end, false);
        }
        throw error;
      }
      if (attached) {
        attached.delivered = true;
      }
      const terms = this.readTerms(response, who);
      if (!u8aEq(terms.key.node, source.node)) {
        throw new PeerError(Kind.badPeer, `${who} answers as another node than the chain says`);
      }
      const whole = response.status === 200 && offset === 0 && end === this.size;
      if (response.status !== 206 && !whole) {
        throw new PeerError(Kind.badPeer, `${who} answered ${response.status} to a range request`);
      }
      const contentRange = response.headers.get('content-range');
      if (response.status === 206 && contentRange !== null && contentRange !== `bytes ${offset}-${end - 1}/${this.size}`) {
        throw new PeerError(Kind.badPeer, `${who} sent another range (${contentRange.slice(0, 64)}) than asked`);
      }
      const bytes = await readBody(response, end - offset, who);
      if (bytes.length !== end - offset) {
        throw new PeerError(Kind.badPeer, `${who} sent a short answer for bytes ${offset}-${end - 1}`);
      }
      let valid;
      try {
        valid = source.verifier.verify(offset, bytes);
      } catch (error) {
        throw new PeerError(Kind.badPeer, `${who} sent an unverifiable answer (${error.message})`);
      }
      if (!valid) {
        throw new PeerError(Kind.badPeer, `bytes ${offset}-${end - 1} from ${source.gateway} do not match the content id: refused`);
      }
      this.pay(source, terms, bytes.length);
      return { bytes, quotaLeft: parseCount(response.headers.get(QUOTA_LEFT_HEADER)) };
    } finally {
      done();
      discard(response);
    }
  }

  /**
   * What to sign for a response: the gateway's node, epoch and moderator, and the newest
   * receipt it holds from this client, counted only if it is the client's own valid one for
   * exactly this key (download.rs, `Terms::read`).
   * @param {Response} response
   * @param {string} who
   */
  readTerms (response, who) {
    const nodeText = response.headers.get(NODE_HEADER);
    if (nodeText === null) {
      throw new PeerError(Kind.badPeer, `${who} takes no receipts (no ${NODE_HEADER} header, or it does not show it to pages: CORS)`);
    }
    const node = parseHex32(nodeText);
    if (!node) {
      throw new PeerError(Kind.badPeer, `${who} sent a bad ${NODE_HEADER} header`);
    }
    const epoch = parseCount(response.headers.get(EPOCH_HEADER));
    if (epoch === null || epoch > 0xffffffff) {
      throw new PeerError(Kind.badPeer, `${who} sent no valid ${EPOCH_HEADER} header`);
    }
    const moderatorText = response.headers.get(MODERATOR_HEADER);
    const moderator = moderatorText === null ? null : parseHex32(moderatorText);
    if (moderatorText !== null && !moderator) {
      throw new PeerError(Kind.badPeer, `${who} sent a bad ${MODERATOR_HEADER} header`);
    }
    const key = { client: this.payer.keypair.publicKey, node, epoch, moderator };
    let held = 0;
    const heldText = response.headers.get(RECEIPT_HELD_HEADER);
    if (heldText && heldText.length <= MAX_HELD_HEX && /^(0x)?([0-9a-fA-F]{2})+$/.test(heldText)) {
      const signed = decodeSignedReceipt(hexToU8a(heldText.startsWith('0x') ? heldText : `0x${heldText}`));
      if (signed && sameKey(signed.receipt, key) && verifySignedReceipt(signed, this.genesis)) {
        held = signed.receipt.bytes;
      }
    }
    return { key, held };
  }

  /** Signs the receipt for `len` more verified bytes from `source`; it goes with the next request. */
  pay (source, terms, len) {
    const { receipt, signed } = this.payer.book.sign(terms.key, terms.held, len);
    this.payer.pending.set(source.nodeHex, {
      signed, bytes: receipt.bytes, gateway: source.gateway, sent: false, delivered: false
    });
    const record = {
      client: u8aToHex(receipt.client),
      node: source.nodeHex,
      gateway: source.gateway,
      epoch: receipt.epoch,
      moderator: receipt.moderator ? u8aToHex(receipt.moderator) : null,
      bytes: receipt.bytes,
      signed: u8aToHex(signed)
    };
    this.payer.remember(record);
    this.emit({ type: 'receipt', ...record, signed: undefined });
  }

  /** The request proof for `source`'s node in the current period, signed once per period. */
  requestProof (source) {
    const period = authPeriod();
    if (source.proof?.period !== period) {
      source.proof = { period, value: signRequestProof(this.payer.keypair, this.genesis, source.node, period) };
    }
    return source.proof.value;
  }

  /** Drops an active replica for `error`, paying for what it served. */
  drop (source, error) {
    const at = this.active.indexOf(source);
    if (at < 0) {
      return;
    }
    this.active.splice(at, 1);
    source.verifier.free();
    this.recordDrop(source, error);
    this.settle();
  }

  /** Notes that the replica of `gateway` and `nodeHex` was dropped for `error`. */
  recordDrop ({ gateway, nodeHex }, error) {
    const entry = { gateway, node: nodeHex, reason: error.message, kind: error.kind, status: error.status };
    this.dropped.push(entry);
    this.emit({ type: 'dropped', ...entry });
  }

  /**
   * Why no replica is left, under the advice they share: when their failures differ,
   * "unavailable" if one was only unavailable, else "not found".
   * @returns {PeerError}
   */
  noReplicaLeft () {
    if (this.dropped.length === 0) {
      return new PeerError(Kind.notFound, 'no node with a gateway serves this content');
    }
    const reasons = this.dropped.map((d) => d.reason).join('; ');
    const kinds = new Set(this.dropped.map((d) => d.kind));
    const kind = kinds.size === 1 ? [...kinds][0] : kinds.has(Kind.unavailable) ? Kind.unavailable : Kind.notFound;
    const statuses = new Set(this.dropped.map((d) => d.status));
    const status = statuses.size === 1 ? [...statuses][0] : null;
    return new PeerError(kind, `no replica could serve the content (${reasons})`, { status });
  }

  /** Tells the pages about `error` and returns it. */
  fail (error) {
    this.emit({ type: 'error', message: error.message, kind: error.kind, status: error.status, quotaLeft: error.quotaLeft });
    return error;
  }

  emit (event) {
    this.payer.emit({ item: this.info.key, ...event });
  }

  settleLater () {
    clearTimeout(this.settleTimer);
    this.settleTimer = setTimeout(() => this.settle(), SETTLE_AFTER_MS);
  }

  /**
   * Hands every node the newest receipt it has not been given yet (`POST /receipts`, the
   * SCALE bytes as the body); best effort: a node that does not take it loses only the last
   * range's pay.
   */
  settle () {
    clearTimeout(this.settleTimer);
    return settleAll(this.payer, this.info.key);
  }

  /** Frees the verifiers; the stream is not used afterwards. */
  close () {
    clearTimeout(this.settleTimer);
    for (const source of this.active) {
      source.verifier.free();
    }
    this.active = [];
  }
}

/**
 * Posts each node's newest undelivered receipt to its gateway.
 * @param {Payer} payer
 * @param {string | null} item the item key the events are about
 * @returns {Promise<void>}
 */
export async function settleAll (payer, item = null) {
  const posts = [];
  for (const [node, pending] of payer.pending) {
    if (pending.delivered || pending.posting) {
      continue;
    }
    pending.posting = true;
    pending.sent = true;
    const who = `gateway ${pending.gateway}`;
    posts.push((async () => {
      try {
        const { response, done } = await request(`${pending.gateway.replace(/\/+$/, '')}/receipts`, {
          method: 'POST',
          headers: { 'content-type': 'application/octet-stream' },
          body: pending.signed
        }, who);
        try {
          // 400 also when the node already holds this receipt (given with a request that
          // failed after the node took it): nothing to send again either way.
          if (response.ok || response.status === 400) {
            pending.delivered = true;
          }
          const reason = response.ok ? '' : (await refusal(response, who)).message;
          payer.emit({ item, type: 'posted', node, gateway: pending.gateway, bytes: pending.bytes, ok: response.ok, reason });
        } finally {
          done();
          discard(response);
        }
      } catch (error) {
        payer.emit({ item, type: 'posted', node, gateway: pending.gateway, bytes: pending.bytes, ok: false, reason: error.message });
      } finally {
        pending.posting = false;
      }
    })());
  }
  await Promise.all(posts);
}
