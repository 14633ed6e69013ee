/** Small builders for run records and analytic predictors used by the calibration tests. */
import { RUN_RECORD_SCHEMA_VERSION, type RunRecord } from '../../harness/run-record.ts';
import type { LabelledRecord } from '../../calibration/records.ts';
import type { Prediction, PredictPoint } from '../../calibration/predictor.ts';
import { PERCENTILE_QUANTILES, type PercentileKey } from '../../sim/result.ts';

export function makeRecord(o: {
  option: string;
  rate_rps: number;
  latency_ms: Partial<Record<PercentileKey, number>>;
  machine?: string;
  response_bytes?: number;
  step?: number;
  valid?: boolean;
}): RunRecord {
  const host = { name: o.machine ?? 'test-host', machine: o.machine ?? 'test-host' };
  return {
    schema_version: RUN_RECORD_SCHEMA_VERSION,
    run_id: 'test-run',
    step_index: o.step ?? 0,
    repeat: 0,
    source: 'lab',
    started_at: '2026-01-01T00:00:00.000Z',
    ended_at: '2026-01-01T00:01:00.000Z',
    option: o.option,
    option_used: o.option,
    driver: 'veth+bridge',
    hosts: { server: { ...host, role: 'server' }, client: { ...host, role: 'client' } },
    generator: { name: 'tcpkali', version: '1.1.1', argv: [], command_line: '', loop: 'open' },
    requested_rps: o.rate_rps,
    achieved_rps: o.rate_rps,
    connections: 100,
    duration_s: 60,
    request_bytes: 37,
    response_bytes: o.response_bytes ?? 350,
    latency_ms: o.latency_ms,
    latency_kind: 'from_write',
    latency_resolution_ms: 0.1,
    valid: o.valid ?? true,
    ...(o.valid === false ? { invalid_reason: 'test' } : {}),
  };
}

export function labelled(records: RunRecord[]): LabelledRecord[] {
  return records.map((record, i) => ({
    file: `rec-${i}-${record.option}-${record.requested_rps}.json`,
    record,
  }));
}

/**
 * An analytic stand-in for the simulator whose true parameters are known:
 *   latency_q = base_ms + extra_ms(option) + spread_ms * (-ln(1 - q)) / (1 - rate / 500000)
 * and a retransmission on 2 * drop_prob(option) of the requests (two packets per request can drop),
 * each delaying its request by 200 ms. Percentiles above the retransmitted fraction sit at 200 ms.
 */
export interface AnalyticTruth {
  base_ms: number;
  spread_ms: number;
  extra_ms: Record<string, number>;
  drop_prob: Record<string, number>;
}

export const PATHS = {
  base: 'host.base_latency_ms',
  spread: 'host.service_spread_ms',
  extra: 'option.extra_latency_ms',
  drop: 'option.drop_prob',
} as const;

export function analyticPercentiles(
  point: PredictPoint,
  set: Readonly<Record<string, number>>,
  truthDefaults: AnalyticTruth,
): { latency_ms: Record<PercentileKey, number>; retransmit_fraction: number } {
  const base = set[PATHS.base] ?? truthDefaults.base_ms;
  const spread = set[PATHS.spread] ?? truthDefaults.spread_ms;
  const extra = set[PATHS.extra] ?? truthDefaults.extra_ms[point.option] ?? 0;
  const drop = set[PATHS.drop] ?? truthDefaults.drop_prob[point.option] ?? 0;
  const rho = point.rate_rps / 500_000;
  const frac = 2 * drop;
  const out = {} as Record<PercentileKey, number>;
  for (const [k, q] of Object.entries(PERCENTILE_QUANTILES) as [PercentileKey, number][]) {
    const qq = Math.min(q, 1 - 1e-7);
    const body = base + extra + (spread * -Math.log(1 - qq)) / (1 - rho);
    out[k] = 1 - q < frac ? body + 200 : body;
  }
  if (frac > 0) out.max = out.p99_999 + 200;
  return { latency_ms: out, retransmit_fraction: frac };
}

/** Predictor over the analytic model: the unquantised percentiles, as a simulator reports them. */
export function analyticPredictor(defaults: AnalyticTruth, calls?: { n: number }) {
  return async (
    point: PredictPoint,
    set: Readonly<Record<string, number>>,
    run: { seed: number; requests: number },
  ): Promise<Prediction> => {
    if (calls) calls.n++;
    const a = analyticPercentiles(point, set, defaults);
    return {
      latency_ms: a.latency_ms,
      saturated: false,
      retransmits: a.retransmit_fraction * run.requests,
      requests: run.requests,
    };
  };
}

/** What tcpkali would print for the truth: truncation to 0.1 ms units. */
export function quantise(
  latency_ms: Record<PercentileKey, number>,
  keys: readonly PercentileKey[],
): Partial<Record<PercentileKey, number>> {
  const out: Partial<Record<PercentileKey, number>> = {};
  for (const k of keys) out[k] = Math.floor(latency_ms[k] * 10 + 1e-9) / 10;
  return out;
}
