/**
 * `cnisim capacity`: the highest offered rate whose latency percentile meets an SLO, by bisection
 * on the rate (geometric midpoints). At each probed rate the percentile's 95 % CI across
 * replications is computed: max_rate_rps is where the point estimate crosses the SLO; ci95_rps runs
 * from the highest rate whose whole CI is within the SLO to the highest rate whose CI still reaches
 * below it (above that the whole CI is above the SLO, or the run saturates), each found by a short
 * extra bisection. Common random numbers (same seed at every rate) keep the bisection monotone.
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
      // The interval: where the SLO is met for sure (the whole CI within it) and where it is missed
      // for sure (the whole CI above it, or saturated), each refined by a short bisection between the
      // nearest probes on either side of the estimate.
      const surelyOk = (p: Probe) => p.hi <= slo.limit_ms;
      const surelyBad = (p: Probe) => p.lo > slo.limit_ms;
      const refine = async (a: number, b: number, aSide: (p: Probe) => boolean): Promise<number> => {
        // Invariant: aSide holds at a, not (known) at b; returns the last rate where it held.
        for (let i = 0; i < Math.min(3, o.steps); i++) {
          if (b / a < 1.01) break;
          const mid = Math.sqrt(a * b);
          if (aSide(await probe(mid))) a = mid;
          else b = mid;
        }
        return a;
      };
      // Highest rate where `holds` is true (it holds at low rates and fails at high ones), refined
      // between the highest probe where it held and the lowest probe above it where it failed.
      const boundary = async (holds: (p: Probe) => boolean): Promise<number> => {
        const yes = probes.filter(holds).map((p) => p.rate);
        if (yes.length === 0) return o.minRate;
        const a = Math.max(...yes);
        const no = probes.filter((p) => p.rate > a && !holds(p)).map((p) => p.rate);
        return no.length ? refine(a, Math.min(...no), holds) : a;
      };
      const ciLo = await boundary(surelyOk);
      const ciHi = await boundary((p) => !surelyBad(p));
      // The estimate: the highest probed rate meeting the SLO below the lowest one missing it
      // (the refinement probes may have landed above the bisection's last lower end).
      const firstMiss = Math.min(...probes.filter((p) => p.est > slo.limit_ms).map((p) => p.rate));
      lo = Math.max(
        lo,
        ...probes.filter((p) => p.est <= slo.limit_ms && p.rate < firstMiss).map((p) => p.rate),
      );
      const result = {
        option: o.option,
        slo: o.slo,
        max_rate_rps: Math.round(lo),
        ci95_rps: [Math.round(Math.min(ciLo, lo)), Math.round(Math.max(ciHi, lo))],
      };
      if (o.json) printJson(result);
      else
        process.stdout.write(
          `${result.option}: ${result.slo} met up to ${result.max_rate_rps} RPS (95% CI ${result.ci95_rps[0]}-${result.ci95_rps[1]})\n`,
        );
    },
  );
}
