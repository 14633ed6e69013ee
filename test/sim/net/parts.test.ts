/** Pure parts of the interpreter: the flow table layout and the adaptive interrupt moderation rule. */
import { describe, expect, it } from 'vitest';
import { compile } from '../../../model/compile/compile.ts';
import { buildFlowTable, F_APP, F_RXQ, F_STEER, F_TXQ, globalCpu } from '../../../sim/net/flow-table.ts';
import { nextItrLevel } from '../../../sim/net/nic.ts';
import { stageNames } from '../../../sim/net/replication.ts';
import { buildStageTable } from '../../../sim/net/run-output.ts';

describe('buildFlowTable', () => {
  it('puts each connection steering of both hosts in its row, with global queue and CPU indices', () => {
    const c = compile({
      option: 'net-host',
      workload: { rate_rps: 100000, response_bytes: 350, connections: 500 },
    });
    // Rows in reverse connection order: row r holds connection 499 - r.
    const connOfRow = Int32Array.from({ length: 500 }, (_, r) => 499 - r);
    const flow = buildFlowTable(c, connOfRow);
    let steered = 0;
    for (let r = 0; r < 500; r++) {
      const conn = 499 - r;
      for (const [host, s] of [
        [0, c.steering.client],
        [1, c.steering.server],
      ] as const) {
        const o = r * 8 + host * 4;
        expect(flow[o + F_RXQ]).toBe(host * c.queues + s.rxQueue[conn]!);
        expect(flow[o + F_TXQ]).toBe(host * c.queues + s.txQueue[conn]!);
        expect(flow[o + F_APP]).toBe(s.appWorker[conn]);
        const steer = s.steerCpu[conn]!;
        expect(flow[o + F_STEER]).toBe(steer < 0 ? -1 : globalCpu(c, host, steer));
        if (steer >= 0) steered++;
      }
    }
    expect(steered).toBeGreaterThan(0); // RPS/RFS is on by default: the CPU mapping was exercised
    // The c4.8xlarge hosts have their own CPUs: the server's CPUs follow the client's.
    expect(globalCpu(c, 1, 3)).toBe(c.cpuCount + 3);
  });
});

describe('nextItrLevel', () => {
  it('moves one level at a time: up above a threshold, down at or below it', () => {
    const lo = 10;
    const hi = 20;
    expect(nextItrLevel(0, 11, lo, hi)).toBe(1);
    expect(nextItrLevel(0, 10, lo, hi)).toBe(0);
    expect(nextItrLevel(0, 1000, lo, hi)).toBe(1); // never skips a level
    expect(nextItrLevel(1, 21, lo, hi)).toBe(2);
    expect(nextItrLevel(1, 15, lo, hi)).toBe(1);
    expect(nextItrLevel(1, 10, lo, hi)).toBe(0);
    expect(nextItrLevel(2, 20, lo, hi)).toBe(1);
    expect(nextItrLevel(2, 0, lo, hi)).toBe(1);
    expect(nextItrLevel(2, 25, lo, hi)).toBe(2);
  });
});

describe('buildStageTable', () => {
  it('numbers the stages in the order replication.ts names them, for options with 2 and 3 receive passes', () => {
    for (const option of ['net-host', 'flannel-vxlan']) {
      const c = compile({ option, workload: { rate_rps: 100000, response_bytes: 350, connections: 100 } });
      const t = buildStageTable(c);
      expect(t.stages.map((s) => s.name)).toEqual(stageNames(c.scenario));
      // Each path slot points at its own stage: host 1 (server), RX, last stage.
      const last = c.rx.length - 1;
      expect(t.byPath[(1 * 2 + 1) * t.maxStages + last]!.name).toBe(`server.rx.${c.rx.names[last]}`);
      expect(t.nicWait[0]!.name).toBe('server.nic.ring_irq'); // what the client sends waits at the server NIC
    }
  });
});
