/**
 * Structural golden files of every chart: the vega-lite spec as built from fixed inputs, and the
 * structure of its SVG (mark groups, their types and item counts), never pixels or timings.
 * Inputs are the toy fixtures (test/notebooks/fixtures/toy-results.ts), not predictions.
 * After an intended change: UPDATE_GOLDEN=1 npx vitest run test/notebooks/charts, then review the diff.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hsl } from 'd3';
import { describe, expect, it } from 'vitest';
import type { TopLevelSpec } from 'vega-lite';
import { capacityBarsSpec } from '../../../notebooks/charts/capacity-bars.ts';
import { cpuHeatmapSvg } from '../../../notebooks/charts/cpu-heatmap.ts';
import { latencyVsPercentileSpec } from '../../../notebooks/charts/latency-vs-percentile.ts';
import { latencyVsRateSpec } from '../../../notebooks/charts/latency-vs-rate.ts';
import { predictedVsMeasuredSpec } from '../../../notebooks/charts/predicted-vs-measured.ts';
import { stageBreakdownSpec } from '../../../notebooks/charts/stage-breakdown.ts';
import { whatIfSpec } from '../../../notebooks/charts/what-if-dots.ts';
import { findKnee } from '../../../notebooks/lib/knee.ts';
import { dataMarks, markGroups } from '../../../notebooks/lib/svg-structure.ts';
import { vegaLiteToSvg } from '../../../notebooks/lib/vega-svg.ts';
import { coreLoads, percentilePoints, SEED_OPTIONS, stageTimes } from '../../../notebooks/studies/common.ts';
import { toyResult } from '../fixtures/toy-results.ts';

const GOLDEN = new URL('../golden/', import.meta.url);
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, value: unknown): void {
  const file = new URL(`${name}.json`, GOLDEN);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (update || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    if (!update)
      throw new Error(`golden file ${name}.json was missing and has been written: review it and rerun`);
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

const RATES_350 = [50_000, 150_000, 250_000, 450_000];
const at = (rate: number, bytes = 350) => SEED_OPTIONS.map((o) => toyResult(o, rate, bytes));

const vegaCharts: Record<string, () => TopLevelSpec> = {
  'latency-vs-percentile': () => latencyVsPercentileSpec(at(150_000).flatMap(percentilePoints), 'fixture'),
  'latency-vs-rate': () => {
    const pts = SEED_OPTIONS.flatMap((o) =>
      RATES_350.map((r) => {
        const t = toyResult(o, r, 350);
        return {
          option: o,
          response_bytes: 350,
          rate_rps: r,
          latency_ms: t.latency_ms?.p99 ?? null,
          saturated: t.saturated,
        };
      }),
    );
    const knees = SEED_OPTIONS.flatMap((o) => {
      const k = findKnee(pts.filter((p) => p.option === o));
      return k ? [{ option: o, response_bytes: 350, knee_rps: k.knee_rps, latency_ms: k.latency_ms }] : [];
    });
    return latencyVsRateSpec(pts, knees);
  },
  'stage-breakdown': () => stageBreakdownSpec(at(150_000).flatMap(stageTimes), 'fixture'),
  'capacity-bars': () =>
    capacityBarsSpec(
      SEED_OPTIONS.flatMap((o, i) =>
        ['p99<=1ms', 'p99<=2ms'].map((slo, j) => ({
          option: o,
          slo,
          response_bytes: 350,
          max_rate_rps: 100_000 + 50_000 * i + 30_000 * j,
          ci_lo_rps: 90_000 + 50_000 * i + 30_000 * j,
          ci_hi_rps: 110_000 + 50_000 * i + 30_000 * j,
        })),
      ),
      'fixture',
    ),
  'what-if': () =>
    whatIfSpec(
      [
        {
          question: 'RPS',
          variant: 'on (baseline)',
          baseline: true,
          latency_ms: 1,
          ci_lo_ms: 0.9,
          ci_hi_ms: 1.1,
        },
        { question: 'RPS', variant: 'off', baseline: false, latency_ms: 3, ci_lo_ms: 2.5, ci_hi_ms: 3.5 },
        {
          question: 'MTU',
          variant: '1500 (baseline)',
          baseline: true,
          latency_ms: 1,
          ci_lo_ms: 0.9,
          ci_hi_ms: 1.1,
        },
        { question: 'MTU', variant: '9001', baseline: false, latency_ms: 0.8, ci_lo_ms: 0.7, ci_hi_ms: 0.9 },
      ],
      'p99',
      'fixture',
    ),
  'predicted-vs-measured': () =>
    predictedVsMeasuredSpec(
      [
        {
          option: 'net-host',
          percentile: 'p50',
          rate_rps: 5000,
          measured_ms: 0.1,
          predicted_ms: 0.12,
          ci_lo_ms: 0.11,
          ci_hi_ms: 0.13,
        },
        {
          option: 'net-host',
          percentile: 'p99',
          rate_rps: 5000,
          measured_ms: 0.4,
          predicted_ms: 0.3,
          ci_lo_ms: 0.25,
          ci_hi_ms: 0.35,
        },
        {
          option: 'flannel-vxlan',
          percentile: 'p99',
          rate_rps: 5000,
          measured_ms: 0.6,
          predicted_ms: 0.7,
          ci_lo_ms: 0.6,
          ci_hi_ms: 0.8,
        },
      ],
      'fixture',
    ),
};

describe('chart goldens (structure, not pixels)', () => {
  for (const [name, build] of Object.entries(vegaCharts)) {
    it(`${name}: spec and SVG marks match the golden file`, async () => {
      const spec = build();
      const svg = await vegaLiteToSvg(spec);
      // Every chart must draw data, whatever the golden says.
      expect(dataMarks(svg).some((g) => g.items > 0)).toBe(true);
      golden(name, { spec, marks: markGroups(svg) });
    });
  }

  it('cpu-heatmap (d3): one cell per option and CPU in each host panel', () => {
    const rows = at(250_000).flatMap(coreLoads);
    const svg = cpuHeatmapSvg(rows, 'fixture');
    const marks = dataMarks(svg);
    expect(marks).toEqual([
      { mark: 'rect', role: 'cell', items: 5 * 36 },
      { mark: 'rect', role: 'cell', items: 5 * 36 },
    ]);
    // The toy's IRQ CPU (0) is busier than its idle hyperthread (20): drawn darker, and the tooltip says so.
    const cell = (cpu: number) => {
      const m = new RegExp(`fill="([^"]+)"><title>net-host, server CPU ${cpu}: (\\d+)% busy`).exec(svg);
      if (!m) throw new Error(`no cell for CPU ${cpu}`);
      return { lightness: hsl(m[1] ?? '').l, busy: Number(m[2]) };
    };
    expect(cell(0).busy).toBeGreaterThan(cell(20).busy);
    expect(cell(0).lightness).toBeLessThan(cell(20).lightness);
    golden('cpu-heatmap', { marks: markGroups(svg), width: /width="(\d+)"/.exec(svg)?.[1] });
  });
});
