/**
 * The fit loss for measured latency percentiles that are censored by the generator's resolution.
 *
 * tcpkali records each latency as an integer count of 0.1 ms units (the C conversion truncates) in
 * an HdrHistogram with 3 significant digits, and prints the bucket's highest equivalent value. So a
 * printed 0.7 ms means the true percentile lies in [0.7, 0.8) ms, and above 2048 units (204.8 ms)
 * the buckets widen to 2, 4, ... units: a printed 405.3 ms means [405.0, 405.4) ms. The loss is
 * zero anywhere inside that interval and grows with the log-distance to its nearer edge outside:
 *
 *   d = ln(lo / pred) if pred < lo;  ln(pred / hi) if pred > hi;  0 inside
 *   loss = 0.5 * sum_k (d_k / sigma_k)^2
 *
 * `sigma_k` is the relative repeat-to-repeat spread of percentile k (how far a second run of the
 * same point would typically land), so the loss is a negative log-likelihood up to a constant and
 * a loss increase of 0.5 corresponds to one standard deviation of a single parameter (this is what
 * calibration/uncertainty.ts uses). Log-distance makes a 10 % miss cost the same at 0.5 ms as at 10 ms.
 *
 * Invariants: loss >= 0; loss = 0 iff every prediction lies inside its interval.
 */
import type { PercentileKey } from '../sim/result.ts';

/** HdrHistogram sub-bucket count for 3 significant digits: unit resolution below this many units. */
export const HDR_SUB_BUCKETS_3_DIGITS = 2048;

export interface CensorInterval {
  lo: number;
  hi: number;
}

/**
 * Interval of true values a printed percentile `measured_ms` stands for.
 * `hdr`: the generator's histogram widens buckets above 2048 units (tcpkali, published tables,
 * cnisim-openloop: records.ts usesHdrBuckets);
 * otherwise the value is a plain truncation to `resolution_ms`.
 */
export function censorInterval(measured_ms: number, resolution_ms: number, hdr: boolean): CensorInterval {
  if (!(resolution_ms > 0)) throw new RangeError(`resolution_ms must be > 0 (got ${resolution_ms})`);
  if (!(measured_ms >= 0)) throw new RangeError(`measured_ms must be >= 0 (got ${measured_ms})`);
  const units = Math.round(measured_ms / resolution_ms);
  const width = hdrBucketWidth(units, hdr);
  // Printed value is the highest equivalent value of a bucket of `width` units starting at
  // units - width + 1; the truth is below the next bucket's start. (The harness's generator rounds
  // to the microsecond where tcpkali truncates, and its max is exact: its intervals sit half a
  // microsecond high; docs/calibration.md, "The loss".)
  return { lo: (units - width + 1) * resolution_ms, hi: (units + 1) * resolution_ms };
}

/**
 * Width, in units, of the histogram bucket whose highest value is `units`: 1 below 2048 units, then
 * 2, 4, ... (HdrHistogram, 3 significant digits); always 1 without such a histogram.
 */
export function hdrBucketWidth(units: number, hdr: boolean): number {
  let width = 1;
  if (hdr) while (units >= HDR_SUB_BUCKETS_3_DIGITS * width) width *= 2;
  return width;
}

/** Default relative repeat-to-repeat spread per percentile (1 sigma, in log units). */
export const DEFAULT_SIGMA: Readonly<Record<PercentileKey, number>> = {
  p50: 0.05,
  p90: 0.05,
  p95: 0.05,
  p99: 0.05,
  p99_5: 0.05,
  p99_9: 0.15,
  p99_99: 0.3,
  p99_999: 0.4,
  max: 0.6,
};

/** Signed log-distance from `pred` to the interval (negative below, positive above, 0 inside). */
export function logDistance(pred: number, iv: CensorInterval): number {
  if (!(pred > 0)) return iv.lo > 0 ? Number.NEGATIVE_INFINITY : 0;
  if (pred < iv.lo) return Math.log(pred / iv.lo);
  if (pred > iv.hi) return Math.log(pred / iv.hi);
  return 0;
}

export interface LossTerm {
  pred: number;
  interval: CensorInterval;
  sigma: number;
}

/** 0.5 * sum (d/sigma)^2; a prediction of 0 or less below a positive interval costs `cap`. */
export function censoredLoss(terms: readonly LossTerm[], cap = 1e6): number {
  let s = 0;
  for (const t of terms) {
    const d = logDistance(t.pred, t.interval);
    if (!Number.isFinite(d)) {
      s += cap;
      continue;
    }
    const z = d / t.sigma;
    s += 0.5 * z * z;
  }
  return Math.min(s, cap * Math.max(1, terms.length));
}
