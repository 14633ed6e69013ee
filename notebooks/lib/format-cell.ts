/** Formats one table cell the way every output (terminal, markdown, HTML) shows it. */
import { formatNumber } from '../../cli/output.ts';
import type { Cell, TableColumn } from './types.ts';

export function formatCell(value: Cell | undefined, column: TableColumn): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return formatNumber(value, column.digits);
  return value;
}
