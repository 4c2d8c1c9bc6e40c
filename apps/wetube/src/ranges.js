// The player's Range requests, as the service worker answers them.

/**
 * What a `Range` header selects of content of `size` bytes: `{start, end}` (end exclusive)
 * and whether the answer is partial (206) or whole (200, no header); null when it cannot be
 * satisfied (416). One range only, as players ask: `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * @param {string | null} header
 * @param {number} size
 * @returns {{start: number, end: number, partial: boolean} | null}
 */
export function parseRange (header, size) {
  if (header === null || header === undefined) {
    return { start: 0, end: size, partial: false };
  }
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match || (match[1] === '' && match[2] === '')) {
    return null;
  }
  let start;
  let last;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) {
      return null;
    }
    start = Math.max(0, size - suffix);
    last = size - 1;
  } else {
    start = Number(match[1]);
    last = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || last < start) {
    return null;
  }
  return { start, end: last + 1, partial: true };
}
