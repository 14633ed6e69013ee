/**
 * Checks on run records before they are fitted or used for validation. Each failure is a
 * CalibrationInputError naming the records at fault; the checks never modify the records.
 */
import { PERCENTILE_KEYS } from '../sim/result.ts';
import { CalibrationInputError } from './errors.ts';
import { hostKey, type LabelledRecord } from './records.ts';

export interface CheckOptions {
  /** Records from several hosts are fitted together on purpose. */
  allowMixedHosts?: boolean;
}

export interface CheckOutcome {
  /** The records to use: valid ones only. */
  usable: LabelledRecord[];
  /** Human-readable notes (skipped records, mixed hosts allowed). */
  warnings: string[];
  /** Distinct host keys of the usable records, sorted. */
  hosts: string[];
}

export function checkRecords(records: readonly LabelledRecord[], opts: CheckOptions = {}): CheckOutcome {
  if (records.length === 0) throw new CalibrationInputError('--runs', [], 'no run records found');
  const warnings: string[] = [];
  const usable: LabelledRecord[] = [];
  for (const lr of records) {
    if (!lr.record.valid) {
      warnings.push(`skipped ${lr.file}: marked invalid (${lr.record.invalid_reason ?? 'no reason given'})`);
      continue;
    }
    checkMonotone(lr);
    usable.push(lr);
  }
  if (usable.length === 0)
    throw new CalibrationInputError(
      '--runs',
      records.map((r) => r.file).slice(0, 5),
      'every record is marked invalid',
    );

  const byHost = new Map<string, string[]>();
  for (const lr of usable) {
    const k = hostKey(lr.record);
    byHost.set(k, [...(byHost.get(k) ?? []), lr.file]);
  }
  const hosts = [...byHost.keys()].sort();
  if (hosts.length > 1) {
    const detail = hosts.map((h) => `${h}: ${describeFiles(byHost.get(h) ?? [])}`).join('; ');
    if (!opts.allowMixedHosts)
      throw new CalibrationInputError(
        '--runs',
        undefined,
        `records come from ${hosts.length} different hosts (${detail}); pass --allow-mixed-hosts to fit them together, or select one host's records`,
      );
    warnings.push(`fitting records of ${hosts.length} hosts together (--allow-mixed-hosts): ${detail}`);
  }
  return { usable, warnings, hosts };
}

/** Percentiles must not decrease with the quantile (p95 <= p99 <= ... <= max). */
export function checkMonotone(lr: LabelledRecord): void {
  let prevKey: string | null = null;
  let prev = Number.NEGATIVE_INFINITY;
  for (const key of PERCENTILE_KEYS) {
    const v = lr.record.latency_ms[key];
    if (v === undefined) continue;
    if (v < prev)
      throw new CalibrationInputError(
        `${lr.file}: latency_ms`,
        lr.record.latency_ms,
        `percentiles are not monotone: ${key} = ${v} ms is below ${prevKey} = ${prev} ms`,
      );
    prev = v;
    prevKey = key;
  }
  if (prevKey === null)
    throw new CalibrationInputError(`${lr.file}: latency_ms`, lr.record.latency_ms, 'no latency percentiles');
}

function describeFiles(files: readonly string[]): string {
  if (files.length <= 2) return files.join(', ');
  return `${files[0]}, ${files[1]} and ${files.length - 2} more`;
}
