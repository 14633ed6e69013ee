/**
 * Batch means of consecutive measured latencies in completion order (for the MSER-5 warm-up check),
 * ns. Batches start at 5 requests; when the series reaches SERIES_CAP entries, adjacent pairs are
 * averaged and the batch size doubles, so memory stays bounded (1 MiB of Float32) whatever the run
 * length. Cost: O(1) amortised per value (the halving touches SERIES_CAP/2 entries once per
 * doubling of the run).
 */
import type { RunOutput } from './run-output.ts';

/** Entries of the series before it is coarsened. */
export const SERIES_CAP = 1 << 18;

export class LatencySeries {
  private acc = 0;
  private n = 0;

  /** Writes into out.series / seriesLength / seriesBatch (the RunOutput contract). */
  constructor(private readonly out: RunOutput) {}

  add(lat_ns: number): void {
    this.acc += lat_ns;
    if (++this.n < this.out.seriesBatch) return;
    const out = this.out;
    if (out.seriesLength === SERIES_CAP) {
      for (let i = 0; i < SERIES_CAP / 2; i++)
        out.series[i] = (out.series[2 * i]! + out.series[2 * i + 1]!) / 2;
      out.seriesLength = SERIES_CAP / 2;
      out.seriesBatch *= 2;
    }
    if (out.seriesLength === out.series.length) {
      const b = new Float32Array(Math.min(SERIES_CAP, Math.max(1024, out.series.length * 2)));
      b.set(out.series);
      out.series = b;
    }
    out.series[out.seriesLength++] = this.acc / this.n;
    this.acc = 0;
    this.n = 0;
  }
}
