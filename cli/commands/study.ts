/**
 * `cnisim study <name>`: runs a study (notebooks/studies/) and writes out/<name>/index.html,
 * report.md, data.json and charts/. The main table goes to stdout, the report path and progress
 * to stderr.
 */
import { type Command, Option } from 'commander';
import { MAX_RATE_RPS } from '../../sim/simulate.ts';
import { InputError, UsageError } from '../errors.ts';
import { parsePositive, parsePositiveInt, parseSeed } from '../parse.ts';
import { runStudyCli, studyNames } from '../../notebooks/run-study.ts';

export function register(program: Command): void {
  program
    .command('study')
    .description(
      'Run a study (seed, capacity, what-if, lab-validation) and write it as an HTML report with charts',
    )
    .argument('<name>', `study to run: ${studyNames().join(', ')}`)
    .option(
      '--quick',
      'reduced grid and sample sizes (seed: about 10 s instead of a minute, on 2 cores)',
      false,
    )
    .option('--seed <n>', 'random seed; the same seed writes the same data.json', (v) => parseSeed(v), 1)
    .option(
      '--profile <file>',
      'profile to predict with (default: out/profiles/fitted.json when it exists, else built-in costs)',
    )
    .option('--out <dir>', 'folder for the report (default: out/<name>)')
    .addOption(
      new Option('--runs <paths...>', 'lab-validation: run-record files or folders (default: runs/lab)'),
    )
    .option(
      '--host <id|file>',
      'capacity, what-if: the server host, a built-in or a host file (default c4.8xlarge)',
    )
    .option(
      '--rate <rps>',
      "what-if: the 350 B questions' rate, the 4 KB one at 0.6 of it as in the study (default: the study's, scaled by the host's CPUs)",
      (v) => parsePositive('--rate', v),
    )
    .option('--target-rps <rps>', 'capacity: the load to plan servers for (default 1M)', (v) =>
      parsePositive('--target-rps', v),
    )
    .option('--response-bytes <n>', 'capacity: the response size (default 350)', (v) =>
      parsePositiveInt('--response-bytes', v),
    )
    .option('--json', 'print the main table as JSON', false)
    .option('--no-progress', 'no progress lines on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim study seed                      # the seed comparison, about a minute on 2 cores; out/seed/index.html
  $ cnisim study seed --quick --seed 7     # a smaller grid in about 10 s
  $ cnisim study capacity --json > capacity.json
  $ cnisim study capacity --host examples/hosts/16-vcpu-4-queues.yaml --target-rps 2M --response-bytes 4096
  $ cnisim study what-if --host examples/hosts/16-vcpu-4-queues.yaml   # the tuning questions on your host
  $ cnisim study lab-validation --runs runs/lab

Outputs: index.html (self-contained, opens offline), report.md, data.json, charts/*.svg and *.png.`,
    )
    .action(
      async (
        name: string,
        o: {
          quick: boolean;
          seed: number;
          profile?: string;
          out?: string;
          runs?: string[];
          host?: string;
          targetRps?: number;
          responseBytes?: number;
          rate?: number;
          json: boolean;
          progress: boolean;
        },
      ) => {
        if (!studyNames().includes(name))
          throw new UsageError(
            `study: unknown study ${JSON.stringify(name)}; known: ${studyNames().join(', ')}`,
          );
        // Flags of some studies only: the seed study sets the model against the c4.8xlarge
        // measurements, and lab-validation reads records of the lab host.
        const scoped: [string, unknown, string[]][] = [
          ['--host', o.host, ['capacity', 'what-if']],
          ['--target-rps', o.targetRps, ['capacity']],
          ['--response-bytes', o.responseBytes, ['capacity']],
          ['--rate', o.rate, ['what-if']],
          ['--runs', o.runs, ['lab-validation']],
        ];
        const misplaced = scoped.filter(([, v, studies]) => v !== undefined && !studies.includes(name));
        if (misplaced.length > 0)
          throw new UsageError(
            `study ${name}: ${misplaced.map(([f, , st]) => `${f} applies only to ${st.join(' and ')}`).join('; ')}${name === 'seed' && misplaced.some(([f]) => f === '--host') ? ' (the seed study sets the model against the c4.8xlarge measurements)' : ''}`,
          );
        if (o.rate !== undefined && o.rate > MAX_RATE_RPS)
          throw new InputError('--rate', o.rate, `must be at most ${MAX_RATE_RPS.toExponential()}`);
        await runStudyCli(name, {
          ...(o.host !== undefined ? { host: o.host } : {}),
          ...(o.targetRps !== undefined ? { target_rps: o.targetRps } : {}),
          ...(o.responseBytes !== undefined ? { response_bytes: o.responseBytes } : {}),
          ...(o.rate !== undefined ? { rate_rps: o.rate } : {}),
          quick: o.quick,
          seed: o.seed,
          json: o.json,
          progress: o.progress,
          ...(o.profile !== undefined ? { profile: o.profile } : {}),
          ...(o.out !== undefined ? { outDir: o.out } : {}),
          ...(o.runs !== undefined ? { runs: o.runs } : {}),
        });
      },
    );
}
