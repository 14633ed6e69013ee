/**
 * Lab acceptance (issue 5) on checked-in namespace-lab records (fixtures/lab/: one harness run on
 * 26 Nov 2026, net-host, flannel-host-gw and flannel-vxlan at 1000, 2000 and 4000 requests/s, 5 s
 * each, 3 repeats, plus 3 wrk maximum-rate steps per option; HARNESS-LOG.txt is the harness's log).
 * Calibrates on 1000 and 2000, predicts 4000's p50 and the maximum rate. The host profile netns-lab
 * models the lab generator's 1 ms send timer (host.apps.tcpkali.send_timer.granularity_ns); the
 * errors below are measured with it (without it: p50 -17.4 % net-host, -29.8 % flannel-host-gw,
 * -14.9 % flannel-vxlan; maxima 43000, 25000, 11000/s).
 *
 * The simulation is deterministic for a seed, so each error below is a fixed number for these
 * records: the targets the model meets are asserted as targets (15 % and 10 %); the ones it misses
 * are `it.fails` with the measured error in the title, never a loosened tolerance.
 * Skips, saying why, when the simulator cannot be loaded.
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
let skip: string | null = null;
try {
  await loadSimulate();
} catch (err) {
  skip = err instanceof Error ? err.message : String(err);
}
if (skip) console.log(`lab acceptance skipped: ${skip}`);

describe.skipIf(skip !== null)(
  'lab acceptance: calibrate at 1000 and 2000 rps, predict 4000 and the maximum',
  () => {
    let report: LabAcceptanceReport;
    const opt = (id: string) => {
      const o = report.options.find((x) => x.option === id);
      if (!o) throw new Error(`no result for ${id}`);
      return o;
    };

    beforeAll(async () => {
      report = await labAcceptance(loadLabelledRecords([FIXTURES]), { seed: 1 });
      for (const o of report.options)
        console.log(
          `${o.option}: p50 error ${(100 * (o.p50.rel_error ?? Number.NaN)).toFixed(1)} %, max-rate error ${(100 * o.max_rate.rel_error).toFixed(1)} % (simulated ${o.max_rate.predicted_rps}/s vs wrk ${o.max_rate.measured_rps.toFixed(0)}/s)`,
        );
    }, 60_000);

    it('fits on the two lower rates only, never on the held-out rate or the wrk steps', () => {
      expect(report.options.map((o) => o.option)).toEqual(['flannel-host-gw', 'flannel-vxlan', 'net-host']);
      for (const o of report.options) {
        expect(o.calibration_rates).toEqual([1000, 2000]);
        expect(o.held_out_rate).toBe(4000);
      }
      expect(new Set(report.profile.runs.map((r) => r.rate_rps))).toEqual(new Set([1000, 2000]));
      expect(report.profile.host).toBe('netns-lab');
    });

    it('takes nginx and generator costs from the exact counters, by regression on the two rates', () => {
      for (const o of report.options) {
        expect(o.counter_costs.nginx?.method).toBe('regression');
        expect(o.counter_costs.nginx?.points).toBe(6);
        expect(o.fixed_overrides['host.apps.nginx.cost_ns_per_request']).toBeGreaterThan(0);
        expect(o.fixed_overrides['workload.connections']).toBe(10);
      }
    });

    it('says that the lab maximum is bounded by what shares the 2 vCPUs or by the closed loop, for every option', () => {
      for (const o of report.options) {
        expect(o.max_rate.wrk).toHaveLength(3);
        expect(o.max_rate.lab_bound_note).not.toBeNull();
      }
    });

    // Met with these records (measured: +10.8 %, 0.257 ms against repeats 0.265, 0.232, 0.214 ms).
    it(`flannel-vxlan: p50 at 4000 rps within ${100 * P50_TARGET} %`, () => {
      expect(Math.abs(opt('flannel-vxlan').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    // Met since the 1 ms send timer is modelled (measured: -8.9 %, 0.133 ms against repeats 0.138,
    // 0.146, 0.154 ms; -17.4 % without it).
    it(`net-host: p50 at 4000 rps within ${100 * P50_TARGET} %`, () => {
      expect(Math.abs(opt('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });

    // Missed (measured errors in the titles): the target stays the issue's.
    it.fails(`flannel-host-gw: p50 at 4000 rps within ${100 * P50_TARGET} % (measured -18.1 %: 0.164 ms against the median of 0.182, 0.200, 0.724 ms)`, () => {
      expect(Math.abs(opt('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    // The simulated maxima (C generator costs, as wrk) are above wrk's: the wrk steps were bounded by
    // the shared vCPUs or the closed loop (asserted above), which the model does not have.
    it.fails(`net-host: maximum rate within ${100 * MAX_RATE_TARGET} % (measured +174 %: 43000 vs 15700/s)`, () => {
      expect(Math.abs(opt('net-host').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`flannel-host-gw: maximum rate within ${100 * MAX_RATE_TARGET} % (measured +27 %: 16500 vs 12976/s)`, () => {
      expect(Math.abs(opt('flannel-host-gw').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`flannel-vxlan: maximum rate within ${100 * MAX_RATE_TARGET} % (measured +13 %: 10125 vs 8938/s)`, () => {
      expect(Math.abs(opt('flannel-vxlan').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });

    it('the Node generator cost on CPU 0 lowers the simulated maximum (it competes with softirq there)', () => {
      for (const o of report.options)
        expect(o.max_rate.predicted_rps_node_generator).toBeLessThan(o.max_rate.predicted_rps);
    });
  },
);
