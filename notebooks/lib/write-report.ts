/**
 * Writes a Report to a folder: index.html (self-contained), report.md, data.json and
 * charts/<id>.svg + charts/<id>.png for every chart. data.json holds the metadata, the tables and
 * the study's data, with no wall-clock value, so the same seed writes the same bytes.
 * The folder is replaced as a whole (notebooks/lib/out-dir.ts). Cost: about 0.1-0.2 s per chart
 * (vega headless + resvg).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderHtml } from './html-page.ts';
import { replaceFolder } from './out-dir.ts';
import { renderMarkdown } from './report-md.ts';
import { svgToPng } from './svg-png.ts';
import type { Report, Table, WrittenReport } from './types.ts';
import { vegaLiteToSvg } from './vega-svg.ts';

export function reportData(report: Report): unknown {
  const tables: Table[] = [];
  for (const b of report.blocks) if (b.kind === 'table') tables.push(b.table);
  return { meta: report.meta, tables, data: report.data };
}

export async function writeReport(report: Report, outDir: string): Promise<WrittenReport> {
  const dir = resolve(outDir);
  // Written elsewhere and moved into place (notebooks/lib/out-dir.ts): the paths are the final ones.
  const at = (...p: string[]) => join(dir, ...p);
  await replaceFolder(outDir, async (staging) => {
    mkdirSync(join(staging, 'charts'), { recursive: true });
    for (const b of report.blocks) {
      if (b.kind !== 'vega-lite' && b.kind !== 'svg') continue;
      const svg = b.kind === 'svg' ? b.svg : await vegaLiteToSvg(b.spec);
      writeFileSync(join(staging, 'charts', `${b.id}.svg`), svg);
      writeFileSync(join(staging, 'charts', `${b.id}.png`), svgToPng(svg));
    }
    writeFileSync(join(staging, 'index.html'), renderHtml(report));
    writeFileSync(join(staging, 'report.md'), renderMarkdown(report));
    writeFileSync(join(staging, 'data.json'), `${JSON.stringify(reportData(report), null, 2)}\n`);
  });
  const charts: WrittenReport['charts'] = report.blocks.flatMap((b) =>
    b.kind === 'vega-lite' || b.kind === 'svg'
      ? [{ id: b.id, svgPath: at('charts', `${b.id}.svg`), pngPath: at('charts', `${b.id}.png`) }]
      : [],
  );
  return { htmlPath: at('index.html'), markdownPath: at('report.md'), dataPath: at('data.json'), charts };
}
