/**
 * Lab acceptance (issue 5) on checked-in namespace-lab records, all taken on 26 Nov 2026 on a quiet
 * machine with the generator that stamps each request right after its own write:
 *   fixtures/lab/*.json        one harness run (12:55 UTC): net-host, flannel-host-gw and
 *                              flannel-vxlan at 1000, 2000 and 4000 requests/s, 5 s each, 3 repeats,
 *                              plus 3 wrk maximum-rate steps per option (HARNESS-LOG.txt, HARNESS-TABLE.txt);
 *   fixtures/lab/max-rate-open-loop/olmax-r{0..3}/
 *                              open-loop maximum-rate searches, one per option and repeat
 *                              (RECORDING.txt: olmax-r0 was disturbed and is left out of the median).
 * Calibrates on 1000 and 2000, predicts 4000's p50 and the maximum rate (the highest offered rate
 * carried, as the model defines it: against the open-loop searches; wrk's closed-loop figure is
 * reported beside it). The counter costs are net of the model's own work on each process's CPU
 * (costBasis 'cpu': with veth the receive runs in the sender's context, and the counters include it).
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
let skip: string | null = null;
try {
  await loadSimulate();
} catch (err) {
  skip = err instanceof Error ? err.message : String(err);
}
if (skip) console.log(`lab acceptance skipped: ${skip}`);

const pct = (x: number | null) => (x === null ? 'saturated' : `${(100 * x).toFixed(1)} %`);

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
          `${o.option}: p50 error ${pct(o.p50.rel_error)} (${o.p50.predicted_ms?.toFixed(3)} vs ${o.p50.measured_ms} ms), max-rate error ${pct(o.max_rate.rel_error)} (simulated ${o.max_rate.predicted_rps}/s vs open-loop ${o.max_rate.measured_rps}/s; wrk ${o.max_rate.wrk.measured_rps?.toFixed(0)}/s vs simulated with a C generator ${o.max_rate.wrk.predicted_rps_c_generator}/s)`,
        );
    }, 90_000);

    it('fits on the two lower rates only, never on the held-out rate or the maximum-rate steps', () => {
      expect(report.options.map((o) => o.option)).toEqual(['flannel-host-gw', 'flannel-vxlan', 'net-host']);
      for (const o of report.options) {
        expect(o.calibration_rates).toEqual([1000, 2000]);
        expect(o.held_out_rate).toBe(4000);
      }
      expect(new Set(report.profile.runs.map((r) => r.rate_rps))).toEqual(new Set([1000, 2000]));
      expect(report.profile.runs).toHaveLength(18);
      expect(report.profile.host).toBe('netns-lab');
    });

    it('takes nginx and generator costs from the exact counters, net of the model’s own work on their CPUs', () => {
      for (const o of report.options) {
        expect(o.counter_costs.nginx?.method).toBe('regression');
        expect(o.counter_costs.nginx?.points).toBe(6);
        expect(o.fixed_overrides['workload.connections']).toBe(10);
        // The model's whole marginal work on nginx's CPU (its app cost + the rest) is the counters'
        // marginal cost, unless the rest alone exceeds it (then the app cost is clipped at 0, noted).
        const nginx = o.counter_costs.nginx!.ns_per_request;
        const app = o.fixed_overrides['host.apps.nginx.cost_ns_per_request']!;
        if (o.model_other_ns.server <= nginx) expect(app + o.model_other_ns.server).toBeCloseTo(nginx, -1);
        else {
          expect(app).toBe(0);
          expect(report.notes.join('\n')).toMatch(
            new RegExp(`${o.option}: the model's own work in nginx's context`),
          );
        }
        const gen = o.counter_costs.generator!.ns_per_request;
        const write = o.fixed_overrides['host.apps.tcpkali.cost_ns_per_write']!;
        if (o.model_other_ns.client <= gen) expect(write + o.model_other_ns.client).toBeCloseTo(gen, -1);
      }
    });

    it('measures the maximum as the model defines it (open-loop searches), leaving out the disturbed one, with wrk beside it', () => {
      for (const o of report.options) {
        const m = o.max_rate;
        expect(m.measured_by).toBe('open-loop search');
        expect(m.searches).toHaveLength(4);
        expect(m.searches_used).toHaveLength(3);
        expect(m.searches_used.some((id) => id.startsWith('olmax-r0/'))).toBe(false);
        expect(m.wrk.repeats_rps).toHaveLength(3);
        expect(m.wrk.note).toMatch(/closed loop/);
        // On this quiet machine nginx ran >= 90 % of CPU 1 in every wrk step: the path bounded wrk too,
        // but wrk's 10 waiting connections carry less than the open-loop generator's offered rate.
        expect(m.wrk.diagnosis.every((d) => d.bound === 'nginx cpu')).toBe(true);
        expect(m.wrk.measured_rps!).toBeLessThan(m.measured_rps);
      }
    });

    // Met (measured +4.5 %: 0.158 ms against repeats 0.151, 0.149, 0.158 ms).
    it(`flannel-host-gw: p50 at 4000 rps within ${100 * P50_TARGET} %`, () => {
      expect(Math.abs(opt('flannel-host-gw').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });

    // Missed (measured errors in the titles): the targets stay the issue's. See docs/calibration.md.
    it.fails(`net-host: p50 at 4000 rps within ${100 * P50_TARGET} % (measured -15.4 %: 0.120 ms against repeats 0.120, 0.159, 0.142 ms)`, () => {
      expect(Math.abs(opt('net-host').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`flannel-vxlan: p50 at 4000 rps within ${100 * P50_TARGET} % (measured -18.3 %: 0.139 ms against repeats 0.170, 0.176, 0.163 ms)`, () => {
      expect(Math.abs(opt('flannel-vxlan').p50.rel_error!)).toBeLessThanOrEqual(P50_TARGET);
    });
    it.fails(`net-host: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -35.6 %: 38000 vs 59000/s open loop)`, () => {
      expect(Math.abs(opt('net-host').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`flannel-host-gw: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -36.6 %: 26000 vs 41000/s open loop)`, () => {
      expect(Math.abs(opt('flannel-host-gw').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });
    it.fails(`flannel-vxlan: maximum rate within ${100 * MAX_RATE_TARGET} % (measured -14.3 %: 30000 vs 35000/s open loop)`, () => {
      expect(Math.abs(opt('flannel-vxlan').max_rate.rel_error)).toBeLessThanOrEqual(MAX_RATE_TARGET);
    });

    it('underpredicts every maximum: the lab’s cost per request falls with the rate, the model’s marginal one does not', () => {
      // The direction is the finding (docs/calibration.md): measured in the held-out search steps,
      // nginx's cost per request at the maximum is well below its marginal cost at 1000-2000/s.
      for (const o of report.options) expect(o.max_rate.predicted_rps).toBeLessThan(o.max_rate.measured_rps);
    });
  },
);
