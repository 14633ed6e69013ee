import { describe, expect, it } from 'vitest';
import { formatResult } from '../../cli/commands/simulate.ts';
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
