/** A Report as markdown: metadata, text, tables, and charts as links to their PNG and SVG files. */
import { tableToMarkdown } from './table-render.ts';
import type { Block, Report } from './types.ts';

function blockMd(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `## ${block.text}`;
    case 'text':
      return block.markdown.trim();
    case 'table':
      return tableToMarkdown(block.table);
    case 'vega-lite':
    case 'svg':
      return `![${block.caption}](charts/${block.id}.png)\n\n*${block.caption}* ([SVG](charts/${block.id}.svg))`;
  }
}

export function renderMarkdown(report: Report): string {
  const m = report.meta;
  const head = [
    `# ${m.title}`,
    '',
    `- Study: \`${m.study}\``,
    `- Seed: ${m.seed}`,
    `- cnisim version: ${m.version}`,
    `- Profile: ${m.profile}`,
    `- Precision: ${m.precision}`,
    `- Mode: ${m.quick ? 'quick (reduced grid and sample sizes)' : 'full'}`,
    ...(m.warnings ?? []).map((w) => `- Warning: ${w}`),
  ].join('\n');
  return `${[head, ...report.blocks.map(blockMd)].join('\n\n')}\n`;
}
