/**
 * `Histogram.record` rounds without Math.round (a floor and a 0/1 correction, see histogram.ts); it
 * must keep Math.round's result and its acceptance rule (values that round to >= 0 are accepted,
 * so -0.5 is recorded as 0 and -0.6 throws), the clamp at 200 s, and agree with `recordN`.
 */
import { describe, expect, it } from 'vitest';
import { HISTOGRAM_HIGHEST_NS, Histogram } from '../../../sim/engine/histogram.ts';

describe('Histogram.record rounding', () => {
  it('records Math.round of each value, clamped at 200 s', () => {
    const values = [
      -0.5,
      -0.3,
      -0,
      0,
      0.49999999999999994,
      0.5,
      1.5,
      2.5,
      1023.5,
      2047.5,
      4096.49,
      2 ** 31 + 0.5,
      2 ** 32 - 0.5,
      2 ** 52 + 1,
      199e9 + 0.5,
      2e11 + 0.4,
      2e11 + 0.6,
      3e12,
      Number.POSITIVE_INFINITY,
    ];
    const h = new Histogram();
    const ref = new Histogram();
    let sum = 0;
    let clamped = 0;
    for (const x of values) {
      h.record(x);
      let v = Math.round(x);
      if (v > HISTOGRAM_HIGHEST_NS) {
        v = HISTOGRAM_HIGHEST_NS;
        clamped++;
      }
      sum += v;
      ref.recordN(v, 1);
    }
    expect(h.count).toBe(values.length);
    expect(h.sum_ns).toBe(sum);
    expect(h.clamped).toBe(clamped);
    expect(h.min).toBe(0);
    expect(h.max).toBe(HISTOGRAM_HIGHEST_NS);
    for (const q of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) expect(h.quantile(q)).toBe(ref.quantile(q));
    expect(h.encode().hdr).toBe(ref.encode().hdr);
    h.destroy();
    ref.destroy();
  });

  it('throws on values that round below zero, naming the value', () => {
    const h = new Histogram();
    expect(() => h.record(-0.6)).toThrow(/>= 0 ns \(got -0.6\)/);
    expect(() => h.record(Number.NaN)).toThrow(/got NaN/);
    expect(() => h.record(Number.NEGATIVE_INFINITY)).toThrow(/got -Infinity/);
    expect(h.count).toBe(0);
    h.destroy();
  });
});
