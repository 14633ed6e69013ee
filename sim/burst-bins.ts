/**
 * Positions in a generator's send burst, in power-of-two bins: [0], [1], [2, 3], [4, 7], ...,
 * [64, 127], [128, +inf). A request's position is its 0-based index among the sends one wake-up of
 * the send loop (one tick) wrote. Shared by the simulator (sim/net/tcpkali.ts) and the lab's
 * open-loop generator (harness/generator/burst-stats.ts), so that their reports compare bin for bin.
 */

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
