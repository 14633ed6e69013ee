/**
 * Output conventions shared by every command: data on stdout (a table for people, or JSON with
 * `--json`), logs and progress on stderr. Column headers carry their unit (`p99_ms`, `rate_rps`).
 */
export interface Column<Row> {
  /** Header, with the unit in the name (`p99_ms`). */
  header: string;
  value: (row: Row) => string | number | null | undefined;
  /** Right-align (numbers); default true for numbers. */
  align?: 'left' | 'right';
  /** Digits after the decimal point for numbers; default: shortest that shows 3 significant digits. */
  digits?: number;
}

export function formatNumber(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return String(x);
  // A value that rounds to zero is printed 0, not -0 (-0.3 % at 0 digits).
  if (digits !== undefined) return x.toFixed(digits).replace(/^-(0(\.0*)?)$/, '$1');
  if (Number.isInteger(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 100) return x.toFixed(1);
  if (abs >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** Renders rows as an aligned plain-text table (no colours: output is often piped). */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) =>
    columns.map((c) => {
      const v = c.value(row);
      if (v === null || v === undefined) return '-';
      return typeof v === 'number' ? formatNumber(v, c.digits) : v;
    }),
  );
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const isRight = columns.map((c, i) => {
    if (c.align) return c.align === 'right';
    const first = rows[0];
    return first !== undefined && typeof c.value(first) === 'number' && i >= 0;
  });
  const pad = (s: string, i: number) => (isRight[i] ? s.padStart(widths[i] ?? 0) : s.padEnd(widths[i] ?? 0));
  const lines = [columns.map((c, i) => pad(c.header, i)).join('  ')];
  for (const r of cells) lines.push(r.map((s, i) => pad(s, i)).join('  '));
  return `${lines.map((l) => l.trimEnd()).join('\n')}\n`;
}

export function printTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): void {
  process.stdout.write(formatTable(rows, columns));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A log line on stderr, never on stdout. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}
