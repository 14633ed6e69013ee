/**
 * Lab acceptance (issue 5) on checked-in namespace-lab records, all taken on 26 Nov 2026 on a quiet
 * machine with the generator that stamps each request right after its own write:
 *   fixtures/lab-span/*.json   net-host, flannel-host-gw and flannel-vxlan at 4000, 8000, 16000 and
 *                              32000 requests/s, 5 s each, 3 repeats (RECORDING.txt: 15:27-15:31 UTC);
 *   fixtures/lab/max-rate-open-loop/olmax-r{0..3}/
 *                              open-loop maximum-rate searches, one per option and repeat
 *                              (RECORDING.txt: olmax-r0 was disturbed and is left out of the median);
 *   fixtures/lab/*.json        the earlier low-rate runs (1000, 2000, 4000/s) with wrk maxima.
 *   fixtures/lab-replication/  a second live recording (bench lab-calibration, 16:03-16:17 UTC):
 *                              4000/8000/16000 x 3, wrk and open-loop searches (RECORDING.txt).
 * Designs: calibrate on 4000 and 16000 and predict 8000's p50 (between them) and the maximum rate
 * (the highest offered rate carried, as the model defines it: against the open-loop searches); the
 * same calibration predicting 32000 (beyond them); calibrate on 1000 and 2000 and predict 4000.
 * Cost basis `joint` (calibration/lab-cpu-budget.ts), nginx regressed on rate and wake-ups
 * (calibration/lab-costs.ts), the generator's write/read split fitted (lab-params.ts).
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
        // Host parameters and the generator's split only: the options' kernel costs come from the counters.
        expect(Object.keys(r.profile.option_params)).toHaveLength(0);
        expect(Object.keys(r.profile.params)).toContain('lab.generator_read_share');
      }
      expect(rep.options.map((o) => o.held_out_rate)).toEqual([8000, 8000, 8000]);
      expect(beyond.options.map((o) => o.held_out_rate)).toEqual([32000, 32000, 32000]);
    });

    it('splits the counter costs jointly: shared app costs, one kernel factor, nginx’s wake-ups separated', () => {
      expect(rep.cost_basis).toBe('joint');
      const b = rep.cpu_budget!;
      expect(b.method).toBe('least squares');
      // The lab's kernel runs the profile's stages faster (a factor well inside (0, 1)) ...
      expect(b.kernel_scale).toBeGreaterThan(0.2);
      expect(b.kernel_scale).toBeLessThan(0.9);
      // ... and 3 unknowns reproduce the 6 measured costs within 2.5 us per request (of 15-30 us).
      for (const r of Object.values(b.residual_ns)) {
        expect(Math.abs(r.server!)).toBeLessThan(2_500);
        expect(Math.abs(r.client!)).toBeLessThan(2_500);
      }
      for (const o of rep.options) {
        expect(o.counter_costs.nginx?.method).toBe('regression on rate and wake-ups');
        expect(o.fixed_overrides['host.apps.nginx.cost_ns_per_request']).toBe(Math.round(b.app_ns.nginx!));
        expect(o.fixed_overrides['host.apps.nginx.cost_ns_per_wakeup']).toBe(
          Math.round(o.counter_costs.nginx!.ns_per_wakeup!),
        );
        expect(o.fixed_overrides['workload.connections']).toBe(10);
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

    // Met. p50 at 8000: net-host +9.8 %, host-gw -13.1 %, vxlan +6.3 % (seeds 2 and 3: +4.0 / -10.7 /
    // +8.6 % and +11.8 / -12.3 / +6.3 %). Maximum: -3.4 %, -1.2 %, and vxlan -10.0 %, at the limit
    // (31500 vs 35000/s; the searches bisect to 2 %).
    for (const id of OPTIONS) {
      it(`${id}: p50 at 8000 rps within ${100 * P50_TARGET} %`, () => {
        expect(Math.abs(opt(id).p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
      });
      it(`${id}: maximum rate within ${100 * MAX_RATE_TARGET} %`, () => {
        expect(Math.abs(opt(id).max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
      });
    }

    // Beyond the calibration rates: missed (measured errors in the titles). docs/calibration.md.
    it.fails(`net-host: p50 at 32000 rps within ${100 * P50_TARGET} % (measured +40.8 %: 0.612 ms against repeats 0.455, 0.373, 0.435 ms)`, () => {
      expect(Math.abs(report(beyond)('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-host-gw: p50 at 32000 rps within ${100 * P50_TARGET} % (measured +45.6 %: 0.975 ms against repeats 0.754, 0.627, 0.670 ms)`, () => {
      expect(Math.abs(report(beyond)('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-vxlan: p50 at 32000 rps within ${100 * P50_TARGET} % (measured: the model saturates at 32000, which the lab carried at p50 0.729-1.137 ms)`, () => {
      expect(report(beyond)('flannel-vxlan').p50.rel_error).not.toBeNull();
    });
  },
);

describe.skipIf(skip !== null)(
  'replication: a second live recording (bench lab-calibration), same design',
  () => {
    // fixtures/lab-replication (RECORDING.txt): 4000/8000/16000 x 3 repeats + wrk + open-loop searches,
    // 16:03-16:17 UTC. Calibrate on 4000 and 16000, predict 8000 and the maximum, as the bench does.
    let rep: LabAcceptanceReport;
    let opt: ReturnType<typeof report>;

    beforeAll(async () => {
      rep = await labAcceptance(
        loadLabelledRecords([resolve(import.meta.dirname, 'fixtures/lab-replication')]),
        {
          seed: 1,
          heldOut: 'middle',
        },
      );
      opt = report(rep);
      log(rep);
    }, 120_000);

    it('uses the same design: 4000 and 16000 calibrate, 8000 is predicted, the maximum by its own searches', () => {
      for (const o of rep.options) {
        expect(o.calibration_rates).toEqual([4000, 16000]);
        expect(o.held_out_rate).toBe(8000);
        expect(o.max_rate.measured_by).toBe('open-loop search');
        expect(o.max_rate.searches_used).toHaveLength(3);
      }
    });

    // Met: net-host maximum -3.2 % (61000 vs 63000/s), flannel-host-gw p50 -13.5 %.
    it(`net-host: maximum rate within ${100 * MAX_RATE_TARGET} %`, () => {
      expect(Math.abs(opt('net-host').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it(`flannel-host-gw: p50 at 8000 rps within ${100 * P50_TARGET} %`, () => {
      expect(Math.abs(opt('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    // Missed: the lab moved between the recordings (RECORDING.txt); the targets stay the issue's.
    it.fails(`net-host: p50 at 8000 rps within ${100 * P50_TARGET} % (measured -21.1 %: 0.098 ms against repeats 0.156, 0.124, 0.110 ms)`, () => {
      expect(Math.abs(opt('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-vxlan: p50 at 8000 rps within ${100 * P50_TARGET} % (measured -25.1 %: 0.150 ms against repeats 0.201, 0.205, 0.195 ms)`, () => {
      expect(Math.abs(opt('flannel-vxlan').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-host-gw: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -10.9 %: 41000 vs 46000/s)`, () => {
      expect(Math.abs(opt('flannel-host-gw').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`flannel-vxlan: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -17.3 %: 31000 vs 37500/s)`, () => {
      expect(Math.abs(opt('flannel-vxlan').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
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

    // Met: -0.3 %, -4.6 %, -13.6 % (net-host, host-gw, vxlan).
    for (const id of OPTIONS)
      it(`${id}: p50 at 4000 rps within ${100 * P50_TARGET} %`, () => {
        expect(Math.abs(report(rep)(id).p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
      });

    it('underpredicts the net-host maximum by more than the target: the low rates do not show the high-rate cost', () => {
      // Measured -37.3 % (37000 vs 59000/s); host-gw -13.4 %, vxlan -4.3 %. docs/calibration.md.
      expect(report(rep)('net-host').max_rate.rel_error).toBeLessThan(-MAX_RATE_TARGET);
    });
  },
);
