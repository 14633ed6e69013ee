/**
 * The engine's self-check: simulates M/M/1, M/M/c and a two-stage tandem at a few loads with
 * independent replications (on worker threads) and compares each simulated quantity with its
 * closed form. A check passes when the theoretical value lies inside the simulated confidence
 * interval (plus 0.3 % for quantiles: HDR bucket resolution and small-sample quantile bias).
 *
 * Intervals: Student t across replications (see stats/confidence.ts), at a per-check level of
 * 1 - 0.05/k for k checks (Bonferroni), so all k hold together with probability >= 95 % for a correct
 * engine; the default seed is fixed, so the self-check is reproducible. The table reports these
 * simultaneous intervals.
 */
import { fileURLToPath } from 'node:url';
import {
  counterInterval,
  defaultWorkers,
  meanIntervalOf,
  quantileInterval,
  ReplicationPool,
  type ReplicatedResult,
  replicate,
} from './replicate.ts';
import type { Interval } from './stats/confidence.ts';
import { mm1Response, mmcWait, tandemSojournQuantile, tandemSojournTail } from './theory/queueing.ts';

export interface SelfCheckRow {
  system: string;
  rho: number;
  metric: string;
  unit: 'us' | 'probability';
  theory: number;
  simulated: number;
  ci_lo: number;
  ci_hi: number;
  ok: boolean;
}

export interface SelfCheckOptions {
  seed?: number;
  workers?: number;
  /** Replications per system (>= 2). */
  replications?: number;
  /** Measured customers per replication. */
  customers?: number;
  onProgress?: (message: string) => void;
}

export interface SelfCheckReport {
  rows: SelfCheckRow[];
  ok: boolean;
  level_per_check: number;
  replications: number;
  customers_per_replication: number;
  seed: number;
}

const QUANTILE_ALLOWANCE = 0.003;

interface Pending {
  system: string;
  rho: number;
  metric: string;
  unit: SelfCheckRow['unit'];
  theory: number;
  interval: (level: number) => Interval;
  quantile: boolean;
}

const model = (name: string) => fileURLToPath(new URL(`./models/${name}.ts`, import.meta.url));

export async function runSelfCheck(opts: SelfCheckOptions = {}): Promise<SelfCheckReport> {
  const seed = opts.seed ?? 1;
  const R = opts.replications ?? 10;
  const customers = opts.customers ?? 40_000;
  const workers = opts.workers ?? defaultWorkers();
  if (!Number.isInteger(R) || R < 2)
    throw new RangeError(`replications must be a whole number >= 2 (got ${R})`);
  if (!Number.isInteger(customers) || customers < 10_000)
    throw new RangeError(`customers must be a whole number >= 10000 (got ${customers})`);
  const warmup = 2000;
  const pending: Pending[] = [];
  const results: ReplicatedResult[] = [];
  const us = (ns: number) => ns / 1000;
  // One worker pool for all systems: starting workers is the slow part of a short check.
  const pool = workers > 0 ? new ReplicationPool(Math.min(workers, R)) : null;
  const run = async (label: string, module: string, exportName: string, params: unknown) => {
    opts.onProgress?.(`simulating ${label}`);
    const r = await replicate({
      module,
      exportName,
      params,
      seed,
      replications: R,
      workers,
      ...(pool ? { pool } : {}),
    });
    results.push(r);
    return r;
  };
  try {
    const mu = 1 / 1000; // 1 us mean service
    for (const rho of [0.5, 0.8]) {
      const lambda = rho * mu;
      const r = await run(`M/M/1 rho=${rho}`, model('queue-model'), 'queueModel', {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service: { type: 'exponential', mean: 1 / mu },
        customers,
        warmup,
      });
      const th = mm1Response(lambda, mu);
      const sys = 'M/M/1';
      pending.push({
        system: sys,
        rho,
        metric: 'mean response',
        unit: 'us',
        theory: us(th.mean),
        interval: (l) => scale(meanIntervalOf(r, 'response', l), 1e-3),
        quantile: false,
      });
      for (const q of [0.5, 0.99]) {
        pending.push({
          system: sys,
          rho,
          metric: `p${q * 100} response`,
          unit: 'us',
          theory: us(th.quantile(q)),
          interval: (l) => scale(quantileInterval(r, 'response', q, l), 1e-3),
          quantile: true,
        });
      }
    }

    {
      const c = 4;
      const rho = 0.8;
      const lambda = rho * c * mu;
      const th = mmcWait(c, lambda, mu);
      const t = 1 / (c * mu - lambda);
      const r = await run(`M/M/${c} rho=${rho}`, model('queue-model'), 'queueModel', {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service: { type: 'exponential', mean: 1 / mu },
        servers: c,
        customers,
        warmup,
        waitThresholds_ns: [t],
      });
      const sys = `M/M/${c}`;
      pending.push({
        system: sys,
        rho,
        metric: 'P(wait) Erlang C',
        unit: 'probability',
        theory: th.pWait,
        interval: (l) => counterInterval(r, (k) => k.waited! / k.customers!, l),
        quantile: false,
      });
      pending.push({
        system: sys,
        rho,
        metric: `P(Wq > ${us(t).toFixed(2)} us)`,
        unit: 'probability',
        theory: th.tail(t),
        interval: (l) => counterInterval(r, (k) => k.wait_gt_0! / k.customers!, l),
        quantile: false,
      });
      pending.push({
        system: sys,
        rho,
        metric: 'mean wait',
        unit: 'us',
        theory: us(th.mean),
        interval: (l) => scale(meanIntervalOf(r, 'wait', l), 1e-3),
        quantile: false,
      });
    }

    {
      const mu1 = 1 / 1000;
      const mu2 = 1 / 1250;
      const rho = 0.7; // at the slower stage
      const lambda = rho * mu2;
      const q99 = tandemSojournQuantile(lambda, mu1, mu2, 0.99);
      const q50 = tandemSojournQuantile(lambda, mu1, mu2, 0.5);
      const r = await run(`tandem rho=${rho}`, model('tandem-model'), 'tandemModel', {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service1: { type: 'exponential', mean: 1 / mu1 },
        service2: { type: 'exponential', mean: 1 / mu2 },
        customers,
        warmup,
        thresholds_ns: [q50],
      });
      const sys = 'M/M/1 -> M/M/1';
      const tail = tandemSojournTail(lambda, mu1, mu2);
      pending.push({
        system: sys,
        rho,
        metric: 'p50 sojourn',
        unit: 'us',
        theory: us(q50),
        interval: (l) => scale(quantileInterval(r, 'sojourn', 0.5, l), 1e-3),
        quantile: true,
      });
      pending.push({
        system: sys,
        rho,
        metric: 'p99 sojourn',
        unit: 'us',
        theory: us(q99),
        interval: (l) => scale(quantileInterval(r, 'sojourn', 0.99, l), 1e-3),
        quantile: true,
      });
      pending.push({
        system: sys,
        rho,
        metric: `P(T > ${us(q50).toFixed(2)} us)`,
        unit: 'probability',
        theory: tail(q50),
        interval: (l) => counterInterval(r, (k) => k.sojourn_gt_0! / k.customers!, l),
        quantile: false,
      });
    }
  } finally {
    await pool?.close();
  }

  const level = 1 - 0.05 / pending.length;
  const rows = pending.map((p): SelfCheckRow => {
    const ci = p.interval(level);
    const slack = p.quantile ? QUANTILE_ALLOWANCE * Math.abs(p.theory) : 0;
    return {
      system: p.system,
      rho: p.rho,
      metric: p.metric,
      unit: p.unit,
      theory: p.theory,
      simulated: ci.mean,
      ci_lo: ci.lo,
      ci_hi: ci.hi,
      ok: p.theory >= ci.lo - slack && p.theory <= ci.hi + slack,
    };
  });
  for (const r of results) for (const h of Object.values(r.histograms)) h.destroy();
  return {
    rows,
    ok: rows.every((r) => r.ok),
    level_per_check: level,
    replications: R,
    customers_per_replication: customers,
    seed,
  };
}

function scale(ci: Interval, f: number): Interval {
  return {
    ...ci,
    mean: ci.mean * f,
    halfWidth: ci.halfWidth * f,
    lo: ci.lo * f,
    hi: ci.hi * f,
    sd: ci.sd * f,
  };
}
