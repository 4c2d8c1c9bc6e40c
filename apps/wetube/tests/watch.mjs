#!/usr/bin/env node
// Watches a video in WeTube as a viewer would, in headless Chromium (Debian's, driven by
// playwright-core), and prints what the page showed as JSON. Run by the end-to-end test
// node/tests/e2e/wetube.rs, which starts the chain and nodes and checks the answer:
//
//   node tests/watch.mjs '{"app": "http://127.0.0.1:8080/app/", "rpc": "ws://127.0.0.1:9944",
//     "moderator": "<ss58>", "moderatorName": "...", "title": "...", "video": "<id hex>",
//     "denied": "<id hex>", "fundFrom": "//Alice", "fund": "1000", "lock": "100",
//     "shareTitle": "...", "shareText": "...", "moderatorKey": "//Charlie"}'
//
// Steps: open the app, fund and lock quota for the page's own session key, list the
// moderators and the moderator's catalog, search it by title, open the video, play it, seek
// to the middle and play on, pause (the page then hands its last receipts to the nodes), wait
// until the page shows what the nodes were credited, share a file (proposed to the
// moderator), accept it from the moderator's queue with the moderator's key, and open the
// denied item. Every wait is bounded; a step that times out ends the run with
// {"failed": step, "error": ...} and the page's console.

import { launch } from './chromium.mjs';

const SECONDS = 1000;

const options = JSON.parse(process.argv[2] || '{}');
const answer = { console: [] };
let step = 'launch';

function testid (id) {
  return `[data-testid="${id}"]`;
}

async function text (page, id) {
  const element = await page.$(testid(id));
  return element ? (await element.textContent()).trim() : null;
}

// Waits until the player's time passes `seconds` while playing; the time it took, in ms.
async function playedPast (page, seconds, timeout) {
  const start = Date.now();
  await page.waitForFunction(
    ({ selector, seconds }) => {
      const player = document.querySelector(selector);
      return player && !player.paused && player.currentTime > seconds && player.readyState >= 3;
    },
    { selector: testid('player'), seconds },
    { timeout, polling: 100 }
  );
  return Date.now() - start;
}

async function run (page) {
  step = 'open the app';
  await page.goto(`${options.app}?rpc=${encodeURIComponent(options.rpc)}`);
  await page.waitForFunction(() => window.wetubeReady === true, null, { timeout: 60 * SECONDS });
  answer.status = await text(page, 'status');
  answer.session = await text(page, 'session-account');

  step = 'fund and lock';
  await page.selectOption(testid('fund-from'), options.fundFrom);
  await page.fill(testid('fund-amount'), options.fund);
  await page.click(testid('fund'));
  await page.fill(testid('lock-amount'), options.lock);
  // Locking needs the funds first: the page says when it is done, the quota shows it.
  await page.waitForFunction(
    (selector) => !document.querySelector(selector)?.disabled,
    testid('lock'),
    { timeout: 60 * SECONDS }
  );
  await page.click(testid('lock'));
  await page.waitForFunction(
    (selector) => /[1-9]/.test(document.querySelector(selector)?.textContent || ''),
    testid('quota'),
    { timeout: 90 * SECONDS, polling: 500 }
  );
  answer.quota = await text(page, 'quota');

  step = 'list the moderators';
  await page.goto(`${options.app}?rpc=${encodeURIComponent(options.rpc)}#/`);
  await page.waitForSelector(testid('moderator'), { timeout: 30 * SECONDS });
  answer.moderators = await page.$$eval(testid('moderator'), (cards) => cards.map((c) => c.textContent.trim()));

  step = 'open the catalog';
  await page.click(`${testid('moderator')}:has-text("${options.moderatorName}") a`);
  await page.waitForSelector(testid('catalog-item'), { timeout: 30 * SECONDS });
  answer.catalog = await page.$$eval(testid('catalog-item'), (cards) => cards.map((c) => c.textContent.trim()));
  // A title that is markup must have been shown as text: nothing ran.
  answer.pwned = await page.evaluate(() => window.pwned !== undefined);

  step = 'search by title';
  await page.fill(testid('search'), options.title);
  await page.waitForFunction(
    ({ selector, count }) => document.querySelectorAll(selector).length < count,
    { selector: testid('catalog-item'), count: answer.catalog.length },
    { timeout: 10 * SECONDS }
  );
  answer.found = await page.$$eval(testid('catalog-item'), (cards) => cards.map((c) => c.textContent.trim()));

  step = 'play';
  await page.click(`${testid('catalog-item')}:has-text("${options.title}") a`);
  await page.waitForSelector(testid('player'), { timeout: 30 * SECONDS });
  await page.$eval(testid('player'), (player) => { player.muted = true; return player.play().catch(() => {}); });
  answer.firstSecondMs = await playedPast(page, 1, 60 * SECONDS);
  answer.duration = await page.$eval(testid('player'), (player) => player.duration);

  step = 'seek to the middle and play on';
  const middle = answer.duration / 2;
  const seekStart = Date.now();
  await page.$eval(testid('player'), (player, to) => { player.currentTime = to; }, middle);
  await playedPast(page, middle + 1, 60 * SECONDS);
  answer.seekMs = Date.now() - seekStart;
  answer.playedTo = await page.$eval(testid('player'), (player) => player.currentTime);
  await page.$eval(testid('player'), (player) => player.pause());

  step = 'read what the page says about the bytes';
  await page.waitForFunction(
    (selector) => /[1-9]/.test(document.querySelector(selector)?.textContent || ''),
    testid('paid'),
    { timeout: 30 * SECONDS }
  );
  answer.servedBy = await text(page, 'served-by');
  answer.dropped = await text(page, 'dropped');
  answer.paid = await text(page, 'paid');
  answer.itemError = await text(page, 'error');

  step = 'wait for the credit';
  // Receipts of an epoch are claimed once it closes (one-minute epochs on the dev chain).
  await page.waitForSelector(testid('credited'), { timeout: 200 * SECONDS });
  await page.waitForFunction(
    (selector) => /credited [1-9]/.test(document.querySelector(selector)?.textContent || ''),
    testid('credited'),
    { timeout: 200 * SECONDS, polling: 1000 }
  );
  answer.credited = await text(page, 'credited');

  step = 'share a file: proposed to the moderator and pushed to its nodes';
  await page.goto(`${options.app}?rpc=${encodeURIComponent(options.rpc)}#/share`);
  await page.waitForSelector(testid('share-file'), { timeout: 30 * SECONDS });
  await page.selectOption(testid('share-moderator'), options.moderator);
  await page.setInputFiles(testid('share-file'), {
    name: 'shared.txt', mimeType: 'text/plain', buffer: Buffer.from(options.shareText)
  });
  await page.fill(testid('share-title'), options.shareTitle);
  await page.fill(testid('share-type'), 'text/plain');
  await page.click(testid('share-publish'));
  await page.waitForFunction(
    (selector) => /Proposed:|failed/.test(document.querySelector(selector)?.textContent || ''),
    testid('share-progress'),
    { timeout: 90 * SECONDS, polling: 500 }
  );
  answer.shareProgress = await text(page, 'share-progress');

  step = "accept it from the moderator's queue, as the moderator";
  await page.fill(testid('import-key'), options.moderatorKey);
  await page.click(testid('import'));
  await page.waitForFunction(
    ({ selector, address }) => document.querySelector(selector)?.textContent.includes(address),
    { selector: testid('session-account'), address: options.moderator },
    { timeout: 30 * SECONDS }
  );
  await page.goto(`${options.app}?rpc=${encodeURIComponent(options.rpc)}#/queue/${options.moderator}`);
  const proposal = `${testid('proposal')}:has-text("${options.shareTitle}")`;
  await page.waitForSelector(proposal, { timeout: 30 * SECONDS });
  await page.click(`${proposal} ${testid('accept')}`);
  await page.waitForFunction(
    (selector) => /Accepted|failed/.test(document.querySelector(selector)?.textContent || ''),
    testid('queue-message'),
    { timeout: 90 * SECONDS, polling: 500 }
  );
  answer.accepted = await text(page, 'queue-message');

  step = 'open the denied item';
  await page.goto(`${options.app}?rpc=${encodeURIComponent(options.rpc)}#/item/${options.moderator}/${options.denied}`);
  await page.waitForSelector(testid('error'), { timeout: 30 * SECONDS });
  answer.deniedError = await text(page, 'error');
  answer.deniedPlayer = (await page.$(testid('player'))) !== null;
}

const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (answer.console.length < 200) {
      answer.console.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => answer.console.push(`pageerror: ${error.message}`));
  await run(page);
} catch (error) {
  answer.failed = step;
  answer.error = String(error && error.message ? error.message : error).slice(0, 2000);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(answer) + '\n');
process.exit(answer.failed ? 1 : 0);
