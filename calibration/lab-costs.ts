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
 */
import type { RunRecord } from '../harness/run-record.ts';
import type { SimResult } from '../sim/result.ts';
import { ols } from './ols.ts';
import type { LabelledRecord } from './records.ts';

export interface ProcessCost {
  ns_per_request: number;
  se_ns: number | null;
  /** CPUs busy independent of the rate. */
  background_cpus: number;
  points: number;
  method: 'regression' | 'mean at highest rate';
}

export interface LabCounterCosts {
  nginx: ProcessCost | null;
  generator: ProcessCost | null;
  notes: string[];
}

interface Sample {
  rate: number;
  busy: number;
  perRequestNs: number;
}

function nginxSample(r: RunRecord): Sample | null {
  const tasks = r.counters?.machine?.server_tasks ?? r.counters?.server?.server_tasks;
  const interval = r.counters?.machine?.interval_s ?? r.counters?.server?.interval_s;
  const n = r.requests_sent ?? 0;
  if (!tasks || tasks.length === 0 || !interval || n === 0) return null;
  const ns = tasks.reduce((s, t) => s + t.run_ns, 0);
  return { rate: n / interval, busy: ns / 1e9 / interval, perRequestNs: ns / n };
}

function generatorSample(r: RunRecord): Sample | null {
  const g = r.generator;
  const n = r.requests_sent ?? 0;
  if (g.cpu_user_s === undefined || g.cpu_system_s === undefined || n === 0 || !(r.duration_s > 0))
    return null;
  const s = g.cpu_user_s + g.cpu_system_s;
  return { rate: n / r.duration_s, busy: s / r.duration_s, perRequestNs: (s * 1e9) / n };
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
    points: top.length,
    method: 'mean at highest rate',
  });
  if (rates.size < 2) {
    notes.push(`${what}: ${samples.length} point(s) at one rate: mean cost at the highest rate`);
    return mean();
  }
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
    points: samples.length,
    method: 'regression',
  };
}

function twoPoint(a: Sample, b: Sample): { coef: number[]; se: null } {
  const slope = (b.busy - a.busy) / (b.rate - a.rate);
  return { coef: [a.busy - slope * a.rate, slope], se: null };
}

export function labCounterCosts(records: readonly LabelledRecord[]): LabCounterCosts {
  const notes: string[] = [];
  const pick = (f: (r: RunRecord) => Sample | null) =>
    records.map((lr) => f(lr.record)).filter((s): s is Sample => s !== null);
  return {
    nginx: fitCost(pick(nginxSample), 'nginx', notes),
    generator: fitCost(pick(generatorSample), 'generator', notes),
    notes,
  };
}

/**
 * `--set` overrides that give the model's nginx and generator these marginal costs. The model
 * charges its own work in each process's context separately (`modelTxNs`: per request; either its
 * task-class tx stages, or, better, everything the model runs on that CPU: modelMarginalCpuNs), so
 * it is subtracted; wake-up and per-byte costs are folded into the marginal cost and set to 0. The
 * generator's cost goes to the write (the model's read is set to 0).
 */
export function labCostOverrides(
  c: LabCounterCosts,
  modelTxNs: { server: number; client: number },
): Record<string, number> {
  const set: Record<string, number> = {};
  if (c.nginx) {
    set['host.apps.nginx.cost_ns_per_request'] = Math.max(
      0,
      Math.round(c.nginx.ns_per_request - modelTxNs.server),
    );
    set['host.apps.nginx.cost_ns_per_wakeup'] = 0;
    set['host.apps.nginx.cost_ns_per_response_byte'] = 0;
  }
  if (c.generator) {
    set['host.apps.tcpkali.cost_ns_per_write'] = Math.max(
      0,
      Math.round(c.generator.ns_per_request - modelTxNs.client),
    );
    set['host.apps.tcpkali.cost_ns_per_read'] = 0;
    set['host.apps.tcpkali.cost_ns_per_wakeup'] = 0;
    set['host.apps.tcpkali.cost_ns_per_response_byte'] = 0;
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
