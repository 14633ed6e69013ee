/**
 * Validation: predicts held-out records with a fitted profile and compares, for each record
 * (option, rate, response size) and each measured percentile: absolute and relative error, MAPE,
 * whether the measurement falls inside the prediction interval, and whether the ranking of options
 * agrees at each (rate, response size, percentile).
 *
 * Prediction interval (95 %), in log space around the prediction, combining three independent parts:
 *   simulation noise  - the simulator's 95 % CI of the percentile (latency_ci95_ms), when reported;
 *   parameters        - each fitted parameter moved by +-1 sd (one at a time, the others at their
 *                       values), half the change of the percentile, added in quadrature (first-order
 *                       propagation assuming independent parameters);
 *   measurement       - the repeat-to-repeat spread sigma of that percentile from the profile's loss
 *                       (a prediction interval is for a new measurement, not for the mean).
 * The measurement counts as inside when its censoring bucket overlaps the interval.
 *
 * Ranking: options are ordered by measured and by predicted value; a pair counts only when the
 * measured buckets do not overlap (a tie within the resolution has no order). `agrees` means no
 * discordant pair.
 */
import { PERCENTILE_KEYS, PERCENTILE_QUANTILES, type PercentileKey } from '../sim/result.ts';
import { DEFAULT_SIGMA } from './censored-loss.ts';
import { CalibrationInputError } from './errors.ts';
import type { FittedProfile } from './fitted-profile.ts';
import { predictWithIntervals } from './prediction-interval.ts';
import type { Predictor } from './predictor.ts';
import { checkRecords, recordPointError } from './record-checks.ts';
import { hostKey, type LabelledRecord, measuredPercentiles, pointLabel, recordRate } from './records.ts';

export interface ValidationRow {
  run: string;
  option: string;
  rate_rps: number;
  response_bytes: number;
  percentile: PercentileKey;
  measured_ms: number;
  interval_ms: [number, number];
  predicted_ms: number | null;
  pi95_ms: [number, number] | null;
  /** Predicted minus measured: positive when the model is slower than the run. */
  error_ms: number | null;
  /** |error_ms|. */
  abs_error_ms: number | null;
  /** error_ms / measured_ms, signed. */
  rel_error: number | null;
  /** Relative distance to the measurement's bucket (0 inside, 0.05 = 5 % above its upper edge). */
  rel_to_bucket: number | null;
  inside_pi: boolean | null;
  saturated: boolean;
  /**
   * The simulated run holds at least 10 requests beyond this percentile (never for max, which grows
   * with the measurement's length): only such rows enter `mape` and `coverage_pi95`.
   */
  resolved: boolean;
}

export interface RankingRow {
  rate_rps: number;
  response_bytes: number;
  percentile: PercentileKey;
  measured_order: string[];
  predicted_order: string[];
  concordant_pairs: number;
  discordant_pairs: number;
  agrees: boolean;
}

export interface ValidationReport {
  host: string;
  profile_hosts: string[];
  rows: ValidationRow[];
  mape_by_percentile: Partial<Record<PercentileKey, number>>;
  /** Over resolved rows only (see ValidationRow.resolved). */
  mape: number | null;
  coverage_pi95: number | null;
  /** Percentile keys that counted in mape and coverage. */
  resolved_keys: PercentileKey[];
  ranking: RankingRow[];
  ranking_agrees: boolean | null;
  seed: number;
  requests: number;
  warnings: string[];
}

export interface ValidateOptions {
  predictor: Predictor;
  profile: FittedProfile;
  seed: number;
  requests: number;
  allowMixedHosts?: boolean;
  /** Propagate parameter uncertainty (2 extra simulations per fitted parameter and point); default true. */
  paramUncertainty?: boolean;
  onProgress?: (done: number, total: number) => void;
}

function fittedRunKey(u: {
  run_id: string;
  option: string;
  rate_rps: number;
  response_bytes: number;
  step_index?: number | undefined;
  repeat?: number | undefined;
}): string {
  return JSON.stringify([
    u.run_id,
    u.option,
    u.rate_rps,
    u.response_bytes,
    u.step_index ?? null,
    u.repeat ?? null,
  ]);
}

export async function validate(
  records: readonly LabelledRecord[],
  o: ValidateOptions,
): Promise<ValidationReport> {
  const checked = checkRecords(records, { allowMixedHosts: o.allowMixedHosts ?? false });
  const warnings = [...checked.warnings];
  const foreign = checked.usable.filter((lr) => !o.profile.record_hosts.includes(hostKey(lr.record)));
  if (foreign.length > 0 && !o.allowMixedHosts) {
    const names = foreign.slice(0, 3).map((lr) => `${lr.file} (host ${hostKey(lr.record)})`);
    throw new CalibrationInputError(
      '--profile',
      o.profile.record_hosts,
      `the profile was fitted on host ${o.profile.record_hosts.join(', ')} but ${foreign.length} record(s) come from another host: ${names.join(', ')}${foreign.length > 3 ? ', ...' : ''}; pass --allow-mixed-hosts to predict them anyway`,
    );
  }
  if (foreign.length > 0)
    warnings.push(`${foreign.length} record(s) from hosts the profile was not fitted on`);
  // A record the fit used: the same run, step and repeat (older profiles: run, option, rate, size).
  const fittedRuns = new Set(o.profile.runs.map((u) => fittedRunKey(u)));
  const inSample = checked.usable.filter((lr) => {
    const r = lr.record;
    const base = {
      run_id: r.run_id,
      option: r.option,
      rate_rps: recordRate(r),
      response_bytes: r.response_bytes,
    };
    return (
      fittedRuns.has(fittedRunKey({ ...base, step_index: r.step_index, repeat: r.repeat })) ||
      fittedRuns.has(fittedRunKey(base))
    );
  });
  if (inSample.length > 0)
    warnings.push(
      `${inSample.length} of ${checked.usable.length} record(s) were used to fit this profile (same run, option, rate and size, e.g. ${inSample[0]!.file}): their errors are in-sample, not a validation; validate on records the fit did not see`,
    );
  const fittedOptions = new Set(o.profile.runs.map((u) => u.option));
  const unfitted = [...new Set(checked.usable.map((lr) => lr.record.option))].filter(
    (x) => !fittedOptions.has(x),
  );
  if (unfitted.length > 0)
    warnings.push(
      `the profile was fitted without records of ${unfitted.join(', ')}: ${unfitted.length > 1 ? 'their' : 'its'} own stage costs are the built-in defaults, not fitted, and the prediction interval does not include their uncertainty`,
    );

  const sigma: Partial<Record<PercentileKey, number>> = { ...DEFAULT_SIGMA, ...o.profile.loss.sigma };
  const rows: ValidationRow[] = [];
  const unresolvedPi: string[] = [];
  const total = checked.usable.length;
  let done = 0;
  for (const lr of checked.usable) {
    const r = lr.record;
    const point = {
      option: r.option,
      rate_rps: recordRate(r),
      response_bytes: r.response_bytes,
      request_bytes: r.request_bytes,
    };
    // The simulator names its request's fields (rate_rps, option): restated as the record's.
    const predictor: Predictor = async (...args) => {
      try {
        return await o.predictor(...args);
      } catch (err) {
        throw recordPointError(err, lr);
      }
    };
    const { prediction: pred, intervals } = await predictWithIntervals(
      predictor,
      o.profile,
      point,
      { seed: o.seed, requests: o.requests },
      { paramUncertainty: o.paramUncertainty !== false, measurementSigma: sigma },
    );
    for (const m of measuredPercentiles(r)) {
      const p = pred.saturated ? undefined : pred.latency_ms?.[m.key];
      const pi = p !== undefined ? (intervals[m.key]?.pi95_ms ?? null) : null;
      const why = p !== undefined ? intervals[m.key]?.unresolved : undefined;
      if (why) unresolvedPi.push(`${pointLabel(r)} ${m.key}: ${why}`);
      rows.push({
        run: lr.file,
        option: r.option,
        rate_rps: point.rate_rps,
        response_bytes: r.response_bytes,
        percentile: m.key,
        measured_ms: m.measured_ms,
        interval_ms: [m.interval.lo, m.interval.hi],
        predicted_ms: p ?? null,
        pi95_ms: pi,
        error_ms: p === undefined ? null : p - m.measured_ms,
        abs_error_ms: p === undefined ? null : Math.abs(p - m.measured_ms),
        rel_error: p === undefined || m.measured_ms === 0 ? null : (p - m.measured_ms) / m.measured_ms,
        rel_to_bucket:
          p === undefined
            ? null
            : p < m.interval.lo
              ? p / m.interval.lo - 1
              : p > m.interval.hi
                ? p / m.interval.hi - 1
                : 0,
        inside_pi: pi === null ? null : pi[0] <= m.interval.hi && pi[1] >= m.interval.lo,
        saturated: pred.saturated,
        resolved: m.key !== 'max' && o.requests * (1 - PERCENTILE_QUANTILES[m.key]) >= 10 * (1 - 1e-9),
      });
    }
    o.onProgress?.(++done, total);
  }

  const mapeBy: Partial<Record<PercentileKey, number>> = {};
  const groups = new Map<PercentileKey, number[]>();
  for (const row of rows)
    if (row.rel_error !== null)
      groups.set(row.percentile, [...(groups.get(row.percentile) ?? []), Math.abs(row.rel_error)]);
  for (const [k, v] of groups) mapeBy[k] = mean(v);
  const all = rows.filter((r) => r.resolved && r.rel_error !== null).map((r) => Math.abs(r.rel_error!));
  if (unresolvedPi.length > 0)
    warnings.push(
      `${unresolvedPi.length} row(s) have no prediction interval (not counted as inside or outside), e.g. ${unresolvedPi[0]}`,
    );
  const withPi = rows.filter((r) => r.resolved && r.inside_pi !== null);
  const resolvedKeys = PERCENTILE_KEYS.filter((k) => rows.some((r) => r.resolved && r.percentile === k));
  // Orders of unresolved percentiles are noise: rank only where the simulation resolves them.
  const ranking = rankings(rows.filter((r) => r.resolved));
  return {
    host: o.profile.host,
    profile_hosts: o.profile.record_hosts,
    rows,
    mape_by_percentile: mapeBy,
    mape: all.length ? mean(all) : null,
    coverage_pi95: withPi.length ? withPi.filter((r) => r.inside_pi).length / withPi.length : null,
    resolved_keys: resolvedKeys,
    ranking,
    ranking_agrees: ranking.length ? ranking.every((r) => r.agrees) : null,
    seed: o.seed,
    requests: o.requests,
    warnings,
  };
}

function mean(v: readonly number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

export function rankings(rows: readonly ValidationRow[]): RankingRow[] {
  const groups = new Map<string, ValidationRow[]>();
  for (const r of rows) {
    const k = `${r.rate_rps}|${r.response_bytes}|${r.percentile}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: RankingRow[] = [];
  for (const g of groups.values()) {
    // One value per option: average repeats.
    const byOpt = new Map<string, { m: number; lo: number; hi: number; p: number | null }>();
    for (const r of g) {
      const prev = byOpt.get(r.option);
      if (!prev)
        byOpt.set(r.option, {
          m: r.measured_ms,
          lo: r.interval_ms[0],
          hi: r.interval_ms[1],
          p: r.predicted_ms,
        });
    }
    if (byOpt.size < 2) continue;
    const opts = [...byOpt.keys()].sort();
    let conc = 0;
    let disc = 0;
    for (let i = 0; i < opts.length; i++)
      for (let j = i + 1; j < opts.length; j++) {
        const a = byOpt.get(opts[i]!)!;
        const b = byOpt.get(opts[j]!)!;
        if (a.p === null || b.p === null) continue;
        if (a.hi <= b.lo || b.hi <= a.lo) {
          const measured = Math.sign(a.m - b.m);
          const predicted = Math.sign(a.p - b.p);
          if (measured === predicted) conc++;
          else disc++;
        }
      }
    const first = g[0]!;
    const order = (f: (x: { m: number; p: number | null }) => number) =>
      [...opts].sort((x, y) => f(byOpt.get(x)!) - f(byOpt.get(y)!) || x.localeCompare(y));
    out.push({
      rate_rps: first.rate_rps,
      response_bytes: first.response_bytes,
      percentile: first.percentile,
      measured_order: order((x) => x.m),
      predicted_order: order((x) => x.p ?? Number.POSITIVE_INFINITY),
      concordant_pairs: conc,
      discordant_pairs: disc,
      agrees: disc === 0,
    });
  }
  return out;
}
