/**
 * The terms one record contributes to the loss, given a prediction for its point.
 *
 * - Percentiles below the retransmission threshold are censored values (censored-loss.ts), used only
 *   when the simulated run holds enough requests beyond them: a percentile q needs
 *   requests * (1 - q) >= minTailSamples, otherwise its simulated value is mostly noise.
 * - `max` depends on how many requests the measurement held, which the simulator does not match; it
 *   is never fitted as a value.
 * - Percentiles at or above the retransmission threshold (200 ms minimum RTO, less a margin) are not
 *   fitted as latencies (their value is the kernel's RTO, not a model parameter). They bound the
 *   fraction of requests that waited for a retransmission instead: p99.999 >= 200 ms and
 *   p99.99 < 200 ms mean that fraction lies in [1e-5, 1e-4). That fraction is compared with the
 *   simulated retransmissions per request, in log units, with its own sigma.
 */
import type { RunRecord } from '../harness/run-record.ts';
import { PERCENTILE_QUANTILES, type PercentileKey } from '../sim/result.ts';
import { type CensorInterval, DEFAULT_SIGMA, type LossTerm, logDistance } from './censored-loss.ts';
import type { Prediction } from './predictor.ts';
import { measuredPercentiles } from './records.ts';

export interface TermOptions {
  sigma: Readonly<Record<PercentileKey, number>>;
  /** Requests per simulated evaluation. */
  requests: number;
  minTailSamples: number;
  /** Latencies at or above this are retransmission tails (default 180 ms: 200 ms RTO less 10 %). */
  rtoThresholdMs: number;
  /** Sigma of the retransmission-fraction term, log units. */
  tailFractionSigma: number;
  /** Keep only these percentile keys (the base stage uses the low ones). */
  keys?: ReadonlySet<PercentileKey>;
}

export const DEFAULT_TERM_OPTIONS: Omit<TermOptions, 'requests'> = {
  sigma: DEFAULT_SIGMA,
  minTailSamples: 10,
  rtoThresholdMs: 180,
  tailFractionSigma: 0.5,
};

export interface TailTarget {
  interval: CensorInterval;
  /** Which percentiles bound it, for reports. */
  from: string;
}

/** Bounds on the fraction of requests delayed by a retransmission, from the record's percentiles. */
export function tailTarget(r: RunRecord, rtoThresholdMs: number): TailTarget {
  const m = measuredPercentiles(r);
  const n = Math.max(1, r.achieved_rps * r.duration_s);
  const idx = m.findIndex((p) => p.measured_ms >= rtoThresholdMs);
  const qOf = (k: PercentileKey) => PERCENTILE_QUANTILES[k];
  if (idx < 0) {
    const top = [...m].reverse().find((p) => p.key !== 'max');
    const hi = top ? 1 - qOf(top.key) : 1;
    return { interval: { lo: 0, hi }, from: top ? `${top.key} < ${rtoThresholdMs} ms` : 'no percentiles' };
  }
  const k = m[idx]!;
  const below = idx > 0 ? m[idx - 1] : undefined;
  const lo = k.key === 'max' ? 1 / n : 1 - qOf(k.key);
  const hi = below ? 1 - qOf(below.key) : 1;
  return {
    interval: { lo, hi: Math.max(hi, lo) },
    from: `${k.key} >= ${rtoThresholdMs} ms${below ? `, ${below.key} < ${rtoThresholdMs} ms` : ''}`,
  };
}

export interface RecordTerms {
  terms: LossTerm[];
  /** Per measured percentile: used or why not. */
  usage: { key: PercentileKey; used: boolean; why?: string }[];
}

export function recordTerms(r: RunRecord, pred: Prediction, o: TermOptions, withTail: boolean): RecordTerms {
  const terms: LossTerm[] = [];
  const usage: RecordTerms['usage'] = [];
  for (const m of measuredPercentiles(r)) {
    if (o.keys && !o.keys.has(m.key)) {
      usage.push({ key: m.key, used: false, why: 'not in this stage' });
      continue;
    }
    if (m.key === 'max') {
      usage.push({
        key: m.key,
        used: false,
        why: 'max depends on the measurement length; bounds the retransmission fraction only',
      });
      continue;
    }
    if (m.measured_ms >= o.rtoThresholdMs) {
      usage.push({ key: m.key, used: false, why: 'retransmission tail: bounds the retransmission fraction' });
      continue;
    }
    const q = PERCENTILE_QUANTILES[m.key];
    if (o.requests * (1 - q) < o.minTailSamples * (1 - 1e-9)) {
      usage.push({
        key: m.key,
        used: false,
        why: `needs ${Math.ceil((o.minTailSamples / (1 - q)) * (1 - 1e-9))} simulated requests, ${o.requests} per evaluation`,
      });
      continue;
    }
    const p = pred.latency_ms?.[m.key];
    terms.push({ pred: p ?? 0, interval: m.interval, sigma: o.sigma[m.key] });
    usage.push({ key: m.key, used: true });
  }
  if (withTail) {
    const t = tailTarget(r, o.rtoThresholdMs);
    terms.push({
      pred: retransmitFraction(pred, t.interval),
      interval: t.interval,
      sigma: o.tailFractionSigma,
    });
  }
  return { terms, usage };
}

/**
 * Simulated retransmissions per request. A run with none, against a target whose lower bound is
 * positive, counts as half a retransmission (the usual continuity correction) so the loss stays
 * finite and still says "too few".
 */
export function retransmitFraction(pred: Prediction, target: CensorInterval): number {
  const n = Math.max(1, pred.requests);
  if (pred.retransmits > 0) return pred.retransmits / n;
  return target.lo > 0 ? 0.5 / n : 0;
}

/** Highest quantile among the percentiles a record contributes as values (0 when none). */
export function highestUsedQuantile(r: RunRecord, o: TermOptions): number {
  const dummy: Prediction = { latency_ms: {}, saturated: false, retransmits: 0, requests: o.requests };
  let q = 0;
  for (const u of recordTerms(r, dummy, o, false).usage)
    if (u.used) q = Math.max(q, PERCENTILE_QUANTILES[u.key]);
  return q;
}

/** Number of terms a record would contribute (for the points-versus-parameters check). */
export function countTerms(r: RunRecord, o: TermOptions, withTail: boolean): number {
  const dummy: Prediction = { latency_ms: {}, saturated: false, retransmits: 0, requests: o.requests };
  return recordTerms(r, dummy, o, withTail).terms.length;
}

export { logDistance };
