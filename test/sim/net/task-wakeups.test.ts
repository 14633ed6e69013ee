/**
 * Task wake-ups (RunOutput.wakeups, SimResult.task_wakeups_per_s): counted when a sleeping nginx
 * worker or generator worker is made runnable, inside the measurement window. The namespace-lab
 * profile (1 nginx worker on CPU 1, one generator thread on CPU 0, 10 connections, net-host) at a
 * low rate with exact send times, stalls off; 4000 requests, seed 1.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { NetworkSim } from '../../../sim/net/network-sim.ts';

describe('task wake-ups', () => {
  const RATE = 200;
  const c = compile({
    host: 'netns-lab',
    option: 'net-host',
    workload: { rate_rps: RATE, response_bytes: 350, connections: 10 },
    set: [
      'host.apps.tcpkali.send_timer.granularity_ns=0',
      'host.apps.tcpkali.send_timer.mode=grid',
      'host.mechanisms.stalls=false',
    ],
  });
  const out = new NetworkSim(c, { requests: 4000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  const window_s = out.window_ns / 1e9;
  const sent = RATE * window_s;

  it('at 200/s each request wakes nginx once, and the generator twice (its write, then its read)', () => {
    // Requests are 5 ms apart on average and a round trip takes ~0.1 ms, so nginx is asleep when
    // each request arrives unless the previous one is still being served: P <= rate x (its busy
    // time per request, < 50 us) = 0.01. The generator sleeps after each write until the response,
    // and after each read until the next send, unless a send falls due while it works (same bound,
    // for the two wake-ups). Window edges move each count by at most the requests in flight (1-2).
    const nginx = out.wakeups[0]!;
    const generator = out.wakeups[1]!;
    expect(nginx).toBeLessThanOrEqual(sent + 2);
    expect(nginx).toBeGreaterThanOrEqual(0.99 * sent - 2);
    expect(generator).toBeLessThanOrEqual(2 * sent + 2);
    expect(generator).toBeGreaterThanOrEqual(0.98 * sent * 2 - 2);
  });
});

describe("where the generator's wake-up cost falls (wakeup_cost_after_share)", () => {
  const W = 5_000;
  function run(share: number) {
    const c = compile({
      host: 'netns-lab',
      option: 'net-host',
      workload: { rate_rps: 200, response_bytes: 350, connections: 10 },
      set: [
        'host.apps.tcpkali.send_timer.granularity_ns=0',
        'host.apps.tcpkali.send_timer.mode=grid',
        'host.mechanisms.stalls=false',
        // An idle CPU's wake-up latency depends on how long it idled, which the share changes.
        'host.mechanisms.idle_wakeup=false',
        `host.apps.tcpkali.cost_ns_per_wakeup=${W}`,
        `host.apps.tcpkali.wakeup_cost_after_share=${share}`,
      ],
    });
    return new NetworkSim(c, { requests: 4000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  }
  const before = run(0);
  const after = run(1);

  it('all before the work: each read waits for it; all after: none does (same CPU, same wake-ups)', () => {
    // At 200/s the generator sleeps before each response arrives (previous test), so with share 0
    // every read starts W after the wake-up, and with share 1 none does: the response comes back
    // (nginx and the receive passes: well over W = 5 us) after the write's
    // trailing W is over. So the latency from the write moves by W, to the histogram's 0.1 %.
    const d = before.latency.quantile(0.5) - after.latency.quantile(0.5);
    expect(Math.abs(d - W)).toBeLessThanOrEqual(0.002 * before.latency.quantile(0.5));
    expect(before.wakeups[1]).toBe(after.wakeups[1]);
    // The same cost per wake-up either way: CPU 0's task time equal (to float rounding).
    const task0 = (o: typeof before) => o.busy_ns[0 * 3 + 2]!;
    expect(task0(after)).toBeCloseTo(task0(before), -3);
  });
});
