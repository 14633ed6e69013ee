/**
 * Every study with --quick against the real simulator, seen as a person would: the CLI prints the
 * main table and the report path, the page opens offline in Chromium with every chart drawn and no
 * console error, and the same seed writes the same data.json. Skips with a reason until
 * sim/simulate.ts exists in the checkout.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simulatorAvailable } from '../../notebooks/lib/simulator.ts';
import { cellJson, formatCell } from '../../notebooks/lib/format-cell.ts';
import type { IntervalCell } from '../../notebooks/lib/types.ts';
import { runStudy } from '../../notebooks/run-study.ts';
import { runSeed } from '../../notebooks/studies/seed.ts';
import { chromiumMissingReason, openReport } from './helpers/browser.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const tmp = tempDirs('cnisim-studies-');

const noSim = simulatorAvailable() ? null : 'sim/simulate.ts is not in this checkout yet';
const noBrowser = chromiumMissingReason();
if (noSim) console.warn(`skipping the studies against the simulator: ${noSim}`);
if (noBrowser) console.warn(`skipping the browser checks of the studies: ${noBrowser}`);

async function expectRendered(htmlPath: string, minCharts: number) {
  if (noBrowser) return;
  const seen = await openReport(htmlPath);
  expect(seen.consoleErrors).toEqual([]);
  expect(seen.externalRequests).toEqual([]);
  expect(seen.chartsDone).toBe(true);
  expect(seen.charts.length).toBeGreaterThanOrEqual(minCharts);
  for (const c of seen.charts) {
    expect(c.svgs, c.id).toBeGreaterThanOrEqual(1);
    expect(c.markItems, c.id).toBeGreaterThan(0);
  }
}

describe.skipIf(noSim !== null)('studies against the simulator (--quick)', () => {
  it('cnisim study seed --quick prints the ladder and the report path, and the report renders', async () => {
    const out = tmp();
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin', 'cnisim.mjs'), 'study', 'seed', '--quick', '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.stderr).toMatch(/report written to .*index\.html/);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(
      /^response_bytes\s+rate_rps\s+option\s+p95_ms\s+p99_ms\s+p99_5_ms\s+p99_99_ms\s+p99_999_ms\s+max_ms/,
    );
    // Five options at each of the two published points.
    expect(lines.length).toBe(2 + 10);
    for (const o of ['net-host', 'flannel-host-gw', 'flannel-aws-vpc', 'flannel-vxlan', 'ipvlan'])
      expect(r.stdout).toContain(o);
    const data = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8'));
    expect(data.data.results.length).toBe(5 * (4 + 3));
    await expectRendered(join(out, 'index.html'), 5);
  });

  it('the same seed writes the same data.json (small grid through the same code)', async () => {
    const plan = {
      options: ['flannel-vxlan'],
      rates: [{ response_bytes: 350, rates_rps: [50_000, 150_000] }],
      requests: 4000,
      ladderPoints: [{ response_bytes: 350, rate_rps: 150_000 }],
      heatmapPoint: { response_bytes: 350, rate_rps: 150_000 },
      stagePoint: { response_bytes: 350, rate_rps: 150_000 },
    };
    const a = tmp();
    const b = tmp();
    await runSeed({ quick: true, seed: 11, outDir: a, progress: false }, plan);
    await runSeed({ quick: true, seed: 11, outDir: b, progress: false }, plan);
    const da = readFileSync(join(a, 'data.json'), 'utf8');
    expect(readFileSync(join(b, 'data.json'), 'utf8')).toBe(da);
    expect(da).not.toMatch(/wall_s/);
  });

  it('shows each option against the first with paired intervals from the per-replication percentiles', async () => {
    const point = { response_bytes: 350, rate_rps: 150_000 };
    const plan = {
      options: ['net-host', 'flannel-vxlan'],
      rates: [{ response_bytes: 350, rates_rps: [150_000] }],
      requests: 8000,
      replications: 2,
      ladderPoints: [point],
      heatmapPoint: point,
      stagePoint: point,
    };
    const out = tmp();
    await runSeed({ quick: true, seed: 5, outDir: out, progress: false }, plan);
    const results = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')).data.results;
    const [nh, vx] = ['net-host', 'flannel-vxlan'].map((o) =>
      results.find((r: { option: string }) => r.option === o),
    );
    expect(vx.latency_by_replication_ms).toHaveLength(2);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const row = md.split('\n').find((l) => l.startsWith('| flannel-vxlan |') && l.includes(' to '))!;
    const cells = row.split('|').map((c) => c.trim());
    // The p50 difference is the difference of the two merged p50s; vxlan's extra passes make it positive.
    const diff = Number(cells[2]);
    expect(diff).toBeCloseTo(vx.latency_ms.p50 - nh.latency_ms.p50, 3);
    expect(diff).toBeGreaterThan(0);
    expect(cells[3]).toMatch(/^[+-]\d+\.\d{3} to [+-]\d+\.\d{3}/);
    expect(md).toMatch(/p99 against net-host \(paired 95 % interval\): flannel-vxlan [+-]/);
  });

  for (const name of ['capacity', 'what-if'] as const) {
    it(`${name} --quick writes a report whose charts render`, async () => {
      const out = tmp();
      const outcome = await runStudy(name, { quick: true, seed: 3, outDir: out, progress: false });
      expect(outcome.table.rows.length).toBeGreaterThan(0);
      if (name === 'what-if') {
        // Each answered variant carries its paired difference from its question's baseline.
        const rows = outcome.table.rows;
        const answered = rows.filter((r) => typeof r['p99_diff'] === 'number');
        expect(answered.length).toBeGreaterThan(5);
        for (const r of answered) {
          const b = rows.find(
            (x) => x['question'] === r['question'] && x['p99_diff'] === null && x['p99'] !== null,
          );
          expect(r['p99_diff'] as number).toBeCloseTo((r['p99'] as number) - (b!['p99'] as number), 3);
          // The interval is a cell of two numbers ([lo, hi] in --json), shown signed with 3 digits.
          const ci = r['p99_diff_ci'] as IntervalCell;
          expect(ci.interval[0]).toBeLessThanOrEqual(ci.interval[1]!);
          expect(cellJson(ci)).toEqual(ci.interval);
          expect(formatCell(ci, { key: 'p99_diff_ci', header: 'p99_diff_ci95_ms', digits: 3 })).toMatch(
            /^[+-]\d+\.\d{3} to [+-]\d+\.\d{3}/,
          );
        }
      }
      await expectRendered(outcome.htmlPath, 1);
    });
  }

  it('lab-validation predicts fixture lab records and compares them', async () => {
    const out = tmp();
    const outcome = await runStudy('lab-validation', {
      quick: true,
      seed: 3,
      outDir: out,
      progress: false,
      runs: [join(ROOT, 'test/notebooks/fixtures/lab-records')],
    });
    const data = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')).data;
    // Three fixture records, one invalid: two used, two distinct points predicted, 4 percentiles each.
    expect(data.records_read).toBe(3);
    expect(data.records_used).toBe(2);
    expect(data.predictions.length).toBe(2);
    expect(data.comparisons.length).toBe(8);
    expect(outcome.table.rows.find((r) => r['percentile'] === 'p99')?.['n']).toBe(2);
    // Too few rates for the calibrated check: the report says what is missing instead of failing.
    expect(data.calibrated.not_run).toMatch(/open-loop rate\(s\).*needs 3/);
    expect(readFileSync(outcome.htmlPath, 'utf8')).toContain('Not run: these records cannot support it');
    await expectRendered(outcome.htmlPath, 1);
  });

  it('lab-validation calibrates on the outer rates and predicts the middle one and the maximum, with the bursts', async () => {
    const out = tmp();
    const outcome = await runStudy('lab-validation', {
      quick: true,
      seed: 1,
      outDir: out,
      progress: false,
      runs: [join(ROOT, 'test/calibration/fixtures/lab-bursts')],
    });
    const rep = JSON.parse(readFileSync(join(out, 'data.json'), 'utf8')).data.calibrated.report;
    expect(rep.options.map((o: { option: string }) => o.option)).toEqual([
      'flannel-host-gw',
      'flannel-vxlan',
      'net-host',
    ]);
    for (const o of rep.options) {
      expect(o.calibration_rates).toEqual([4000, 32000]);
      expect(o.held_out_rate).toBe(16000);
      expect(Number.isFinite(o.max_rate.rel_error)).toBe(true);
    }
    const html = readFileSync(outcome.htmlPath, 'utf8');
    expect(html).toContain('Calibrated on two rates, predicting a third and the maximum');
    // Cost basis by-rate: the costs at each calibration rate are stated.
    expect(html).toContain('Each calibration rate keeps its own CPU cost per request');
    // The records carry the generator's bursts: the report sets lab and model side by side.
    expect(html).toContain('Mean latency from the write by position in the generator’s burst');
    for (const o of rep.options) {
      expect(o.p50.bursts.measured.by_position.length).toBeGreaterThan(3);
      expect(o.p50.bursts.predicted.by_position.length).toBeGreaterThan(3);
      expect(o.p50.from_schedule.measured_ms).toBeGreaterThan(o.p50.measured_ms);
    }
    await expectRendered(outcome.htmlPath, 1);
  }, 120_000);
});
