/**
 * simulate --profile's prediction intervals say what they leave out: percentiles without an
 * interval (with the reason) and a profile without parameter uncertainty.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FITTED_PROFILE_VERSION } from '../../calibration/fitted-profile.ts';
import { predictionIntervals } from '../../calibration/simulate-intervals.ts';
import type { SimResult } from '../../sim/result.ts';

function profileFile(params: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'cnisim-pi-')), 'fitted.json');
  const now = new Date(0).toISOString();
  writeFileSync(
    file,
    JSON.stringify({
      profile_version: FITTED_PROFILE_VERSION,
      kind: 'cnisim-fitted-profile',
      host: 'c4.8xlarge',
      record_hosts: ['test'],
      params,
      option_params: {},
      fit_error: [],
      fit_error_by_percentile: {},
      runs: [],
      stages: [],
      uncertainty: { method: 'none', delta_loss: 0, note: 'test' },
      loss: { description: 'test', sigma: {} },
      seed: 1,
      requests_per_eval: 1000,
      cnisim_version: 'test',
      simulator: 'test',
      started_at: now,
      finished_at: now,
      warnings: [],
    }),
  );
  return file;
}

const latency = {
  p50: 0.3,
  p90: 0.4,
  p95: 0.45,
  p99: 0.6,
  p99_5: 0.7,
  p99_9: 0.9,
  p99_99: 1.2,
  p99_999: 1.3,
  max: 1.3,
};
const base = {
  option: 'flannel-host-gw',
  rate_rps: 200_000,
  response_bytes: 350,
  seed: 1,
  requests: 1000,
  saturated: false,
  retransmits: 0,
  latency_ms: latency,
  latency_ci95_ms: Object.fromEntries(Object.entries(latency).map(([k, v]) => [k, [0.95 * v, 1.05 * v]])),
} as unknown as SimResult;
const saturated = {
  ...base,
  saturated: true,
  latency_ms: null,
  latency_ci95_ms: null,
} as unknown as SimResult;

describe('predictionIntervals (simulate --profile)', () => {
  it('says which percentiles have no interval and why: within one sd of the fit the point saturates', async () => {
    const file = profileFile({
      'option.stages.ip_forward_bridge.cost_ns_per_packet': { value: 21_878, sd: 3733, source: 'fitted' },
    });
    // +1 sd saturates, -1 sd does not.
    const r = await predictionIntervals(file, base, async (set) =>
      set.some((s) => s.endsWith('=25611')) ? saturated : base,
    );
    expect(r.intervals).toEqual({});
    expect(r.warnings).toEqual([
      'no prediction interval for p50, p90, p95, p99, p99.5, p99.9, p99.99, p99.999, max: first-order propagation does not hold (option.stages.ip_forward_bridge.cost_ns_per_packet +-1 sd saturates the point)',
    ]);
  });
  it('says when the profile carries no parameter uncertainty (the interval is simulation noise alone)', async () => {
    const file = profileFile({ 'wire.propagation_ns': { value: 20_000, source: 'regression' } });
    let reruns = 0;
    const r = await predictionIntervals(file, base, async () => {
      reruns++;
      return base;
    });
    expect(reruns).toBe(0);
    // The simulation's CI alone.
    expect(r.intervals.p50![0]).toBeCloseTo(0.95 * 0.3, 12);
    expect(r.intervals.p50![1]).toBeCloseTo(1.05 * 0.3, 12);
    expect(r.warnings).toEqual([
      expect.stringMatching(
        /^the profile gives no parameter uncertainty \(no fitted value has an sd\): pi95 is the simulation noise only/,
      ),
    ]);
  });
});
