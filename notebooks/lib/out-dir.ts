/**
 * The folder a report goes to. A report replaces the folder as a whole (written beside it, then
 * moved into place), so a report is never half old and half new, and no chart of an earlier report
 * stays behind. That is safe only for a folder that holds a report or nothing: `checkOutDir` refuses
 * any other, a file, and a place that cannot be written, before any simulation runs.
 */
import { accessSync, constants, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../../cli/errors.ts';

/** What a report folder holds (notebooks/lib/write-report.ts). */
const REPORT_ENTRIES = new Set(['index.html', 'report.md', 'data.json', 'charts']);

export function checkOutDir(outDir: string): void {
  const dir = resolve(outDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InputError('--out', outDir, 'is a file, not a folder');
    const other = readdirSync(dir).filter((n) => !REPORT_ENTRIES.has(n));
    if (other.length > 0)
      throw new InputError(
        '--out',
        outDir,
        `holds files that are not a report's (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', ...' : ''}): a report replaces its folder as a whole, so name a new or empty folder, or one holding a report`,
      );
  }
  // Written beside the folder and moved into place: the nearest existing parent must be writable.
  let parent = dirname(dir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory())
    throw new InputError('--out', outDir, `${parent} is a file, not a folder`);
  try {
    accessSync(parent, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'not writable';
    throw new InputError('--out', outDir, `cannot write in ${parent} (${code})`);
  }
}

/**
 * Runs `write` on a fresh folder beside `outDir`, then puts that folder in `outDir`'s place (the
 * previous report, if any, is removed once the new one is there). An interruption (Ctrl-C) or an
 * error while writing leaves `outDir` as it was and removes the half-written folder.
 */
export async function replaceFolder<T>(outDir: string, write: (dir: string) => Promise<T>): Promise<T> {
  const dir = resolve(outDir);
  const staging = join(dirname(dir), `.${basename(dir)}.writing-${process.pid}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`);
  const cleanUp = () => rmSync(staging, { recursive: true, force: true });
  const onSignal = () => {
    cleanUp();
    process.stderr.write(`interrupted: the report was not written; ${outDir} is as it was\n`);
    process.exit(130);
  };
  cleanUp();
  // First of the SIGINT listeners: the half-written folder goes before anyone exits.
  process.prependOnceListener('SIGINT', onSignal);
  try {
    const result = await write(staging);
    if (existsSync(dir)) {
      renameSync(dir, old);
      renameSync(staging, dir);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(staging, dir);
    return result;
  } catch (err) {
    cleanUp();
    throw err;
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}
