/**
 * The engine against queueing theory. Each block runs independent replications in this thread
 * (replicate with workers: 0; the worker path is tested in replicate.test.ts) and checks with
 * `expectAgrees` (see helpers.ts for the statistical derivation). Times in ns; rates per ns.
 * Warm-up: 2000 departures, far beyond the relaxation time of every system here (for M/M/1 at
 * rho = 0.7 the relaxation time is 1/(mu (1 - sqrt rho)^2) = 37 mean service times; 80 at rho 0.8).
 * Sample sizes give 99.9 % half-widths of 0.5-4 % of the theoretical values for means, central
 * quantiles and probabilities, ~4-10 % for p99.9 and for tail probabilities of 1-3 % (their events
 * cluster in busy periods). Each `maxRel` bounds the half-width at roughly twice its typical value
 * (measured over 8 seeds: R = 30 gives the sample SD itself a ~13 % spread), so the power check
 * fails only when a run is too short to test anything. Over those 8 seeds no agreement check used
 * more than 80 % of its allowance.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  counterInterval,
  replicate,
  replicationMeans,
  replicationQuantiles,
} from '../../../sim/engine/replicate.ts';
import {
  erlangC,
  mm1kBlocking,
  mm1Response,
  mmcWait,
  pkMeanWait,
  preemptivePriorityResponse,
  tandemSojournQuantile,
  tandemSojournTail,
} from '../../../sim/engine/theory/queueing.ts';
import { expectAgrees, QUANTILE_BIAS } from './helpers.ts';

const models = (name: string) =>
  fileURLToPath(new URL(`../../../sim/engine/models/${name}.ts`, import.meta.url));
const QUEUE = models('queue-model');

describe('M/M/1', () => {
  it('response time is Exp(mu - lambda): mean, p50, p99, p99.9; utilisation rho; L = rho/(1-rho)', async () => {
    const mu = 1 / 1000;
    const lambda = 0.7 * mu;
    const R = 30;
    const res = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params: {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service: { type: 'exponential', mean: 1 / mu },
        customers: 60_000,
        warmup: 2000,
      },
      seed: 101,
      replications: R,
      workers: 0,
    });
    const th = mm1Response(lambda, mu);
    expectAgrees('mean response', replicationMeans(res, 'response'), th.mean, { maxRel: 0.04 });
    for (const [q, maxRel] of [
      [0.5, 0.04],
      [0.99, 0.08],
      [0.999, 0.15],
    ] as const)
      expectAgrees(`p${q * 100} response`, replicationQuantiles(res, 'response', q), th.quantile(q), {
        bias: QUANTILE_BIAS,
        maxRel,
      });
    expectAgrees(
      'utilisation',
      res.outputs.map((o) => o.counters.busy_area_ns! / o.counters.elapsed_ns!),
      0.7,
      {
        maxRel: 0.02,
      },
    );
    expectAgrees(
      'mean number in system',
      res.outputs.map((o) => o.counters.area_in_system_ns! / o.counters.elapsed_ns!),
      0.7 / 0.3,
      { maxRel: 0.05 },
    );
    expect(res.counters.customers).toBe(R * 60_000);
  });
});

describe('M/M/c', () => {
  it('Erlang C waiting probability and P(Wq > t)', async () => {
    const c = 3;
    const mu = 1 / 3000;
    const lambda = 0.8 * c * mu;
    const th = mmcWait(c, lambda, mu);
    const r = c * mu - lambda;
    const ts = [0.5 / r, 1 / r, 3 / r];
    const res = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params: {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service: { type: 'exponential', mean: 1 / mu },
        servers: c,
        customers: 100_000,
        warmup: 2000,
        waitThresholds_ns: ts,
      },
      seed: 202,
      replications: 30,
      workers: 0,
    });
    expect(th.pWait).toBeCloseTo(erlangC(3, lambda, mu), 15);
    expectAgrees(
      'P(wait)',
      res.outputs.map((o) => o.counters.waited! / o.counters.customers!),
      th.pWait,
      {
        maxRel: 0.04,
      },
    );
    ts.forEach((t, i) => {
      expectAgrees(
        `P(Wq > ${t.toFixed(0)} ns)`,
        res.outputs.map((o) => o.counters[`wait_gt_${i}`]! / o.counters.customers!),
        th.tail(t),
        // The 3 % tail at 3/r: its events cluster in long busy periods, so a replication's estimate
        // varies far more than a binomial count would; its half-width was 7-11 % over 8 seeds.
        { maxRel: i < 2 ? 0.05 : 0.2 },
      );
    });
    expectAgrees('mean wait', replicationMeans(res, 'wait'), th.mean, { maxRel: 0.06 });
  });
});

describe('M/D/1 and M/G/1 (Pollaczek-Khinchine)', () => {
  const cases = [
    { label: 'M/D/1', rho: 0.7, service: { type: 'deterministic', value: 1000 }, mean: 1000, second: 1e6 },
    // Lognormal service with cv 1.5: E[S^2] = m^2 (1 + cv^2).
    {
      label: 'M/G/1 lognormal cv 1.5',
      rho: 0.6,
      service: { type: 'lognormal', mean: 1000, cv: 1.5 },
      mean: 1000,
      second: 1e6 * 3.25,
    },
    // Erlang-4 service: E[S^2] = m^2 (1 + 1/k).
    {
      label: 'M/E4/1',
      rho: 0.75,
      service: { type: 'erlang', k: 4, mean: 1000 },
      mean: 1000,
      second: 1e6 * 1.25,
    },
  ] as const;
  for (const c of cases) {
    it(`${c.label}: mean wait lambda E[S^2] / (2 (1 - rho))`, async () => {
      const lambda = c.rho / c.mean;
      const res = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params: {
          interarrival: { type: 'exponential', mean: 1 / lambda },
          service: c.service,
          customers: 60_000,
          warmup: 2000,
        },
        seed: 303,
        replications: 30,
        workers: 0,
      });
      // Lognormal service (cv 1.5) has a heavy tail: its half-width varied 3-7 % over seeds.
      expectAgrees(
        `${c.label} mean wait`,
        replicationMeans(res, 'wait'),
        pkMeanWait(lambda, c.mean, c.second),
        {
          maxRel: 0.12,
        },
      );
    });
  }
});

describe('two-class preemptive-resume priority on a CpuSet CPU', () => {
  it('per-class mean response times, and work is conserved', async () => {
    // High class (HARDIRQ): rho1 = 0.3, mean service 500 ns; low class (TASK): rho2 = 0.4, mean 2000 ns.
    const m1 = 500;
    const m2 = 2000;
    const l1 = 0.3 / m1;
    const l2 = 0.4 / m2;
    const res = await replicate({
      module: models('priority-model'),
      exportName: 'priorityModel',
      params: {
        high: {
          interarrival: { type: 'exponential', mean: 1 / l1 },
          service: { type: 'exponential', mean: m1 },
        },
        low: {
          interarrival: { type: 'exponential', mean: 1 / l2 },
          service: { type: 'exponential', mean: m2 },
        },
        warmup_ns: 2e6,
        duration_ns: 60e6,
      },
      seed: 404,
      replications: 24,
      workers: 0,
    });
    const [t1, t2] = preemptivePriorityResponse([
      { lambda: l1, meanS: m1, secondS: 2 * m1 * m1 },
      { lambda: l2, meanS: m2, secondS: 2 * m2 * m2 },
    ]);
    expectAgrees('high-class mean response', replicationMeans(res, 'response_high'), t1!, { maxRel: 0.02 });
    expectAgrees('low-class mean response', replicationMeans(res, 'response_low'), t2!, { maxRel: 0.06 });
    expectAgrees(
      'high-class utilisation',
      res.outputs.map((o) => o.counters.busy_high_ns! / o.counters.elapsed_ns!),
      0.3,
      {
        maxRel: 0.03,
      },
    );
    for (const o of res.outputs) {
      // Work conservation over the whole run: everything submitted is either done or still pending,
      // and the CPU was busy exactly for the work done (busy time after warm-up <= elapsed).
      expect(o.counters.busy_high_ns! + o.counters.busy_low_ns!).toBeLessThanOrEqual(o.counters.elapsed_ns!);
      expect(o.counters.work_remaining_ns!).toBeGreaterThanOrEqual(0);
      expect(o.counters.work_remaining_ns!).toBeLessThan(o.counters.work_submitted_ns!);
    }
  });
});

describe('two-stage M/M/1 tandem', () => {
  it('sojourn tail (b e^{-at} - a e^{-bt})/(b - a) and its percentiles', async () => {
    const mu1 = 1 / 1000;
    const mu2 = 1 / 1400;
    const lambda = 0.5 * mu2 * 1.2; // rho1 = 0.42, rho2 = 0.6
    const tail = tandemSojournTail(lambda, mu1, mu2);
    const qs = [0.5, 0.9, 0.99, 0.999];
    const tq = qs.map((q) => tandemSojournQuantile(lambda, mu1, mu2, q));
    const res = await replicate({
      module: models('tandem-model'),
      exportName: 'tandemModel',
      params: {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service1: { type: 'exponential', mean: 1 / mu1 },
        service2: { type: 'exponential', mean: 1 / mu2 },
        customers: 100_000,
        warmup: 2000,
        thresholds_ns: tq,
      },
      seed: 505,
      replications: 30,
      workers: 0,
    });
    qs.forEach((q, i) => {
      expect(tail(tq[i]!)).toBeCloseTo(1 - q, 9);
      // Tail probabilities where a replication holds enough tail events (>= 1 %); p99.9 via its quantile.
      if (q <= 0.99)
        expectAgrees(
          `P(T > t_${q})`,
          res.outputs.map((o) => o.counters[`sojourn_gt_${i}`]! / o.counters.customers!),
          1 - q,
          {
            maxRel: [0.03, 0.05, 0.15][i]!,
          },
        );
      if (q !== 0.9)
        expectAgrees(`p${q * 100} sojourn`, replicationQuantiles(res, 'sojourn', q), tq[i]!, {
          bias: QUANTILE_BIAS,
          maxRel: q === 0.5 ? 0.03 : q === 0.99 ? 0.05 : 0.08,
        });
    });
  });
});

describe('M/M/1/K', () => {
  it('blocking probability (1 - rho) rho^K / (1 - rho^{K+1})', async () => {
    const mu = 1 / 1000;
    for (const [rho, K] of [
      [0.9, 5],
      [1.3, 8],
    ] as const) {
      const lambda = rho * mu;
      const res = await replicate({
        module: QUEUE,
        exportName: 'queueModel',
        params: {
          interarrival: { type: 'exponential', mean: 1 / lambda },
          service: { type: 'exponential', mean: 1 / mu },
          capacity: K,
          customers: 50_000,
          warmup: 2000,
        },
        seed: 606,
        replications: 20,
        workers: 0,
      });
      const est = counterInterval(res, (c) => c.drops! / c.arrivals!);
      expect(est.n).toBe(20);
      expectAgrees(
        `blocking rho=${rho} K=${K}`,
        res.outputs.map((o) => o.counters.drops! / o.counters.arrivals!),
        mm1kBlocking(lambda, mu, K),
        {
          maxRel: 0.05,
        },
      );
      // Conservation over the measured period: arrivals = departures + drops + growth of the queue.
      for (const o of res.outputs) {
        const c = o.counters;
        expect(c.arrivals).toBe(c.departures! + c.drops! + c.in_system_end! - c.in_system_start!);
        expect(c.in_system_end!).toBeLessThanOrEqual(K);
      }
    }
  });
});

describe('MSER-5 warm-up in the queue model', () => {
  it('truncates within the first half and the truncated M/M/1 mean agrees with theory', async () => {
    const mu = 1 / 1000;
    const lambda = 0.8 * mu;
    const total = 40_000;
    const res = await replicate({
      module: QUEUE,
      exportName: 'queueModel',
      params: {
        interarrival: { type: 'exponential', mean: 1 / lambda },
        service: { type: 'exponential', mean: 1 / mu },
        customers: total,
        warmup: 'mser5',
      },
      seed: 707,
      replications: 30,
      workers: 0,
    });
    for (const o of res.outputs) {
      const w = o.counters.warmup_customers!;
      expect(w % 5).toBe(0);
      expect(w).toBeLessThanOrEqual(total / 2);
      expect(o.counters.customers).toBe(total - w);
    }
    expectAgrees(
      'mean response after MSER-5',
      replicationMeans(res, 'response'),
      mm1Response(lambda, mu).mean,
      {
        maxRel: 0.06,
      },
    );
  });
});
