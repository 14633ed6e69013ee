/**
 * Where a command writes its output (a fitted profile, a chart, a folder of run records), checked
 * before any work: a fit or a validation takes minutes, and an output that cannot be written would
 * otherwise fail only at its end, as an internal error, with the work lost.
 *
 * - `prepareOutParent` / `prepareOutDir`: the folder exists afterwards (each missing component made
 *   on its own: Node's recursive mkdir loops forever under /proc) and a probe file could be written
 *   and removed in it; else exit 3 naming the flag. A file where a folder should be is named.
 * - `refuseInsideRuns`: an output that `calibrate`/`validate` would list as a run record the next
 *   time they read that --runs folder (`*.json`, recursively) is refused, so it cannot break it.
 * - `writeFileAtomic`: written whole to a hidden temporary file beside it, then renamed.
 */
import { existsSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { makeDirs } from '../harness/run-record-io.ts';
import { InputError } from './errors.ts';

/** `p` with its nearest existing ancestor's links resolved: comparable whether or not `p` exists. */
export function realish(p: string): string {
  const abs = resolve(p);
  for (let q = abs; ; q = dirname(q)) {
    if (existsSync(q)) {
      try {
        return join(realpathSync(q), relative(q, abs));
      } catch {
        return abs;
      }
    }
    if (dirname(q) === q) return abs;
  }
}

/** Do `a` and `b` name the same file (however reached: relative, absolute, through a link)? */
export function sameFile(a: string, b: string): boolean {
  return realish(a) === realish(b);
}

/** The nearest existing ancestor of `p` (or `p` itself) when it is not a directory, else null. */
export function fileInTheWay(p: string): string | null {
  for (let q = resolve(p); ; q = dirname(q)) {
    if (existsSync(q)) return statSync(q).isDirectory() ? null : q;
    if (dirname(q) === q) return null;
  }
}

/**
 * Makes `dir` (and its missing parents) and checks a file can be written in it; exit 3 naming
 * `flag` and `value` otherwise (a file in the way, read-only, under /proc or /sys).
 */
export function prepareOutDir(flag: string, value: string, dir: string = value): void {
  const file = fileInTheWay(dir);
  if (file !== null)
    throw new InputError(
      flag,
      value,
      file === resolve(value) ? 'is a file, not a directory' : `${file} is a file, not a directory`,
    );
  const probe = join(dir, `.cnisim-write-check-${process.pid}`);
  try {
    makeDirs(dir);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    const what = dir === value ? '' : `its folder ${dir} `;
    throw new InputError(
      flag,
      value,
      `${what}cannot be created or written (${code}): name a folder you can write`,
    );
  }
}

/** The folder of the file `value` (given to `flag`) is made and writable; exit 3 otherwise. */
export function prepareOutParent(flag: string, value: string): void {
  prepareOutDir(flag, value, dirname(resolve(value)));
}

/**
 * Refuses `file` (written for `flag`) when it lies in one of the `runs` folders, where the next
 * calibrate or validate on that folder would read it as a run record (`*.json`, recursively).
 */
export function refuseInsideRuns(flag: string, value: string, file: string, runs: readonly string[]): void {
  const target = realish(file);
  for (const r of runs) {
    if (!existsSync(r) || !statSync(r).isDirectory()) continue;
    const rel = relative(realish(r), target);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
      throw new InputError(
        flag,
        value,
        `${basename(file)} would be inside the runs folder ${r}, where the next calibrate or validate would read it as a run record: write it elsewhere`,
      );
  }
}

/**
 * Writes `text` to `path` whole: a hidden temporary file in the same folder (skipped by record
 * listings), then a rename; `beforeRename` runs once the text is safely written (e.g. to move the
 * previous file aside).
 */
export function writeFileAtomic(path: string, text: string, beforeRename?: () => void): void {
  makeDirs(dirname(resolve(path)));
  const tmp = join(dirname(resolve(path)), `.${basename(path)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, text);
    beforeRename?.();
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
