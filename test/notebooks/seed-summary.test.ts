import { describe, expect, it } from 'vitest';
import {
  type Published,
  publishedComparisonText,
  type SeedPlan,
  summaryText,
} from '../../notebooks/studies/seed.ts';
import { precisionText, setupWarnings } from '../../notebooks/studies/common.ts';
import type { SimResult } from '../../sim/result.ts';
import { toyResult } from './fixtures/toy-results.ts';

const POINT = { response_bytes: 350, rate_rps: 150_000 };
const plan: SeedPlan = {
  options: ['net-host', 'ipvlan', 'flannel-vxlan'],
  rates: [{ response_bytes: 350, rates_rps: [150_000] }],
  requests: 30_000,
  replications: 3,
  ladderPoints: [POINT],
  heatmapPoint: POINT,
  stagePoint: POINT,
};

/** A toy result with three replications whose p99 are the given values (the rest as merged). */
function withReplications(option: string, p99s: number[]): SimResult {
  const r = toyResult(option, POINT.rate_rps, POINT.response_bytes);
  return {
    ...r,
    replications: p99s.length,
    latency_by_replication_ms: p99s.map((p99) => ({ ...r.latency_ms!, p99 })),
  };
}

describe('seed report: what "In short" may say', () => {
  // Toy p99 (merged): net-host 0.55, ipvlan 0.66, vxlan 1.14 ms. Per replication, ipvlan - net-host
  // is +0.10, -0.10, +0.02 (a t interval around +0.007 spanning 0), vxlan - ipvlan is +0.48 +- 0.01
  // (excludes 0).
  const results = [
    withReplications('net-host', [0.5, 0.6, 0.55]),
    withReplications('ipvlan', [0.6, 0.5, 0.57]),
    withReplications('flannel-vxlan', [1.08, 0.99, 1.06]),
  ];

  it('orders neighbours with "<" only where their paired interval excludes 0, "≈" otherwise', () => {
    const text = summaryText(results, plan, []);
    expect(text).toMatch(/net-host \([\d.]+ ms\) ≈ ipvlan \([\d.]+ ms\) < flannel-vxlan \([\d.]+ ms\)/);
  });

  it('compares with the published p99 and the gaps to the first option, and says where the costs come from', () => {
    const pub: Published = {
      columns: ['p95_ms', 'p99_ms'],
      tables: [
        { ...POINT, rows: { 'net-host': [0.5, 0.6], ipvlan: [0.7, 0.9], 'flannel-vxlan': [1.2, 1.5] } },
      ],
    };
    const p99 = (o: string) => results.find((r) => r.option === o)!.latency_ms!.p99;
    const text = publishedComparisonText(results, plan, pub, null);
    const pct = (sim: number, pubv: number) => `${Math.abs(100 * (sim / pubv - 1)).toFixed(0)} %`;
    expect(text).toContain(`net-host ${p99('net-host').toFixed(2)} vs 0.6 ms (`);
    expect(text).toContain(pct(p99('flannel-vxlan'), 1.5));
    // Gaps: simulated (ipvlan, vxlan) - net-host; published +0.3 and +0.9.
    const gaps = ['ipvlan', 'flannel-vxlan'].map((o) => p99(o) - p99('net-host'));
    expect(text).toContain(
      `simulated +${Math.min(...gaps).toFixed(3)} to +${Math.max(...gaps).toFixed(3)} ms, published +0.300 to +0.900 ms`,
    );
    expect(text).toMatch(/the built-in costs, not fitted to the study/);
    expect(publishedComparisonText(results, plan, pub, 'out/profiles/fitted.json')).toMatch(
      /the fitted profile out\/profiles\/fitted\.json/,
    );
    // No published point simulated: nothing to say.
    expect(publishedComparisonText(results, plan, { columns: ['p99_ms'], tables: [] }, null)).toBe('');
  });

  it('states the warm-up and measured requests the results had, and flags every percentile resting on < 10 requests', () => {
    const r = (requests: number, warmup_requests: number) => ({ ...results[0]!, requests, warmup_requests });
    const text = precisionText(30_000, 3, [r(27_000, 3_000), r(26_900, 12_500)]);
    expect(text).toMatch(/here 3,000 to 12,500 requests per point/);
    expect(text).toMatch(/at least 26,900 requests measured/);
    // 26,900 measured: 26.9 beyond p99.9 (enough), 2.7 beyond p99.99 and 0.27 beyond p99.999.
    expect(text).toMatch(
      /p99\.99 and p99\.999 rest on about 2\.7 and 0\.27 measured request\(s\) beyond them/,
    );
    expect(text).not.toMatch(/p99\.9 /);
  });
});

describe('study reports: warnings in the header', () => {
  it('lists what every point warned of, and counts the points that warned of more', () => {
    const host = 'host h extends c4.8xlarge: ...';
    expect(setupWarnings([[host], [host, 'warm-up check: 9 %'], [host]])).toEqual([
      host,
      "1 of 3 simulated point(s) warned of more (each result's warnings in data.json)",
    ]);
    expect(setupWarnings([[], []])).toEqual([]);
    expect(setupWarnings([])).toEqual([]);
  });
});

describe('seed report: where saturation sets in', () => {
  it('is given between the last grid rate carried and the first saturated one, not as the first saturated rate', () => {
    // The quick grid's jump: 250k carried, 450k saturated (400k, never simulated, may already be).
    const grid = { ...plan, rates: [{ response_bytes: 350, rates_rps: [50_000, 250_000, 450_000] }] };
    const at = (option: string, rate: number, saturated: boolean): SimResult => ({
      ...toyResult(option, rate, 350),
      saturated,
    });
    const results = [
      at('net-host', 50_000, false),
      at('net-host', 250_000, false),
      at('net-host', 450_000, false),
      at('ipvlan', 50_000, false),
      at('ipvlan', 250_000, false),
      at('ipvlan', 450_000, true),
      at('flannel-vxlan', 50_000, false),
      at('flannel-vxlan', 250_000, true),
      at('flannel-vxlan', 450_000, true),
    ];
    const text = summaryText(results, grid, []);
    expect(text).toContain(
      'saturation sets in between the last grid rate carried and the first saturated one: flannel-vxlan 50k-250k, ipvlan 250k-450k; 1 option(s) never saturated on the grid',
    );
    expect(text).not.toMatch(/saturation starts at/);
  });
});

describe('seed report: options the model cannot tell apart', () => {
  it('says so where two options give the same numbers at every point, and only there', () => {
    const twin = (o: string) => ({ ...toyResult('ipvlan', 150_000, 350), option: o });
    const results = [toyResult('net-host', 150_000, 350), twin('ipvlan'), twin('flannel-vxlan')];
    const text = summaryText(results, plan, []);
    expect(text).toContain('- ipvlan and flannel-vxlan give the same numbers at every point');
    expect(text).not.toMatch(/net-host and/);
  });
});
