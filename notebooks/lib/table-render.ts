/** A report table as markdown, as HTML, and as the aligned text `cnisim study` prints. */
import { formatTable } from '../../cli/output.ts';
import { escapeHtml } from './escape.ts';
import { formatCell } from './format-cell.ts';
import type { Cell, Table } from './types.ts';

function isNumericColumn(table: Table, key: string): boolean {
  return table.rows.some((r) => typeof r[key] === 'number');
}

export function tableToMarkdown(table: Table): string {
  const head = `| ${table.columns.map((c) => c.header).join(' | ')} |`;
  const sep = `| ${table.columns.map((c) => (isNumericColumn(table, c.key) ? '---:' : '---')).join(' | ')} |`;
  const rows = table.rows.map(
    (r) => `| ${table.columns.map((c) => formatCell(r[c.key], c).replace(/\|/g, '\\|')).join(' | ')} |`,
  );
  return [`*${table.caption}*`, '', head, sep, ...rows].join('\n');
}

export function tableToHtml(table: Table): string {
  const num = table.columns.map((c) => isNumericColumn(table, c.key));
  const th = table.columns
    .map((c, i) => `<th${num[i] ? ' class="num"' : ''}>${escapeHtml(c.header)}</th>`)
    .join('');
  const trs = table.rows
    .map(
      (r) =>
        `<tr>${table.columns
          .map((c, i) => `<td${num[i] ? ' class="num"' : ''}>${escapeHtml(formatCell(r[c.key], c))}</td>`)
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table id="table-${escapeHtml(table.id)}"><caption>${escapeHtml(table.caption)}</caption><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

export function tableToText(table: Table): string {
  return formatTable<Record<string, Cell>>(
    table.rows,
    table.columns.map((c) => ({
      header: c.header,
      value: (r) => {
        const v = r[c.key] ?? null;
        return v !== null && typeof v === 'object' ? formatCell(v, c) : v;
      },
      ...(c.digits !== undefined ? { digits: c.digits } : {}),
    })),
  );
}
