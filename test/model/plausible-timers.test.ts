import { describe, expect, it } from 'vitest';
import { normalize } from '../../model/compile/normalize.ts';
import { inputError } from './helpers/input-error.ts';

const base = { option: 'net-host', workload: { rate_rps: 5000, response_bytes: 350 } };

describe('TCP timers beyond what Linux uses', () => {
  it('are refused as unit slips (a delayed ACK of 1e15 ns ran minutes of warm-up, then said SATURATED)', () => {
    const e = inputError(() => normalize({ ...base, set: ['host.tcp.delack_ns=1e15'] }));
    expect(e.field).toBe('host.tcp.delack_ns');
    expect(e.reason).toMatch(/at most 1e9 ns/);
    expect(inputError(() => normalize({ ...base, set: ['host.tcp.rto_min_ns=1e12'] })).field).toBe(
      'host.tcp.rto_min_ns',
    );
    // Linux's own values pass: 40 ms and 200 ms delayed ACKs, a 200 ms RTO minimum.
    expect(
      normalize({ ...base, set: ['host.tcp.delack_ns=200e6', 'host.tcp.rto_min_ns=200e6'] }).host.tcp
        .delack_ns,
    ).toBe(200e6);
  });
});
