import { describe, expect, it } from 'vitest';
import { checkReproduction } from '../../calibration/reproduction.ts';
import type { PercentileKey } from '../../sim/result.ts';
import {
  type AnalyticTruth,
  analyticPercentiles,
  analyticPredictor,
  labelled,
  makeRecord,
  PATHS,
  quantise,
} from './fixtures.ts';

const TRUTH: AnalyticTruth = {
  base_ms: 0.3,
  spread_ms: 0.05,
  extra_ms: { 'net-host': 0, tunnel: 0.4 },
  drop_prob: { 'net-host': 0, tunnel: 2e-5 },
};
const KEYS: PercentileKey[] = ['p95', 'p99', 'p99_5', 'p99_99', 'p99_999', 'max'];
const recs = labelled(
  ['net-host', 'tunnel'].map((option, i) =>
    makeRecord({
      option,
      rate_rps: 150_000,
      step: i,
      latency_ms: quantise(
        analyticPercentiles({ option, rate_rps: 150_000, response_bytes: 350 }, {}, TRUTH).latency_ms,
        KEYS,
      ),
    }),
  ),
);

describe('checkReproduction', () => {
  it('passes the true parameters and fails a profile that misses p99 by 20 % or loses the tunnel tail', async () => {
    const good = await checkReproduction(recs, { params: {}, option_params: {} }, analyticPredictor(TRUTH), {
      seed: 1,
      requests: 2_000_000,
    });
    expect(good.all_within_tolerance).toBe(true);
    expect(good.all_tails_ok).toBe(true);
    expect(good.rows.find((r) => r.option === 'tunnel')!.p99_999_ms!).toBeGreaterThan(200);

    const slow = await checkReproduction(
      recs,
      { params: { [PATHS.base]: { value: 0.6 } }, option_params: { tunnel: { [PATHS.drop]: { value: 0 } } } },
      analyticPredictor(TRUTH),
      { seed: 1, requests: 2_000_000 },
    );
    expect(slow.all_within_tolerance).toBe(false);
    const t = slow.rows.find((r) => r.option === 'tunnel')!;
    expect(t.tail_ok).toBe(false);
    expect(t.retransmit_bounds[0]).toBeCloseTo(1e-5, 12);
  });
});
