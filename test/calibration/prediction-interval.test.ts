import { describe, expect, it } from 'vitest';
import { predictWithIntervals } from '../../calibration/prediction-interval.ts';
import { analyticPredictor, PATHS } from './fixtures.ts';

const truth = { base_ms: 0.3, spread_ms: 0.05, extra_ms: {}, drop_prob: {} };
const point = { option: 'net-host', rate_rps: 100_000, response_bytes: 350 };
const run = { seed: 1, requests: 1000 };

describe('predictWithIntervals', () => {
  it('with no parameter uncertainty and no simulation CI, the interval is the measurement spread alone', async () => {
    const r = await predictWithIntervals(
      analyticPredictor(truth),
      { params: { [PATHS.base]: { value: 0.3, source: 'fitted' } }, option_params: {} },
      point,
      run,
      { measurementSigma: { p99: 0.05 } },
    );
    const i = r.intervals.p99!;
    expect(i.s_params).toBe(0);
    expect(i.pi95_ms![1] / i.predicted_ms).toBeCloseTo(Math.exp(1.959964 * 0.05), 9);
    expect(i.predicted_ms / i.pi95_ms![0]).toBeCloseTo(Math.exp(1.959964 * 0.05), 9);
  });

  it('propagates a parameter sd to first order', async () => {
    // p50 = base + spread*ln2/(1-0.2): d ln p50 / d base = 1/p50; with sd 0.03 the log sd is ~0.03/p50.
    const r = await predictWithIntervals(
      analyticPredictor(truth),
      { params: { [PATHS.base]: { value: 0.3, sd: 0.03, source: 'fitted' } }, option_params: {} },
      point,
      run,
    );
    const i = r.intervals.p50!;
    const p50 = 0.3 + (0.05 * Math.LN2) / 0.8;
    expect(i.predicted_ms).toBeCloseTo(p50, 12);
    // Central difference of ln p over +-sd: exact for this linear model up to the log's curvature (<0.2 %).
    expect(i.s_params).toBeCloseTo(Math.log((p50 + 0.03) / (p50 - 0.03)) / 2, 12);
    expect(i.s_params / (0.03 / p50)).toBeGreaterThan(0.99);
  });

  it('gives no interval where one parameter moves a percentile more than 2-fold (first order does not hold)', async () => {
    // base 0.3 +- 0.25 ms: p50 = 0.343 moves to 0.593 (x1.7) and 0.093 (/3.7): beyond 2-fold on one side.
    const r = await predictWithIntervals(
      analyticPredictor(truth),
      { params: { [PATHS.base]: { value: 0.3, sd: 0.25, source: 'fitted' } }, option_params: {} },
      point,
      run,
    );
    const i = r.intervals.p50!;
    expect(i.pi95_ms).toBeNull();
    expect(i.unresolved).toMatch(
      /first-order propagation does not hold \(.* \+-1 sd moves p50 from 0\.343 to 0\.593 \/ 0\.0933 ms/,
    );
    // Within 2-fold both ways (sd 0.1: x1.29 and /1.41) it is given.
    const ok = await predictWithIntervals(
      analyticPredictor(truth),
      { params: { [PATHS.base]: { value: 0.3, sd: 0.1, source: 'fitted' } }, option_params: {} },
      point,
      run,
    );
    expect(ok.intervals.p50!.pi95_ms).not.toBeNull();
  });

  it("holds the simulation's own CI when that CI is lopsided (each side keeps its width)", async () => {
    // A tail percentile's CI reaches far above the point: p99.9 0.304 in [0.259, 0.967] (a lab
    // profile's simulate). A symmetric log width put the interval's upper end at 0.588, below the CI's.
    const lopsided = async (pt: typeof point, set: Readonly<Record<string, number>>, r: typeof run) => {
      const a = await analyticPredictor(truth)(pt, set, r);
      const p = a.latency_ms!.p99_9!;
      return { ...a, latency_ci95_ms: { p99_9: [0.85 * p, 3.2 * p] as [number, number] } };
    };
    const r = await predictWithIntervals(
      lopsided,
      { params: { [PATHS.base]: { value: 0.3, sd: 0.003, source: 'fitted' } }, option_params: {} },
      point,
      run,
    );
    const i = r.intervals.p99_9!;
    const p = i.predicted_ms;
    expect(i.pi95_ms![1]).toBeGreaterThanOrEqual(3.2 * p);
    expect(i.pi95_ms![0]).toBeLessThanOrEqual(0.85 * p);
    // With no other component each end is the CI's own end.
    const alone = await predictWithIntervals(
      lopsided,
      { params: { [PATHS.base]: { value: 0.3, source: 'fitted' } }, option_params: {} },
      point,
      run,
    );
    expect(alone.intervals.p99_9!.pi95_ms![0]).toBeCloseTo(0.85 * p, 12);
    expect(alone.intervals.p99_9!.pi95_ms![1]).toBeCloseTo(3.2 * p, 12);
  });
});
