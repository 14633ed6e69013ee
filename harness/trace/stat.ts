/**
 * Count, mean and percentiles of a sample of durations in microseconds, as every trace figure is
 * reported. Percentiles interpolate linearly between order statistics (p at rank p x (n - 1), the
 * usual "type 7"): the median of an even sample is the mean of its two middle values. An empty
 * sample has count 0 and null figures, never NaN.
 */
export interface DurationStat {
  count: number;
  mean_us: number | null;
  p50_us: number | null;
  p90_us: number | null;
}

/** The p-quantile (0..1) of an ascending array. */
export function quantileSorted(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const h = p * (xs.length - 1);
  const lo = Math.floor(h);
  const hi = Math.min(xs.length - 1, lo + 1);
  return xs[lo]! + (h - lo) * (xs[hi]! - xs[lo]!);
}

export function durationStat(sample: readonly number[]): DurationStat {
  if (sample.length === 0) return { count: 0, mean_us: null, p50_us: null, p90_us: null };
  const xs = Float64Array.from(sample).sort();
  let sum = 0;
  for (const x of xs) sum += x;
  const arr = Array.from(xs);
  return {
    count: xs.length,
    mean_us: sum / xs.length,
    p50_us: quantileSorted(arr, 0.5),
    p90_us: quantileSorted(arr, 0.9),
  };
}
