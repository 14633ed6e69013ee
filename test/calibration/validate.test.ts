import { describe, expect, it } from 'vitest';
import { renderSvg, validationChartSpec } from '../../calibration/chart.ts';
import { calibrate } from '../../calibration/fit.ts';
import type { ParamSpec } from '../../calibration/params.ts';
import { rankings, validate } from '../../calibration/validate.ts';
import { InputError } from '../../cli/errors.ts';
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
  spread_ms: 0.06,
  extra_ms: { 'net-host': 0, bridge: 0.25 },
  drop_prob: {},
};
const KEYS: PercentileKey[] = ['p50', 'p95', 'p99', 'p99_5'];
const SPECS: ParamSpec[] = [
  { path: PATHS.base, lower: 0.01, upper: 5, log: true, group: 'base', scope: 'host' },
  { path: PATHS.spread, lower: 0.001, upper: 1, log: true, group: 'tail', scope: 'host' },
  {
    path: PATHS.extra,
    lower: 0.001,
    upper: 5,
    log: true,
    group: 'base',
    scope: 'option',
    options: ['bridge'],
  },
];

function records(rates: number[], step0: number) {
  let step = step0;
  return labelled(
    Object.keys(TRUTH.extra_ms).flatMap((option) =>
      rates.map((rate_rps) =>
        makeRecord({
          option,
          rate_rps,
          step: step++,
          latency_ms: quantise(
            analyticPercentiles({ option, rate_rps, response_bytes: 350 }, {}, TRUTH).latency_ms,
            KEYS,
          ),
        }),
      ),
    ),
  );
}

describe('validate on runs left out of the fit', () => {
  it('predicts a held-out rate within the quantisation error, inside the interval, with the ranking right', async () => {
    const profile = await calibrate(records([50_000, 350_000], 0), {
      predictor: analyticPredictor(TRUTH),
      params: SPECS,
      host: 'test-host',
      seed: 1,
      requests: 100_000,
      budgetEvals: 200,
    });
    const report = await validate(records([200_000], 10), {
      predictor: analyticPredictor(TRUTH),
      profile,
      seed: 1,
      requests: 100_000,
    });
    expect(report.rows).toHaveLength(2 * KEYS.length);
    // The analytic model is exact, so the only error is the 0.1 ms truncation of the measurement
    // (at most 0.1 ms / 0.3 ms = 33 % at the smallest value, under 0.1/0.55 = 18 % for the rest)
    // plus the fitted parameters' play inside those buckets; the MAPE must stay under 10 %.
    expect(report.mape!).toBeLessThan(0.1);
    for (const r of report.rows) {
      expect(r.abs_error_ms!).toBeLessThan(0.12);
      // error_ms is signed (predicted minus measured), abs_error_ms its absolute value.
      expect(r.error_ms).toBeCloseTo(r.predicted_ms! - r.measured_ms, 12);
      expect(r.abs_error_ms).toBe(Math.abs(r.error_ms!));
      expect(Math.sign(r.rel_error!)).toBe(Math.sign(r.error_ms!));
    }
    // The measurement is truncated to its 0.1 ms bucket, so the exact model lies at or above it.
    expect(report.rows.some((r) => r.error_ms! > 0)).toBe(true);
    expect(report.coverage_pi95).toBe(1);
    // 100000 simulated requests resolve every measured key here (p50 .. p99.5).
    expect(report.resolved_keys).toEqual(['p50', 'p95', 'p99', 'p99_5']);
    expect(report.ranking_agrees).toBe(true);
    expect(report.ranking.find((r) => r.percentile === 'p99')!.measured_order).toEqual([
      'net-host',
      'bridge',
    ]);
    // Chart: an SVG with one point per row.
    const svg = await renderSvg(validationChartSpec(report));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toMatch(/measured latency \(ms\)/);
    // Held out and of fitted options: nothing to warn about.
    expect(report.warnings.join('; ')).not.toMatch(/in-sample|fitted without records/);

    // The fit's own records are not a validation: said, with how many.
    const again = await validate(records([50_000, 350_000], 0), {
      predictor: analyticPredictor(TRUTH),
      profile,
      seed: 1,
      requests: 100_000,
    });
    expect(again.warnings.join('; ')).toMatch(/4 of 4 record\(s\) were used to fit this profile.*in-sample/);
    // An option the profile saw no records of runs on defaults: said, naming it.
    const netHostOnly = { ...profile, runs: profile.runs.filter((u) => u.option === 'net-host') };
    const unfit = await validate(records([200_000], 10), {
      predictor: analyticPredictor(TRUTH),
      profile: netHostOnly,
      seed: 1,
      requests: 100_000,
    });
    expect(unfit.warnings.join('; ')).toMatch(/fitted without records of bridge: its own stage costs/);
  });
});

describe('validate names the record', () => {
  it('when the simulator refuses its point (an option it does not know): the file and the record field', async () => {
    const profile = await calibrate(records([100_000], 0), {
      predictor: analyticPredictor(TRUTH),
      params: SPECS,
      host: 'test-host',
      seed: 1,
      requests: 10_000,
      budgetEvals: 5,
    });
    const calico = records([200_000], 10).slice(0, 1);
    calico[0]!.record.option = 'calico';
    const refusing = async () => {
      throw new InputError('option', 'calico', 'unknown network option');
    };
    await expect(validate(calico, { predictor: refusing, profile, seed: 1, requests: 1000 })).rejects.toThrow(
      new RegExp(
        `^${calico[0]!.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: option: unknown network option`,
      ),
    );
  });
});

describe('rankings', () => {
  const row = (option: string, measured_ms: number, predicted_ms: number) => ({
    run: option,
    option,
    rate_rps: 1,
    response_bytes: 350,
    percentile: 'p99' as const,
    measured_ms,
    interval_ms: [measured_ms, measured_ms + 0.1] as [number, number],
    predicted_ms,
    pi95_ms: null,
    error_ms: 0,
    abs_error_ms: 0,
    rel_error: 0,
    rel_to_bucket: 0,
    inside_pi: null,
    saturated: false,
    resolved: true,
  });
  it('counts discordant pairs only between measurements that differ by more than a bucket', () => {
    const r = rankings([row('a', 0.5, 0.9), row('b', 0.5, 0.6), row('c', 1.2, 0.7)]);
    // a-b tie in measurement: no order. a-c: measured a<c, predicted a>c: discordant. b-c: b<c both: concordant.
    expect(r[0]!.concordant_pairs).toBe(1);
    expect(r[0]!.discordant_pairs).toBe(1);
    expect(r[0]!.agrees).toBe(false);
  });
});
