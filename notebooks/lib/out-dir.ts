/**
 * The folder a report goes to. A report replaces the folder as a whole (written beside it, then
 * moved into place), so a report is never half old and half new, and no chart of an earlier report
 * stays behind. That is safe only for a folder that holds a report or nothing: `checkOutDir` refuses
 * any other, a file, and a place that cannot be written, before any simulation runs.
 */
import {
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../../cli/errors.ts';
import { alive } from '../../cli/file-lock.ts';

/** What a report folder holds (notebooks/lib/write-report.ts). */
const REPORT_ENTRIES = new Set(['index.html', 'report.md', 'data.json', 'charts']);

export function checkOutDir(outDir: string): void {
  const dir = target(outDir);
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new InputError('--out', outDir, 'is a file, not a folder');
    // A report's own files only: charts/ holds only charts, data.json is a report's.
    const other = [
      ...readdirSync(dir).filter((n) => !REPORT_ENTRIES.has(n)),
      ...(existsSync(join(dir, 'charts')) && statSync(join(dir, 'charts')).isDirectory()
        ? readdirSync(join(dir, 'charts'))
            .filter((n) => !/\.(svg|png)$/.test(n))
            .map((n) => `charts/${n}`)
        : []),
      ...(existsSync(join(dir, 'data.json')) && !isReportData(join(dir, 'data.json'))
        ? ["data.json (not a report's)"]
        : []),
    ];
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
  // A file written and removed, not access(2): root passes W_OK on /proc, where the report's
  // folders could then never be made (Node's recursive mkdir loops forever there).
  const probe = join(parent, `.cnisim-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '');
    rmSync(probe);
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
  const dir = target(outDir);
  const staging = join(dirname(dir), `.${basename(dir)}.writing-${process.pid}`);
  const old = join(dirname(dir), `.${basename(dir)}.old-${process.pid}`);
  const cleanUp = () => rmSync(staging, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    cleanUp();
    process.stderr.write(`interrupted: the report was not written; ${outDir} is as it was\n`);
    process.exit(signal === 'SIGTERM' ? 143 : 130);
  };
  cleanUp();
  // What a killed writer left beside the folder (SIGKILL runs no handler): removed once its pid is gone.
  for (const n of existsSync(dirname(dir)) ? readdirSync(dirname(dir), { withFileTypes: true }) : []) {
    const m = new RegExp(`^\\.${escapeRegExp(basename(dir))}\\.writing-(\\d+)$`).exec(n.name);
    if (m && n.isDirectory() && !alive(Number(m[1])))
      rmSync(join(dirname(dir), n.name), { recursive: true, force: true });
  }
  // First of the listeners: the half-written folder goes before anyone exits.
  process.prependOnceListener('SIGINT', onSignal);
  process.prependOnceListener('SIGTERM', onSignal);
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
    process.removeListener('SIGTERM', onSignal);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The folder `outDir` names: a link to a folder is followed (the report goes where it points). */
function target(outDir: string): string {
  const dir = resolve(outDir);
  return existsSync(dir) && lstatSync(dir).isSymbolicLink() ? realpathSync(dir) : dir;
}

/** Whether a data.json is a report's (notebooks/lib/write-report.ts: meta with the study and version). */
function isReportData(path: string): boolean {
  try {
    const d = JSON.parse(readFileSync(path, 'utf8')) as { meta?: { study?: unknown; version?: unknown } };
    return typeof d?.meta?.study === 'string' && typeof d.meta.version === 'string';
  } catch {
    return false;
  }
}
