import { describe, expect, it } from 'vitest';
import { censoredLoss, censorInterval, logDistance } from '../../calibration/censored-loss.ts';

describe('censorInterval', () => {
  it('reads a printed tcpkali value as the truncation bucket above it', () => {
    const iv = censorInterval(0.7, 0.1, true);
    expect(iv.lo).toBeCloseTo(0.7, 12);
    expect(iv.hi).toBeCloseTo(0.8, 12);
  });
  it('widens the bucket where the 3-digit HdrHistogram does (2048 units = 204.8 ms)', () => {
    // 201.9 ms = 2019 units: still unit buckets.
    const a = censorInterval(201.9, 0.1, true);
    expect(a.hi - a.lo).toBeCloseTo(0.1, 9);
    // 405.3 ms = 4053 units: 2-unit buckets [4052, 4053], truth in [405.2, 405.4).
    const b = censorInterval(405.3, 0.1, true);
    expect(b.lo).toBeCloseTo(405.2, 9);
    expect(b.hi).toBeCloseTo(405.4, 9);
    // Without HdrHistogram buckets the width stays one unit.
    const c = censorInterval(405.3, 0.1, false);
    expect(c.hi - c.lo).toBeCloseTo(0.1, 9);
  });
  it('rejects a non-positive resolution', () => {
    expect(() => censorInterval(1, 0, true)).toThrow(/resolution_ms/);
  });
});

describe('censoredLoss', () => {
  const iv = { lo: 0.7, hi: 0.8 };
  it('is zero anywhere inside the bucket', () => {
    for (const p of [0.7, 0.72, 0.75, 0.7999])
      expect(censoredLoss([{ pred: p, interval: iv, sigma: 0.05 }])).toBe(0);
  });
  it('grows with the squared log-distance to the nearer edge, scaled by sigma', () => {
    // 10 % above the upper edge with sigma 0.05: z = ln(1.1)/0.05, loss = z^2/2.
    const z = Math.log(1.1) / 0.05;
    expect(censoredLoss([{ pred: 0.88, interval: iv, sigma: 0.05 }])).toBeCloseTo(0.5 * z * z, 9);
    expect(logDistance(0.63, iv)).toBeCloseTo(Math.log(0.9), 12);
    // Symmetric in ratio: 10 % below the lower edge costs the same as 10 % above the upper one.
    expect(censoredLoss([{ pred: 0.7 / 1.1, interval: iv, sigma: 0.05 }])).toBeCloseTo(0.5 * z * z, 9);
  });
  it('charges the cap for a missing (zero) prediction of a positive measurement', () => {
    expect(censoredLoss([{ pred: 0, interval: iv, sigma: 0.05 }], 1000)).toBe(1000);
  });
});
