import { describe, expect, it } from 'vitest';
import { findKnee } from '../../../notebooks/lib/knee.ts';

const pt = (rate_rps: number, latency_ms: number | null, saturated = false) => ({
  rate_rps,
  latency_ms,
  saturated,
});

describe('findKnee', () => {
  it('is the last rate whose latency stays within 2x the lowest-rate latency', () => {
    const k = findKnee([pt(50e3, 1), pt(100e3, 1.2), pt(150e3, 1.9), pt(200e3, 2.5), pt(250e3, 1.5)]);
    // 200k is the first point above 2 x 1 ms; a later dip does not move the knee back up.
    expect(k).toEqual({ knee_rps: 150e3, latency_ms: 1.9, beyond_grid: false });
  });

  it('stops at the first saturated point and ignores input order', () => {
    expect(findKnee([pt(150e3, null, true), pt(100e3, 1.1), pt(50e3, 1)])).toEqual({
      knee_rps: 100e3,
      latency_ms: 1.1,
      beyond_grid: false,
    });
  });

  it('says when the curve never bent on the grid', () => {
    expect(findKnee([pt(50e3, 1), pt(100e3, 1.5)])?.beyond_grid).toBe(true);
  });

  it('has no knee when the lowest rate already saturates, or with no points', () => {
    expect(findKnee([pt(50e3, null, true), pt(100e3, null, true)])).toBeNull();
    expect(findKnee([])).toBeNull();
  });

  it('takes the factor as a parameter', () => {
    expect(findKnee([pt(1, 1), pt(2, 2.5), pt(3, 3.5)], 3)?.knee_rps).toBe(2);
  });
});
