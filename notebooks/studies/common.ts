/**
 * What every study shares: its options and outcome, running a list of simulated points with
 * progress on stderr, and the tables and chart rows built from SimResults.
 */
import { createProgress } from '../../cli/progress.ts';
import { VERSION } from '../../cli/version.ts';
import { type PairedDifference, stageTimePerRequest } from '../../sim/compare.ts';
import type { PercentileKey, SimResult } from '../../sim/result.ts';
import type { CoreLoad } from '../charts/cpu-heatmap.ts';
import type { PercentilePoint } from '../charts/latency-vs-percentile.ts';
import type { StageTime } from '../charts/stage-breakdown.ts';
import { resolveProfile } from '../lib/profile.ts';
import { openSimulator, type SimulateFn, type SimulateRequest, type Simulator } from '../lib/simulator.ts';
import type { IntervalCell, ReportMeta, Table, WrittenReport } from '../lib/types.ts';

export interface StudyOptions {
  /** Reduced grid and sample sizes: finishes within a minute (what tests use). */
  quick: boolean;
  seed: number;
  /** A profile file; default: the fitted profile when one exists, else built-in costs. */
  profile?: string;
  /** Folder the report is written to (default out/<study>). */
  outDir: string;
  /** lab-validation: run-record files or folders (default runs/lab). */
  runs?: string[];
  /** capacity, what-if: the server host (built-in id or host file; default c4.8xlarge). */
  host?: string;
  /** what-if: the rate of the questions (default: the study's, scaled by the host's CPUs). */
  rate_rps?: number;
  /** capacity: the load to plan servers for (default 1,000,000 requests/s). */
  target_rps?: number;
  /** capacity: the response size (default 350 B). */
  response_bytes?: number;
  /** Show progress on stderr (default true). */
  progress?: boolean;
  /** The simulator; default the real one (tests of the renderer may pass a fixture-backed one). */
  simulate?: SimulateFn;
}

export interface StudyOutcome {
  htmlPath: string;
  /** The main table, as `cnisim study` prints it. */
  table: Table;
  written: WrittenReport;
}

export type Study = (opts: StudyOptions) => Promise<StudyOutcome>;

/** Runs `body` with a study context and always closes it (worker threads would keep the process alive). */
export async function withContext<T>(opts: StudyOptions, body: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = await studyContext(opts);
  try {
    return await body(ctx);
  } finally {
    await ctx.close();
  }
}

export const HOST = 'c4.8xlarge';

/** The five options the seed study compared, in its order of presentation. */
export const SEED_OPTIONS = [
  'net-host',
  'flannel-host-gw',
  'flannel-aws-vpc',
  'flannel-vxlan',
  'ipvlan',
] as const;

/** The study's ladder columns: p95, p99, p99.5, p99.99, p99.999, max. */
export const LADDER_KEYS: readonly PercentileKey[] = ['p95', 'p99', 'p99_5', 'p99_99', 'p99_999', 'max'];

export function ladderHeader(k: PercentileKey): string {
  return `${k}_ms`;
}

export interface Context {
  simulate: SimulateFn;
  /** Ends the simulator's worker threads (call in finally). */
  close: () => Promise<void>;
  profilePath: string | undefined;
  meta: (study: string, title: string, precision: string) => ReportMeta;
}

export async function studyContext(opts: StudyOptions): Promise<Context> {
  const profile = resolveProfile(opts.profile);
  // Opened on first use, so a study that needs no simulation (lab-validation without records) runs without it.
  let opened: Promise<Simulator> | undefined;
  const open = (): Promise<Simulator> => {
    if (!opened) opened = openSimulator();
    return opened;
  };
  const raw: SimulateFn = opts.simulate ?? (async (req) => (await open()).simulate(req));
  const warned: (readonly string[])[] = [];
  const simulate: SimulateFn = async (req) => {
    const r = await raw(req);
    warned.push(r.warnings ?? []);
    return r;
  };
  return {
    simulate,
    close: async () => {
      if (opened) await (await opened).close();
    },
    profilePath: profile.path,
    meta: (study, title, precision) => ({
      study,
      title,
      seed: opts.seed,
      version: VERSION,
      profile: profile.description,
      precision,
      quick: opts.quick,
      warnings: setupWarnings(warned),
    }),
  };
}

/**
 * The warnings every simulated point gave (about the set-up, not one point), and a count of the
 * points that gave others (warm-up checks, inert overrides: per point, in data.json).
 */
export function setupWarnings(perPoint: readonly (readonly string[])[]): string[] {
  if (perPoint.length === 0) return [];
  const common = perPoint[0]!.filter((w) => perPoint.every((ws) => ws.includes(w)));
  const more = perPoint.filter((ws) => ws.some((w) => !common.includes(w))).length;
  return [
    ...common,
    ...(more > 0
      ? [
          `${more} of ${perPoint.length} simulated point(s) warned of more (each result's warnings in data.json)`,
        ]
      : []),
  ];
}

/** Runs points one after the other (simulate() spreads replications over the cores itself). */
export async function runPoints(
  simulate: SimulateFn,
  requests: SimulateRequest[],
  label: string,
  showProgress: boolean,
): Promise<SimResult[]> {
  const progress = createProgress(label, requests.length, { enabled: showProgress });
  const out: SimResult[] = [];
  for (const [i, req] of requests.entries()) {
    out.push(await simulate(req));
    progress.update(i + 1, `${req.option} ${req.rate_rps / 1000}k/s ${req.response_bytes} B`);
  }
  progress.finish();
  return out;
}

/**
 * Sample sizes. `requests` is the total per simulated point over all replications (as simulate()
 * counts it), after each replication's warm-up (10 % or the delayed-ACK time + 10 ms). 4 replications give CIs on 3 degrees
 * of freedom (t = 3.18) rather than 1 (t = 12.7); each replication costs about 0.25 s of set-up on
 * these machines, so --quick uses 2 to stay within a minute.
 */
export const BUDGET = {
  quick: { requests: 10_000, replications: 2 },
  full: { requests: 100_000, replications: 4 },
} as const;

export function precisionText(
  requests: number,
  replications: number,
  results: readonly SimResult[] = [],
): string {
  const ran = results.filter((r) => r.requests > 0);
  const measured = ran.length > 0 ? Math.min(...ran.map((r) => r.requests)) : Math.round(requests * 0.9);
  const warm = ran.map((r) => r.warmup_requests ?? 0);
  const warmText =
    warm.length > 0 ? `: here ${rangeText(Math.min(...warm), Math.max(...warm))} requests per point` : '';
  // Percentiles with fewer than 10 measured requests beyond them rest on too few to be more than indicative.
  const thin = (
    [
      ['p99.9', 1e-3],
      ['p99.99', 1e-4],
      ['p99.999', 1e-5],
    ] as const
  )
    .map(([name, q]) => ({ name, beyond: measured * q }))
    .filter((x) => x.beyond < 10);
  const thinText =
    thin.length === 0
      ? ''
      : ` ${listText(thin.map((x) => x.name))} ${thin.length > 1 ? 'rest' : 'rests'} on about ${listText(thin.map((x) => String(Number(x.beyond.toPrecision(2)))))} measured request(s) beyond ${thin.length > 1 ? 'them' : 'it'}: treat ${thin.length > 1 ? 'them' : 'it'}, and the max, as indicative only.`;
  return (
    `${requests.toLocaleString('en-US')} requests per simulated point, in ${replications} replications; each replication first runs a warm-up that is discarded ` +
    `(10 % of its requests or the delayed-ACK time + 10 ms, whichever is longer${warmText}); ` +
    `${ran.length > 0 ? 'at least' : 'about'} ${measured.toLocaleString('en-US')} requests measured per point; 95 % confidence intervals are t-intervals ` +
    `across replications (in data.json and on the charts).${thinText}`
  );
}

/** `a`, `a and b`, `a, b and c`. */
function listText(xs: string[]): string {
  return xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
}

/** A paired difference's 95 % interval as a table cell: signed ends, `(includes 0)` when it does. */
export function differenceCell(d: PairedDifference, key: PercentileKey): IntervalCell {
  return {
    interval: d.latency_diff_ci95_ms[key],
    signed: true,
    ...(d.differs[key] ? {} : { note: 'includes 0' }),
  };
}

function rangeText(lo: number, hi: number): string {
  return lo === hi
    ? lo.toLocaleString('en-US')
    : `${lo.toLocaleString('en-US')} to ${hi.toLocaleString('en-US')}`;
}

export function percentilePoints(r: SimResult): PercentilePoint[] {
  if (!r.latency_ms) return [];
  const points: PercentilePoint[] = [];
  const qs: [PercentileKey, number][] = [
    ['p90', 0.9],
    ['p95', 0.95],
    ['p99', 0.99],
    ['p99_5', 0.995],
    ['p99_9', 0.999],
    ['p99_99', 0.9999],
    ['p99_999', 0.99999],
  ];
  for (const [k, q] of qs) {
    const ci = r.latency_ci95_ms?.[k];
    points.push({
      option: r.option,
      q,
      latency_ms: r.latency_ms[k],
      ci_lo_ms: ci?.[0] ?? null,
      ci_hi_ms: ci?.[1] ?? null,
    });
  }
  return points;
}

export function coreLoads(r: SimResult): CoreLoad[] {
  return r.cpu.map((c) => ({
    option: r.option,
    host: c.host,
    cpu: c.cpu,
    hardirq: c.hardirq,
    softirq: c.softirq,
    task: c.task,
  }));
}

export function stageTimes(r: SimResult): StageTime[] {
  return stageTimePerRequest(r).map((s) => ({
    option: r.option,
    stage: s.stage,
    wait_us_per_request: s.wait_us,
    service_us_per_request: s.service_us,
  }));
}

export function latencyOf(r: SimResult, k: PercentileKey): number | null {
  if (r.saturated || !r.latency_ms) return null;
  return r.latency_ms[k];
}
