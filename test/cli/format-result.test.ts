import { describe, expect, it, vi } from 'vitest';
import { formatResult, logWarnings } from '../../cli/commands/simulate.ts';
import { toyResult } from '../notebooks/fixtures/toy-results.ts';

describe('a saturated point as text', () => {
  const sat = (bottleneck: string) => ({
    ...toyResult('net-host', 5000, 350),
    saturated: true,
    bottleneck,
    latency_ms: null,
  });

  it('is an overload where a resource is full', () => {
    expect(formatResult(sat('server cpu 0 softirq'))).toMatch(
      /SATURATED: offered load exceeds capacity; bottleneck: server cpu 0 softirq/,
    );
  });

  it('is not called an overload where requests are lost with no resource near full', () => {
    const text = formatResult(sat('drops at server.stage_loss.ip_tcp_rcv'));
    expect(text).toMatch(
      /SATURATED: requests were not completed \(drops at server\.stage_loss\.ip_tcp_rcv; no resource/,
    );
    expect(text).not.toMatch(/offered load exceeds/);
  });
});

describe('warnings', () => {
  it('go to stderr, not into the result on stdout, and say which points they came from', () => {
    const r = { ...toyResult('net-host', 5000, 350), warnings: ['w1'] };
    expect(formatResult(r)).not.toMatch(/w1/);
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      lines.push(String(s));
      return true;
    });
    try {
      logWarnings([r, { ...toyResult('ipvlan', 5000, 350), warnings: [] }]);
      logWarnings([r]);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['warning: w1 [1 of 2 points: net-host 5000/s 350 B]\n', 'warning: w1\n']);
  });
});
