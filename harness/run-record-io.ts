/**
 * Reading and writing run records. One JSON file per step; a directory of them is a run.
 *
 * Invariants: a record is validated before it is written, and written atomically (a temp file in
 * the same directory, fsync, then a hard link to its name), so a crash never leaves a half-written
 * record under a name that `loadRunRecords` reads (temp files start with `.` and are skipped); a
 * record is never overwritten (the link fails when the name exists: a second run into the same
 * directory would otherwise replace the first run's steps of the same index, option, rate and
 * repeat). A record that fails the schema is an error naming the file and the first failing field;
 * a JSON that is no run record at all (a fitted profile, a chart's Vega-Lite spec, a package.json
 * left in a runs folder) is named as what it is instead. Directories are made one component at a
 * time (`makeDirs`): Node's recursive mkdir loops forever under /proc.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunRecord } from './run-record.ts';

export class RunRecordError extends Error {
  readonly exitCode = 3;
  constructor(
    readonly file: string,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}: ${field === '' ? '' : `${field}: `}${reason}`);
    this.name = 'RunRecordError';
  }
}

/** Dotted path of a zod issue, e.g. `generator.argv.0`, `latency_ms.p99`. */
function issuePath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p)).join('.');
}

/**
 * Why `value` is not a run record at all, or null when it looks like one (it has a schema_version;
 * the schema then names the failing field). Only the JSON of other kinds is told apart here: a
 * field-by-field schema dump of a fitted profile says nothing useful.
 */
function notARunRecord(value: unknown): string | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'is not a run record (not a JSON object): move it out of the runs folder';
  const v = value as Record<string, unknown>;
  if ('schema_version' in v) return null;
  if (v.kind === 'cnisim-fitted-profile')
    return 'is a fitted profile, not a run record: move it out of the runs folder (validate reads it with --profile)';
  if (typeof v.$schema === 'string' && v.$schema.includes('vega-lite'))
    return 'is a Vega-Lite chart spec (validate --out-chart writes them), not a run record: move it out of the runs folder';
  return 'is not a run record (it has no schema_version; cnisim harness run and cnisim import write run records): move it out of the runs folder';
}

/** Validates a parsed value as a run record; throws RunRecordError naming `file` and the field. */
export function parseRunRecord(value: unknown, file = '<record>'): RunRecord {
  const other = notARunRecord(value);
  if (other !== null) throw new RunRecordError(file, '', other);
  const r = RunRecord.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw new RunRecordError(file, '', 'invalid run record');
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s))` : '';
  throw new RunRecordError(file, issuePath(issue.path) || '(root)', `${issue.message}${more}`);
}

function listRecordFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue; // temp files of an interrupted write, hidden files
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...listRecordFiles(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

/**
 * Loads every record from the given files and directories (directories recursively, `*.json`
 * only, in name order). Throws on the first file that does not parse or fails the schema.
 */
export function loadRunRecords(paths: string[]): RunRecord[] {
  const files: string[] = [];
  for (const p of paths) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      throw new RunRecordError(p, '', 'no such file or directory');
    }
    if (st.isDirectory()) files.push(...listRecordFiles(p));
    else files.push(p);
  }
  return files.map((f) => {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(f, 'utf8'));
    } catch (err) {
      throw new RunRecordError(f, '', `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    return parseRunRecord(value, f);
  });
}

/** The file name of a record: sortable by step, readable by people. */
export function runRecordFileName(record: RunRecord): string {
  const rate = record.requested_rps === null ? 'max' : String(Math.round(record.requested_rps));
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, '_');
  const kind = record.max_rate_search ? '-olmax' : '';
  return `${String(record.step_index).padStart(4, '0')}-${safe(record.option)}-${rate}rps${kind}-r${record.repeat}.json`;
}

/**
 * Validates `record` and writes it into `dir` (created if needed) atomically. Returns the path.
 * Never overwrites: a record whose name exists is refused (RunRecordError, exit 3).
 */
export function writeRunRecord(dir: string, record: RunRecord): string {
  const checked = parseRunRecord(record, join(dir, runRecordFileName(record as RunRecord)));
  try {
    makeDirs(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new RunRecordError(
      dir,
      '',
      `cannot be created (${code}): write the run into a directory you can create`,
    );
  }
  const final = join(dir, runRecordFileName(checked));
  if (existsSync(final)) throw overwriteError(final);
  const tmp = join(dir, `.${runRecordFileName(checked)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(checked, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, final); // fails if the name appeared meanwhile: no record is ever replaced
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') throw overwriteError(final);
    throw err;
  } finally {
    unlinkSync(tmp);
  }
  return final;
}

function overwriteError(file: string): RunRecordError {
  return new RunRecordError(
    file,
    '',
    'exists: a run record is never overwritten (write the run into a new directory)',
  );
}

/**
 * Creates `dir` and its missing parents, each with a non-recursive mkdir (Node's recursive one loops
 * forever at 100 % CPU under /proc). Returns the directories it created, outermost first; throws the
 * first mkdir's error (ENOENT under /proc, EPERM under /sys, ENOTDIR below a file).
 */
export function makeDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p) && dirname(p) !== p; p = dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      mkdirSync(p);
    } catch (err) {
      // Made meanwhile by another process: as good as made here.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(p).isDirectory()) throw err;
    }
  }
  return missing;
}

/** Run records (`*.json`, not hidden) already in `dir`, recursively; 0 when it does not exist. */
export function countRunRecordFiles(dir: string): number {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return 0;
  return listRecordFiles(dir).length;
}
