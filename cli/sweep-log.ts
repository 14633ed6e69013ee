/**
 * The log of a sweep (`cnisim sweep --out <file.jsonl>`): JSON Lines that keep every finished point,
 * so a sweep that is interrupted (Ctrl-C, a crash, a reboot) loses nothing, and `--resume` finishes
 * it by simulating only the points the log lacks (also after the grid was extended).
 *
 * Format: the first line is the header `{"cnisim_sweep":1,"settings":{...}}` with everything besides
 * the grid that decides a result (version, host, profile and scenario with a SHA-256 of their files,
 * a host file's also of the profile it resolves to, as it may extend another file; the host file a
 * scenario names, fingerprinted the same way; --set, seed, replications, requests or duration);
 * then one line per point `{"point":{"option","rate_rps","response_bytes"},"option_file":...,
 * "result":<simulate result>}`, appended and flushed as each point finishes (`jq -c 'select(.result)
 * | .result'` lists the results). `option_file` is there when the point's option is a file (given in
 * --options, or named by the scenario): its SHA-256 and that of the option it resolves to (an
 * `extends` base's change shows there). It is kept per point, not in the header, because the options
 * of a grid may grow on resume. Built-in ids are not fingerprinted: their content is versioned with
 * the tool (cnisim_version). An option file is known by its content, not by the path that names it:
 * a point logged as `opt.yaml` is resumed for `./opt.yaml` or its absolute path (sweepOptionOf).
 *
 * Invariants: a log is never overwritten (without --resume an existing, non-empty file is refused);
 * results of other settings are never mixed in (--resume refuses a log whose header differs, naming
 * the first setting that does, and a log whose points of an option file were made from another
 * content of it, naming the file); a last line cut short by an interruption is dropped on resume (the
 * file is truncated to its last whole line), any other unreadable line is refused.
 *
 * Logs written before option files and the files a scenario names were fingerprinted (no
 * `scenario_host` in the header, no `option_file` in the points) are resumed only where nothing they
 * would supply rests on a file that could have changed unnoticed: see checkHeader and checkOptionFile.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { hostFilePath, loadHost, loadOption, optionFilePath, readDataFile, validate } from '../model/load.ts';
import { ScenarioInput } from '../model/schema/scenario.ts';
import { readScenarioFile } from '../model/scenario-file.ts';
import type { SimResult } from '../sim/result.ts';
import { InputError } from './errors.ts';
import { lockFile } from './file-lock.ts';
import { prepareOutParent } from './out-file.ts';
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

/**
 * The host file a --scenario file names, when the simulator uses it: no --host overrides it (the
 * precedence of sim/simulate.ts scenarioInput; a relative path is taken from the scenario file's
 * folder, as model/scenario-file.ts reads it). Null when the scenario names a built-in id or
 * writes its host inline (both are in the scenario's text, which is hashed) or names none.
 */
function scenarioHostRef(f: SweepSettingsInput): string | null {
  if (f.scenario === undefined || f.host) return null;
  if (!existsSync(f.scenario) || !statSync(f.scenario).isFile()) return null;
  const s = readScenarioFile(f.scenario);
  if (typeof s.host !== 'string' || hostFilePath(s.host) !== s.host) return null;
  return hostRef(s.host);
}

/**
 * The fingerprint of an option named by file (given in --options, or named by a --scenario that
 * gives the sweep its option): the file's SHA-256 and that of the option it resolves to, as it may
 * extend another file. Undefined for a built-in id. An option that does not load is refused here,
 * before any point is simulated or taken from a log.
 */
export function optionFileRef(ref: string): string | undefined {
  const option = loadOption(ref, '--options');
  if (optionFilePath(ref) !== ref) return undefined;
  return `${ref} sha256:${sha256(readFileSync(ref))} resolved sha256:${sha256(JSON.stringify(option))}`;
}

/** The fingerprints of the option files among a sweep's options (built-in ids are left out). */
export function optionFiles(options: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const ref of options) {
    const r = optionFileRef(ref);
    if (r !== undefined) m.set(ref, r);
  }
  return m;
}

/** Everything besides the grid that decides a point's result. */
export function sweepSettings(f: SweepSettingsInput): SweepSettings {
  return {
    cnisim_version: VERSION,
    host: hostRef(f.host),
    profile: fileRef(f.profile),
    scenario: fileRef(f.scenario),
    // Always written (null when none), so a header without it is known to predate it (checkHeader).
    scenario_host: scenarioHostRef(f),
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
 * `resume`, the existing one after checking that it was written with the same settings and that
 * its points of the option files in `optionFiles` (optionFiles(): the sweep's, by reference) were
 * made from their present content.
 */
export function openSweepLog(
  path: string,
  settings: SweepSettings,
  resume: boolean,
  optionFiles: ReadonlyMap<string, string> = new Map(),
): SweepLog {
  const done = new Map<string, SimResult>();
  // Its folder is made and writable before anything is simulated (exit 3 naming --out otherwise).
  prepareOutParent('--out', path);
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
    const started = exists && readLog(path, settings, optionFiles, done);
    if (resume && !started) log(`sweep: ${path} holds no sweep yet: starting a new sweep log`);
    const fd = openSync(path, 'a');
    if (!started) writeSync(fd, header);
    return {
      done,
      append(point, result) {
        const option_file = optionFiles.get(point.option);
        writeSync(fd, `${JSON.stringify({ point, ...(option_file ? { option_file } : {}), result })}\n`);
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
function readLog(
  path: string,
  settings: SweepSettings,
  optionFiles: ReadonlyMap<string, string>,
  done: Map<string, SimResult>,
): boolean {
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
    const r = rec as { point?: SweepPoint; option_file?: string; result?: SimResult };
    if (!r.point || !r.result)
      throw new InputError('--out', path, `line ${i + 1} is not a {"point","result"} record`);
    const option = sweepOptionOf(r.point.option, r.option_file, optionFiles);
    checkOptionFile(path, i + 1, r.point.option, r.option_file, optionFiles.get(option));
    done.set(pointKey({ ...r.point, option }), r.result);
  }
  if (cut !== '') {
    truncateSync(path, Buffer.byteLength(text) - Buffer.byteLength(cut));
    log(`sweep: ${path}: dropped a last line cut short by an interruption (${cut.length} characters)`);
  }
  log(`sweep: ${path}: ${done.size} point(s) already simulated with these settings`);
  return true;
}

/** A fingerprint without the path it was taken under: the content of the file and what it resolves to. */
function contentOf(fingerprint: string): string | undefined {
  return /sha256:[0-9a-f]+ resolved sha256:[0-9a-f]+$/.exec(fingerprint)?.[0];
}

/**
 * The option of this sweep (as given in its --options) that a logged point belongs to. An option
 * file may be named by another path than when the point was logged (`opt.yaml`, `./opt.yaml`, its
 * absolute path, or relative to another folder): a point is this sweep's if its file's content
 * (and what it resolves to) is that of one of this sweep's option files, or, when it is not, if
 * its path names the same file as one of them (whose content then changed: checkOptionFile
 * refuses it). Otherwise the point keeps its own name (a built-in id, or an option not in this
 * sweep, whose points are then not reused).
 */
function sweepOptionOf(
  logged: string,
  fingerprint: string | undefined,
  optionFiles: ReadonlyMap<string, string>,
): string {
  if (optionFiles.has(logged) || fingerprint === undefined) return logged;
  const content = contentOf(fingerprint);
  for (const [ref, now] of optionFiles) if (content !== undefined && contentOf(now) === content) return ref;
  for (const ref of optionFiles.keys()) if (resolve(ref) === resolve(logged)) return ref;
  return logged;
}

/**
 * A logged point of an option file is reused only if it was made from the file's present content
 * (`now`: its fingerprint; undefined when the option is a built-in id, or not in this sweep, whose
 * points are then not reused). A point without a fingerprint was logged before option files were
 * fingerprinted: whether the file changed since cannot be told, so it is refused as a changed one
 * would be (reusing it could pass a stale result for a fresh one, which --resume exists to never
 * do). Points of built-in ids in such a log are still reused: nothing about them was unrecorded.
 */
function checkOptionFile(
  path: string,
  line: number,
  option: string,
  was: string | undefined,
  now: string | undefined,
): void {
  // The path it was named by may differ (sweepOptionOf): the content decides.
  const content = was === undefined ? undefined : contentOf(was);
  if (now === undefined || (content !== undefined && content === contentOf(now))) return;
  // The file's own hash comes before ' resolved': equal there, a file it extends changed.
  const what =
    was !== undefined && contentOf(was)?.split(' resolved ')[0] === contentOf(now)?.split(' resolved ')[0]
      ? `a file the option file ${option} extends changed`
      : `the option file ${option} changed`;
  throw new InputError(
    '--resume',
    path,
    was === undefined
      ? `line ${line}: the log predates option file fingerprints, so whether the option file ${option} changed since its points were logged cannot be told: its results may not match (use a new --out file)`
      : `${what} since its points were logged (the log has ${JSON.stringify(was)}, it is now ${JSON.stringify(now)}): its results would not match (use a new --out file)`,
  );
}

function checkHeader(path: string, rec: unknown, settings: SweepSettings): void {
  const h = rec as { cnisim_sweep?: number; settings?: SweepSettings };
  if (h?.cnisim_sweep !== 1 || typeof h.settings !== 'object' || h.settings === null)
    throw new InputError('--out', path, 'the first line is not a sweep log header');
  // A header without scenario_host predates fingerprints of the files a scenario names. It is
  // accepted when this sweep's scenario names no host file (then there is nothing more to check
  // than the header has: the scenario's text is hashed); otherwise whether that file changed
  // cannot be told, and it is refused as a changed one would be. (The scenario's option is the
  // sweep's option, checked point by point: checkOptionFile.)
  if (!('scenario_host' in h.settings) && settings.scenario_host !== null)
    throw new InputError(
      '--resume',
      path,
      `the log predates fingerprints of the files a scenario names, so whether the host file the scenario names (${JSON.stringify(settings.scenario_host)}) changed since cannot be told: its results may not match (use a new --out file)`,
    );
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
