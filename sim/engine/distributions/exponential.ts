/**
 * Exponential with the given rate (mean 1/rate), by inversion: -log(1 - U) / rate. U is in [0, 1), so
 * 1 - U is in (0, 1] and the log is finite; Math.log is used rather than log1p (about 2x faster in
 * V8), which loses nothing here since Alea's U carries 32 random bits and 1 - U is exact.
 */
import type { Source } from '../rng.ts';
import { requirePositive } from './check.ts';

export function exponential(source: Source, rate: number): () => number {
  requirePositive('rate', rate);
  const scale = 1 / rate;
  return () => -Math.log(1 - source()) * scale;
}
