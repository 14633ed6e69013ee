/**
 * One simulated point: compile the scenario, run replications of the packet-path interpreter on
 * worker threads (the engine's `replicate`), delete the warm-up, merge, and report a SimResult with
 * 95 % confidence intervals across replications (or across ten batches of one replication).
 *
 * Saturation: the run is called saturated when the offered load cannot be carried: fewer than 97 %
 * of the requests sent in the measurement window completed, the requests outstanding grew over
 * the window by more than 2 % of those sent, one resource (a CPU, the wire) was busy for at least
 * 99 % of the window (its queue never emptied: a stable queue at 99 % load already waits ~100
 * service times on average, and an overload of a few % passes the first two tests while its
 * latency grows with run length), or the interpreter stopped because too many packets were in
 * flight. The bottleneck is the busiest resource: a CPU class on one CPU (`server cpu 0
 * softirq`) or the wire (`wire 10 Gbit/s server->client`); when no resource is above 90 %, the place
 * with most drops. Percentiles of a saturated run are meaningless (they grow with run length), so
 * latency_ms is null.
 */
import { inertSetWarnings } from '../model/compile/inert-sets.ts';
import { unchangedSetWarnings } from '../model/compile/unchanged-sets.ts';
import { InputError } from '../cli/errors.ts';
import { hostBases, hostFilePath, loadHost, readDataFile, validate } from '../model/load.ts';
import { type ByRate, valueAtRate } from '../model/param-by-rate.ts';
import { type NormalizeInput, normalize } from '../model/compile/normalize.ts';
import { applySet } from '../model/compile/set.ts';
import { ScenarioInput } from '../model/schema/scenario.ts';
import { readScenarioFile } from '../model/scenario-file.ts';
import type { Scenario } from '../model/schema/scenario.ts';
import { Histogram } from './engine/histogram.ts';
import {
  type ReplicatedResult,
  type ReplicationPool,
  replicate,
  replicateUntilPrecision,
} from './engine/replicate.ts';
import { meanInterval } from './engine/stats/confidence.ts';
import { REPLICATION_MODULE, type ReplicationParams, stageNames } from './net/replication.ts';
import { summarizeBursts } from './burst-bins.ts';
import {
  type BurstReport,
  type CpuLoad,
  PERCENTILE_KEYS,
  PERCENTILE_QUANTILES,
  type PercentileIntervals,
  type PercentileKey,
  type Percentiles,
  type SimResult,
  type StageBreakdown,
} from './result.ts';

/** The highest rate simulate accepts, requests/s. */
export const MAX_RATE_RPS = 1e8;

/** The most replications --precision adds up to (from --replications, the step). */
export function precisionCap(replications: number): number {
  return Math.max(32, replications * 8);
}

/** Requests due in one replication's window below which a run is refused (it measures nothing). */
export const MIN_WINDOW_REQUESTS = 10;

/** Measured requests below which p99 rests on fewer than 10 requests: a warning. */
export const MIN_MEASURED = 1000;

/** Busy fraction of the window at which a resource counts as saturated (see the header). */
export const FULLY_BUSY = 0.99;

export interface SimulateRequest {
  /** Built-in option id or a path to an option file. */
  option: string;
  /** Built-in host profile id or a path to a host profile file (default c4.8xlarge). */
  host?: string;
  rate_rps: number;
  response_bytes: number;
  /** A fitted profile: JSON `{ "host": id, "params": { "<set path>": { "value": n, "sd"?: n } } }`. */
  profile?: string;
  /** A scenario file (YAML/JSON); fields given here override it. */
  scenario?: string;
  /** `path=value` overrides, applied after the profile's. */
  set?: string[];
  /**
   * A what-if variant: its overrides, applied after `set`, and the host it runs on (instead of
   * `host`). Warnings name it by `label` (compare: `--variant <name>:`), and say so when the variant
   * leaves the scenario as it was.
   */
  variant?: { label: string; set: string[]; host?: string };
  /** Requests to send, over all replications together (default 200000). */
  requests?: number;
  /** Alternative to requests: simulated seconds of sending per replication. */
  duration_s?: number;
  seed?: number;
  replications?: number;
  workers?: number;
  /** e.g. `p99.99=0.05`: add replications until that percentile's CI half-width is within 5 %. */
  precision?: string;
  /** Fraction of each replication's send period discarded as warm-up (default 0.1). */
  warmup_fraction?: number;
  /** Called with (done, total) replications. */
  onProgress?: (done: number, total: number) => void;
  /** An open worker pool to reuse (sweeps): saves the worker start-up per point. */
  pool?: ReplicationPool;
  /** Also return each replication's latency percentiles (latency_by_replication_ms; compare pairs them). */
  replication_percentiles?: boolean;
}

export const DEFAULT_REQUESTS = 200_000;
export const DEFAULT_REPLICATIONS = 4;

/** A fitted parameter as simulate reads it: a value, or values at two rates (model/param-by-rate.ts). */
interface FittedValue {
  value: number;
  sd?: number;
  by_rate?: ByRate;
}

/** The part of a fitted profile (calibration/fitted-profile.ts) that simulate applies. */
interface FittedProfile {
  host?: string;
  params: Record<string, FittedValue>;
  /** Parameters fitted for one option only, applied after `params` when that option runs. */
  option_params?: Record<string, Record<string, FittedValue>>;
}

export function readProfile(path: string): FittedProfile {
  const raw = readDataFile(path, '--profile') as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || typeof raw.params !== 'object' || raw.params === null)
    throw new InputError(
      '--profile',
      path,
      'a fitted profile needs a "params" object of { "<path>": { "value": n } }',
    );
  const checkMap = (where: string, map: unknown) => {
    if (!map || typeof map !== 'object') throw new InputError(`--profile ${where}`, map, 'must be an object');
    for (const [k, v] of Object.entries(map as Record<string, unknown>)) {
      if (!v || typeof v !== 'object' || typeof (v as { value?: unknown }).value !== 'number')
        throw new InputError(`--profile ${where}.${k}.value`, v, 'must be a number');
      const b = (v as { by_rate?: { rates_rps?: unknown; values?: unknown } }).by_rate;
      if (b === undefined) continue;
      const pair = (x: unknown) =>
        Array.isArray(x) && x.length === 2 && x.every((y) => typeof y === 'number' && Number.isFinite(y));
      if (!b || !pair(b.rates_rps) || !pair(b.values))
        throw new InputError(
          `--profile ${where}.${k}.by_rate`,
          b,
          'needs rates_rps and values, two numbers each',
        );
      const [r0, r1] = b.rates_rps as number[];
      if (!(r0! > 0 && r1! > r0!))
        throw new InputError(
          `--profile ${where}.${k}.by_rate.rates_rps`,
          b.rates_rps,
          'must be > 0 and ascending',
        );
    }
  };
  checkMap('params', raw.params);
  if (raw.option_params !== undefined) {
    if (!raw.option_params || typeof raw.option_params !== 'object')
      throw new InputError('--profile option_params', raw.option_params, 'must be an object');
    for (const [opt, map] of Object.entries(raw.option_params as Record<string, unknown>))
      checkMap(`option_params.${opt}`, map);
  }
  return raw as unknown as FittedProfile;
}

/**
 * A warning when the simulated rate is more than a doubling outside the rates a by_rate value was
 * measured at: the log-linear rule (model/param-by-rate.ts) is then an extrapolation far from data.
 */
function byRateWarnings(prof: FittedProfile, option: string, rate_rps: number): string[] {
  const ranges = [...Object.values(prof.params), ...Object.values(prof.option_params?.[option] ?? {})]
    .map((v) => v.by_rate?.rates_rps)
    .filter((r): r is [number, number] => r !== undefined);
  if (ranges.length === 0) return [];
  const lo = Math.min(...ranges.map((r) => r[0]));
  const hi = Math.max(...ranges.map((r) => r[1]));
  if (rate_rps >= lo / 2 && rate_rps <= 2 * hi) return [];
  return [
    `the profile's rate-dependent costs were measured at ${lo}-${hi} requests/s; at ${rate_rps} they are extrapolated by more than a doubling (docs/calibration.md, cost basis by-rate)`,
  ];
}

/**
 * Builds the normalized scenario of a request (throws InputError on bad input); `prof` is its
 * --profile already read (read here when not given).
 */
export function scenarioOf(
  req: SimulateRequest,
  prof: FittedProfile | null = req.profile ? readProfile(req.profile) : null,
): Scenario {
  return normalize(scenarioInput(req, prof));
}

/** The scenario as written: the request over its scenario file and profile (precedence in order). */
function scenarioInput(req: SimulateRequest, prof: FittedProfile | null): NormalizeInput {
  if (!(req.rate_rps > 0)) throw new InputError('rate_rps', req.rate_rps, 'must be greater than 0');
  if (req.rate_rps > MAX_RATE_RPS)
    throw new InputError(
      'rate_rps',
      req.rate_rps,
      `must be at most ${MAX_RATE_RPS.toExponential()} (a 10 Gbit/s wire carries at most 14.9 M frames/s; the warm-up alone would simulate tens of millions of requests)`,
    );
  if (!(Number.isInteger(req.response_bytes) && req.response_bytes > 0))
    throw new InputError('response_bytes', req.response_bytes, 'must be a whole number greater than 0');
  const host = req.variant?.host ?? req.host;
  let input: NormalizeInput = { option: req.option };
  if (req.scenario) {
    const s = readScenarioFile(req.scenario);
    input = { ...s, option: req.option ?? s.option };
    if (host === undefined && s.host !== undefined) input.host = s.host;
  }
  const sets: string[] = [...(input.set ?? [])];
  if (prof) {
    if (host === undefined && input.host === undefined && prof.host) {
      // A profile names its host by id: a host of a file must be given again, by its file.
      if (!hostFilePath(prof.host))
        throw new InputError(
          '--profile',
          req.profile,
          `was fitted on host ${prof.host}, which is not a built-in: give --host with that host's file`,
        );
      input.host = prof.host;
    }
    // A by_rate value is taken at the simulated rate (model/param-by-rate.ts).
    const at = (v: FittedValue) => (v.by_rate ? valueAtRate(v.by_rate, req.rate_rps) : v.value);
    const profSets = [
      ...Object.entries(prof.params).map(([k, v]) => ({ where: `params.${k}`, set: `${k}=${at(v)}` })),
      ...Object.entries(prof.option_params?.[req.option] ?? {}).map(([k, v]) => ({
        where: `option_params.${req.option}.${k}`,
        set: `${k}=${at(v)}`,
      })),
    ];
    // The profile's values are checked as overrides when normalize applies them, and an error there
    // would name only the parameter path: apply them here first, in the same order onto the same
    // scenario, so that one the model refuses (a misspelt path, a value out of range) names the
    // profile and its key. A scenario that fails without them is left for normalize to report.
    let base: Scenario | null = null;
    try {
      base = normalize({
        ...input,
        ...(host !== undefined ? { host } : {}),
        workload: { ...(input.workload ?? {}), rate_rps: req.rate_rps, response_bytes: req.response_bytes },
        set: [...sets],
      });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
    if (base)
      for (const p of profSets) {
        try {
          base = applySet(base, p.set);
        } catch (err) {
          if (err instanceof InputError)
            throw new InputError(
              `--profile ${req.profile ?? '(fitted profile)'}: ${p.where}`,
              err.value,
              err.reason,
            );
          throw err;
        }
      }
    sets.push(...profSets.map((p) => p.set));
  }
  sets.push(...(req.set ?? []), ...(req.variant?.set ?? []));
  if (host !== undefined) input.host = host;
  input.workload = { ...(input.workload ?? {}), rate_rps: req.rate_rps, response_bytes: req.response_bytes };
  input.set = sets;
  return input;
}

/**
 * Warnings on the user's overrides (`--set`, then a variant's): those that leave the scenario as it
 * was without them are said so (a variant as a whole, its host included), the others each where it
 * cannot matter (model/compile/inert-sets.ts). The scenario file's overrides count as --set's.
 */
function overrideWarnings(
  req: SimulateRequest,
  prof: FittedProfile | null,
  scenario: Scenario,
  fileSets: readonly string[],
): string[] {
  const set = req.set ?? [];
  const v = req.variant;
  const withoutVariant = v ? scenarioOrNull({ ...req, variant: undefined }, prof) : scenario;
  const withoutBoth =
    set.length && withoutVariant ? scenarioOrNull({ ...req, set: [], variant: undefined }, prof) : null;
  const unchangedSet =
    withoutBoth && withoutVariant ? unchangedSetWarnings(withoutBoth, withoutVariant, set) : [];
  // A variant of nothing (what-if's baseline) is the baseline by design, not by mistake.
  const acts = v !== undefined && (v.set.length > 0 || v.host !== undefined);
  const unchangedVariant =
    acts && withoutVariant ? unchangedSetWarnings(withoutVariant, scenario, v.set, v.label) : [];
  return [
    ...(unchangedSet.length ? unchangedSet : inertSetWarnings(scenario, [...fileSets, ...set])),
    ...(unchangedVariant.length ? unchangedVariant : inertSetWarnings(scenario, v?.set ?? [], v?.label)),
  ];
}

/** The scenario of `req`; null when it does not pass the checks (overrides left out mended it). */
function scenarioOrNull(req: SimulateRequest, prof: FittedProfile | null): Scenario | null {
  try {
    return scenarioOf(req, prof);
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

/**
 * The distribution-free 95 % interval of quantile `q` from the order statistics of `h`'s `n` values
 * (ranks n·q ± 1.96·sqrt(n·q·(1-q)), the normal approximation of the binomial), ms. It assumes the
 * values independent, which consecutive latencies are not, so it is a floor, not the interval.
 */
export function orderStatisticInterval(
  h: Pick<Histogram, 'count' | 'quantile'>,
  q: number,
): [number, number] {
  const n = h.count;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const lo = Math.max(0, (n * q - half - 1) / n);
  const hi = Math.min(1, (n * q + half + 1) / n);
  return [h.quantile(lo) / 1e6, h.quantile(hi) / 1e6];
}

function parsePrecision(text: string): { key: PercentileKey; q: number; rel: number } {
  const m = /^\s*(p[0-9.]+|max)\s*=\s*([0-9.]+)\s*$/.exec(text);
  const key = m ? (m[1]!.replace(/\./g, '_').replace(/^p(\d+)_?$/, 'p$1') as PercentileKey) : undefined;
  if (!m || !key || !(key in PERCENTILE_QUANTILES) || key === 'max')
    throw new InputError(
      '--precision',
      text,
      `expected <percentile>=<relative half-width>, e.g. p99.99=0.05 (percentiles: ${PERCENTILE_KEYS.filter((k) => k !== 'max').join(', ')})`,
    );
  const rel = Number(m[2]);
  if (!(rel > 0 && rel < 1))
    throw new InputError('--precision', text, 'the relative half-width must be in (0, 1)');
  return { key, q: PERCENTILE_QUANTILES[key], rel };
}

export async function simulate(req: SimulateRequest): Promise<SimResult> {
  const started = Date.now();
  const prof = req.profile ? readProfile(req.profile) : null;
  const input = scenarioInput(req, prof);
  const scenario = normalize(input);
  const seed = req.seed ?? 1;
  let replications = req.replications ?? DEFAULT_REPLICATIONS;
  if (!(Number.isInteger(replications) && replications >= 1))
    throw new InputError('--replications', replications, 'must be a whole number of at least 1');
  const warmupFraction = req.warmup_fraction ?? 0.1;
  let perRep: number;
  if (req.duration_s !== undefined) {
    if (!(req.duration_s > 0)) throw new InputError('--duration-s', req.duration_s, 'must be greater than 0');
    perRep = Math.max(1, Math.round(req.duration_s * req.rate_rps));
  } else {
    const total = req.requests ?? DEFAULT_REQUESTS;
    if (!(Number.isInteger(total) && total > 0))
      throw new InputError('--requests', total, 'must be a whole number greater than 0');
    perRep = Math.max(1, Math.ceil(total / replications));
  }
  if (perRep * (1 - warmupFraction) < MIN_WINDOW_REQUESTS)
    throw new InputError(
      req.duration_s !== undefined ? '--duration-s' : '--requests',
      req.duration_s ?? req.requests,
      `too short to measure: each of the ${replications} replication(s) needs at least ${Math.ceil(MIN_WINDOW_REQUESTS / (1 - warmupFraction))} request(s) (the first ${100 * warmupFraction} % are warm-up, and a window of fewer than ${MIN_WINDOW_REQUESTS} requests says nothing, not even whether the load is carried)`,
    );
  const params: ReplicationParams = { scenario, requests: perRep, warmupFraction };
  const common = {
    module: REPLICATION_MODULE,
    exportName: 'runReplication',
    params,
    seed,
    ...(req.workers !== undefined ? { workers: req.workers } : {}),
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    ...(req.pool ? { pool: req.pool } : {}),
  };
  const warnings: string[] = prof ? byRateWarnings(prof, req.option, req.rate_rps) : [];
  // The scenario file's overrides are --set's too (the profile's are fitted values, not questions).
  const fileSets = req.scenario ? (readScenarioFile(req.scenario).set ?? []) : [];
  warnings.push(...overrideWarnings(req, prof, scenario, fileSets));
  const bases = !prof && typeof input.host === 'string' ? hostBases(input.host) : [];
  if (bases.length > 0)
    warnings.push(
      `host ${scenario.host.id} extends ${bases.join(', which extends ')}: what it does not set itself (the CPU costs, unless it sets them) is ${bases[bases.length - 1]}'s, measured on other machines; calibrate on runs of this host before trusting absolute numbers (docs/calibration.md)`,
    );
  if (prof?.host && prof.host !== scenario.host.id && profileHostId(prof.host) !== scenario.host.id)
    warnings.push(
      `the profile was fitted on host ${prof.host}: its costs are applied to ${scenario.host.id} as they are`,
    );
  let result: ReplicatedResult;
  if (req.precision) {
    const p = parsePrecision(req.precision);
    const pr = await replicateUntilPrecision({
      ...common,
      target: { histogram: 'latency', q: p.q, relHalfWidth: p.rel },
      step: Math.max(2, replications),
      maxReplications: precisionCap(replications),
    });
    if (!pr.converged)
      warnings.push(`precision ${req.precision} not reached after ${pr.replications} replications`);
    result = pr;
    replications = pr.replications;
  } else {
    result = await replicate({ ...common, replications });
  }
  try {
    return summarize(req, scenario, seed, replications, result, warnings, started);
  } finally {
    for (const h of Object.values(result.histograms)) h.destroy();
  }
}

const CLASS_NAMES = ['hardirq', 'softirq', 'task'] as const;

function summarize(
  req: SimulateRequest,
  scenario: Scenario,
  seed: number,
  R: number,
  result: ReplicatedResult,
  warnings: string[],
  started: number,
): SimResult {
  const c = result.counters;
  const outs = result.outputs;
  const window_ns = c.window_ns! / R;
  const sent = c.sent ?? 0;
  const completed = c.completed ?? 0;
  const achieved_rps = window_ns > 0 ? (c.completed_in_window ?? 0) / R / (window_ns / 1e9) : 0;
  /** A counter summed over replications, per second of one window (0.1 resolution). */
  const perWindowSecond = (n: number | undefined) =>
    window_ns > 0 ? Math.round(((n ?? 0) / R / (window_ns / 1e9)) * 10) / 10 : 0;
  // CPU load per CPU index, averaged over replications.
  const nCpu = outs[0]!.counters.cpus!;
  const cpuCount = scenario.host.cpus.count;
  const cpu: CpuLoad[] = [];
  const serverBusiest = { name: '', load: 0 };
  const clientBusiest = { name: '', load: 0 };
  let busiest = { name: '', load: 0 };
  for (let i = 0; i < nCpu; i++) {
    const host = scenario.host.shared_cpus ? 'server' : i < cpuCount ? 'client' : 'server';
    const local = scenario.host.shared_cpus ? i : i % cpuCount;
    const frac = CLASS_NAMES.map((_, k) => (c[`busy.${i}.${k}`] ?? 0) / R / window_ns);
    const load: CpuLoad = { host, cpu: local, hardirq: frac[0]!, softirq: frac[1]!, task: frac[2]! };
    const ks = (c[`ksoftirqd.${i}`] ?? 0) / R / window_ns;
    if (ks > 0) load.ksoftirqd = ks;
    cpu.push(load);
    const total = frac[0]! + frac[1]! + frac[2]!;
    const best = host === 'server' ? serverBusiest : clientBusiest;
    if (total > best.load) {
      const k = frac.indexOf(Math.max(...frac));
      best.name = `${host} cpu ${local} ${CLASS_NAMES[k]}`;
      best.load = total;
    }
  }
  // Both hosts with a CPU full (RPS off fills the IRQ CPUs of both): both are named, the server's
  // first (the host the question is about); naming only the one scanned first misled.
  busiest =
    serverBusiest.load >= FULLY_BUSY && clientBusiest.load >= FULLY_BUSY
      ? {
          name: `${serverBusiest.name} (the client too: ${clientBusiest.name})`,
          load: Math.max(serverBusiest.load, clientBusiest.load),
        }
      : serverBusiest.load >= clientBusiest.load
        ? serverBusiest
        : clientBusiest;
  const gbps = scenario.wire.line_rate_gbps;
  for (const [d, label] of [
    [0, 'client->server'],
    [1, 'server->client'],
  ] as const) {
    const u = gbps > 0 ? (c[`wire${d}_ns`] ?? 0) / R / window_ns : 0;
    if (u > busiest.load) busiest = { name: `wire ${gbps} Gbit/s ${label}`, load: u };
  }
  const drops: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) if (k.startsWith('drop.')) drops[k.slice(5)] = v;
  const grew = (c.outstanding_end ?? 0) - (c.outstanding_warmup ?? 0);
  const aborted = (c.aborted ?? 0) > 0;
  // A resource busy for (nearly) the whole window never emptied its queue: at or past capacity,
  // where latency grows with run length (an overload of a few % carries 97 % and grows slowly).
  // (Over a window the schedule gives a few requests, a CPU's busy fraction is one chunk's: no
  // verdict from it. The schedule's count, not the written one: a generator that cannot keep up
  // writes few.)
  const dueInWindow = (window_ns / 1e9) * req.rate_rps * R;
  const fullyBusy = busiest.load >= FULLY_BUSY && dueInWindow >= MIN_MEASURED;
  // A window that held no written request has no verdict at all (not "saturated").
  if (sent === 0 && !aborted)
    throw new InputError(
      req.duration_s !== undefined ? '--duration-s' : '--requests',
      req.duration_s ?? req.requests ?? DEFAULT_REQUESTS,
      `the measurement window (${(window_ns / 1e3).toPrecision(3)} us per replication at ${req.rate_rps} requests/s) held no request written: raise it (or, if the generator could not write at all, the rate is beyond it)`,
    );
  const carried = !(aborted || completed < 0.97 * sent || grew > 0.02 * sent + 50 * R || sent === 0);
  const saturated = !carried || fullyBusy;
  let bottleneck: string | null = null;
  if (saturated) {
    if (busiest.load >= 0.9) bottleneck = busiest.name;
    else {
      const worst = Object.entries(drops).sort((a, b) => b[1] - a[1])[0];
      bottleneck = worst ? `drops at ${worst[0]}` : busiest.name || 'unknown';
    }
  }
  let latency_ms: Percentiles | null = null;
  let latency_ci95_ms: PercentileIntervals | null = null;
  let latency_tcpkali_ms: Percentiles | null = null;
  let latency_from_schedule_ms: Percentiles | null = null;
  let latency_by_replication_ms: Percentiles[] | null = null;
  let bursts: BurstReport | null = null;
  const merged = result.histograms.latency;
  if (!saturated && merged && merged.count > 0) {
    latency_ms = {} as Percentiles;
    latency_ci95_ms = {} as PercentileIntervals;
    latency_tcpkali_ms = {} as Percentiles;
    // Per-replication estimates, or per-batch estimates of the single replication.
    const parts: Histogram[] =
      R >= 2
        ? outs.map((o) => Histogram.decode(o.histograms.latency!))
        : Array.from({ length: 10 }, (_, b) => Histogram.decode(outs[0]!.histograms[`batch${b}`]!));
    for (const key of PERCENTILE_KEYS) {
      const q = PERCENTILE_QUANTILES[key];
      const v = merged.quantile(q) / 1e6;
      latency_ms[key] = round4(v);
      // tcpkali records (int)(latency in 0.1 ms units) and prints value/10 with one decimal.
      latency_tcpkali_ms[key] = Math.floor(v * 10) / 10;
      const ests = parts.filter((h) => h.count > 0).map((h) => h.quantile(q) / 1e6);
      // Never narrower than the order statistics of the merged requests allow (as if independent):
      // two replications that agree exactly (latencies are discrete where costs are constant) gave
      // a zero-width interval.
      const [oLo, oHi] = orderStatisticInterval(merged, q);
      if (ests.length >= 2 && ests.every((x) => x > 0)) {
        // Student-t interval of the per-replication percentiles on the log scale: tail percentiles
        // are skewed (one replication meeting a stall), and the log keeps the bounds positive.
        const ci = meanInterval(ests.map(Math.log));
        // The merged estimate is the point value; the interval is widened to include it.
        latency_ci95_ms[key] = [
          round4(Math.min(Math.exp(ci.lo), v, oLo)),
          round4(Math.max(Math.exp(ci.hi), v, oHi)),
        ];
      } else latency_ci95_ms[key] = [round4(Math.min(v, oLo)), round4(Math.max(v, oHi))];
    }
    orderBounds(latency_ci95_ms);
    if (req.replication_percentiles && R >= 2)
      latency_by_replication_ms = parts.map((h) => {
        const row = {} as Percentiles;
        for (const key of PERCENTILE_KEYS) row[key] = round4(h.quantile(PERCENTILE_QUANTILES[key]) / 1e6);
        return row;
      });
    for (const h of parts) h.destroy();
    bursts = burstReport(c, (R * window_ns) / 1e9);
    const fromSchedule = result.histograms.latency_from_schedule;
    if (fromSchedule && fromSchedule.count > 0) {
      latency_from_schedule_ms = {} as Percentiles;
      for (const key of PERCENTILE_KEYS)
        latency_from_schedule_ms[key] = round4(fromSchedule.quantile(PERCENTILE_QUANTILES[key]) / 1e6);
    }
    if (R < 2)
      warnings.push('one replication: intervals come from 10 batches of the run (correlated; optimistic)');
  }
  const names = stageNames(scenario);
  const stages: StageBreakdown[] = names.map((stage, i) => {
    const packets = c[`stage.${i}.packets`] ?? 0;
    const w = (field: string) =>
      packets > 0
        ? outs.reduce(
            (s, o) => s + (o.counters[`stage.${i}.${field}`] ?? 0) * (o.counters[`stage.${i}.packets`] ?? 0),
            0,
          ) / packets
        : 0;
    const cls = outs[0]!.counters[`stage.${i}.cls`] ?? 1;
    return {
      stage,
      cls: CLASS_NAMES[cls] ?? 'softirq',
      packets,
      wait_mean_us: round4(w('wait_mean') / 1e3),
      wait_p99_us: round4(w('wait_p99') / 1e3),
      service_mean_us: round4(w('service_mean') / 1e3),
      service_p99_us: round4(w('service_p99') / 1e3),
    };
  });
  if (aborted) warnings.push('stopped early: too many packets in flight (overload)');
  // p99 needs at least 10 requests beyond it: below 1000 measured, every reported percentile from
  // p99 up (and its interval) is one or a few requests, and CPU loads cover a few milliseconds.
  if (completed < MIN_MEASURED)
    warnings.push(
      `only ${completed} request(s) measured (window ${((window_ns * R) / 1e6).toPrecision(3)} ms over ${R} replication(s)): p99 and above rest on fewer than 10 requests each and the CPU loads on that window; raise --requests`,
    );
  // MSER-5 check of the fixed warm-up, per replication (engine stats/mser5.ts).
  const mserCut = outs.map(
    (o) => (o.counters.mser_truncate_requests ?? 0) / Math.max(1, o.counters.completed ?? 1),
  );
  const unreliable = outs.filter((o) => (o.counters.mser_reliable ?? 1) === 0).length;
  if (!saturated && (Math.max(...mserCut) > 0.05 || unreliable > 0))
    warnings.push(
      `warm-up check (MSER-5): the first ${(100 * Math.max(...mserCut)).toFixed(0)} % of the measured requests look transient${unreliable ? ' and no steady state was found in a replication' : ''}; run longer (--requests)`,
    );
  return {
    option: scenario.option.id,
    host: scenario.host.id,
    rate_rps: req.rate_rps,
    achieved_rps: Math.round(achieved_rps),
    response_bytes: req.response_bytes,
    saturated,
    carried,
    bottleneck,
    latency_ms,
    latency_ci95_ms,
    latency_tcpkali_ms,
    latency_from_schedule_ms,
    ...(req.replication_percentiles ? { latency_by_replication_ms } : {}),
    bursts,
    task_wakeups_per_s: {
      nginx: perWindowSecond(c['wakeups.nginx']),
      generator: perWindowSecond(c['wakeups.generator']),
    },
    drops,
    retransmits: c.retransmits ?? 0,
    cpu,
    stages,
    seed,
    requests: completed,
    replications: R,
    warmup_requests: c.sent_warmup ?? 0,
    wall_s: (Date.now() - started) / 1000,
    profile: req.profile ?? null,
    warnings,
  };
}

/**
 * A higher percentile is never below a lower one, so neither are its bounds: each lower bound is
 * raised to the one before it and each upper bound lowered to the one after it (in place; max's
 * upper bound excepted). Only
 * intervals that run past their neighbour's change: with few replications a tail percentile's own
 * interval can reach below p50 (four replications, one meeting a retransmission). The raised bound
 * fails only when the lower percentile's interval failed on that side, and the points stay inside
 * (the merged histogram's percentiles are ordered).
 */
export function orderBounds(ci: Partial<PercentileIntervals>): void {
  const keys = PERCENTILE_KEYS.filter((k) => ci[k] !== undefined);
  for (let i = 1; i < keys.length; i++) {
    const [prev, cur] = [ci[keys[i - 1]!]!, ci[keys[i]!]!];
    if (cur[0] < prev[0]) cur[0] = prev[0];
  }
  // Upper bounds not from max: it is the largest of the run's requests, whose interval bounds no
  // percentile of the distribution (its lower bound is raised above like the others').
  const below = keys.filter((k) => k !== 'max');
  for (let i = below.length - 2; i >= 0; i--) {
    const [cur, next] = [ci[below[i]!]!, ci[below[i + 1]!]!];
    if (cur[1] > next[1]) cur[1] = next[1];
  }
}

/** The id of the host a profile names: a built-in id as it is, a host file's (calibrate --host <file>) as read. */
function profileHostId(ref: string): string {
  try {
    return loadHost(ref).id;
  } catch {
    return ref;
  }
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** The bursts report from the replications' summed counters over `window_s` seconds of windows. */
function burstReport(c: Record<string, number>, window_s: number): BurstReport | null {
  const ticks = c['burst.ticks'] ?? 0;
  if (ticks === 0 || window_s <= 0) return null;
  const r = summarizeBursts(
    {
      ticks,
      emptyTicks: c['burst.empty_ticks'] ?? 0,
      sends: c['burst.sends'] ?? 0,
      count: (b) => c[`burst.${b}.count`] ?? 0,
      sum: (b) => c[`burst.${b}.sum_ns`] ?? 0,
      unitsPerMs: 1e6,
    },
    window_s,
  );
  for (const x of r.by_position) x.latency_mean_ms = round4(x.latency_mean_ms);
  return r;
}
