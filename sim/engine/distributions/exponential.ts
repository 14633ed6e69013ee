/**
 * Exponential with the given rate (mean 1/rate), by inversion: -log(1 - U) / rate. U is in [0, 1), so
 * 1 - U is in (0, 1] and the log is finite; Math.log is used rather than log1p (about 2x faster in
 * V8), which loses nothing here since Alea's U carries 32 random bits and 1 - U is exact.
 *
 * Cost: Math.log is a call into V8's C library (~10 ns); the draw ~3 ns. For a `createStream` source
 * the sampler calls the AleaStream directly (same values, one closure call fewer).
 * `exponentialZiggurat` draws the same distribution without a log on 99 % of draws, with
 * different values.
 */
import { aleaOf, type Source } from '../rng.ts';
import { requirePositive } from './check.ts';

export function exponential(source: Source, rate: number): () => number {
  requirePositive('rate', rate);
  const scale = 1 / rate;
  const g = aleaOf(source);
  if (g !== undefined) return () => -Math.log(1 - g.next()) * scale;
  return () => -Math.log(1 - source()) * scale;
}
