/**
 * Latency against percentile for each option at one (rate, response size) point, both axes log:
 * the x axis is "1 in N" requests (N = 1/(1-q)), labelled as percentiles, from p85 to p99.999,
 * so each decade is one more nine. Points carry their 95 % CI as a vertical rule.
 */
import type { TopLevelSpec } from 'vega-lite';
import { clampToFloor, logFloor } from './log-floor.ts';
import { CHART_CONFIG, ciTooltip, optionColor, percentileLabel } from './theme.ts';

export interface PercentilePoint {
  option: string;
  /** Quantile, 0 < q < 1 (max is not drawn: it has no place on this axis). */
  q: number;
  latency_ms: number;
  ci_lo_ms?: number | null;
  ci_hi_ms?: number | null;
}

const TICK_QUANTILES = [0.85, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999, 0.99999];

export function latencyVsPercentileSpec(points: readonly PercentilePoint[], title: string): TopLevelSpec {
  const values = points
    .filter((p) => p.q >= 0.85 && p.q < 1 && p.latency_ms > 0)
    .map((p) => ({
      option: p.option,
      percentile: percentileLabel(p.q),
      one_in: 1 / (1 - p.q),
      latency_ms: p.latency_ms,
      ci_lo_ms: p.ci_lo_ms ?? p.latency_ms,
      ci_hi_ms: p.ci_hi_ms ?? p.latency_ms,
    }));
  const floor = logFloor(values.map((v) => v.latency_ms));
  const top = Math.max(floor * 2, ...values.flatMap((v) => [v.latency_ms, v.ci_hi_ms])) * 1.1;
  for (const v of values) Object.assign(v, { ci_lo_plot_ms: clampToFloor(v.ci_lo_ms, floor) });
  const ticks = TICK_QUANTILES.map((q) => 1 / (1 - q));
  const x = {
    field: 'one_in',
    type: 'quantitative' as const,
    title: 'percentile',
    scale: { type: 'log' as const, domain: [ticks[0]!, ticks[ticks.length - 1]!] },
    axis: {
      // No p85 tick: the axis starts there for room, and its label crowded out p90's (the first point).
      values: ticks.slice(1),
      labelExpr: "'p' + format(100 - 100 / datum.value, '.3~f')",
      grid: true,
    },
  };
  const color = optionColor(values.map((v) => v.option));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 320,
    config: CHART_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 1 },
        encoding: {
          x,
          y: { field: 'ci_lo_plot_ms', type: 'quantitative' },
          y2: { field: 'ci_hi_ms' },
          color,
        },
      },
      {
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y: {
            field: 'latency_ms',
            type: 'quantitative',
            title: 'latency (ms)',
            scale: { type: 'log', domainMin: floor, domainMax: top, nice: false },
          },
          color,
          tooltip: [
            { field: 'option' },
            { field: 'percentile' },
            { field: 'latency_ms', format: '.3f', title: 'latency (ms)' },
            ...ciTooltip('ci_lo_ms', 'ci_hi_ms', '.3f', 'ms'),
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
