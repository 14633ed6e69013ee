/**
 * Parsers for command-line values. A value that does not parse is a usage error (exit 2); a value
 * that parses but is out of range is invalid input (exit 3). Both name the flag and the value.
 */
import { InputError, UsageError } from './errors.ts';

const SUFFIX: Record<string, number> = { k: 1e3, K: 1e3, m: 1e6, M: 1e6 };

/**
 * Flags whose values are sizes in bytes: written in full, as `4k` would read 4000 where the study's
 * "4 KB" is 4096.
 */
const BYTE_FLAGS = new Set(['--response-bytes', '--request-bytes']);

/** Parses `250000`, `250k`, `2.5e5` (no suffix for a size in bytes). */
export function parseNumber(flag: string, raw: string): number {
  const m = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([kKmM]?)\s*$/.exec(raw);
  if (!m) throw new UsageError(`${flag}: not a number (got ${JSON.stringify(raw)})`);
  if (m[2] && BYTE_FLAGS.has(flag))
    throw new InputError(
      flag,
      raw,
      `write bytes in full (4096 for the study's 4 KB): ${raw.trim()} would read ${Number(m[1]) * (SUFFIX[m[2]] ?? 1)}`,
    );
  return Number(m[1]) * (m[2] ? (SUFFIX[m[2]] ?? 1) : 1);
}

export function parsePositive(flag: string, raw: string): number {
  const x = parseNumber(flag, raw);
  if (!(x > 0)) throw new InputError(flag, raw, 'must be greater than 0');
  return x;
}

export function parseNonNegative(flag: string, raw: string): number {
  const x = parseNumber(flag, raw);
  if (!(x >= 0)) throw new InputError(flag, raw, 'must be 0 or more');
  return x;
}

export function parseNonNegativeInt(flag: string, raw: string): number {
  const x = parseNumber(flag, raw);
  if (!Number.isInteger(x) || x < 0) throw new InputError(flag, raw, 'must be a whole number, 0 or more');
  return x;
}

export function parsePositiveInt(flag: string, raw: string): number {
  const x = parseNumber(flag, raw);
  if (!Number.isInteger(x) || x <= 0)
    throw new InputError(flag, raw, 'must be a whole number greater than 0');
  return x;
}

/**
 * `a,b,c` or `start:stop:step` (inclusive of stop when it falls on the grid). An empty entry is
 * refused; with `unique` (a grid of points), so is a value listed twice.
 */
export function parseNumberList(flag: string, raw: string, o: { unique?: boolean } = {}): number[] {
  const range = /^([^:]+):([^:]+):([^:]+)$/.exec(raw.trim());
  if (range) {
    const [start, stop, step] = [range[1], range[2], range[3]].map((s) => parseNumber(flag, s ?? ''));
    if (!(step! > 0)) throw new InputError(flag, raw, 'the step of start:stop:step must be greater than 0');
    if (stop! < start!) throw new InputError(flag, raw, 'stop must not be below start');
    const out: number[] = [];
    for (let i = 0; start! + i * step! <= stop! * (1 + 1e-12); i++) {
      if (i > 100_000) throw new InputError(flag, raw, 'too many values (more than 100000)');
      out.push(start! + i * step!);
    }
    return out;
  }
  const parts = raw.split(',');
  if (parts.every((s) => s.trim() === '')) throw new UsageError(`${flag}: empty list`);
  if (parts.some((s) => s.trim() === ''))
    throw new InputError(flag, raw, 'an empty entry (two commas, or one at an end): remove it');
  const values = parts.map((s) => parseNumber(flag, s));
  const twice = o.unique ? values.find((v, i) => values.indexOf(v) !== i) : undefined;
  if (twice !== undefined)
    throw new InputError(flag, raw, `${twice} is listed twice (it would run the same point twice)`);
  return values;
}

/** A random seed: a whole number, 0 or more. */
export function parseSeed(raw: string, flag = '--seed'): number {
  const x = parseNumber(flag, raw);
  if (!Number.isInteger(x) || x < 0)
    throw new UsageError(`${flag}: must be a whole number 0 or more (got ${JSON.stringify(raw)})`);
  return x;
}

/** One of a fixed set of words; anything else is invalid input naming the choices. */
export function parseChoice<T extends string>(flag: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw))
    throw new InputError(flag, raw, `must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`);
  return raw as T;
}
