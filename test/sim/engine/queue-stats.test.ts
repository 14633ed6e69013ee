/**
 * The Queue keeps its time-weighted statistics lazily (one add per change, see queue.ts). Here a
 * reference follows the same run from the outside with `TimeWeighted` (a multiply-add per change):
 * jobs present go up on each accepted arrival and down on each departure, busy servers are
 * min(present, c). With integer nanosecond times both are exact integer sums, so the integrals must
 * be equal exactly, before and after a `resetStats` in mid-run and with drops.
 */
import { describe, expect, it } from 'vitest';
import { exponential } from '../../../sim/engine/distributions/exponential.ts';
import { Queue } from '../../../sim/engine/queue.ts';
import { createStream } from '../../../sim/engine/rng.ts';
import { type EventHandler, Simulator } from '../../../sim/engine/simulator.ts';
import { TimeWeighted } from '../../../sim/engine/stats/time-weighted.ts';

describe('Queue lazy time-weighted statistics', () => {
  it.each([
    [1, Number.POSITIVE_INFINITY],
    [3, 8],
  ])('equal a per-change reference exactly (c = %s, K = %s)', (servers, capacity) => {
    const sim = new Simulator();
    const inSys = new TimeWeighted(0);
    const busy = new TimeWeighted(0);
    let present = 0;
    const step = (d: number) => {
      present += d;
      inSys.set(sim.now_ns, present);
      busy.set(sim.now_ns, Math.min(present, servers));
    };
    const q = new Queue(sim, servers, { departed: () => step(-1) }, capacity);
    const gap = exponential(createStream(31, 0, 'a'), (0.95 * servers) / 1000);
    const svc = exponential(createStream(31, 0, 's'), 1 / 1000);
    const arrivals: EventHandler = {
      handle() {
        if (q.arrive(svc(), 0)) step(+1);
        sim.schedule(gap(), kind, 0, 0);
      },
    };
    const kind = sim.register(arrivals);
    sim.schedule(gap(), kind, 0, 0);

    sim.run({ until_ns: 5e7 });
    expect(q.departures).toBeGreaterThan(10_000);
    expect(q.inSystemArea_ns()).toBe(inSys.integral(sim.now_ns));
    expect(q.busyArea_ns()).toBe(busy.integral(sim.now_ns));

    q.resetStats();
    const presentAtReset = q.inSystem;
    inSys.reset(sim.now_ns);
    busy.reset(sim.now_ns);
    sim.run({ until_ns: 1e8 });
    expect(q.inSystemArea_ns()).toBe(inSys.integral(sim.now_ns));
    expect(q.busyArea_ns()).toBe(busy.integral(sim.now_ns));
    expect(q.meanInSystem()).toBe(inSys.integral(sim.now_ns) / 5e7);
    expect(q.utilisation()).toBe(busy.integral(sim.now_ns) / 5e7 / servers);
    if (capacity < Number.POSITIVE_INFINITY) expect(q.drops).toBeGreaterThan(0);
    // Jobs conserved since the reset, and the reference saw the same jobs.
    expect(q.arrivals).toBe(q.departures + q.drops + q.inSystem - presentAtReset);
    expect(q.inSystem).toBe(present);
  });
});
