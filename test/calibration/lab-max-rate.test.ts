/** The maximum-rate search against evaluators whose capacity is known, and the wrk diagnosis. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnoseWrk, searchMaxRate } from '../../calibration/lab-max-rate.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';

/** Carries everything up to `cap`; above it, saturated (or achieving only `cap`, as a generator bound). */
const capped =
  (cap: number, viaAchieved = false) =>
  async (rate: number) =>
    rate <= cap
      ? { saturated: false, achieved_rps: rate, bottleneck: null }
      : {
          saturated: !viaAchieved,
          achieved_rps: viaAchieved ? cap : rate * 0.8,
          bottleneck: viaAchieved ? null : 'cpu',
        };

describe('searchMaxRate', () => {
  it('finds a capacity above the start within the 2 % tolerance, with a failing rate above it', async () => {
    for (const cap of [5_123, 12_345, 98_765]) {
      const r = await searchMaxRate(capped(cap), 4000);
      expect(r.max_rate_rps).toBeLessThanOrEqual(cap);
      expect(r.failing_rps).toBeGreaterThan(cap);
      expect((r.failing_rps - r.max_rate_rps) / r.failing_rps).toBeLessThanOrEqual(0.02);
    }
  });

  it('searches downwards when the start already fails', async () => {
    const r = await searchMaxRate(capped(1_500), 4000);
    expect(r.max_rate_rps).toBeLessThanOrEqual(1_500);
    expect(r.failing_rps).toBeGreaterThan(1_500);
  });

  it('counts a rate achieved below 97 % (generator bound) as not carried', async () => {
    // Achieving 20000 carries offered rates up to 20000 / 0.97 = 20619 (the simulator's own rule).
    const r = await searchMaxRate(capped(20_000, true), 4000);
    expect(r.max_rate_rps).toBeLessThanOrEqual(20_000 / 0.97);
    expect(r.failing_rps).toBeGreaterThan(20_000 / 0.97);
  });
});

describe('diagnoseWrk on the checked-in wrk steps', () => {
  const wrk = loadLabelledRecords([resolve(import.meta.dirname, 'fixtures/lab')]).filter(
    (lr) => lr.record.requested_rps === null,
  );
  it('reads nginx CPU from schedstat and the machine idle time, and never blames nginx below 90 % of a CPU', () => {
    expect(wrk).toHaveLength(9);
    for (const lr of wrk) {
      const d = diagnoseWrk(lr.record);
      const tasks = lr.record.counters!.machine!.server_tasks!;
      const interval = lr.record.counters!.machine!.interval_s;
      expect(d.nginx_cpu).toBeCloseTo(tasks[0]!.run_ns / 1e9 / interval, 9);
      expect(d.machine_idle).toHaveLength(2);
      if (d.nginx_cpu! < 0.9) expect(d.bound).not.toBe('nginx cpu');
      expect(d.explanation.length).toBeGreaterThan(20);
    }
  });
  it('calls a step with no idle CPU and nginx under 90 % "shared cpus"', () => {
    const r = wrk[0]!.record;
    const m = r.counters!.machine!;
    // nginx at 40 % of its CPU over the interval, both CPUs without idle time.
    const busy = {
      ...r,
      counters: {
        ...r.counters!,
        machine: {
          ...m,
          cpu: (m.cpu ?? []).map((c) => ({ ...c, idle_jiffies: 0, iowait_jiffies: 0 })),
          server_tasks: [{ ...m.server_tasks![0]!, run_ns: 0.4 * m.interval_s * 1e9 }],
        },
      },
    };
    expect(diagnoseWrk(busy).bound).toBe('shared cpus');
  });
  it('says "nginx cpu" when nginx ran its CPU nearly full (the quiet-machine fixtures: wrk bounded by the path)', () => {
    const bounds = wrk.map((lr) => diagnoseWrk(lr.record));
    for (const d of bounds) if (d.nginx_cpu! >= 0.9) expect(d.bound).toBe('nginx cpu');
    // Recorded on a quiet machine (HARNESS-LOG.txt): nginx was the bound in most wrk steps.
    expect(bounds.filter((d) => d.bound === 'nginx cpu').length).toBeGreaterThan(bounds.length / 2);
  });
});
