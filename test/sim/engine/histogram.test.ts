import { describe, expect, it } from 'vitest';
import * as hdr from 'hdr-histogram-js';
import {
  Histogram,
  HISTOGRAM_HIGHEST_NS,
  hdrIndex,
  hdrValueFromIndex,
} from '../../../sim/engine/histogram.ts';
import { createStream } from '../../../sim/engine/rng.ts';

describe('Histogram', () => {
  it('holds quantiles to 3 significant digits from 1 us to 200 s, and the exact mean', () => {
    const h = new Histogram();
    // 1..100000 us: the exact q-quantile is ceil(q n) us.
    for (let i = 1; i <= 100_000; i++) h.record(i * 1000);
    expect(h.count).toBe(100_000);
    expect(h.mean).toBe(50_000.5 * 1000);
    for (const q of [0.001, 0.5, 0.9, 0.99, 0.999, 0.99999]) {
      const exact = Math.ceil(q * 100_000) * 1000;
      expect(Math.abs(h.quantile(q) - exact) / exact).toBeLessThan(1e-3);
    }
    expect(h.quantile(1)).toBe(100_000_000);
    h.destroy();
  });

  it('never puts a percentile above the exact max (whose bucket reaches past it)', () => {
    // 1 000 001 ns sits in a bucket of width 1024 ns (3 significant digits, units of 1 ns): HDR's
    // highest equivalent value is above it, so an unclamped p99.999 of these 10^6 values exceeds max.
    const h = new Histogram();
    for (let i = 1; i <= 999_999; i++) h.record(1000);
    h.record(1_000_001);
    expect(h.max).toBe(1_000_001);
    // Above 1 - 1/n: the quantile is the top value's bucket.
    expect(h.quantile(0.9999995)).toBe(h.max);
    h.destroy();
  });

  it('records values near both ends of the range and clamps above 200 s', () => {
    const h = new Histogram();
    h.record(1000);
    h.record(199e9);
    h.record(500e9);
    expect(h.clamped).toBe(1);
    expect(Math.abs(h.quantile(0.01) - 1000)).toBeLessThanOrEqual(1);
    expect(Math.abs(h.quantile(0.5) - 199e9) / 199e9).toBeLessThan(1e-3);
    expect(Math.abs(h.max - HISTOGRAM_HIGHEST_NS) / HISTOGRAM_HIGHEST_NS).toBeLessThan(1e-3);
    expect(() => h.record(-1)).toThrow(/>= 0/);
    h.destroy();
  });

  it('merges exactly and survives encode/decode', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let i = 0; i < 5000; i++) {
      const v = 1000 + ((i * 7919) % 100_000) * 37;
      (i % 3 === 0 ? a : b).record(v);
      all.record(v);
    }
    const merged = Histogram.decode(a.encode());
    merged.add(Histogram.decode(b.encode()));
    expect(merged.count).toBe(all.count);
    expect(merged.sum_ns).toBe(all.sum_ns);
    for (const q of [0.1, 0.5, 0.99, 0.999]) expect(merged.quantile(q)).toBe(all.quantile(q));
    for (const h of [a, b, all, merged]) h.destroy();
  });

  it('recordN equals repeated record', () => {
    const a = new Histogram();
    const b = new Histogram();
    a.recordN(12345, 10);
    for (let i = 0; i < 10; i++) b.record(12345);
    expect(a.count).toBe(10);
    expect(a.quantile(0.5)).toBe(b.quantile(0.5));
    expect(a.mean).toBe(b.mean);
    a.destroy();
    b.destroy();
  });
});

describe('Histogram JS-side recording', () => {
  it('computes the same counts index as hdr-histogram-js for values across the whole range', () => {
    const js = hdr.build({
      useWebAssembly: false,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 200e9,
      numberOfSignificantValueDigits: 3,
    }) as unknown as { countsArrayIndex(v: number): number; valueFromIndex(i: number): number };
    const u = createStream(21, 0, 'hdr');
    const values = [
      0,
      1,
      2,
      1023,
      1024,
      2047,
      2048,
      2049,
      4095,
      4096,
      2 ** 31,
      2 ** 32 - 1,
      2 ** 32,
      2 ** 32 + 1,
      200e9,
    ];
    for (let i = 0; i < 20_000; i++) values.push(Math.round(Math.exp(u() * Math.log(200e9))));
    for (const v of values) {
      expect(hdrIndex(v)).toBe(js.countsArrayIndex(v));
      expect(hdrValueFromIndex(hdrIndex(v))).toBe(js.valueFromIndex(js.countsArrayIndex(v)));
    }
  });

  it('gives the same quantiles and encoding as recording each value into the WASM histogram', () => {
    const direct = hdr.build({
      useWebAssembly: true,
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 200e9,
      numberOfSignificantValueDigits: 3,
    });
    const ours = new Histogram();
    const u = createStream(22, 0, 'hdr2');
    for (let i = 0; i < 50_000; i++) {
      const v = Math.round(Math.exp(u() * Math.log(200e9)));
      direct.recordValue(v);
      ours.record(v);
    }
    for (const q of [0.0001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 0.9999])
      expect(ours.quantile(q)).toBe(Math.min(direct.getValueAtPercentile(q * 100), ours.max));
    const decoded = Histogram.decode(ours.encode());
    const fromDirect = hdr.decodeFromCompressedBase64(hdr.encodeIntoCompressedBase64(direct), 32, true);
    for (const q of [0.001, 0.5, 0.99, 0.99999])
      expect(decoded.quantile(q)).toBe(Math.min(fromDirect.getValueAtPercentile(q * 100), decoded.max));
    expect(decoded.count).toBe(50_000);
    expect(decoded.max).toBe(ours.max);
    expect(decoded.min).toBe(ours.min);
    // Records after a read land too (pending counts are flushed again on the next read).
    ours.record(5e9);
    expect(ours.count).toBe(50_001);
    expect(ours.quantile(1)).toBe(Math.max(ours.max, 5e9));
    for (const h of [direct, fromDirect]) h.destroy();
    ours.destroy();
    decoded.destroy();
  });
});
