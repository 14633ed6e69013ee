/**
 * `cnisim simulate`: one simulated point (option, rate, response size). A table for people, the
 * SimResult JSON with --json (field names: sim/result.ts).
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { ReplicationPool } from '../../sim/engine/replicate.ts';
import { DEFAULT_REPLICATIONS, precisionCap, simulate, type SimulateRequest } from '../../sim/simulate.ts';
import { PERCENTILE_KEYS, type SimResult } from '../../sim/result.ts';
import { readDataFile, validate } from '../../model/load.ts';
import { ScenarioInput } from '../../model/schema/scenario.ts';
import { readScenarioFile } from '../../model/scenario-file.ts';
import { InputError, UsageError } from '../errors.ts';
import { formatTable, log, printJson } from '../output.ts';
import { parseNonNegative, parseNonNegativeInt, parsePositive, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Options shared by simulate, sweep and capacity. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option(
      '--host <profile|file>',
      'host profile: built-in id (cnisim hosts) or a YAML/JSON file (default: the scenario or profile host, else c4.8xlarge)',
    )
    .option('--profile <fitted.json>', 'fitted profile from calibration (its params are applied as --set)')
    .option('--scenario <file>', 'scenario file (YAML/JSON); flags override it')
    .option(
      '--set <path=value>',
      'override one parameter, repeatable (e.g. host.nic.coalescing=off); one that cannot matter is warned about',
      collect,
      [],
    )
    .option(
      '--requests <n>',
      'requests over all replications, 90 % of them measured after a warm-up of 10 % (or the delayed-ACK time + 10 ms, whichever is longer, so short runs at high rates send more)',
      (v) => parsePositiveInt('--requests', v),
    )
    .option('--duration-s <s>', 'simulated seconds of load per replication (instead of --requests)', (v) =>
      parsePositive('--duration-s', v),
    )
    .option('--seed <n>', 'random seed', (v) => parseNonNegative('--seed', v), 1)
    .option(
      '--replications <n>',
      'independent replications (CIs across them)',
      (v) => parsePositiveInt('--replications', v),
      DEFAULT_REPLICATIONS,
    )
    .option('--workers <n>', 'worker threads (default: cores, at most replications)', (v) =>
      parseNonNegativeInt('--workers', v),
    );
}

export interface ModelFlags {
  host?: string;
  profile?: string;
  scenario?: string;
  set: string[];
  requests?: number;
  durationS?: number;
  seed: number;
  replications: number;
  workers?: number;
}

/** One pool of replication workers for a command that simulates many points: cores, at most the replications. */
export function openPool(flags: Pick<ModelFlags, 'workers' | 'replications'>): ReplicationPool {
  return new ReplicationPool(
    Math.max(1, Math.min(flags.workers ?? availableParallelism(), flags.replications)),
  );
}

/** The points' warnings, each once, in the order they first appear. */
export function uniqueWarnings(results: readonly Pick<SimResult, 'warnings'>[]): string[] {
  return [...new Set(results.flatMap((r) => r.warnings ?? []))];
}

/**
 * Each distinct warning of the points on stderr, once; of several points, with which it came from
 * (all of them, or the first few of how many).
 */
export function logWarnings(
  results: readonly (Pick<SimResult, 'warnings'> &
    Partial<Pick<SimResult, 'option' | 'rate_rps' | 'response_bytes'>>)[],
): void {
  for (const w of uniqueWarnings(results)) {
    const from = results.filter((r) => r.warnings?.includes(w));
    const name = (r: (typeof results)[number]) =>
      `${r.option ?? '?'} ${r.rate_rps ?? '?'}/s ${r.response_bytes ?? '?'} B`;
    const which =
      results.length <= 1
        ? ''
        : from.length === results.length
          ? ' [all points]'
          : ` [${from.length} of ${results.length} points: ${from.slice(0, 3).map(name).join(', ')}${from.length > 3 ? ', ...' : ''}]`;
    log(`warning: ${w}${which}`);
  }
}

export function requestFrom(flags: ModelFlags, option: string, rate: number, bytes: number): SimulateRequest {
  if (flags.requests !== undefined && flags.durationS !== undefined)
    throw new UsageError('--requests and --duration-s are alternatives (how long to run): give one of them');
  return {
    option,
    rate_rps: rate,
    response_bytes: bytes,
    set: flags.set,
    seed: flags.seed,
    replications: flags.replications,
    ...(flags.host ? { host: flags.host } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.scenario ? { scenario: flags.scenario } : {}),
    ...(flags.requests !== undefined ? { requests: flags.requests } : {}),
    ...(flags.durationS !== undefined ? { duration_s: flags.durationS } : {}),
    ...(flags.workers !== undefined ? { workers: flags.workers } : {}),
  };
}

export function formatResult(r: SimResult): string {
  const head = `${r.option} on ${r.host}: ${r.rate_rps} RPS offered, ${r.achieved_rps} achieved, ${r.response_bytes} B responses, ${r.requests} requests measured (${r.replications ?? 1} replications, seed ${r.seed})\n`;
  if (r.saturated || !r.latency_ms || !r.latency_ci95_ms) {
    // Drops without a busy resource are not an overload: say what stopped the requests.
    const why = r.bottleneck?.startsWith('drops at ')
      ? `requests were not completed (${r.bottleneck}; no resource was near full, so check what loses them, not only the load)`
      : `offered load exceeds capacity; bottleneck: ${r.bottleneck ?? 'unknown'}`;
    return `${head}SATURATED: ${why}\n`;
  }
  const lat = r.latency_ms;
  const ci = r.latency_ci95_ms;
  const rows = PERCENTILE_KEYS.map((k) => ({
    k,
    v: lat[k],
    lo: ci[k][0],
    hi: ci[k][1],
    t: r.latency_tcpkali_ms?.[k],
    sched: r.latency_from_schedule_ms?.[k],
  }));
  let s = head;
  s += formatTable(rows, [
    { header: 'percentile', value: (x) => x.k.replace('_', '.'), align: 'left' },
    { header: 'latency_ms', value: (x) => x.v, digits: 3 },
    { header: 'ci95_lo_ms', value: (x) => x.lo, digits: 3 },
    { header: 'ci95_hi_ms', value: (x) => x.hi, digits: 3 },
    { header: 'tcpkali_ms', value: (x) => x.t, digits: 1 },
    { header: 'from_schedule_ms', value: (x) => x.sched, digits: 3 },
    ...(r.latency_pi95_ms
      ? [
          {
            header: 'pi95_lo_ms',
            value: (x: (typeof rows)[number]) => r.latency_pi95_ms?.[x.k]?.[0],
            digits: 3,
          },
          {
            header: 'pi95_hi_ms',
            value: (x: (typeof rows)[number]) => r.latency_pi95_ms?.[x.k]?.[1],
            digits: 3,
          },
        ]
      : []),
  ]);
  const drops = Object.entries(r.drops);
  s += `drops: ${drops.length ? drops.map(([k, v]) => `${k} ${v}`).join(', ') : 'none'}; retransmits: ${r.retransmits}\n`;
  const busiest = [...r.cpu]
    .sort((a, b) => b.hardirq + b.softirq + b.task - (a.hardirq + a.softirq + a.task))
    .slice(0, 6);
  s += `CPU load, the ${busiest.length} busiest of ${r.cpu.length} CPUs (all in --json, as fractions of the window):\n`;
  s += formatTable(busiest, [
    { header: 'host', value: (x) => x.host, align: 'left' },
    { header: 'cpu', value: (x) => x.cpu },
    { header: 'hardirq_pct', value: (x) => 100 * x.hardirq, digits: 1 },
    { header: 'softirq_pct', value: (x) => 100 * x.softirq, digits: 1 },
    { header: 'task_pct', value: (x) => 100 * x.task, digits: 1 },
  ]);
  s +=
    'Stages (packets: the units each stage handled; a multi-segment response counts once on the wire, its frames sent together, and once in receive stages after GRO):\n';
  s += formatTable(
    r.stages.filter((x) => x.packets > 0),
    [
      { header: 'stage', value: (x) => x.stage, align: 'left' },
      { header: 'packets', value: (x) => x.packets },
      { header: 'wait_mean_us', value: (x) => x.wait_mean_us, digits: 1 },
      { header: 'wait_p99_us', value: (x) => x.wait_p99_us, digits: 1 },
      { header: 'service_mean_us', value: (x) => x.service_mean_us, digits: 2 },
      { header: 'service_p99_us', value: (x) => x.service_p99_us, digits: 2 },
    ],
  );
  return s;
}

/** What a scenario file says of the point: its option (an id or file; not an inline one), rate, response size. */
export function scenarioPoint(file: string): {
  option?: string;
  rate_rps?: number;
  response_bytes?: number;
  inlineOption: boolean;
} {
  const s = readScenarioFile(file);
  return {
    ...(typeof s.option === 'string' ? { option: s.option } : {}),
    ...(s.workload?.rate_rps !== undefined ? { rate_rps: s.workload.rate_rps } : {}),
    ...(s.workload?.response_bytes !== undefined ? { response_bytes: s.workload.response_bytes } : {}),
    inlineOption: typeof s.option === 'object',
  };
}

/**
 * The point to simulate: the flags, else what --scenario says (its option id or file, its
 * workload's rate and response size); a usage error names what neither gives.
 */
export function pointOf(o: {
  option?: string | undefined;
  rate?: number | undefined;
  responseBytes?: number | undefined;
  scenario?: string | undefined;
}): { option: string; rate_rps: number; response_bytes: number } {
  const s = o.scenario ? scenarioPoint(o.scenario) : null;
  if (o.option === undefined && s?.inlineOption && o.scenario)
    throw new InputError(
      '--scenario',
      o.scenario,
      'its option is written inline, which the commands cannot name a point by: put the option in a file of its own (option: my-option.yaml, beside the scenario) or give --option',
    );
  const option = o.option ?? s?.option;
  const rate_rps = o.rate ?? s?.rate_rps;
  const response_bytes = o.responseBytes ?? s?.response_bytes;
  const missing = [
    option === undefined ? '--option' : null,
    rate_rps === undefined ? '--rate' : null,
    response_bytes === undefined ? '--response-bytes' : null,
  ].filter((x) => x !== null);
  if (missing.length > 0)
    throw new UsageError(
      `required: ${missing.join(', ')}${o.scenario ? ` (the scenario ${o.scenario} does not set ${missing.length > 1 ? 'them' : 'it'})` : ' (or a --scenario that sets them)'}`,
    );
  return { option: option!, rate_rps: rate_rps!, response_bytes: response_bytes! };
}

export function register(program: Command): void {
  const cmd = program
    .command('simulate')
    .description(
      'Simulate one point: latency percentiles with 95% CIs, drops, per-CPU load, per-stage breakdown',
    )
    .option(
      '--option <id>',
      'network option: built-in id (cnisim options) or a YAML/JSON file (required unless --scenario names one)',
    )
    .option(
      '--rate <rps>',
      'offered requests per second (required unless --scenario sets workload.rate_rps)',
      (v) => parsePositive('--rate', v),
    )
    .option(
      '--response-bytes <n>',
      'response size in bytes (required unless --scenario sets workload.response_bytes)',
      (v) => parsePositiveInt('--response-bytes', v),
    )
    .option(
      '--precision <pXX=rel>',
      'add replications until this percentile CI is within rel (e.g. p99.99=0.05)',
    )
    .option(
      '--no-prediction-interval',
      'with --profile: skip the prediction intervals (they cost 2 extra simulations per fitted parameter)',
    )
    .option('--json', 'print the SimResult as JSON');
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ cnisim simulate --option flannel-vxlan --rate 150000 --response-bytes 350
  $ cnisim simulate --option net-host --rate 250k --response-bytes 4096 --set host.nic.coalescing=off --json
  $ cnisim simulate --option net-host --rate 250k --response-bytes 350 --set host.mechanisms.rfs=false --set host.rps_cpus=0-17
  $ cnisim simulate --option flannel-host-gw --rate 200k --response-bytes 350 --profile out/profiles/fitted.json

With --profile, the table adds pi95_lo_ms/pi95_hi_ms: 95 % prediction intervals combining the
simulation's noise with the fitted parameters' uncertainty (2 extra simulations per fitted parameter).`,
  );
  cmd.action(
    async (
      o: ModelFlags & {
        option?: string;
        rate?: number;
        responseBytes?: number;
        precision?: string;
        predictionInterval: boolean;
        json?: boolean;
      },
    ) => {
      const progress = o.precision
        ? createProgress(`replications (until ${o.precision}; at most)`, precisionCap(o.replications), {
            enabled: !o.json || process.stderr.isTTY,
          })
        : createProgress('replications', o.replications, { enabled: !o.json || process.stderr.isTTY });
      const point = pointOf(o);
      const req = requestFrom(o, point.option, point.rate_rps, point.response_bytes);
      if (o.precision) req.precision = o.precision;
      req.onProgress = (done) => progress.update(done);
      const r = await simulate(req);
      progress.finish();
      if (o.profile && o.predictionInterval && !r.saturated) {
        const { predictionIntervals } = await import('../../calibration/simulate-intervals.ts');
        const pi = await predictionIntervals(o.profile, r, (set) =>
          simulate({
            ...requestFrom(o, point.option, point.rate_rps, point.response_bytes),
            set: [...o.set, ...set],
          }),
        );
        r.latency_pi95_ms = pi.intervals;
        r.warnings = [...(r.warnings ?? []), ...pi.warnings];
      }
      if (o.json) printJson(r);
      else process.stdout.write(formatResult(r));
      // Warnings are logs (stderr), as in every command; --json also has them in `warnings`.
      logWarnings([r]);
      if (r.saturated) log(`cnisim: saturated at ${r.rate_rps} RPS (${r.bottleneck})`);
    },
  );
}
