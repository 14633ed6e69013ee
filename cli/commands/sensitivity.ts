/**
 * `cnisim sensitivity`: which of the model's costs a prediction rests on, at one point: each cost
 * raised by --change (default 20 %) one at a time, paired with the baseline (same seed and
 * replications), ranked by the p99 elasticity (sim/sensitivity.ts). A table, or JSON with --json.
 */
import type { Command } from 'commander';
import type { SimResult } from '../../sim/result.ts';
import {
  changedSet,
  rankSensitivity,
  type SensitivityRow,
  sensitivityParams,
  sensitivityRow,
} from '../../sim/sensitivity.ts';
import { scenarioOf, simulate } from '../../sim/simulate.ts';
import { InputError } from '../errors.ts';
import { formatTable, printJson } from '../output.ts';
import { parsePositive, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';
import { addModelOptions, logWarnings, type ModelFlags, openPool, requestFrom } from './simulate.ts';

export function register(program: Command): void {
  const cmd = program
    .command('sensitivity')
    .description(
      'Which costs a prediction rests on: each raised by --change in turn, p50/p99 elasticities, the p99 difference with a paired 95% CI',
    )
    .requiredOption('--option <id>', 'network option: built-in id (cnisim options) or a YAML/JSON file')
    .requiredOption('--rate <rps>', 'offered requests per second', (v) => parsePositive('--rate', v))
    .requiredOption('--response-bytes <n>', 'response size in bytes', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .option(
      '--change <fraction>',
      'relative change applied to each cost (0.2 = +20 %)',
      (v) => parsePositive('--change', v),
      0.2,
    )
    .option('--json', 'print {"option","rate_rps","response_bytes","change","baseline_latency_ms","rows"}');
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ cnisim sensitivity --option flannel-vxlan --rate 250k --response-bytes 350
  $ cnisim sensitivity --option net-host --rate 150k --response-bytes 4096 --profile out/profiles/fitted.json --json

Each cost of the scenario (every stage's cost per packet, the interrupt, nginx's and the generator's
costs per operation and per wake-up, the idle CPU's wake-up, the wire's propagation and jitter) is
raised by --change, one at a time; elasticity = (relative change of the percentile) / (relative
change of the cost): 1 moves in proportion, 0 means the prediction does not rest on that number
here. Every run shares the baseline's seed and replications (common random numbers), so the p99
difference has a paired 95 % interval; "differs: no" means the model does not resolve the effect at
this sample size (add --requests or --replications). Calibrate first what ranks high.`,
  );
  cmd.action(
    async (
      o: ModelFlags & { option: string; rate: number; responseBytes: number; change: number; json?: boolean },
    ) => {
      if (!(o.change > 0 && o.change <= 1))
        throw new InputError('--change', o.change, 'must be a fraction in (0, 1], e.g. 0.2');
      if (o.replications < 2)
        throw new InputError('--replications', o.replications, 'paired intervals need at least 2');
      const base = requestFrom(o, o.option, o.rate, o.responseBytes);
      const params = sensitivityParams(scenarioOf(base));
      const progress = createProgress('sensitivity', params.length + 1);
      const pool = openPool(o);
      const run = (set: string[]): Promise<SimResult> =>
        simulate({ ...base, set: [...(base.set ?? []), ...set], pool, replication_percentiles: true });
      let baseline: SimResult;
      const rows: SensitivityRow[] = [];
      try {
        baseline = await run([]);
        progress.update(1, 'baseline');
        if (baseline.saturated)
          throw new InputError(
            '--rate',
            o.rate,
            `the baseline point is saturated (${baseline.bottleneck ?? 'unknown'}): choose a rate it carries`,
          );
        for (const [i, p] of params.entries()) {
          const changed = await run([changedSet(p, o.change).set]);
          rows.push(sensitivityRow(p, o.change, baseline, changed));
          progress.update(i + 2, p.path);
        }
      } finally {
        await pool.close();
      }
      progress.finish();
      logWarnings([baseline]);
      const ranked = rankSensitivity(rows);
      if (o.json) {
        printJson({
          option: baseline.option,
          host: baseline.host,
          rate_rps: o.rate,
          response_bytes: o.responseBytes,
          change: o.change,
          seed: baseline.seed,
          replications: baseline.replications,
          warnings: baseline.warnings ?? [],
          baseline_latency_ms: baseline.latency_ms,
          rows: ranked,
        });
        return;
      }
      const bl = baseline.latency_ms!;
      process.stdout.write(
        `${baseline.option} on ${baseline.host}: ${o.rate} RPS, ${o.responseBytes} B responses; baseline p50 ${bl.p50.toFixed(3)} ms, p99 ${bl.p99.toFixed(3)} ms; each cost +${Math.round(o.change * 100)} % in turn (${baseline.replications} replications, seed ${baseline.seed}, common random numbers)\n`,
      );
      process.stdout.write(
        formatTable(ranked, [
          { header: 'parameter', value: (r) => r.path, align: 'left' },
          { header: 'value', value: (r) => r.value },
          { header: 'p50_elasticity', value: (r) => r.p50_elasticity, digits: 2 },
          { header: 'p99_elasticity', value: (r) => r.p99_elasticity, digits: 2 },
          { header: 'p99_diff_ms', value: (r) => r.p99_diff_ms, digits: 3 },
          { header: 'p99_diff_ci95_lo_ms', value: (r) => r.p99_diff_ci95_ms?.[0], digits: 3 },
          { header: 'p99_diff_ci95_hi_ms', value: (r) => r.p99_diff_ci95_ms?.[1], digits: 3 },
          {
            header: 'differs',
            value: (r) => (r.saturated ? `SATURATED: ${r.bottleneck}` : r.p99_differs ? 'yes' : 'no'),
            align: 'left',
          },
        ]),
      );
    },
  );
}
