/**
 * A cheap log-bucketed histogram for per-stage waiting and service times (ns): buckets 2 % wide
 * from 1 ns to ~2e10 ns, so quantiles are within 2 % of the true value. Recording is one log and
 * one array increment; merging adds counts. Latencies use the engine's HDR histogram instead.
 */
const K = 1 / Math.log(1.02);
const N = 1200;

export class LogHistogram {
  readonly counts = new Float64Array(N);
  total = 0;
  sum = 0;

  record(v_ns: number): void {
    const i = v_ns < 1 ? 0 : Math.min(N - 1, Math.floor(Math.log(v_ns) * K) + 1);
    this.counts[i]!++;
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
      if (acc >= target && acc > 0) return i === 0 ? 0 : Math.exp(i / K);
    }
    return Math.exp(N / K);
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
