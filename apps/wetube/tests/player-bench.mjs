#!/usr/bin/env node
// Time to first frame and seek latency of a video in WeTube (verified in the page's service
// worker, paid with receipts) against the same file served by nginx to the same page, in
// headless Chromium. Run by scripts/bench; prints JSON with the medians in milliseconds:
//
//   node tests/player-bench.mjs '{"app": "http://127.0.0.1:18080/app/", "rpc": "ws://...",
//     "moderator": "<ss58>", "video": "<id hex>", "nginx": "http://127.0.0.1:18080/video.webm",
//     "key": "//Ferdie", "lock": "100", "repeat": 5}'
//
// The app is WeTube's build served from nginx's origin (scripts/bench copies dist/ there), so
// that the same page may play nginx's copy (the gateway's CSP admits media from its own
// origin only); WeTube's stream still comes from the node's gateway, verified and paid.
// Each run is a fresh browser context (no service worker, no cache), which imports the same
// key (funded at genesis on the dev chain; the first run locks quota if it has none). WeTube's
// time to first frame runs from opening the item page, the catalog already loaded, to the
// first frame its player shows (chain lookups, outboard, verification and payment
// included); nginx's from setting a video's src in that page to its first frame. A seek
// runs from setting currentTime to the middle to the first frame shown there.

import { launch } from './chromium.mjs';

const TIMEOUT = 90_000;
const options = JSON.parse(process.argv[2] || '{}');
const testid = (id) => `[data-testid="${id}"]`;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];

// In the page: plays `video` from its start, then seeks to the middle; both times in ms.
async function playAndSeek (page, selector) {
  return page.$eval(selector, async (video, timeout) => {
    // A frame that never comes fails the run instead of hanging it.
    const frame = () => Promise.race([
      new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(performance.now()))),
      new Promise((resolve, reject) => setTimeout(() => reject(new Error('no frame in time')), timeout))
    ]);
    video.muted = true;
    const start = performance.now();
    const first = frame();
    await video.play();
    const firstFrame = (await first) - start;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const seekStart = performance.now();
    const seeked = frame();
    video.currentTime = video.duration / 2;
    const seekFrame = (await seeked) - seekStart;
    video.pause();
    return { firstFrame, seekFrame };
  }, TIMEOUT);
}

async function ensureQuota (page) {
  const quota = await page.textContent(testid('quota'));
  if (/[1-9]/.test(quota || '')) {
    return;
  }
  await page.fill(testid('lock-amount'), options.lock);
  await page.click(testid('lock'));
  await page.waitForFunction(
    (selector) => /[1-9]/.test(document.querySelector(selector)?.textContent || ''),
    testid('quota'), { timeout: TIMEOUT, polling: 500 });
}

async function run (browser) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const console = [];
    page.on('console', (message) => console.length < 50 && console.push(`${message.type()}: ${message.text()}`));
    const rpc = `?rpc=${encodeURIComponent(options.rpc)}`;
    await page.goto(`${options.app}${rpc}`);
    await page.waitForFunction(() => window.wetubeReady === true, null, { timeout: TIMEOUT });
    await page.fill(testid('import-key'), options.key);
    await page.click(testid('import'));
    await page.waitForFunction(
      (selector) => (document.querySelector(selector)?.textContent || '').length > 40,
      testid('session-account'), { timeout: TIMEOUT });
    await ensureQuota(page);
    // The service worker must control the page before the player asks it for bytes.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: TIMEOUT });

    // nginx: the same file, the same page, the same measurement.
    await page.evaluate((src) => {
      const video = document.createElement('video');
      video.id = 'reference';
      video.src = src;
      document.body.append(video);
    }, options.nginx);
    const nginx = await playAndSeek(page, '#reference');
    await page.evaluate(() => document.querySelector('#reference').remove());

    // WeTube: open the item page and play as soon as the player is there.
    const opened = Date.now();
    await page.goto(`${options.app}${rpc}#/item/${options.moderator}/${options.video}`);
    await page.waitForSelector(testid('player'), { timeout: TIMEOUT });
    const beforePlayer = Date.now() - opened;
    const wetube = await playAndSeek(page, testid('player')).catch(async (error) => {
      const said = await page.$eval(testid('error'), (e) => e.textContent).catch(() => 'no error shown');
      throw new Error(`WeTube's player: ${error.message}; the page says: ${said}; console: ${console.join(' | ')}`);
    });
    wetube.firstFrame += beforePlayer;
    return { nginx, wetube };
  } finally {
    await context.close();
  }
}

const browser = await launch();
const runs = [];
try {
  for (let i = 0; i < (options.repeat || 5); i += 1) {
    runs.push(await run(browser));
  }
} finally {
  await browser.close();
}
const pick = (side, field) => median(runs.map((r) => r[side][field]));
process.stdout.write(JSON.stringify({
  runs: runs.length,
  wetube: { firstFrameMs: pick('wetube', 'firstFrame'), seekMs: pick('wetube', 'seekFrame') },
  nginx: { firstFrameMs: pick('nginx', 'firstFrame'), seekMs: pick('nginx', 'seekFrame') }
}) + '\n');
