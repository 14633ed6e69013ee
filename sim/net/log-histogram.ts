/**
 * A cheap log-bucketed histogram for per-stage waiting and service times (ns): values below 32 ns
 * are exact; above, each power of two is split into 32 buckets (the 5 bits after the leading one),
 * so a bucket is at most 1/32 = 3.1 % wide and quantiles are within 3.1 % of the true value.
 * Values are truncated to whole ns and clamped at 2^31 ns (2.1 s). Recording is a clz32, a shift
 * and an array increment (no logarithm); merging adds counts. Latencies use the engine's HDR
 * histogram instead.
 */
const SUB = 32;
const N = 32 * SUB;
const MAX = 2 ** 31 - 1;

function bucketOf(v: number): number {
  if (v < SUB) return v < 0 ? 0 : v | 0;
  const x = v >= MAX ? MAX : v | 0;
  const e = 31 - Math.clz32(x); // >= 5
  return (e - 4) * SUB + ((x >>> (e - 5)) & (SUB - 1));
}

/** Upper edge of a bucket, ns. */
function upperEdge(i: number): number {
  if (i < SUB) return i;
  const e = Math.floor(i / SUB) + 4;
  const m = i % SUB;
  return (SUB + m + 1) * 2 ** (e - 5);
}

export class LogHistogram {
  readonly counts = new Float64Array(N);
  total = 0;
  sum = 0;

  record(v_ns: number): void {
    this.counts[bucketOf(v_ns)]!++;
    this.total++;
    this.sum += v_ns;
  }

  /** Value at quantile q (upper edge of the bucket), ns; 0 when empty. */
  quantile(q: number): number {
    if (this.total === 0) return 0;
    const target = q * this.total;
    let acc = 0;
    for (let i = 0; i < N; i++) {
      acc += this.counts[i]!;
      if (acc >= target && acc > 0) return upperEdge(i);
    }
    return MAX;
  }

  get mean(): number {
    return this.total > 0 ? this.sum / this.total : 0;
  }

  add(o: { counts: ArrayLike<number>; total: number; sum: number }): void {
    for (let i = 0; i < N; i++) this.counts[i]! += o.counts[i]!;
    this.total += o.total;
    this.sum += o.sum;
  }
}
