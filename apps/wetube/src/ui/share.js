// Placeholder until sharing is written.
import { h, replace } from './dom.js';
export function shareView (root) { replace(root, h('h1', null, 'Share'), h('p', null, 'Not yet.')); return () => {}; }
export function queueView (root) { replace(root, h('h1', null, 'Proposals'), h('p', null, 'Not yet.')); return () => {}; }
