/**
 * The seed study redone by simulation: five options on the study's c4.8xlarge pair, rates from 50k
 * to 500k requests/s with 350 B responses and 50k to 300k with 4 KB (the study found 4 KB responses
 * fill the 10 Gbit/s NIC near 270k), with the best available profile. The report has the study's
 * percentile ladders (with its published values beside the simulated ones where it published
 * them), each option's latency against the first option's with paired 95 % intervals (every point
 * runs with the same seed, so replication i of each option shares its random streams: common
 * random numbers, sim/compare.ts), latency against percentile, latency against rate with each
 * option's knee, CPU load per core (d3 heatmap) and where the time goes per option.
 *
 * Budget: defaults finish within 5 minutes on a 2-core machine, --quick within a minute.
 */
import { readFileSync } from 'node:fs';
import { intervalText, type PairedDifference, pairedDifference, signedMs } from '../../sim/compare.ts';
import type { PercentileKey, SimResult } from '../../sim/result.ts';
import { cpuHeatmapSvg } from '../charts/cpu-heatmap.ts';
import { latencyVsPercentileSpec } from '../charts/latency-vs-percentile.ts';
import { type Knee, latencyVsRateSpec, type RatePoint } from '../charts/latency-vs-rate.ts';
import { type StageTime, stageBreakdownSpec } from '../charts/stage-breakdown.ts';
import { responseLabel } from '../charts/theme.ts';
import { findKnee, KNEE_COLUMNS, kneeCells } from '../lib/knee.ts';
import type { SimulateRequest } from '../lib/simulator.ts';
import { withoutWallClock } from '../lib/simulator.ts';
import type { Block, Cell, Table } from '../lib/types.ts';
import { writeReport } from '../lib/write-report.ts';
import {
  differenceCell,
  BUDGET,
  coreLoads,
  HOST,
  LADDER_KEYS,
  ladderHeader,
  latencyOf,
  percentilePoints,
  precisionText,
  runPoints,
  SEED_OPTIONS,
  type StudyOptions,
  type StudyOutcome,
  stageTimes,
  type Context,
  withContext,
} from './common.ts';

export interface SeedPlan {
  options: readonly string[];
  rates: { response_bytes: number; rates_rps: number[] }[];
  requests: number;
  replications: number;
  /** Points whose percentile ladder and latency-against-percentile chart the report shows. */
  ladderPoints: { response_bytes: number; rate_rps: number }[];
  heatmapPoint: { response_bytes: number; rate_rps: number };
  stagePoint: { response_bytes: number; rate_rps: number };
}

const range = (from: number, to: number, step: number) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

export function seedPlan(quick: boolean): SeedPlan {
  if (quick)
    return {
      options: SEED_OPTIONS,
      rates: [
        { response_bytes: 350, rates_rps: [50_000, 150_000, 250_000, 450_000] },
        { response_bytes: 4096, rates_rps: [50_000, 150_000, 250_000] },
      ],
      ...BUDGET.quick,
      ladderPoints: [
        { response_bytes: 350, rate_rps: 150_000 },
        { response_bytes: 4096, rate_rps: 50_000 },
      ],
      heatmapPoint: { response_bytes: 350, rate_rps: 250_000 },
      stagePoint: { response_bytes: 350, rate_rps: 150_000 },
    };
  return {
    options: SEED_OPTIONS,
    rates: [
      { response_bytes: 350, rates_rps: range(50_000, 500_000, 50_000) },
      { response_bytes: 4096, rates_rps: range(50_000, 300_000, 50_000) },
    ],
    ...BUDGET.full,
    ladderPoints: [
      { response_bytes: 350, rate_rps: 150_000 },
      { response_bytes: 350, rate_rps: 250_000 },
      { response_bytes: 350, rate_rps: 450_000 },
      { response_bytes: 4096, rate_rps: 50_000 },
      { response_bytes: 4096, rate_rps: 150_000 },
      { response_bytes: 4096, rate_rps: 250_000 },
    ],
    heatmapPoint: { response_bytes: 350, rate_rps: 250_000 },
    stagePoint: { response_bytes: 350, rate_rps: 150_000 },
  };
}

export interface Published {
  columns: string[];
  tables: { response_bytes: number; rate_rps: number; rows: Record<string, number[]> }[];
}

function published(): Published {
  return JSON.parse(
    readFileSync(new URL('../data/seed-published.json', import.meta.url), 'utf8'),
  ) as Published;
}

const pointName = (p: { response_bytes: number; rate_rps: number }) =>
  `${p.rate_rps / 1000}k requests/s, ${responseLabel(p.response_bytes)}`;

function find(results: SimResult[], option: string, p: { response_bytes: number; rate_rps: number }) {
  return results.find(
    (r) => r.option === option && r.response_bytes === p.response_bytes && r.rate_rps === p.rate_rps,
  );
}

/** The study's ladder at one point; the published row under each simulated one where it exists. */
function ladderTable(
  id: string,
  results: SimResult[],
  options: readonly string[],
  p: { response_bytes: number; rate_rps: number },
  pub: Published,
): Table {
  const pubTable = pub.tables.find((t) => t.response_bytes === p.response_bytes && t.rate_rps === p.rate_rps);
  const rows: Record<string, Cell>[] = [];
  for (const o of options) {
    const r = find(results, o, p);
    if (!r) continue;
    const row: Record<string, Cell> = { option: o, source: 'simulated' };
    for (const k of LADDER_KEYS) row[k] = latencyOf(r, k);
    row['status'] = r.saturated ? `saturated (${r.bottleneck ?? 'unknown'})` : 'ok';
    rows.push(row);
    const pubRow = pubTable?.rows[o];
    if (pubRow) {
      const prow: Record<string, Cell> = { option: o, source: 'study (published)', status: '' };
      LADDER_KEYS.forEach((k, i) => {
        prow[k] = pubRow[i] ?? null;
      });
      rows.push(prow);
    }
  }
  return {
    id,
    caption: `Latency percentiles at ${pointName(p)}, ms${pubTable ? ' (with the study’s published values)' : ''}`,
    columns: [
      { key: 'option', header: 'option' },
      { key: 'source', header: 'source' },
      ...LADDER_KEYS.map((k) => ({ key: k, header: ladderHeader(k), digits: 2 })),
      { key: 'status', header: 'status' },
    ],
    rows,
  };
}

/** The percentiles the paired-difference table shows. */
const PAIRED_KEYS: readonly PercentileKey[] = ['p50', 'p99', 'p99_9'];

/** Each option against the first at `p` (null where a point is saturated or lacks per-replication data). */
function pairedAt(
  results: SimResult[],
  options: readonly string[],
  p: { response_bytes: number; rate_rps: number },
): { option: string; d: PairedDifference | null; saturated: boolean }[] {
  const base = find(results, options[0]!, p);
  return options.slice(1).flatMap((o) => {
    const r = find(results, o, p);
    if (!r || !base) return [];
    return [{ option: o, d: pairedDifference(base, r), saturated: r.saturated || base.saturated }];
  });
}

/** The paired differences against the first option at one point, with their 95 % intervals. */
function pairedTable(
  id: string,
  results: SimResult[],
  options: readonly string[],
  p: { response_bytes: number; rate_rps: number },
): Table {
  const rows = pairedAt(results, options, p).map(({ option, d, saturated }) => {
    const row: Record<string, Cell> = { option };
    for (const k of PAIRED_KEYS) {
      row[`${k}_diff`] = d ? d.latency_diff_ms[k] : null;
      row[`${k}_ci`] = d ? differenceCell(d, k) : null;
    }
    row['status'] = saturated ? 'saturated' : d ? 'ok' : 'no per-replication data';
    return row;
  });
  return {
    id,
    caption: `Latency minus ${options[0]}'s at ${pointName(p)}, ms, with paired 95 % intervals (common random numbers)`,
    columns: [
      { key: 'option', header: 'option' },
      ...PAIRED_KEYS.flatMap((k) => [
        { key: `${k}_diff`, header: `${k}_diff_ms`, digits: 3 },
        { key: `${k}_ci`, header: `${k}_diff_ci95_ms`, digits: 3 },
      ]),
      { key: 'status', header: 'status' },
    ],
    rows,
  };
}

/**
 * The simulation against the study at each point it published: p99 of each option simulated vs
 * published, and the spread of the options' gaps to the first one in both (the study's claim is
 * about those gaps). Empty when no published point was simulated unsaturated.
 */
export function publishedComparisonText(
  results: SimResult[],
  plan: SeedPlan,
  pub: Published,
  profile: string | null,
): string {
  const col = pub.columns.indexOf('p99_ms');
  const lines: string[] = [];
  for (const t of pub.tables) {
    const pairs = plan.options.flatMap((o) => {
      const r = find(results, o, t);
      const published = t.rows[o]?.[col];
      const simulated = r && !r.saturated ? latencyOf(r, 'p99') : null;
      return simulated !== null && published !== undefined ? [{ o, simulated, published }] : [];
    });
    if (pairs.length === 0) continue;
    const base = pairs.find((x) => x.o === plan.options[0]);
    const gaps = base ? pairs.filter((x) => x !== base) : [];
    const span = (xs: number[]) => `${signedMs(Math.min(...xs))} to ${signedMs(Math.max(...xs))} ms`;
    lines.push(
      `- Against the study's published p99 at ${pointName(t)} (simulated vs published): ${pairs
        .map(
          (x) =>
            `${x.o} ${x.simulated.toFixed(2)} vs ${x.published.toFixed(1)} ms (${pct(x.simulated / x.published - 1)})`,
        )
        .join(', ')}.${
        gaps.length > 0
          ? ` Gaps to ${base!.o}: simulated ${span(gaps.map((x) => x.simulated - base!.simulated))}, published ${span(gaps.map((x) => x.published - base!.published))}.`
          : ''
      }`,
    );
  }
  if (lines.length > 0)
    lines.push(
      `- These predictions come from ${profile ? `the fitted profile ${profile}` : 'the built-in costs, not fitted to the study'}: read the rankings and knees above with the errors against the study just given${profile ? '' : ' (cnisim calibrate fits the costs to the published tables; docs/calibration.md)'}.`,
    );
  return lines.join('\n');
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : '-'}${Math.abs(100 * x).toFixed(0)} %`;
}

/** How wide the paired p99 intervals are against the options' own, at the first ladder point (measured, not assumed). */
function pairedWidthText(results: SimResult[], plan: SeedPlan): string {
  const p = plan.ladderPoints[0];
  if (!p) return '';
  const paired = pairedAt(results, plan.options, p).flatMap(({ d }) =>
    d ? [d.latency_diff_ci95_ms.p99] : [],
  );
  const own = plan.options.flatMap((o) => {
    const iv = find(results, o, p)?.latency_ci95_ms?.p99;
    return iv ? [iv] : [];
  });
  if (paired.length === 0 || own.length === 0) return '';
  const mean = (xs: [number, number][]) => xs.reduce((a, [lo, hi]) => a + (hi - lo), 0) / xs.length;
  const a = mean(paired);
  const b = mean(own);
  return `Here, at ${pointName(p)}, the paired p99 intervals are ${a.toFixed(3)} ms wide on average and the options' own p99 intervals ${b.toFixed(3)} ms: pairing ${a < b ? `narrows them ${(b / a).toFixed(1)}-fold` : 'does not narrow them at this sample size (few replications)'}.`;
}

/** `<` when the paired p99 difference of two neighbours in a ranking excludes 0, `≈` when it does not (or cannot be paired). */
function rankRelation(lower: SimResult, higher: SimResult): '<' | '≈' {
  const d = pairedDifference(lower, higher);
  return d?.differs.p99 && d.latency_diff_ms.p99 > 0 ? '<' : '≈';
}

/** A few sentences read off the results (no judgement the numbers do not carry). */
export function summaryText(
  results: SimResult[],
  plan: SeedPlan,
  knees: { option: string; response_bytes: number; knee_rps: number; beyond_grid: boolean }[],
): string {
  const lines: string[] = [];
  for (const p of plan.ladderPoints.slice(0, 2)) {
    const ranked = plan.options
      .map((o) => ({ o, r: find(results, o, p) }))
      .filter((x) => x.r && !x.r.saturated && x.r.latency_ms)
      .sort((a, b) => (a.r?.latency_ms?.p99 ?? 0) - (b.r?.latency_ms?.p99 ?? 0));
    if (ranked.length > 0)
      lines.push(
        `- At ${pointName(p)}, p99 from lowest to highest: ${ranked
          .map((x, i) => {
            const item = `${x.o} (${(x.r?.latency_ms?.p99 ?? 0).toFixed(2)} ms)`;
            return i === 0 ? item : `${rankRelation(ranked[i - 1]!.r!, x.r!)} ${item}`;
          })
          .join(
            ' ',
          )} ("<": the paired 95 % interval of the two neighbours' difference excludes 0; "≈": it does not, the model does not order them at this sample size).`,
      );
  }
  // Options with the same numbers at every point are one path in the model: say so, or "≈" reads as a finding.
  const twins = plan.options.flatMap((a, i) =>
    plan.options.slice(i + 1).flatMap((b) => {
      const pa = results.filter((r) => r.option === a);
      // At least one point with latencies: two options saturated everywhere are not "the same path".
      const same =
        pa.some((r) => !r.saturated && r.latency_ms) &&
        pa.every((r) => {
          const o = find(results, b, r);
          return (
            o !== undefined &&
            o.saturated === r.saturated &&
            JSON.stringify(o.latency_ms) === JSON.stringify(r.latency_ms)
          );
        });
      return same ? [[a, b] as const] : [];
    }),
  );
  for (const [a, b] of twins)
    lines.push(
      `- ${a} and ${b} give the same numbers at every point: the model gives them the same stages and costs (model/options/${a}.yaml and ${b}.yaml), so it cannot tell them apart; what the study measured between them is not in the model.`,
    );
  const first = plan.ladderPoints[0];
  const paired = first ? pairedAt(results, plan.options, first).filter((x) => x.d) : [];
  if (first && paired.length > 0)
    lines.push(
      `- At ${pointName(first)}, p99 against ${plan.options[0]} (paired 95 % interval): ${paired
        .map(({ option, d }) => {
          return `${option} ${signedMs(d!.latency_diff_ms.p99)} ms (${intervalText(d!, 'p99')})`;
        })
        .join(', ')}.`,
    );
  for (const { response_bytes, rates_rps } of plan.rates) {
    const firstSat = plan.options
      .map((o) => ({
        o,
        rate: results
          .filter((r) => r.option === o && r.response_bytes === response_bytes && r.saturated)
          .reduce((m, r) => Math.min(m, r.rate_rps), Number.POSITIVE_INFINITY),
      }))
      .sort((a, b) => a.rate - b.rate);
    const sat = firstSat.filter((x) => Number.isFinite(x.rate));
    // Saturation lies between the last grid rate carried and the first that was not: say both.
    const below = (rate: number) => rates_rps.filter((r) => r < rate).reduce((m, r) => Math.max(m, r), 0);
    lines.push(
      sat.length === 0
        ? `- With ${responseLabel(response_bytes)} responses no option saturated up to ${Math.max(...rates_rps) / 1000}k requests/s.`
        : `- With ${responseLabel(response_bytes)} responses, saturation sets in between the last grid rate carried and the first saturated one: ${sat
            .map(
              (x) =>
                `${x.o} ${below(x.rate) ? `${below(x.rate) / 1000}k-` : 'at or below '}${x.rate / 1000}k`,
            )
            .join(
              ', ',
            )}${sat.length < plan.options.length ? `; ${plan.options.length - sat.length} option(s) never saturated on the grid` : ''}.`,
    );
    const ks = knees
      .filter((k) => k.response_bytes === response_bytes)
      .sort((a, b) => b.knee_rps - a.knee_rps);
    if (ks.length > 0)
      lines.push(
        `- Knees (${responseLabel(response_bytes)}; the highest rate on the grid where p99 is at most twice its value at the lowest rate, so resolved only to the grid's spacing; ≥: not reached on the grid): ${ks
          .map((k) => `${k.option} ${k.beyond_grid ? '≥' : ''}${k.knee_rps / 1000}k`)
          .join(', ')}.`,
      );
  }
  return lines.join('\n');
}

/** `planOverride` lets tests run a smaller grid through the same code. */
export async function runSeed(
  opts: StudyOptions,
  planOverride: Partial<SeedPlan> = {},
): Promise<StudyOutcome> {
  return withContext(opts, (ctx) => seedStudy(ctx, opts, planOverride));
}

async function seedStudy(
  ctx: Context,
  opts: StudyOptions,
  planOverride: Partial<SeedPlan>,
): Promise<StudyOutcome> {
  const plan = { ...seedPlan(opts.quick), ...planOverride };
  const requests: SimulateRequest[] = [];
  for (const { response_bytes, rates_rps } of plan.rates)
    for (const o of plan.options)
      for (const rate_rps of rates_rps)
        requests.push({
          option: o,
          host: HOST,
          rate_rps,
          response_bytes,
          requests: plan.requests,
          replications: plan.replications,
          seed: opts.seed,
          replication_percentiles: true,
          ...(ctx.profilePath ? { profile: ctx.profilePath } : {}),
        });
  const results = (await runPoints(ctx.simulate, requests, 'study seed', opts.progress ?? true)).map(
    withoutWallClock,
  );
  const pub = published();

  // Knees per option and response size, on p99.
  const knees: (Knee & { beyond_grid: boolean })[] = [];
  const curve: RatePoint[] = [];
  for (const { response_bytes } of plan.rates)
    for (const o of plan.options) {
      const pts = results
        .filter((r) => r.option === o && r.response_bytes === response_bytes)
        .map((r) => ({ rate_rps: r.rate_rps, latency_ms: latencyOf(r, 'p99'), saturated: r.saturated }));
      for (const p of pts) curve.push({ option: o, response_bytes, ...p });
      const k = findKnee(pts);
      if (k)
        knees.push({
          option: o,
          response_bytes,
          knee_rps: k.knee_rps,
          latency_ms: k.latency_ms,
          beyond_grid: k.beyond_grid,
        });
    }
  const kneeOf = (o: string, b: number) => knees.find((k) => k.option === o && k.response_bytes === b);
  // One option's results at one response size, by rising rate.
  const gridOf = (o: string, b: number) =>
    results.filter((x) => x.option === o && x.response_bytes === b).sort((x, y) => x.rate_rps - y.rate_rps);
  // Highest rate on the grid before the first saturated one (0 when the lowest already saturates).
  const maxOk = (o: string, b: number) => {
    let best = 0;
    for (const r of gridOf(o, b)) {
      if (r.saturated) break;
      best = r.rate_rps;
    }
    return best;
  };
  // Each option's results at point `p` turned into chart rows (an option without a result adds none).
  const acrossOptions = <T>(p: { response_bytes: number; rate_rps: number }, rows: (r: SimResult) => T[]) =>
    plan.options.flatMap((o) => {
      const r = find(results, o, p);
      return r ? rows(r) : [];
    });

  // Main table: the ladder at the study's two calibration points, with knee and highest unsaturated rate.
  const main: Table = {
    id: 'main',
    caption:
      'Simulated latency percentiles (ms) at the study’s two published points, with each option’s knee',
    columns: [
      { key: 'response_bytes', header: 'response_bytes' },
      { key: 'rate_rps', header: 'rate_rps' },
      { key: 'option', header: 'option' },
      ...LADDER_KEYS.map((k) => ({ key: k, header: ladderHeader(k), digits: 2 })),
      { key: 'knee_rps', header: 'knee_rps' },
      { key: 'knee_note', header: 'knee_note' },
      { key: 'max_unsaturated_rps', header: 'max_unsaturated_rps' },
    ],
    rows: plan.ladderPoints
      .filter((p) =>
        pub.tables.some((t) => t.response_bytes === p.response_bytes && t.rate_rps === p.rate_rps),
      )
      .flatMap((p) =>
        plan.options.flatMap((o) => {
          const r = find(results, o, p);
          if (!r) return [];
          const row: Record<string, Cell> = {
            response_bytes: p.response_bytes,
            rate_rps: p.rate_rps,
            option: o,
          };
          for (const k of LADDER_KEYS) row[k] = latencyOf(r, k);
          const cells = kneeCells(kneeOf(o, p.response_bytes) ?? null, gridOf(o, p.response_bytes).length);
          row['knee_rps'] = cells.knee_rps;
          row['knee_note'] = cells.knee_note;
          row['max_unsaturated_rps'] = maxOk(o, p.response_bytes) || null;
          return [row];
        }),
      ),
  };

  const kneeTable: Table = {
    id: 'knees',
    caption:
      'Knee of each option (highest rate whose p99 stays within 2x the p99 at 50k/s) and highest unsaturated rate',
    columns: [...KNEE_COLUMNS],
    rows: plan.rates.flatMap(({ response_bytes }) =>
      plan.options.map((o) => {
        const k = kneeOf(o, response_bytes);
        const firstSat = gridOf(o, response_bytes).find((r) => r.saturated);
        return {
          option: o,
          response_bytes,
          ...kneeCells(k ?? null, gridOf(o, response_bytes).length),
          p99_at_knee_ms: k?.latency_ms ?? null,
          max_unsaturated_rps: maxOk(o, response_bytes) || null,
          first_bottleneck: firstSat
            ? `${firstSat.bottleneck ?? 'unknown'} at ${firstSat.rate_rps}`
            : 'none on the grid',
        };
      }),
    ),
  };

  const stageRows = acrossOptions(plan.stagePoint, stageTimes);
  const sumBy = (o: string, pred: (stage: string) => boolean, f: (r: StageTime) => number) =>
    stageRows.filter((r) => r.option === o && pred(r.stage)).reduce((t, r) => t + f(r), 0);
  const isWire = (st: string) => st.startsWith('wire.');
  const stageTotal = (r: StageTime) => r.wait_us_per_request + r.service_us_per_request;
  const stageTable: Table = {
    id: 'stage-totals',
    caption: `Time per request summed over stages at ${pointName(plan.stagePoint)}, µs`,
    columns: [
      { key: 'option', header: 'option' },
      { key: 'host_wait', header: 'host_wait_us', digits: 1 },
      { key: 'host_service', header: 'host_service_us', digits: 1 },
      { key: 'wire', header: 'wire_us', digits: 1 },
      { key: 'top', header: 'largest_host_stage' },
    ],
    rows: plan.options.map((o) => {
      const own = stageRows.filter((r) => r.option === o && !isWire(r.stage));
      const top = own.reduce<StageTime | null>((m, r) => (!m || stageTotal(r) > stageTotal(m) ? r : m), null);
      return {
        option: o,
        host_wait: sumBy(
          o,
          (st) => !isWire(st),
          (r) => r.wait_us_per_request,
        ),
        host_service: sumBy(
          o,
          (st) => !isWire(st),
          (r) => r.service_us_per_request,
        ),
        wire: sumBy(o, isWire, stageTotal),
        top: top ? `${top.stage} (${stageTotal(top).toFixed(1)} µs)` : null,
      };
    }),
  };

  const blocks: Block[] = [
    {
      kind: 'text',
      markdown: `The seed study (Machine Zone, 2015) compared Kubernetes network options on two c4.8xlarge hosts with tcpkali against nginx. This report repeats it by simulation: **${plan.options.length} options**, ${plan.rates
        .map(
          (r) =>
            `${responseLabel(r.response_bytes)} responses at ${r.rates_rps.map((x) => `${x / 1000}k`).join(', ')} requests/s`,
        )
        .join(
          '; ',
        )}, on the study's host model \`${HOST}\` (IRQs on CPU 0 and 9, RPS to 1-8 and 10-17, XPS per NUMA node, RFS, 18 nginx workers).`,
    },
    { kind: 'heading', text: 'In short' },
    {
      kind: 'text',
      markdown: [
        summaryText(results, plan, knees),
        publishedComparisonText(results, plan, pub, ctx.profilePath ?? null),
      ]
        .filter((x) => x !== '')
        .join('\n'),
    },
    { kind: 'heading', text: 'Percentile ladders' },
    {
      kind: 'text',
      markdown:
        'Like the study’s tables: latency in ms as tcpkali measures it (from the write of a request to the read of its response). Where the study published a table for the point, its row follows the simulated one. A saturated point has no percentiles.',
    },
    ...plan.ladderPoints.map(
      (p, i): Block => ({
        kind: 'table',
        table: ladderTable(`ladder-${i + 1}`, results, plan.options, p, pub),
      }),
    ),
    { kind: 'heading', text: `Differences against ${plan.options[0]}` },
    {
      kind: 'text',
      markdown: `Every point runs with the same seed, so replication i of each option draws the same connection phases, wire jitter and stalls (common random numbers). The interval on a difference then comes from the per-replication differences (Student t), widened where needed to include the difference of the merged percentiles (at high percentiles the merged sample's percentile need not lie inside the per-replication differences' interval): a difference whose interval excludes 0 is one the model resolves at this sample size, and one that includes 0 is not. ${pairedWidthText(results, plan)}`,
    },
    ...plan.ladderPoints.map(
      (p, i): Block => ({ kind: 'table', table: pairedTable(`paired-${i + 1}`, results, plan.options, p) }),
    ),
    { kind: 'heading', text: 'Latency against percentile' },
    ...plan.ladderPoints.slice(0, 3).map(
      (p): Block => ({
        kind: 'vega-lite',
        id: `percentiles-${p.response_bytes}b-${p.rate_rps / 1000}k`,
        caption: `Latency from p85 to p99.999 at ${pointName(p)}; both axes logarithmic; vertical bars: 95 % CI`,
        spec: latencyVsPercentileSpec(
          acrossOptions(p, percentilePoints),
          `Latency against percentile, ${pointName(p)}`,
        ),
      }),
    ),
    { kind: 'heading', text: 'Latency against rate, and the knee' },
    {
      kind: 'vega-lite',
      id: 'latency-vs-rate',
      caption: 'p99 against offered rate per option; diamond: the knee; cross: saturated',
      spec: latencyVsRateSpec(curve, knees),
    },
    { kind: 'table', table: kneeTable },
    { kind: 'heading', text: 'CPU load per core' },
    {
      kind: 'svg',
      id: 'cpu-heatmap',
      caption: `Busy fraction of each logical CPU at ${pointName(plan.heatmapPoint)} (d3); hover a cell for the hardirq/softirq/task split`,
      svg: cpuHeatmapSvg(
        acrossOptions(plan.heatmapPoint, coreLoads),
        `CPU load per core, ${pointName(plan.heatmapPoint)}`,
      ),
    },
    { kind: 'heading', text: 'Where the time goes' },
    {
      kind: 'text',
      markdown:
        'Time a request spends in each stage on the hosts (waiting for its CPU, then being served), summed over the packets of a request: a stage that handles four packets per request counts four times, so the bars add up to CPU-path time, not to latency. The wire (propagation and serialization) is left out of the chart so the kernel stages stay readable; it is in the table below.',
    },
    {
      kind: 'vega-lite',
      id: 'stage-breakdown',
      caption: `Time per request in each stage group on the hosts (waiting and service) at ${pointName(plan.stagePoint)}; wire excluded`,
      spec: stageBreakdownSpec(
        stageRows.filter((r) => !isWire(r.stage)),
        `Where the time goes, ${pointName(plan.stagePoint)}`,
      ),
    },
    { kind: 'table', table: stageTable },
  ];

  const meta = ctx.meta(
    'seed',
    'Seed study by simulation: five network options on c4.8xlarge',
    precisionText(plan.requests, plan.replications, results),
  );
  const written = await writeReport({ meta, blocks, data: { plan, knees, results } }, opts.outDir);
  return { htmlPath: written.htmlPath, table: main, written };
}
