import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import { resolveSteering } from '../../model/compile/resolve-steering.ts';

const scenario = (set: string[] = []) =>
  normalize({
    option: 'net-host',
    workload: { rate_rps: 150000, response_bytes: 350, connections: 4000 },
    set,
  });

describe('resolveSteering', () => {
  it('spreads flows over both RX queues, whose IRQs go to CPU 0 and 9', () => {
    const st = resolveSteering(scenario()).server;
    const perQueue = [0, 0];
    for (let c = 0; c < st.rxQueue.length; c++) {
      perQueue[st.rxQueue[c]!]!++;
      expect(st.irqCpu[c]).toBe(st.rxQueue[c] === 0 ? 0 : 9);
    }
    // Binomial(4000, 1/2): sd = 31.6; 6 sd = 190.
    expect(Math.abs(perQueue[0]! - 2000)).toBeLessThan(190);
  });
  it('with RFS steers each flow to its nginx worker CPU except sock-table collisions', () => {
    const st = resolveSteering(scenario()).server;
    let same = 0;
    for (let c = 0; c < st.steerCpu.length; c++) if (st.steerCpu[c] === st.appCpu[c]) same++;
    // 4000 flows in a 65536-entry table: a flow collides with a later one w.p. ~ 4000/65536/2 = 3 %;
    // a collision with a flow of the same worker (1/18) still matches.
    expect(same / st.steerCpu.length).toBeGreaterThan(0.9);
  });
  it('without RFS uses rps_cpus[(hash * len) >> 32], never the IRQ CPUs 0 and 9', () => {
    const st = resolveSteering(scenario(['host.mechanisms.rfs=false'])).server;
    const rps = [1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 15, 16, 17];
    for (let c = 0; c < st.steerCpu.length; c++) {
      expect(st.steerCpu[c]).toBe(rps[Math.floor((st.hash[c]! * 16) / 2 ** 32)]);
    }
  });
  it('with RPS off processes inline (-1) and with RSS off uses queue 0 only', () => {
    const off = resolveSteering(scenario(['host.mechanisms.rps=false', 'host.mechanisms.rss=false'])).server;
    expect(off.steerCpu.every((x) => x === -1)).toBe(true);
    expect(off.rxQueue.every((x) => x === 0)).toBe(true);
  });
  it('picks the TX queue of the sending CPU NUMA node with XPS', () => {
    const st = resolveSteering(scenario()).server;
    for (let c = 0; c < st.txQueue.length; c++) expect(st.txQueue[c]).toBe(st.appCpu[c]! <= 8 ? 0 : 1);
  });
});
