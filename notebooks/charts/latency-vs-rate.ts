/**
 * A latency percentile (p99 by default) against offered rate, one line per option, one panel per
 * response size, y on a log axis. Each option's knee (see notebooks/lib/knee.ts) is a large
 * diamond; a saturated point has no percentile and is drawn as a cross along the top of its panel
 * (one row per option, so they do not hide each other; the height is no latency).
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, optionColor, responseLabel } from './theme.ts';

export interface RatePoint {
  option: string;
  response_bytes: number;
  rate_rps: number;
  /** Null when the point saturated. */
  latency_ms: number | null;
  saturated: boolean;
}

export interface Knee {
  option: string;
  response_bytes: number;
  knee_rps: number;
  latency_ms: number;
}

export function latencyVsRateSpec(
  points: readonly RatePoint[],
  knees: readonly Knee[],
  percentile = 'p99',
): TopLevelSpec {
  const finite = points.filter((p) => p.latency_ms !== null && p.latency_ms > 0);
  const options = [...new Set(points.map((p) => p.option))];
  const top = Math.max(1, ...finite.map((p) => p.latency_ms as number)) * 1.5;
  const row = (
    kind: string,
    p: { option: string; response_bytes: number },
    rate_rps: number,
    latency_ms: number | null,
  ) => ({
    kind,
    option: p.option,
    response: responseLabel(p.response_bytes),
    rate_krps: rate_rps / 1000,
    latency_ms,
    // What the tooltip shows: a saturated point has no latency to show.
    value: kind === 'saturated' ? 'saturated: no percentile' : (latency_ms?.toFixed(3) ?? '-'),
  });
  const values = [
    ...finite.map((p) => row('curve', p, p.rate_rps, p.latency_ms)),
    // Along the top, one row per option (its order, 12 % apart on the log axis) so crosses at the
    // same rate do not hide each other; the height is a placeholder, not a latency.
    ...points
      .filter((p) => p.saturated)
      .map((p) => row('saturated', p, p.rate_rps, top * 1.12 ** options.indexOf(p.option))),
    ...knees.map((k) => row('knee', k, k.knee_rps, k.latency_ms)),
  ];
  const responses = [...new Set(points.map((p) => p.response_bytes))]
    .sort((a, b) => a - b)
    .map(responseLabel);
  const color = optionColor(points.map((p) => p.option));
  const x = {
    field: 'rate_krps',
    type: 'quantitative' as const,
    title: 'offered rate (k requests/s)',
    scale: { zero: true },
  };
  const y = {
    field: 'latency_ms',
    type: 'quantitative' as const,
    title: `${percentile} latency (ms)`,
    scale: { type: 'log' as const },
  };
  const tooltip = [
    { field: 'kind' },
    { field: 'option' },
    { field: 'rate_krps', title: 'rate (k/s)' },
    { field: 'value', title: `${percentile} (ms)` },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: `${percentile} latency against offered rate (diamond: knee; cross along the top: saturated, no percentile)`,
    config: CHART_CONFIG,
    data: { values },
    facet: { column: { field: 'response', type: 'nominal', title: 'response size', sort: responses } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 360,
      height: 300,
      layer: [
        {
          transform: [{ filter: "datum.kind === 'curve'" }],
          mark: { type: 'line', point: true },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: [{ filter: "datum.kind === 'knee'" }],
          mark: { type: 'point', shape: 'diamond', size: 220, filled: true, stroke: 'black', strokeWidth: 1 },
          encoding: { x, y, color, tooltip },
        },
        {
          transform: [{ filter: "datum.kind === 'saturated'" }],
          mark: { type: 'point', shape: 'cross', size: 90, filled: true },
          encoding: { x, y, color, tooltip },
        },
      ],
    },
  } as TopLevelSpec;
}
