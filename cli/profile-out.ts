/**
 * Where `cnisim calibrate` and `cnisim lab-validate` write their fitted profile (--out), checked
 * before any fitting: a fit takes minutes and its output replaces nothing that cannot be had back.
 *
 * - a directory, or one of the run records being fitted, is refused (exit 3);
 * - an existing file that is not a fitted profile is refused: it is not ours to replace;
 * - a path inside one of the --runs folders is refused: the next calibrate on that folder would
 *   read the profile as a run record;
 * - a folder that cannot be made or written (a file in the way, /proc, read-only) is refused;
 * - an existing fitted profile (the usual re-calibration to out/profiles/fitted.json) is kept,
 *   renamed to `<name>.<its finished_at>.json` beside it, before the new one takes its place.
 */
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { InputError } from './errors.ts';
import { prepareOutParent, refuseInsideRuns, sameFile, writeFileAtomic } from './out-file.ts';

export interface ProfileOut {
  path: string;
  /** Moves an existing profile aside (call just before writing); returns where it went, or null. */
  keepPrevious(): string | null;
  /** Writes the profile whole, keeping an existing one aside; returns where that went, or null. */
  write(profile: unknown): string | null;
}

/** `inputFiles`: the run records being fitted; `runs`: the --runs paths they came from. */
export function checkProfileOut(
  out: string,
  inputFiles: readonly string[],
  runs: readonly string[] = [],
): ProfileOut {
  const path = resolve(out);
  if (inputFiles.some((f) => sameFile(f, path)))
    throw new InputError('--out', out, 'is one of the run records being fitted: name another file');
  if (existsSync(path)) {
    if (statSync(path).isDirectory()) throw new InputError('--out', out, 'is a directory: name a file');
    let value: Record<string, unknown> | null = null;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch {}
    // By its kind, not the whole schema: a profile of an older version is still a profile.
    const isProfile = typeof value === 'object' && value !== null && value.kind === 'cnisim-fitted-profile';
    if (!isProfile)
      throw new InputError('--out', out, 'the file exists and is not a fitted profile: name another file');
  }
  refuseInsideRuns('--out', out, path, runs);
  prepareOutParent('--out', out);
  const keepPrevious = (): string | null => {
    // Whatever is there now (also a profile another run wrote during this fit) is kept, not lost.
    if (!existsSync(path)) return null;
    const stamp = (stampOf(path) ?? statSync(path).mtime.toISOString()).replace(/[^0-9A-Za-z-]/g, '-');
    const ext = extname(path) || '.json';
    const stem = basename(path, extname(path));
    let kept = join(dirname(path), `${stem}.${stamp}${ext}`);
    for (let i = 2; existsSync(kept); i++) kept = join(dirname(path), `${stem}.${stamp}-${i}${ext}`);
    renameSync(path, kept);
    return kept;
  };
  return {
    path,
    keepPrevious,
    write(profile) {
      // Written whole to a temporary file, then renamed: a crash never leaves half a profile.
      let kept: string | null = null;
      writeFileAtomic(path, `${JSON.stringify(profile, null, 2)}\n`, () => {
        kept = keepPrevious();
      });
      return kept;
    },
  };
}

/** The finished_at of the fitted profile at `path`, or null (not one, or unreadable). */
function stampOf(path: string): string | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as { kind?: unknown; finished_at?: unknown };
    return v.kind === 'cnisim-fitted-profile' && typeof v.finished_at === 'string' ? v.finished_at : null;
  } catch {
    return null;
  }
}
