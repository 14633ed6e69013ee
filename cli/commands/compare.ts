/**
 * `cnisim compare`: network options, and what-if variants of them (`--variant name:path=value;...`),
 * at one rate and response size, each point against the first (the baseline: the first option as
 * given), with common random numbers: the same seed and replications for every point, so
 * replication i of each run shares its random streams and the per-replication differences give a
 * tight interval on the difference (sim/compare.ts), and where the time goes (time per request in
 * each part of the path, side by side). A table per comparison, or JSON with --json.
 */
import type { Command } from 'commander';
import {
  cpuPerRequest_us,
  type PairedDifference,
  pairedDifference,
  type StageDifference,
  stageDifference,
} from '../../sim/compare.ts';
import { PERCENTILE_KEYS, type SimResult } from '../../sim/result.ts';
import { simulate } from '../../sim/simulate.ts';
import { checkDistinctOptionIds } from '../../model/load.ts';
import { InputError } from '../errors.ts';
import { formatTable, printJson } from '../output.ts';
import { parsePositive, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';
import {
  addModelOptions,
  logWarnings,
  type ModelFlags,
  openPool,
  requestFrom,
  uniqueWarnings,
} from './simulate.ts';
import { optionList } from './sweep.ts';

/** A what-if variant: a label and the --set overrides it adds to every option. */
export interface Variant {
  name: string;
  set: string[];
}

/** Parses `name:path=value;path=value` (';' separates overrides: CPU lists contain commas). */
export function parseVariant(text: string): Variant {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*:(.*)$/.exec(text);
  const set = m
    ? m[2]!
        .split(';')
        .map((x) => x.trim())
        .filter((x) => x !== '')
    : [];
  if (!m || set.length === 0 || set.some((x) => !/^[^=]+=.+$/.test(x)))
    throw new InputError(
      '--variant',
      text,
      'expected <name>:<path>=<value>[;<path>=<value>...], e.g. no-coalescing:host.nic.coalescing=off',
    );
  const paths = set.map((x) => x.slice(0, x.indexOf('=')).trim());
  const twice = paths.find((x, i) => paths.indexOf(x) !== i);
  if (twice !== undefined)
    throw new InputError('--variant', text, `sets ${twice} twice (the last would win): set it once`);
  return { name: m[1]!, set };
}

/**
 * A variant's `host=<id|file>` entry (another machine: a built-in or a host file) and its --set
 * overrides; at most one host entry.
 */
export function splitHost(v: Variant): { host: string | undefined; set: string[] } {
  const isHost = (x: string) => /^host\s*=/.test(x);
  const hosts = v.set.filter(isHost).map((x) => x.slice(x.indexOf('=') + 1).trim());
  if (hosts.length > 1)
    throw new InputError('--variant', `${v.name}:${v.set.join(';')}`, 'names host= twice');
  return { host: hosts[0], set: v.set.filter((x) => !isHost(x)) };
}

interface Compared {
  /** The option, or `<option>+<variant>` for a what-if variant. */
  point: string;
  option: string;
  host: string;
  variant: string | null;
  set: string[];
  saturated: boolean;
  bottleneck: string | null;
  latency_ms: SimResult['latency_ms'];
  latency_ci95_ms: SimResult['latency_ci95_ms'];
  cpu_us_per_request: { client: number; server: number };
}

function compared(r: SimResult, variant: Variant | null): Compared {
  return {
    point: variant ? `${r.option}+${variant.name}` : r.option,
    option: r.option,
    host: r.host,
    variant: variant?.name ?? null,
    set: variant?.set ?? [],
    saturated: r.saturated,
    bottleneck: r.bottleneck,
    latency_ms: r.latency_ms,
    latency_ci95_ms: r.latency_ci95_ms,
    cpu_us_per_request: cpuPerRequest_us(r),
  };
}

function formatComparison(
  base: Compared,
  other: Compared,
  d: PairedDifference | null,
  groups: StageDifference[],
): string {
  if (!d || !base.latency_ms || !other.latency_ms) {
    const sat = [base, other]
      .filter((x) => x.saturated)
      .map((x) => `${x.point} (${x.bottleneck ?? 'saturated'})`);
    return `no latency comparison: saturated: ${sat.join(', ') || 'none'}\n`;
  }
  const bl = base.latency_ms;
  const ol = other.latency_ms;
  let s = formatTable(
    PERCENTILE_KEYS.map((k) => ({ k })),
    [
      { header: 'percentile', value: (x) => x.k.replace('_', '.'), align: 'left' },
      { header: `${base.point}_ms`, value: (x) => bl[x.k], digits: 3 },
      { header: `${other.point}_ms`, value: (x) => ol[x.k], digits: 3 },
      { header: 'diff_ms', value: (x) => d.latency_diff_ms[x.k], digits: 3 },
      { header: 'diff_ci95_lo_ms', value: (x) => d.latency_diff_ci95_ms[x.k][0], digits: 3 },
      { header: 'diff_ci95_hi_ms', value: (x) => d.latency_diff_ci95_ms[x.k][1], digits: 3 },
      { header: 'ratio', value: (x) => d.latency_ratio[x.k], digits: 3 },
      { header: 'differs', value: (x) => (d.differs[x.k] ? 'yes' : 'no'), align: 'left' },
    ],
  );
  const cb = base.cpu_us_per_request;
  const co = other.cpu_us_per_request;
  s += `cpu_us_per_request: server ${cb.server.toFixed(2)} -> ${co.server.toFixed(2)}, client ${cb.client.toFixed(2)} -> ${co.client.toFixed(2)}\n`;
  s += `where the time goes: time per request in each part of the path (waiting + service over its packets; CPU-path time, not shares of latency)\n`;
  s += formatTable(groups, [
    { header: 'part', value: (x) => x.stage, align: 'left' },
    { header: `${base.point}_us`, value: (x) => x.baseline_us, digits: 2 },
    { header: `${other.point}_us`, value: (x) => x.other_us, digits: 2 },
    { header: 'diff_us', value: (x) => x.diff_us, digits: 2 },
    { header: 'diff_wait_us', value: (x) => x.diff_wait_us, digits: 2 },
    { header: 'diff_service_us', value: (x) => x.diff_service_us, digits: 2 },
  ]);
  return s;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Compare network options at one rate against the first: latency differences with paired 95% CIs (common random numbers)',
    )
    .requiredOption('--options <a,b,...>', 'options to compare; the first is the baseline')
    .option(
      '--variant <name:path=value;...>',
      'a what-if variant of every option (--set overrides, ";"-separated; host=<id|file> runs it on another host), repeatable',
      (v: string, prev: Variant[] = []) => [...prev, parseVariant(v)],
    )
    .requiredOption('--rate <rps>', 'offered requests per second', (v) => parsePositive('--rate', v))
    .requiredOption('--response-bytes <n>', 'response size in bytes', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .option(
      '--json',
      'print {"baseline","rate_rps","response_bytes","seed","replications","results","comparisons"}',
    );
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ cnisim compare --options flannel-host-gw,flannel-vxlan --rate 250k --response-bytes 350
  $ cnisim compare --options net-host,ipvlan,macvlan --rate 400k --response-bytes 350 --replications 8 --json
  $ cnisim compare --options net-host --rate 400k --response-bytes 350 \
      --variant no-coalescing:host.nic.coalescing=off --variant rps-hash-0-17:'host.mechanisms.rfs=false;host.rps_cpus=0-17'
    # what-if: the option as it is (the baseline) against each variant of it
  $ cnisim compare --options flannel-vxlan --rate 100k --response-bytes 350 \
      --variant 16vcpu:host=examples/hosts/16-vcpu-4-queues.yaml
    # another machine: the same option on a host of your own (docs/model.md, "Your own host")

Every option runs with the same seed and replications, so replication i of each shares its random
streams (connection phases, wire jitter, stalls): the interval on a difference comes from the
per-replication differences (Student t, replications - 1 degrees of freedom), much tighter than two
separate intervals would suggest. "differs: yes" when it excludes 0. cpu_us_per_request: CPU time
per request on each host, all classes, summed over its CPUs. The points are every option as given,
then every option with each --variant (named <option>+<variant>); all are compared with the first.
"where the time goes": each part of the path (client.tx, server.rx, ...) with its time per request,
waiting for a CPU plus service, summed over the request's packets (request, response segments,
ACKs): CPU-path time, which shows where an option adds work and queueing, not a split of latency.
--json adds it per stage too (stages_us_per_request).
A variant on another host shares fewer random streams with the baseline (other CPUs and queues), so
its interval is wider, but still paired.`,
  );
  cmd.action(
    async (
      o: ModelFlags & {
        options: string;
        variant?: Variant[];
        rate: number;
        responseBytes: number;
        json?: boolean;
      },
    ) => {
      const options = optionList(o.options);
      checkDistinctOptionIds(options, '--options');
      const variants = o.variant ?? [];
      if (new Set(variants.map((v) => v.name)).size !== variants.length)
        throw new InputError('--variant', variants.map((v) => v.name).join(','), 'names a variant twice');
      const points: { option: string; variant: Variant | null }[] = [
        ...options.map((option) => ({ option, variant: null })),
        ...variants.flatMap((variant) => options.map((option) => ({ option, variant }))),
      ];
      if (points.length < 2)
        throw new InputError(
          '--options',
          o.options,
          'name two or more different options, or add a --variant (the first option is the baseline)',
        );
      if (o.replications < 2)
        throw new InputError('--replications', o.replications, 'a paired comparison needs at least 2');
      const progress = createProgress('compare', points.length);
      const pool = openPool(o);
      const results: SimResult[] = [];
      try {
        for (const [i, p] of points.entries()) {
          const req = requestFrom(o, p.option, o.rate, o.responseBytes);
          if (p.variant) {
            const { host, set } = splitHost(p.variant);
            req.variant = {
              label: `--variant ${p.variant.name}:`,
              set,
              ...(host !== undefined ? { host } : {}),
            };
          }
          req.pool = pool;
          req.replication_percentiles = true;
          const r = await simulate(req);
          results.push(r);
          progress.update(i + 1, p.variant ? `${p.option}+${p.variant.name}` : p.option);
        }
      } finally {
        await pool.close();
      }
      progress.finish();
      logWarnings(results);
      const base = results[0]!;
      const rows = results.map((r, i) => compared(r, points[i]!.variant));
      const comparisons = results.slice(1).map((r) => pairedDifference(base, r));
      const groupDiffs = results.slice(1).map((r) => stageDifference(base, r, 'group'));
      if (o.json) {
        printJson({
          baseline: rows[0]!.point,
          rate_rps: o.rate,
          response_bytes: o.responseBytes,
          host: base.host,
          seed: base.seed,
          replications: base.replications,
          warnings: uniqueWarnings(results),
          results: rows,
          comparisons: comparisons.map((d, i) => ({
            point: rows[i + 1]!.point,
            ...(d ?? { option: rows[i + 1]!.option, baseline: base.option, saturated: true }),
            stage_groups_us_per_request: groupDiffs[i],
            stages_us_per_request: stageDifference(base, results[i + 1]!),
          })),
        });
        return;
      }
      let s = `${points.length - 1} point(s) against ${rows[0]!.point}: ${o.rate} RPS, ${o.responseBytes} B responses, ${base.host}; ${base.replications} replications with common random numbers (seed ${base.seed})\n`;
      for (const [i, d] of comparisons.entries()) {
        const row = rows[i + 1]!;
        s += `\n${row.point} vs ${rows[0]!.point}${row.set.length ? ` (${row.set.join('; ')})` : ''}\n`;
        s += formatComparison(rows[0]!, row, d, groupDiffs[i]!);
      }
      process.stdout.write(s);
    },
  );
}
