// The page's side of the service worker: registering it over the app's directory, handing
// it what the chain says about an item, and hearing what it does (served, dropped, receipt,
// posted, error).

import { idbPut, STORES } from './idb.js';

/** How long the page waits for the worker to take control or to answer. */
const WORKER_WAIT_MS = 10_000;

/** The app's directory (`/app/` on a gateway): the worker's scope, the stream's prefix. */
export function appBase () {
  return new URL('./', window.location.href);
}

/**
 * The address the player asks for an item: `<app>/stream/<moderator ss58>/<id hex>`.
 * @param {string} moderator SS58
 * @param {string} idHex
 * @returns {string}
 */
export function streamUrl (moderator, idHex) {
  return new URL(`stream/${encodeURIComponent(moderator)}/${idHex}`, appBase()).href;
}

function timeout (ms, what) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new Error(what)), ms));
}

/** The registered worker, controlling this page. */
export class WorkerClient {
  /**
   * Registers `sw.js` over the app's directory and waits until it controls the page.
   * Throws in words where service workers cannot run (not https nor localhost, private
   * windows of some browsers).
   * @returns {Promise<WorkerClient>}
   */
  static async register () {
    if (!('serviceWorker' in navigator)) {
      throw new Error('this browser cannot verify video in the page: service workers need https or localhost (and are off in some private windows)');
    }
    const base = appBase();
    await navigator.serviceWorker.register(new URL('sw.js', base).href, { scope: base.pathname });
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await Promise.race([
        new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })),
        timeout(WORKER_WAIT_MS, 'the service worker did not take control of the page: reload it')
      ]);
    }
    return new WorkerClient();
  }

  constructor () {
    /** @type {Set<(event: object) => void>} */
    this.listeners = new Set();
    navigator.serviceWorker.addEventListener('message', (message) => {
      if (message.data?.source !== 'wetube-sw') {
        return;
      }
      for (const listener of this.listeners) {
        try {
          listener(message.data);
        } catch (error) {
          console.error(error);
        }
      }
    });
  }

  /** Posts `message` to the worker and waits for its answer. */
  async ask (message) {
    const worker = navigator.serviceWorker.controller ?? (await navigator.serviceWorker.ready).active;
    if (!worker) {
      throw new Error('the service worker is not running: reload the page');
    }
    const channel = new MessageChannel();
    const answer = new Promise((resolve) => { channel.port1.onmessage = (event) => resolve(event.data); });
    worker.postMessage(message, [channel.port2]);
    const reply = await Promise.race([answer, timeout(WORKER_WAIT_MS, 'the service worker does not answer: reload the page')]);
    if (!reply?.ok) {
      throw new Error(reply?.error ?? 'the service worker refused the request');
    }
    return reply;
  }

  /**
   * Hands the worker an item to stream (kept in IndexedDB too, for a restarted worker);
   * resolves once the worker has it.
   * @param {import('./stream.js').ItemInfo} info
   */
  async openItem (info) {
    await idbPut(STORES.items, info.key, info);
    await this.ask({ type: 'item', info });
  }

  /** Asks the worker to hand the nodes the receipts they have not been given yet. */
  settle () {
    return this.ask({ type: 'settle' }).catch((error) => console.warn(`WeTube: ${error.message}`));
  }

  /** Makes the worker forget its key and streams (after a new session key). */
  reset () {
    return this.ask({ type: 'reset' });
  }

  /**
   * Calls `listener` with every event of the worker; returns the function that stops it.
   * @param {(event: object) => void} listener
   * @returns {() => void}
   */
  on (listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
