/**
 * The 95 % prediction interval of each latency percentile for one point under a fitted profile,
 * combining, in log space around the prediction:
 *   simulation noise  - the simulator's 95 % CI of the percentile (latency_ci95_ms), when reported,
 *                       each side for its own end (the interval always holds the CI);
 *   parameters        - each fitted parameter moved by +-1 sd (one at a time, the others at their
 *                       values), half the change of the log percentile, added in quadrature
 *                       (first-order propagation assuming independent parameters; not given
 *                       where a parameter moves the percentile more than 2-fold: MAX_LOG_MOVE);
 *   measurement       - optionally, the repeat-to-repeat spread sigma of that percentile (an interval
 *                       for a new measurement rather than for the mean).
 * Cost: 1 + 2 x (fitted parameters with an sd) predictor calls. Used by `validate`, and meant for
 * `simulate --profile` (sim/simulate can call it with its own predictor).
 */
import type { PercentileKey } from '../sim/result.ts';
import { type FittedProfile, profileOverrides } from './fitted-profile.ts';
import type { Prediction, PredictPoint, PredictRun, Predictor } from './predictor.ts';

const Z95 = 1.959964;

/**
 * First-order propagation treats a percentile as log-linear in each parameter over +-1 sd. Where
 * one parameter's +-1 sd moves it more than 2-fold (a loss or retransmission that appears on one
 * side: p99.99 from 2 ms to 200 ms), that does not hold, and extrapolating to +-1.96 sd gave
 * intervals from 0.004 ms to hours: the interval is then not given (null, with the reason).
 */
const MAX_LOG_MOVE = Math.LN2;

export interface PercentileInterval {
  predicted_ms: number;
  /** Null when first-order propagation does not hold (`unresolved` says why). */
  pi95_ms: [number, number] | null;
  unresolved?: string;
  /**
   * The three components, as standard deviations in log units (s_sim: the mean of the CI's two
   * sides, each side's width kept for its own end of the interval).
   */
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
  const pairs: { path: string; plus: Prediction; minus: Prediction }[] = [];
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
      pairs.push({ path, plus, minus });
    }
  }
  const intervals: Partial<Record<PercentileKey, PercentileInterval>> = {};
  if (!pred.saturated && pred.latency_ms) {
    for (const [k, p] of Object.entries(pred.latency_ms) as [PercentileKey, number][]) {
      if (!(p > 0)) continue;
      const ci = pred.latency_ci95_ms?.[k];
      // The simulation's CI is often lopsided around a tail percentile (p99.9 0.304 in [0.259,
      // 0.967]): each side keeps its own width, so the interval always holds the CI (a symmetric
      // log width had put the interval's upper end below the CI's).
      const sUp = ci ? Math.log(Math.max(ci[1], p) / p) / Z95 : 0;
      const sDown = ci ? Math.log(p / Math.max(Math.min(ci[0], p), 1e-12)) / Z95 : 0;
      const sSim = (sUp + sDown) / 2;
      let v = 0;
      let nonlinear: string | undefined;
      for (const { path, plus, minus } of pairs) {
        const a = plus.saturated ? undefined : plus.latency_ms?.[k];
        const b = minus.saturated ? undefined : minus.latency_ms?.[k];
        if (a === undefined || b === undefined) {
          nonlinear ??= `${path} +-1 sd saturates the point`;
          continue;
        }
        if (!(a > 0 && b > 0)) continue;
        v += (Math.log(a / b) / 2) ** 2;
        const moved = Math.max(Math.abs(Math.log(a / p)), Math.abs(Math.log(b / p)));
        if (moved > MAX_LOG_MOVE)
          nonlinear ??= `${path} +-1 sd moves ${k} from ${p.toPrecision(3)} to ${a.toPrecision(3)} / ${b.toPrecision(3)} ms`;
      }
      const sMeas = opts.measurementSigma?.[k] ?? 0;
      const up = Math.sqrt(sUp ** 2 + v + sMeas ** 2);
      const down = Math.sqrt(sDown ** 2 + v + sMeas ** 2);
      intervals[k] = {
        predicted_ms: p,
        pi95_ms: nonlinear ? null : [p * Math.exp(-Z95 * down), p * Math.exp(Z95 * up)],
        ...(nonlinear
          ? {
              unresolved: `first-order propagation does not hold (${nonlinear}${nonlinear.endsWith('saturates the point') ? '' : ': more than 2-fold'})`,
            }
          : {}),
        s_sim: sSim,
        s_params: Math.sqrt(v),
        s_measurement: sMeas,
      };
    }
  }
  return { prediction: pred, intervals };
}
