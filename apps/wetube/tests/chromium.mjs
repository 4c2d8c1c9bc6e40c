// Debian's Chromium (never a downloaded browser), headless, as the WeTube tests and benchmark
// drive it with playwright-core: the flags a closed network needs (no background
// connections, which this machine refuses) and autoplay without a click.

import { chromium } from 'playwright-core';

/** Chromium's flags for these runs. */
export const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--autoplay-policy=no-user-gesture-required'
];

/**
 * Launches the system's Chromium (`$CHROMIUM`, default /usr/bin/chromium).
 * @returns {Promise<import('playwright-core').Browser>}
 */
export function launch () {
  return chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: FLAGS });
}
