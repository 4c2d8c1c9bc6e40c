// A website published with `bitcloud site publish`, browsed by path in headless Chromium
// (driven by node/tests/e2e/sites.rs, which checks what this prints). Sites are not WeTube, but
// this is the repository's browser harness (Debian's Chromium through playwright-core, both
// set up for the WeTube tests), so the site's browser check lives beside them.
//
// Usage: node tests/site.mjs '{"url":"http://<cid>.localhost:PORT/"}'
// Prints one JSON object: what each step saw.

import { launch } from './chromium.mjs';

const { url } = JSON.parse(process.argv[2] ?? '{}');
if (!url) {
  console.error('usage: node tests/site.mjs \'{"url":"http://<cid>.localhost:PORT/"}\'');
  process.exit(2);
}

const seen = {};
const browser = await launch();
try {
  const page = await browser.newPage();
  const heading = () => page.textContent('h1');

  // The home page, its style sheet, and the site's own origin.
  const home = await page.goto(url);
  seen.home = { status: home.status(), heading: await heading(), title: await page.title() };
  seen.origin = await page.evaluate(() => window.location.origin);
  seen.headingColor = await page.evaluate(() => getComputedStyle(document.querySelector('h1')).color);
  // Storage belongs to the site's origin: what it keeps there stays with it.
  seen.stored = await page.evaluate(() => {
    window.localStorage.setItem('visited', 'yes');
    return window.localStorage.getItem('visited');
  });

  // Following links: a directory's index document, then a nested page.
  await Promise.all([page.waitForLoadState('load'), page.click('a#docs')]);
  seen.docs = { url: page.url(), heading: await heading() };
  await Promise.all([page.waitForLoadState('load'), page.click('a#intro')]);
  seen.intro = { url: page.url(), heading: await heading() };

  // A directory named without its slash is redirected to it.
  const docs = await page.goto(new URL('docs', url).href);
  seen.redirect = { status: docs.status(), url: page.url(), heading: await heading() };

  // A path that names no page: the site's 404 page, with status 404.
  const missing = await page.goto(new URL('no/such/page.html', url).href);
  seen.missing = { status: missing.status(), heading: await heading() };
} catch (e) {
  seen.error = String(e?.stack ?? e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(seen));
process.exit(seen.error ? 1 : 0);
