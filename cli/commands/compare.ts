/**
 * `cnisim compare`: two or more network options at one rate and response size, each against the
 * first (the baseline), with common random numbers: the same seed and replications for every
 * option, so replication i of each run shares its random streams and the per-replication
 * differences give a tight interval on the difference (sim/compare.ts). A table per comparison, or
 * JSON with --json.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { cpuPerRequest_us, type PairedDifference, pairedDifference } from '../../sim/compare.ts';
import { ReplicationPool } from '../../sim/engine/replicate.ts';
import { PERCENTILE_KEYS, type SimResult } from '../../sim/result.ts';
import { simulate } from '../../sim/simulate.ts';
import { InputError } from '../errors.ts';
import { formatTable, printJson } from '../output.ts';
import { parsePositive, parsePositiveInt } from '../parse.ts';
import { createProgress } from '../progress.ts';
import { addModelOptions, type ModelFlags, requestFrom } from './simulate.ts';
import { optionList } from './sweep.ts';

interface Compared {
  option: string;
  saturated: boolean;
  bottleneck: string | null;
  latency_ms: SimResult['latency_ms'];
  latency_ci95_ms: SimResult['latency_ci95_ms'];
  cpu_us_per_request: { client: number; server: number };
}

function compared(r: SimResult): Compared {
  return {
    option: r.option,
    saturated: r.saturated,
    bottleneck: r.bottleneck,
    latency_ms: r.latency_ms,
    latency_ci95_ms: r.latency_ci95_ms,
    cpu_us_per_request: cpuPerRequest_us(r),
  };
}

function formatComparison(base: Compared, other: Compared, d: PairedDifference | null): string {
  if (!d || !base.latency_ms || !other.latency_ms) {
    const sat = [base, other]
      .filter((x) => x.saturated)
      .map((x) => `${x.option} (${x.bottleneck ?? 'saturated'})`);
    return `${other.option} vs ${base.option}: no latency comparison: saturated: ${sat.join(', ') || 'none'}\n`;
  }
  const bl = base.latency_ms;
  const ol = other.latency_ms;
  let s = formatTable(
    PERCENTILE_KEYS.map((k) => ({ k })),
    [
      { header: 'percentile', value: (x) => x.k.replace('_', '.'), align: 'left' },
      { header: `${base.option}_ms`, value: (x) => bl[x.k], digits: 3 },
      { header: `${other.option}_ms`, value: (x) => ol[x.k], digits: 3 },
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
  return s;
}

export function register(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Compare network options at one rate against the first: latency differences with paired 95% CIs (common random numbers)',
    )
    .requiredOption('--options <a,b,...>', 'options to compare; the first is the baseline')
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

Every option runs with the same seed and replications, so replication i of each shares its random
streams (connection phases, wire jitter, stalls): the interval on a difference comes from the
per-replication differences (Student t, replications - 1 degrees of freedom), much tighter than two
separate intervals would suggest. "differs: yes" when it excludes 0. cpu_us_per_request: CPU time
per request on each host, all classes, summed over its CPUs.`,
  );
  cmd.action(
    async (o: ModelFlags & { options: string; rate: number; responseBytes: number; json?: boolean }) => {
      const options = optionList(o.options);
      if (options.length < 2 || new Set(options).size !== options.length)
        throw new InputError(
          '--options',
          o.options,
          'name two or more different options (the first is the baseline)',
        );
      if (o.replications < 2)
        throw new InputError('--replications', o.replications, 'a paired comparison needs at least 2');
      const progress = createProgress('compare', options.length);
      const pool = new ReplicationPool(
        Math.max(1, Math.min(o.workers ?? availableParallelism(), o.replications)),
      );
      const results: SimResult[] = [];
      try {
        for (const [i, opt] of options.entries()) {
          const req = requestFrom(o, opt, o.rate, o.responseBytes);
          req.pool = pool;
          req.replication_percentiles = true;
          results.push(await simulate(req));
          progress.update(i + 1, opt);
        }
      } finally {
        await pool.close();
      }
      progress.finish();
      const base = results[0]!;
      const rows = results.map(compared);
      const comparisons = results.slice(1).map((r) => pairedDifference(base, r));
      if (o.json) {
        printJson({
          baseline: base.option,
          rate_rps: o.rate,
          response_bytes: o.responseBytes,
          host: base.host,
          seed: base.seed,
          replications: base.replications,
          results: rows,
          comparisons: comparisons.map(
            (d, i) => d ?? { option: rows[i + 1]!.option, baseline: base.option, saturated: true },
          ),
        });
        return;
      }
      let s = `${options.length - 1} option(s) against ${base.option}: ${o.rate} RPS, ${o.responseBytes} B responses, ${base.host}; ${base.replications} replications with common random numbers (seed ${base.seed})\n`;
      for (const [i, d] of comparisons.entries()) {
        s += `\n${rows[i + 1]!.option} vs ${base.option}\n`;
        s += formatComparison(rows[0]!, rows[i + 1]!, d);
      }
      process.stdout.write(s);
    },
  );
}
