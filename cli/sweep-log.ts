/**
 * The log of a sweep (`cnisim sweep --out <file.jsonl>`): JSON Lines that keep every finished point,
 * so a sweep that is interrupted (Ctrl-C, a crash, a reboot) loses nothing, and `--resume` finishes
 * it by simulating only the points the log lacks (also after the grid was extended).
 *
 * Format: the first line is the header `{"cnisim_sweep":1,"settings":{...}}` with everything besides
 * the grid that decides a result (version, host, profile and scenario with a SHA-256 of their files,
 * a host file's also of the profile it resolves to, as it may extend another file; --set, seed,
 * replications, requests or duration); then one line per point
 * `{"point":{"option","rate_rps","response_bytes"},"result":<simulate result>}`, appended and flushed
 * as each point finishes (`jq -c 'select(.result) | .result'` lists the results).
 *
 * Invariants: a log is never overwritten (without --resume an existing, non-empty file is refused);
 * results of other settings are never mixed in (--resume refuses a log whose header differs, naming
 * the first setting that does); a last line cut short by an interruption is dropped on resume (the
 * file is truncated to its last whole line), any other unreadable line is refused.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { loadHost } from '../model/load.ts';
import type { SimResult } from '../sim/result.ts';
import { InputError } from './errors.ts';
import { lockFile } from './file-lock.ts';
import { log } from './output.ts';
import { VERSION } from './version.ts';

export interface SweepPoint {
  option: string;
  rate_rps: number;
  response_bytes: number;
}

export interface SweepSettingsInput {
  host?: string;
  profile?: string;
  scenario?: string;
  set: string[];
  seed: number;
  replications: number;
  requests?: number;
  durationS?: number;
}

export type SweepSettings = Record<string, string | number | string[] | null>;

/** A model file named by path is identified by its content; a built-in by its id (and the version). */
function fileRef(ref: string | undefined): string | null {
  if (ref === undefined) return null;
  if (!existsSync(ref) || !statSync(ref).isFile()) return ref;
  return `${ref} sha256:${sha256(readFileSync(ref))}`;
}

/** A host file may extend another (model/extends.ts): what it resolves to is hashed too. */
function hostRef(ref: string | undefined): string | null {
  const r = fileRef(ref);
  if (ref === undefined || r === ref) return r;
  return `${r} resolved sha256:${sha256(JSON.stringify(loadHost(ref)))}`;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Everything besides the grid that decides a point's result. */
export function sweepSettings(f: SweepSettingsInput): SweepSettings {
  return {
    cnisim_version: VERSION,
    host: hostRef(f.host),
    profile: fileRef(f.profile),
    scenario: fileRef(f.scenario),
    set: f.set,
    seed: f.seed,
    replications: f.replications,
    requests: f.requests ?? null,
    duration_s: f.durationS ?? null,
  };
}

export function pointKey(p: SweepPoint): string {
  return `${p.option}\u0000${p.rate_rps}\u0000${p.response_bytes}`;
}

export interface SweepLog {
  /** Results already in the log, by pointKey. */
  readonly done: Map<string, SimResult>;
  /** Appends one finished point (written through at once). */
  append(point: SweepPoint, result: SimResult): void;
  close(): void;
}

/**
 * Opens the log at `path`: a new one (the file must be absent or empty unless `resume`), or, with
 * `resume`, the existing one after checking that it was written with the same settings.
 */
export function openSweepLog(path: string, settings: SweepSettings, resume: boolean): SweepLog {
  const done = new Map<string, SimResult>();
  const exists = existsSync(path) && statSync(path).size > 0;
  if (exists && !resume)
    throw new InputError(
      '--out',
      path,
      'the file exists: pass --resume to continue that sweep, or name a new file',
    );
  // One writer at a time: two sweeps resuming one log would each run the missing points.
  const unlock = lockFile(path, '--out');
  try {
    const header = `${JSON.stringify({ cnisim_sweep: 1, settings })}\n`;
    const started = exists && readLog(path, settings, done);
    if (resume && !started) log(`sweep: ${path} holds no sweep yet: starting a new sweep log`);
    const fd = openSync(path, 'a');
    if (!started) writeSync(fd, header);
    return {
      done,
      append(point, result) {
        writeSync(fd, `${JSON.stringify({ point, result })}\n`);
      },
      close() {
        closeSync(fd);
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}

/** How every header line begins (`JSON.stringify` keeps the key order). */
const HEADER_START = '{"cnisim_sweep":1,';

/**
 * Reads a log for --resume into `done`; drops a last line cut short by an interruption. Returns
 * false when not even the header was written whole (the file, empty or holding the start of a
 * header, is then emptied: nothing was simulated); a file without a line that is not a header's
 * start is refused.
 */
function readLog(path: string, settings: SweepSettings, done: Map<string, SimResult>): boolean {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // Every record ends with a newline: the piece after the last one ('' normally) was cut short.
  const complete = lines.slice(0, -1);
  const cut = lines[lines.length - 1]!;
  if (complete.length === 0) {
    // Only a header cut short (or nothing) may be discarded: anything else is not ours to erase.
    if (!HEADER_START.startsWith(cut) && !cut.startsWith(HEADER_START))
      throw new InputError('--out', path, 'the file holds something else than a sweep log: name a new file');
    truncateSync(path, 0);
    return false;
  }
  for (const [i, line] of complete.entries()) {
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new InputError('--out', path, `line ${i + 1} is not JSON: not a sweep log, or damaged`);
    }
    if (i === 0) {
      checkHeader(path, rec, settings);
      continue;
    }
    const r = rec as { point?: SweepPoint; result?: SimResult };
    if (!r.point || !r.result)
      throw new InputError('--out', path, `line ${i + 1} is not a {"point","result"} record`);
    done.set(pointKey(r.point), r.result);
  }
  if (cut !== '') {
    truncateSync(path, Buffer.byteLength(text) - Buffer.byteLength(cut));
    log(`sweep: ${path}: dropped a last line cut short by an interruption (${cut.length} characters)`);
  }
  log(`sweep: ${path}: ${done.size} point(s) already simulated with these settings`);
  return true;
}

function checkHeader(path: string, rec: unknown, settings: SweepSettings): void {
  const h = rec as { cnisim_sweep?: number; settings?: SweepSettings };
  if (h?.cnisim_sweep !== 1 || typeof h.settings !== 'object' || h.settings === null)
    throw new InputError('--out', path, 'the first line is not a sweep log header');
  for (const key of new Set([...Object.keys(settings), ...Object.keys(h.settings)])) {
    const was = JSON.stringify(h.settings[key] ?? null);
    const now = JSON.stringify(settings[key] ?? null);
    if (was !== now)
      throw new InputError(
        '--resume',
        path,
        `the log was written with ${key} ${was}, this sweep has ${now}: its results would not match (use a new --out file)`,
      );
  }
}
