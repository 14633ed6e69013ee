import { describe, expect, it } from 'vitest';
import { createStream } from '../../../sim/engine/rng.ts';
import { type EventHandler, Simulator } from '../../../sim/engine/simulator.ts';

class Recorder implements EventHandler {
  readonly seen: Array<[number, number, number]> = [];
  constructor(private readonly sim: Simulator) {}
  handle(a: number, b: number): void {
    this.seen.push([this.sim.now_ns, a, b]);
  }
}

describe('Simulator', () => {
  it('dispatches in (time, sequence) order, FIFO among equal times', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    sim.schedule(30, k, 1, 0);
    sim.schedule(10, k, 2, 0);
    sim.schedule(10, k, 3, 0);
    sim.scheduleAt(20, k, 4, 0);
    sim.schedule(10, k, 5, 0);
    sim.run();
    expect(r.seen.map((e) => e[1])).toEqual([2, 3, 5, 4, 1]);
    expect(r.seen.map((e) => e[0])).toEqual([10, 10, 10, 20, 30]);
    expect(sim.events).toBe(5);
    expect(sim.now_ns).toBe(30);
  });

  it('names kinds, and lets instrumentation wrap a handler without changing what runs', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r, 'recorder');
    const unnamed = sim.register(new Recorder(sim));
    expect(sim.kinds).toBe(2);
    expect(sim.kindName(k)).toBe('recorder');
    expect(sim.kindName(unnamed)).toBe('kind 1');
    let wrapped = 0;
    const inner = sim.replaceHandler(k, { handle: () => undefined });
    expect(inner).toBe(r);
    sim.replaceHandler(k, {
      handle: (a, b) => {
        wrapped++;
        inner.handle(a, b);
      },
    });
    sim.schedule(5, k, 7, 8);
    sim.run();
    expect(wrapped).toBe(1);
    expect(r.seen).toEqual([[5, 7, 8]]);
    expect(() => sim.replaceHandler(2, r)).toThrow(RangeError);
    expect(() => sim.kindName(-1)).toThrow(RangeError);
  });

  it('pops 20000 random events in exact (time, sequence) order', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    const u = createStream(1, 0, 'heap');
    // Coarse times (0..999) force many ties, exercising the sequence tie-break.
    for (let i = 0; i < 20000; i++) sim.schedule(Math.floor(u() * 1000), k, i, 0);
    sim.run();
    expect(r.seen.length).toBe(20000);
    for (let i = 1; i < r.seen.length; i++) {
      const [t0, s0] = r.seen[i - 1]!;
      const [t1, s1] = r.seen[i]!;
      expect(t1 > t0 || (t1 === t0 && s1 > s0)).toBe(true);
    }
  });

  it('matches a reference list under interleaved schedule, fire and cancel with many ties', () => {
    // A hold-like workload around 1000 pending events (a heap four levels deep, so the
    // branch-free four-child selection runs on full sibling groups) with delays of 0..7 ns, so
    // siblings often share a time and the sequence tie-break decides. The reference is a plain
    // list of live events; the next event to fire is its (time, id) minimum, found by a scan.
    const sim = new Simulator();
    const u = createStream(3, 0, 'reference');
    const live = new Map<number, number>(); // id -> time
    let fired = 0;
    let mismatches = 0;
    const handler: EventHandler = {
      handle(a) {
        let bestId = -1;
        let bestT = Number.POSITIVE_INFINITY;
        for (const [id, t] of live) {
          if (t < bestT || (t === bestT && id < bestId)) {
            bestId = id;
            bestT = t;
          }
        }
        if (a !== bestId || sim.now_ns !== bestT) mismatches++;
        live.delete(a);
        fired++;
        if (fired === 20000) {
          sim.stop();
          return;
        }
        add();
        const x = u();
        if (x < 0.1) add();
        else if (x < 0.2 && live.size > 0) {
          // Cancel a pseudo-random live event.
          const ids = [...live.keys()];
          const victim = ids[Math.floor(u() * ids.length)]!;
          sim.cancel(victim);
          live.delete(victim);
        }
      },
    };
    const k = sim.register(handler);
    // The payload `a` carries the event's own id: ids are sequence numbers, assigned in order.
    let nextId = 0;
    const add = () => {
      const t = sim.now_ns + Math.floor(u() * 8);
      const id = sim.scheduleAt(t, k, nextId, 0);
      expect(id).toBe(nextId);
      live.set(nextId++, t);
    };
    for (let i = 0; i < 1000; i++) add();
    sim.run();
    expect(fired).toBe(20000);
    expect(mismatches).toBe(0);
  });

  it('rounds times to whole nanoseconds', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    sim.schedule(2.4, k, 0, 0);
    sim.schedule(2.6, k, 0, 0);
    sim.run();
    expect(r.seen.map((e) => e[0])).toEqual([2, 3]);
  });

  it('rounds delays and times exactly as Math.round, halves up, large values unchanged', () => {
    // Edge cases of the branch-free rounding: halves, the largest double below 0.5, and values
    // near 2^52 and 2^53 where adding 0.5 would itself round.
    const cases = [
      0,
      0.5,
      1.5,
      2.5,
      0.49999999999999994,
      0.5000000000000001,
      7.499999999999999,
      2 ** 52 - 0.5,
      2 ** 52 + 1,
      2 ** 53 - 1,
    ];
    const u = createStream(2, 0, 'rounding');
    for (let i = 0; i < 200; i++) {
      const x = u() * 10 ** (i % 15);
      cases.push(x, Math.floor(x) + 0.5);
    }
    for (const x of cases) {
      const viaDelay = new Simulator();
      viaDelay.schedule(x, viaDelay.register(new Recorder(viaDelay)), 0, 0);
      viaDelay.run();
      expect(viaDelay.now_ns, `schedule(${x})`).toBe(Math.round(x));
      const viaTime = new Simulator();
      viaTime.scheduleAt(x, viaTime.register(new Recorder(viaTime)), 0, 0);
      viaTime.run();
      expect(viaTime.now_ns, `scheduleAt(${x})`).toBe(Math.round(x));
    }
  });

  it('refuses events in the past, NaN delays and unknown kinds', () => {
    const sim = new Simulator();
    const k = sim.register(new Recorder(sim));
    sim.schedule(100, k, 0, 0);
    sim.run();
    expect(() => sim.schedule(-1, k, 0, 0)).toThrow(RangeError);
    expect(() => sim.schedule(Number.NaN, k, 0, 0)).toThrow(/delay_ns/);
    expect(() => sim.scheduleAt(99, k, 0, 0)).toThrow(/time_ns/);
    expect(() => sim.schedule(1, k + 1, 0, 0)).toThrow(/kind/);
    expect(() => sim.scheduleAt(100, k, 0, 0)).not.toThrow();
  });

  it('cancels pending events lazily and ignores stale cancels', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    const a = sim.schedule(10, k, 1, 0);
    sim.schedule(20, k, 2, 0);
    const c = sim.schedule(30, k, 3, 0);
    sim.cancel(c);
    sim.run({ until_ns: 15 });
    sim.cancel(a); // already fired: harmless
    sim.run();
    expect(r.seen.map((e) => e[1])).toEqual([1, 2]);
    expect(sim.events).toBe(2);
  });

  it('keeps cancellation exact when many stale ids are cancelled (purge path)', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    const fired: number[] = [];
    for (let i = 0; i < 500; i++) fired.push(sim.schedule(i, k, i, 0));
    sim.run();
    const live = [sim.schedule(10, k, 1000, 0), sim.schedule(20, k, 1001, 0), sim.schedule(30, k, 1002, 0)];
    sim.cancel(live[1]!);
    for (const id of fired) sim.cancel(id); // all stale: triggers purges, must keep live[1] cancelled
    sim.run();
    expect(r.seen.slice(500).map((e) => e[1])).toEqual([1000, 1002]);
  });

  it('stops at until_ns (advancing the clock), at max_events and on stop()', () => {
    const sim = new Simulator();
    const stopper: EventHandler = { handle: () => sim.stop() };
    const r = new Recorder(sim);
    const k = sim.register(r);
    const ks = sim.register(stopper);
    for (let i = 1; i <= 10; i++) sim.schedule(i * 100, k, i, 0);
    sim.run({ until_ns: 350 });
    expect(r.seen.length).toBe(3);
    expect(sim.now_ns).toBe(350);
    sim.run({ max_events: 2 });
    expect(r.seen.length).toBe(5);
    expect(sim.now_ns).toBe(500);
    sim.schedule(50, ks, 0, 0);
    sim.run();
    expect(sim.now_ns).toBe(550);
    expect(r.seen.length).toBe(5);
    sim.run();
    expect(r.seen.length).toBe(10);
  });

  it('grows the heap beyond its initial capacity', () => {
    const sim = new Simulator();
    const r = new Recorder(sim);
    const k = sim.register(r);
    for (let i = 5000; i > 0; i--) sim.schedule(i, k, i, 0);
    expect(sim.pending).toBe(5000);
    sim.run();
    expect(r.seen.map((e) => e[1])).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
  });
});
