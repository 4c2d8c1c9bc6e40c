// A small IndexedDB store shared by the page and the service worker: the session key
// (`keys`), what the worker needs to stream each item (`items`) and the receipts signed
// (`receipts`, for the page's paid panel).

const DB_NAME = 'wetube';
const DB_VERSION = 1;
/** The object stores. */
export const STORES = Object.freeze({ keys: 'keys', items: 'items', receipts: 'receipts' });
/** Key of the session key in `keys`. */
export const SESSION_KEY = 'session';

let opening = null;

/**
 * The database, opened once (and created on first use).
 * @returns {Promise<IDBDatabase>}
 */
export function openDb () {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        for (const name of Object.values(STORES)) {
          if (!request.result.objectStoreNames.contains(name)) {
            request.result.createObjectStore(name);
          }
        }
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(new Error(`the browser's storage (IndexedDB) cannot be opened: ${request.error?.message ?? 'unknown error'}`));
      request.onblocked = () => reject(new Error('the browser\'s storage is held by another WeTube tab of an older version: close it'));
    });
    opening.catch(() => { opening = null; });
  }
  return opening;
}

function run (store, mode, act) {
  return openDb().then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(store, mode);
    const request = act(tx.objectStore(store));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(new Error(`storage (${store}): ${tx.error?.message ?? 'failed'}`));
    tx.onabort = () => reject(new Error(`storage (${store}): ${tx.error?.message ?? 'aborted'}`));
  }));
}

/**
 * The value under `key` in `store`, or undefined.
 * @param {string} store
 * @param {string} key
 * @returns {Promise<any>}
 */
export function idbGet (store, key) {
  return run(store, 'readonly', (s) => s.get(key));
}

/**
 * Puts `value` under `key` in `store`.
 * @param {string} store
 * @param {string} key
 * @param {any} value (structured-cloneable)
 * @returns {Promise<void>}
 */
export function idbPut (store, key, value) {
  return run(store, 'readwrite', (s) => s.put(value, key)).then(() => undefined);
}

/**
 * Every value in `store`.
 * @param {string} store
 * @returns {Promise<any[]>}
 */
export function idbGetAll (store) {
  return run(store, 'readonly', (s) => s.getAll());
}

/**
 * Empties `store`.
 * @param {string} store
 * @returns {Promise<void>}
 */
export function idbClear (store) {
  return run(store, 'readwrite', (s) => s.clear()).then(() => undefined);
}
