/**
 * Run records as calibration sees them: each record with the file it came from (so every error can
 * name it), its host key, and its measured percentiles as censored intervals.
 *
 * Host key: `hosts.server.machine` when the record states it (e.g. `c4.8xlarge`), otherwise
 * `hosts.server.name`. Two records describe the same host when their keys are equal.
 */
import { LAB_MACHINE } from '../harness/lab-step.ts';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRunRecord, RunRecordError } from '../harness/run-record-io.ts';
import type { RunRecord } from '../harness/run-record.ts';
import { PERCENTILE_KEYS, type PercentileKey } from '../sim/result.ts';
import { type CensorInterval, censorInterval } from './censored-loss.ts';

export interface LabelledRecord {
  file: string;
  record: RunRecord;
}

export interface MeasuredPercentile {
  key: PercentileKey;
  measured_ms: number;
  interval: CensorInterval;
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listJson(path));
    else if (name.endsWith('.json')) out.push(path);
  }
  return out;
}

/**
 * Loads records from files and directories (recursively, `*.json`, name order), keeping file names.
 * A file reached twice (a folder given twice, or a file and its folder) is read once; two files with
 * the same content are refused: a copied record would count twice in a fit.
 */
export function loadLabelledRecords(paths: readonly string[]): LabelledRecord[] {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      throw new RunRecordError(p, '', 'no such file or directory');
    }
    for (const f of isDir ? listJson(p) : [p]) {
      const key = realpathSync(f); // the file itself, however it is reached (relative, absolute, a link)
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(f);
    }
  }
  const byContent = new Map<string, string>();
  return files.map((file) => {
    let text: string;
    let value: unknown;
    try {
      text = readFileSync(file, 'utf8');
      value = JSON.parse(text);
    } catch (err) {
      throw new RunRecordError(
        file,
        '',
        `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      );
    }
    const record = parseRunRecord(value, file);
    const hash = createHash('sha256').update(JSON.stringify(value)).digest('hex');
    const twin = byContent.get(hash);
    if (twin !== undefined)
      throw new RunRecordError(file, '', `the same record as ${twin} (it would count twice): remove one`);
    byContent.set(hash, file);
    return { file, record };
  });
}

export function hostKey(r: RunRecord): string {
  return r.hosts.server.machine ?? r.hosts.server.name;
}

/**
 * Does the generator quantise through an HdrHistogram with 3 significant digits (wider buckets up
 * high)? tcpkali, the published tables, and the harness's own generator (cnisim-openloop,
 * harness/generator/histogram.ts: 1 us units, so buckets widen above 2.048 ms; its percentiles
 * above that had been taken as exact to 1 us).
 */
export function usesHdrBuckets(r: RunRecord): boolean {
  return (
    r.generator.name === 'tcpkali' || r.generator.name === 'cnisim-openloop' || r.source === 'published-table'
  );
}

/**
 * The host profile a record's machine is simulated with: its machine or host name, and for the
 * namespace lab's records, which name the lab rather than a machine, the lab's profile netns-lab.
 */
export function hostProfileOf(r: RunRecord): string {
  const key = hostKey(r);
  return key === LAB_MACHINE ? 'netns-lab' : key;
}

/** The record's measured percentiles, in PERCENTILE_KEYS order, with their censoring intervals. */
export function measuredPercentiles(r: RunRecord): MeasuredPercentile[] {
  const out: MeasuredPercentile[] = [];
  for (const key of PERCENTILE_KEYS) {
    const v = r.latency_ms[key];
    if (v === undefined) continue;
    out.push({
      key,
      measured_ms: v,
      interval: censorInterval(v, r.latency_resolution_ms, usesHdrBuckets(r)),
    });
  }
  return out;
}

/** The rate a record was measured at: the requested rate, or the achieved one for closed-loop steps. */
export function recordRate(r: RunRecord): number {
  return r.requested_rps ?? r.achieved_rps;
}

/** Short label for tables and errors: `flannel-vxlan @150000 rps 350 B`. */
export function pointLabel(r: RunRecord): string {
  return `${r.option} @${recordRate(r)} rps ${r.response_bytes} B`;
}
