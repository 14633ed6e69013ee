import { describe, expect, it } from 'vitest';
import { PairDeque } from '../../../sim/engine/deque.ts';
import { Queue } from '../../../sim/engine/queue.ts';
import { type EventHandler, Simulator } from '../../../sim/engine/simulator.ts';

function setup(servers: number, capacity?: number) {
  const sim = new Simulator();
  const out: Array<{ t: number; token: number; arrived: number; started: number }> = [];
  const dropped: number[] = [];
  const q = new Queue(
    sim,
    servers,
    {
      departed: (token, arrived, started) => out.push({ t: sim.now_ns, token, arrived, started }),
      dropped: (token) => dropped.push(token),
    },
    capacity,
  );
  return { sim, q, out, dropped };
}

function at(sim: Simulator, t: number, f: () => void): void {
  const h: EventHandler = { handle: f };
  sim.scheduleAt(t, sim.register(h), 0, 0);
}

describe('Queue', () => {
  it('serves FIFO on one server and reports arrival and start times', () => {
    const { sim, q, out } = setup(1);
    q.arrive(100, 1);
    at(sim, 10, () => q.arrive(50, 2));
    at(sim, 20, () => q.arrive(5, 3));
    sim.run();
    expect(out).toEqual([
      { t: 100, token: 1, arrived: 0, started: 0 },
      { t: 150, token: 2, arrived: 10, started: 100 },
      { t: 155, token: 3, arrived: 20, started: 150 },
    ]);
  });

  it('uses all c servers before queueing, then starts waiting jobs in arrival order', () => {
    const { sim, q, out } = setup(2);
    q.arrive(100, 1);
    q.arrive(30, 2);
    q.arrive(10, 3); // waits for server of job 2 (free at 30)
    q.arrive(10, 4); // waits: next free server at 40 (after job 3)
    expect(q.busyServers).toBe(2);
    expect(q.waiting).toBe(2);
    sim.run();
    expect(out.map((o) => [o.t, o.token, o.started])).toEqual([
      [30, 2, 0],
      [40, 3, 30],
      [50, 4, 40],
      [100, 1, 0],
    ]);
  });

  it('drops arrivals that find K jobs present and conserves jobs', () => {
    const { sim, q, out, dropped } = setup(1, 2);
    expect(q.arrive(10, 1)).toBe(true);
    expect(q.arrive(10, 2)).toBe(true);
    expect(q.arrive(10, 3)).toBe(false);
    at(sim, 10, () => q.arrive(10, 4)); // job 1 left at 10 first (scheduled earlier): room for 4
    sim.run();
    expect(dropped).toEqual([3]);
    expect(out.map((o) => o.token)).toEqual([1, 2, 4]);
    expect(q.arrivals).toBe(q.departures + q.drops + q.inSystem);
  });

  it('keeps time averages of jobs present and busy servers', () => {
    const { sim, q } = setup(2);
    q.arrive(100, 1);
    q.arrive(50, 2);
    sim.run({ until_ns: 200 });
    // In system: 2 for 50 ns, 1 for 50 ns, 0 for 100 ns.
    expect(q.meanInSystem()).toBeCloseTo(150 / 200, 12);
    expect(q.utilisation()).toBeCloseTo(150 / 200 / 2, 12);
    q.resetStats();
    sim.run({ until_ns: 300 });
    expect(q.meanInSystem()).toBe(0);
  });

  it('grows its waiting buffer past its initial size without reordering', () => {
    const { sim, q, out } = setup(1);
    for (let i = 0; i < 500; i++) q.arrive(1, i);
    sim.run();
    expect(out.map((o) => o.token)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });

  it('rejects bad configuration', () => {
    const sim = new Simulator();
    expect(() => new Queue(sim, 0, { departed() {} })).toThrow(/servers/);
    expect(() => new Queue(sim, 2, { departed() {} }, 1)).toThrow(/capacity/);
  });
});

describe('PairDeque', () => {
  it('pushes at both ends, pops at the front, and grows', () => {
    const d = new PairDeque(2);
    for (let i = 0; i < 10; i++) d.pushBack(i, -i);
    d.pushFront(100, -100);
    expect(d.length).toBe(11);
    expect([d.frontX(), d.frontY()]).toEqual([100, -100]);
    d.popFront();
    const xs: number[] = [];
    while (d.length > 0) {
      xs.push(d.frontX());
      d.popFront();
    }
    expect(xs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
