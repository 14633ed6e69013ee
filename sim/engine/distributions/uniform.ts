/** Uniform on [lo, hi). */
import type { Source } from '../rng.ts';
import { requireFinite } from './check.ts';

export function uniform(source: Source, lo: number, hi: number): () => number {
  requireFinite('lo', lo);
  requireFinite('hi', hi);
  if (!(hi >= lo)) throw new RangeError(`hi must be >= lo=${lo} (got ${hi})`);
  const width = hi - lo;
  return () => lo + width * source();
}
