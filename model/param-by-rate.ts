/**
 * A parameter whose value depends on the offered request rate: known at two rates, and between
 * and beyond them linear in the logarithm of the rate, never below 0.
 *
 * Why: in the namespace lab the CPU cost of a request falls as the load rises (nginx on net-host,
 * net of its wake-ups, 24.6 -> 17.3 -> 15.3 us at 4000, 32000 and 64000 requests/s in lab-wakeups-3,
 * docs/calibration.md), by mechanisms the
 * model does not have (pipelined requests read together, fewer ACKs per response). A calibration
 * that measured the cost at two rates hands the model the cost at the rate it simulates instead of
 * one constant; linear in log(rate) is what those three points follow (the line through the first two
 * gives 14.9 us at 64000/s).
 * A fitted profile stores such a parameter as `by_rate` (calibration/fitted-profile.ts) and
 * `simulate --profile` applies it at the simulated rate.
 *
 * Cost: O(1) per value; O(keys) per set.
 */

export interface ByRate {
  /** The two rates (requests/s) the values were measured at, ascending. */
  rates_rps: [number, number];
  values: [number, number];
}

/**
 * The value at `rate_rps`: linear in log(rate) through the two points, clamped at 0, to 12
 * significant digits (what a `--set` value keeps: calibration/simulate-predictor.ts formatSetValue),
 * so that a value passed as text and one passed as a number simulate the same.
 */
export function valueAtRate(p: ByRate, rate_rps: number): number {
  const [r0, r1] = p.rates_rps;
  const [v0, v1] = p.values;
  if (v0 === v1) return v0;
  if (!(r0 > 0 && r1 > r0 && rate_rps > 0))
    throw new RangeError(`valueAtRate: rates must be > 0 and ascending (got ${r0}, ${r1} at ${rate_rps})`);
  const t = Math.log(rate_rps / r0) / Math.log(r1 / r0);
  return Math.max(0, Number((v0 + t * (v1 - v0)).toPrecision(12)));
}

/**
 * Key by key, the value at `rate_rps` of two sets of `--set` values measured at two rates: keys with
 * the same value in both keep it, keys that differ are interpolated (valueAtRate). Both sets must
 * have the same keys.
 */
export function setAtRate(
  r0: number,
  set0: Readonly<Record<string, number>>,
  r1: number,
  set1: Readonly<Record<string, number>>,
  rate_rps: number,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v0] of Object.entries(set0)) {
    const v1 = set1[k];
    if (v1 === undefined) throw new RangeError(`setAtRate: ${k} is set at ${r0} but not at ${r1} requests/s`);
    out[k] = v0 === v1 ? v0 : valueAtRate({ rates_rps: [r0, r1], values: [v0, v1] }, rate_rps);
  }
  for (const k of Object.keys(set1))
    if (!(k in set0)) throw new RangeError(`setAtRate: ${k} is set at ${r1} but not at ${r0} requests/s`);
  return out;
}
