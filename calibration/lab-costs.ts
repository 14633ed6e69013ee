/**
 * CPU cost per request of nginx and of the generator in the namespace lab, from counters that are
 * exact: nginx's schedstat run time (`counters.machine.server_tasks`) and the generator's own
 * getrusage over the measured window (`generator.cpu_user_s + cpu_system_s`). The machine-wide
 * /proc/stat is not used: it covers other tenants and its softirq time is tick-sampled.
 *
 * Regression (calibration/ols.ts; the line through two points when there are two) over the
 * calibration records of one option:
 *   busy_cpus = background + cost_per_request * rate
 * The slope is the marginal cost of a request (what limits the maximum rate); the intercept is
 * rate-independent work (the generator's timers, wake-ups). With veth, softirq work raised by a
 * process runs in its context on bh enable, so these costs include part of the receive path.
 * When the slope is not positive (noise), the mean cost per request at the highest rate is used
 * and a note says so.
 *
 * nginx's schedstat also counts its timeslices (times it was put on the CPU: wake-ups, mostly).
 * When their rate differs between the calibration rates (by WAKEUP_SPREAD or more; it falls as the
 * server gets busier and sleeps less), the busy time is regressed on both, without an intercept:
 *   busy_cpus = cost_per_request * rate + cost_per_wakeup * timeslices_per_s
 * which puts the rate-independent work where it happens (on each wake-up: it delays the requests
 * that woke the server, and it vanishes when the server no longer sleeps, near its maximum).
 * The generator the same, when the records sample its own task (counters.*.client_tasks: the times
 * its event loop slept, voluntary switches, or its timeslices; busy time stays its getrusage, all
 * threads): its rate-independent work is then a cost per wake-up of its event loop
 * (host.apps.tcpkali.cost_ns_per_wakeup). Without
 * its timeslices (older records) it keeps the intercept form, and its background goes to the ticks
 * of its send loop (tickCostNs: the loop's own work, timers and one event-loop iteration per tick,
 * host.apps.tcpkali.send_timer.cost_ns_per_tick), so the model's CPU 0 carries it too.
 */
import type { RunRecord } from '../harness/run-record.ts';
import type { SimResult } from '../sim/result.ts';
import { ols } from './ols.ts';
import type { LabelledRecord } from './records.ts';
import { sleepsPerS } from './wakeups.ts';

export interface ProcessCost {
  ns_per_request: number;
  se_ns: number | null;
  /** CPUs busy independent of the rate (0 when the wake-ups carry it). */
  background_cpus: number;
  /** CPU cost of one wake-up (timeslice), ns; null when not regressed on wake-ups. */
  ns_per_wakeup: number | null;
  /** The generator: its background per tick of its send loop, ns (tickCostNs); absent otherwise. */
  ns_per_tick?: number;
  points: number;
  method: 'regression' | 'regression on rate and wake-ups' | 'mean at highest rate';
}

/** Relative difference of the timeslice rate between the lowest and highest rates needed to regress on it. */
export const WAKEUP_SPREAD = 0.2;

export interface LabCounterCosts {
  nginx: ProcessCost | null;
  generator: ProcessCost | null;
  notes: string[];
}

export interface Sample {
  rate: number;
  busy: number;
  perRequestNs: number;
  /** Timeslices per second (the task's schedstat), when counted. */
  slices?: number;
}

export function nginxSample(r: RunRecord): Sample | null {
  const tasks = r.counters?.machine?.server_tasks ?? r.counters?.server?.server_tasks;
  const interval = r.counters?.machine?.interval_s ?? r.counters?.server?.interval_s;
  const n = r.requests_sent ?? 0;
  if (!tasks || tasks.length === 0 || !interval || n === 0) return null;
  const ns = tasks.reduce((s, t) => s + t.run_ns, 0);
  const slices = tasks.reduce((s, t) => s + t.timeslices, 0);
  return { rate: n / interval, busy: ns / 1e9 / interval, perRequestNs: ns / n, slices: slices / interval };
}

export function generatorSample(r: RunRecord): Sample | null {
  const g = r.generator;
  const n = r.requests_sent ?? 0;
  if (g.cpu_user_s === undefined || g.cpu_system_s === undefined || n === 0 || !(r.duration_s > 0))
    return null;
  const s = g.cpu_user_s + g.cpu_system_s;
  const sample: Sample = { rate: n / r.duration_s, busy: s / r.duration_s, perRequestNs: (s * 1e9) / n };
  // Its event loop's wake-ups: the times it slept (voluntary switches; timeslices, which also
  // count preemptions, in records without them).
  const m = r.counters?.machine ?? r.counters?.client;
  const sleeps = m ? sleepsPerS(m.client_tasks, m.interval_s) : null;
  if (sleeps !== null) sample.slices = sleeps;
  return sample;
}

/**
 * The generator's background (the intercept of its regression) per tick of its send loop: its own
 * ticks are not counted, so nginx's timeslices at the lowest calibration rate stand for them (nginx
 * sleeps between the generator's bursts there and wakes about once per tick; at higher rates it
 * runs through tick boundaries and undercounts them, so only the lowest rate is used). Null
 * without a positive background or without timeslices.
 */
function tickCostNs(samples: readonly Sample[], gen: ProcessCost | null): number | null {
  if (!gen || !(gen.background_cpus > 0)) return null;
  if (samples.length === 0) return null;
  const lo = Math.min(...samples.map((x) => x.rate));
  const at = samples.filter((x) => x.rate <= lo * 1.05 && x.slices !== undefined && x.slices > 0);
  if (at.length === 0) return null;
  const ticks = at.reduce((a, x) => a + x.slices!, 0) / at.length;
  return (gen.background_cpus / ticks) * 1e9;
}

function fitCost(samples: Sample[], what: string, notes: string[]): ProcessCost | null {
  if (samples.length === 0) {
    notes.push(`${what}: no exact counters in the records`);
    return null;
  }
  const rates = new Set(samples.map((s) => Math.round(s.rate)));
  const top = samples.filter((s) => s.rate >= Math.max(...samples.map((x) => x.rate)) * 0.95);
  const mean = (): ProcessCost => ({
    ns_per_request: top.reduce((a, s) => a + s.perRequestNs, 0) / top.length,
    se_ns: null,
    background_cpus: 0,
    ns_per_wakeup: null,
    points: top.length,
    method: 'mean at highest rate',
  });
  if (rates.size < 2) {
    notes.push(`${what}: ${samples.length} point(s) at one rate: mean cost at the highest rate`);
    return mean();
  }
  const wake = wakeupRegression(samples, what, notes);
  if (wake) return wake;
  // Two points: the line through them (no error estimate); more: least squares with standard errors.
  const fit =
    samples.length > 2
      ? ols(
          samples.map((s) => [1, s.rate]),
          samples.map((s) => s.busy),
          ['background', 'rate'],
        )
      : twoPoint(samples[0]!, samples[1]!);
  const b = fit.coef[1]!;
  if (!(b > 0)) {
    notes.push(
      `${what}: regression slope ${(b * 1e9).toFixed(0)} ns/request is not positive: mean cost at the highest rate`,
    );
    return mean();
  }
  return {
    ns_per_request: b * 1e9,
    se_ns: fit.se ? fit.se[1]! * 1e9 : null,
    background_cpus: fit.coef[0]!,
    ns_per_wakeup: null,
    points: samples.length,
    method: 'regression',
  };
}

/** busy = c * rate + w * slices (no intercept), when the slices vary enough; null otherwise. */
function wakeupRegression(samples: Sample[], what: string, notes: string[]): ProcessCost | null {
  if (!samples.every((s) => s.slices !== undefined)) return null;
  const lo = Math.min(...samples.map((s) => s.rate));
  const hi = Math.max(...samples.map((s) => s.rate));
  const meanSlices = (r: number) => {
    const at = samples.filter((s) => Math.abs(s.rate - r) <= 0.05 * r);
    return at.reduce((a, s) => a + s.slices!, 0) / at.length;
  };
  const a = meanSlices(lo);
  const b = meanSlices(hi);
  if (!(Math.abs(a - b) >= WAKEUP_SPREAD * Math.max(a, b))) {
    notes.push(
      `${what}: timeslices ${a.toFixed(0)}/s at ${lo.toFixed(0)} and ${b.toFixed(0)}/s at ${hi.toFixed(0)} requests/s differ by less than ${100 * WAKEUP_SPREAD} %: wake-up cost not separable, intercept regression`,
    );
    return null;
  }
  const X = samples.map((s) => [s.rate, s.slices!]);
  const y = samples.map((s) => s.busy);
  const f =
    samples.length > 2
      ? ols(X, y, ['rate', 'timeslices'])
      : { coef: solve2(X[0]!, X[1]!, y[0]!, y[1]!), se: null };
  const [c, w] = f.coef as [number, number];
  if (!(c > 0) || !(w >= 0)) {
    notes.push(
      `${what}: regression on rate and wake-ups gave ${(c * 1e9).toFixed(0)} ns/request and ${(w * 1e9).toFixed(0)} ns/wake-up: intercept regression instead`,
    );
    return null;
  }
  return {
    ns_per_request: c * 1e9,
    se_ns: f.se ? f.se[0]! * 1e9 : null,
    background_cpus: 0,
    ns_per_wakeup: w * 1e9,
    points: samples.length,
    method: 'regression on rate and wake-ups',
  };
}

function solve2(r0: number[], r1: number[], y0: number, y1: number): [number, number] {
  const det = r0[0]! * r1[1]! - r0[1]! * r1[0]!;
  return [(y0 * r1[1]! - y1 * r0[1]!) / det, (r0[0]! * y1 - r1[0]! * y0) / det];
}

function twoPoint(a: Sample, b: Sample): { coef: number[]; se: null } {
  const slope = (b.busy - a.busy) / (b.rate - a.rate);
  return { coef: [a.busy - slope * a.rate, slope], se: null };
}

export function labCounterCosts(records: readonly LabelledRecord[]): LabCounterCosts {
  const notes: string[] = [];
  const pick = (f: (r: RunRecord) => Sample | null) =>
    records.map((lr) => f(lr.record)).filter((s): s is Sample => s !== null);
  const nginx = pick(nginxSample);
  const generator = fitCost(pick(generatorSample), 'generator', notes);
  const tick = generator?.method === 'regression' ? tickCostNs(nginx, generator) : null;
  return {
    nginx: fitCost(nginx, 'nginx', notes),
    generator: generator && tick !== null ? { ...generator, ns_per_tick: tick } : generator,
    notes,
  };
}

/**
 * `--set` overrides that give the model's nginx and generator these marginal costs. The model
 * charges its own work in each process's context separately (`modelTxNs`: per request; either its
 * task-class tx stages, or, better, everything the model runs on that CPU: modelMarginalCpuNs), so
 * it is subtracted (appCostOverrides says what else is set).
 */
export function labCostOverrides(
  c: LabCounterCosts,
  modelTxNs: { server: number; client: number },
): Record<string, number> {
  return appCostOverrides(
    {
      nginx: c.nginx ? c.nginx.ns_per_request - modelTxNs.server : null,
      generator: c.generator ? c.generator.ns_per_request - modelTxNs.client : null,
    },
    c.nginx?.ns_per_wakeup ?? 0,
    c.generator?.ns_per_tick ?? 0,
    c.generator?.ns_per_wakeup ?? 0,
  );
}

/**
 * `--set` overrides that give nginx and the generator these own costs per request (ns; null: left
 * as the profile has it; negative: 0), and nginx this cost per wake-up (from the regression on
 * wake-ups; 0 when its rate-independent work was not separable), and the generator's send loop
 * this cost per tick (its background per tick, tickCostNs; 0 otherwise) or its event loop this cost
 * per wake-up (regressed on its own timeslices; 0 otherwise). Per-byte costs are folded into the
 * per-request cost and set to 0; the generator's cost goes to the write (the model's read is set to 0).
 */
export function appCostOverrides(
  app: { nginx: number | null; generator: number | null },
  nginxWakeupNs = 0,
  generatorTickNs = 0,
  generatorWakeupNs = 0,
): Record<string, number> {
  const set: Record<string, number> = {};
  if (app.nginx !== null) {
    set['host.apps.nginx.cost_ns_per_request'] = Math.max(0, Math.round(app.nginx));
    set['host.apps.nginx.cost_ns_per_wakeup'] = Math.max(0, Math.round(nginxWakeupNs));
    set['host.apps.nginx.cost_ns_per_response_byte'] = 0;
  }
  if (app.generator !== null) {
    set['host.apps.tcpkali.cost_ns_per_write'] = Math.max(0, Math.round(app.generator));
    set['host.apps.tcpkali.cost_ns_per_read'] = 0;
    set['host.apps.tcpkali.cost_ns_per_wakeup'] = Math.max(0, Math.round(generatorWakeupNs));
    set['host.apps.tcpkali.cost_ns_per_response_byte'] = 0;
    set['host.apps.tcpkali.send_timer.cost_ns_per_tick'] = Math.max(0, Math.round(generatorTickNs));
  }
  return set;
}

/** The apps' own costs at 0: what is left on each CPU of a simulation is the model's other work. */
export const ZERO_APP_COSTS: Readonly<Record<string, number>> = {
  'host.apps.nginx.cost_ns_per_request': 0,
  'host.apps.nginx.cost_ns_per_wakeup': 0,
  'host.apps.nginx.cost_ns_per_response_byte': 0,
  'host.apps.tcpkali.cost_ns_per_write': 0,
  'host.apps.tcpkali.cost_ns_per_read': 0,
  'host.apps.tcpkali.cost_ns_per_wakeup': 0,
  'host.apps.tcpkali.cost_ns_per_response_byte': 0,
  'host.apps.tcpkali.send_timer.cost_ns_per_tick': 0,
};

/**
 * The model's marginal work per request on nginx's CPU (`server`) and the generator's (`client`),
 * apps excluded: the slope of each CPU's busy fraction (hardirq + softirq + task) on the achieved
 * rate, over simulations at the calibration rates with ZERO_APP_COSTS. This is the model's side of
 * what the lab's counters measure: nginx's schedstat and the generator's rusage count everything
 * that ran in their context on their CPU, and with veth that includes the softirq work their
 * sends raise (the receive runs in the sender's context, host.nic.rx_cpu = sender; no IRQ time
 * accounting on these kernels). The same regression as the counters' (two rates: a line), so
 * rate-independent work (wake-ups) drops out of both. Needs two distinct rates.
 */
export function modelMarginalCpuNs(
  runs: readonly Pick<SimResult, 'achieved_rps' | 'cpu'>[],
  cpus: { server: number; client: number },
): { server: number; client: number } {
  const pts = [...runs].sort((a, b) => a.achieved_rps - b.achieved_rps);
  const lo = pts[0];
  const hi = pts.at(-1);
  if (!lo || !hi || !(hi.achieved_rps > lo.achieved_rps))
    throw new RangeError('modelMarginalCpuNs needs simulations at two distinct rates');
  const busy = (r: Pick<SimResult, 'cpu'>, cpu: number) =>
    r.cpu.filter((c) => c.cpu === cpu).reduce((a, c) => a + c.hardirq + c.softirq + c.task, 0);
  const slope = (cpu: number) =>
    ((busy(hi, cpu) - busy(lo, cpu)) / (hi.achieved_rps - lo.achieved_rps)) * 1e9;
  return { server: slope(cpus.server), client: slope(cpus.client) };
}
