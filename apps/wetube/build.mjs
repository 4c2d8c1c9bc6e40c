#!/usr/bin/env node
// Builds WeTube into dist/: src/app.js -> dist/app.js (an ES module the page loads),
// src/sw.js -> dist/sw.js (a classic script: service workers of every browser run it),
// both bundled and minified by esbuild for the browser, with no timestamps or absolute
// paths, so that the same sources give the same bytes; src/index.html and src/style.css are
// copied. dist/verifier.wasm comes from scripts/wetube-build (cargo). Prints the sizes.
//
//   node build.mjs --check   builds into a temporary directory and fails if dist/ differs
//                            (scripts/test runs it: the committed dist/ is what nodes serve)

import { build } from 'esbuild';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');
const checking = process.argv.includes('--check');
const out = checking ? await mkdtemp(join(tmpdir(), 'wetube-dist-')) : dist;
// The files build.mjs writes (dist/verifier.wasm is cargo's).
const BUILT = ['index.html', 'style.css', 'app.js', 'sw.js'];

const common = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  platform: 'browser',
  target: ['es2022', 'chrome100', 'firefox100', 'safari16'],
  legalComments: 'none',
  charset: 'utf8',
  sourcemap: false,
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' }
};

await mkdir(out, { recursive: true });
await build({ ...common, entryPoints: [join(src, 'app.js')], outfile: join(out, 'app.js'), format: 'esm' });
await build({ ...common, entryPoints: [join(src, 'sw.js')], outfile: join(out, 'sw.js'), format: 'iife' });
for (const file of ['index.html', 'style.css']) {
  await copyFile(join(src, file), join(out, file));
}

if (checking) {
  const stale = [];
  for (const file of BUILT) {
    const [built, committed] = await Promise.all([
      readFile(join(out, file)),
      readFile(join(dist, file)).catch(() => Buffer.alloc(0))
    ]);
    if (!built.equals(committed)) stale.push(`dist/${file}`);
  }
  await rm(out, { recursive: true, force: true });
  if (stale.length > 0) {
    console.error(`stale: ${stale.join(', ')} differ from a build of src/: run scripts/wetube-build and commit dist/`);
    process.exit(1);
  }
  console.log(`dist/ is what src/ builds to (${BUILT.join(', ')})`);
  process.exit(0);
}

for (const file of [...BUILT, 'verifier.wasm']) {
  try {
    const { size } = await stat(join(dist, file));
    console.log(`dist/${file}: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  } catch {
    console.log(`dist/${file}: missing`);
  }
}
