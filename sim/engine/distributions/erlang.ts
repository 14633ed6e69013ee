/** Erlang(k, rate): the sum of k exponentials of the given rate; mean k/rate, variance k/rate^2. */
import type { Source } from '../rng.ts';
import { requirePositive } from './check.ts';
import { gamma } from './gamma.ts';

export function erlang(source: Source, k: number, rate: number): () => number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a whole number >= 1 (got ${k})`);
  requirePositive('rate', rate);
  return gamma(source, k, 1 / rate);
}
