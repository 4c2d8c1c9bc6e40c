// What the page knows of its paying: per item, the verified bytes each node served, the
// replicas dropped and the last error; per receipt key, the cumulative bytes signed. Fed by
// the service worker's events and, for receipts, by what it kept in IndexedDB.

import { idbGetAll, STORES } from './idb.js';

/**
 * @typedef {object} ReceiptRecord
 * @property {string} client 0x hex
 * @property {string} node 0x hex
 * @property {string} gateway
 * @property {number} epoch
 * @property {string | null} moderator 0x hex
 * @property {number} bytes cumulative
 */

/** The page's ledger. */
export class Ledger {
  constructor () {
    /** @type {Map<string, {served: Map<string, {gateway: string, verified: number, quotaLeft: number | null}>, dropped: object[], error: object | null, quotaLeft: number | null}>} */
    this.items = new Map();
    /** @type {Map<string, ReceiptRecord>} */
    this.receipts = new Map();
    /** @type {Set<(event: object) => void>} */
    this.listeners = new Set();
  }

  /** Loads the receipts the worker kept (of every session of this browser). */
  async load () {
    try {
      for (const record of await idbGetAll(STORES.receipts)) {
        this.addReceipt(record);
      }
    } catch (error) {
      console.warn(`WeTube: the receipts kept in this browser cannot be read: ${error.message}`);
    }
  }

  /** The state of item `key`, made empty on first use. */
  item (key) {
    let item = this.items.get(key);
    if (!item) {
      item = { served: new Map(), dropped: [], error: null, quotaLeft: null };
      this.items.set(key, item);
    }
    return item;
  }

  /** Forgets what happened to item `key` (its stream starts afresh). */
  resetItem (key) {
    this.items.delete(key);
  }

  addReceipt (record) {
    if (!record || typeof record.node !== 'string' || !Number.isSafeInteger(record.bytes)) {
      return;
    }
    const key = `${record.client}/${record.node}/${record.epoch}/${record.moderator ?? 'none'}`;
    const known = this.receipts.get(key);
    if (!known || known.bytes < record.bytes) {
      this.receipts.set(key, { client: record.client, node: record.node, gateway: record.gateway, epoch: record.epoch, moderator: record.moderator ?? null, bytes: record.bytes });
    }
  }

  /**
   * The receipts `client` signed under `moderator`, newest epoch first.
   * @param {string} client 0x hex
   * @param {string} moderator 0x hex
   * @returns {ReceiptRecord[]}
   */
  receiptsOf (client, moderator) {
    return [...this.receipts.values()]
      .filter((r) => r.client === client && r.moderator === moderator)
      .sort((a, b) => b.epoch - a.epoch || a.node.localeCompare(b.node));
  }

  /** Takes one event of the worker. */
  handle (event) {
    if (event.item) {
      const item = this.item(event.item);
      switch (event.type) {
        case 'served': {
          const known = item.served.get(event.node);
          item.served.set(event.node, {
            gateway: event.gateway,
            verified: Math.max(known?.verified ?? 0, event.verified ?? 0),
            quotaLeft: event.quotaLeft ?? known?.quotaLeft ?? null
          });
          if (event.quotaLeft !== null && event.quotaLeft !== undefined) {
            item.quotaLeft = event.quotaLeft;
          }
          item.error = null;
          break;
        }
        case 'dropped':
          item.dropped.push({ gateway: event.gateway, node: event.node, reason: event.reason });
          break;
        case 'error':
          item.error = { message: event.message, kind: event.kind, status: event.status ?? null, quotaLeft: event.quotaLeft ?? null };
          if (event.quotaLeft !== null && event.quotaLeft !== undefined) {
            item.quotaLeft = event.quotaLeft;
          }
          break;
        default:
          break;
      }
    }
    if (event.type === 'receipt') {
      this.addReceipt(event);
    }
    for (const listener of this.listeners) {
      listener(event);
    }
  }

  /**
   * Calls `listener` after every event taken; returns the function that stops it.
   * @param {(event: object) => void} listener
   * @returns {() => void}
   */
  on (listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
