/**
 * `cnisim capacity`: the highest offered rate whose latency percentile meets an SLO, by bisection
 * on the rate. At each probed rate the percentile's 95 % CI across replications is computed:
 * max_rate_rps is where the point estimate crosses the SLO; ci95_rps spans from the highest probed
 * rate whose whole CI is within the SLO to the lowest probed rate whose whole CI is above it (or
 * saturated). Common random numbers (same seed at every rate) keep the bisection monotone.
 */
import type { Command } from 'commander';
import { PERCENTILE_QUANTILES, type PercentileKey } from '../../sim/result.ts';
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
    .description('highest rate meeting a latency SLO (bisection on rate, with a confidence interval)')
    .requiredOption('--option <id>', 'network option')
    .requiredOption('--response-bytes <n>', 'response size in bytes', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .requiredOption('--slo <pXX=Nms>', 'latency objective, e.g. p99=2ms')
    .option('--min-rate <rps>', 'lower end of the search', (v) => parsePositive('--min-rate', v), 10000)
    .option('--max-rate <rps>', 'upper end of the search', (v) => parsePositive('--max-rate', v), 1000000)
    .option('--steps <n>', 'bisection steps', (v) => parsePositiveInt('--steps', v), 8)
    .option('--json', 'print {"option","slo","max_rate_rps","ci95_rps"}');
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
        steps: number;
        json?: boolean;
      },
    ) => {
      const slo = parseSlo(o.slo);
      type Probe = { rate: number; est: number; lo: number; hi: number };
      const probes: Probe[] = [];
      const probe = async (rate: number): Promise<Probe> => {
        const r = await simulate(requestFrom(o, o.option, Math.round(rate), o.responseBytes));
        const p: Probe =
          r.saturated || !r.latency_ms || !r.latency_ci95_ms
            ? {
                rate,
                est: Number.POSITIVE_INFINITY,
                lo: Number.POSITIVE_INFINITY,
                hi: Number.POSITIVE_INFINITY,
              }
            : {
                rate,
                est: r.latency_ms[slo.key],
                lo: r.latency_ci95_ms[slo.key][0],
                hi: r.latency_ci95_ms[slo.key][1],
              };
        probes.push(p);
        log(
          `capacity: ${Math.round(rate)} RPS -> ${slo.key} ${Number.isFinite(p.est) ? `${p.est.toFixed(3)} ms` : 'saturated'}`,
        );
        return p;
      };
      let lo = o.minRate;
      let hi = o.maxRate;
      if ((await probe(lo)).est > slo.limit_ms) {
        throw new InputError('--slo', o.slo, `not met even at --min-rate ${lo} RPS`);
      }
      if ((await probe(hi)).est <= slo.limit_ms) log(`capacity: SLO still met at --max-rate ${hi}`);
      else
        for (let i = 0; i < o.steps; i++) {
          const mid = Math.sqrt(lo * hi);
          if ((await probe(mid)).est <= slo.limit_ms) lo = mid;
          else hi = mid;
        }
      const ok = probes.filter((p) => p.hi <= slo.limit_ms).map((p) => p.rate);
      const bad = probes.filter((p) => p.lo > slo.limit_ms).map((p) => p.rate);
      const result = {
        option: o.option,
        slo: o.slo,
        max_rate_rps: Math.round(lo),
        ci95_rps: [
          Math.round(Math.max(o.minRate, ...ok.filter((r) => r <= lo))),
          Math.round(Math.min(o.maxRate, ...bad.filter((r) => r >= lo))),
        ],
      };
      if (o.json) printJson(result);
      else
        process.stdout.write(
          `${result.option}: ${result.slo} met up to ${result.max_rate_rps} RPS (95% CI ${result.ci95_rps[0]}-${result.ci95_rps[1]})\n`,
        );
    },
  );
}
