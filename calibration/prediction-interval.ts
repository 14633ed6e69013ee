/**
 * The 95 % prediction interval of each latency percentile for one point under a fitted profile,
 * combining, in log space around the prediction:
 *   simulation noise  - the simulator's 95 % CI of the percentile (latency_ci95_ms), when reported;
 *   parameters        - each fitted parameter moved by +-1 sd (one at a time, the others at their
 *                       values), half the change of the log percentile, added in quadrature
 *                       (first-order propagation assuming independent parameters);
 *   measurement       - optionally, the repeat-to-repeat spread sigma of that percentile (an interval
 *                       for a new measurement rather than for the mean).
 * Cost: 1 + 2 x (fitted parameters with an sd) predictor calls. Used by `validate`, and meant for
 * `simulate --profile` (sim/simulate can call it with its own predictor).
 */
import type { PercentileKey } from '../sim/result.ts';
import { type FittedProfile, profileOverrides } from './fitted-profile.ts';
import type { Prediction, PredictPoint, PredictRun, Predictor } from './predictor.ts';

const Z95 = 1.959964;

export interface PercentileInterval {
  predicted_ms: number;
  pi95_ms: [number, number];
  /** The three components, as standard deviations in log units. */
  s_sim: number;
  s_params: number;
  s_measurement: number;
}

export interface PointPrediction {
  prediction: Prediction;
  intervals: Partial<Record<PercentileKey, PercentileInterval>>;
}

export async function predictWithIntervals(
  predictor: Predictor,
  profile: Pick<FittedProfile, 'params' | 'option_params'>,
  point: PredictPoint,
  run: PredictRun,
  opts: { paramUncertainty?: boolean; measurementSigma?: Partial<Record<PercentileKey, number>> } = {},
): Promise<PointPrediction> {
  const base = profileOverrides(profile, point.option, point.rate_rps);
  const pred = await predictor(point, base, run);
  const pairs: [Prediction, Prediction][] = [];
  if (opts.paramUncertainty !== false && !pred.saturated) {
    const fitted = [
      ...Object.entries(profile.params),
      ...Object.entries(profile.option_params[point.option] ?? {}),
    ].filter(([, v]) => v.source !== 'fixed' && v.sd !== undefined && v.sd > 0);
    for (const [path, v] of fitted) {
      const clampTo = (x: number) => {
        const c = Math.min(
          v.upper ?? Number.POSITIVE_INFINITY,
          Math.max(v.lower ?? Number.NEGATIVE_INFINITY, x),
        );
        return v.integer ? Math.round(c) : c;
      };
      const plus = await predictor(point, { ...base, [path]: clampTo(v.value + v.sd!) }, run);
      const minus = await predictor(point, { ...base, [path]: clampTo(v.value - v.sd!) }, run);
      pairs.push([plus, minus]);
    }
  }
  const intervals: Partial<Record<PercentileKey, PercentileInterval>> = {};
  if (!pred.saturated && pred.latency_ms) {
    for (const [k, p] of Object.entries(pred.latency_ms) as [PercentileKey, number][]) {
      if (!(p > 0)) continue;
      const ci = pred.latency_ci95_ms?.[k];
      const sSim = ci ? Math.log(Math.max(ci[1], p) / Math.max(Math.min(ci[0], p), 1e-12)) / (2 * Z95) : 0;
      let v = 0;
      for (const [plus, minus] of pairs) {
        const a = plus.latency_ms?.[k];
        const b = minus.latency_ms?.[k];
        if (a !== undefined && b !== undefined && a > 0 && b > 0) v += (Math.log(a / b) / 2) ** 2;
      }
      const sMeas = opts.measurementSigma?.[k] ?? 0;
      const s = Math.sqrt(sSim ** 2 + v + sMeas ** 2);
      intervals[k] = {
        predicted_ms: p,
        pi95_ms: [p * Math.exp(-Z95 * s), p * Math.exp(Z95 * s)],
        s_sim: sSim,
        s_params: Math.sqrt(v),
        s_measurement: sMeas,
      };
    }
  }
  return { prediction: pred, intervals };
}
