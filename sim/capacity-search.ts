/**
 * The highest offered rate that meets a latency SLO (`p99 <= 2 ms`), with a 95 % confidence
 * interval, by bisection over an evaluator (`simulate()` at that rate, in `cnisim capacity` and in
 * the capacity study). It knows nothing of networks: tests drive it with analytic evaluators.
 *
 * Method: latency rises with rate, so "meets the SLO" is monotone in rate. Three bisections share
 * one cache of evaluations:
 *   - on the estimate of the percentile            -> the capacity estimate;
 *   - on the upper end of its 95 % CI (pessimistic) -> the low end of the capacity's CI;
 *   - on the lower end of its 95 % CI (optimistic)  -> the high end of the capacity's CI (the
 *     first rate that fails it, so the interval includes the search resolution).
 * A saturated point fails every SLO. Rates are snapped to `step_rps` so the SLOs of one option
 * reuse each other's evaluations. Cost: at most `2 + maxIterations` evaluations per bisection,
 * usually fewer thanks to the cache.
 *
 * An SLO of several terms (`p99 <= 2 ms and p99.9 <= 10 ms`, searchCapacityAll) is met when every
 * term is: each term is monotone in rate, so their conjunction is too, and the three bisections run
 * on it unchanged (the pessimistic one needs every term's CI high end under its limit, the
 * optimistic one every low end). Each term's interval is a 95 % one; the joint interval is not
 * widened for several terms (no multiplicity adjustment).
 */
import type { PercentileKey, SimResult } from './result.ts';

export interface Evaluation {
  saturated: boolean;
  /** The SLO's percentile in ms, or null when saturated. */
  value_ms: number | null;
  ci_lo_ms: number | null;
  ci_hi_ms: number | null;
}

export interface Slo {
  /** Percentile key as in SimResult (`p99`, `p99_9`). */
  percentile: string;
  limit_ms: number;
}

export interface CapacityEstimate {
  max_rate_rps: number;
  ci95_rps: [number, number];
  /** Width of the final bracket: the capacity lies in [max_rate_rps, max_rate_rps + resolution_rps). */
  resolution_rps: number;
  /** True when even the highest rate searched met the SLO: the capacity is at least that. */
  at_upper_bound: boolean;
  /** True when even the lowest rate failed. */
  below_lower_bound: boolean;
  evaluations: number;
  /**
   * The SLO terms (their `percentile`) that fail at the first failing rate of the estimate's bracket
   * (at the lowest rate when below_lower_bound): the ones that limit the capacity. Null when the
   * SLO was met up to the highest rate searched. A saturated point fails every term.
   */
  limited_by: string[] | null;
}

export interface SearchOptions {
  lo_rps: number;
  hi_rps: number;
  step_rps: number;
  /** Stop when the bracket is narrower than this fraction of its upper end. */
  rel_tol: number;
  maxIterations: number;
}

export type RateEvaluator = (rate_rps: number) => Promise<Evaluation>;

/** Memoises an evaluator per (snapped) rate, so several SLOs and bounds share simulations. */
export function cachedEvaluator<T = Evaluation>(
  evaluate: (rate_rps: number) => Promise<T>,
): ((rate_rps: number) => Promise<T>) & { calls: () => number } {
  const cache = new Map<number, Promise<T>>();
  const f = (rate: number) => {
    let p = cache.get(rate);
    if (!p) {
      p = evaluate(rate);
      cache.set(rate, p);
    }
    return p;
  };
  return Object.assign(f, { calls: () => cache.size });
}

type Picker = (e: Evaluation) => number | null;

async function bisect<T>(
  evaluate: (rate_rps: number) => Promise<T>,
  meets: (e: T) => boolean,
  o: SearchOptions,
): Promise<{ rate: number; failing: number; atUpper: boolean; belowLower: boolean }> {
  const snap = (r: number) => Math.max(o.step_rps, Math.round(r / o.step_rps) * o.step_rps);
  let lo = snap(o.lo_rps);
  let hi = snap(o.hi_rps);
  if (!meets(await evaluate(lo))) return { rate: lo, failing: lo, atUpper: false, belowLower: true };
  if (meets(await evaluate(hi))) return { rate: hi, failing: hi, atUpper: true, belowLower: false };
  for (let i = 0; i < o.maxIterations && hi - lo > Math.max(o.step_rps, o.rel_tol * hi); i++) {
    const mid = snap((lo + hi) / 2);
    if (mid <= lo || mid >= hi) break;
    if (meets(await evaluate(mid))) lo = mid;
    else hi = mid;
  }
  return { rate: lo, failing: hi, atUpper: false, belowLower: false };
}

export async function searchCapacity(
  evaluate: RateEvaluator,
  slo: Slo,
  o: SearchOptions,
): Promise<CapacityEstimate> {
  return searchCapacityAll(async (rate) => [await evaluate(rate)], [slo], o);
}

/**
 * The highest rate that meets every term of an SLO; `evaluate` returns one Evaluation per term, in
 * the order of `slos`.
 */
export async function searchCapacityAll(
  evaluate: (rate_rps: number) => Promise<readonly Evaluation[]>,
  slos: readonly Slo[],
  o: SearchOptions,
): Promise<CapacityEstimate> {
  if (slos.length === 0) throw new Error('searchCapacityAll: an SLO needs at least one term');
  const cached = cachedEvaluator(evaluate);
  const meetsTerm = (pick: Picker, e: Evaluation, slo: Slo) => {
    if (e.saturated) return false;
    const v = pick(e);
    return v !== null && v <= slo.limit_ms;
  };
  const meetsBy = (pick: Picker) => (es: readonly Evaluation[]) =>
    slos.every((slo, i) => meetsTerm(pick, es[i]!, slo));
  const est = await bisect(
    cached,
    meetsBy((e) => e.value_ms),
    o,
  );
  const pessimistic = await bisect(
    cached,
    meetsBy((e) => e.ci_hi_ms ?? e.value_ms),
    o,
  );
  const optimistic = await bisect(
    cached,
    meetsBy((e) => e.ci_lo_ms ?? e.value_ms),
    o,
  );
  const failing = est.atUpper ? null : await cached(est.failing);
  return {
    max_rate_rps: est.rate,
    // The low end is a rate known to meet the pessimistic criterion; the high end is the first rate
    // known to fail the optimistic one, so the interval also covers the search's resolution.
    ci95_rps: [Math.min(pessimistic.rate, est.rate), Math.max(optimistic.failing, est.rate)],
    resolution_rps: est.failing - est.rate,
    at_upper_bound: est.atUpper,
    below_lower_bound: est.belowLower,
    evaluations: cached.calls(),
    limited_by:
      failing === null
        ? null
        : slos
            .filter((slo, i) => !meetsTerm((e) => e.value_ms, failing[i]!, slo))
            .map((slo) => slo.percentile),
  };
}

/** Hosts needed to carry `target_rps` when each carries at most `capacity_rps`, with the CI. */
export function hostsNeeded(
  target_rps: number,
  c: Pick<CapacityEstimate, 'max_rate_rps' | 'ci95_rps'> & { at_upper_bound?: boolean },
): { hosts: number | null; ci95: [number | null, number | null] } {
  const n = (cap: number) => (cap > 0 ? Math.ceil(target_rps / cap) : null);
  // The interval's high end is a rate the search saw fail (capacity is below it), unless the search
  // stopped at its upper bound: each host then carries less than it, so the fewest hosts is the
  // next whole number above target / high end (at an exact quotient, one more than ceil gives).
  const hi = c.ci95_rps[1];
  const fewest = c.at_upper_bound ? n(hi) : hi > 0 ? Math.floor(target_rps / hi) + 1 : null;
  return { hosts: n(c.max_rate_rps), ci95: [fewest, n(c.ci95_rps[0])] };
}

/** The evaluation of one SLO percentile from a simulated point (saturated points fail every SLO). */
export function evaluationOf(
  r: Pick<SimResult, 'saturated' | 'latency_ms' | 'latency_ci95_ms'>,
  percentile: PercentileKey,
): Evaluation {
  if (r.saturated || !r.latency_ms)
    return { saturated: true, value_ms: null, ci_lo_ms: null, ci_hi_ms: null };
  const ci = r.latency_ci95_ms?.[percentile];
  return {
    saturated: false,
    value_ms: r.latency_ms[percentile],
    ci_lo_ms: ci?.[0] ?? null,
    ci_hi_ms: ci?.[1] ?? null,
  };
}
