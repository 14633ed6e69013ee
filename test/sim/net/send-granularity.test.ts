/**
 * Send granularity of the generator (host.apps.tcpkali.send_timer.granularity_ns): only that
 * parameter changes between the runs compared. The namespace-lab profile (1 nginx worker on CPU 1,
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
    set: [`host.apps.tcpkali.send_timer.granularity_ns=${g_ns}`, 'host.mechanisms.stalls=false'],
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
