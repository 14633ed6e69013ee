/**
 * Shared check for the queueing-theory tests.
 *
 * Method: R independent replications (independent streams), each after warm-up deletion, give R
 * estimates x_r of a quantity (a mean, a percentile, a probability). They are i.i.d. and close to
 * normal (each averages tens of thousands of observations), so
 *     |x̄ - theory| <= t_{0.9995, R-1} · s / sqrt(R) + bias
 * holds with probability ~0.999 for a correct simulator (a 99.9 % Student t interval: wide enough
 * that the dozen checks in this suite do not fail by chance for a correct engine, narrow enough to
 * catch a wrong one). Autocorrelation inside a replication is accounted for automatically: it shows
 * up as spread between the x_r, which s measures.
 * `bias` is a deterministic allowance: HDR quantiles are reported at the top of their bucket, up to
 * 0.1 % high (3 significant digits), and a sample quantile of n draws is biased by O(1/(n(1-q)))
 * relative, under 0.2 % for n(1-q) >= 50; so quantile checks allow 0.003 · theory, means none.
 * Power: each check also asserts that the interval half-width is below `maxRel` of the theoretical
 * value, so a check cannot pass just because the run was too short to say anything.
 */
import { expect } from 'vitest';
import { meanInterval } from '../../../sim/engine/stats/confidence.ts';

export const QUANTILE_BIAS = 0.003;

export function expectAgrees(
  label: string,
  estimates: number[],
  theory: number,
  opts: { bias?: number; maxRel: number },
): { mean: number; halfWidth: number } {
  const ci = meanInterval(estimates, 0.999);
  const allowed = ci.halfWidth + (opts.bias ?? 0) * Math.abs(theory);
  const msg = `${label}: estimate ${ci.mean.toPrecision(6)} ± ${ci.halfWidth.toPrecision(3)} (99.9 %, R=${ci.n}) vs theory ${theory.toPrecision(6)}`;
  expect(Math.abs(ci.mean - theory), msg).toBeLessThanOrEqual(allowed);
  expect(ci.halfWidth / Math.abs(theory), `${msg}: interval too wide to be a test`).toBeLessThan(opts.maxRel);
  return ci;
}
