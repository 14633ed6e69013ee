/**
 * `cnisim capacity`: the highest offered rate whose latency percentile meets an SLO, with a 95 %
 * confidence interval, by the bisection of sim/capacity-search.ts over simulate(). Common random
 * numbers (the same seed at every rate) keep the bisection monotone; the interval comes from
 * bisecting on the ends of each point's CI (see that file).
 */
import type { Command } from 'commander';
import { cachedEvaluator, evaluationOf, searchCapacity } from '../../sim/capacity-search.ts';
import { PERCENTILE_QUANTILES, type PercentileKey, type SimResult } from '../../sim/result.ts';
import { simulate } from '../../sim/simulate.ts';
import { InputError } from '../errors.ts';
import { log, printJson } from '../output.ts';
import { parsePositive, parsePositiveInt } from '../parse.ts';
import { addModelOptions, type ModelFlags, requestFrom } from './simulate.ts';

export function parseSlo(text: string): { key: PercentileKey; limit_ms: number } {
  const m = /^\s*(p[0-9.]+)\s*=\s*([0-9.]+)\s*(ms|us)?\s*$/.exec(text);
  const key = m ? (m[1]!.replace('.', '_') as PercentileKey) : undefined;
  if (!m || !key || !(key in PERCENTILE_QUANTILES))
    throw new InputError('--slo', text, 'expected <percentile>=<limit>ms, e.g. p99=2ms');
  const v = Number(m[2]) * (m[3] === 'us' ? 1e-3 : 1);
  if (!(v > 0)) throw new InputError('--slo', text, 'the limit must be greater than 0');
  return { key, limit_ms: v };
}

export function register(program: Command): void {
  const cmd = program
    .command('capacity')
    .description('Highest rate meeting a latency SLO (bisection on rate, with a confidence interval)')
    .requiredOption('--option <id>', 'network option')
    .requiredOption('--response-bytes <n>', 'response size in bytes', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .requiredOption('--slo <pXX=Nms>', 'latency objective, e.g. p99=2ms')
    .option('--min-rate <rps>', 'lower end of the search', (v) => parsePositive('--min-rate', v), 10000)
    .option('--max-rate <rps>', 'upper end of the search', (v) => parsePositive('--max-rate', v), 1000000)
    .option(
      '--resolution <rps>',
      'rates are probed on this grid',
      (v) => parsePositive('--resolution', v),
      5000,
    )
    .option('--steps <n>', 'bisection steps at most', (v) => parsePositiveInt('--steps', v), 10)
    .option('--json', 'print {"option","slo","max_rate_rps","ci95_rps",...}');
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    '\nExample:\n  $ cnisim capacity --option flannel-host-gw --response-bytes 350 --slo p99=2ms --json',
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
        json?: boolean;
      },
    ) => {
      const slo = parseSlo(o.slo);
      if (o.maxRate <= o.minRate) throw new InputError('--max-rate', o.maxRate, 'must be above --min-rate');
      const point = cachedEvaluator(async (rate: number): Promise<SimResult> => {
        const r = await simulate(requestFrom(o, o.option, Math.round(rate), o.responseBytes));
        const v = r.latency_ms?.[slo.key];
        log(
          `capacity: ${Math.round(rate)} RPS -> ${v !== undefined ? `${slo.key} ${v.toFixed(3)} ms` : 'saturated'}`,
        );
        return r;
      });
      const estimate = await searchCapacity(
        async (rate) => evaluationOf(await point(rate), slo.key),
        { percentile: slo.key, limit_ms: slo.limit_ms },
        {
          lo_rps: o.minRate,
          hi_rps: o.maxRate,
          step_rps: o.resolution,
          rel_tol: 0.01,
          maxIterations: o.steps,
        },
      );
      if (estimate.below_lower_bound)
        throw new InputError('--slo', o.slo, `not met even at --min-rate ${o.minRate} RPS`);
      if (estimate.at_upper_bound)
        log(`capacity: SLO still met at --max-rate ${o.maxRate} RPS (a lower bound)`);
      const result = {
        option: o.option,
        slo: o.slo,
        max_rate_rps: estimate.max_rate_rps,
        ci95_rps: estimate.ci95_rps,
        resolution_rps: estimate.resolution_rps,
        at_upper_bound: estimate.at_upper_bound,
        simulations: estimate.evaluations,
      };
      if (o.json) printJson(result);
      else
        process.stdout.write(
          `${result.option}: ${result.slo} met up to ${result.max_rate_rps} RPS (95% CI ${result.ci95_rps[0]}-${result.ci95_rps[1]}, resolution ${result.resolution_rps} RPS)\n`,
        );
    },
  );
}
