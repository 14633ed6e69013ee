/**
 * Lab acceptance (issue 5) on checked-in namespace-lab records, all taken on 26 Nov 2026 on a quiet
 * machine with the generator that stamps each request right after its own write:
 *   fixtures/lab-span/*.json   net-host, flannel-host-gw and flannel-vxlan at 4000, 16000 and 32000
 *                              requests/s, 5 s each, 3 repeats (RECORDING.txt: 15:08-15:11 UTC);
 *   fixtures/lab/max-rate-open-loop/olmax-r{0..3}/
 *                              open-loop maximum-rate searches, one per option and repeat
 *                              (RECORDING.txt: olmax-r0 was disturbed and is left out of the median);
 *   fixtures/lab/*.json        the earlier low-rate runs (1000, 2000, 4000/s) with wrk maxima.
 * Main design: calibrate on 4000 and 16000, predict 32000's p50 and the maximum rate (the highest
 * offered rate carried, as the model defines it: against the open-loop searches). The counter costs
 * are split jointly over the options (cost basis `joint`, calibration/lab-cpu-budget.ts), nginx's
 * regressed on the rate and its wake-ups (calibration/lab-costs.ts).
 *
 * The simulation is deterministic for a seed, so each error below is a fixed number for these
 * records and this simulator: the targets the model meets are asserted as targets (15 % and 10 %);
 * the ones it misses are `it.fails` with the measured error in the title, never a loosened
 * tolerance. Skips, saying why, when the simulator cannot be loaded.
 */
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type LabAcceptanceReport,
  labAcceptance,
  MAX_RATE_TARGET,
  P50_TARGET,
} from '../../calibration/lab-acceptance.ts';
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

describe.skipIf(skip !== null)(
  'lab acceptance: calibrate at 4000 and 16000 rps, predict 32000 and the maximum',
  () => {
    let rep: LabAcceptanceReport;
    let opt: ReturnType<typeof report>;

    beforeAll(async () => {
      rep = await labAcceptance(loadLabelledRecords([SPAN, SEARCHES]), { seed: 1 });
      opt = report(rep);
      log(rep);
    }, 90_000);

    it('fits on the two lower rates only, never on the held-out rate or the search steps', () => {
      expect(rep.options.map((o) => o.option)).toEqual(['flannel-host-gw', 'flannel-vxlan', 'net-host']);
      for (const o of rep.options) {
        expect(o.calibration_rates).toEqual([4000, 16000]);
        expect(o.held_out_rate).toBe(32000);
      }
      expect(new Set(rep.profile.runs.map((r) => r.rate_rps))).toEqual(new Set([4000, 16000]));
      expect(rep.profile.runs).toHaveLength(18);
      expect(rep.profile.host).toBe('netns-lab');
      // Only host parameters are fitted to the percentiles: the options' kernel costs come from the counters.
      expect(Object.keys(rep.profile.option_params)).toHaveLength(0);
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
        expect(o.fixed_overrides['host.apps.tcpkali.cost_ns_per_write']).toBe(
          Math.round(b.app_ns.generator!),
        );
        expect(o.fixed_overrides['workload.connections']).toBe(10);
      }
    });

    it('measures the maximum as the model defines it (open-loop searches), leaving out the disturbed one', () => {
      for (const o of rep.options) {
        expect(o.max_rate.measured_by).toBe('open-loop search');
        expect(o.max_rate.searches).toHaveLength(4);
        expect(o.max_rate.searches_used).toHaveLength(3);
        expect(o.max_rate.searches_used.some((id) => id.startsWith('olmax-r0/'))).toBe(false);
      }
    });

    // Met (measured -3.4 %, 0.0 %, -7.1 %: 57000 vs 59000, 41000 vs 41000, 32500 vs 35000/s).
    for (const id of ['net-host', 'flannel-host-gw', 'flannel-vxlan'])
      it(`${id}: maximum rate within ${100 * MAX_RATE_TARGET} %`, () => {
        expect(Math.abs(opt(id).max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
      });

    // Missed (measured errors in the titles): the targets stay the issue's. See docs/calibration.md.
    it.fails(`net-host: p50 at 32000 rps within ${100 * P50_TARGET} % (measured -22.6 %: 0.371 ms against repeats 0.374, 0.525, 0.479 ms)`, () => {
      expect(Math.abs(opt('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-host-gw: p50 at 32000 rps within ${100 * P50_TARGET} % (measured -25.1 %: 0.488 ms against repeats 0.698, 0.643, 0.651 ms)`, () => {
      expect(Math.abs(opt('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-vxlan: p50 at 32000 rps within ${100 * P50_TARGET} % (measured +16.1 %: 1.246 ms against repeats 0.761, 1.073, 1.107 ms)`, () => {
      expect(Math.abs(opt('flannel-vxlan').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
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
    }, 90_000);

    it('cannot separate nginx’s wake-ups at 1000-2000/s (they hardly change), so the low-load cost is extrapolated', () => {
      for (const o of rep.options) {
        expect(o.calibration_rates).toEqual([1000, 2000]);
        expect(o.counter_costs.nginx?.method).toBe('regression');
        expect(o.counter_costs.nginx?.ns_per_wakeup).toBeNull();
      }
      expect(
        rep.notes.join('\n') + rep.options.map((o) => o.counter_costs.notes.join('\n')).join('\n'),
      ).toMatch(/wake-up cost not separable/);
    });

    it('underpredicts the net-host maximum by more than the target: the low rates do not show the high-rate cost', () => {
      // The finding behind the main design (docs/calibration.md): measured -38.1 % (36500 vs 59000/s).
      const o = report(rep)('net-host');
      expect(o.max_rate.rel_error).toBeLessThan(-MAX_RATE_TARGET);
    });
  },
);
