/**
 * The study-table acceptance check: after calibrating on records, simulate the same points with the
 * fitted profile and report, per record, whether p95, p99 and p99.5 are within a relative tolerance
 * (10 % by default) of the measurement and whether the retransmission tails appear where the measurement has them:
 * the simulated fraction of requests that waited for a retransmission must lie inside the bounds the
 * measured percentiles put on it (terms.ts, tailTarget), and where the simulation is long enough to
 * resolve p99.999 (>= 10 requests beyond it), the simulated p99.999 must be at or above the RTO
 * threshold exactly when the measured one is.
 *
 * "Within 10 %" is measured against the measurement's bucket, not its printed lower edge: a printed
 * 0.6 ms stands for [0.6, 0.7) ms, so a true 0.68 ms printed as 0.6 is 13 % off the printed value
 * with no error at all. A prediction passes when it lies within [lo / 1.1, hi * 1.1]. The relative
 * error to the printed value is reported too.
 */
import type { PercentileKey } from '../sim/result.ts';
import { type FittedProfile, profileOverrides } from './fitted-profile.ts';
import type { Predictor } from './predictor.ts';
import { type LabelledRecord, measuredPercentiles, recordRate } from './records.ts';
import { tailTarget } from './terms.ts';

export interface ReproductionRow {
  run: string;
  option: string;
  rate_rps: number;
  response_bytes: number;
  /** Relative error of each checked percentile to the printed value (null if not measured or not predicted). */
  rel_error: Partial<Record<PercentileKey, number | null>>;
  /** Relative distance to the measurement's bucket (0 inside; +0.05 = 5 % above its upper edge). */
  rel_to_bucket: Partial<Record<PercentileKey, number | null>>;
  within_tolerance: boolean;
  retransmit_fraction: number;
  retransmit_bounds: [number, number];
  tail_from: string;
  tail_ok: boolean;
  p99_999_ms: number | null;
  max_ms: number | null;
}

export interface ReproductionReport {
  rows: ReproductionRow[];
  tolerance: number;
  keys: PercentileKey[];
  all_within_tolerance: boolean;
  all_tails_ok: boolean;
}

export async function checkReproduction(
  records: readonly LabelledRecord[],
  profile: Pick<FittedProfile, 'params' | 'option_params'>,
  predictor: Predictor,
  o: { seed: number; requests: number; tolerance?: number; keys?: PercentileKey[]; rtoThresholdMs?: number },
): Promise<ReproductionReport> {
  const tol = o.tolerance ?? 0.1;
  const keys = o.keys ?? ['p95', 'p99', 'p99_5'];
  const thr = o.rtoThresholdMs ?? 180;
  const rows: ReproductionRow[] = [];
  for (const lr of records) {
    const r = lr.record;
    const pred = await predictor(
      {
        option: r.option,
        rate_rps: recordRate(r),
        response_bytes: r.response_bytes,
        request_bytes: r.request_bytes,
      },
      profileOverrides(profile, r.option, recordRate(r)),
      { seed: o.seed, requests: o.requests },
    );
    const rel: Partial<Record<PercentileKey, number | null>> = {};
    const relBucket: Partial<Record<PercentileKey, number | null>> = {};
    const buckets = new Map(measuredPercentiles(r).map((m) => [m.key, m.interval]));
    let ok = true;
    for (const k of keys) {
      const m = r.latency_ms[k];
      const iv = buckets.get(k);
      const p = pred.saturated ? undefined : pred.latency_ms?.[k];
      if (m === undefined || iv === undefined) continue;
      if (p === undefined || m === 0) {
        rel[k] = null;
        relBucket[k] = null;
        ok = false;
        continue;
      }
      rel[k] = (p - m) / m;
      relBucket[k] = p < iv.lo ? p / iv.lo - 1 : p > iv.hi ? p / iv.hi - 1 : 0;
      if (p < iv.lo / (1 + tol) || p > iv.hi * (1 + tol)) ok = false;
    }
    const t = tailTarget(r, thr);
    const frac = pred.retransmits / Math.max(1, pred.requests);
    // With no simulated retransmission, the fraction is known only to be below ~1/requests.
    const fracOk =
      frac > 0
        ? frac >= t.interval.lo && frac <= t.interval.hi
        : t.interval.lo <= 1 / Math.max(1, pred.requests);
    const p5 = pred.latency_ms?.p99_999 ?? null;
    const resolvable = pred.requests * 1e-5 >= 10;
    const measuredTail = (r.latency_ms.p99_999 ?? 0) >= thr;
    const p5ok =
      !resolvable || p5 === null || r.latency_ms.p99_999 === undefined || p5 >= thr === measuredTail;
    rows.push({
      run: lr.file,
      option: r.option,
      rate_rps: recordRate(r),
      response_bytes: r.response_bytes,
      rel_error: rel,
      rel_to_bucket: relBucket,
      within_tolerance: ok,
      retransmit_fraction: frac,
      retransmit_bounds: [t.interval.lo, t.interval.hi],
      tail_from: t.from,
      tail_ok: fracOk && p5ok,
      p99_999_ms: p5,
      max_ms: pred.latency_ms?.max ?? null,
    });
  }
  return {
    rows,
    tolerance: tol,
    keys,
    all_within_tolerance: rows.every((r) => r.within_tolerance),
    all_tails_ok: rows.every((r) => r.tail_ok),
  };
}
