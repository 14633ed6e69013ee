/**
 * Lognormal: exp(N(mu, sigma)). `lognormalFromMeanCv` takes the mean and coefficient of variation
 * of the variate itself (what lab measurements give): sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2/2.
 */
import type { Source } from '../rng.ts';
import { requirePositive } from './check.ts';
import { normal } from './normal.ts';

export function lognormal(source: Source, mu: number, sigma: number): () => number {
  const n = normal(source, mu, sigma);
  return () => Math.exp(n());
}

export function lognormalFromMeanCv(source: Source, mean: number, cv: number): () => number {
  requirePositive('mean', mean);
  if (!(cv >= 0) || !Number.isFinite(cv)) throw new RangeError(`cv must be >= 0 and finite (got ${cv})`);
  const s2 = Math.log1p(cv * cv);
  return lognormal(source, Math.log(mean) - s2 / 2, Math.sqrt(s2));
}
