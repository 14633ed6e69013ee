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
 * points' CPU loads: where one option's extra passes show; and the time per request in each stage
 * (waiting plus service, summed over a request's packets), side by side: where the difference
 * comes from. Stage time is CPU-path time, not a share of latency: a request's packets (request,
 * response segments, ACKs) each count, and stages overlap with the wire and each other.
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

/** Time per measured request in one stage, us: waiting for its CPU and being served, over a request's packets. */
export interface StageTimePerRequest {
  stage: string;
  wait_us: number;
  service_us: number;
}

export function stageTimePerRequest(r: SimResult): StageTimePerRequest[] {
  const n = Math.max(1, r.requests);
  return r.stages.map((s) => ({
    stage: s.stage,
    wait_us: (s.packets / n) * s.wait_mean_us,
    service_us: (s.packets / n) * s.service_mean_us,
  }));
}

/** The part of the path a stage belongs to: `server.rx.veth_backlog` -> `server.rx`; a name without dots is its own. */
export function stageGroup(stage: string): string {
  const parts = stage.split('.');
  return parts.length >= 2 ? `${parts[0]}.${parts[1]}` : stage;
}

export interface StageDifference {
  /** A stage (`server.rx.udp_vxlan_rcv`) or a part of the path (`server.rx`). */
  stage: string;
  /** Wait + service per request, us; 0 where the point has no such stage. */
  baseline_us: number;
  other_us: number;
  diff_us: number;
  /** The difference split: waiting for the CPU, being served. */
  diff_wait_us: number;
  diff_service_us: number;
}

/**
 * Time per request of both points side by side, by stage or (`by: 'group'`) summed over each part
 * of the path (`client.tx`, `server.rx`, ...: options name their stages differently, the parts are
 * the same). Stages in path order, those of `baseline` first; one only a point has shows 0 for the other.
 */
export function stageDifference(
  baseline: SimResult,
  other: SimResult,
  by: 'stage' | 'group' = 'stage',
): StageDifference[] {
  const key = by === 'group' ? stageGroup : (x: string) => x;
  const sums = (r: SimResult) => {
    const m = new Map<string, { wait: number; service: number }>();
    for (const s of stageTimePerRequest(r)) {
      const k = key(s.stage);
      const e = m.get(k) ?? { wait: 0, service: 0 };
      e.wait += s.wait_us;
      e.service += s.service_us;
      m.set(k, e);
    }
    return m;
  };
  const a = sums(baseline);
  const b = sums(other);
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const none = { wait: 0, service: 0 };
  return [...a.keys(), ...[...b.keys()].filter((k) => !a.has(k))].map((stage) => {
    const x = a.get(stage) ?? none;
    const y = b.get(stage) ?? none;
    return {
      stage,
      baseline_us: r2(x.wait + x.service),
      other_us: r2(y.wait + y.service),
      diff_us: r2(y.wait + y.service - x.wait - x.service),
      diff_wait_us: r2(y.wait - x.wait),
      diff_service_us: r2(y.service - x.service),
    };
  });
}
