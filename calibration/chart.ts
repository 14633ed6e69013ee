/**
 * The validation chart: predicted against measured latency for every record and percentile, on log
 * axes, with the 95 % prediction interval as a vertical bar and the line of perfect agreement.
 * Built as a vega-lite spec (kept in the output for people who want to restyle it) and rendered to
 * SVG through vega's headless View.toSVG(); no browser and no network.
 */
import { parse as vegaParse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ValidationReport } from './validate.ts';

export function validationChartSpec(
  report: ValidationReport,
  title = 'cnisim validate: predicted vs measured',
): TopLevelSpec {
  const points = report.rows
    .filter((r) => r.predicted_ms !== null && r.measured_ms > 0)
    .map((r) => ({
      option: r.option,
      percentile: r.percentile,
      point: `${r.rate_rps} rps, ${r.response_bytes} B`,
      measured_ms: r.measured_ms,
      predicted_ms: r.predicted_ms,
      pi_lo_ms: r.pi95_ms?.[0] ?? r.predicted_ms,
      pi_hi_ms: r.pi95_ms?.[1] ?? r.predicted_ms,
      inside: r.inside_pi === null ? 'no interval' : r.inside_pi ? 'inside' : 'outside',
    }));
  const values = points.flatMap((p) => [
    p.measured_ms,
    p.pi_lo_ms ?? p.measured_ms,
    p.pi_hi_ms ?? p.measured_ms,
  ]);
  const lo = values.length ? Math.min(...values) * 0.8 : 0.1;
  const hi = values.length ? Math.max(...values) * 1.25 : 10;
  const scale = { type: 'log' as const, domain: [lo, hi] };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 420,
    config: { font: 'DejaVu Sans' },
    layer: [
      {
        data: {
          values: [
            { x: lo, y: lo },
            { x: hi, y: hi },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale },
          y: { field: 'y', type: 'quantitative', scale },
        },
      },
      {
        data: { values: points },
        mark: { type: 'rule', opacity: 0.5 },
        encoding: {
          x: { field: 'measured_ms', type: 'quantitative', scale, title: 'measured latency (ms)' },
          y: { field: 'pi_lo_ms', type: 'quantitative', scale },
          y2: { field: 'pi_hi_ms' },
          color: { field: 'option', type: 'nominal' },
        },
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x: { field: 'measured_ms', type: 'quantitative', scale, title: 'measured latency (ms)' },
          y: {
            field: 'predicted_ms',
            type: 'quantitative',
            scale,
            title: 'predicted latency (ms, 95 % interval)',
          },
          color: { field: 'option', type: 'nominal', title: 'option' },
          shape: { field: 'percentile', type: 'nominal', title: 'percentile' },
          tooltip: [
            { field: 'option' },
            { field: 'point' },
            { field: 'percentile' },
            { field: 'measured_ms' },
            { field: 'predicted_ms' },
            { field: 'inside' },
          ],
        },
      },
    ],
  };
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  const view = new View(vegaParse(vg), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
