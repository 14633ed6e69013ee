/**
 * `cnisim sweep`: simulate a grid of options x rates x response sizes. JSON array of SimResults
 * with --json; a compact table otherwise; progress on stderr. One worker pool (all cores) is
 * opened once and reused for every point.
 */
import type { Command } from 'commander';
import { builtinOptionIds } from '../../model/load.ts';
import type { SimResult } from '../../sim/result.ts';
import { MAX_RATE_RPS, simulate } from '../../sim/simulate.ts';
import { checkDistinctOptionIds } from '../../model/load.ts';
import { InputError, UsageError } from '../errors.ts';
import { formatTable, printJson } from '../output.ts';
import { parseNumberList } from '../parse.ts';
import { createProgress } from '../progress.ts';
import { openSweepLog, optionFiles, pointKey, sweepSettings } from '../sweep-log.ts';
import {
  addModelOptions,
  logWarnings,
  type ModelFlags,
  openPool,
  requestFrom,
  scenarioPoint,
} from './simulate.ts';

export function optionList(text: string): string[] {
  if (text.trim() === 'all') return builtinOptionIds();
  const ids = text.split(',').map((s) => s.trim());
  if (ids.every((s) => s === '')) throw new InputError('--options', text, 'empty list');
  if (ids.some((s) => s === ''))
    throw new InputError('--options', text, 'an empty entry (two commas, or one at an end): remove it');
  const twice = ids.find((x, i) => ids.indexOf(x) !== i);
  if (twice !== undefined) throw new InputError('--options', text, `${twice} is listed twice`);
  return ids;
}

export function register(program: Command): void {
  const cmd = program
    .command('sweep')
    .description('Simulate options x rates x response sizes; a JSON array of simulate results with --json')
    .option('--options <all|a,b>', "options to compare (default: --scenario's option, else all)")
    .requiredOption('--rates <list>', 'rates: a,b,c or start:stop:step (e.g. 50000:500000:50000)')
    .option('--response-bytes <list>', "response sizes, comma-separated (default: --scenario's, else 350)")
    .option('--json', 'print a JSON array of SimResults')
    .option(
      '--out <file.jsonl>',
      'also write each point to this JSON Lines log as it finishes (nothing lost if interrupted)',
    )
    .option('--resume', 'with --out: keep the points the log has (same settings) and simulate the rest');
  addModelOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ cnisim sweep --options all --rates 50000:450000:100000 --response-bytes 350,4096 --json > sweep.json
  $ cnisim sweep --options all --rates 50000:500000:10000 --out sweep.jsonl      # a long sweep, logged
  $ cnisim sweep --options all --rates 50000:500000:10000 --out sweep.jsonl --resume
    # after Ctrl-C: only the missing points run (also after adding rates); the output covers the grid
  $ jq -c 'select(.result) | .result' sweep.jsonl    # the log's results, one per line

The log's first line records the settings (version, host, profile/scenario file hashes and that of
the host file a scenario names, --set, seed, replications, requests) and each point the hash of its
option file (an option given by path): --resume refuses a log written with other settings or from
an option file that changed since (a file is known by its content, whatever path names it), and --out never overwrites a log (without --resume an existing
file is refused).`,
  );
  cmd.action(
    async (
      o: ModelFlags & {
        options?: string;
        rates: string;
        responseBytes?: string;
        json?: boolean;
        out?: string;
        resume?: boolean;
      },
    ) => {
      // A scenario's option and response size stand in for flags not given (its rate: --rates sweeps it).
      const sc = o.scenario ? scenarioPoint(o.scenario) : null;
      if (sc?.inlineOption && o.options === undefined)
        throw new UsageError(
          `--options: the scenario ${o.scenario}'s option is written inline, which a sweep cannot name: give --options (ids or option files)`,
        );
      const options = optionList(o.options ?? sc?.option ?? 'all');
      checkDistinctOptionIds(options, '--options');
      const rates = parseNumberList('--rates', o.rates, { unique: true });
      for (const r of rates)
        if (!(r > 0 && r <= MAX_RATE_RPS))
          throw new InputError(
            '--rates',
            r,
            `every rate must be greater than 0 and at most ${MAX_RATE_RPS.toExponential()}`,
          );
      const sizes = parseNumberList(
        '--response-bytes',
        o.responseBytes ?? String(sc?.response_bytes ?? 350),
        {
          unique: true,
        },
      );
      for (const b of sizes)
        if (!(Number.isInteger(b) && b > 0))
          throw new InputError('--response-bytes', b, 'must be whole numbers greater than 0');
      if (o.resume && !o.out) throw new UsageError('--resume needs --out <file.jsonl> (the log to resume)');
      const points = options.flatMap((opt) => sizes.flatMap((b) => rates.map((r) => ({ opt, r, b }))));
      // The flags are checked (requestFrom throws on bad combinations) before a log is started.
      if (points[0]) requestFrom(o, points[0].opt, points[0].r, points[0].b);
      // Option files (given here or by the scenario) are fingerprinted point by point in the log.
      const sweepLog = o.out
        ? openSweepLog(o.out, sweepSettings(o), o.resume === true, optionFiles(options))
        : undefined;
      const progress = createProgress('sweep', points.length);
      const pool = openPool(o);
      const results: SimResult[] = [];
      try {
        for (const [i, p] of points.entries()) {
          const point = { option: p.opt, rate_rps: p.r, response_bytes: p.b };
          const logged = sweepLog?.done.get(pointKey(point));
          if (logged) {
            results.push(logged);
            progress.update(i + 1, `${p.opt} ${p.r} RPS ${p.b} B (from the log)`);
            continue;
          }
          const req = requestFrom(o, p.opt, p.r, p.b);
          req.pool = pool;
          const r = await simulate(req);
          sweepLog?.append(point, r);
          results.push(r);
          progress.update(i + 1, `${p.opt} ${p.r} RPS ${p.b} B`);
        }
      } finally {
        await pool.close();
        sweepLog?.close();
      }
      progress.finish();
      logWarnings(results);
      if (o.json) printJson(results);
      else
        process.stdout.write(
          formatTable(results, [
            { header: 'option', value: (r) => r.option, align: 'left' },
            { header: 'response_bytes', value: (r) => r.response_bytes },
            { header: 'rate_rps', value: (r) => r.rate_rps },
            { header: 'achieved_rps', value: (r) => r.achieved_rps },
            { header: 'p50_ms', value: (r) => r.latency_ms?.p50, digits: 3 },
            { header: 'p99_ms', value: (r) => r.latency_ms?.p99, digits: 3 },
            { header: 'p99_99_ms', value: (r) => r.latency_ms?.p99_99, digits: 3 },
            { header: 'drops', value: (r) => Object.values(r.drops).reduce((a, b) => a + b, 0) },
            {
              header: 'bottleneck',
              value: (r) => (r.saturated ? `SATURATED: ${r.bottleneck}` : ''),
              align: 'left',
            },
          ]),
        );
    },
  );
}
