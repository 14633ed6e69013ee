/**
 * Simulate results saved by the CLI, read back for a report: a sweep's JSON array (`sweep --json`),
 * a sweep log (`sweep --out log.jsonl`: a header line with the settings, then one
 * {"point","result"} per line; a last line cut short by an interruption is left out and said), or
 * one simulate result (`simulate --json`). Each result must carry the fields a report reads;
 * anything else is an InputError naming the file and, for a log, the line.
 */
import { readFileSync } from 'node:fs';
import { InputError } from '../../cli/errors.ts';
import type { SimResult } from '../../sim/result.ts';

export interface SweepResults {
  results: SimResult[];
  /** The sweep log's header settings, when read from a log. */
  settings: Record<string, unknown> | null;
  /** What was left out (a last line cut short). */
  notes: string[];
}

const NEEDED = [
  'option',
  'host',
  'rate_rps',
  'response_bytes',
  'saturated',
  'latency_ms',
  'requests',
] as const;

function checked(r: unknown, path: string, where: string): SimResult {
  const o = r as Record<string, unknown> | null;
  const missing = o && typeof o === 'object' ? NEEDED.filter((k) => !(k in o)) : [...NEEDED];
  if (missing.length > 0)
    throw new InputError(path, where, `not a simulate result (missing ${missing.join(', ')})`);
  return r as SimResult;
}

export function readSweepResults(path: string): SweepResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError('file', path, `cannot read it (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const t = text.trimStart();
  if (t.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(text);
    } catch (e) {
      throw new InputError(path, 'JSON array', `not valid JSON: ${(e as Error).message}`);
    }
    const results = (arr as unknown[]).map((r, i) => checked(r, path, `element ${i}`));
    return once(path, { results, settings: null, notes: [] });
  }
  // One simulate result (pretty-printed over many lines) parses whole; a log does not (unless it is
  // only its header).
  let whole: unknown;
  try {
    whole = JSON.parse(text);
  } catch {
    whole = undefined;
  }
  if (whole !== undefined && (whole as { cnisim_sweep?: number })?.cnisim_sweep === undefined)
    return { results: [checked(whole, path, 'the result')], settings: null, notes: [] };
  const lines = text.split('\n');
  const complete = lines.slice(0, -1);
  const cut = lines[lines.length - 1]!;
  let first: unknown;
  try {
    first = JSON.parse(complete[0] ?? cut);
  } catch {
    throw new InputError(path, 'line 1', 'not JSON: a sweep array, a sweep log or a simulate result');
  }
  const head = first as { cnisim_sweep?: number; settings?: Record<string, unknown> };
  if (head?.cnisim_sweep === undefined)
    throw new InputError(path, 'line 1', 'not a sweep log header (nor a sweep array or a simulate result)');
  const results: SimResult[] = [];
  for (const [i, line] of complete.slice(1).entries()) {
    if (line.trim() === '') continue;
    let rec: { result?: unknown };
    try {
      rec = JSON.parse(line);
    } catch {
      throw new InputError(path, `line ${i + 2}`, 'not JSON: the sweep log is damaged');
    }
    results.push(checked(rec.result, path, `line ${i + 2}`));
  }
  const notes =
    cut.trim() !== '' ? [`${path}: left out a last line cut short (${cut.length} characters)`] : [];
  return once(path, { results, settings: head.settings ?? null, notes });
}

/**
 * Each point once: a point saved twice (two sweeps appended to one file, a repeated line) keeps its
 * last result, and the notes say so; results of several seeds are said to be unpaired.
 */
function once(path: string, read: SweepResults): SweepResults {
  const key = (r: SimResult) => JSON.stringify([r.option, r.host, r.rate_rps, r.response_bytes]);
  const last = new Map<string, SimResult>();
  for (const r of read.results) last.set(key(r), r);
  const results = read.results.filter((r) => last.get(key(r)) === r);
  const notes = [...read.notes];
  const repeated = read.results.length - results.length;
  if (repeated > 0)
    notes.push(`${path}: ${repeated} point(s) saved more than once: the last result of each is shown`);
  const seeds = [...new Set(results.map((r) => r.seed))];
  if (seeds.length > 1)
    notes.push(`${path}: points of seeds ${seeds.join(', ')}: differences between them are not paired`);
  return { ...read, results, notes };
}
