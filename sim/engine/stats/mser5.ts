/**
 * MSER-5 warm-up deletion (White, Cobb & Spratt 2000; Franklin & White 2008).
 *
 * Rule: group the output series x_1..x_n (e.g. response times in completion order) into k = floor(n/5)
 * batch means z_1..z_k of 5 observations each. For each candidate truncation d (in batches) compute
 *   MSER(d) = sum_{j>d} (z_j - z̄_d)^2 / (k - d)^2,   z̄_d the mean of z_{d+1..k},
 * the squared standard error of the truncated mean (up to a constant). Choose the d that minimises
 * it, searching d in [0, k/2] only: a minimum in the second half means the run is too short to show
 * a steady state, and is reported as `reliable: false` (truncation then still capped at half).
 * The warm-up to delete is 5·d observations. Cost O(n).
 *
 * Outliers. MSER weighs every batch by its squared deviation, so a few extreme batches (a 200 ms
 * retransmission among 0.5 ms latencies, a CPU stall) anywhere in the first half make cutting
 * up to them look worthwhile, although the series is stationary: "transient" that running longer
 * never removes, because such events recur at a steady rate. `winsorize: q` clips the batch means
 * at their q-quantile before the rule (q = 0.999 clips at most 0.1 % of the batches). A genuine
 * warm-up transient is a sustained shift over the first batches, so it survives the clipping
 * (its batches are capped at a value still above the steady mean) unless it is shorter than
 * (1 - q) of the run. Cost O(k log k) for the quantile.
 */
export interface Mser5Result {
  /** Observations to delete from the start. */
  truncate: number;
  /** False when the minimum fell at the search limit (n/2): the run is too short for steady state. */
  reliable: boolean;
}

export interface Mser5Options {
  /** Clip the batch means at this quantile of theirs first (in (0, 1]; default 1: no clipping). */
  winsorize?: number;
}

export function mser5(series: ArrayLike<number>, opts: Mser5Options = {}): Mser5Result {
  const q = opts.winsorize ?? 1;
  if (!(q > 0 && q <= 1)) throw new RangeError(`winsorize must be in (0, 1] (got ${q})`);
  const k = Math.floor(series.length / 5);
  if (k < 4) return { truncate: 0, reliable: false };
  const z = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    let s = 0;
    for (let i = 0; i < 5; i++) s += series[5 * j + i]!;
    z[j] = s / 5;
  }
  if (q < 1) {
    const cap = z.slice().sort()[Math.floor(q * (k - 1))]!;
    for (let j = 0; j < k; j++) if (z[j]! > cap) z[j] = cap;
  }
  // Suffix sums of z and z^2 give each MSER(d) in O(1).
  const suf = new Float64Array(k + 1);
  const suf2 = new Float64Array(k + 1);
  for (let j = k - 1; j >= 0; j--) {
    suf[j] = suf[j + 1]! + z[j]!;
    suf2[j] = suf2[j + 1]! + z[j]! * z[j]!;
  }
  const maxD = Math.floor(k / 2);
  let best = 0;
  let bestVal = Number.POSITIVE_INFINITY;
  for (let d = 0; d <= maxD; d++) {
    const m = k - d;
    const mean = suf[d]! / m;
    const sse = Math.max(0, suf2[d]! - m * mean * mean);
    const v = sse / (m * m);
    if (v < bestVal) {
      bestVal = v;
      best = d;
    }
  }
  return { truncate: 5 * best, reliable: best < maxD };
}
