/**
 * The real predictor: runs sim/simulate for one point with the parameter overrides as `--set`
 * expressions. Every call uses the same seed (common random numbers), one replication by default
 * (replications would only average the noise the fit already holds fixed) and the given request count.
 *
 * sim/simulate.ts is loaded when first needed, so calibration code and its tests do not depend on
 * the simulator being importable.
 */
import type { SimResult } from '../sim/result.ts';
import type { Prediction, PredictPoint, PredictRun, Predictor } from './predictor.ts';

/** The part of sim/simulate's request that calibration uses. */
export interface SimulateRequestLike {
  option: string;
  host: string;
  rate_rps: number;
  response_bytes: number;
  set?: string[];
  /** A fitted profile file, applied before `set` (sim/simulate.ts). */
  profile?: string;
  requests?: number;
  seed?: number;
  replications?: number;
  workers?: number;
}

export type SimulateFn = (req: SimulateRequestLike) => Promise<SimResult>;

export async function loadSimulate(): Promise<SimulateFn> {
  const spec = '../sim/simulate.ts';
  let mod: { simulate?: unknown };
  try {
    mod = (await import(spec)) as { simulate?: unknown };
  } catch (err) {
    throw new Error(
      `the simulator (sim/simulate.ts) cannot be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof mod.simulate !== 'function') throw new Error('sim/simulate.ts exports no simulate()');
  return mod.simulate as SimulateFn;
}

/** Formats a number for `--set` without losing precision or producing exponent forms the parser rejects. */
export function formatSetValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(12)));
}

export function simulatePredictor(
  host: string,
  opts: { simulate?: SimulateFn; replications?: number; workers?: number; extraSet?: readonly string[] } = {},
): Predictor {
  let sim: SimulateFn | undefined = opts.simulate;
  return async (
    point: PredictPoint,
    set: Readonly<Record<string, number>>,
    run: PredictRun,
  ): Promise<Prediction> => {
    sim ??= await loadSimulate();
    const res = await sim({
      option: point.option,
      host,
      rate_rps: point.rate_rps,
      response_bytes: point.response_bytes,
      set: [...(opts.extraSet ?? []), ...Object.entries(set).map(([k, v]) => `${k}=${formatSetValue(v)}`)],
      requests: run.requests,
      seed: run.seed,
      replications: opts.replications ?? 1,
      // In this thread by default: one replication gains nothing from a worker and pays its start-up.
      workers: opts.workers ?? 0,
    });
    return {
      latency_ms: res.latency_ms,
      latency_ci95_ms: res.latency_ci95_ms,
      saturated: res.saturated,
      retransmits: res.retransmits,
      requests: res.requests,
    };
  };
}
