// The WeTube page's verifier: Bitcloud's own Rust check of bytes against a content id
// (crate bitcloud-verify, as the node, the onion exits and the CLI run it), compiled to
// wasm by apps/wetube/verifier. No dependencies; runs in a page, a Service Worker or Node.
//
//   const verifier = await loadVerifier('/app/verifier.wasm');
//   const item = verifier.item({ root, size, chunkGroupLog, outboard }); // outboard copied once
//   item.verify(offset, bytes);   // true: the bytes are the content; false: they are not
//   item.free();
//   verifier.verify({ root, size, chunkGroupLog, outboard }, offset, bytes); // one-off
//
// `root` is the content id (32 bytes), `size` and `chunkGroupLog` come from the
// bitcloud-content-size and bitcloud-chunk-group-log headers of GET /content/{id}/outboard,
// `outboard` is its body. `offset` is on a chunk group boundary and `bytes` are whole groups
// or run to the content's end; check that a node sent as many bytes as asked for before
// verifying. Input that cannot be checked throws an Error whose `code` is the negative code
// of the wasm (src/lib.rs, VerifyError).

/** What each negative code of wetube_verify means (VerifyError in src/lib.rs). */
const MESSAGES = new Map([
  [-1, 'the chunk group log is above 16 (64 MiB groups)'],
  [-2, 'the outboard is not as long as a content of this size needs'],
  [-3, 'the size is 0 but the root is not that of empty content'],
  [-4, 'the offset is not on a chunk group boundary'],
  [-5, 'the bytes end inside a chunk group before the content ends'],
  [-6, 'the outboard could not be read'],
  [-7, 'an input is missing or too large'],
]);

const U64_END = 1n << 64n;

/**
 * Loads the verifier from a URL (string or URL), a fetch Response, bytes (ArrayBuffer or a
 * typed array) or a compiled WebAssembly.Module.
 * @returns {Promise<Verifier>}
 */
export async function loadVerifier(wasmUrlOrBytes) {
  const module = await compile(wasmUrlOrBytes);
  // The module imports nothing: plain Rust on wasm32-unknown-unknown, no wasm-bindgen.
  const instance = await WebAssembly.instantiate(module, {});
  return new Verifier(instance.exports);
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    return WebAssembly.compile(source);
  }
  const response =
    typeof Response === 'function' && source instanceof Response ? source : await fetch(source);
  if (!response.ok) {
    throw new Error(`verifier: ${response.url || source} answered HTTP ${response.status}`);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/** A loaded verifier: one wasm instance, used by one thread. */
class Verifier {
  #wasm;

  constructor(exports) {
    this.#wasm = exports;
  }

  /** Bytes of wasm memory the verifier has (it grows as needed and never shrinks). */
  get memoryBytes() {
    return this.#wasm.memory.buffer.byteLength;
  }

  /**
   * Prepares a content for many checks: its root and outboard are copied into the verifier
   * once and checked for what can be checked without bytes. Throws on an unusable
   * description. Call `free()` when done with it.
   * @param {{root: Uint8Array, size: bigint|number, chunkGroupLog: number, outboard: Uint8Array}} description
   * @returns {Item}
   */
  item({ root, size, chunkGroupLog, outboard }) {
    if (!(root instanceof Uint8Array) || root.length !== 32) {
      throw new Error('verifier: the root is not 32 bytes');
    }
    if (!(outboard instanceof Uint8Array)) throw new Error('verifier: the outboard is not bytes');
    // Checked before anything is copied in, so that a throw leaves nothing allocated.
    const held = {
      size: u64(size, 'size'),
      chunkGroupLog: u32(chunkGroupLog, 'chunk group log'),
      outboardLen: outboard.length,
    };
    const wasm = this.#wasm;
    const rootPtr = copyIn(wasm, root);
    let outboardPtr;
    try {
      outboardPtr = copyIn(wasm, outboard);
    } catch (e) {
      wasm.wetube_free(rootPtr, root.length);
      throw e;
    }
    const item = new Item(wasm, { ...held, root: rootPtr, outboard: outboardPtr });
    try {
      // Nothing at 0 is trivially the content: what remains is the description's own checks.
      item.verify(0, new Uint8Array(0));
    } catch (e) {
      item.free();
      throw e;
    }
    return item;
  }

  /**
   * Whether `bytes` at `offset` are the described content (copies the outboard each time:
   * for more than one check, use `item`).
   * @returns {boolean}
   */
  verify(description, offset, bytes) {
    const item = this.item(description);
    try {
      return item.verify(offset, bytes);
    } finally {
      item.free();
    }
  }
}

/** A content prepared by `Verifier.item`: its root and outboard live in wasm memory. */
class Item {
  #wasm;
  #held;

  constructor(wasm, held) {
    this.#wasm = wasm;
    this.#held = held;
  }

  /**
   * Whether `bytes`, found at `offset` (bigint or number) of the content, are the content.
   * @param {bigint|number} offset
   * @param {Uint8Array} bytes
   * @returns {boolean}
   */
  verify(offset, bytes) {
    const held = this.#held;
    if (!held) throw new Error('verifier: the item was freed');
    if (!(bytes instanceof Uint8Array)) throw new Error('verifier: the bytes are not a Uint8Array');
    const at = u64(offset, 'offset');
    const wasm = this.#wasm;
    const ptr = copyIn(wasm, bytes);
    let code;
    try {
      code = wasm.wetube_verify(
        held.root, held.size, held.chunkGroupLog, held.outboard, held.outboardLen,
        at, ptr, bytes.length,
      );
    } finally {
      wasm.wetube_free(ptr, bytes.length);
    }
    if (code === 1) return true;
    if (code === 0) return false;
    const message = MESSAGES.get(code) ?? `unknown answer ${code}`;
    throw Object.assign(new Error(`verifier: ${message}`), { code });
  }

  /** Gives the item's memory back; the item cannot verify afterwards. */
  free() {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    this.#wasm.wetube_free(held.root, 32);
    this.#wasm.wetube_free(held.outboard, held.outboardLen);
  }
}

/** Copies `bytes` into memory from wetube_alloc; returns the address. */
function copyIn(wasm, bytes) {
  // Pointers come back as i32: read them unsigned (memory above 2 GiB).
  const ptr = wasm.wetube_alloc(bytes.length) >>> 0;
  if (ptr === 0) throw new Error(`verifier: no memory left for ${bytes.length} bytes`);
  // The allocation may have grown memory: take the view after it.
  new Uint8Array(wasm.memory.buffer, ptr, bytes.length).set(bytes);
  return ptr;
}

/** `value` as a u32 parameter; throws unless it is a whole number in range. */
function u32(value, what) {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new Error(`verifier: the ${what} is not a whole number below 2^32`);
  }
  return value;
}

/** `value` as the BigInt a u64 parameter takes; throws unless it is a whole number in range. */
function u64(value, what) {
  let big;
  try {
    big = BigInt(value);
  } catch {
    throw new Error(`verifier: the ${what} is not a whole number`);
  }
  if (big < 0n || big >= U64_END) throw new Error(`verifier: the ${what} is out of range`);
  return big;
}
