/**
 * Burst bins (sim/burst-bins.ts) and the generator's summary (harness/generator/burst-stats.ts): positions in
 * power-of-two bins, ticks and sends per tick over the window, mean latency per bin.
 */
import { describe, expect, it } from 'vitest';
import { BurstStats } from '../../harness/generator/burst-stats.ts';
import { BURST_BINS, burstBin, burstBinRange } from '../../sim/burst-bins.ts';

describe('burst bins', () => {
  it('put positions 0, 1, 2-3, 4-7, ... 64-127 and 128+ in consecutive bins', () => {
    const expected: [number, number][] = [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 2],
      [4, 3],
      [7, 3],
      [8, 4],
      [127, 7],
      [128, 8],
      [100_000, 8],
    ];
    for (const [pos, bin] of expected) expect(burstBin(pos)).toBe(bin);
    // Each bin's range holds exactly the positions that map to it.
    for (let b = 0; b < BURST_BINS; b++) {
      const { from, to } = burstBinRange(b);
      expect(burstBin(from)).toBe(b);
      if (to !== null) {
        expect(burstBin(to)).toBe(b);
        expect(burstBin(to + 1)).toBe(b + 1);
      } else expect(b).toBe(BURST_BINS - 1);
    }
  });

  it('summarise ticks, sends per non-empty tick and the mean latency per bin', () => {
    const s = new BurstStats();
    s.tick(3);
    s.tick(0);
    s.tick(5);
    // Positions 0 and 1 once each, 2 and 3 (one bin) with 100 and 300 us.
    s.response(0, 50);
    s.response(1, 80);
    s.response(2, 100);
    s.response(3, 300);
    const r = s.summary(2);
    expect(r.ticks_per_s).toBe(1.5);
    expect(r.empty_ticks_per_s).toBe(0.5);
    expect(r.sends_per_tick_mean).toBe(4);
    expect(r.by_position).toEqual([
      { from: 0, to: 0, requests: 1, latency_mean_ms: 0.05 },
      { from: 1, to: 1, requests: 1, latency_mean_ms: 0.08 },
      { from: 2, to: 3, requests: 2, latency_mean_ms: 0.2 },
    ]);
  });
});
