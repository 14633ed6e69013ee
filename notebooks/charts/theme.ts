/**
 * What every chart shares: the order and colour of the options (the same option has the same
 * colour in every chart of every report), the font, and the percentile axis labels.
 */
import type { Config } from 'vega-lite';

export const OPTION_ORDER = [
  'net-host',
  'ipvlan',
  'macvlan',
  'flannel-host-gw',
  'flannel-aws-vpc',
  'flannel-vxlan',
] as const;

const OPTION_COLORS = ['#4c78a8', '#54a24b', '#72b7b2', '#f58518', '#b279a2', '#e45756'];

/** Colour scale for `option`, with options not in OPTION_ORDER appended (grey). */
export function optionScale(options: readonly string[]): { domain: string[]; range: string[] } {
  const extra = [...new Set(options)].filter((o) => !(OPTION_ORDER as readonly string[]).includes(o)).sort();
  const domain = [...OPTION_ORDER.filter((o) => options.includes(o)), ...extra];
  const range = domain.map((o) => {
    const i = (OPTION_ORDER as readonly string[]).indexOf(o);
    return i >= 0 ? (OPTION_COLORS[i] ?? '#888') : '#888';
  });
  return { domain, range };
}

/** Colour encoding of the `option` field: the shared option colours. */
export function optionColor(options: readonly string[]) {
  return { field: 'option', type: 'nominal' as const, scale: optionScale(options) };
}

/** Tooltip entries of a 95 % confidence interval held in fields `lo` and `hi`. */
export function ciTooltip(lo: string, hi: string, format: string, unit: string) {
  return [
    { field: lo, format, title: `CI low (${unit})` },
    { field: hi, format, title: `CI high (${unit})` },
  ];
}

export const CHART_CONFIG: Config = {
  font: 'DejaVu Sans',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' },
};

/** Percentile label of a quantile: 0.99 -> "p99", 0.995 -> "p99.5", 0.99999 -> "p99.999". */
export function percentileLabel(q: number): string {
  if (q >= 1) return 'max';
  return `p${Number((q * 100).toFixed(4))}`;
}

export function responseLabel(bytes: number): string {
  return bytes >= 1024 && bytes % 1024 === 0 ? `${bytes / 1024} KB` : `${bytes} B`;
}
