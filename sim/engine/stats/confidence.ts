/**
 * Confidence intervals across independent replications (or batches).
 *
 * Method: each replication r gives one estimate x_r of the quantity (a mean, a percentile, a
 * probability). Replications use independent streams, so x_1..x_R are i.i.d.; by the central limit
 * theorem each x_r is close to normal when a replication holds many observations, and the interval
 *   x̄ ± t_{(1+level)/2, R-1} · s / sqrt(R)
 * (Student t with R-1 degrees of freedom, s the sample standard deviation of the x_r) covers the
 * true value with probability ~level. This holds for percentiles too: a replication's sample
 * percentile is asymptotically normal, and autocorrelation inside a replication only widens the
 * spread of the x_r, which s measures directly. Needs R >= 2; R >= 5 is advisable (t_{0.975,1} = 12.7).
 */
import { studentTQuantile } from './student-t.ts';

export interface Interval {
  /** Point estimate: the mean of the replication estimates. */
  mean: number;
  halfWidth: number;
  lo: number;
  hi: number;
  /** Number of estimates. */
  n: number;
  /** Sample standard deviation of the estimates. */
  sd: number;
  level: number;
}

export function meanInterval(values: readonly number[], level = 0.95): Interval {
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be in (0, 1) (got ${level})`);
  const n = values.length;
  if (n === 0) throw new RangeError('values must not be empty (got [])');
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n === 1) {
    return {
      mean,
      halfWidth: Number.POSITIVE_INFINITY,
      lo: -Infinity,
      hi: Infinity,
      n,
      sd: Number.NaN,
      level,
    };
  }
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  const halfWidth = (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, halfWidth, lo: mean - halfWidth, hi: mean + halfWidth, n, sd, level };
}

/** Half-width relative to the point estimate (Infinity when the mean is 0). */
export function relativeHalfWidth(ci: Interval): number {
  return ci.mean !== 0 ? ci.halfWidth / Math.abs(ci.mean) : Number.POSITIVE_INFINITY;
}
