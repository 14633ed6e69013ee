/**
 * Checks on run records before they are fitted or used for validation. Each failure is a
 * CalibrationInputError naming the records at fault; the checks never modify the records.
 *
 * - Records marked `valid: false`, and open-loop records that did not carry their load (achieved
 *   below 97 % of the requested rate, the harness's and the simulator's rule: CARRIED_FRACTION) are
 *   skipped with a note: the latter's percentiles are those of a queue that grew over the
 *   measurement, a function of its length, not of the requested rate.
 * - The rate a record is simulated at must be positive (requested_rps, or achieved_rps for a
 *   closed-loop step).
 * - Percentiles must not decrease with the quantile, up to the generator's histogram: a percentile
 *   is printed as the highest value of its histogram bucket while `max` is the largest value
 *   recorded, so `max` may lie below the next lower percentile by less than one bucket width. The
 *   same slack is allowed to every key (percentiles of one histogram never need it).
 */
import { InputError } from '../cli/errors.ts';
import { CARRIED_FRACTION } from '../harness/max-rate-search.ts';
import { PERCENTILE_KEYS } from '../sim/result.ts';
import { hdrBucketWidth } from './censored-loss.ts';
import { CalibrationInputError } from './errors.ts';
import { hostKey, type LabelledRecord, recordRate, usesHdrBuckets } from './records.ts';

export interface CheckOptions {
  /** Records from several hosts are fitted together on purpose. */
  allowMixedHosts?: boolean;
}

export interface CheckOutcome {
  /** The records to use: valid ones that carried their load. */
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
  let invalid = 0;
  let uncarried = 0;
  for (const lr of records) {
    const r = lr.record;
    if (!r.valid) {
      warnings.push(`skipped ${lr.file}: marked invalid (${r.invalid_reason ?? 'no reason given'})`);
      invalid++;
      continue;
    }
    checkRate(lr);
    if (r.requested_rps !== null && r.achieved_rps < CARRIED_FRACTION * r.requested_rps) {
      warnings.push(
        `skipped ${lr.file}: did not carry its load (achieved_rps ${r.achieved_rps} of requested_rps ${r.requested_rps}: ${((100 * r.achieved_rps) / r.requested_rps).toFixed(1)} % < ${100 * CARRIED_FRACTION} %)`,
      );
      uncarried++;
      continue;
    }
    checkMonotone(lr);
    usable.push(lr);
  }
  if (usable.length === 0)
    throw new CalibrationInputError(
      '--runs',
      records.map((r) => r.file).slice(0, 5),
      uncarried === 0
        ? 'every record is marked invalid'
        : `no usable record: ${invalid} marked invalid, ${uncarried} did not carry their load (achieved_rps below ${100 * CARRIED_FRACTION} % of requested_rps)`,
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

/** The rate a record is simulated at (recordRate) must be positive. */
function checkRate(lr: LabelledRecord): void {
  const r = lr.record;
  if (recordRate(r) > 0) return;
  const field = r.requested_rps === null ? 'achieved_rps' : 'requested_rps';
  throw new CalibrationInputError(
    `${lr.file}: ${field}`,
    recordRate(r),
    'must be greater than 0: the record is simulated at the rate it requested (at the rate achieved for a closed-loop step)',
  );
}

/**
 * Percentiles must not decrease with the quantile (p50 <= p90 <= ... <= max), up to the histogram:
 * the harness (harness/generator/histogram.ts, hdr-histogram-js getValueAtPercentile) and tcpkali
 * print a percentile as the HIGHEST value of its bucket, while the harness's `max` is the largest
 * value recorded, which lies anywhere in the highest bucket reached. So a value may lie below the
 * next lower percentile by at most that percentile's bucket width less one unit (both are then in the
 * same bucket): nothing below 2048 units (2.048 ms at 1 us, 204.8 ms at 0.1 ms), 31 us at 41.5 ms
 * with 1 us units. A larger drop is a real inversion, refused.
 */
export function checkMonotone(lr: LabelledRecord): void {
  const res = lr.record.latency_resolution_ms;
  const hdr = usesHdrBuckets(lr.record);
  let prevKey: string | null = null;
  let prev = Number.NEGATIVE_INFINITY;
  for (const key of PERCENTILE_KEYS) {
    const v = lr.record.latency_ms[key];
    if (v === undefined) continue;
    if (v < prev) {
      // In whole resolution units: the printed values are multiples of the resolution.
      const prevUnits = Math.round(prev / res);
      const width = hdrBucketWidth(prevUnits, hdr);
      if (prevUnits - Math.round(v / res) > width - 1)
        throw new CalibrationInputError(
          `${lr.file}: latency_ms`,
          lr.record.latency_ms,
          `percentiles are not monotone: ${key} = ${v} ms is below ${prevKey} = ${prev} ms${width > 1 ? ` by more than the histogram's bucket there allows (${fmtMs(width * res)} ms wide)` : ''}`,
        );
      continue; // within the bucket of the higher one: compare the next with it
    }
    prev = v;
    prevKey = key;
  }
  if (prevKey === null)
    throw new CalibrationInputError(`${lr.file}: latency_ms`, lr.record.latency_ms, 'no latency percentiles');
}

function fmtMs(x: number): string {
  return String(Number(x.toPrecision(6)));
}

export function describeFiles(files: readonly string[]): string {
  if (files.length <= 2) return files.join(', ');
  return `${files[0]}, ${files[1]} and ${files.length - 2} more`;
}

/**
 * The record fields behind the fields of the point calibration simulates (calibration/fit.ts
 * pointOf): an error the predictor throws about `rate_rps` is about the record's requested_rps.
 */
const POINT_FIELDS: Readonly<Record<string, (r: LabelledRecord['record']) => string>> = {
  option: () => 'option',
  rate_rps: (r) => (r.requested_rps === null ? 'achieved_rps' : 'requested_rps'),
  response_bytes: () => 'response_bytes',
  request_bytes: () => 'request_bytes',
};

/**
 * An error the predictor threw for a record's point, restated for the record: an InputError about
 * the point's option, rate or sizes becomes a CalibrationInputError naming the file and the
 * record's field (`a.json: requested_rps: ...`). Any other error is returned as it is (a parameter
 * path of --params is not the record's fault).
 */
export function recordPointError(err: unknown, lr: LabelledRecord): unknown {
  if (!(err instanceof InputError)) return err;
  const fieldOf = Object.hasOwn(POINT_FIELDS, err.field) ? POINT_FIELDS[err.field] : undefined;
  if (!fieldOf) return err;
  const field = fieldOf(lr.record);
  return new CalibrationInputError(
    `${lr.file}: ${field}`,
    (lr.record as unknown as Record<string, unknown>)[field],
    err.reason,
  );
}

/**
 * When every percentile of a record (max aside) is at or above the retransmission threshold, none is
 * fitted as a latency (terms.ts): the record only bounds the retransmission fraction. That is what a
 * heavily overloaded run looks like, and also what latencies written in microseconds look like; the
 * note names the record and says to check the unit. Null otherwise.
 */
export function allTailsNote(lr: LabelledRecord, rtoThresholdMs: number): string | null {
  const ms = lr.record.latency_ms;
  const keys = PERCENTILE_KEYS.filter((k) => k !== 'max' && ms[k] !== undefined);
  if (keys.length === 0 || keys.some((k) => ms[k]! < rtoThresholdMs)) return null;
  const lowest = keys[0]!;
  return `${lr.file}: every latency percentile is at or above the ${rtoThresholdMs} ms retransmission threshold (from ${lowest} = ${ms[lowest]} ms), so each is taken as a retransmission tail and none is fitted as a latency; check the unit: latency_ms is in milliseconds (values in microseconds are 1000 times too large)`;
}
