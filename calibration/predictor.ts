/**
 * What calibration needs from a model: given one measured point (option, rate, response size) and a
 * set of parameter overrides, predict the latency percentiles. The real implementation runs
 * sim/simulate (calibration/simulate-predictor.ts); tests inject analytic models whose true
 * parameters are known.
 *
 * Contract: deterministic for a given (point, set, seed, requests) — calibration relies on common
 * random numbers, so two calls with the same arguments must return the same numbers.
 */
import type { PercentileKey } from '../sim/result.ts';

export interface PredictPoint {
  option: string;
  rate_rps: number;
  response_bytes: number;
  request_bytes?: number;
}

export interface Prediction {
  /** Continuous (unquantised) latency percentiles; null when the point is saturated. */
  latency_ms: Partial<Record<PercentileKey, number>> | null;
  latency_ci95_ms?: Partial<Record<PercentileKey, [number, number]>> | null;
  saturated: boolean;
  /** Retransmitted segments in the simulated run. */
  retransmits: number;
  /** Requests measured. */
  requests: number;
}

export interface PredictRun {
  seed: number;
  requests: number;
}

export type Predictor = (
  point: PredictPoint,
  set: Readonly<Record<string, number>>,
  run: PredictRun,
) => Promise<Prediction>;

export function pointKey(p: PredictPoint): string {
  return `${p.option}|${p.rate_rps}|${p.response_bytes}|${p.request_bytes ?? ''}`;
}
