/**
 * Normal(mu, sigma) by the Marsaglia polar method (as d3-random): two uniforms per accepted pair,
 * acceptance probability pi/4; the second variate of each pair is kept for the next call.
 */
import type { Source } from '../rng.ts';
import { requireFinite, requireNonNegative } from './check.ts';

export function normal(source: Source, mu: number, sigma: number): () => number {
  requireFinite('mu', mu);
  requireNonNegative('sigma', sigma);
  let spare = 0;
  let hasSpare = false;
  return () => {
    if (hasSpare) {
      hasSpare = false;
      return mu + sigma * spare;
    }
    let x: number;
    let y: number;
    let r: number;
    do {
      x = 2 * source() - 1;
      y = 2 * source() - 1;
      r = x * x + y * y;
    } while (r === 0 || r >= 1);
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    spare = y * f;
    hasSpare = true;
    return mu + sigma * x * f;
  };
}
