/**
 * The result of one simulated point (one option, one rate, one response size), as printed by
 * `cnisim simulate --json` and as an element of `cnisim sweep --json`. Field names are a contract
 * other tools rely on (issue 3): add fields, never rename them. Units are in the names.
 */

/** Percentile keys reported everywhere, in order. `p99_5` is p99.5, `p99_999` is p99.999. */
export const PERCENTILE_KEYS = [
  'p50',
  'p90',
  'p95',
  'p99',
  'p99_5',
  'p99_9',
  'p99_99',
  'p99_999',
  'max',
] as const;
export type PercentileKey = (typeof PERCENTILE_KEYS)[number];

/** The quantile each key stands for (max is 1). */
export const PERCENTILE_QUANTILES: Readonly<Record<PercentileKey, number>> = {
  p50: 0.5,
  p90: 0.9,
  p95: 0.95,
  p99: 0.99,
  p99_5: 0.995,
  p99_9: 0.999,
  p99_99: 0.9999,
  p99_999: 0.99999,
  max: 1,
};

export type Percentiles = Record<PercentileKey, number>;
export type PercentileIntervals = Record<PercentileKey, [number, number]>;

export type CpuClassName = 'hardirq' | 'softirq' | 'task';

export interface CpuLoad {
  host: 'client' | 'server';
  cpu: number;
  /** Fractions of wall time, 0..1 each. */
  hardirq: number;
  softirq: number;
  task: number;
  /** softirq work that ran in ksoftirqd (task priority), fraction of wall time; included in `softirq`. */
  ksoftirqd?: number;
}

export interface StageBreakdown {
  /** `server.rx.veth_backlog`, `client.tx.tcp_sendmsg`, ... */
  stage: string;
  cls: CpuClassName;
  packets: number;
  wait_mean_us: number;
  wait_p99_us: number;
  service_mean_us: number;
  service_p99_us: number;
}

export interface BurstReport {
  ticks_per_s: number;
  empty_ticks_per_s: number;
  sends_per_tick_mean: number;
  by_position: { from: number; to: number | null; requests: number; latency_mean_ms: number }[];
}

export interface SimResult {
  option: string;
  host: string;
  rate_rps: number;
  achieved_rps: number;
  response_bytes: number;
  saturated: boolean;
  /**
   * The throughput criterion alone, as a load test measures it: at least 97 % of the requests sent in
   * the window completed, the backlog grew by at most 2 % of them, the run was not stopped.
   * `saturated` is also true when a resource was busy >= 99 % of the window (at capacity: latency
   * grows with run length) although the load was carried; compare with a measured maximum rate here.
   */
  carried?: boolean;
  /** Where the first queue that grows without bound is, e.g. `server cpu 0 softirq`; null when not saturated. */
  bottleneck: string | null;
  /** Latency as tcpkali measures it: from the actual write of a request to the read of its response marker. */
  latency_ms: Percentiles | null;
  latency_ci95_ms: PercentileIntervals | null;
  /**
   * With a fitted profile: 95 % prediction intervals that combine simulation noise and the fitted
   * parameters' uncertainty (calibration/prediction-interval.ts). Absent without a profile.
   */
  latency_pi95_ms?: Partial<PercentileIntervals> | null;
  /**
   * Each replication's own latency percentiles, in replication order (only when asked for:
   * SimulateRequest.replication_percentiles; null when saturated or with one replication). Two runs
   * with the same seed share their random streams replication by replication (common random
   * numbers), so `cnisim compare` pairs them.
   */
  latency_by_replication_ms?: Percentiles[] | null;
  /** The same latency quantised as tcpkali prints it (0.1 ms buckets). */
  latency_tcpkali_ms?: Percentiles | null;
  /**
   * Latency of the same requests from the time each was scheduled to be sent (free of coordinated
   * omission: a send made late by the generator's timer or a busy worker adds its lateness), as the
   * open-loop lab generator's `latency_from_schedule_ms`. Null when saturated.
   */
  latency_from_schedule_ms?: Percentiles | null;
  /**
   * The generator's send-loop bursts in the window, as the lab's open-loop generator reports them
   * (run records: generator.bursts): ticks per second (also those that released nothing), sends
   * per non-empty tick, and the mean latency from the write by position in the burst (bins of
   * sim/burst-bins.ts; `to` null: open-ended). Null when saturated.
   */
  bursts?: BurstReport | null;
  /**
   * Wake-ups per second of the window (a sleeping task made runnable), summed over the workers of
   * nginx and of the generator: the model's counterpart of the timeslices in the lab's schedstat
   * (run records: counters.*.server_tasks, client_tasks), which also count preemptions.
   */
  task_wakeups_per_s?: { nginx: number; generator: number };
  drops: Record<string, number>;
  retransmits: number;
  cpu: CpuLoad[];
  stages: StageBreakdown[];
  seed: number;
  /** Requests measured (after warm-up deletion), summed over replications. */
  requests: number;
  replications?: number;
  warmup_requests?: number;
  /** Wall-clock seconds the simulation took (not part of golden comparisons). */
  wall_s?: number;
  profile?: string | null;
  warnings?: string[];
}
