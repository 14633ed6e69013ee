/**
 * `runStudy(name, opts)`: runs one study with defaults filled in and writes its report; and
 * `runStudyCli`, which also prints the main table on stdout (or JSON) and the report path on
 * stderr. `cnisim study` uses it, and so can `npm start` (`runStudyCli('seed', {})`).
 */
import { join } from 'node:path';
import { readProfile } from '../sim/simulate.ts';
import { InputError } from '../cli/errors.ts';
import { log, printJson } from '../cli/output.ts';
import type { StudyOptions, StudyOutcome } from './studies/common.ts';
import { STUDIES } from './studies/index.ts';
import { resolveProfile } from './lib/profile.ts';
import { checkOutDir } from './lib/out-dir.ts';
import { tableToText } from './lib/table-render.ts';
import { cellJson } from './lib/format-cell.ts';

export const DEFAULT_SEED = 1;

export function studyNames(): string[] {
  return Object.keys(STUDIES);
}

export async function runStudy(name: string, opts: Partial<StudyOptions> = {}): Promise<StudyOutcome> {
  const study = STUDIES[name];
  if (!study) throw new InputError('study', name, `unknown study; known: ${studyNames().join(', ')}`);
  return study.run({
    ...opts,
    quick: opts.quick ?? false,
    seed: opts.seed ?? DEFAULT_SEED,
    outDir: opts.outDir ?? join('out', name),
  });
}

export async function runStudyCli(
  name: string,
  opts: Partial<StudyOptions> & { json?: boolean } = {},
): Promise<StudyOutcome> {
  const started = Date.now();
  // Before any simulation: a folder the report cannot go to is found now, not after minutes of work.
  checkOutDir(opts.outDir ?? join('out', name));
  // Said before the work: a profile picked up by default changes every number of the report.
  // A profile that is not one is refused first, not after saying it is the one predicting.
  if (name !== 'lab-validation') {
    const profile = resolveProfile(opts.profile);
    if (profile.path) readProfile(profile.path);
    log(`study ${name}: predicting with ${profile.description}`);
  }
  const onSignal = () => {
    log(`study ${name}: interrupted; nothing written (a study writes its report only when it is complete)`);
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  let outcome: StudyOutcome;
  try {
    outcome = await runStudy(name, opts);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
  if (opts.json) {
    // Keyed by the column headers, which carry the units (`p99_ms`), like the printed table;
    // intervals as [lo, hi].
    const rows = outcome.table.rows.map((r) =>
      Object.fromEntries(outcome.table.columns.map((c) => [c.header, cellJson(r[c.key])])),
    );
    printJson({ study: name, report: outcome.htmlPath, caption: outcome.table.caption, rows });
  } else {
    process.stdout.write(`${outcome.table.caption}\n`);
    process.stdout.write(tableToText(outcome.table));
  }
  log(
    `study ${name}: report written to ${outcome.htmlPath} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  return outcome;
}
