/**
 * Lab validation: measured latency (x) against predicted latency (y) for every record and
 * percentile, log-log, with the line y = x; a point above the line is a prediction that is too
 * slow, below too fast. The vertical rule is the prediction's 95 % CI.
 */
import type { TopLevelSpec } from 'vega-lite';
import { clampToFloor, logFloor } from './log-floor.ts';
import { CHART_CONFIG, optionColor } from './theme.ts';

export interface ValidationPoint {
  option: string;
  percentile: string;
  rate_rps: number;
  measured_ms: number;
  predicted_ms: number;
  ci_lo_ms: number;
  ci_hi_ms: number;
}

export function predictedVsMeasuredSpec(points: readonly ValidationPoint[], title: string): TopLevelSpec {
  const lo = logFloor(points.flatMap((p) => [p.measured_ms, p.predicted_ms]));
  const hi = Math.max(lo * 10, ...points.flatMap((p) => [p.measured_ms, p.predicted_ms, p.ci_hi_ms])) * 1.5;
  const values = points
    .filter((p) => p.measured_ms > 0 && p.predicted_ms > 0)
    .map((p) => ({ ...p, ci_lo_plot_ms: clampToFloor(p.ci_lo_ms, lo) }));
  const scale = { type: 'log' as const, domain: [lo, hi] };
  const color = optionColor(values.map((v) => v.option));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 420,
    config: CHART_CONFIG,
    layer: [
      {
        data: {
          values: [
            { a: lo, b: lo },
            { a: hi, b: hi },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'a', type: 'quantitative', scale },
          y: { field: 'b', type: 'quantitative', scale },
        },
      },
      {
        data: { values },
        mark: { type: 'rule', opacity: 0.6 },
        encoding: {
          x: { field: 'measured_ms', type: 'quantitative', scale },
          y: { field: 'ci_lo_plot_ms', type: 'quantitative', scale },
          y2: { field: 'ci_hi_ms' },
          color,
        },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'measured_ms', type: 'quantitative', scale, title: 'measured latency (ms)' },
          y: { field: 'predicted_ms', type: 'quantitative', scale, title: 'predicted latency (ms)' },
          color,
          shape: { field: 'percentile', type: 'nominal' },
          tooltip: [
            { field: 'option' },
            { field: 'percentile' },
            { field: 'rate_rps', title: 'rate (req/s)' },
            { field: 'measured_ms', format: '.3f' },
            { field: 'predicted_ms', format: '.3f' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
