/**
 * Costs per request at each rate, net of the wake-ups: on records whose counters were built from
 * known costs, the known cost per request comes back at each rate, the wake-ups charged at the
 * given cost per wake-up.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costAtRate } from '../../calibration/lab-cost-by-rate.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';

const base = loadLabelledRecords([
  resolve(import.meta.dirname, 'fixtures/lab-wakeups/0000-net-host-4000rps-r0.json'),
])[0]!;

/**
 * A record at `rate` whose nginx ran cost x rate + wake x slices and whose generator ran
 * genCost x rate + genWake x sleeps (per second), exactly; `sleeps` null: no generator task.
 */
function synthetic(
  rate: number,
  o: { cost: number; slices: number; genCost: number; sleeps: number | null },
  wake = { nginx: 20_000, generator: 40_000 },
) {
  const r = base.record;
  const m = r.counters!.machine!;
  const interval = m.interval_s;
  const n = Math.round(rate * interval);
  const busy = (o.cost * n) / interval / 1e9 + (wake.nginx * o.slices) / 1e9;
  const genBusy = (o.genCost * n) / r.duration_s / 1e9 + (wake.generator * (o.sleeps ?? 0)) / 1e9;
  const task = m.server_tasks![0]!;
  const client = m.client_tasks![0]!;
  return {
    file: `syn-${rate}.json`,
    record: {
      ...r,
      requested_rps: rate,
      requests_sent: n,
      duration_s: interval,
      generator: { ...r.generator, cpu_user_s: genBusy * interval, cpu_system_s: 0 },
      counters: {
        ...r.counters!,
        machine: {
          ...m,
          server_tasks: [
            { ...task, run_ns: busy * interval * 1e9, timeslices: Math.round(o.slices * interval) },
          ],
          ...(o.sleeps === null
            ? { client_tasks: undefined }
            : {
                client_tasks: [
                  {
                    ...client,
                    voluntary_switches: Math.round(o.sleeps * interval),
                    involuntary_switches: 0,
                    timeslices: Math.round(o.sleeps * interval),
                  },
                ],
              }),
        },
      },
    },
  };
}

describe('costAtRate', () => {
  it("recovers each rate's own cost per request, net of the wake-ups at the given costs", () => {
    // The cost falls with the load, as in the lab: 28 us at 4000/s, 17 us at 32000/s (nginx).
    const recs = [
      synthetic(4000, { cost: 28_000, slices: 780, genCost: 30_000, sleeps: 1400 }),
      synthetic(4000, { cost: 28_000, slices: 760, genCost: 30_000, sleeps: 1500 }),
      synthetic(32000, { cost: 17_000, slices: 400, genCost: 12_000, sleeps: 2200 }),
    ];
    const wake = { nginx_ns: 20_000, generator_ns: 40_000 };
    const lo = costAtRate(recs, 4000, wake);
    const hi = costAtRate(recs, 32000, wake);
    expect(lo.repeats).toBe(2);
    expect(hi.repeats).toBe(1);
    // Timeslices and sleeps are whole counts per window (interval ~5 s): at most 0.5 / 5 s = 0.1 per
    // second off, x 40 us / 4000 requests = 1 ns per request.
    const near = (x: number | null, y: number) => expect(Math.abs(x! - y)).toBeLessThan(1);
    near(lo.server_ns, 28_000);
    near(hi.server_ns, 17_000);
    near(lo.client_ns, 30_000);
    near(hi.client_ns, 12_000);
  });

  it('charges the wake-ups at the cost given: the rest is the cost per request', () => {
    const rec = synthetic(8000, { cost: 20_000, slices: 700, genCost: 15_000, sleeps: 1600 });
    // Charged at 10 us instead of 20 us: 700 x 10 us per second more remain, over 8000 requests.
    const c = costAtRate([rec], 8000, { nginx_ns: 10_000, generator_ns: 40_000 });
    expect(Math.abs(c.server_ns! - (20_000 + (700 * 10_000) / 8000))).toBeLessThan(1);
  });

  it('gives no generator cost when the records do not count its sleeps, and nothing at a rate without records', () => {
    const rec = synthetic(4000, { cost: 28_000, slices: 780, genCost: 30_000, sleeps: null });
    const c = costAtRate([rec], 4000, { nginx_ns: 20_000, generator_ns: 40_000 });
    expect(Math.abs(c.server_ns! - 28_000)).toBeLessThan(1);
    expect(c.client_ns).toBeNull();
    const none = costAtRate([rec], 8000, { nginx_ns: 20_000, generator_ns: 40_000 });
    expect(none).toEqual({ rate_rps: 8000, server_ns: null, client_ns: null, repeats: 0 });
  });
});
