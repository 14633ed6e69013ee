/**
 * The generator's bursts: each wake-up of the send loop (a tick) writes every send already due back
 * to back, so a request's latency depends on its position in that burst (the ones written before
 * it are ahead of it at the server). Counted over the measured window: ticks (loop wake-ups,
 * including those that found nothing due), sends per tick, and the mean latency from the write by
 * position in the burst, in power-of-two bins (sim/burst-bins.ts: 0, 1, 2-3, 4-7, ... 128+) so that a
 * few numbers describe bursts of any size. The simulator reports the same, bin for bin.
 *
 * Cost: O(1) per tick and per response, no allocation.
 */
import { BURST_BINS, burstBin, summarizeBursts } from '../../sim/burst-bins.ts';
import type { GeneratorBursts } from '../run-record.ts';

export class BurstStats {
  private ticks = 0;
  private emptyTicks = 0;
  private sends = 0;
  private readonly count = new Float64Array(BURST_BINS);
  private readonly sum_us = new Float64Array(BURST_BINS);

  /** A tick of the measured window wrote `sends` requests (0: it found nothing due). */
  tick(sends: number): void {
    this.ticks++;
    if (sends === 0) this.emptyTicks++;
    this.sends += sends;
  }

  /** A measured request written at position `pos` of its burst took `latency_us` from its write. */
  response(pos: number, latency_us: number): void {
    const b = burstBin(pos);
    this.count[b]!++;
    this.sum_us[b]! += latency_us;
  }

  summary(window_s: number): GeneratorBursts {
    return summarizeBursts(
      {
        ticks: this.ticks,
        emptyTicks: this.emptyTicks,
        sends: this.sends,
        count: (b) => this.count[b]!,
        sum: (b) => this.sum_us[b]!,
        unitsPerMs: 1000,
      },
      window_s,
    );
  }
}
