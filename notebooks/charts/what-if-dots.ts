/**
 * What-if answers: for each question (RPS on/off, coalescing, ...), one row per variant with its
 * latency percentile and 95 % CI, on a log axis; the baseline has its own shape. Variants
 * that saturated are listed in the table instead (they have no percentile).
 */
import type { TopLevelSpec } from 'vega-lite';
import { clampToFloor, logFloor } from './log-floor.ts';
import { CHART_CONFIG, ciTooltip } from './theme.ts';

export interface WhatIfPoint {
  question: string;
  variant: string;
  baseline: boolean;
  latency_ms: number;
  ci_lo_ms: number;
  ci_hi_ms: number;
}

export function whatIfSpec(points: readonly WhatIfPoint[], percentile: string, title: string): TopLevelSpec {
  const floor = logFloor(points.map((p) => p.latency_ms));
  const top = Math.max(floor * 2, ...points.flatMap((p) => [p.latency_ms, p.ci_hi_ms])) * 1.1;
  const values = points.map((p) => ({
    ...p,
    ci_lo_plot_ms: clampToFloor(p.ci_lo_ms, floor),
    kind: p.baseline ? 'baseline' : 'variant',
    row: `${p.question}: ${p.variant}`,
  }));
  const y = {
    field: 'row',
    type: 'nominal' as const,
    title: null,
    sort: values.map((v) => v.row),
    axis: { labelLimit: 320 },
  };
  const x = {
    field: 'latency_ms',
    type: 'quantitative' as const,
    title: `${percentile} latency (ms)`,
    scale: { type: 'log' as const, domainMin: floor, domainMax: top, nice: false },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: { step: 24 },
    config: CHART_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'rule' },
        encoding: { y, x: { field: 'ci_lo_plot_ms', type: 'quantitative' }, x2: { field: 'ci_hi_ms' } },
      },
      {
        mark: { type: 'point', size: 70, strokeWidth: 2 },
        encoding: {
          y,
          x,
          color: { field: 'question', type: 'nominal', title: 'question' },
          shape: { field: 'kind', type: 'nominal', title: null },
          tooltip: [
            { field: 'question' },
            { field: 'variant' },
            { field: 'latency_ms', format: '.3f', title: `${percentile} (ms)` },
            ...ciTooltip('ci_lo_ms', 'ci_hi_ms', '.3f', 'ms'),
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
