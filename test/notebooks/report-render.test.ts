/**
 * The report machinery as a person sees it, on renderer fixtures (the toy SimResults, not
 * predictions): the seed study's report is written, opened in headless Chromium with the network
 * cut off, and must show every chart as an SVG with marks and no console error. Also: the same
 * inputs write the same data.json, and the page is self-contained.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runSeed } from '../../notebooks/studies/seed.ts';
import { toySimulate } from './fixtures/toy-results.ts';
import { chromiumMissingReason, openReport } from './helpers/browser.ts';
import { tempDirs } from './helpers/temp-dirs.ts';

const tmp = tempDirs('cnisim-report-');

describe('seed report on toy fixtures', () => {
  let outDir = '';
  let htmlPath = '';
  beforeAll(async () => {
    outDir = tmp();
    htmlPath = (await runSeed({ quick: true, seed: 5, outDir, simulate: toySimulate, progress: false }))
      .htmlPath;
  });

  it('writes index.html, report.md, data.json and an SVG and PNG per chart', () => {
    const html = readFileSync(htmlPath, 'utf8');
    const md = readFileSync(join(outDir, 'report.md'), 'utf8');
    const charts = [
      'percentiles-350b-150k',
      'percentiles-4096b-50k',
      'latency-vs-rate',
      'cpu-heatmap',
      'stage-breakdown',
    ];
    for (const c of charts) {
      expect(readFileSync(join(outDir, 'charts', `${c}.svg`), 'utf8')).toMatch(/^<svg/);
      // PNG signature.
      expect(
        readFileSync(join(outDir, 'charts', `${c}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
      expect(md).toContain(`charts/${c}.png`);
    }
    // States seed, version, profile and precision.
    for (const text of [html, md]) {
      expect(text).toMatch(/Seed/);
      expect(text).toContain('0.1.0');
      expect(text).toMatch(/Profile/);
      expect(text).toMatch(/Precision/);
    }
    // Self-contained: no external script, stylesheet or data URL.
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href=/);
    expect(html).toContain('data-lib="vega-embed"');
  });

  it('the same seed writes the same data.json, with no wall-clock value in it', async () => {
    const again = tmp();
    await runSeed({ quick: true, seed: 5, outDir: again, simulate: toySimulate, progress: false });
    const a = readFileSync(join(outDir, 'data.json'), 'utf8');
    expect(readFileSync(join(again, 'data.json'), 'utf8')).toBe(a);
    expect(a).not.toMatch(/wall_s|generated_at|"date"/);
    expect(JSON.parse(a).meta.seed).toBe(5);
  });

  const skip = chromiumMissingReason();
  if (skip) console.warn(`skipping the browser check: ${skip}`);
  it.skipIf(skip !== null)(
    'opens offline in Chromium with every chart drawn and no console error',
    async () => {
      const seen = await openReport(htmlPath);
      expect(seen.consoleErrors).toEqual([]);
      expect(seen.externalRequests).toEqual([]);
      expect(seen.chartsDone).toBe(true);
      expect(seen.charts.length).toBe(5);
      expect(seen.chartsRendered).toBe(5);
      for (const c of seen.charts) {
        expect(c.svgs, c.id).toBeGreaterThanOrEqual(1);
        expect(c.markGroups, c.id).toBeGreaterThan(0);
        expect(c.markItems, c.id).toBeGreaterThan(0);
      }
      expect(seen.text).toContain('Percentile ladders');
    },
  );
});

describe('a chart that fails', () => {
  it.skipIf(chromiumMissingReason() !== null)(
    'shows up as a console error the browser test catches',
    async () => {
      const { writeReport } = await import('../../notebooks/lib/write-report.ts');
      const dir = tmp();
      const bad = {
        meta: { study: 'x', title: 'x', seed: 1, version: '0', profile: 'p', precision: 'p', quick: true },
        // An expression that references an undefined function fails at parse time in the page.
        blocks: [
          {
            kind: 'vega-lite' as const,
            id: 'bad',
            caption: 'bad',
            spec: {
              data: { values: [{ a: 1 }] },
              mark: 'point' as const,
              transform: [{ calculate: 'nosuchfn(1)', as: 'b' }],
            },
          },
        ],
        data: {},
      };
      await expect(writeReport(bad, dir)).rejects.toThrow();
      // The headless renderer rejects it too, so write the page alone and open it.
      const { renderHtml } = await import('../../notebooks/lib/html-page.ts');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(join(dir, 'index.html'), renderHtml(bad));
      const seen = await openReport(join(dir, 'index.html'));
      expect(seen.consoleErrors.join('\n')).toMatch(/chart bad failed/);
      expect(seen.chartsRendered).toBe(0);
    },
  );
});
