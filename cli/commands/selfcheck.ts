/**
 * `cnisim selfcheck`: the engine's self-check against
 * queueing theory (M/M/1, M/M/c, a two-stage tandem). Prints simulated values with confidence
 * intervals next to the closed forms; exits 0 when every theoretical value lies inside its interval.
 * The logic lives in sim/engine/selfcheck.ts.
 */
import type { Command } from 'commander';
import type { SelfCheckReport } from '../../sim/engine/selfcheck.ts';
import { InputError } from '../errors.ts';
import { parseNumber, parsePositiveInt } from '../parse.ts';
import { log, printJson, printTable } from '../output.ts';

class SelfCheckFailed extends Error {
  readonly exitCode = 1;
}

interface Flags {
  json?: boolean;
  seed?: string;
  replications?: string;
  customers?: string;
  workers?: string;
}

async function action(flags: Flags): Promise<void> {
  const seed = flags.seed === undefined ? 1 : parseNumber('--seed', flags.seed);
  if (!Number.isInteger(seed)) throw new InputError('--seed', flags.seed, 'must be a whole number');
  const replications =
    flags.replications === undefined ? 10 : parsePositiveInt('--replications', flags.replications);
  if (replications < 2) throw new InputError('--replications', flags.replications, 'must be at least 2');
  const customers = flags.customers === undefined ? 40_000 : parsePositiveInt('--customers', flags.customers);
  if (customers < 10_000)
    throw new InputError(
      '--customers',
      flags.customers,
      'must be at least 10000 (shorter runs break the normal approximation behind the intervals)',
    );
  let workers: number | undefined;
  if (flags.workers !== undefined) {
    workers = parseNumber('--workers', flags.workers);
    if (!Number.isInteger(workers) || workers < 0)
      throw new InputError('--workers', flags.workers, 'must be a whole number >= 0');
  }
  const t0 = Date.now();
  // Imported here, not at the top: every cnisim command loads this file, and the engine's WASM
  // histogram set-up is only needed when the self-check runs.
  const { runSelfCheck } = await import('../../sim/engine/selfcheck.ts');
  const report = await runSelfCheck({
    seed,
    replications,
    customers,
    ...(workers !== undefined ? { workers } : {}),
    onProgress: (m) => log(`selfcheck: ${m}`),
  });
  if (flags.json) printJson(report);
  else printReport(report);
  log(`selfcheck: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const bad = report.rows.filter((r) => !r.ok).length;
  if (bad > 0)
    throw new SelfCheckFailed(
      `self-check failed: ${bad} of ${report.rows.length} values outside their intervals`,
    );
}

function printReport(r: SelfCheckReport): void {
  const digits = (x: number, unit: string) => (unit === 'probability' ? x.toFixed(4) : x.toFixed(3));
  printTable(r.rows, [
    { header: 'system', value: (x) => x.system, align: 'left' },
    { header: 'rho', value: (x) => x.rho.toFixed(2) },
    { header: 'metric', value: (x) => x.metric, align: 'left' },
    { header: 'unit', value: (x) => x.unit, align: 'left' },
    { header: 'theory', value: (x) => digits(x.theory, x.unit), align: 'right' },
    { header: 'simulated', value: (x) => digits(x.simulated, x.unit), align: 'right' },
    { header: 'ci_lo', value: (x) => digits(x.ci_lo, x.unit), align: 'right' },
    { header: 'ci_hi', value: (x) => digits(x.ci_hi, x.unit), align: 'right' },
    { header: 'agrees', value: (x) => (x.ok ? 'yes' : 'NO'), align: 'left' },
  ]);
  process.stdout.write(
    `\n${r.rows.filter((x) => x.ok).length}/${r.rows.length} agree. Intervals: Student t over ${r.replications} replications of ` +
      `${r.customers_per_replication} customers, ${(r.level_per_check * 100).toFixed(2)} % each ` +
      `(Bonferroni: 95 % for all ${r.rows.length} together); seed ${r.seed}.\n`,
  );
}

function define(cmd: Command, description: string, example: string): void {
  cmd
    .description(description)
    .option('--json', 'print the report as JSON')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--replications <n>', 'independent replications per system (default 10)')
    .option('--customers <n>', 'measured customers per replication (default 40000)')
    .option('--workers <n>', 'worker threads (default: number of cores; 0 = this thread)')
    .addHelpText(
      'after',
      `
Exit code 0 when every theoretical value lies inside its simulated confidence interval, 1 otherwise.

Examples:
  $ ${example}
  $ cnisim selfcheck --seed 7 --replications 20 --json`,
    )
    .action(action);
}

export function register(program: Command): void {
  define(
    program.command('selfcheck'),
    'Check the simulation engine against queueing theory (M/M/1, M/M/c, tandem)',
    'cnisim selfcheck',
  );
}
