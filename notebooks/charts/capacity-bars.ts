/**
 * Highest rate per option under each SLO: grouped bars (one group per SLO, one bar per option)
 * with the 95 % confidence interval of the capacity as an error bar.
 */
import type { TopLevelSpec } from 'vega-lite';
import { CHART_CONFIG, ciTooltip, optionColor } from './theme.ts';

export interface CapacityRow {
  option: string;
  /** `p99<=2ms` */
  slo: string;
  response_bytes: number;
  max_rate_rps: number;
  ci_lo_rps: number;
  ci_hi_rps: number;
}

export function capacityBarsSpec(rows: readonly CapacityRow[], title: string): TopLevelSpec {
  const values = rows.map((r) => ({
    option: r.option,
    slo: r.slo,
    max_krps: r.max_rate_rps / 1000,
    lo_krps: r.ci_lo_rps / 1000,
    hi_krps: r.ci_hi_rps / 1000,
  }));
  const slos = [...new Set(rows.map((r) => r.slo))];
  const color = optionColor(rows.map((r) => r.option));
  const x = { field: 'slo', type: 'nominal' as const, sort: slos, title: 'SLO', axis: { labelAngle: 0 } };
  const xOffset = { field: 'option', type: 'nominal' as const, sort: color.scale.domain };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 620,
    height: 300,
    config: CHART_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x,
          xOffset,
          y: {
            field: 'max_krps',
            type: 'quantitative',
            title: 'highest rate meeting the SLO (k requests/s)',
          },
          color,
          tooltip: [
            { field: 'option' },
            { field: 'slo' },
            { field: 'max_krps', format: '.1f', title: 'capacity (k/s)' },
            ...ciTooltip('lo_krps', 'hi_krps', '.1f', 'k/s'),
          ],
        },
      },
      {
        mark: { type: 'rule', color: 'black' },
        encoding: {
          x,
          xOffset,
          y: { field: 'lo_krps', type: 'quantitative' },
          y2: { field: 'hi_krps' },
        },
      },
    ],
  } as TopLevelSpec;
}
