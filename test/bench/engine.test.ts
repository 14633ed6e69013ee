/**
 * The engine benchmark's warm-up only moves the start of the timing window: the simulation is the
 * same one, so N timed events after W warm-up events see exactly the histogram of N + W cold events.
 * (Speed itself is never asserted: benchmarks are measurements, not tests.)
 */
import { describe, expect, it } from 'vitest';
import { run, runMm1 } from '../../bench/engine.ts';
import { InputError } from '../../cli/errors.ts';

describe('bench engine: M/M/1 warm-up', () => {
  it('times exactly the requested events after the warm-up, on the same sample path', () => {
    const warm = runMm1(200_000, 0.9, 7, 'ziggurat', 50_000);
    const cold = runMm1(250_000, 0.9, 7, 'ziggurat', 0);
    expect(warm.events).toBe(200_000);
    expect(warm.warmup_events).toBe(50_000);
    expect(cold.warmup_events).toBe(0);
    expect(warm.mean_response_us).toBe(cold.mean_response_us);
  });

  it('rejects a negative warm-up and a warm-up for the hold model', async () => {
    expect(() => runMm1(1000, 0.9, 1, 'ziggurat', -1)).toThrow(/warmupEvents/);
    await expect(run({ model: 'hold', warmupEvents: 10, events: 100 })).rejects.toBeInstanceOf(InputError);
  });
});
