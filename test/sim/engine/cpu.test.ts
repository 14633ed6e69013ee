import { describe, expect, it } from 'vitest';
import { CpuSet, HARDIRQ, SOFTIRQ, TASK } from '../../../sim/engine/cpu.ts';
import { exponential } from '../../../sim/engine/distributions/exponential.ts';
import { createStream } from '../../../sim/engine/rng.ts';
import { type EventHandler, Simulator } from '../../../sim/engine/simulator.ts';

function setup(count = 1) {
  const sim = new Simulator();
  const done: Array<{ t: number; cpu: number; cls: number; token: number }> = [];
  const cpus = new CpuSet(sim, count, {
    jobDone: (cpu, cls, token) => done.push({ t: sim.now_ns, cpu, cls, token }),
  });
  return { sim, cpus, done };
}

/** Submits a job at a given time through a one-shot event. */
function at(sim: Simulator, t: number, f: () => void): void {
  const h: EventHandler = { handle: f };
  sim.scheduleAt(t, sim.register(h), 0, 0);
}

describe('CpuSet', () => {
  it('runs FIFO within a class', () => {
    const { sim, cpus, done } = setup();
    cpus.submit(0, TASK, 100, 1);
    cpus.submit(0, TASK, 50, 2);
    cpus.submit(0, TASK, 10, 3);
    expect(cpus.queued(0, TASK)).toBe(2);
    sim.run();
    expect(done.map((d) => [d.t, d.token])).toEqual([
      [100, 1],
      [150, 2],
      [160, 3],
    ]);
  });

  it('preempts lower classes and resumes them with their remaining work', () => {
    const { sim, cpus, done } = setup();
    cpus.submit(0, TASK, 100, 1); // runs 0..30, preempted, resumes at 80 with 70 left -> 150
    at(sim, 30, () => cpus.submit(0, SOFTIRQ, 40, 2)); // 30..40, preempted by hardirq, resumes 50..80
    at(sim, 40, () => cpus.submit(0, HARDIRQ, 10, 3)); // 40..50
    at(sim, 45, () => cpus.submit(0, SOFTIRQ, 5, 4)); // queued behind softirq 2: 80..85
    sim.run();
    expect(done.map((d) => [d.t, d.cls, d.token])).toEqual([
      [50, HARDIRQ, 3],
      [80, SOFTIRQ, 2],
      [85, SOFTIRQ, 4],
      [155, TASK, 1],
    ]);
    expect(cpus.busy_ns(0, TASK)).toBe(100);
    expect(cpus.busy_ns(0, SOFTIRQ)).toBe(45);
    expect(cpus.busy_ns(0, HARDIRQ)).toBe(10);
    expect(cpus.isIdle(0)).toBe(true);
  });

  it('does not preempt within a class or from below', () => {
    const { sim, cpus, done } = setup();
    cpus.submit(0, SOFTIRQ, 100, 1);
    at(sim, 10, () => cpus.submit(0, SOFTIRQ, 10, 2));
    at(sim, 20, () => cpus.submit(0, TASK, 10, 3));
    sim.run();
    expect(done.map((d) => [d.t, d.token])).toEqual([
      [100, 1],
      [110, 2],
      [120, 3],
    ]);
  });

  it('keeps CPUs independent and counts utilisation per class', () => {
    const { sim, cpus } = setup(2);
    cpus.submit(0, TASK, 300, 1);
    cpus.submit(1, SOFTIRQ, 100, 2);
    sim.run({ until_ns: 1000 });
    expect(cpus.utilisation(0, TASK)).toBeCloseTo(0.3, 12);
    expect(cpus.utilisation(1, SOFTIRQ)).toBeCloseTo(0.1, 12);
    expect(cpus.utilisation(1, TASK)).toBe(0);
  });

  it('resetStats starts a new period, counting only the part of a running job after it', () => {
    const { sim, cpus } = setup();
    cpus.submit(0, TASK, 1000, 1);
    sim.run({ until_ns: 400 });
    cpus.resetStats();
    sim.run({ until_ns: 1400 });
    expect(cpus.busy_ns(0, TASK)).toBe(600);
    expect(cpus.utilisation(0, TASK)).toBeCloseTo(0.6, 12);
  });

  it('conserves work under random preemptive load (busy = submitted - remaining, never idle with work)', () => {
    const { sim, cpus } = setup(2);
    const classes = [HARDIRQ, SOFTIRQ, TASK];
    const arr = classes.map((c) => exponential(createStream(3, 0, `arr${c}`), [0.002, 0.003, 0.002][c]!));
    const svc = classes.map((c) =>
      exponential(createStream(3, 0, `svc${c}`), [1 / 20, 1 / 100, 1 / 150][c]!),
    );
    const pick = createStream(3, 0, 'cpu');
    let idleWithWork = 0;
    const gen: EventHandler = {
      handle(cls) {
        cpus.submit(Math.floor(pick() * 2), cls, svc[cls]!(), 0);
        for (let c = 0; c < 2; c++) {
          let q = 0;
          for (const k of classes) q += cpus.queued(c, k);
          if (cpus.isIdle(c) && q > 0) idleWithWork++;
        }
        sim.schedule(arr[cls]!(), kind, cls, 0);
      },
    };
    const kind = sim.register(gen);
    for (const c of classes) sim.schedule(arr[c]!(), kind, c, 0);
    for (const stop of [50_000, 123_457, 400_001, 1_000_000]) {
      sim.run({ until_ns: stop });
      for (let c = 0; c < 2; c++) {
        let submitted = 0;
        let busy = 0;
        for (const k of classes) {
          submitted += cpus.submitted_ns(c, k);
          busy += cpus.busy_ns(c, k);
        }
        expect(busy + cpus.remainingWork_ns(c)).toBe(submitted);
        expect(busy).toBeLessThanOrEqual(stop);
      }
    }
    expect(idleWithWork).toBe(0);
    expect(cpus.completed(0, TASK) + cpus.completed(1, TASK)).toBeGreaterThan(1000);
  });

  it('rejects bad arguments', () => {
    const { cpus } = setup(2);
    expect(() => cpus.submit(2, TASK, 1, 0)).toThrow(/cpu must be/);
    expect(() => cpus.submit(0, 3, 1, 0)).toThrow(/cls/);
    expect(() => cpus.submit(0, TASK, -5, 0)).toThrow(/work_ns/);
    expect(() => new CpuSet(new Simulator(), 0, { jobDone() {} })).toThrow(/count/);
  });
});
