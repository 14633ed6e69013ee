/**
 * A Report as one self-contained HTML page: vega, vega-lite and vega-embed inlined, every chart's
 * spec and data inline as JSON, the d3 heatmap inline as SVG. No network access when opened.
 *
 * When the page has drawn every chart it sets `data-charts-done="true"` and
 * `data-charts-rendered="<n>"` on <body> (the browser test waits for it); a chart that fails is
 * reported with console.error and a visible message in its place.
 */
import { escapeHtml, jsonForScript, scriptForInline } from './escape.ts';
import { markdownToHtml } from './markdown-inline.ts';
import { tableToHtml } from './table-render.ts';
import type { Block, Report } from './types.ts';
import { vegaLibraries } from './vega-libs.ts';

const STYLE = `
body { font-family: 'DejaVu Sans', system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; background: #f6f6f6; padding: 0.8em 1em; border-radius: 4px; }
dl.meta dt { font-weight: bold; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
caption { text-align: left; font-style: italic; padding-bottom: 0.3em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.7em; text-align: left; }
th { background: #f0f0f0; } .num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5em 0; } figcaption { font-size: 0.9em; color: #555; }
figcaption a { color: #555; }
code { background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
.chart-error { color: #b00; }
`;

function blockHtml(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `<h2>${escapeHtml(block.text)}</h2>`;
    case 'text':
      return markdownToHtml(block.markdown);
    case 'table':
      return tableToHtml(block.table);
    case 'vega-lite':
      return [
        `<figure class="chart" data-kind="vega-lite" id="figure-${escapeHtml(block.id)}">`,
        `<div class="vega-chart" id="chart-${escapeHtml(block.id)}"></div>`,
        `<script type="application/json" data-chart="${escapeHtml(block.id)}">${jsonForScript(block.spec)}</script>`,
        `<figcaption>${escapeHtml(block.caption)} (<a href="charts/${escapeHtml(block.id)}.svg">SVG</a>, <a href="charts/${escapeHtml(block.id)}.png">PNG</a>)</figcaption>`,
        '</figure>',
      ].join('\n');
    case 'svg':
      return [
        `<figure class="chart" data-kind="svg" id="figure-${escapeHtml(block.id)}">`,
        `<div class="svg-chart" id="chart-${escapeHtml(block.id)}">${block.svg}</div>`,
        `<figcaption>${escapeHtml(block.caption)} (<a href="charts/${escapeHtml(block.id)}.svg">SVG</a>, <a href="charts/${escapeHtml(block.id)}.png">PNG</a>)</figcaption>`,
        '</figure>',
      ].join('\n');
  }
}

const RUNTIME = `
(async function () {
  var nodes = document.querySelectorAll('script[type="application/json"][data-chart]');
  var rendered = 0;
  for (var i = 0; i < nodes.length; i++) {
    var id = nodes[i].getAttribute('data-chart');
    var target = document.getElementById('chart-' + id);
    try {
      await vegaEmbed(target, JSON.parse(nodes[i].textContent), { actions: false, renderer: 'svg', mode: 'vega-lite' });
      rendered++;
    } catch (e) {
      console.error('chart ' + id + ' failed: ' + (e && e.message ? e.message : e));
      target.className += ' chart-error';
      target.textContent = 'This chart failed to render: ' + (e && e.message ? e.message : e);
    }
  }
  document.body.setAttribute('data-charts-rendered', String(rendered + document.querySelectorAll('.svg-chart svg').length));
  document.body.setAttribute('data-charts-done', 'true');
})();
`;

export function renderHtml(report: Report): string {
  const m = report.meta;
  const meta = [
    ['Study', m.study],
    ['Seed', String(m.seed)],
    ['cnisim version', m.version],
    ['Profile', m.profile],
    ['Precision', m.precision],
    ['Mode', m.quick ? 'quick (reduced grid and sample sizes)' : 'full'],
    ...(m.warnings ?? []).map((w) => ['Warning', w]),
  ]
    .map(([k, v]) => `<dt>${escapeHtml(k ?? '')}</dt><dd>${escapeHtml(v ?? '')}</dd>`)
    .join('');
  const libs = vegaLibraries()
    .map((l) => `<script data-lib="${l.name}">${scriptForInline(l.source)}</script>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(m.title)}</title>`,
    `<style>${STYLE}</style>`,
    libs,
    '</head><body>',
    `<h1>${escapeHtml(m.title)}</h1>`,
    `<dl class="meta">${meta}</dl>`,
    ...report.blocks.map(blockHtml),
    `<script>${RUNTIME}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
