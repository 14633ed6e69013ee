/**
 * CPU load per core as a heatmap drawn with d3 (scales, colour ramp and number formats from d3;
 * the SVG is generated as a string on the server, so it needs no DOM and appears identically in
 * the HTML page, the SVG file and the PNG). One panel per host (server, client), one row per
 * option, one cell per logical CPU; colour = busy fraction (hardirq + softirq + task), with the
 * split in each cell's tooltip.
 *
 * Structure for tests: each panel's cells sit in `<g class="mark-rect role-cell">`, one <rect>
 * per (option, cpu), like vega's mark groups.
 */
import { format, interpolateYlOrRd, scaleBand, scaleSequential } from 'd3';
import { escapeHtml } from '../lib/escape.ts';
import { OPTION_ORDER } from './theme.ts';

export interface CoreLoad {
  option: string;
  host: 'client' | 'server';
  cpu: number;
  hardirq: number;
  softirq: number;
  task: number;
}

const CELL_W = 17;
const CELL_H = 22;
const LABEL_W = 130;
const PANEL_GAP = 46;
const pct = format('.0%');
const r1 = (x: number) => Math.round(x * 10) / 10;

function sortOptions(options: string[]): string[] {
  const known = OPTION_ORDER.filter((o) => options.includes(o)) as string[];
  return [...known, ...options.filter((o) => !known.includes(o)).sort()];
}

export function cpuHeatmapSvg(rows: readonly CoreLoad[], title: string): string {
  const hosts = (['server', 'client'] as const).filter((h) => rows.some((r) => r.host === h));
  const options = sortOptions([...new Set(rows.map((r) => r.option))]);
  const nCpu = Math.max(1, ...rows.map((r) => r.cpu + 1));
  const color = scaleSequential(interpolateYlOrRd).domain([0, 1]);
  const x = scaleBand<number>()
    .domain(Array.from({ length: nCpu }, (_, i) => i))
    .range([LABEL_W, LABEL_W + nCpu * CELL_W])
    .padding(0.06);
  const y = scaleBand<string>()
    .domain(options)
    .range([0, options.length * CELL_H])
    .padding(0.08);
  const panelH = 28 + options.length * CELL_H;
  const width = LABEL_W + nCpu * CELL_W + 20;
  const legendY = 34 + hosts.length * (panelH + PANEL_GAP) - PANEL_GAP + 30;
  const height = legendY + 44;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="cpu-heatmap" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="0" y="18" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`,
  );
  hosts.forEach((host, hi) => {
    const top = 34 + hi * (panelH + PANEL_GAP);
    out.push(`<g class="panel" transform="translate(0,${top})">`);
    out.push(`<text x="0" y="12" font-size="12" font-weight="bold">${host} CPUs</text>`);
    out.push('<g class="axis cpu-labels" font-size="9" text-anchor="middle">');
    for (let c = 0; c < nCpu; c++) {
      if (nCpu > 24 && c % 2 === 1) continue;
      out.push(`<text x="${r1((x(c) ?? 0) + x.bandwidth() / 2)}" y="24">${c}</text>`);
    }
    out.push('</g>');
    out.push('<g class="axis option-labels" font-size="11" text-anchor="end">');
    for (const o of options)
      out.push(
        `<text x="${LABEL_W - 6}" y="${r1(28 + (y(o) ?? 0) + y.bandwidth() / 2 + 4)}">${escapeHtml(o)}</text>`,
      );
    out.push('</g>');
    out.push('<g class="mark-rect role-cell">');
    for (const r of rows) {
      if (r.host !== host) continue;
      const busy = Math.min(1, Math.max(0, r.hardirq + r.softirq + r.task));
      const tip = `${r.option}, ${host} CPU ${r.cpu}: ${pct(busy)} busy (hardirq ${pct(r.hardirq)}, softirq ${pct(r.softirq)}, task ${pct(r.task)})`;
      out.push(
        `<rect x="${r1(x(r.cpu) ?? 0)}" y="${r1(28 + (y(r.option) ?? 0))}" width="${r1(x.bandwidth())}" height="${r1(y.bandwidth())}" fill="${color(busy)}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
    out.push('</g></g>');
  });
  // Colour legend: a ramp of 20 steps from 0 % to 100 % busy.
  const lw = 240;
  out.push(`<g class="legend" transform="translate(${LABEL_W},${legendY})">`);
  out.push('<text x="0" y="-6" font-size="11">CPU busy (hardirq + softirq + task)</text>');
  for (let i = 0; i < 20; i++)
    out.push(
      `<rect x="${(i * lw) / 20}" y="0" width="${lw / 20 + 0.5}" height="12" fill="${color((i + 0.5) / 20)}"/>`,
    );
  for (const t of [0, 0.25, 0.5, 0.75, 1])
    out.push(`<text x="${t * lw}" y="26" font-size="10" text-anchor="middle">${pct(t)}</text>`);
  out.push('</g></svg>');
  return out.join('\n');
}
