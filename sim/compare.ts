/**
 * Paired comparison of two simulated points that differ in one thing (the network option, a --set)
 * and share their seed: replication i of both runs draws from the same random streams (phases,
 * jitter, stalls: engine/rng.ts names each stream by seed, replication and purpose), so their
 * difference varies less between replications than either result does (common random numbers).
 *
 * The difference at each percentile is the merged `other - baseline`; its 95 % interval is a
 * Student-t interval of the per-replication differences (R - 1 degrees of freedom), widened to
 * include the merged difference, as simulate widens its own intervals; `differs` says whether that
 * interval excludes 0. The ratio is merged other / merged baseline.
 * Also the CPU time per request on each host (all classes, summed over the host's CPUs), from the
 * points' CPU loads: where one option's extra passes show.
 */
import { meanInterval } from './engine/stats/confidence.ts';
import {
  PERCENTILE_KEYS,
  type PercentileIntervals,
  type PercentileKey,
  type Percentiles,
  type SimResult,
} from './result.ts';

export interface PairedDifference {
  option: string;
  baseline: string;
  latency_diff_ms: Percentiles;
  latency_diff_ci95_ms: PercentileIntervals;
  latency_ratio: Percentiles;
  /** The interval excludes 0: a difference the replications agree on at 95 %. */
  differs: Record<keyof Percentiles, boolean>;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * The paired difference of `other` against `baseline`, or null when either is saturated or lacks
 * per-replication percentiles (run simulate with replication_percentiles and at least 2 replications).
 * Throws when the two were not run with the same seed and replications (they would not be paired).
 */
export function pairedDifference(baseline: SimResult, other: SimResult): PairedDifference | null {
  if (baseline.seed !== other.seed || baseline.replications !== other.replications)
    throw new RangeError(
      `paired comparison needs the same seed and replications (got seed ${baseline.seed} / ${other.seed}, replications ${baseline.replications} / ${other.replications})`,
    );
  const a = baseline.latency_by_replication_ms;
  const b = other.latency_by_replication_ms;
  if (!baseline.latency_ms || !other.latency_ms || !a || !b || a.length < 2 || a.length !== b.length)
    return null;
  const diff = {} as Percentiles;
  const ci = {} as PercentileIntervals;
  const ratio = {} as Percentiles;
  const differs = {} as Record<keyof Percentiles, boolean>;
  for (const key of PERCENTILE_KEYS) {
    const d = other.latency_ms[key] - baseline.latency_ms[key];
    const iv = meanInterval(a.map((row, i) => b[i]![key] - row[key]));
    const lo = round4(Math.min(iv.lo, d));
    const hi = round4(Math.max(iv.hi, d));
    diff[key] = round4(d);
    ci[key] = [lo, hi];
    ratio[key] = baseline.latency_ms[key] > 0 ? round4(other.latency_ms[key] / baseline.latency_ms[key]) : 0;
    differs[key] = lo > 0 || hi < 0;
  }
  return {
    option: other.option,
    baseline: baseline.option,
    latency_diff_ms: diff,
    latency_diff_ci95_ms: ci,
    latency_ratio: ratio,
    differs,
  };
}

/**
 * CPU time per request (us) on each host: busy fractions summed over its CPUs, per achieved request.
 * On a host profile whose two hosts share one machine's CPUs (netns-lab) every CPU counts as server.
 */
export function cpuPerRequest_us(r: SimResult): { client: number; server: number } {
  const sum = { client: 0, server: 0 };
  for (const c of r.cpu) sum[c.host] += c.hardirq + c.softirq + c.task;
  const per = (x: number) => (r.achieved_rps > 0 ? Math.round((x / r.achieved_rps) * 1e6 * 100) / 100 : 0);
  return { client: per(sum.client), server: per(sum.server) };
}

/** A difference in ms with its sign, 3 decimals: `+0.012`, `-0.004`. */
export function signedMs(x: number): string {
  return `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(3)}`;
}

/** The interval of one percentile's difference as report text: `+0.012 to +0.034`, ` (includes 0)` when it does. */
export function intervalText(d: PairedDifference, key: PercentileKey): string {
  const [lo, hi] = d.latency_diff_ci95_ms[key];
  return `${signedMs(lo)} to ${signedMs(hi)}${d.differs[key] ? '' : ' (includes 0)'}`;
}
