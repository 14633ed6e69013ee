/**
 * The knee of a latency-against-rate curve: the highest offered rate up to which the curve stays
 * "flat", i.e. every point from the lowest rate on is unsaturated and its latency is at most
 * `factor` times the latency at the lowest rate (default 2: the rate at which queueing has doubled
 * the unloaded tail). Simple and explicit rather than a curvature estimate, which a grid of ten
 * noisy points cannot support.
 *
 * `beyond_grid` is true when no point on the grid crossed the threshold: the knee is then at or
 * above the highest rate tried, not at it.
 */
import type { TableColumn } from './types.ts';

/** Columns of a knee table (the seed study's, a sweep report's): one row per option and size. */
export const KNEE_COLUMNS: readonly TableColumn[] = [
  { key: 'option', header: 'option' },
  { key: 'response_bytes', header: 'response_bytes' },
  { key: 'knee_rps', header: 'knee_rps' },
  { key: 'knee_note', header: 'knee_note' },
  { key: 'p99_at_knee_ms', header: 'p99_at_knee_ms', digits: 3 },
  { key: 'max_unsaturated_rps', header: 'max_unsaturated_rps' },
  { key: 'first_bottleneck', header: 'first_bottleneck' },
];

export interface CurvePoint {
  rate_rps: number;
  latency_ms: number | null;
  saturated: boolean;
}

export interface KneeResult {
  knee_rps: number;
  latency_ms: number;
  beyond_grid: boolean;
}

export function findKnee(points: readonly CurvePoint[], factor = 2): KneeResult | null {
  const sorted = [...points].sort((a, b) => a.rate_rps - b.rate_rps);
  const first = sorted[0];
  if (!first || first.saturated || first.latency_ms === null) return null;
  const limit = first.latency_ms * factor;
  let knee: KneeResult = { knee_rps: first.rate_rps, latency_ms: first.latency_ms, beyond_grid: false };
  for (const p of sorted.slice(1)) {
    if (p.saturated || p.latency_ms === null || p.latency_ms > limit) return knee;
    knee = { knee_rps: p.rate_rps, latency_ms: p.latency_ms, beyond_grid: false };
  }
  return { ...knee, beyond_grid: true };
}

/**
 * A knee as table cells: `knee_rps` a number (or null) for machines, `knee_note` what qualifies it
 * (not reached on the grid, one rate only, already above the limit at the lowest rate).
 */
export function kneeCells(
  k: KneeResult | null,
  rates: number,
): { knee_rps: number | null; knee_note: string } {
  if (k)
    return { knee_rps: k.knee_rps, knee_note: k.beyond_grid ? 'at or above: not reached on the grid' : '' };
  return { knee_rps: null, knee_note: rates < 2 ? 'one rate: no curve' : 'below the grid' };
}
