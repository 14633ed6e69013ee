/**
 * The events-by-kind benchmark counts what the interpreter does, and its counts add up: every
 * event is counted under one kind, a request is sent by exactly one send-due event, and the CPU
 * chunk ends it counts are the CPU events that were not stale. (Its times are measurements and are
 * not asserted.) The engine's instrumentation hooks are checked in test/sim/engine.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../bench/model-events.ts';

interface Out {
  events_per_request: number;
  by_kind: { kind: string; per_request: number }[];
  chunk_ends_per_request: number;
  back_to_back_per_request: number;
}

describe('bench model-events', () => {
  it('counts every event under one kind, one send per request, chunk ends = live CPU events', async () => {
    const out = (await run({ json: true, option: 'flannel-vxlan', requests: 20_000, rate: 100_000 })) as Out;
    const per = (k: string) => out.by_kind.find((x) => x.kind === k)?.per_request ?? 0;
    const sum = out.by_kind.reduce((s, x) => s + x.per_request, 0);
    // Each kind is rounded to 1e-3 per request: the sum may be off by half that per kind.
    expect(Math.abs(sum - out.events_per_request)).toBeLessThanOrEqual(0.0005 * out.by_kind.length + 0.0005);
    // tcpkali has one send-due event per request it writes; a send due just before the end whose
    // write completes after it is not counted as written (a handful in 20 000).
    expect(per('send due')).toBeGreaterThanOrEqual(1);
    expect(per('send due')).toBeLessThan(1.002);
    const cpu = out.by_kind.filter((x) => x.kind.startsWith('cpu: ')).reduce((s, x) => s + x.per_request, 0);
    const stale = per('cpu: stale completion (preempted chunk)');
    expect(Math.abs(out.chunk_ends_per_request - (cpu - stale))).toBeLessThanOrEqual(
      0.0005 * out.by_kind.length + 0.0005,
    );
    expect(out.back_to_back_per_request).toBeLessThanOrEqual(out.chunk_ends_per_request);
    // vxlan's receive path has a gro_cells pass: its polls are counted under their own kind.
    expect(per('cpu: poll (gro_cells queue)')).toBeGreaterThan(0);
  });
});
