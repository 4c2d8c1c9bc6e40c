// The page's view of the chain, through polkadot-js: moderators, catalogs, nodes and their
// order, epochs, quotas and credits, and the transactions the page sends (fund, lock,
// propose or list, accept or reject). Runtime APIs go through `api.call` (metadata v15+);
// on a node whose metadata lacks them, through `state_call` with the types declared here.

import { ApiPromise, WsProvider } from '@polkadot/api';
import { u8aConcat, u8aToHex } from '@polkadot/util';
import { encodeAddress, decodeAddress } from '@polkadot/util-crypto';
import { rendezvousOrder } from './replicas.js';

/** The RPC port a gateway's own node listens on by default. */
export const DEFAULT_RPC_PORT = 9944;

/**
 * The chain's RPC address: `?rpc=` of the page, else the page's host on port 9944 (ws, or
 * wss on an https page).
 * @param {Location | URL} location
 * @returns {string}
 */
export function rpcAddress (location) {
  const asked = new URLSearchParams(location.search).get('rpc');
  if (asked) {
    return asked;
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.hostname || '127.0.0.1'}:${DEFAULT_RPC_PORT}`;
}

// Types for state_call when the metadata does not describe the runtime APIs (names
// prefixed so as not to clash with the chain's own).
const FALLBACK_TYPES = {
  WetubeCatalogEntry: {
    content: '[u8;32]', size: 'u64', title: 'Bytes', mimeType: 'Bytes',
    publisher: 'Option<AccountId32>', listedAt: 'u32', provenAt: 'Option<u32>'
  },
  WetubeProposalEntry: { content: '[u8;32]', size: 'u64', title: 'Bytes', mimeType: 'Bytes', publisher: 'AccountId32' },
  WetubeStanding: { _enum: ['Active', 'Warned', 'Suspended', 'Banned'] },
  WetubeCapacityStatus: { _enum: { Covered: 'Null', Grace: { ends: 'u32' }, Failing: 'Null' } },
  WetubeNodeView: {
    bond: 'u128', capacity: 'u64', required: 'u64', capacityStatus: 'WetubeCapacityStatus',
    endpoint: 'Bytes', onionKey: '[u8;32]', unmoderated: 'bool', standing: 'WetubeStanding',
    subscriptions: 'Vec<AccountId32>', unsubscribing: 'Vec<(AccountId32, u32)>'
  },
  WetubeEpochInfo: { epoch: 'u32', firstBlock: 'u32', length: 'u32', nextLength: 'Option<u32>' },
  WetubeClientQuota: { locked: 'u128', unlocking: 'u128', quota: 'u64', used: 'u64' }
};

const FALLBACK_CALLS = {
  'moderationApi.catalog': ['ModerationApi_catalog', ['AccountId32'], 'Vec<WetubeCatalogEntry>'],
  'moderationApi.catalogItem': ['ModerationApi_catalog_item', ['AccountId32', '[u8;32]'], 'Option<WetubeCatalogEntry>'],
  'moderationApi.isDenied': ['ModerationApi_is_denied', ['AccountId32', '[u8;32]'], 'bool'],
  'moderationApi.proposal': ['ModerationApi_proposal', ['AccountId32', '[u8;32]'], 'Option<WetubeProposalEntry>'],
  'nodesApi.nodesServing': ['NodesApi_nodes_serving', ['AccountId32'], 'Vec<AccountId32>'],
  'nodesApi.node': ['NodesApi_node', ['AccountId32'], 'Option<WetubeNodeView>'],
  'epochsApi.currentEpoch': ['EpochsApi_current_epoch', [], 'WetubeEpochInfo'],
  'bandwidthApi.clientQuota': ['BandwidthApi_client_quota', ['AccountId32', 'u32'], 'WetubeClientQuota'],
  'bandwidthApi.claimed': ['BandwidthApi_claimed', ['u32', 'AccountId32', 'AccountId32', 'Option<AccountId32>'], 'u64']
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Bytes (a polkadot-js `Bytes`) as text; null if not UTF-8. */
function text (bytes) {
  try {
    return utf8.decode(bytes.toU8a(true));
  } catch {
    return null;
  }
}

/**
 * A struct field by its metadata name: polkadot-js renames fields that clash with Map's own
 * properties (`size` becomes `size_`).
 */
function field (struct, name) {
  return struct.get(`${name}_`) ?? struct.get(name);
}

/** An Option's value, or null. */
function option (value) {
  return value && typeof value.isSome === 'boolean' ? (value.isSome ? value.unwrap() : null) : value ?? null;
}

/**
 * A dispatch error or transaction failure in words.
 * @param {ApiPromise} api
 * @param {any} error
 * @returns {string}
 */
function dispatchErrorText (api, error) {
  if (error?.isModule) {
    try {
      const { section, name, docs } = api.registry.findMetaError(error.asModule);
      return `${section}.${name}${docs.length ? `: ${docs.join(' ').trim()}` : ''}`;
    } catch {
      // fall through to the plain text
    }
  }
  if (error?.isToken) {
    return `token error: ${error.asToken.type}`;
  }
  return error?.toString?.() ?? String(error);
}

/** A transaction pool's refusal in words (the account cannot pay, a stale nonce...). */
function poolErrorText (error) {
  const message = String(error?.message ?? error);
  if (/Inability to pay some fees|balance too low/i.test(message)) {
    return 'the account cannot pay the fees: fund it first';
  }
  if (/Priority is too low|already imported|stale/i.test(message)) {
    return 'another transaction of this account is still waiting: try again in a few seconds';
  }
  return message;
}

/** A connection to a Bitcloud chain. */
export class Chain {
  /**
   * Connects to `url`; `onStatus(state, text)` hears `connecting`, `connected`,
   * `unreachable` and `disconnected` as they happen. Resolves once the chain is ready.
   * @param {string} url
   * @param {(state: string, text: string) => void} onStatus
   * @returns {Promise<Chain>}
   */
  static async connect (url, onStatus) {
    let provider;
    try {
      provider = new WsProvider(url, 2500);
    } catch (error) {
      throw new Error(`${url} is not a chain address (${error.message}); give one with ?rpc=ws://host:9944`);
    }
    onStatus('connecting', `connecting to ${url}…`);
    let connected = false;
    const unreachable = () => onStatus('unreachable', `chain unreachable at ${url}: retrying`);
    provider.on('error', unreachable);
    provider.on('disconnected', () => {
      if (connected) {
        connected = false;
        onStatus('disconnected', `disconnected from ${url}: reconnecting`);
      } else {
        unreachable();
      }
    });
    const api = await ApiPromise.create({ provider, noInitWarn: true });
    const [chainName, chainType, genesis] = await Promise.all([
      api.rpc.system.chain(),
      api.rpc.system.chainType(),
      api.rpc.chain.getBlockHash(0)
    ]);
    const chain = new Chain(api, url, chainName.toString(), chainType.isDevelopment || chainType.isLocal, genesis.toU8a());
    provider.on('connected', () => {
      connected = true;
      onStatus('connected', `connected to ${chain.name}`);
    });
    connected = true;
    onStatus('connected', `connected to ${chain.name}`);
    return chain;
  }

  constructor (api, url, name, isDev, genesis) {
    this.api = api;
    this.url = url;
    this.name = name;
    this.isDev = isDev;
    /** The genesis hash, from this RPC node (never from a gateway). */
    this.genesis = genesis;
    this.ss58 = api.registry.chainSS58 ?? 42;
    this.decimals = api.registry.chainDecimals?.[0] ?? 12;
    this.token = api.registry.chainTokens?.[0] ?? 'CLD';
    this.fallbackRegistered = false;
    /** @type {Set<(header: any) => void>} */
    this.headListeners = new Set();
    this.headSubscription = null;
  }

  /** An account (bytes or any address) in this chain's SS58 format. */
  address (account) {
    return encodeAddress(typeof account === 'string' ? decodeAddress(account) : account, this.ss58);
  }

  /**
   * An account from text (SS58 of any prefix, or 0x and 64 hex digits); throws in words.
   * @param {string} text
   * @returns {Uint8Array}
   */
  accountBytes (text) {
    try {
      const bytes = decodeAddress(text);
      if (bytes.length === 32) {
        return bytes;
      }
    } catch {
      // said below
    }
    throw new Error(`${text} is not an account address`);
  }

  /** Calls runtime API `section.method` with `args`. */
  async call (section, method, ...args) {
    const direct = this.api.call?.[section]?.[method];
    if (direct) {
      return direct(...args);
    }
    const fallback = FALLBACK_CALLS[`${section}.${method}`];
    if (!fallback) {
      throw new Error(`the chain has no runtime API ${section}.${method}`);
    }
    if (!this.fallbackRegistered) {
      this.api.registry.register(FALLBACK_TYPES);
      this.fallbackRegistered = true;
    }
    const [name, params, result] = fallback;
    const input = u8aConcat(...params.map((type, i) => this.api.createType(type, args[i]).toU8a()));
    const output = await this.api.rpc.state.call(name, input);
    return this.api.createType(result, output);
  }

  /**
   * Calls `listener` at every new best block; returns the function that stops it.
   * @param {(header: any) => void} listener
   * @returns {() => void}
   */
  onNewHead (listener) {
    this.headListeners.add(listener);
    if (!this.headSubscription) {
      this.headSubscription = this.api.rpc.chain.subscribeNewHeads((header) => {
        for (const each of this.headListeners) {
          try {
            each(header);
          } catch (error) {
            console.error(error);
          }
        }
      });
    }
    return () => this.headListeners.delete(listener);
  }

  /** The current epoch: `{epoch, firstBlock, length}`. */
  async currentEpoch () {
    const info = await this.call('epochsApi', 'currentEpoch');
    return { epoch: info.epoch.toNumber(), firstBlock: info.firstBlock.toNumber(), length: info.length.toNumber() };
  }

  /**
   * The registered moderators with their name, policy, current commission and catalog size.
   * @returns {Promise<object[]>}
   */
  async moderators () {
    const [entries, { epoch }] = await Promise.all([this.api.query.moderation.moderators.entries(), this.currentEpoch()]);
    return entries.map(([key, value]) => {
      const info = option(value);
      if (!info) {
        return null;
      }
      const rates = info.commissionRates.toArray().filter((r) => r.fromEpoch.toNumber() <= epoch);
      const rate = rates.length ? rates[rates.length - 1].rate.toNumber() : null;
      const account = key.args[0];
      return {
        address: this.address(account.toU8a()),
        name: text(info.name) ?? '(unnamed)',
        policy: text(info.policy.uri) ?? '',
        commission: rate === null ? null : rate / 1e7,
        items: info.catalogItems.toNumber(),
        bytes: info.catalogBytes.toNumber(),
        live: info.status.isLive,
        pendingProposals: info.pendingProposals.toNumber()
      };
    }).filter(Boolean).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** One moderator's registration, or null. */
  async moderator (address) {
    return (await this.moderators()).find((m) => m.address === this.address(address)) ?? null;
  }

  /** A catalog entry as the page uses it. */
  entry (raw) {
    return {
      id: u8aToHex(raw.content.toU8a(), -1, false),
      size: field(raw, 'size').toNumber(),
      title: text(raw.title) ?? '(title not UTF-8)',
      mime: text(raw.mimeType) ?? 'application/octet-stream',
      publisher: raw.publisher && option(raw.publisher) ? this.address(option(raw.publisher).toU8a()) : null,
      listedAt: raw.listedAt?.toNumber?.() ?? null
    };
  }

  /** A live moderator's catalog (`ModerationApi_catalog`), in the chain's order. */
  async catalog (moderator) {
    const entries = await this.call('moderationApi', 'catalog', moderator);
    return entries.toArray().map((raw) => this.entry(raw));
  }

  /** One item of a live moderator's catalog, or null. */
  async catalogItem (moderator, idBytes) {
    const raw = option(await this.call('moderationApi', 'catalogItem', moderator, idBytes));
    return raw ? this.entry(raw) : null;
  }

  /** Whether `moderator` denies the content (`ModerationApi_is_denied`). */
  async isDenied (moderator, idBytes) {
    return (await this.call('moderationApi', 'isDenied', moderator, idBytes)).isTrue;
  }

  /**
   * The nodes serving `moderator`'s catalog that list a gateway, in the chain's replica order
   * for `client` and the content (replicas.rs): seed = hash of the current epoch's first block.
   * @returns {Promise<{epoch: number, replicas: {node: Uint8Array, address: string, gateway: string, standing: string}[]}>}
   */
  async replicas (moderator, idBytes, client) {
    const [epoch, accounts] = await Promise.all([this.currentEpoch(), this.call('nodesApi', 'nodesServing', moderator)]);
    const seed = (await this.api.rpc.chain.getBlockHash(epoch.firstBlock)).toU8a();
    const views = await Promise.all(accounts.toArray().map((account) => this.call('nodesApi', 'node', account)));
    const replicas = [];
    accounts.toArray().forEach((account, i) => {
      const view = option(views[i]);
      const gateway = view ? text(view.endpoint) : null;
      if (!gateway) {
        return;
      }
      replicas.push({
        node: account.toU8a(),
        address: this.address(account.toU8a()),
        gateway,
        standing: view.standing.toString()
      });
    });
    return { epoch: epoch.epoch, replicas: rendezvousOrder(replicas, seed, client, idBytes) };
  }

  /** `client`'s quota in `epoch`: `{locked, unlocking (bigint), quota, used (numbers)}`. */
  async clientQuota (client, epoch) {
    const quota = await this.call('bandwidthApi', 'clientQuota', client, epoch);
    return {
      locked: quota.locked.toBigInt(),
      unlocking: quota.unlocking.toBigInt(),
      quota: quota.quota.toNumber(),
      used: quota.used.toNumber()
    };
  }

  /** Bytes the chain credited `node` for `client` under `moderator` (or null) in `epoch`. */
  async claimed (epoch, node, client, moderator) {
    return (await this.call('bandwidthApi', 'claimed', epoch, node, client, moderator)).toNumber();
  }

  /** A pending proposal of content to `moderator`, or null. */
  async proposal (moderator, idBytes) {
    const raw = option(await this.call('moderationApi', 'proposal', moderator, idBytes));
    return raw ? this.entry(raw) : null;
  }

  /** The pending proposals to `moderator`. */
  async proposals (moderator) {
    const entries = await this.api.query.moderation.proposals.entries(moderator);
    return entries.map(([key, value]) => {
      const proposal = option(value);
      if (!proposal) {
        return null;
      }
      return {
        id: u8aToHex(key.args[1].toU8a(), -1, false),
        size: field(proposal, 'size').toNumber(),
        title: text(proposal.title) ?? '(title not UTF-8)',
        mime: text(proposal.mimeType) ?? 'application/octet-stream',
        publisher: this.address(proposal.publisher.toU8a())
      };
    }).filter(Boolean);
  }

  /**
   * Follows the free balance of `address`; returns the function that stops it.
   * @param {string} address
   * @param {(free: bigint) => void} listener
   */
  followBalance (address, listener) {
    let stop = null;
    let stopped = false;
    this.api.query.system.account(address, (info) => listener(info.data.free.toBigInt()))
      .then((unsubscribe) => { if (stopped) unsubscribe(); else stop = unsubscribe; })
      .catch((error) => console.error(error));
    return () => { stopped = true; stop?.(); };
  }

  /**
   * Signs and sends `tx` from `signer` (a keyring pair, or an address with an extension's
   * `signer`), and resolves once it is in a block and succeeded; rejects with the reason in
   * words. `onProgress` hears the steps.
   * @param {any} tx
   * @param {{pair?: any, address?: string, signer?: any}} from
   * @param {(text: string) => void} [onProgress]
   * @returns {Promise<void>}
   */
  send (tx, from, onProgress = () => {}) {
    const api = this.api;
    return new Promise((resolve, reject) => {
      let unsubscribe = null;
      let settled = false;
      const finish = (error) => {
        if (settled) {
          return;
        }
        settled = true;
        unsubscribe?.();
        if (error) {
          reject(error);
        } else {
          resolve();
        }
      };
      onProgress('signing…');
      const account = from.pair ?? from.address;
      const options = from.signer ? { signer: from.signer, nonce: -1 } : { nonce: -1 };
      tx.signAndSend(account, options, (result) => {
        const { status, dispatchError } = result;
        if (status.isReady || status.isBroadcast) {
          onProgress('waiting for a block…');
        } else if (status.isInBlock || status.isFinalized) {
          if (dispatchError) {
            finish(new Error(`the chain refused it: ${dispatchErrorText(api, dispatchError)}`));
          } else {
            finish(null);
          }
        } else if (status.isDropped || status.isInvalid || status.isUsurped) {
          finish(new Error(`the transaction was ${status.type.toLowerCase()}`));
        }
      }).then((stop) => {
        unsubscribe = stop;
        if (settled) {
          stop();
        }
      }).catch((error) => finish(new Error(poolErrorText(error))));
    });
  }
}
