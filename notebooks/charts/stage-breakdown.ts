/**
 * Where the time goes per option: for each option a horizontal bar of the time a request spends
 * in each part of the path (waiting plus service, per request), stacked by stage group
 * (`server.rx`, `client.tx`, ...). Per request = (packets at the stage / requests) x mean time,
 * so a stage that handles four packets per request counts four times.
 */
import type { TopLevelSpec } from 'vega-lite';
import { stageGroup } from '../../sim/compare.ts';
import { CHART_CONFIG, OPTION_ORDER } from './theme.ts';

export interface StageTime {
  option: string;
  /** Stage name, e.g. `server.rx.veth_backlog`. */
  stage: string;
  wait_us_per_request: number;
  service_us_per_request: number;
}

export function stageBreakdownSpec(rows: readonly StageTime[], title: string): TopLevelSpec {
  const values = rows.flatMap((r) => [
    {
      option: r.option,
      stage: r.stage,
      group: `${stageGroup(r.stage)} service`,
      us: r.service_us_per_request,
    },
    { option: r.option, stage: r.stage, group: `${stageGroup(r.stage)} wait`, us: r.wait_us_per_request },
  ]);
  const options = [...new Set(rows.map((r) => r.option))];
  const sort = [
    ...OPTION_ORDER.filter((o) => options.includes(o)),
    ...options.filter((o) => !(OPTION_ORDER as readonly string[]).includes(o)),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 620,
    height: { step: 34 },
    config: CHART_CONFIG,
    data: { values },
    transform: [
      {
        aggregate: [{ op: 'sum', field: 'us', as: 'us' }],
        groupby: ['option', 'group'],
      },
    ],
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'option', type: 'nominal', sort, title: null },
      x: {
        field: 'us',
        type: 'quantitative',
        title: 'time per request (µs), waiting and service',
        stack: 'zero',
      },
      color: {
        field: 'group',
        type: 'nominal',
        title: 'stage group',
        scale: { scheme: 'tableau20' },
        legend: { labelLimit: 260 },
      },
      tooltip: [
        { field: 'option' },
        { field: 'group', title: 'stage group' },
        { field: 'us', format: '.2f', title: 'µs per request' },
      ],
    },
  } as TopLevelSpec;
}
