import { describe, expect, it } from 'vitest';
import { cellJson, formatCell } from '../../../notebooks/lib/format-cell.ts';
import { tableToMarkdown, tableToText } from '../../../notebooks/lib/table-render.ts';
import type { Table } from '../../../notebooks/lib/types.ts';

const col = { key: 'ci', header: 'p99_diff_ci95_ms', digits: 3 };

describe('interval cells', () => {
  it('show as `lo to hi` (signed ends, a note) and go to --json as [lo, hi]', () => {
    const d = { interval: [-0.0123, 0.5] as [number, number], signed: true, note: 'includes 0' };
    expect(formatCell(d, col)).toBe('-0.012 to +0.500 (includes 0)');
    expect(cellJson(d)).toEqual([-0.0123, 0.5]);
    // A sign only where asked; an end that does not exist is '-' and null.
    expect(formatCell({ interval: [9, 10] }, { key: 'h', header: 'hosts_ci95' })).toBe('9 to 10');
    expect(formatCell({ interval: [null, 3] }, { key: 'h', header: 'hosts_ci95' })).toBe('- to 3');
    // Both ends equal: one number in the tables, still [lo, hi] in --json.
    expect(formatCell({ interval: [10, 10] }, { key: 'h', header: 'hosts_ci95' })).toBe('10');
    expect(cellJson({ interval: [10, 10] })).toEqual([10, 10]);
    expect(cellJson({ interval: [null, 3] })).toEqual([null, 3]);
    // A value that rounds to zero is not "-0.000".
    expect(formatCell({ interval: [-0.0001, 0.0001], signed: true }, col)).toBe('+0.000 to +0.000');
    expect(cellJson('text')).toBe('text');
    expect(cellJson(undefined)).toBeNull();
  });

  it('render the same in the text, markdown and JSON of a table', () => {
    const table: Table = {
      id: 't',
      caption: 'c',
      columns: [{ key: 'option', header: 'option' }, col],
      rows: [{ option: 'vxlan', ci: { interval: [0.622, 0.71], signed: true } }],
    };
    expect(tableToText(table)).toContain('+0.622 to +0.710');
    expect(tableToMarkdown(table)).toContain('| vxlan | +0.622 to +0.710 |');
  });
});
