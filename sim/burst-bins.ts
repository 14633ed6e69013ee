/**
 * Positions in a generator's send burst, in power-of-two bins: [0], [1], [2, 3], [4, 7], ...,
 * [64, 127], [128, +inf). A request's position is its 0-based index among the sends one wake-up of
 * the send loop (one tick) wrote. Shared by the simulator (sim/net/tcpkali.ts) and the lab's
 * open-loop generator (harness/generator/burst-stats.ts), so that their reports compare bin for bin;
 * both summarise their counts with summarizeBursts.
 */
import type { BurstReport } from './result.ts';

export const BURST_BINS = 9;

/** Bin of a 0-based position in the burst. */
export function burstBin(pos: number): number {
  if (pos <= 0) return 0;
  return Math.min(BURST_BINS - 1, 32 - Math.clz32(pos));
}

/** First and last position of bin b (last null: open-ended). */
export function burstBinRange(b: number): { from: number; to: number | null } {
  if (b === 0) return { from: 0, to: 0 };
  const from = 2 ** (b - 1);
  return { from, to: b === BURST_BINS - 1 ? null : 2 * from - 1 };
}

/** Counts of one measured window (or several summed): ticks, empty ticks, sends, per-bin requests and latency sums. */
export interface BurstTotals {
  ticks: number;
  emptyTicks: number;
  sends: number;
  /** Requests per bin (index = bin). */
  count: (b: number) => number;
  /** Summed latency from the write per bin, in units of 1 / unitsPerMs ms. */
  sum: (b: number) => number;
  unitsPerMs: number;
}

/** The report over `window_s` seconds: rates per second, sends per non-empty tick, mean latency per non-empty bin. */
export function summarizeBursts(t: BurstTotals, window_s: number): BurstReport {
  const by_position: BurstReport['by_position'] = [];
  for (let b = 0; b < BURST_BINS; b++) {
    const n = t.count(b);
    if (n > 0)
      by_position.push({ ...burstBinRange(b), requests: n, latency_mean_ms: t.sum(b) / n / t.unitsPerMs });
  }
  return {
    ticks_per_s: t.ticks / window_s,
    empty_ticks_per_s: t.emptyTicks / window_s,
    sends_per_tick_mean: t.ticks > t.emptyTicks ? t.sends / (t.ticks - t.emptyTicks) : 0,
    by_position,
  };
}
