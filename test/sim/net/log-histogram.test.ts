import { describe, expect, it } from 'vitest';
import { createStream } from '../../../sim/engine/rng.ts';
import { LogHistogram } from '../../../sim/net/log-histogram.ts';

describe('LogHistogram', () => {
  it('keeps small values exact and quantiles within one bucket (3.1 %) of the exact sample quantile', () => {
    const h = new LogHistogram();
    const src = createStream(5, 0, 'log-histogram-test');
    const values: number[] = [];
    for (let i = 0; i < 20000; i++) {
      // Log-uniform from 1 ns to 10 ms covers every octave the stages see.
      const v = Math.floor(10 ** (src() * 7));
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const q of [0.1, 0.5, 0.9, 0.99, 0.999]) {
      const exact = values[Math.ceil(q * values.length) - 1]!;
      const got = h.quantile(q);
      // The upper edge of the bucket holding the exact value: >= exact, and <= exact x (1 + 1/32) + 1.
      expect(got).toBeGreaterThanOrEqual(exact);
      expect(got).toBeLessThanOrEqual(exact * (1 + 1 / 32) + 1);
    }
    expect(h.total).toBe(20000);
    expect(h.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
  });
  it('records exact values below 32 ns', () => {
    const h = new LogHistogram();
    for (const v of [0, 3, 3, 31]) h.record(v);
    expect(h.quantile(0.5)).toBe(3);
    expect(h.quantile(1)).toBe(31);
  });
});
