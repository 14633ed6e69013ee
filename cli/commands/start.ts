/**
 * `cnisim start` (what `npm start` runs): the main job, the seed study with its defaults (five
 * options, 50k-500k RPS, 350 B and 4 KB; about a minute on a 2-core machine, 49 s quiet on 27 Nov
 * 2026). Prints the main table on stdout and the report's path on stderr. Same flags as
 * `cnisim study seed`.
 */
import type { Command } from 'commander';
import { parseSeed } from '../parse.ts';

export function register(program: Command): void {
  program
    .command('start')
    .description('Run the main job: the seed study (same as `cnisim study seed`), written to out/seed/')
    .option('--quick', 'reduced grid and sample sizes (about 10 s)', false)
    .option('--seed <n>', 'random seed; the same seed writes the same data.json', (v) => parseSeed(v), 1)
    .option('--profile <file>', 'fitted profile (default: out/profiles/fitted.json when it exists)')
    .option('--json', 'print the main table as JSON', false)
    .addHelpText(
      'after',
      `
Examples:
  $ npm start                     # same as: npx cnisim start
  $ npx cnisim start --quick      # about 10 s
  $ npx cnisim selfcheck          # the engine against queueing theory`,
    )
    .action(async (o: { quick: boolean; seed: number; profile?: string; json: boolean }) => {
      // Loaded on use: the study pulls in the simulator and the report renderer.
      const { runStudyCli } = await import('../../notebooks/run-study.ts');
      await runStudyCli('seed', {
        quick: o.quick,
        seed: o.seed,
        json: o.json,
        ...(o.profile !== undefined ? { profile: o.profile } : {}),
      });
    });
}
