/**
 * Capacity planning: the highest offered rate each option sustains under each latency SLO (p99 at
 * or below 1, 2 and 5 ms; p99.9 at or below 10 ms), with a 95 % confidence interval, and the number
 * of server hosts needed for a target load. The study's c4.8xlarge by default; `host`,
 * `target_rps` and `response_bytes` of the study options plan for another host, load or size. Capacity comes from a bisection over
 * simulate() (sim/capacity-search.ts); the SLOs of one option share their simulations.
 */
import type { PercentileKey, SimResult } from '../../sim/result.ts';
import { capacityBarsSpec, type CapacityRow } from '../charts/capacity-bars.ts';
import { responseLabel } from '../charts/theme.ts';
import {
  cachedEvaluator,
  type CapacityEstimate,
  hostsNeeded,
  evaluationOf,
  searchCapacity,
} from '../../sim/capacity-search.ts';
import { withoutWallClock } from '../lib/simulator.ts';
import type { Block, Cell, Table } from '../lib/types.ts';
import { writeReport } from '../lib/write-report.ts';
import {
  BUDGET,
  HOST,
  precisionText,
  SEED_OPTIONS,
  type StudyOptions,
  type StudyOutcome,
  type Context,
  withContext,
} from './common.ts';
import { createProgress } from '../../cli/progress.ts';
import { loadHost } from '../../model/load.ts';

export const SLOS: { label: string; percentile: PercentileKey; limit_ms: number }[] = [
  { label: 'p99<=1ms', percentile: 'p99', limit_ms: 1 },
  { label: 'p99<=2ms', percentile: 'p99', limit_ms: 2 },
  { label: 'p99<=5ms', percentile: 'p99', limit_ms: 5 },
  { label: 'p99.9<=10ms', percentile: 'p99_9', limit_ms: 10 },
];

export interface CapacityPlan {
  /** The host as given (built-in id or file) and its id. */
  host: string;
  host_id: string;
  options: readonly string[];
  response_bytes: number;
  target_rps: number;
  requests: number;
  replications: number;
  search: { lo_rps: number; hi_rps: number; step_rps: number; rel_tol: number; maxIterations: number };
}

export function capacityPlan(
  quick: boolean,
  over: { host?: string; target_rps?: number; response_bytes?: number } = {},
): CapacityPlan {
  const host = over.host ?? HOST;
  const common = {
    host,
    // Read now: a bad host file is refused before any simulation.
    host_id: loadHost(host, '--host').id,
    options: SEED_OPTIONS,
    response_bytes: over.response_bytes ?? 350,
    target_rps: over.target_rps ?? 1_000_000,
  };
  return quick
    ? {
        ...common,
        ...BUDGET.quick,
        search: { lo_rps: 50_000, hi_rps: 550_000, step_rps: 50_000, rel_tol: 0.1, maxIterations: 3 },
      }
    : {
        ...common,
        ...BUDGET.full,
        search: { lo_rps: 10_000, hi_rps: 600_000, step_rps: 5_000, rel_tol: 0.02, maxIterations: 8 },
      };
}

export async function runCapacity(opts: StudyOptions): Promise<StudyOutcome> {
  return withContext(opts, (ctx) => capacityStudy(ctx, opts));
}

async function capacityStudy(ctx: Context, opts: StudyOptions): Promise<StudyOutcome> {
  const plan = capacityPlan(opts.quick, {
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.target_rps !== undefined ? { target_rps: opts.target_rps } : {}),
    ...(opts.response_bytes !== undefined ? { response_bytes: opts.response_bytes } : {}),
  });
  const estimates: {
    option: string;
    slo: string;
    percentile: string;
    limit_ms: number;
    estimate: CapacityEstimate;
  }[] = [];
  const simulated: SimResult[] = [];
  const progress = createProgress('study capacity', plan.options.length * SLOS.length, {
    enabled: opts.progress ?? true,
  });
  let done = 0;
  for (const option of plan.options) {
    const sim = cachedEvaluator(async (rate_rps: number) => {
      const r = withoutWallClock(
        await ctx.simulate({
          option,
          host: plan.host,
          rate_rps,
          response_bytes: plan.response_bytes,
          requests: plan.requests,
          replications: plan.replications,
          seed: opts.seed,
          ...(ctx.profilePath ? { profile: ctx.profilePath } : {}),
        }),
      );
      simulated.push(r);
      return { saturated: r.saturated, latency_ms: r.latency_ms, ci: r.latency_ci95_ms } as const;
    });
    for (const slo of SLOS) {
      const estimate = await searchCapacity(
        async (rate) => {
          const e = await sim(rate);
          return evaluationOf({ ...e, latency_ci95_ms: e.ci }, slo.percentile);
        },
        { percentile: slo.percentile, limit_ms: slo.limit_ms },
        plan.search,
      );
      estimates.push({
        option,
        slo: slo.label,
        percentile: slo.percentile,
        limit_ms: slo.limit_ms,
        estimate,
      });
      progress.update(
        ++done,
        `${option} ${slo.label}: ${estimate.below_lower_bound ? `below ${plan.search.lo_rps}` : estimate.max_rate_rps} req/s`,
      );
    }
  }
  progress.finish();

  const bound = (e: CapacityEstimate) =>
    e.below_lower_bound ? `< ${plan.search.lo_rps}` : e.at_upper_bound ? `>= ${plan.search.hi_rps}` : '';
  const table: Table = {
    id: 'capacity',
    caption: `Highest rate meeting each SLO (${responseLabel(plan.response_bytes)} responses, one ${plan.host_id} server) and servers needed for ${plan.target_rps.toLocaleString('en-US')} requests/s; ci95_hi_rps is the first rate the search saw fail (the capacity is below it), so the fewest servers never count on it`,
    columns: [
      { key: 'option', header: 'option' },
      { key: 'slo', header: 'slo' },
      { key: 'max_rate_rps', header: 'max_rate_rps' },
      { key: 'ci95_lo_rps', header: 'ci95_lo_rps' },
      { key: 'ci95_hi_rps', header: 'ci95_hi_rps' },
      { key: 'resolution_rps', header: 'resolution_rps' },
      { key: 'hosts', header: 'hosts_needed' },
      { key: 'hosts_ci', header: 'hosts_ci95' },
      { key: 'note', header: 'note' },
    ],
    rows: estimates.map(({ option, slo, estimate: e }): Record<string, Cell> => {
      const h = hostsNeeded(plan.target_rps, e);
      const ok = !e.below_lower_bound;
      return {
        option,
        slo,
        max_rate_rps: ok ? e.max_rate_rps : null,
        ci95_lo_rps: ok ? e.ci95_rps[0] : null,
        ci95_hi_rps: ok ? e.ci95_rps[1] : null,
        resolution_rps: ok && !e.at_upper_bound ? e.resolution_rps : null,
        hosts: ok ? h.hosts : null,
        hosts_ci: ok ? { interval: h.ci95 } : null,
        note: bound(e) || null,
      };
    }),
  };
  const chartRows: CapacityRow[] = estimates
    .filter((e) => !e.estimate.below_lower_bound)
    .map((e) => ({
      option: e.option,
      slo: e.slo,
      response_bytes: plan.response_bytes,
      max_rate_rps: e.estimate.max_rate_rps,
      ci_lo_rps: e.estimate.ci95_rps[0],
      ci_hi_rps: e.estimate.ci95_rps[1],
    }));
  const blocks: Block[] = [
    {
      kind: 'text',
      markdown: `How much load one \`${plan.host_id}\` server carries with each network option before a latency objective is broken, for ${responseLabel(plan.response_bytes)} responses, and how many servers a target of **${plan.target_rps.toLocaleString('en-US')} requests/s** then needs.

- Method: bisection on the offered rate between ${plan.search.lo_rps.toLocaleString('en-US')} and ${plan.search.hi_rps.toLocaleString('en-US')} requests/s in steps of ${plan.search.step_rps.toLocaleString('en-US')}; a saturated point fails every SLO. The capacity is the highest rate found to meet the SLO.
- Confidence interval: the same bisection on the upper end of the percentile's 95 % CI (the pessimistic capacity) and on its lower end (the optimistic one). Hosts needed = ceil(target / capacity); its interval runs from the fewest (the next whole number above target / ci95_hi_rps, a rate that failed, so no server is counted on carrying it) to ceil(target / ci95_lo_rps).
- ${estimates.length} searches used ${simulated.length} simulated points.`,
    },
    { kind: 'table', table },
    chartRows.length > 0
      ? {
          kind: 'vega-lite',
          id: 'capacity-bars',
          caption: 'Highest rate meeting each SLO per option; black bars: 95 % CI',
          spec: capacityBarsSpec(
            chartRows,
            `Capacity under latency SLOs, ${responseLabel(plan.response_bytes)} responses, one ${plan.host_id} server`,
          ),
        }
      : {
          kind: 'text',
          markdown: `**No option met any SLO at the lowest rate searched (${plan.search.lo_rps.toLocaleString('en-US')} requests/s)**, so there is no capacity to chart: the host carries less than that under these objectives.`,
        },
  ];
  const meta = ctx.meta(
    'capacity',
    'Capacity planning: highest rate per option under latency SLOs',
    `${precisionText(plan.requests, plan.replications)} Each search stops when its bracket is ${plan.search.step_rps.toLocaleString('en-US')} requests/s or ${(plan.search.rel_tol * 100).toFixed(0)} % wide (whichever is coarser), or after ${plan.search.maxIterations} bisection steps; resolution_rps is the width each reached (the capacity lies between max_rate_rps and max_rate_rps + resolution_rps).`,
  );
  simulated.sort((a, b) => a.option.localeCompare(b.option) || a.rate_rps - b.rate_rps);
  const written = await writeReport(
    {
      meta,
      blocks,
      // A search below its lowest rate found no capacity: none is stored (max_rate_rps was that failing rate).
      data: {
        plan,
        slos: SLOS,
        estimates: estimates.map((e) =>
          e.estimate.below_lower_bound
            ? { ...e, estimate: { ...e.estimate, max_rate_rps: null, ci95_rps: null, resolution_rps: null } }
            : e,
        ),
        simulated,
      },
    },
    opts.outDir,
  );
  return { htmlPath: written.htmlPath, table, written };
}
