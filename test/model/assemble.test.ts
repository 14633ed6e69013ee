import { describe, expect, it } from 'vitest';
import {
  HANDOFF_BACKLOG,
  HANDOFF_GRO_CELLS,
  HANDOFF_NIC,
  HANDOFF_NONE,
  HANDOFF_RPS,
} from '../../model/compile/assemble.ts';
import { compile } from '../../model/compile/compile.ts';

describe('assemble', () => {
  it('builds the flat stage tables of flannel-vxlan with MSS 1398', () => {
    const c = compile({
      option: 'flannel-vxlan',
      workload: { rate_rps: 1000, response_bytes: 4096, connections: 100 },
    });
    expect([...c.rx.handoff]).toEqual([HANDOFF_NIC, HANDOFF_RPS, HANDOFF_GRO_CELLS, HANDOFF_BACKLOG]);
    expect([...c.tx.handoff]).toEqual([HANDOFF_NONE, HANDOFF_NONE, HANDOFF_BACKLOG]);
    expect(c.mss).toBe(1450 - 52);
    expect(c.responseSegments).toBe(3);
    expect(c.encapBytes).toBe(50);
    expect(c.irqCpuOfQueue[0]).toBe(0);
    expect(c.irqCpuOfQueue[1]).toBe(9);
  });
  it('turns switched-off mechanisms into unlimited or zero parameters', () => {
    const c = compile({
      option: 'net-host',
      workload: { rate_rps: 1000, response_bytes: 350, connections: 10 },
      set: [
        'host.mechanisms.backlog_limit=false',
        'host.mechanisms.idle_wakeup=false',
        'host.mechanisms.coalescing=false',
      ],
    });
    expect(c.maxBacklog).toBe(Number.POSITIVE_INFINITY);
    expect(c.wakeup_ns).toBe(0);
    expect(c.coalescingMode).toBe(0);
  });
});
