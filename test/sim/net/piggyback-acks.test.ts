/**
 * host.tcp.piggyback_acks: a delayed ACK still waiting when the client writes its next request on
 * the connection rides on that request. On the namespace lab at 5000/s over 10 connections each
 * connection writes every 2 ms, well inside the 40 ms delayed-ACK time, so no pure ACK is left to
 * send; without it every response gets its own ACK from the timer. At 20/s over 10 connections a
 * connection writes every 500 ms, after the timer: every ACK leaves on its own either way.
 */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { K_ACK } from '../../../sim/net/codes.ts';
import { NetworkSim, SERVER } from '../../../sim/net/network-sim.ts';

function run(rate: number, piggyback: boolean, requests: number) {
  const c = compile({
    option: 'net-host',
    host: 'netns-lab',
    workload: { rate_rps: rate, response_bytes: 350 },
    set: [`host.tcp.piggyback_acks=${piggyback}`, 'host.tcp.ack_at_read_segments=0'],
  });
  const out = new NetworkSim(c, { requests, warmupFraction: 0.1, seed: 3, replication: 0 }).run();
  const n = c.cpuCount;
  let acks = 0;
  for (let cpu = 0; cpu < n; cpu++) acks += out.rxPollCpu[(K_ACK * 2 + SERVER) * n + cpu]!;
  return { acks, completed: out.completedMeasured, softirq1: out.busy_ns[1 * 3 + 1]! };
}

describe('piggybacked ACKs (host.tcp.piggyback_acks)', () => {
  it('at 5000/s the next request carries every ACK: no pure ACK reaches the server', () => {
    const off = run(5000, false, 5000);
    const on = run(5000, true, 5000);
    // One per response (those of the run's last 40 ms aside, which the timer has not yet sent).
    expect(off.acks).toBeGreaterThan(0.8 * off.completed);
    expect(on.acks).toBeLessThanOrEqual(10); // at most the last ACK of each of the 10 connections
    expect(on.completed).toBe(off.completed);
    expect(on.softirq1).toBeLessThan(off.softirq1);
  });

  it('at 20/s each connection writes after the timer has fired: every ACK leaves on its own', () => {
    expect(run(20, true, 200).acks).toBe(run(20, false, 200).acks);
  });
});
