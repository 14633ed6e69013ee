/**
 * Lab acceptance (issue 5) on checked-in namespace-lab records, all taken on 26 Nov 2026 on a quiet
 * machine with the generator that stamps each request right after its own write:
 *   fixtures/lab-span/*.json   net-host, flannel-host-gw and flannel-vxlan at 4000, 8000, 16000 and
 *                              32000 requests/s, 5 s each, 3 repeats (RECORDING.txt: 15:27-15:31 UTC);
 *   fixtures/lab/max-rate-open-loop/olmax-r{0..3}/
 *                              open-loop maximum-rate searches, one per option and repeat
 *                              (RECORDING.txt: olmax-r0 was disturbed and is left out of the median);
 *   fixtures/lab/*.json        the earlier low-rate runs (1000, 2000, 4000/s) with wrk maxima.
 *   fixtures/lab-replication/, lab-replication-2/
 *                              two more live recordings (bench lab-calibration, 16:03-16:17 and
 *                              16:35-16:49 UTC): 4000/8000/16000 x 3, wrk and open-loop searches;
 *   fixtures/lab-wide-1/, lab-wide-2/
 *                              two recordings for the wide design (16:53 and 17:08 UTC): 4000, 8000
 *                              or 16000, and 32000/s x 3, wrk and open-loop searches (RECORDING.txt).
 * Designs: narrow: calibrate on 4000 and 16000 and predict 8000's p50 (between them) and the maximum
 * rate (the highest offered rate carried, as the model defines it: against the open-loop searches);
 * the same calibration predicting 32000 (beyond them); wide: calibrate on 4000 and 32000 and predict
 * the middle rate and the maximum; low: calibrate on 1000 and 2000 and predict 4000.
 * Cost basis `by-rate` (the default, calibration/lab-cost-by-rate.ts): each calibration rate's own
 * cost per request, net of the wake-ups at the host profile's measured costs, split jointly per rate
 * (lab-cpu-budget.ts) and interpolated in log(rate) (model/param-by-rate.ts); the generator keeps
 * `joint`'s constant where the records do not count its sleeps; its write/read split is fitted
 * (lab-params.ts). docs/calibration.md has the same rows with the earlier basis `joint`.
 *
 * The simulation is deterministic for a seed, so each error below is a fixed number for these
 * records and this simulator: the targets the model meets are asserted as targets (15 % and 10 %);
 * the ones it misses are `it.fails` with the measured error in the title, never a loosened
 * tolerance. Skips, saying why, when the simulator cannot be loaded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type LabAcceptanceReport,
  labAcceptance,
  MAX_RATE_TARGET,
  P50_TARGET,
} from '../../calibration/lab-acceptance.ts';
import { FittedProfile } from '../../calibration/fitted-profile.ts';
import { labFittedProfile } from '../../calibration/lab-profile.ts';
import { loadLabelledRecords } from '../../calibration/records.ts';
import { SLACK_PATH } from '../../calibration/lab-generator-loop.ts';
import { loadSimulate } from '../../calibration/simulate-predictor.ts';

const FIXTURES = resolve(import.meta.dirname, 'fixtures/lab');
const SPAN = resolve(import.meta.dirname, 'fixtures/lab-span');
const SEARCHES = resolve(FIXTURES, 'max-rate-open-loop');
let skip: string | null = null;
try {
  await loadSimulate();
} catch (err) {
  skip = err instanceof Error ? err.message : String(err);
}
if (skip) console.log(`lab acceptance skipped: ${skip}`);

const pct = (x: number | null) => (x === null ? 'saturated' : `${(100 * x).toFixed(1)} %`);

const report = (r: LabAcceptanceReport) => (id: string) => {
  const o = r.options.find((x) => x.option === id);
  if (!o) throw new Error(`no result for ${id}`);
  return o;
};
const log = (r: LabAcceptanceReport) => {
  for (const o of r.options)
    console.log(
      `${o.option}: p50 error ${pct(o.p50.rel_error)} (${o.p50.predicted_ms?.toFixed(3)} vs ${o.p50.measured_ms} ms), max-rate error ${pct(o.max_rate.rel_error)} (simulated ${o.max_rate.predicted_rps}/s vs open-loop ${o.max_rate.measured_rps}/s)`,
    );
};

const OPTIONS = ['flannel-host-gw', 'flannel-vxlan', 'net-host'];

describe.skipIf(skip !== null)(
  'lab acceptance: calibrate at 4000 and 16000 rps, predict 8000 and the maximum',
  () => {
    let rep: LabAcceptanceReport;
    let beyond: LabAcceptanceReport;
    let opt: ReturnType<typeof report>;

    beforeAll(async () => {
      const records = loadLabelledRecords([SPAN, SEARCHES]);
      rep = await labAcceptance(records, { seed: 1, heldOut: 8000, calibrationRates: [4000, 16000] });
      beyond = await labAcceptance(records, { seed: 1, heldOut: 32000, calibrationRates: [4000, 16000] });
      opt = report(rep);
      log(rep);
      log(beyond);
    }, 120_000);

    it('fits on the two calibration rates only, never on the held-out rates or the search steps', () => {
      for (const r of [rep, beyond]) {
        expect(r.options.map((o) => o.option)).toEqual(OPTIONS);
        for (const o of r.options) expect(o.calibration_rates).toEqual([4000, 16000]);
        expect(new Set(r.profile.runs.map((x) => x.rate_rps))).toEqual(new Set([4000, 16000]));
        expect(r.profile.runs).toHaveLength(18);
        expect(r.profile.host).toBe('netns-lab');
        // Host parameters only: the options' kernel costs come from the counters, and by-rate holds
        // the generator's write/read split at the share ftrace shows (READ_SHARE_TRACED).
        expect(Object.keys(r.profile.option_params)).toHaveLength(0);
        expect(Object.keys(r.profile.params)).not.toContain('lab.generator_read_share');
      }
      expect(rep.options.map((o) => o.held_out_rate)).toEqual([8000, 8000, 8000]);
      expect(beyond.options.map((o) => o.held_out_rate)).toEqual([32000, 32000, 32000]);
    });

    it('takes each calibration rate’s own costs, net of the wake-ups at the profile’s measured costs', () => {
      expect(rep.cost_basis).toBe('by-rate');
      const br = rep.cost_by_rate!;
      expect(br.rates_rps).toEqual([4000, 16000]);
      // The host profile's costs per wake-up (ftrace of the lab, model/hosts/netns-lab.yaml).
      expect(br.wakeup_ns).toEqual({ nginx_ns: 20_000, generator_ns: 40_000 });
      // lab-span's records do not sample the generator's task: its cost stays joint's constant.
      expect(br.generator_constant).toEqual(OPTIONS);
      for (const id of OPTIONS) {
        const [lo, hi] = br.costs[id]!;
        expect(lo.repeats).toBe(3);
        expect(hi.repeats).toBe(3);
        expect(lo.client_ns).toBeNull();
        // The lab's cost per request falls as the load rises (docs/calibration.md).
        expect(hi.server_ns!).toBeLessThan(lo.server_ns!);
      }
      // joint's split (its generator constant) is still made, and reproduces the costs it splits.
      const b = rep.cpu_budget!;
      expect(b.method).toBe('least squares');
      expect(b.kernel_scale).toBeGreaterThan(0.2);
      expect(b.kernel_scale).toBeLessThan(0.9);
      for (const r of Object.values(b.residual_ns)) {
        expect(Math.abs(r.server!)).toBeLessThan(2_500);
        expect(Math.abs(r.client!)).toBeLessThan(2_500);
      }
      for (const o of rep.options) {
        const ends = o.fixed_overrides_by_rate!;
        for (const [i, end] of ends.entries()) {
          expect(end['host.apps.nginx.cost_ns_per_request']).toBe(Math.round(br.budgets[i]!.app_ns.nginx!));
          expect(end['host.apps.nginx.cost_ns_per_wakeup']).toBe(20_000);
          expect(end['workload.connections']).toBe(10);
          // The generator keeps joint's regression: its background on its send loop's ticks, and
          // its own cost split 0.4 / 0.6 between write and read.
          expect(end['host.apps.tcpkali.send_timer.cost_ns_per_tick']).toBe(
            Math.round(o.counter_costs.generator!.ns_per_tick!),
          );
          expect(end['host.apps.tcpkali.cost_ns_per_read']).toBe(
            Math.round(0.6 * rep.cpu_budget!.app_ns.generator!),
          );
          expect(end['host.apps.tcpkali.cost_ns_per_write']).toBe(
            Math.round(0.4 * rep.cpu_budget!.app_ns.generator!),
          );
        }
        expect(o.counter_costs.generator?.ns_per_tick).toBeGreaterThan(0);
      }
    });

    it('writes a fitted profile that simulate --profile reproduces the held-out prediction with', async () => {
      const profile = FittedProfile.parse(labFittedProfile(rep));
      const keys = [
        ...Object.keys(profile.params),
        ...Object.values(profile.option_params).flatMap((m) => Object.keys(m)),
      ];
      expect(keys.some((k) => k.startsWith('lab.'))).toBe(false);
      expect(profile.option_params['net-host']?.['host.apps.tcpkali.cost_ns_per_read']?.source).toBe(
        'regression',
      );
      // nginx's cost per request differs between the calibration rates: written with both values.
      for (const o of rep.options)
        expect(
          profile.option_params[o.option]?.['host.apps.nginx.cost_ns_per_request']?.by_rate?.rates_rps,
        ).toEqual([4000, 16000]);
      const dir = mkdtempSync(join(tmpdir(), 'cnisim-labfit-'));
      try {
        const file = join(dir, 'fit.json');
        writeFileSync(file, JSON.stringify(profile));
        const sim = await loadSimulate();
        for (const o of rep.options) {
          // The acceptance predicts with seed + 1, 20 000 requests, one replication.
          const r = await sim({
            option: o.option,
            host: 'netns-lab',
            rate_rps: o.held_out_rate,
            response_bytes: 350,
            profile: file,
            requests: 20_000,
            seed: 2,
            replications: 1,
            workers: 0,
          });
          expect(r.latency_ms?.p50).toBe(o.p50.predicted_ms);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('measures the maximum as the model defines it (open-loop searches), leaving out the disturbed one', () => {
      for (const o of rep.options) {
        expect(o.max_rate.measured_by).toBe('open-loop search');
        expect(o.max_rate.searches).toHaveLength(4);
        expect(o.max_rate.searches_used).toHaveLength(3);
        expect(o.max_rate.searches_used.some((id) => id.startsWith('olmax-r0/'))).toBe(false);
        // The same calibration gives the same simulated maximum whichever rate is held out.
        expect(report(beyond)(o.option).max_rate.predicted_rps).toBe(o.max_rate.predicted_rps);
      }
    });

    // p50 at 8000: host-gw -3.0 % and vxlan +12.0 % (met), net-host +22.3 % (missed). Maximum:
    // host-gw +1.2 %, net-host -8.5 % (met), vxlan -11.4 % (missed: 31000 vs 35000/s).
    for (const id of ['flannel-host-gw', 'flannel-vxlan'])
      it(`${id}: p50 at 8000 rps within ${100 * P50_TARGET} %`, () => {
        expect(Math.abs(opt(id).p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
      });
    for (const id of ['flannel-host-gw', 'net-host'])
      it(`${id}: maximum rate within ${100 * MAX_RATE_TARGET} %`, () => {
        expect(Math.abs(opt(id).max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
      });
    it.fails(`flannel-vxlan: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -11.4 %: 31000 against 35000/s)`, () => {
      expect(Math.abs(opt('flannel-vxlan').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`net-host: p50 at 8000 rps within ${100 * P50_TARGET} % (measured +22.3 %: 0.116 ms against repeats 0.108, 0.094, 0.095 ms)`, () => {
      expect(Math.abs(opt('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });

    // Beyond the calibration rates: missed (measured errors in the titles). docs/calibration.md.
    it.fails(`net-host: p50 at 32000 rps within ${100 * P50_TARGET} % (measured +35.2 %: 0.588 ms against repeats 0.455, 0.373, 0.435 ms)`, () => {
      expect(Math.abs(report(beyond)('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-host-gw: p50 at 32000 rps within ${100 * P50_TARGET} % (measured +48.3 %: 0.993 ms against repeats 0.754, 0.627, 0.670 ms)`, () => {
      expect(Math.abs(report(beyond)('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-vxlan: p50 at 32000 rps within ${100 * P50_TARGET} % (measured: the model saturates at 32000, which the lab carried at p50 0.729-1.137 ms)`, () => {
      expect(report(beyond)('flannel-vxlan').p50.rel_error).not.toBeNull();
    });
  },
);

/**
 * Every recording, both designs. Narrow: calibrate at 4000 and 16000/s, predict 8000/s. Wide:
 * calibrate at 4000 and 32000/s (the lowest and highest rate of the recording), predict its middle
 * rate. Both predict the maximum against the recording's own open-loop searches (lab-span: the
 * searches of lab/max-rate-open-loop). The errors (seed 1) are in the titles: a met target is
 * asserted, a missed one is `it.fails`, so a change of the model that moves either shows up here.
 * RECORDING.txt in each fixture directory says when and how it was recorded; the wide design was
 * chosen on lab-span and tested on lab-wide-1 and lab-wide-2, recorded after that choice.
 */
type Errors = Record<string, { p50: number | null; max: number }>;
const RECORDINGS: {
  name: string;
  dirs: string[];
  heldOut: number;
  calibrationRates: [number, number];
  measured: Errors;
}[] = [
  {
    name: 'lab-replication (16:03 UTC), narrow',
    dirs: ['lab-replication'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: -5.2, max: -6.3 },
      'flannel-host-gw': { p50: -6.8, max: -3.3 },
      'flannel-vxlan': { p50: -12.3, max: -6.7 },
    },
  },
  {
    name: 'lab-replication-2 (16:35 UTC), narrow',
    dirs: ['lab-replication-2'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: 20.9, max: -16.7 },
      'flannel-host-gw': { p50: -8.9, max: -2.4 },
      'flannel-vxlan': { p50: -13.7, max: -20.3 },
    },
  },
  {
    name: 'lab-span (15:27 UTC), wide, predicting 8000',
    dirs: ['lab-span', 'lab/max-rate-open-loop'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 20.8, max: 3.4 },
      'flannel-host-gw': { p50: -5.4, max: 6.1 },
      'flannel-vxlan': { p50: 9.4, max: -7.1 },
    },
  },
  {
    name: 'lab-span (15:27 UTC), wide, predicting 16000',
    dirs: ['lab-span', 'lab/max-rate-open-loop'],
    heldOut: 16000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -10.0, max: 3.4 },
      'flannel-host-gw': { p50: -12.8, max: 6.1 },
      'flannel-vxlan': { p50: -13.4, max: -7.1 },
    },
  },
  {
    name: 'lab-wide-1 (16:53 UTC), wide',
    dirs: ['lab-wide-1'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -14.9, max: -1.5 },
      'flannel-host-gw': { p50: -17.4, max: 5.6 },
      'flannel-vxlan': { p50: -11.3, max: 0.0 },
    },
  },
  {
    name: 'lab-wide-2 (17:08 UTC), wide',
    dirs: ['lab-wide-2'],
    heldOut: 16000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 12.1, max: -24.2 },
      'flannel-host-gw': { p50: -13.4, max: -5.7 },
      'flannel-vxlan': { p50: -7.2, max: -5.5 },
    },
  },
  {
    name: 'lab-bursts (19:01 UTC), wide',
    dirs: ['lab-bursts'],
    heldOut: 16000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 6.0, max: -1.6 },
      'flannel-host-gw': { p50: 2.8, max: 3.4 },
      'flannel-vxlan': { p50: -0.3, max: -2.8 },
    },
  },
  {
    name: 'lab-bursts-2 (19:16 UTC), wide',
    dirs: ['lab-bursts-2'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -17.2, max: -1.6 },
      'flannel-host-gw': { p50: -6.6, max: -2.2 },
      'flannel-vxlan': { p50: -8.4, max: -11.8 },
    },
  },
  {
    name: 'lab-bursts-3 (19:51 UTC), narrow',
    dirs: ['lab-bursts-3'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: -6.4, max: -7.9 },
      'flannel-host-gw': { p50: -9.1, max: -2.3 },
      'flannel-vxlan': { p50: 0.7, max: -7.0 },
    },
  },
  {
    name: 'lab-wakeups (22:04 UTC), wide',
    dirs: ['lab-wakeups'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 6.3, max: -6.2 },
      'flannel-host-gw': { p50: -5.4, max: -2.2 },
      'flannel-vxlan': { p50: -9.0, max: -1.4 },
    },
  },
  {
    name: 'lab-wakeups-2 (22:19 UTC), narrow',
    dirs: ['lab-wakeups-2'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: -12.1, max: -6.3 },
      'flannel-host-gw': { p50: -7.6, max: -11.9 },
      'flannel-vxlan': { p50: -7.2, max: -12.7 },
    },
  },
  {
    name: 'lab-wakeups-3 (22:40 UTC), wide, predicting 16000',
    dirs: ['lab-wakeups-3'],
    heldOut: 16000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -4.2, max: 4.7 },
      'flannel-host-gw': { p50: -14.7, max: 3.4 },
      'flannel-vxlan': { p50: -15.7, max: -6.9 },
    },
  },
  {
    name: 'lab-byrate-1 (27 Nov, 00:31 UTC, after by-rate), wide, predicting 16000',
    dirs: ['lab-byrate-1'],
    heldOut: 16000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 5.5, max: -14.1 },
      'flannel-host-gw': { p50: -14.1, max: -5.6 },
      'flannel-vxlan': { p50: -4.8, max: -4.2 },
    },
  },
  {
    name: 'lab-byrate-2 (27 Nov, 00:55 UTC, after by-rate and the held share), narrow',
    dirs: ['lab-byrate-2'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: -4.3, max: -4.6 },
      'flannel-host-gw': { p50: 1.0, max: -11.6 },
      'flannel-vxlan': { p50: 8.5, max: -25.7 },
    },
  },
  {
    name: 'lab-byrate-3 (27 Nov, 01:09 UTC, after by-rate and the held share), wide',
    dirs: ['lab-byrate-3'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -6.6, max: -4.8 },
      'flannel-host-gw': { p50: -7.4, max: -7.8 },
      'flannel-vxlan': { p50: -10.8, max: -16.0 },
    },
  },
  {
    name: 'lab-blocked-1 (27 Nov, 02:26 UTC, run order by repeat), wide',
    dirs: ['lab-blocked-1'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 24.5, max: 3.2 },
      'flannel-host-gw': { p50: 10.8, max: 5.6 },
      'flannel-vxlan': { p50: -1.5, max: 2.9 },
    },
  },
  {
    name: 'lab-blocked-2 (27 Nov, 02:42 UTC, run order by repeat), narrow',
    dirs: ['lab-blocked-2'],
    heldOut: 8000,
    calibrationRates: [4000, 16000],
    measured: {
      'net-host': { p50: -12.2, max: -15.6 },
      'flannel-host-gw': { p50: -10.6, max: -8.0 },
      'flannel-vxlan': { p50: -12.8, max: -14.9 },
    },
  },
  {
    name: 'lab-blocked-3 (27 Nov, 03:09 UTC, run order by repeat), wide',
    dirs: ['lab-blocked-3'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 11.1, max: 1.6 },
      'flannel-host-gw': { p50: 1.2, max: -5.4 },
      'flannel-vxlan': { p50: -11.4, max: -7.0 },
    },
  },
  {
    name: 'lab-blocked-4 (27 Nov, 03:24 UTC, run order by repeat), wide',
    dirs: ['lab-blocked-4'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 1.8, max: -7.7 },
      'flannel-host-gw': { p50: -7.3, max: -3.4 },
      'flannel-vxlan': { p50: -3.9, max: -4.3 },
    },
  },
  {
    name: 'lab-blocked-5 (27 Nov, 03:38 UTC, run order by repeat), wide',
    dirs: ['lab-blocked-5'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 16.8, max: -7.7 },
      'flannel-host-gw': { p50: -12.1, max: -1.3 },
      'flannel-vxlan': { p50: -9.9, max: -1.6 },
    },
  },
  {
    name: 'lab-blocked-6 (27 Nov, 04:13 UTC, run order by repeat), wide',
    dirs: ['lab-blocked-6'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 16.9, max: 3.2 },
      'flannel-host-gw': { p50: 0.4, max: -5.4 },
      'flannel-vxlan': { p50: -18.8, max: -9.3 },
    },
  },
  {
    name: 'lab-long-1 (27 Nov, 05:19 UTC, steps of 20 s), wide',
    dirs: ['lab-long-1'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -13.8, max: -1.6 },
      'flannel-host-gw': { p50: -10.2, max: -2.2 },
      'flannel-vxlan': { p50: -12.4, max: -5.6 },
    },
  },
  {
    name: 'lab-five-1 (27 Nov, 05:55 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-1'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -14.1, max: -8.3 },
      'flannel-host-gw': { p50: -13.0, max: -4.6 },
      'flannel-vxlan': { p50: -8.9, max: -11.0 },
    },
  },
  {
    name: 'lab-five-2 (27 Nov, 06:20 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-2'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 3.2, max: -4.9 },
      'flannel-host-gw': { p50: -2.6, max: -3.4 },
      'flannel-vxlan': { p50: -2.9, max: -8.5 },
    },
  },
  {
    name: 'lab-five-3 (27 Nov, 06:45 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-3'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -3.5, max: -4.8 },
      'flannel-host-gw': { p50: -13.6, max: -3.4 },
      'flannel-vxlan': { p50: -7.4, max: -8.6 },
    },
  },
  {
    name: 'lab-five-4 (27 Nov, 07:48 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-4'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 3.1, max: -1.6 },
      'flannel-host-gw': { p50: -1.4, max: 2.4 },
      'flannel-vxlan': { p50: -4.1, max: -5.8 },
    },
  },
  {
    name: 'lab-five-5 (27 Nov, 08:10 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-5'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 2.9, max: -1.6 },
      'flannel-host-gw': { p50: -3.5, max: 8.3 },
      'flannel-vxlan': { p50: 3.5, max: -2.9 },
    },
  },
  {
    name: 'lab-five-6 (27 Nov, 08:31 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-6'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 7.1, max: 1.6 },
      'flannel-host-gw': { p50: -10.7, max: 1.1 },
      'flannel-vxlan': { p50: -9.9, max: -7.0 },
    },
  },
  {
    name: 'lab-five-7 (27 Nov, 08:52 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-7'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: -6.9, max: 4.8 },
      'flannel-host-gw': { p50: -9.4, max: -1.1 },
      'flannel-vxlan': { p50: -9.9, max: -2.8 },
    },
  },
  {
    name: 'lab-five-8 (27 Nov, 09:35 UTC, five repeats of 10 s), wide',
    dirs: ['lab-five-8'],
    heldOut: 8000,
    calibrationRates: [4000, 32000],
    measured: {
      'net-host': { p50: 2.8, max: -4.7 },
      'flannel-host-gw': { p50: -5.3, max: 3.6 },
      'flannel-vxlan': { p50: -7.0, max: -4.3 },
    },
  },
];

const fmt = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)} %`;

for (const rec of RECORDINGS)
  describe.skipIf(skip !== null)(
    `${rec.name}: calibrate at ${rec.calibrationRates.join(' and ')} rps`,
    () => {
      let rep: LabAcceptanceReport;
      let opt: ReturnType<typeof report>;

      beforeAll(async () => {
        rep = await labAcceptance(
          loadLabelledRecords(rec.dirs.map((d) => resolve(import.meta.dirname, 'fixtures', d))),
          { seed: 1, heldOut: rec.heldOut, calibrationRates: rec.calibrationRates },
        );
        opt = report(rep);
        log(rep);
      }, 120_000);

      it(`calibrates on ${rec.calibrationRates.join(' and ')} only and measures the maximum by open-loop searches`, () => {
        expect(rep.options.map((o) => o.option)).toEqual(OPTIONS);
        for (const o of rep.options) {
          expect(o.calibration_rates).toEqual(rec.calibrationRates);
          expect(o.held_out_rate).toBe(rec.heldOut);
          expect(o.max_rate.measured_by).toBe('open-loop search');
          expect(o.max_rate.searches_used.length).toBeGreaterThanOrEqual(3);
        }
        expect(new Set(rep.profile.runs.map((x) => x.rate_rps))).toEqual(new Set(rec.calibrationRates));
      });

      const withBursts = rec.dirs.some((d) => /^lab-(bursts|wakeups|byrate|blocked|long|five)/.test(d));
      it(
        withBursts
          ? "compares the generator's bursts: with its loop fitted to the lab's counts the model ticks within 15 % of the lab; without, less often and with more sends per tick (docs/calibration.md)"
          : 'has no burst records (recorded before the generator reported them)',
        () => {
          for (const o of rep.options) {
            if (!withBursts) {
              expect(o.p50.bursts).toBeNull();
              continue;
            }
            const b = o.p50.bursts!;
            // Every measured request of the repeats (at least 3 of at least 5 s) counted once, at some position.
            expect(b.measured.by_position.reduce((n, x) => n + x.requests, 0)).toBeGreaterThan(
              0.97 * 3 * 5 * rec.heldOut,
            );
            expect(b.predicted).not.toBeNull();
            if (SLACK_PATH in o.fixed_overrides) {
              // The generator's sleeps were counted: its loop's slack was fitted to the lab's ticks
              // at the lowest rate; at the held-out rate the ticks and the sends per tick stay within
              // 15 % of the lab's (measured: up to 11.4 % off, lab-wakeups-3 net-host 745 against
              // 840 ticks/s; the lab's own repeats span 8 %, lab-wakeups 798-858 ticks/s).
              const rel = (x: number, y: number) => Math.abs(x - y) / y;
              expect(rel(b.predicted!.ticks_per_s, b.measured.ticks_per_s)).toBeLessThan(0.15);
              expect(rel(b.predicted!.sends_per_tick_mean, b.measured.sends_per_tick_mean)).toBeLessThan(
                0.15,
              );
              expect(o.p50.wakeups?.measured.generator).toBeGreaterThan(0);
            } else {
              expect(b.measured.ticks_per_s).toBeGreaterThan(b.predicted!.ticks_per_s);
              expect(b.measured.sends_per_tick_mean).toBeLessThan(b.predicted!.sends_per_tick_mean);
            }
          }
        },
      );

      for (const id of OPTIONS) {
        const m = rec.measured[id]!;
        const p50Met = m.p50 !== null && Math.abs(m.p50) <= 100 * P50_TARGET;
        const maxMet = Math.abs(m.max) <= 100 * MAX_RATE_TARGET;
        const p50Title = `${id}: p50 at ${rec.heldOut} rps within ${100 * P50_TARGET} % (measured ${m.p50 === null ? 'saturated' : fmt(m.p50)})`;
        const maxTitle = `${id}: maximum rate within ${100 * MAX_RATE_TARGET} % (measured ${fmt(m.max)})`;
        const p50Check = () => {
          expect(opt(id).p50.rel_error).not.toBeNull();
          expect(Math.abs(opt(id).p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
        };
        const maxCheck = () =>
          expect(Math.abs(opt(id).max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
        (p50Met ? it : it.fails)(p50Title, p50Check);
        (maxMet ? it : it.fails)(maxTitle, maxCheck);
        it(`${id}: the errors are the ones documented (p50 ${m.p50 === null ? 'saturated' : fmt(m.p50)}, max ${fmt(m.max)})`, () => {
          // Rounded to 0.1 %, as in docs/calibration.md: the simulation is deterministic for a seed.
          const p = opt(id).p50.rel_error;
          expect(p === null ? null : Math.round(1000 * p) / 10 + 0).toBe(m.p50);
          expect(Math.round(1000 * opt(id).max_rate.rel_error) / 10 + 0).toBe(m.max);
        });
      }
    },
  );

describe.skipIf(skip !== null)(
  'low-rate design: calibrate at 1000 and 2000 rps, predict 4000 and the maximum',
  () => {
    let rep: LabAcceptanceReport;

    beforeAll(async () => {
      rep = await labAcceptance(loadLabelledRecords([FIXTURES]), { seed: 1 });
      log(rep);
    }, 120_000);

    it('cannot separate nginx’s wake-ups at 1000-2000/s (they hardly change), so the low-load cost is extrapolated', () => {
      for (const o of rep.options) {
        expect(o.calibration_rates).toEqual([1000, 2000]);
        expect(o.held_out_rate).toBe(4000);
        expect(o.counter_costs.nginx?.method).toBe('regression');
        expect(o.counter_costs.nginx?.ns_per_wakeup).toBeNull();
        expect(o.counter_costs.notes.join('\n')).toMatch(/wake-up cost not separable/);
      }
    });

    // Met: net-host +1.1 %, host-gw -4.9 %; missed: vxlan -15.0 % (0.144 ms against repeats 0.170,
    // 0.176, 0.163 ms).
    for (const id of ['net-host', 'flannel-host-gw'])
      it(`${id}: p50 at 4000 rps within ${100 * P50_TARGET} %`, () => {
        expect(Math.abs(report(rep)(id).p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
      });
    it.fails(`flannel-vxlan: p50 at 4000 rps within ${100 * P50_TARGET} % (measured -15.0 %, beyond 15 % before rounding)`, () => {
      expect(Math.abs(report(rep)('flannel-vxlan').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });

    it('underpredicts the net-host maximum by more than the target: the low rates do not show the high-rate cost', () => {
      // Measured -53.4 % (27500 vs 59000/s); host-gw -32.9 %, vxlan -21.4 %: nginx's costs at 1000
      // and 2000/s (25.9 and 28.2 us, rising) extrapolated over five doublings. docs/calibration.md.
      expect(report(rep)('net-host').max_rate.rel_error).toBeLessThan(-MAX_RATE_TARGET);
    });
  },
);
