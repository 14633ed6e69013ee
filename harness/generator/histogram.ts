/**
 * Microsecond latency histograms for the generator: hdr-histogram-js, WASM build, 3 significant
 * digits, integers only (it truncates fractions). Reported as run-record percentiles in ms.
 */
import * as hdr from 'hdr-histogram-js';
import type { LatencyPercentilesMs } from '../run-record.ts';

let ready: Promise<void> | null = null;

/** Loads the WASM build once per process. */
export function initHistograms(): Promise<void> {
  ready ??= hdr.initWebAssembly();
  return ready;
}

export interface UsHistogram {
  record(us: number): void;
  readonly count: number;
  percentilesMs(): LatencyPercentilesMs;
  meanMs(): number;
  destroy(): void;
}

const KEYS: [keyof LatencyPercentilesMs, number][] = [
  ['p50', 50],
  ['p90', 90],
  ['p95', 95],
  ['p99', 99],
  ['p99_5', 99.5],
  ['p99_9', 99.9],
  ['p99_99', 99.99],
  ['p99_999', 99.999],
];

/** Call after `await initHistograms()`. Range 1 µs .. 100 s (auto-resizes beyond). */
export function createUsHistogram(): UsHistogram {
  const h = hdr.build({
    useWebAssembly: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 100_000_000,
    numberOfSignificantValueDigits: 3,
  });
  return {
    record(us: number) {
      h.recordValue(Math.max(1, Math.round(us)));
    },
    get count() {
      return h.totalCount;
    },
    percentilesMs() {
      if (h.totalCount === 0) return {};
      const out: LatencyPercentilesMs = {};
      // A percentile needs enough samples to mean anything: p99.99 from 500 samples is the max.
      for (const [k, p] of KEYS)
        if (h.totalCount * (1 - p / 100) >= 1 || p === 50) out[k] = h.getValueAtPercentile(p) / 1000;
      out.max = h.maxValue / 1000;
      return out;
    },
    meanMs() {
      return h.mean / 1000;
    },
    destroy() {
      h.destroy();
    },
  };
}
