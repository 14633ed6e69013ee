import { describe, expect, it } from 'vitest';
import { checkRecords } from '../../calibration/record-checks.ts';
import { validate } from '../../calibration/validate.ts';
import { calibrate } from '../../calibration/fit.ts';
import { labelled, makeRecord, analyticPredictor, PATHS } from './fixtures.ts';
import type { FittedProfile } from '../../calibration/fitted-profile.ts';

const ok = (option: string, machine = 'host-a', step = 0) =>
  makeRecord({ option, rate_rps: 100000, machine, step, latency_ms: { p50: 0.4, p99: 0.9, max: 3 } });

describe('checkRecords', () => {
  it('refuses records of different hosts mixed without --allow-mixed-hosts, naming hosts and records', () => {
    const recs = labelled([ok('net-host', 'host-a'), ok('ipvlan', 'host-b', 1)]);
    expect(() => checkRecords(recs)).toThrow(
      /2 different hosts \(host-a: rec-0-net-host-100000\.json; host-b: rec-1-ipvlan-100000\.json\).*--allow-mixed-hosts/,
    );
    const r = checkRecords(recs, { allowMixedHosts: true });
    expect(r.hosts).toEqual(['host-a', 'host-b']);
    expect(r.warnings.join()).toMatch(/--allow-mixed-hosts/);
  });

  it('refuses percentiles that are not monotone, naming the record and the keys', () => {
    const bad = makeRecord({ option: 'ipvlan', rate_rps: 1, latency_ms: { p95: 0.9, p99: 0.8, max: 2 } });
    expect(() => checkRecords(labelled([bad]))).toThrow(
      /rec-0-ipvlan-1\.json: latency_ms: percentiles are not monotone: p99 = 0\.8 ms is below p95 = 0\.9 ms/,
    );
  });

  it('skips records marked invalid and says so', () => {
    const r = checkRecords(
      labelled([ok('net-host'), { ...ok('ipvlan'), valid: false, invalid_reason: 'generator fell behind' }]),
    );
    expect(r.usable).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /skipped rec-1-ipvlan-100000\.json: marked invalid \(generator fell behind\)/,
    );
  });
});

describe('validate: host of the profile', () => {
  it('refuses records of another host than the profile was fitted on', async () => {
    const truth = { base_ms: 0.3, spread_ms: 0.05, extra_ms: {}, drop_prob: {} };
    const fitted: FittedProfile = await calibrate(
      labelled([ok('net-host', 'host-a'), { ...ok('net-host', 'host-a', 1), requested_rps: 200000 }]),
      {
        predictor: analyticPredictor(truth),
        params: [{ path: PATHS.base, lower: 0.01, upper: 5, log: true, group: 'base', scope: 'host' }],
        host: 'host-a',
        seed: 1,
        requests: 10000,
        budgetEvals: 20,
      },
    );
    await expect(
      validate(labelled([ok('net-host', 'host-b')]), {
        predictor: analyticPredictor(truth),
        profile: fitted,
        seed: 1,
        requests: 10000,
      }),
    ).rejects.toThrow(
      /fitted on host host-a but 1 record\(s\) come from another host: rec-0-net-host-100000\.json \(host host-b\)/,
    );
  });
});
