#!/usr/bin/env node
// Builds WeTube into dist/: src/app.js -> dist/app.js (an ES module the page loads),
// src/sw.js -> dist/sw.js (a classic script: service workers of every browser run it),
// both bundled and minified by esbuild for the browser, with no timestamps or absolute
// paths, so that the same sources give the same bytes; src/index.html and src/style.css are
// copied. dist/verifier.wasm comes from scripts/wetube-build (cargo). Prints the sizes.

import { build } from 'esbuild';
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'src');
const dist = join(here, 'dist');

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

await mkdir(dist, { recursive: true });
await build({ ...common, entryPoints: [join(src, 'app.js')], outfile: join(dist, 'app.js'), format: 'esm' });
await build({ ...common, entryPoints: [join(src, 'sw.js')], outfile: join(dist, 'sw.js'), format: 'iife' });
for (const file of ['index.html', 'style.css']) {
  await copyFile(join(src, file), join(dist, file));
}

for (const file of ['index.html', 'style.css', 'app.js', 'sw.js', 'verifier.wasm']) {
  try {
    const { size } = await stat(join(dist, file));
    console.log(`dist/${file}: ${size} bytes (${(size / 1024).toFixed(1)} KiB)`);
  } catch {
    console.log(`dist/${file}: missing`);
  }
}
