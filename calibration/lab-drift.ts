/**
 * The lab's drift between its calibration steps and its maximum-rate searches (diagnostic: nothing
 * here is fitted or changes a prediction).
 *
 * The predicted maximum extrapolates nginx's CPU per request measured in the calibration steps; the
 * measured maximum comes from the searches, which run minutes later. When a search offered one of
 * the calibration rates, the same quantity, nginx's CPU per request net of its wake-ups (as
 * lab-cost-by-rate.ts computes it), is measured twice at one rate: their ratio is how far the
 * machine moved between the two, and the maximum's error inherits it (a calibration 10 % slower
 * than the searches predicts a maximum about 10 % low). Over the fourteen recordings of 26-27 Nov
 * 2026 that ran all steps before the searches the ratio ran 0.91-1.19; over the six that ran each
 * repeat's steps and then its searches (harness/lab-run.ts runOrder), 0.91-1.05 (docs/calibration.md,
 * "The lab's drift").
 *
 * Cost: O(records).
 */
import { netCostNs } from './lab-cost-by-rate.ts';
import { nginxSample, type Sample } from './lab-costs.ts';
import type { LabOptionSplit } from './lab-records.ts';
import type { RunRecord } from '../harness/run-record.ts';

export interface DriftAtRate {
  rate_rps: number;
  /** nginx's CPU per request net of its wake-ups, ns: median over the calibration steps at this rate. */
  calibration_ns_per_request: number;
  /** The same over the searches' carried steps at this rate. */
  search_ns_per_request: number;
  /** calibration / search: above 1, the calibration steps ran slower than the searches. */
  ratio: number;
  calibration_steps: number;
  search_steps: number;
}

/**
 * Per calibration rate that a search also offered and carried: nginx's cost per request in both and
 * their ratio. Empty when no search step ran at a calibration rate (or without counters).
 */
export function driftAtCalibrationRates(split: LabOptionSplit, nginxWakeupNs: number): DriftAtRate[] {
  const samples = (records: RunRecord[]) => records.map(nginxSample).filter((x): x is Sample => x !== null);
  const searchSteps = split.open_loop_max.flatMap((s) => s.steps.map((lr) => lr.record));
  const out: DriftAtRate[] = [];
  for (const rate of split.calibration_rates) {
    const cal = samples(split.calibration.map((lr) => lr.record).filter((r) => r.requested_rps === rate));
    const search = samples(
      searchSteps.filter((r) => r.requested_rps === rate && r.max_rate_search?.verdict === 'carried'),
    );
    const c = netCostNs(cal, nginxWakeupNs);
    const s = netCostNs(search, nginxWakeupNs);
    if (c === null || s === null) continue;
    out.push({
      rate_rps: rate,
      calibration_ns_per_request: c,
      search_ns_per_request: s,
      ratio: c / s,
      calibration_steps: cal.length,
      search_steps: search.length,
    });
  }
  return out;
}
