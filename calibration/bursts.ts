/**
 * The generator's bursts, lab against model: the repeats' burst reports (run records,
 * generator.bursts) merged into one, and one line that sets them beside the simulator's
 * (SimResult.bursts): ticks per second, sends per tick, and the mean latency from the write by
 * position in the burst. A diagnostic without a target: it shows whether the model's bursts are as
 * large and as frequent as the lab's, and whether latency grows (or falls) along a burst as in the lab.
 */
import type { GeneratorBursts } from '../harness/run-record.ts';
import type { BurstReport } from '../sim/result.ts';

/** The repeats merged: rates averaged, each position bin's mean weighted by its requests. Null for none. */
export function mergeBursts(reports: readonly GeneratorBursts[]): GeneratorBursts | null {
  if (reports.length === 0) return null;
  const mean = (f: (r: GeneratorBursts) => number) => reports.reduce((a, r) => a + f(r), 0) / reports.length;
  const bins = new Map<number, { from: number; to: number | null; requests: number; sum: number }>();
  for (const r of reports)
    for (const b of r.by_position) {
      const acc = bins.get(b.from) ?? { from: b.from, to: b.to, requests: 0, sum: 0 };
      acc.requests += b.requests;
      acc.sum += b.requests * b.latency_mean_ms;
      bins.set(b.from, acc);
    }
  return {
    ticks_per_s: mean((r) => r.ticks_per_s),
    empty_ticks_per_s: mean((r) => r.empty_ticks_per_s),
    sends_per_tick_mean: mean((r) => r.sends_per_tick_mean),
    by_position: [...bins.values()]
      .sort((a, b) => a.from - b.from)
      .map((b) => ({ from: b.from, to: b.to, requests: b.requests, latency_mean_ms: b.sum / b.requests })),
  };
}

function positions(b: GeneratorBursts | BurstReport): string {
  return b.by_position
    .map((x) => `${x.from === x.to ? x.from : `${x.from}-${x.to ?? ''}`}: ${x.latency_mean_ms.toFixed(3)}`)
    .join(', ');
}

/** One line: the lab's bursts and the model's (ms by position bin). */
export function describeBursts(lab: GeneratorBursts | null, model: BurstReport | null | undefined): string {
  const one = (name: string, b: GeneratorBursts | BurstReport | null | undefined) =>
    b
      ? `${name} ${b.sends_per_tick_mean.toFixed(1)} sends per tick at ${b.ticks_per_s.toFixed(0)} ticks/s (${b.empty_ticks_per_s.toFixed(0)} empty), latency by position ${positions(b)} ms`
      : `${name} -`;
  return `bursts: ${one('lab', lab)}; ${one('model', model)}`;
}
