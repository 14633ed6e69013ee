/**
 * The lab's CPU cost per request at each calibration rate, net of the wake-ups (cost basis
 * `by-rate`, lab-acceptance.ts).
 *
 * Why not one regression over the rates: the lab's cost per request falls as the load rises, and a
 * regression of busy time on rate and wake-ups (lab-costs.ts) can only express that fall through
 * the wake-ups, whose count also falls: it gave nginx 60-80 us and the generator 90-140 us per
 * wake-up. ftrace on the lab (docs/harness.md, "Tracing the lab") shows 10-44 us (nginx) and 15-47 us
 * (the generator) of work around each sleep over three traced runs, and per-operation costs that are
 * lower at the higher rate. So the wake-ups are charged at those measured costs (the host profile's
 * `host.apps.nginx.cost_ns_per_wakeup` and `host.apps.tcpkali.cost_ns_per_wakeup`), and the rest of
 * each process's busy time, divided by the rate, is its cost per request at that rate:
 *
 *   cost(R) = (busy(R) - cost_per_wakeup * wakeups(R)) / R      (median over the repeats at R)
 *
 * nginx's wake-ups are its schedstat timeslices; the generator's the times it slept (voluntary
 * switches of its own task, `counters.*.client_tasks`). Records without the generator's task give
 * no cost for it here (null: the caller keeps the regression's constant). The costs at the two
 * calibration rates are then split between the apps and the kernel path per rate (the joint split,
 * lab-cpu-budget.ts), and the model takes, at any rate, the split's values interpolated linearly in
 * log(rate) (model/param-by-rate.ts).
 *
 * Cost: O(records).
 */
import { generatorSample, nginxSample, type Sample } from './lab-costs.ts';
import type { LabelledRecord } from './records.ts';

export interface WakeupCosts {
  nginx_ns: number;
  generator_ns: number;
}

export interface CostAtRate {
  rate_rps: number;
  /** nginx's cost per request net of its wake-ups, ns (null: no exact counters). */
  server_ns: number | null;
  /** The generator's, ns (null: no counters, or its sleeps are not in the records). */
  client_ns: number | null;
  repeats: number;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * (busy - cost per wake-up x wake-ups) / rate in ns per request, median over the samples; null
 * without samples or when one lacks its wake-up count.
 */
export function netCostNs(samples: readonly Sample[], wakeupNs: number): number | null {
  if (samples.length === 0 || samples.some((s) => s.slices === undefined)) return null;
  return median(samples.map((s) => ((s.busy - (wakeupNs * s.slices!) / 1e9) / s.rate) * 1e9));
}

/** The costs per request at `rate_rps` from the records of one option offered at that rate. */
export function costAtRate(
  records: readonly LabelledRecord[],
  rate_rps: number,
  wake: WakeupCosts,
): CostAtRate {
  const at = records.filter((lr) => lr.record.requested_rps === rate_rps).map((lr) => lr.record);
  const pick = (f: typeof nginxSample) => at.map(f).filter((s): s is Sample => s !== null);
  return {
    rate_rps,
    server_ns: netCostNs(pick(nginxSample), wake.nginx_ns),
    client_ns: netCostNs(pick(generatorSample), wake.generator_ns),
    repeats: at.length,
  };
}
