import { describe, expect, it } from 'vitest';
import { calibrate } from '../../calibration/fit.ts';
import type { ParamSpec } from '../../calibration/params.ts';
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
  base_ms: 0.32,
  spread_ms: 0.045,
  extra_ms: { 'net-host': 0, 'opt-bridge': 0.21, 'opt-tunnel': 0.43 },
  drop_prob: { 'net-host': 0, 'opt-bridge': 0, 'opt-tunnel': 2e-5 },
};
const KEYS: PercentileKey[] = ['p50', 'p95', 'p99', 'p99_5', 'p99_99', 'p99_999', 'max'];
const RATES = [100_000, 300_000];

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
    options: ['opt-bridge', 'opt-tunnel'],
  },
  {
    path: PATHS.drop,
    lower: 1e-8,
    upper: 1e-2,
    log: true,
    group: 'drop',
    scope: 'option',
    options: ['opt-tunnel'],
  },
];

function measuredRecords() {
  const recs = [];
  let step = 0;
  for (const option of Object.keys(TRUTH.extra_ms))
    for (const rate_rps of RATES) {
      const truth = analyticPercentiles({ option, rate_rps, response_bytes: 350 }, {}, TRUTH).latency_ms;
      recs.push(makeRecord({ option, rate_rps, latency_ms: quantise(truth, KEYS), step: step++ }));
    }
  return labelled(recs);
}

const fixedClock = () => new Date('2026-01-01T00:00:00.000Z');

describe('calibrate on an analytic model with known parameters', () => {
  it('recovers the parameters and lands every fitted percentile inside its measurement bucket', async () => {
    const records = measuredRecords();
    const p = await calibrate(records, {
      predictor: analyticPredictor(TRUTH),
      params: SPECS,
      host: 'test-host',
      seed: 1,
      requests: 1_000_000,
      budgetEvals: 400,
      now: fixedClock,
    });
    expect(p.warnings.join('\n')).not.toMatch(/predicted saturated/);
    // Stages: net-host fits the host's parameters; each other option its own.
    expect(p.stages.map((s) => s.name)).toEqual([
      'net-host/base',
      'net-host/all',
      'opt-bridge/all',
      'opt-tunnel/base',
      'opt-tunnel/all',
    ]);
    const used = p.fit_error.filter((r) => r.used_in_fit);
    expect(used.length).toBeGreaterThan(20);
    // Zero loss is reachable (the truth has it), so every used prediction must end inside its bucket
    // up to the optimiser's convergence: calibrate stops on loss changes below 1e-3, i.e. a total
    // 0.5 * sum (d/0.05)^2 <= ~1e-3 over ~5 terms moved together, |d| <= 0.05 * sqrt(2e-3) = 0.0022 each;
    // allow 0.01 (1 %, a fifth of the percentile's sigma).
    for (const r of used) expect(Math.abs(r.log_distance!)).toBeLessThan(0.01);
    // The 0.1 ms buckets at 0.3-2 ms allow a few percent of play in each parameter; the fitted value
    // must be within its reported interval widened by the interval itself (the interval is
    // conditional on the other parameters, see uncertainty.ts), and within 15 % in any case.
    const check = (fitted: { value: number; interval?: [number, number] | undefined }, truth: number) => {
      expect(Math.abs(fitted.value - truth) / truth).toBeLessThan(0.15);
      const [lo, hi] = fitted.interval!;
      const w = hi - lo;
      expect(truth).toBeGreaterThanOrEqual(lo - w);
      expect(truth).toBeLessThanOrEqual(hi + w);
    };
    check(p.params[PATHS.base]!, TRUTH.base_ms);
    check(p.params[PATHS.spread]!, TRUTH.spread_ms);
    check(p.option_params['opt-bridge']![PATHS.extra]!, TRUTH.extra_ms['opt-bridge']!);
    check(p.option_params['opt-tunnel']![PATHS.extra]!, TRUTH.extra_ms['opt-tunnel']!);
    // Drop probability: the tables bound the retransmitted fraction 2 * drop to [1e-5, 1e-4).
    const drop = p.option_params['opt-tunnel']![PATHS.drop]!.value;
    expect(2 * drop).toBeGreaterThanOrEqual(1e-5 * 0.999);
    expect(2 * drop).toBeLessThan(1e-4);
    // p99.999 and max of the tunnel are retransmission tails, not fitted as values.
    const tail = p.fit_error.find((r) => r.option === 'opt-tunnel' && r.percentile === 'p99_999')!;
    expect(tail.used_in_fit).toBe(false);
    expect(tail.why_not_used).toMatch(/retransmission/);
    expect(p.record_hosts).toEqual(['test-host']);
    expect(p.fit_error_by_percentile.p99).toBeLessThan(0.1);
  });

  it('is deterministic for a seed', async () => {
    const records = measuredRecords();
    const run = () =>
      calibrate(records, {
        predictor: analyticPredictor(TRUTH),
        params: SPECS,
        host: 'test-host',
        seed: 7,
        requests: 1_000_000,
        budgetEvals: 60,
        now: fixedClock,
      });
    const a = await run();
    const b = await run();
    const strip = (x: typeof a) => ({ ...x, stages: x.stages.map((s) => ({ ...s, wall_s: 0 })) });
    expect(strip(a)).toEqual(strip(b));
  });

  it('refuses fewer measured points than free parameters, naming the records', async () => {
    const one = labelled([makeRecord({ option: 'net-host', rate_rps: 100_000, latency_ms: { p99: 0.5 } })]);
    await expect(
      calibrate(one, {
        predictor: analyticPredictor(TRUTH),
        params: SPECS,
        host: 'test-host',
        seed: 1,
        requests: 100_000,
        budgetEvals: 10,
      }),
    ).rejects.toThrow(/rec-0-net-host-100000\.json.*|1 usable measured points for 2 free parameters/);
  });

  it('says when the fitted model cannot carry the records it was given (saturated at their rates)', async () => {
    // A predictor that saturates whatever the parameters (a host too small for the records' rates).
    const saturating: Parameters<typeof calibrate>[1]['predictor'] = async () => ({
      latency_ms: null,
      latency_ci95_ms: null,
      saturated: true,
      retransmits: 0,
      requests: 100_000,
    });
    const records = measuredRecords();
    const opts = {
      params: SPECS.slice(0, 2),
      host: 'small-host',
      seed: 1,
      requests: 100_000,
      budgetEvals: 6,
      uncertainty: false,
      now: fixedClock,
    };
    // Every record: nothing was fitted, so no profile (it would call its starting values fitted).
    await expect(calibrate(records, { ...opts, predictor: saturating })).rejects.toThrow(
      new RegExp(
        `^--host: every record \\(${records.length}, e.g. .*\\) is predicted saturated on this host at the fitted values: .*no profile is written`,
      ),
    );
    // Some records (those of one option): a warning, and their rows say they were not fitted.
    const bridgeSaturates: typeof saturating = async (point, set, run) =>
      point.option === 'opt-bridge' ? saturating(point, set, run) : analyticPredictor(TRUTH)(point, set, run);
    const profile = await calibrate(records, { ...opts, predictor: bridgeSaturates });
    const bridge = records.filter((r) => r.record.option === 'opt-bridge').length;
    expect(bridge).toBeGreaterThan(0);
    expect(profile.warnings.join('\n')).toMatch(
      new RegExp(
        `${bridge} of ${records.length} record\\(s\\) are predicted saturated at the fitted values .* on host small-host`,
      ),
    );
    const rows = profile.fit_error.filter((r) => r.option === 'opt-bridge');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.used_in_fit).toBe(false);
      expect(r.why_not_used).toBe('predicted saturated at the fitted values');
    }
  });

  it('does not fit percentiles the simulated run is too short to resolve', async () => {
    const records = measuredRecords();
    const p = await calibrate(records, {
      predictor: analyticPredictor(TRUTH),
      params: SPECS.slice(0, 3),
      host: 'test-host',
      seed: 1,
      requests: 20_000,
      budgetEvals: 30,
      uncertainty: false,
    });
    // 20000 requests hold 10 beyond p99.95 at most: p99.99 and p99.999 are not fitted.
    const r = p.fit_error.find((x) => x.percentile === 'p99_99' && x.option === 'net-host')!;
    expect(r.used_in_fit).toBe(false);
    expect(r.why_not_used).toMatch(/needs 100000 simulated requests/);
    expect(p.fit_error.find((x) => x.percentile === 'p99_5' && x.option === 'net-host')!.used_in_fit).toBe(
      true,
    );
  });

  it('holds a tail parameter whose quantiles the simulated run cannot resolve, and says so', async () => {
    const stall: ParamSpec = {
      path: 'host.stalls.rate_per_cpu_per_s',
      lower: 1e-4,
      upper: 1,
      init: 0.02,
      log: true,
      group: 'tail',
      scope: 'host',
      needs_quantile: 0.9999,
    };
    const p = await calibrate(measuredRecords(), {
      predictor: analyticPredictor(TRUTH),
      params: [...SPECS.slice(0, 2), stall],
      host: 'test-host',
      seed: 1,
      requests: 20_000,
      budgetEvals: 30,
      uncertainty: false,
    });
    expect(p.params[stall.path]).toMatchObject({ value: 0.02, source: 'fixed' });
    expect(p.stages.find((s) => s.name === 'net-host/all')!.params).not.toContain(stall.path);
    expect(p.warnings.join('\n')).toMatch(
      /host\.stalls\.rate_per_cpu_per_s: not fitted, held at 0\.02.*highest percentile fitted for net-host is 0\.995 \(needs >= 100000 requests; raise --max-requests\)/,
    );
    // With a higher cap, that stage simulates the 100000 requests p99.99 needs and fits it.
    const q = await calibrate(measuredRecords(), {
      predictor: analyticPredictor(TRUTH),
      params: [...SPECS.slice(0, 2), stall],
      host: 'test-host',
      seed: 1,
      requests: 20_000,
      maxRequests: 500_000,
      budgetEvals: 10,
      uncertainty: false,
    });
    const st = q.stages.find((s) => s.name === 'net-host/all')!;
    expect(st.params).toContain(stall.path);
    expect(st.requests).toBe(100_000);
    expect(q.stages.find((s) => s.name === 'net-host/base')!.requests).toBe(20_000);
  });
});
