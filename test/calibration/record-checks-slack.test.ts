/**
 * Record checks against the harness's own recordings and the record faults calibrate must name:
 * percentiles printed as histogram buckets (max below p99.999 within one bucket), records that did
 * not carry their load, a rate of 0 or an unknown option, latencies written in microseconds.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../cli/errors.ts';
import { CalibrationInputError } from '../../calibration/errors.ts';
import { calibrate } from '../../calibration/fit.ts';
import type { ParamSpec } from '../../calibration/params.ts';
import { checkRecords, recordPointError } from '../../calibration/record-checks.ts';
import {
  type LabelledRecord,
  loadLabelledRecords,
  measuredPercentiles,
  usesHdrBuckets,
} from '../../calibration/records.ts';
import { simulatePredictor } from '../../calibration/simulate-predictor.ts';
import type { RunRecord } from '../../harness/run-record.ts';
import { analyticPredictor, labelled, makeRecord, PATHS } from './fixtures.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures');
const LAB_FOLDERS = readdirSync(FIXTURES).filter((d) => d.startsWith('lab'));

/** A harness record (cnisim-openloop, 1 us resolution) with max 9 us below p99_999. */
const VXLAN_32K = join(FIXTURES, 'lab-wakeups', '0030-flannel-vxlan-32000rps-r2.json');
function vxlan32k(latency: Partial<RunRecord['latency_ms']>): LabelledRecord {
  const record = JSON.parse(readFileSync(VXLAN_32K, 'utf8')) as RunRecord;
  return { file: 'vx.json', record: { ...record, latency_ms: { ...record.latency_ms, ...latency } } };
}

describe("the harness generator's percentiles as censoring intervals (the fit's)", () => {
  it("are whole HdrHistogram buckets above 2048 us, as tcpkali's: 41.503 ms stands for 41.472-41.504 ms", () => {
    const lr = vxlan32k({});
    expect(lr.record.generator.name).toBe('cnisim-openloop');
    expect(usesHdrBuckets(lr.record)).toBe(true);
    const at = (r: RunRecord, key: string) => measuredPercentiles(r).find((m) => m.key === key)!.interval;
    const round9 = (iv: { lo: number; hi: number }) => [iv.lo, iv.hi].map((x) => Number(x.toFixed(9)));
    // 41503 us: buckets of 32 us there (2048 x 16 <= 41503 < 2048 x 32).
    expect(round9(at(lr.record, 'p99_999'))).toEqual([41.472, 41.504]);
    // Below 2048 us a bucket is one microsecond.
    expect(round9(at({ ...lr.record, latency_ms: { p50: 0.155 } }, 'p50'))).toEqual([0.155, 0.156]);
  });
});

describe('checkRecords: percentiles printed as histogram buckets (B1)', () => {
  it('accepts every record of every lab recording in the fixtures', () => {
    expect(LAB_FOLDERS.length).toBeGreaterThanOrEqual(30);
    for (const dir of LAB_FOLDERS) {
      const records = loadLabelledRecords([join(FIXTURES, dir)]);
      expect(() => checkRecords(records, { allowMixedHosts: true }), dir).not.toThrow();
    }
  });

  it('accepts the reported record: max = 41.494 ms below p99_999 = 41.503 ms', () => {
    const lr = vxlan32k({});
    expect(lr.record.latency_ms.max).toBeLessThan(lr.record.latency_ms.p99_999!);
    expect(checkRecords([lr]).usable).toHaveLength(1);
  });

  it('bounds the slack by the bucket of the higher percentile: 32 us wide at 41.5 ms', () => {
    // p99_999 = 41503 us is the highest value of the bucket [41472, 41503] (32 us: 3 significant
    // digits, 2048 sub-buckets, widths doubling from 2048 us): max may lie anywhere in it.
    expect(checkRecords([vxlan32k({ max: 41.472 })]).usable).toHaveLength(1);
    expect(() => checkRecords([vxlan32k({ max: 41.471 })])).toThrow(
      /vx\.json: latency_ms: percentiles are not monotone: max = 41\.471 ms is below p99_999 = 41\.503 ms by more than the histogram's bucket there allows \(0\.032 ms wide\)/,
    );
  });

  it('refuses a real inversion, and any inversion below 2048 units (one-unit buckets)', () => {
    expect(() => checkRecords([vxlan32k({ max: 40 })])).toThrow(/max = 40 ms is below p99_999 = 41\.503 ms/);
    expect(() => checkRecords([vxlan32k({ p99: 36.5 })])).toThrow(/p99 = 36\.5 ms is below p95 = 36\.991 ms/);
    expect(() => checkRecords([vxlan32k({ p50: 1.23, p90: 1.229 })])).toThrow(
      /p90 = 1\.229 ms is below p50 = 1\.23 ms \(got/,
    );
    // tcpkali, 0.1 ms units: one unit down at 0.9 ms is an inversion
    const tk = makeRecord({ option: 'ipvlan', rate_rps: 1, latency_ms: { p95: 0.9, p99: 0.8, max: 2 } });
    expect(() => checkRecords(labelled([tk]))).toThrow(/p99 = 0\.8 ms is below p95 = 0\.9 ms/);
  });

  it('compares the next value with the higher of the two, not with the one within the bucket', () => {
    // max within p99_999's bucket is accepted; nothing after it can hide an inversion behind it
    const lr = vxlan32k({ p99_99: 41.503, p99_999: 41.48 });
    expect(() => checkRecords([lr])).not.toThrow();
  });
});

const rec = (o: Partial<RunRecord> & { option?: string; step?: number }) => {
  const base = makeRecord({
    option: o.option ?? 'net-host',
    rate_rps: 100000,
    step: o.step ?? 0,
    latency_ms: { p50: 0.4, p99: 0.9, max: 3 },
  });
  const { step: _s, ...rest } = o;
  return { ...base, ...rest };
};

describe('checkRecords: records that did not carry their load (B5)', () => {
  it('skips a record whose achieved_rps is below 97 % of requested_rps, naming it and both rates', () => {
    const recs = labelled([
      rec({ step: 0 }),
      rec({ step: 1, requested_rps: 150000, achieved_rps: 75000 }),
      rec({ step: 2, requested_rps: 150000, achieved_rps: 146000 }), // 97.3 %: carried
    ]);
    const r = checkRecords(recs);
    expect(r.usable.map((u) => u.file)).toEqual([recs[0]!.file, recs[2]!.file]);
    expect(r.warnings).toEqual([
      `skipped ${recs[1]!.file}: did not carry its load (achieved_rps 75000 of requested_rps 150000: 50.0 % < 97 %)`,
    ]);
  });

  it('keeps closed-loop records (requested_rps null: the rate is the one achieved)', () => {
    expect(checkRecords(labelled([rec({ requested_rps: null, achieved_rps: 5000 })])).usable).toHaveLength(1);
  });

  it('says why when no record is left', () => {
    expect(() =>
      checkRecords(
        labelled([
          rec({ step: 0, requested_rps: 150000, achieved_rps: 75000 }),
          rec({ step: 1, valid: false, invalid_reason: 'x' }),
        ]),
      ),
    ).toThrow(/no usable record: 1 marked invalid, 1 did not carry their load/);
  });

  it('calibrate does not fit it: it is not among the profile runs and the warning is in the profile', async () => {
    const truth = { base_ms: 0.3, spread_ms: 0.05, extra_ms: {}, drop_prob: {} };
    const recs = labelled([
      rec({ step: 0 }),
      rec({ step: 1, requested_rps: 200000, achieved_rps: 200000 }),
      rec({ step: 2, requested_rps: 150000, achieved_rps: 75000 }),
    ]);
    const p = await calibrate(recs, {
      predictor: analyticPredictor(truth),
      params: [{ path: PATHS.base, lower: 0.01, upper: 5, log: true, group: 'base', scope: 'host' }],
      host: 'test-host',
      seed: 1,
      requests: 10000,
      budgetEvals: 10,
      uncertainty: false,
    });
    expect(p.runs.map((u) => u.file)).toEqual([recs[0]!.file, recs[1]!.file]);
    expect(p.warnings.join('\n')).toMatch(/skipped rec-2-net-host-150000\.json: did not carry its load/);
  });
});

describe('record faults named by the record file and field (D1)', () => {
  it('requested_rps 0 (or achieved_rps 0 of a closed-loop step) names the file and that field', () => {
    expect(() => checkRecords([{ file: '/tmp/x/a.json', record: rec({ requested_rps: 0 }) }])).toThrow(
      /^\/tmp\/x\/a\.json: requested_rps: must be greater than 0.* \(got 0\)$/,
    );
    expect(() =>
      checkRecords([{ file: 'b.json', record: rec({ requested_rps: null, achieved_rps: 0 }) }]),
    ).toThrow(/^b\.json: achieved_rps: must be greater than 0/);
  });

  it('restates the simulator errors about the point as the record field', () => {
    const lr: LabelledRecord = { file: 'a.json', record: rec({ option: 'calico' }) };
    const e = recordPointError(new InputError('option', 'calico', 'unknown network option'), lr);
    expect(e).toBeInstanceOf(CalibrationInputError);
    expect((e as Error).message).toBe('a.json: option: unknown network option (got "calico")');
    const r = recordPointError(new InputError('rate_rps', 2e9, 'must be at most 1e+8'), lr) as Error;
    expect(r.message).toBe('a.json: requested_rps: must be at most 1e+8 (got 100000)');
    // a parameter path is not the record's fault: left as it is
    const other = new InputError('wire.propagation_ns', -1, 'Too small');
    expect(recordPointError(other, lr)).toBe(other);
  });

  it('calibrate with the simulator: an unknown option names the record file', async () => {
    const dir = '/tmp/x';
    const params: ParamSpec[] = [
      { path: 'wire.propagation_ns', lower: 1000, upper: 100000, log: true, group: 'base', scope: 'host' },
    ];
    await expect(
      calibrate([{ file: `${dir}/a.json`, record: rec({ option: 'calico', option_used: 'calico' }) }], {
        predictor: simulatePredictor('c4.8xlarge'),
        params,
        host: 'c4.8xlarge',
        seed: 1,
        requests: 1000,
        budgetEvals: 2,
        uncertainty: false,
      }),
    ).rejects.toThrow(/^\/tmp\/x\/a\.json: option: unknown network option .*\(got "calico"\)$/);
  });
});

describe('latencies in microseconds (D2)', () => {
  const truth = { base_ms: 0.3, spread_ms: 0.05, extra_ms: {}, drop_prob: {} };
  const opts = {
    predictor: analyticPredictor(truth),
    params: [
      { path: PATHS.base, lower: 0.01, upper: 5, log: true, group: 'base', scope: 'host' },
      { path: PATHS.spread, lower: 0.001, upper: 1, log: true, group: 'tail', scope: 'host' },
    ] satisfies ParamSpec[],
    host: 'test-host',
    seed: 1,
    requests: 10000,
    budgetEvals: 10,
    uncertainty: false,
  };
  const inUs = (step: number) =>
    makeRecord({
      option: 'net-host',
      rate_rps: 150000,
      step,
      latency_ms: { p95: 500, p99: 600, p99_5: 700, p99_99: 3000, p99_999: 4000, max: 8000 },
    });

  it('says every percentile was taken as a retransmission tail, names the record and the unit', async () => {
    await expect(calibrate(labelled([inUs(0)]), opts)).rejects.toThrow(
      /^--runs \(net-host\): 0 usable measured points for 2 free parameters \(.*\); every percentile of its record \(rec-0-net-host-150000\.json\) is at or above the 180 ms retransmission threshold, so none is fitted as a latency: check that latency_ms is in milliseconds/,
    );
  });

  it('warns, naming the record, when other records still carry the fit', async () => {
    const fine = makeRecord({
      option: 'net-host',
      rate_rps: 100000,
      step: 1,
      latency_ms: { p50: 0.35, p95: 0.45, p99: 0.6, max: 3 },
    });
    const p = await calibrate(labelled([inUs(0), fine]), opts);
    expect(p.warnings.join('\n')).toMatch(
      /rec-0-net-host-150000\.json: every latency percentile is at or above the 180 ms retransmission threshold \(from p95 = 500 ms\).*check the unit: latency_ms is in milliseconds/,
    );
  });
});
