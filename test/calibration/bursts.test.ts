/**
 * Merging the repeats' burst reports (calibration/bursts.ts): rates averaged over repeats, each
 * position bin's mean latency weighted by its requests (so the merged mean is the mean over all
 * the requests of that bin), bins in position order; and the one-line comparison.
 */
import { describe, expect, it } from 'vitest';
import { describeBursts, mergeBursts } from '../../calibration/bursts.ts';
import type { GeneratorBursts } from '../../harness/run-record.ts';

const a: GeneratorBursts = {
  ticks_per_s: 600,
  empty_ticks_per_s: 0,
  sends_per_tick_mean: 20,
  by_position: [
    { from: 0, to: 0, requests: 100, latency_mean_ms: 0.3 },
    { from: 2, to: 3, requests: 200, latency_mean_ms: 0.2 },
  ],
};
const b: GeneratorBursts = {
  ticks_per_s: 700,
  empty_ticks_per_s: 10,
  sends_per_tick_mean: 22,
  by_position: [
    { from: 2, to: 3, requests: 100, latency_mean_ms: 0.5 },
    { from: 0, to: 0, requests: 300, latency_mean_ms: 0.1 },
    { from: 128, to: null, requests: 1, latency_mean_ms: 2 },
  ],
};

describe('mergeBursts', () => {
  it('averages the rates and weights each bin by its requests', () => {
    const m = mergeBursts([a, b])!;
    expect(m.ticks_per_s).toBe(650);
    expect(m.empty_ticks_per_s).toBe(5);
    expect(m.sends_per_tick_mean).toBe(21);
    expect(m.by_position.map((x) => [x.from, x.to, x.requests])).toEqual([
      [0, 0, 400],
      [2, 3, 300],
      [128, null, 1],
    ]);
    // (100 x 0.3 + 300 x 0.1) / 400 and (200 x 0.2 + 100 x 0.5) / 300.
    expect(m.by_position[0]!.latency_mean_ms).toBeCloseTo(0.15, 12);
    expect(m.by_position[1]!.latency_mean_ms).toBeCloseTo(0.3, 12);
    expect(mergeBursts([])).toBeNull();
  });

  it('describes lab and model side by side, and says when one is missing', () => {
    const line = describeBursts(a, null);
    expect(line).toBe(
      'bursts: lab 20.0 sends per tick at 600 ticks/s (0 empty), latency by position 0: 0.300, 2-3: 0.200 ms; model -',
    );
    expect(describeBursts(null, { ...b })).toMatch(
      /^bursts: lab -; model 22\.0 sends per tick .* 128-: 2\.000 ms$/,
    );
  });
});
