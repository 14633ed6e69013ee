/** Counter costs: the regression recovers a known marginal cost and background from exact counters. */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labCostOverrides, labCounterCosts, modelMarginalCpuNs } from '../../calibration/lab-costs.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';

const base = loadLabelledRecords([
  resolve(import.meta.dirname, 'fixtures/lab/0000-net-host-1000rps-r0.json'),
])[0]!;

/**
 * A record at `rate` whose nginx ran background + cost x rate (+ wakeNs per timeslice, with
 * slicesPerS timeslices per second when given) and the generator 2x (background + cost x rate), exactly.
 */
function synthetic(
  rate: number,
  costNs: number,
  background: number,
  wake?: { slicesPerS: number; wakeNs: number },
) {
  const r = base.record;
  const m = r.counters!.machine!;
  const interval = m.interval_s;
  const n = Math.round(rate * r.duration_s);
  const busy =
    background + (costNs / 1e9) * (n / interval) + (wake ? (wake.slicesPerS * wake.wakeNs) / 1e9 : 0);
  const task = m.server_tasks![0]!;
  const timeslices = wake ? Math.round(wake.slicesPerS * interval) : task.timeslices;
  const genBusy = 2 * background + ((2 * costNs) / 1e9) * (n / r.duration_s);
  return {
    file: `syn-${rate}.json`,
    record: {
      ...r,
      requested_rps: rate,
      requests_sent: n,
      generator: { ...r.generator, cpu_user_s: genBusy * r.duration_s, cpu_system_s: 0 },
      counters: {
        ...r.counters!,
        machine: { ...m, server_tasks: [{ ...task, run_ns: busy * interval * 1e9, timeslices }] },
      },
    },
  };
}

describe('labCounterCosts', () => {
  it('recovers the marginal cost and the background (noise-free records: exact up to rounding)', () => {
    const c = labCounterCosts([1000, 2000, 4000].map((r) => synthetic(r, 20_000, 0.05)));
    expect(c.nginx?.method).toBe('regression');
    expect(c.nginx?.ns_per_request).toBeCloseTo(20_000, 3);
    expect(c.nginx?.background_cpus).toBeCloseTo(0.05, 9);
    expect(c.generator?.ns_per_request).toBeCloseTo(40_000, 3);
    expect(c.generator?.background_cpus).toBeCloseTo(0.1, 9);
  });

  it("puts the generator's background on its ticks, counted by nginx's timeslices at the lowest rate", () => {
    // Background 2 x 0.05 = 0.1 CPU; nginx wakes 800/s at 1000 and 2000/s (and 400/s at 8000/s,
    // where it runs through tick boundaries: not used). Expected 0.1 / 800 s = 125 us per tick, up
    // to the timeslices being whole counts per window (800/s x interval, interval ~5 s: < 0.03 %).
    const at = (rate: number, slicesPerS: number) => synthetic(rate, 20_000, 0.05, { slicesPerS, wakeNs: 0 });
    const c = labCounterCosts([at(1000, 800), at(2000, 800), at(8000, 400)]);
    expect(c.generator?.method).toBe('regression');
    expect(c.generator?.ns_per_tick).toBeGreaterThan(125_000 * 0.9997);
    expect(c.generator?.ns_per_tick).toBeLessThan(125_000 * 1.0003);
    expect(
      labCostOverrides(c, { server: 0, client: 0 })['host.apps.tcpkali.send_timer.cost_ns_per_tick'],
    ).toBe(Math.round(c.generator!.ns_per_tick!));
  });

  it('regresses nginx on the rate and its wake-ups when the wake-up rate falls with the load', () => {
    const at = (rate: number, slicesPerS: number) =>
      synthetic(rate, 17_000, 0, { slicesPerS, wakeNs: 60_000 });
    const c = labCounterCosts([at(4000, 800), at(16000, 600), at(32000, 400), at(4000, 790)]);
    expect(c.nginx?.method).toBe('regression on rate and wake-ups');
    expect(c.nginx?.ns_per_request).toBeCloseTo(17_000, 0);
    // Timeslices are whole counts per 5 s window: 60 us x rounding of < 0.1 slice/s.
    expect(c.nginx?.ns_per_wakeup).toBeGreaterThan(59_900);
    expect(c.nginx?.ns_per_wakeup).toBeLessThan(60_100);
    expect(c.nginx?.background_cpus).toBe(0);
    const set = labCostOverrides(c, { server: 4_000, client: 5_000 });
    expect(set['host.apps.nginx.cost_ns_per_wakeup']).toBe(Math.round(c.nginx!.ns_per_wakeup!));
    // Two points are solved exactly; nearly constant wake-ups fall back to the intercept regression.
    const two = labCounterCosts([at(4000, 800), at(32000, 400)]);
    expect(two.nginx?.ns_per_request).toBeCloseTo(17_000, 0);
    const flat = labCounterCosts([at(1000, 780), at(2000, 790)]);
    expect(flat.nginx?.method).toBe('regression');
    expect(flat.notes.join(' ')).toMatch(/wake-up cost not separable/);
  });

  it('regresses the generator on the rate and its own wake-ups (voluntary switches) when the records have them', () => {
    // Generator: 15 us per request + 75 us per sleep of its event loop, 1500 sleeps/s at 4000/s and
    // 2200 at 32000/s (timeslices 3 % higher: preemptions, not used). Exact up to whole counts.
    const at = (rate: number, sleeps: number) => {
      const s = synthetic(rate, 17_000, 0);
      const r = s.record;
      const m = r.counters.machine;
      const interval = m.interval_s;
      const genBusy = (15_000 / 1e9) * (r.requests_sent / r.duration_s) + (sleeps * 75_000) / 1e9;
      const task = { ...m.server_tasks[0]!, pid: 7, comm: 'node', cpus_allowed: '0' };
      const vol = Math.round(sleeps * interval);
      return {
        ...s,
        record: {
          ...r,
          generator: { ...r.generator, cpu_user_s: genBusy * r.duration_s, cpu_system_s: 0 },
          counters: {
            ...r.counters,
            machine: {
              ...m,
              client_tasks: [
                {
                  ...task,
                  timeslices: Math.round(vol * 1.03),
                  voluntary_switches: vol,
                  involuntary_switches: Math.round(vol * 0.03),
                },
              ],
            },
          },
        },
      };
    };
    const c = labCounterCosts([at(4000, 1500), at(32000, 2200)]);
    expect(c.generator?.method).toBe('regression on rate and wake-ups');
    expect(c.generator?.ns_per_request).toBeCloseTo(15_000, -1);
    expect(c.generator?.ns_per_wakeup).toBeGreaterThan(74_900);
    expect(c.generator?.ns_per_wakeup).toBeLessThan(75_100);
    expect(c.generator?.ns_per_tick).toBeUndefined();
    const set = labCostOverrides(c, { server: 0, client: 5_000 });
    expect(set['host.apps.tcpkali.cost_ns_per_wakeup']).toBe(Math.round(c.generator!.ns_per_wakeup!));
    expect(set['host.apps.tcpkali.send_timer.cost_ns_per_tick']).toBe(0);
  });

  it('uses the line through two points, and the mean at one rate, saying so', () => {
    const two = labCounterCosts([1000, 2000].map((r) => synthetic(r, 20_000, 0.05)));
    expect(two.nginx?.ns_per_request).toBeCloseTo(20_000, 3);
    expect(two.nginx?.se_ns).toBeNull();
    const one = labCounterCosts([synthetic(1000, 20_000, 0.05)]);
    expect(one.nginx?.method).toBe('mean at highest rate');
    expect(one.notes.join(' ')).toMatch(/one rate/);
  });

  it('subtracts the model’s own tx stages and zeroes the folded-in costs', () => {
    const c = labCounterCosts([1000, 2000, 4000].map((r) => synthetic(r, 20_000, 0.05)));
    const set = labCostOverrides(c, { server: 4_000, client: 5_000 });
    expect(set['host.apps.nginx.cost_ns_per_request']).toBe(16_000);
    expect(set['host.apps.tcpkali.cost_ns_per_write']).toBe(35_000);
    expect(set['host.apps.nginx.cost_ns_per_wakeup']).toBe(0);
  });
});

describe('modelMarginalCpuNs', () => {
  /** A simulation whose CPU k was busy background_k + cost_k x rate (split over the CPU classes). */
  const simAt = (rate: number) => ({
    achieved_rps: rate,
    cpu: [
      { host: 'server' as const, cpu: 0, hardirq: 0, softirq: 0.01 + 4e-6 * rate, task: 0.02 + 6e-6 * rate },
      {
        host: 'server' as const,
        cpu: 1,
        hardirq: 1e-6 * rate,
        softirq: 0.03 + 10e-6 * rate,
        task: 15e-6 * rate,
      },
    ],
  });
  it('is the slope of each CPU’s busy time (all classes) on the rate: rate-independent work drops out', () => {
    const m = modelMarginalCpuNs([simAt(2000), simAt(1000)], { server: 1, client: 0 });
    expect(m.server).toBeCloseTo(26_000, 6);
    expect(m.client).toBeCloseTo(10_000, 6);
  });
  it('needs two distinct rates', () => {
    expect(() => modelMarginalCpuNs([simAt(1000), simAt(1000)], { server: 1, client: 0 })).toThrow(
      /two distinct rates/,
    );
  });
});
