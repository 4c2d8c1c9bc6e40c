// Checks verifier.js with the built verifier wasm in Node (no dependencies):
//
//   cargo build --profile release --target wasm32-unknown-unknown -p wetube-verifier
//   node apps/wetube/verifier/check.mjs [path/to/wetube_verifier.wasm]
//
// Without a path it takes the module from $CARGO_TARGET_DIR (default
// ~/.cache/bitcloud-target). The content is bytes `i % 251`; its root and outboard (chunk
// groups of 16 KiB) are Rust's, which a test of src/lib.rs keeps in step.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadVerifier } from './verifier.js';

const SIZE = 40000;
const ROOT = 'ccd32b4544a24c50fbefb249e10a8fcedc26e2794c79eb8a44ad0631bf07f53f';
const OUTBOARD = '5384f9b342c6cb86badedcbe662b0e980476a8db17db3cc1f13b19329749ab1f406632eceb31aa6735f072ad0554f5963f4082b5139978455b44f67732cf949d1e03bf3657c5076623059f21d92f2ec634dd276b07e3760625c73416f343d857083663d9bddc14d40cc2f3869e01c5bebde7632dfea165eda38af01d93d5045b';
const GROUP = 16 * 1024;

const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'bitcloud-target');
const path =
  process.argv[2] || join(target, 'wasm32-unknown-unknown', 'release', 'wetube_verifier.wasm');
const fromHex = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
const data = Uint8Array.from({ length: SIZE }, (_, i) => i % 251);
const description = { root: fromHex(ROOT), size: SIZE, chunkGroupLog: 4, outboard: fromHex(OUTBOARD) };

let failed = 0;
function check(what, got, expected) {
  const ok = got === expected;
  if (!ok) failed += 1;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${ok ? '' : `: got ${got}, expected ${expected}`}`);
}
function code(what, run, expected) {
  try {
    check(what, `returned ${run()}`, `throws ${expected}`);
  } catch (e) {
    check(what, e.code, expected);
  }
}

const verifier = await loadVerifier(readFileSync(path));
const item = verifier.item(description);
check('the whole content', item.verify(0, data), true);
check('its second group, offset as a bigint', item.verify(BigInt(GROUP), data.subarray(GROUP, 2 * GROUP)), true);
check('its tail group', item.verify(2 * GROUP, data.subarray(2 * GROUP)), true);
const flipped = data.slice(GROUP, 2 * GROUP);
flipped[100] ^= 1;
check('a flipped byte', item.verify(GROUP, flipped), false);
check('bytes past the end', item.verify(2 * GROUP, new Uint8Array(SIZE - 2 * GROUP + 1)), false);
code('an unaligned offset', () => item.verify(1024, data.subarray(1024, GROUP)), -4);
code('a ragged end', () => item.verify(0, data.subarray(0, GROUP + 1)), -5);
// Many checks of one item: memory is given back (a leak of 40 kB a time would grow it).
for (let i = 0; i < 2000; i += 1) item.verify(0, data);
check('memory stays bounded', verifier.memoryBytes < 4 << 20, true);
item.free();
code('a freed item', () => item.verify(0, data), undefined);
check('a one-off check', verifier.verify(description, 0, data), true);
code('a short outboard', () => verifier.item({ ...description, outboard: new Uint8Array(64) }), -2);
code('a chunk group log of 17', () => verifier.item({ ...description, chunkGroupLog: 17 }), -1);
code('an empty content with a root', () => verifier.item({ ...description, size: 0, outboard: new Uint8Array(0) }), -3);
const wrongRoot = { ...description, root: fromHex(ROOT.replace(/^cc/, 'cd')) };
check('another root', verifier.verify(wrongRoot, 0, data), false);

console.log(failed ? `${failed} FAILED` : 'all passed');
process.exit(failed ? 1 : 0);
