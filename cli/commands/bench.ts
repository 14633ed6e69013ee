/**
 * `cnisim bench <name>` runs one benchmark from bench/<name>.ts; `cnisim bench all` runs every one.
 * A benchmark module exports `name`, `describe`, `run(opts) => Promise<object>` and optionally
 * `options` (the flags it accepts, each with its parser); flags after the name are passed through
 * to it (`--events 1e6` becomes `{ events: 1000000 }`). Results go to stdout (a metric/value table,
 * or with --json one JSON object per benchmark per line); progress to stderr. Benchmarks measure
 * time, so their numbers vary with the machine and its load.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { UsageError } from '../errors.ts';
import { formatValue } from '../errors.ts';
import { log, printTable } from '../output.ts';

export interface BenchOption {
  /** Flag name without dashes, also the key passed to run(): `events` for `--events <n>`. */
  flag: string;
  /** Value placeholder for help: `<n>`. */
  value: string;
  description: string;
  /** Parses the raw value; throws UsageError/InputError naming the flag. */
  parse: (flag: string, raw: string) => unknown;
}

export interface BenchModule {
  name: string;
  describe: string;
  options?: BenchOption[];
  run(opts: { json: boolean; [key: string]: unknown }): Promise<object>;
}

const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');

/** Benchmark names: the .ts files in bench/ (files starting with `_` are helpers). */
export function benchNames(): string[] {
  try {
    return readdirSync(BENCH_DIR)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.startsWith('_'))
      .map((f) => f.slice(0, -3))
      .sort();
  } catch {
    return [];
  }
}

async function loadBench(name: string): Promise<BenchModule> {
  const names = benchNames();
  if (!names.includes(name))
    throw new UsageError(
      `bench: unknown benchmark ${JSON.stringify(name)} (known: ${[...names, 'all'].join(', ')})`,
    );
  const mod = (await import(pathToFileURL(join(BENCH_DIR, `${name}.ts`)).href)) as Partial<BenchModule>;
  if (typeof mod.run !== 'function') throw new Error(`bench/${name}.ts exports no run()`);
  return {
    name: mod.name ?? name,
    describe: mod.describe ?? '',
    ...(mod.options ? { options: mod.options } : {}),
    run: mod.run,
  };
}

/** Splits `--key value` / `--key=value` pairs into raw strings. */
export function parsePassThrough(args: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--([A-Za-z][\w-]*)(?:=(.*))?$/.exec(a);
    if (!m) throw new UsageError(`bench: unexpected argument ${JSON.stringify(a)}`);
    const key = m[1]!;
    let value = m[2];
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${key}: missing value`);
      value = next;
      i++;
    }
    out.set(key, value);
  }
  return out;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function buildOptions(bench: BenchModule, raw: Map<string, string>, json: boolean, strict: boolean) {
  const opts: { json: boolean; [key: string]: unknown } = { json };
  for (const [key, value] of raw) {
    const decl = bench.options?.find((o) => o.flag === key);
    if (decl) opts[camel(key)] = decl.parse(`--${key}`, value);
    else if (!bench.options) opts[camel(key)] = value;
    else if (strict)
      throw new UsageError(
        `--${key}: not an option of benchmark ${bench.name} (its options: ${bench.options.map((o) => `--${o.flag}`).join(', ') || 'none'})`,
      );
  }
  return opts;
}

function printResult(name: string, result: object, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...result, bench: name })}\n`);
    return;
  }
  const rows = Object.entries(result).map(([metric, value]) => ({ metric, value }));
  process.stdout.write(`# ${name}\n`);
  printTable(rows, [
    { header: 'metric', value: (r) => r.metric, align: 'left' },
    {
      header: 'value',
      value: (r) =>
        typeof r.value === 'number' || typeof r.value === 'string' ? r.value : formatValue(r.value),
      align: 'right',
    },
  ]);
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Run a benchmark from bench/ (or all of them) and print its measurements')
    .argument('<name>', `benchmark name, or "all" (known: ${benchNames().join(', ') || 'none'})`)
    .option('--json', 'one JSON object per benchmark per line on stdout')
    .allowUnknownOption()
    .allowExcessArguments()
    .addHelpText(
      'after',
      `
Flags after the name are passed to the benchmark (bench engine: --events <n>, --rho <load>, --seed <n>,
--model mm1|hold, --pending <n> and --delays rng|table for the hold model;
bench model: --option <id>; bench model-events: --option <id>, --requests <n>, --rate <rps>; bench calibration: --budget-evals <n>; bench lab-calibration: --rates <list>,
--duration-s <s> (10), --search-duration-s <s> (5), --repeat <n> (5), --search-repeats <n> (3),
--seed <n>, --out <dir>).

Examples:
  $ cnisim bench engine                 # M/M/1 at rho 0.9, 10^7 events, one thread
  $ cnisim bench engine --events 2e6 --json
  $ cnisim bench engine --model hold --pending 1000   # the event list alone, 1000 pending
  $ cnisim bench all --json             # what npm run bench runs`,
    )
    .action(async (name: string, flags: { json?: boolean }, cmd: Command) => {
      const json = Boolean(flags.json);
      const raw = parsePassThrough(cmd.args.slice(1));
      const names = name === 'all' ? benchNames() : [name];
      // Load and validate everything before running anything, so a bad flag fails fast.
      const benches = await Promise.all(names.map(loadBench));
      const runs = benches.map((b) => ({ bench: b, opts: buildOptions(b, raw, json, name !== 'all') }));
      // `bench all` runs every benchmark even when one fails, then fails with the first error.
      let firstError: unknown = null;
      const failed: string[] = [];
      for (const { bench, opts } of runs) {
        log(`bench ${bench.name}: ${bench.describe}`);
        try {
          const result = await bench.run(opts);
          printResult(bench.name, result, json);
        } catch (err) {
          if (name !== 'all') throw err;
          firstError ??= err;
          failed.push(bench.name);
          log(`bench ${bench.name} failed: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      if (firstError !== null) {
        log(`bench all: ${failed.length} of ${runs.length} failed (${failed.join(', ')})`);
        throw firstError;
      }
    });
}
