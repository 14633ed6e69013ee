/**
 * `cnisim capacity`: the highest offered rate whose latency percentile meets an SLO, with a 95 %
 * confidence interval, by the bisection of sim/capacity-search.ts over simulate(). Common random
 * numbers (the same seed at every rate) keep the bisection monotone; the interval comes from
 * bisecting on the ends of each point's CI (see that file).
 */
import type { Command } from 'commander';
import { cachedEvaluator, evaluationOf, hostsNeeded, searchCapacityAll } from '../../sim/capacity-search.ts';
import { PERCENTILE_QUANTILES, type PercentileKey, type SimResult } from '../../sim/result.ts';
import { MAX_RATE_RPS, simulate } from '../../sim/simulate.ts';
import { InputError } from '../errors.ts';
import { log, printJson } from '../output.ts';
import { parsePositive, parsePositiveInt } from '../parse.ts';
import { addModelOptions, logWarnings, type ModelFlags, requestFrom, uniqueWarnings } from './simulate.ts';

const SLO_UNIT_MS: Record<string, number> = { s: 1000, ms: 1, us: 1e-3, µs: 1e-3 };

export function parseSlo(text: string): { key: PercentileKey; limit_ms: number } {
  const m = /^\s*(p[0-9.]+)\s*=\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([a-zµ]*)\s*$/i.exec(text);
  const key = m ? (m[1]!.replace('.', '_') as PercentileKey) : undefined;
  if (!m || !key || !(key in PERCENTILE_QUANTILES) || !/^p/.test(m[1]!))
    throw new InputError(
      '--slo',
      text,
      `expected <percentile>=<limit><unit>, e.g. p99=2ms; percentiles: ${Object.keys(PERCENTILE_QUANTILES)
        .filter((k) => k !== 'max')
        .map((k) => k.replace('_', '.'))
        .join(', ')}`,
    );
  if (!m[3])
    throw new InputError('--slo', text, `the limit needs a unit (s, ms or us), e.g. ${m[1]}=${m[2]}ms`);
  const scale = SLO_UNIT_MS[m[3].toLowerCase()];
  if (scale === undefined) throw new InputError('--slo', text, `unknown unit '${m[3]}': s, ms or us`);
  const v = Number(m[2]) * scale;
  if (!(Number.isFinite(v) && v > 0))
    throw new InputError('--slo', text, 'the limit must be a number greater than 0');
  return { key, limit_ms: v };
}

/** An SLO of one or more terms met together: `p99=2ms,p99.9=10ms`. */
export function parseSlos(text: string): { key: PercentileKey; limit_ms: number }[] {
  const terms = text.split(',').map((t) => parseSlo(t));
  const seen = new Set<string>();
  for (const t of terms) {
    if (seen.has(t.key))
      throw new InputError(
        '--slo',
        text,
        `${t.key.replace('_', '.')} is given twice: give each percentile once (the stricter limit)`,
      );
    seen.add(t.key);
  }
  return terms;
}

export function register(program: Command): void {
  const cmd = program
    .command('capacity')
    .description('Highest rate meeting a latency SLO (bisection on rate, with a confidence interval)')
    .requiredOption('--option <id>', 'network option')
    .requiredOption('--response-bytes <n>', 'response size in bytes', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .requiredOption(
      '--slo <pXX=Nms[,...]>',
      'latency objective, e.g. p99=2ms; several terms, all to be met: p99=2ms,p99.9=10ms',
    )
    .option('--min-rate <rps>', 'lower end of the search', (v) => parsePositive('--min-rate', v), 10000)
    .option('--max-rate <rps>', 'upper end of the search', (v) => parsePositive('--max-rate', v), 1000000)
    .option(
      '--resolution <rps>',
      'rates are probed on this grid',
      (v) => parsePositive('--resolution', v),
      5000,
    )
    .option('--steps <n>', 'bisection steps at most', (v) => parsePositiveInt('--steps', v), 10)
    .option(
      '--target-rps <rps>',
      'total load to carry: also print the server hosts needed (each at most the capacity), with the CI',
      (v) => parsePositive('--target-rps', v),
    )
    .option('--json', 'print {"option","slo","max_rate_rps","ci95_rps",...}');
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExamples:\n  $ cnisim capacity --option flannel-host-gw --response-bytes 350 --slo p99=2ms --json\n' +
      '  $ cnisim capacity --option flannel-vxlan --response-bytes 350 --slo p99.9=5ms --target-rps 2M\n' +
      '    # hosts needed for 2M RPS in total: ceil(target / capacity), its CI from the ends of the capacity CI\n' +
      '  $ cnisim capacity --option ipvlan --response-bytes 4096 --slo p99=1ms,p99.9=5ms\n' +
      '    # every term met; "limited_by" names the terms that fail first\n' +
      '\nThe JSON\'s "slo" is the text given, "slo_terms" its terms ([{"percentile","limit_ms"}]) and "limited_by" the\n' +
      'percentiles (keys of latency_ms) failing at the first rate that fails the SLO (null when met up to --max-rate).\n' +
      'With several terms each keeps its 95 % CI; the capacity CI is not widened for their number.\n' +
      '\nWith --target-rps the JSON also carries "target_rps", "hosts_needed" and "hosts_needed_ci95" ([fewest, most]);\n' +
      'when the SLO is still met at --max-rate, the capacity is a lower bound and hosts_needed an upper bound.',
  );
  cmd.action(
    async (
      o: ModelFlags & {
        option: string;
        responseBytes: number;
        slo: string;
        minRate: number;
        maxRate: number;
        resolution: number;
        steps: number;
        targetRps?: number;
        json?: boolean;
      },
    ) => {
      const slos = parseSlos(o.slo);
      if (o.maxRate <= o.minRate) throw new InputError('--max-rate', o.maxRate, 'must be above --min-rate');
      if (o.maxRate > MAX_RATE_RPS)
        throw new InputError('--max-rate', o.maxRate, `must be at most ${MAX_RATE_RPS.toExponential()}`);
      const evaluated: SimResult[] = [];
      const point = cachedEvaluator(async (rate: number): Promise<SimResult> => {
        const r = await simulate(requestFrom(o, o.option, Math.round(rate), o.responseBytes));
        evaluated.push(r);
        const at = r.saturated
          ? 'saturated'
          : slos.map((t) => `${t.key.replace('_', '.')} ${r.latency_ms?.[t.key]?.toFixed(3)} ms`).join(', ');
        log(`capacity: ${Math.round(rate)} RPS -> ${at}`);
        return r;
      });
      const estimate = await searchCapacityAll(
        async (rate) => {
          const r = await point(rate);
          return slos.map((t) => evaluationOf(r, t.key));
        },
        slos.map((t) => ({ percentile: t.key, limit_ms: t.limit_ms })),
        {
          lo_rps: o.minRate,
          hi_rps: o.maxRate,
          step_rps: o.resolution,
          rel_tol: 0.01,
          maxIterations: o.steps,
        },
      );
      // What every point said (inherited host costs, a profile of another host, ...), once each.
      logWarnings(evaluated);
      // What identifies the answer, in either shape below.
      const asked = {
        option: o.option,
        host: evaluated[0]?.host ?? o.host ?? null,
        response_bytes: o.responseBytes,
        slo: o.slo,
        slo_terms: slos.map((t) => ({ percentile: t.key, limit_ms: t.limit_ms })),
      };
      const limitedBy = estimate.limited_by;
      const limitedText =
        slos.length > 1 && limitedBy
          ? ` (limited by ${limitedBy.map((k) => k.replace('_', '.')).join(' and ')})`
          : '';
      // Not met even at --min-rate: an answer (the capacity is below it), not invalid input.
      if (estimate.below_lower_bound) {
        const below = {
          ...asked,
          max_rate_rps: null,
          below_lower_bound: true,
          min_rate_rps: o.minRate,
          limited_by: limitedBy,
          simulations: estimate.evaluations,
          warnings: uniqueWarnings(evaluated),
        };
        if (o.json) printJson(below);
        else
          process.stdout.write(
            `${o.option}: ${o.slo} not met even at --min-rate ${o.minRate} RPS${limitedText}: the capacity is below it (lower --min-rate to find it)\n`,
          );
        return;
      }
      if (estimate.at_upper_bound)
        log(`capacity: SLO still met at --max-rate ${o.maxRate} RPS (a lower bound)`);
      const result = {
        ...asked,
        max_rate_rps: estimate.max_rate_rps,
        ci95_rps: estimate.ci95_rps,
        // At --max-rate no failing rate was found: there is no bracket, so no resolution.
        resolution_rps: estimate.at_upper_bound ? null : estimate.resolution_rps,
        at_upper_bound: estimate.at_upper_bound,
        limited_by: limitedBy,
        simulations: estimate.evaluations,
        warnings: uniqueWarnings(evaluated),
      };
      const hosts = o.targetRps !== undefined ? hostsFields(o.targetRps, estimate) : undefined;
      if (o.json) printJson({ ...result, ...hosts });
      else {
        process.stdout.write(
          estimate.at_upper_bound
            ? `${result.option}: ${result.slo} met at every rate tried, up to --max-rate ${result.max_rate_rps} RPS: the capacity is at least that (raise --max-rate to find it)\n`
            : `${result.option}: ${result.slo} met up to ${result.max_rate_rps} RPS (95% CI ${result.ci95_rps[0]} to below ${result.ci95_rps[1]}, a rate seen to fail; resolution ${result.resolution_rps} RPS)${limitedText}\n`,
        );
        if (hosts)
          process.stdout.write(
            `${result.option}: ${hosts.target_rps} RPS in total needs ${hosts.hosts_needed} server hosts (95% CI ${hosts.hosts_needed_ci95[0]}-${hosts.hosts_needed_ci95[1]})${estimate.at_upper_bound ? ', at most (the capacity is a lower bound)' : ''}\n`,
          );
      }
    },
  );
}

/** The JSON fields of --target-rps: server hosts needed, each carrying at most the capacity. */
function hostsFields(
  target_rps: number,
  estimate: { max_rate_rps: number; ci95_rps: [number, number]; at_upper_bound: boolean },
): { target_rps: number; hosts_needed: number | null; hosts_needed_ci95: [number | null, number | null] } {
  const h = hostsNeeded(target_rps, estimate);
  return { target_rps, hosts_needed: h.hosts, hosts_needed_ci95: h.ci95 };
}
