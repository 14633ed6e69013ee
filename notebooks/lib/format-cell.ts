/** Formats one table cell the way every output (terminal, markdown, HTML) shows it. */
import { formatNumber } from '../../cli/output.ts';
import type { Cell, TableColumn } from './types.ts';

export function formatCell(value: Cell | undefined, column: TableColumn): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') return formatNumber(value, column.digits);
  if (typeof value === 'string') return value;
  const end = (x: number | null) => {
    if (x === null) return '-';
    const text = formatNumber(x, column.digits);
    return value.signed && !text.startsWith('-') ? `+${text}` : text;
  };
  const [lo, hi] = value.interval;
  const range = lo !== null && lo === hi ? end(lo) : `${end(lo)} to ${end(hi)}`;
  return `${range}${value.note ? ` (${value.note})` : ''}`;
}

/** A cell as `study --json` gives it: an interval as `[lo, hi]`, anything else as it is. */
export function cellJson(value: Cell | undefined): string | number | null | [number | null, number | null] {
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? value.interval : value;
}
