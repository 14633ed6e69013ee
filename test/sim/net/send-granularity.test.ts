/**
 * Send granularity of the generator (host.apps.tcpkali.send_timer.granularity_ns, on a fixed grid):
 * only that parameter changes between the runs compared. Then the after-burst timer
 * (send_timer.mode after_burst, the netns-lab default): its period against the formula. The namespace-lab profile (1 nginx worker on CPU 1,
 * one generator thread on CPU 0, 10 connections, net-host), host stalls off in every run so the
 * comparison is not blurred by them; 10k requests, seed 1.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { NetworkSim } from '../../../sim/net/network-sim.ts';

const RATE = 10_000;

/** p50 latency (ns, from the actual write) with send granularity g_ns. */
function p50(g_ns: number): number {
  const c = compile({
    host: 'netns-lab',
    option: 'net-host',
    workload: { rate_rps: RATE, response_bytes: 612, connections: 10 },
    set: [
      `host.apps.tcpkali.send_timer.granularity_ns=${g_ns}`,
      'host.apps.tcpkali.send_timer.mode=grid',
      'host.mechanisms.stalls=false',
    ],
  });
  const out = new NetworkSim(c, { requests: 10_000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  expect(out.latency.count).toBe(9000);
  return out.latency.quantile(0.5);
}

describe('generator send granularity', () => {
  const exact = p50(0);

  it('1 ms ticks at 10k rps (about 10 sends per tick) raise p50, by less than one tick', () => {
    // Expected direction: the sends due within one tick are written back to back, so each queues
    // behind the ones written before it in the same tick (nginx, softirq), which exact spacing
    // (100 us apart on average) mostly avoids: p50 rises. Bound: the work of one tick's burst
    // (10 requests x tens of us) is below the tick at this load (< 1), so a burst is worked off
    // before the next tick and no request waits longer than one tick extra: rise < 1 ms.
    const tick_ns = 1_000_000;
    const ticked = p50(tick_ns);
    expect(ticked).toBeGreaterThan(exact);
    expect(ticked - exact).toBeLessThan(tick_ns);
  });

  it('a 1 us tick, far below the 100 us gap between sends, leaves p50 where it was', () => {
    // Each send moves by less than g = 1 us. For FIFO queues the departure times move by no more
    // than the arrival times do (Lindley recursion), so a latency from the write moves by at most
    // 2g; plus the histogram's 0.1 % resolution (3 significant digits) on each of the two values.
    const g = 1000;
    const ticked = p50(g);
    expect(Math.abs(ticked - exact)).toBeLessThanOrEqual(2 * g + 0.002 * exact);
  });
});

/**
 * After-burst timer: the tick at T releases the sends due by T, the worker writes them (CPU 0 also
 * runs the request's receive, rx_cpu sender), and the timer is re-armed at the end of the burst for
 * g + slack (the next send is due within g at these rates). So the period is P = g + slack + B with
 * the burst B = n x w, n = rate x P sends of w CPU-0 time each: P = (g + slack) / (1 - rate x w).
 * w lies between the generator's own write cost (a lower bound: the tx stages and the receive add
 * to it) and CPU 0's whole busy time per request (an upper bound: reads and ACKs between bursts
 * are counted as if they lengthened them). Host stalls and idle wake-up latency off (they would
 * add to the period without being CPU time). 20k requests at 4000/s: about 4000 ticks, so the
 * measured mean period has no sampling error to speak of beyond the bounds' width.
 */
describe('after-burst send timer', () => {
  function ticksPerS(writeNs: number, slackNs: number) {
    const rate = 4000;
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: rate, response_bytes: 350, connections: 10 },
      set: [
        'host.apps.tcpkali.send_timer.mode=after_burst',
        'host.apps.tcpkali.send_timer.granularity_ns=1000000',
        `host.apps.tcpkali.send_timer.slack_ns=${slackNs}`,
        `host.apps.tcpkali.cost_ns_per_write=${writeNs}`,
        'host.mechanisms.stalls=false',
        'host.mechanisms.idle_wakeup=false',
      ],
    });
    const sim = new NetworkSim(c, { requests: 20_000, warmupFraction: 0.1, seed: 1, replication: 0 });
    const out = sim.run();
    // CPU 0's busy time (hardirq + softirq + task) over the measurement window, per request.
    const window_s = (sim.sendEnd_ns - sim.warmupEnd_ns) / 1e9;
    const cpu0_s = (out.busy_ns[0]! + out.busy_ns[1]! + out.busy_ns[2]!) / 1e9;
    return { ticks: sim.tcpkali.ticks / (sim.sendEnd_ns / 1e9), cpu0PerReq: cpu0_s / window_s / rate, rate };
  }
  const bounds = (slackNs: number, wLo: number, wHi: number, rate: number) => ({
    hi: (1 - rate * wLo) / (1e-3 + slackNs / 1e9),
    lo: (1 - rate * wHi) / (1e-3 + slackNs / 1e9),
  });

  for (const [writeNs, slackNs] of [
    [50_000, 0],
    [50_000, 500_000],
    [150_000, 0],
  ] as const)
    it(`write ${writeNs / 1000} us, slack ${slackNs / 1000} us: period (g + slack) / (1 - rate x w)`, () => {
      const m = ticksPerS(writeNs, slackNs);
      const b = bounds(slackNs, writeNs / 1e9, m.cpu0PerReq, m.rate);
      expect(m.cpu0PerReq).toBeGreaterThan(writeNs / 1e9);
      expect(m.ticks).toBeGreaterThanOrEqual(b.lo);
      expect(m.ticks).toBeLessThanOrEqual(b.hi);
    });

  it('a fixed grid keeps its period whatever the write costs', () => {
    const rate = 4000;
    const run = (mode: string) => {
      const c = compile({
        host: 'netns-lab',
        option: 'net-host',
        workload: { rate_rps: rate, response_bytes: 350, connections: 10 },
        set: [`host.apps.tcpkali.send_timer.mode=${mode}`, 'host.apps.tcpkali.cost_ns_per_write=150000'],
      });
      const sim = new NetworkSim(c, { requests: 20_000, warmupFraction: 0.1, seed: 1, replication: 0 });
      sim.run();
      return sim.tcpkali.ticks / (sim.sendEnd_ns / 1e9);
    };
    // Grid: at most one tick per ms (a tick with no send due is not counted); after burst: the
    // 150 us writes stretch the period to (1 ms + 0.2 ms slack) / (1 - 0.6) or more: < 400/s.
    expect(run('grid')).toBeLessThanOrEqual(1000);
    expect(run('grid')).toBeGreaterThan(900);
    expect(run('after_burst')).toBeLessThan(400);
  });
});

/**
 * Read batching (host.apps.tcpkali.read_batch): with `connection` one read takes every response
 * already arrived on the connection and times them all at the end of the first one's read; the CPU
 * cost per response is unchanged. With one connection the responses are read in the same order
 * (TCP keeps it per connection) at the same total work, and the k-th response of a batch is timed
 * (k - 1) read costs earlier than if it were read alone right after the first. A batch can push a
 * write due meanwhile a little later, so not every latency need fall; expected and asserted: the
 * mean falls (bursts of about 5 responses at 4000/s over 1 ms+ ticks make multi-response batches),
 * p50 and p99 do not rise, and the generator's CPU does the same work (busy time within 1 %).
 */
describe('read batching per connection', () => {
  function run(mode: 'response' | 'connection') {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: 4000, response_bytes: 350, connections: 1 },
      set: [
        `host.apps.tcpkali.read_batch=${mode}`,
        'host.apps.tcpkali.cost_ns_per_read=20000',
        'host.mechanisms.stalls=false',
      ],
    });
    const sim = new NetworkSim(c, { requests: 10_000, warmupFraction: 0.1, seed: 1, replication: 0 });
    const out = sim.run();
    const busy0 = out.busy_ns[0]! + out.busy_ns[1]! + out.busy_ns[2]!;
    return { out, busy0 };
  }

  it('times the later responses of a batch earlier, at the same CPU cost', () => {
    const one = run('response');
    const batch = run('connection');
    expect(batch.out.latency.count).toBe(one.out.latency.count);
    expect(batch.out.latency.mean).toBeLessThan(one.out.latency.mean);
    expect(batch.out.latency.quantile(0.5)).toBeLessThanOrEqual(one.out.latency.quantile(0.5));
    expect(batch.out.latency.quantile(0.99)).toBeLessThanOrEqual(one.out.latency.quantile(0.99));
    // The same reads and writes: equal work (the histogram's resolution aside, to 1 %).
    expect(Math.abs(batch.busy0 - one.busy0) / one.busy0).toBeLessThan(0.01);
  });
});

/**
 * Tick cost (host.apps.tcpkali.send_timer.cost_ns_per_tick): the loop's own work once per tick,
 * before the tick's first write. On a fixed 1 ms grid at 4000/s the ticks do not depend on the
 * costs, so CPU 0's task time grows by exactly (ticks in the window) x cost, up to the chunks cut
 * by the window's two ends (at most one tick's cost each, plus the write in that chunk). The
 * latency runs from the write: each tick's burst only moves later by the cost, and with 1 ms
 * between ticks and everything tied to absolute time off (stalls, idle wake-ups, jitter, and the
 * delayed ACKs, whose timers expire on the jiffy grid: with them on, the shifted bursts meet the
 * ACK timers at other points and the work and latency change) nothing else moves, so p50 stays
 * (to the histogram's 0.1 % resolution).
 */
describe('send loop cost per tick', () => {
  const COST = 100_000;
  function run(costNs: number) {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: 4000, response_bytes: 350, connections: 10 },
      set: [
        'host.apps.tcpkali.send_timer.mode=grid',
        'host.apps.tcpkali.send_timer.granularity_ns=1000000',
        `host.apps.tcpkali.send_timer.cost_ns_per_tick=${costNs}`,
        'host.mechanisms.stalls=false',
        'host.mechanisms.idle_wakeup=false',
        'host.mechanisms.delayed_ack=false',
      ],
    });
    const sim = new NetworkSim(c, { requests: 20_000, warmupFraction: 0.1, seed: 1, replication: 0 });
    const out = sim.run();
    const window_s = (sim.sendEnd_ns - sim.warmupEnd_ns) / 1e9;
    return {
      task0_ns: out.busy_ns[2]!,
      ticksInWindow: (sim.tcpkali.ticks / (sim.sendEnd_ns / 1e9)) * window_s,
      p50: out.latency.quantile(0.5),
    };
  }

  it('adds its cost to CPU 0 once per tick and leaves the latency from the write alone', () => {
    const base = run(0);
    const ticked = run(COST);
    expect(ticked.ticksInWindow).toBe(base.ticksInWindow);
    const added = ticked.task0_ns - base.task0_ns;
    expect(Math.abs(added - ticked.ticksInWindow * COST)).toBeLessThanOrEqual(2 * (COST + 20_000));
    expect(Math.abs(ticked.p50 - base.p50)).toBeLessThanOrEqual(0.002 * base.p50);
  });
});

/**
 * Latency from schedule (P.sched, RunOutput.latencyFromSchedule): each request's unquantized due
 * time travels with it, and the read records now - sched besides now - t0.
 * (1) No request is written before it is due, in every timer mode. The after-burst case is the
 * regression: one connection at 400/s (a send every 2.5 ms), g = 1 ms, no slack: the timer is
 * re-armed for floor(wait / g) x g = 2 ms after a burst, before the next send is due; the lab
 * generator's loop then finds nothing due and sleeps again, and the model used to send there.
 * (2) With exact due times at 100/s on one connection the generator is asleep at every due time
 * (the response came back long before), so each request's two latencies differ by exactly the
 * write chunk before t0: the generator's wake-up cost + its write cost + the TX stages that run
 * in that chunk (net-host: no hand-off). Idle wake-up latency and stalls off. Every request has the
 * same difference D, so each percentile moves by D up to the HDR histogram's 0.1 % on each value.
 */
describe('latency from schedule', () => {
  function build(rate: number, set: string[]) {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: rate, response_bytes: 350, connections: 1 },
      set: ['host.mechanisms.stalls=false', 'host.mechanisms.idle_wakeup=false', ...set],
    });
    return { c, sim: new NetworkSim(c, { requests: 2000, warmupFraction: 0.1, seed: 1, replication: 0 }) };
  }

  for (const [name, set] of [
    [
      'grid, exact due times',
      ['host.apps.tcpkali.send_timer.mode=grid', 'host.apps.tcpkali.send_timer.granularity_ns=0'],
    ],
    [
      'grid, 1 ms',
      ['host.apps.tcpkali.send_timer.mode=grid', 'host.apps.tcpkali.send_timer.granularity_ns=1000000'],
    ],
    [
      'after burst, 1 ms, no slack',
      [
        'host.apps.tcpkali.send_timer.mode=after_burst',
        'host.apps.tcpkali.send_timer.granularity_ns=1000000',
        'host.apps.tcpkali.send_timer.slack_ns=0',
      ],
    ],
  ] as const)
    it(`writes no request before it is due (${name})`, () => {
      const { sim } = build(400, [...set]);
      const P = sim.pool;
      let early = 0;
      let writes = 0;
      const written = sim.tcpkali.written.bind(sim.tcpkali);
      sim.tcpkali.written = (p: number, now: number) => {
        writes++;
        if (P.sched[p]! > now) early++;
        written(p, now);
      };
      const out = sim.run();
      expect(writes).toBe(2000);
      expect(early).toBe(0);
      for (const q of [0.5, 0.9, 0.99])
        expect(out.latencyFromSchedule.quantile(q)).toBeGreaterThanOrEqual(out.latency.quantile(q));
    });

  it('exceeds the latency from the write by the write chunk when the generator is idle', () => {
    const { c, sim } = build(100, [
      'host.apps.tcpkali.send_timer.mode=grid',
      'host.apps.tcpkali.send_timer.granularity_ns=0',
    ]);
    const out = sim.run();
    let tx = 0;
    for (let s = 0; s < c.tx.length; s++)
      tx += c.tx.costPerPacket_ns[s]! + c.tx.costPerByte_ns[s]! * c.requestBytes;
    const D = c.tcpkali.costPerWakeup_ns + c.tcpkali.costPerOp_ns + tx;
    expect(D).toBeGreaterThan(0);
    expect(out.latency.count).toBe(1800);
    expect(out.latencyFromSchedule.count).toBe(1800);
    for (const q of [0.1, 0.5, 0.9, 0.99]) {
      const a = out.latency.quantile(q);
      const b = out.latencyFromSchedule.quantile(q);
      expect(Math.abs(b - a - D)).toBeLessThanOrEqual(0.001 * (a + b) + 1);
    }
  });
});

/**
 * Send phases (host.apps.tcpkali.send_phases): `even` puts connection c at c x period / N, so the
 * merged schedule of one worker is one send every 1 / rate exactly (the lab generator's: request i
 * due at i / rate); `random` draws the phases, so the gaps between scheduled sends vary (their mean
 * is still 1 / rate). One worker, 10 connections, 2000/s, exact due times: the scheduled times of
 * consecutive writes (P.sched) are compared, to within floating-point rounding (1e-6 ns).
 */
describe('send phases', () => {
  function gaps(phases: 'even' | 'random'): number[] {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: 2000, response_bytes: 350, connections: 10 },
      set: [
        `host.apps.tcpkali.send_phases=${phases}`,
        'host.apps.tcpkali.send_timer.mode=grid',
        'host.apps.tcpkali.send_timer.granularity_ns=0',
      ],
    });
    const sim = new NetworkSim(c, { requests: 1000, warmupFraction: 0.1, seed: 1, replication: 0 });
    const sched: number[] = [];
    const written = sim.tcpkali.written.bind(sim.tcpkali);
    sim.tcpkali.written = (p: number, now: number) => {
      sched.push(sim.pool.sched[p]!);
      written(p, now);
    };
    sim.run();
    expect(sched.length).toBe(1000);
    return sched.slice(1).map((t, i) => t - sched[i]!);
  }

  it('even: one send every 1 / rate; random: uneven gaps with the same mean', () => {
    const even = gaps('even');
    for (const g of even) expect(Math.abs(g - 500_000)).toBeLessThan(1e-6);
    const random = gaps('random');
    const mean = random.reduce((a, b) => a + b, 0) / random.length;
    // 999 gaps spanning ~100 periods of 10 sends: the mean is the span / 999, within one period's
    // worth of phase difference at the two ends (5 ms / 999 = 5 us).
    expect(Math.abs(mean - 500_000)).toBeLessThan(5_000);
    expect(Math.max(...random) - Math.min(...random)).toBeGreaterThan(100_000);
  });
});

/**
 * Bursts (RunOutput.burst*, SimResult.bursts): a send's position is its index among the sends its
 * tick released. Exact due times: every send is its own tick, so every position is 0 and ticks =
 * sends. A 1 ms grid at 10k rps: about 10 sends per tick, ticks x sends per tick = the sends in
 * the window exactly, and every measured request is counted once in some position bin. After burst
 * at 400/s on one connection with no slack: re-armed ticks that find nothing due are counted empty.
 */
describe('bursts', () => {
  function run(rate: number, connections: number, set: string[]) {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: rate, response_bytes: 350, connections },
      set: ['host.mechanisms.stalls=false', ...set],
    });
    return new NetworkSim(c, { requests: 10_000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  }
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);

  it('exact due times: one send per tick, all at position 0', () => {
    const out = run(10_000, 10, [
      'host.apps.tcpkali.send_timer.mode=grid',
      'host.apps.tcpkali.send_timer.granularity_ns=0',
    ]);
    expect(out.burstEmptyTicks).toBe(0);
    expect(out.burstSends).toBe(out.burstTicks);
    expect(out.burstCount[0]).toBe(out.latency.count);
    expect(sum(out.burstCount)).toBe(out.latency.count);
  });

  it('1 ms grid at 10k rps: about 10 per tick, every measured request in one bin', () => {
    const out = run(10_000, 10, [
      'host.apps.tcpkali.send_timer.mode=grid',
      'host.apps.tcpkali.send_timer.granularity_ns=1000000',
    ]);
    const perTick = out.burstSends / (out.burstTicks - out.burstEmptyTicks);
    // 10 sends are due per 1 ms on average; with random phases a tick holds 10 +- a few.
    expect(perTick).toBeGreaterThan(9);
    expect(perTick).toBeLessThan(11);
    expect(sum(out.burstCount)).toBe(out.latency.count);
    // Positions 8-15 (bin 4) occur; beyond 31 (bin 6) hardly: ~10 per tick.
    expect(out.burstCount[4]).toBeGreaterThan(0);
    expect(out.burstCount[6]! + out.burstCount[7]! + out.burstCount[8]!).toBe(0);
  });

  it('after burst: ticks that find nothing due are counted empty', () => {
    const out = run(400, 1, [
      'host.apps.tcpkali.send_timer.mode=after_burst',
      'host.apps.tcpkali.send_timer.granularity_ns=1000000',
      'host.apps.tcpkali.send_timer.slack_ns=0',
    ]);
    expect(out.burstEmptyTicks).toBeGreaterThan(0);
    expect(out.burstSends).toBeGreaterThan(0);
    expect(sum(out.burstCount)).toBe(out.latency.count);
  });
});
