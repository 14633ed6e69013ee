/**
 * `cnisim study <name>`: runs a study (notebooks/studies/) and writes out/<name>/index.html,
 * report.md, data.json and charts/. The main table goes to stdout, the report path and progress
 * to stderr.
 */
import { type Command, Option } from 'commander';
import { UsageError } from '../errors.ts';
import { parseSeed } from '../parse.ts';
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
    .option('--json', 'print the main table as JSON', false)
    .option('--no-progress', 'no progress lines on stderr')
    .addHelpText(
      'after',
      `
Examples:
  $ cnisim study seed                      # the seed comparison, about a minute on 2 cores; out/seed/index.html
  $ cnisim study seed --quick --seed 7     # a smaller grid in about 10 s
  $ cnisim study capacity --json > capacity.json
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
          json: boolean;
          progress: boolean;
        },
      ) => {
        if (!studyNames().includes(name))
          throw new UsageError(
            `study: unknown study ${JSON.stringify(name)}; known: ${studyNames().join(', ')}`,
          );
        await runStudyCli(name, {
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
