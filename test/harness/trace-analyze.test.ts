/**
 * harness/trace/analyze.ts: every figure on the hand-made trace (fixtures/ftrace/hand.trace),
 * counted by hand in the comments below (times in µs after 1000 s), then sanity on the two real
 * lab excerpts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceAnalyzer, type TraceReport } from '../../harness/trace/analyze.ts';
import { parseTraceText } from '../../harness/trace/parse.ts';

const FX = join(import.meta.dirname, 'fixtures', 'ftrace');

function analyze(file: string, generator: number, server: number): TraceReport {
  const a = new TraceAnalyzer({
    generator: { pids: [generator], comm: 'node' },
    server: { pids: [server], comm: 'nginx' },
  });
  const parsed = parseTraceText(readFileSync(join(FX, file), 'utf8'), a);
  return a.report(parsed);
}

describe('TraceAnalyzer on the hand-made trace', () => {
  const r = analyze('hand.trace', 100, 200);
  const g = r.processes.generator;
  const s = r.processes.server;

  it('spans the first to the last event, with the header, wrap and pairing counts', () => {
    // events at 0 .. 400 µs; header 41/43 -> 2 lost; CPU 1 wrapped; one line not an event.
    expect(r.span_s).toBeCloseTo(400e-6, 12);
    expect(r.events).toBe(41);
    expect(r.events_lost).toBe(2);
    expect(r.wrapped_cpus).toEqual([1]);
    expect(r.unparsed_lines).toBe(1);
    // node's epoll_pwait exit at 111 and nginx's epoll_wait exit at 165 have no entry.
    expect(r.unpaired_exits).toBe(2);
    expect(r.unpaired_enters).toBe(0);
  });

  it("counts the generator's sleeps, busy time and its wake-up runs' overhead", () => {
    // Switch-outs in S at 5, 220, 330: 3 in 400 µs = 7500/s. On CPU 0-5 (running when the
    // trace began), 110-220 and 305-330: 140 µs of 400.
    expect(g).toMatchObject({ switch_outs: 3, sleeps: 3, preemptions: 0, other_switch_outs: 0 });
    expect(g.wakeups_per_s).toBeCloseTo(7500, 6);
    expect(g.cpu_busy_share).toBeCloseTo(0.35, 12);
    expect(g.untraced_switch_ins).toBe(0);
    // Wake-up runs 110-220 (first op: write at 120; last op exit: read at 201) and 305-330 (no op).
    expect(g.wakeup_runs).toBe(2);
    expect(g.wakeup_run_length).toEqual({ count: 2, mean_us: 67.5, p50_us: 67.5, p90_us: 101.5 });
    expect(g.before_first_op).toEqual({ count: 1, mean_us: 10, p50_us: 10, p90_us: 10 });
    expect(g.before_first_op_lower).toEqual({ count: 1, mean_us: 10, p50_us: 10, p90_us: 10 });
    expect(g.after_last_op).toEqual({ count: 1, mean_us: 19, p50_us: 19, p90_us: 19 });
    expect(g.empty_wakeup_runs).toEqual({ count: 1, mean_us: 25, p50_us: 25, p90_us: 25 });
  });

  it("files the generator's syscalls by what happened inside them", () => {
    // write 120-150 woke nginx (waking at 123) with an IPI (124): 30; writes 155-162 and
    // 166-172 woke nobody: 7 and 6; read 195-201: 6; epoll_pwait 210-306 slept inside: 96.
    const rows = g.syscalls.map((x) => [x.syscall, x.inside, x.count, x.mean_us, x.p50_us, x.p90_us]);
    expect(rows).toEqual([
      ['epoll_pwait', 'switched_out', 1, 96, 96, 96],
      ['read', 'none', 1, 6, 6, 6],
      ['write', 'none', 2, 6.5, 6.5, 6.9],
      ['write', 'ipi_waking', 1, 30, 30, 30],
    ]);
  });

  it("counts nginx's sleeps and its wake-up run, switched in without a traced sched_switch", () => {
    // Switch-outs in S at 0 and 225. Seen current at 165 while switched out: switched in untraced,
    // the run starting at its sched_wakeup (154, also CPU 1's previous event). Run 154-225:
    // first op recvfrom at 168 (14 after 154, 3 after its first event at 165), last op exit 204.
    expect(s).toMatchObject({
      switch_outs: 2,
      sleeps: 2,
      preemptions: 0,
      untraced_switch_ins: 1,
      wakeup_runs: 1,
    });
    expect(s.wakeups_per_s).toBeCloseTo(5000, 6);
    expect(s.cpu_busy_share).toBeCloseTo(71 / 400, 12);
    expect(s.wakeup_run_length).toEqual({ count: 1, mean_us: 71, p50_us: 71, p90_us: 71 });
    expect(s.before_first_op).toEqual({ count: 1, mean_us: 14, p50_us: 14, p90_us: 14 });
    expect(s.before_first_op_lower).toEqual({ count: 1, mean_us: 3, p50_us: 3, p90_us: 3 });
    expect(s.after_last_op).toEqual({ count: 1, mean_us: 21, p50_us: 21, p90_us: 21 });
    expect(s.empty_wakeup_runs.count).toBe(0);
    // recvfrom 168-170, 192-194, 203-204 (the last -EAGAIN); writev 175-183 woke node (178), no
    // IPI: node was on its CPU; sendfile64 184-190. The epoll_wait entered at 215 never exits.
    const rows = s.syscalls.map((x) => [x.syscall, x.inside, x.count, x.p50_us, x.p90_us]);
    expect(rows).toEqual([
      ['recvfrom', 'none', 3, 2, 2],
      ['sendfile64', 'none', 1, 6, 6],
      ['writev', 'waking', 1, 8, 8],
    ]);
    expect(s.syscalls[0]!.mean_us).toBeCloseTo(5 / 3, 12);
  });

  it('gives the IPI cost to the waker: p50 with an IPI minus p50 without a wake-up', () => {
    expect(r.ipi_cost).toEqual([
      {
        role: 'generator',
        syscall: 'write',
        with_ipi: { count: 1, mean_us: 30, p50_us: 30, p90_us: 30 },
        without_wake: { count: 2, mean_us: 6.5, p50_us: 6.5, p90_us: 6.9 },
        ipi_cost_us: 23.5,
      },
    ]);
  });

  it('measures wake latency only for sleeping wakees, by target CPU', () => {
    // node: 100 -> 104 and 300 -> 303, its own idle CPU 0; nginx: 123 (from CPU 0) -> 154 on idle
    // CPU 1. node woken at 178 while on its CPU is left out.
    expect(r.wake_latency).toEqual([
      { wakee: 'generator', target: 'local_idle', count: 2, mean_us: 3.5, p50_us: 3.5, p90_us: 3.9 },
      { wakee: 'server', target: 'remote_idle', count: 1, mean_us: 31, p50_us: 31, p90_us: 31 },
    ]);
  });

  it("measures nginx's request cycle and the generator's write gaps by burst position", () => {
    // recvfrom with data at 168 and 192 (the third returned -EAGAIN): one cycle of 24.
    expect(r.server_request_cycle).toEqual({ count: 1, mean_us: 24, p50_us: 24, p90_us: 24 });
    // One burst of writes entered at 120, 155, 166: gaps 35 (after position 0) and 11 (after 1).
    expect(r.generator_write_gaps).toEqual({
      bursts: 1,
      writes_per_burst_mean: 3,
      first: { count: 1, mean_us: 35, p50_us: 35, p90_us: 35 },
      rest: { count: 1, mean_us: 11, p50_us: 11, p90_us: 11 },
      by_position: [
        { from: 0, to: 0, count: 1, mean_us: 35, p50_us: 35, p90_us: 35 },
        { from: 1, to: 1, count: 1, mean_us: 11, p50_us: 11, p90_us: 11 },
      ],
    });
  });
});

describe('TraceAnalyzer on the real excerpts (net-host)', () => {
  const runs = [
    { file: 'excerpt-8000.trace', generator: 17371, server: 17195 },
    { file: 'excerpt-16000.trace', generator: 17410, server: 17195 },
  ];
  for (const { file, generator, server } of runs)
    it(`${file}: IPI-inside syscalls are the long ones, and the figures are in the hand-measured ranges`, () => {
      const r = analyze(file, generator, server);
      // Each task may have one syscall in flight when the excerpt starts; none lost inside.
      expect(r.unpaired_exits).toBeLessThanOrEqual(2);
      expect(r.unpaired_enters).toBe(0);
      const w = r.processes.generator.syscalls.filter((x) => x.syscall === 'write');
      const none = w.find((x) => x.inside === 'none')!;
      const ipi = w.find((x) => x.inside === 'ipi_waking')!;
      expect(ipi.count).toBeGreaterThan(0);
      // Every write that woke nginx with an IPI is longer than 90 % of the others.
      expect(ipi.p50_us!).toBeGreaterThan(2 * none.p90_us!);
      // Hand-measured on the full 0.5 s traces: write 7.1-7.2 µs mean without a wake-up.
      expect(none.p50_us!).toBeGreaterThanOrEqual(6);
      expect(none.p50_us!).toBeLessThanOrEqual(9);
      const cost = r.ipi_cost.find((c) => c.role === 'generator' && c.syscall === 'write')!;
      expect(cost.ipi_cost_us!).toBeGreaterThan(15);
      expect(cost.ipi_cost_us!).toBeLessThan(35);
      // Waking nginx on its idle CPU: tens of µs; the generator's timer on its own CPU: a few.
      const ngx = r.wake_latency.find((x) => x.wakee === 'server' && x.target === 'remote_idle')!;
      expect(ngx.count).toBeGreaterThan(2);
      expect(ngx.p50_us!).toBeGreaterThan(15);
      const gen = r.wake_latency.find((x) => x.wakee === 'generator' && x.target === 'local_idle')!;
      expect(gen.p50_us!).toBeLessThan(10);
      // nginx leaves idle untraced on CPU 1 every time: all its wake-ups are untraced switch-ins.
      expect(r.processes.server.untraced_switch_ins).toBeGreaterThan(0);
      expect(r.processes.server.wakeup_runs).toBeGreaterThan(0);
      expect(r.processes.server.before_first_op_lower.p50_us!).toBeLessThanOrEqual(
        r.processes.server.before_first_op.p50_us!,
      );
      // Request cycle (hand: 23-27 µs median) and the burst's first gap longer than the rest.
      expect(r.server_request_cycle.p50_us!).toBeGreaterThan(15);
      expect(r.server_request_cycle.p50_us!).toBeLessThan(35);
      expect(r.generator_write_gaps.first.p50_us!).toBeGreaterThan(r.generator_write_gaps.rest.p50_us!);
    });
});
