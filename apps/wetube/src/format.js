// Numbers in words for people: sizes, CLD amounts, short addresses, times.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/**
 * A size in bytes as people read it: `174 B`, `1.5 MiB`.
 * @param {number | bigint} bytes
 * @returns {string}
 */
export function formatBytes (bytes) {
  let value = Number(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${Number(value.toFixed(digits))} ${UNITS[unit]}`;
}

/**
 * An amount in the chain's smallest unit as coins, every significant decimal kept:
 * `1.5 CLD`.
 * @param {bigint | string | number | {toString(): string}} planck
 * @param {number} decimals
 * @param {string} token
 * @returns {string}
 */
export function formatAmount (planck, decimals, token) {
  const value = BigInt(planck.toString());
  const unit = 10n ** BigInt(decimals);
  const whole = value / unit;
  const fraction = value % unit;
  const wholeText = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  if (fraction === 0n) {
    return `${wholeText} ${token}`;
  }
  const digits = fraction.toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${wholeText}.${digits} ${token}`;
}

/**
 * Parses an amount of coins such as `10`, `0.5` or `1_000` into the smallest unit; throws an
 * Error saying what is wrong.
 * @param {string} text
 * @param {number} decimals
 * @param {string} token
 * @returns {bigint}
 */
export function parseAmount (text, decimals, token) {
  const clean = String(text).trim().replace(/_/g, '');
  const match = /^(\d+)(?:\.(\d+))?$/.exec(clean);
  if (!match) {
    throw new Error(`"${text}" is not an amount of ${token} (for example 10 or 0.25)`);
  }
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    throw new Error(`${token} has ${decimals} decimals at most`);
  }
  const value = BigInt(match[1]) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (value === 0n) {
    throw new Error('the amount must be more than 0');
  }
  return value;
}

/**
 * An address shortened for tight places: `5FLSig…S59Y`.
 * @param {string} address
 * @returns {string}
 */
export function shortAddress (address) {
  return address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address;
}

/**
 * Seconds as `m:ss`.
 * @param {number} seconds
 * @returns {string}
 */
export function formatTime (seconds) {
  if (!Number.isFinite(seconds)) {
    return '–';
  }
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
