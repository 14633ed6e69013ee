import { describe, expect, it } from 'vitest';
import { fitCpuCosts } from '../../calibration/cpu-costs.ts';
import { ols } from '../../calibration/ols.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { labelled, makeRecord } from './fixtures.ts';
import { createStream } from '../../sim/engine/rng.ts';

describe('ols', () => {
  it('recovers an exact line and reports zero standard errors', () => {
    const X = [1, 2, 3, 4].map((x) => [1, x]);
    const r = ols(X, [3, 5, 7, 9]);
    expect(r.coef[0]).toBeCloseTo(1, 10);
    expect(r.coef[1]).toBeCloseTo(2, 10);
    expect(r.se[1]).toBeCloseTo(0, 8);
    expect(r.r2).toBeCloseTo(1, 12);
  });
  it('matches the textbook standard error of a slope', () => {
    // y = [1, 3, 2, 5, 4] on x = 1..5: slope 0.8, residual SS 3.6 (dof 3), Sxx = 10, se = sqrt(1.2/10).
    const r = ols(
      [1, 2, 3, 4, 5].map((x) => [1, x]),
      [1, 3, 2, 5, 4],
    );
    expect(r.coef[1]).toBeCloseTo(0.8, 12);
    expect(r.se[1]).toBeCloseTo(Math.sqrt(1.2 / 10), 12);
  });
  it('refuses collinear columns and too few observations', () => {
    expect(() =>
      ols(
        [
          [1, 2],
          [2, 4],
          [3, 6],
        ],
        [1, 2, 3],
        ['a', 'b'],
      ),
    ).toThrow(/collinear/);
    expect(() =>
      ols(
        [
          [1, 2],
          [1, 3],
        ],
        [1, 2],
      ),
    ).toThrow(/2 observations/);
  });
});

/** A record at `rate` whose counters follow known per-packet costs, with counting noise of a few jiffies. */
function withCounters(rate: number, response_bytes: number, step: number, noise: () => number): RunRecord {
  const r = makeRecord({
    option: 'net-host',
    rate_rps: rate,
    step,
    response_bytes,
    latency_ms: { p50: 0.3 },
  });
  const interval_s = 60;
  const hz = 100;
  const pkts_per_req = 4 + Math.ceil(response_bytes / 1448);
  const pps = rate * pkts_per_req;
  const bps = (37 + response_bytes) * rate;
  // Truth: softirq 2000 ns/packet + 0.5 ns/byte + 0.1 CPU background; hardirq 300 ns/packet; task 5000 ns/packet.
  const busy = {
    softirq: 0.1 + pps * 2000e-9 + bps * 0.5e-9,
    irq: 0.02 + pps * 300e-9,
    task: 0.3 + pps * 5000e-9 + bps * 0.2e-9,
  };
  // Spread the time over 4 CPUs in whole jiffies (the rounding is the noise /proc/stat has).
  const jiffies = (cpus_s: number) => Math.round((cpus_s * interval_s * hz) / 4 + (noise() - 0.5) * 4);
  r.source = 'target';
  r.counters = {
    scope: 'per-host',
    server: {
      interval_s,
      user_hz: hz,
      cpu: [0, 1, 2, 3].map((cpu) => ({
        cpu,
        user_jiffies: jiffies(busy.task) >> 1,
        nice_jiffies: 0,
        system_jiffies: jiffies(busy.task) - (jiffies(busy.task) >> 1),
        idle_jiffies: 1000,
        iowait_jiffies: 0,
        irq_jiffies: jiffies(busy.irq),
        softirq_jiffies: jiffies(busy.softirq),
        steal_jiffies: 0,
      })),
      softnet: [0, 1, 2, 3].map((cpu) => ({
        cpu,
        processed: Math.round((pps * interval_s) / 4),
        dropped: 0,
        time_squeeze: 0,
        received_rps: 0,
      })),
    },
  };
  return r;
}

describe('fitCpuCosts', () => {
  it('recovers per-packet and per-byte costs from counters at several rates and sizes', () => {
    const u = createStream(3, 0, 'test/cpu-costs');
    const recs: RunRecord[] = [];
    let step = 0;
    for (const size of [350, 4336])
      for (const rate of [20000, 50000, 80000, 110000]) recs.push(withCounters(rate, size, step++, u));
    const fit = fitCpuCosts(labelled(recs));
    const soft = fit.classes.find((c) => c.cls === 'softirq')!;
    // Jiffy rounding (+-2 per CPU per 6000-jiffy interval, i.e. ~0.003 CPU) against 0.4-2 CPUs of load:
    // the slope is known to about 1 %; allow 5 % and check the reported se is of that order.
    expect(soft.cost_ns_per_packet.value).toBeGreaterThan(1900);
    expect(soft.cost_ns_per_packet.value).toBeLessThan(2100);
    expect(Math.abs(soft.cost_ns_per_byte!.value - 0.5)).toBeLessThan(0.1);
    expect(soft.cost_ns_per_packet.se).toBeLessThan(100);
    const irq = fit.classes.find((c) => c.cls === 'hardirq')!;
    expect(Math.abs(irq.cost_ns_per_packet.value - 300) / 300).toBeLessThan(0.1);
    expect(fit.records_used).toHaveLength(8);
  });

  it('does not use counters it cannot trust, and says why', () => {
    const r = withCounters(50000, 350, 0, () => 0.5);
    r.counters = { ...r.counters!, scope: 'machine', machine: r.counters!.server!, server: undefined };
    const fit = fitCpuCosts(labelled([r, makeRecord({ option: 'x', rate_rps: 1, latency_ms: { p50: 1 } })]));
    expect(fit.classes).toHaveLength(0);
    expect(fit.notes.join('\n')).toMatch(/whole machine/);
    expect(fit.notes.join('\n')).toMatch(/no counters/);
  });

  it('says once per reason which records it left out, however many', () => {
    const machine = Array.from({ length: 18 }, (_, i) => {
      const r = withCounters(20000 + 1000 * i, 350, i, () => 0.5);
      r.counters = { ...r.counters!, scope: 'machine', machine: r.counters!.server!, server: undefined };
      return r;
    });
    const fit = fitCpuCosts(labelled(machine));
    const lines = fit.notes.filter((n) => n.includes('not used'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^counters of 18 records not used \(.+ and 17 more\): counters cover the whole machine/,
    );
  });
});
