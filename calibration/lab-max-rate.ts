/**
 * The maximum rate: the highest offered rate the simulator carries unsaturated (bisection on
 * `saturated` and `achieved_rps`), and what bounded the lab's wrk measurement.
 *
 * Search (harness/max-rate-search.ts, the same one the lab's open-loop maximum uses): start at a
 * rate, double until a rate fails (at most 12 doublings; halve when the start fails), then bisect
 * until the bracket is narrower than `relTol` of its upper end. A rate is carried when the run is
 * not saturated and achieves at least 97 % of the offered rate (the simulator's own saturation
 * rule). Every evaluation uses the same seed (common random numbers), so the outcome is monotone in
 * practice and deterministic. Cost: at most 12 + log2(1 / relTol) + 1 simulations.
 *
 * Diagnosis of a wrk step (closed loop: each of the connections waits for its response): from the
 * exact nginx schedstat and the machine's idle time. When the machine had no idle CPU while nginx
 * used well under one CPU and waited for one, the maximum was set by what shared the two vCPUs
 * (wrk itself, softirq work in its context, other tenants): the model has the generator's cost
 * but not co-tenants, and wrk's closed loop is not the simulator's open loop.
 */
import { CARRIED_FRACTION, runSearch } from '../harness/max-rate-search.ts';
import type { RunRecord } from '../harness/run-record.ts';

export interface CarriedEval {
  saturated: boolean;
  achieved_rps: number;
  bottleneck: string | null;
}

export interface MaxRateSearch {
  max_rate_rps: number;
  /** The first rate that failed. */
  failing_rps: number;
  bottleneck_at_failing: string | null;
  evaluations: number;
}

export async function searchMaxRate(
  evaluate: (rate_rps: number) => Promise<CarriedEval>,
  startRps: number,
  relTol = 0.02,
): Promise<MaxRateSearch> {
  // The harness's search (one definition for the lab's open-loop maximum and the simulated one).
  const bottleneckAt = new Map<number, string | null>();
  const s = await runSearch(
    { start_rps: startRps, rel_tol: relTol, max_doublings: 12, max_steps: 64 },
    async (rate) => {
      const e = await evaluate(rate);
      bottleneckAt.set(rate, e.bottleneck);
      const carried = !e.saturated && e.achieved_rps >= CARRIED_FRACTION * rate;
      return { carried, reason: e.bottleneck ?? (carried ? 'carried' : `achieved ${e.achieved_rps}`) };
    },
  );
  const max = s.carried_rps ?? 0;
  return {
    max_rate_rps: max,
    failing_rps: s.failing_rps ?? 2 * max,
    bottleneck_at_failing: s.failing_rps === null ? null : (bottleneckAt.get(s.failing_rps) ?? null),
    evaluations: s.steps.length,
  };
}

/**
 * A C generator's (wrk's) cost per wake-up for the simulated wrk comparison: the netns-lab profile's
 * own value is the Node generator's, measured by ftrace (40 us); wrk's event loop is C (epoll and a
 * callback per socket), taken at the profile's earlier estimate, 3 us. Not measured: the wrk
 * comparison is a diagnostic, never a target.
 */
export const C_GENERATOR_WAKEUP_NS = 3000;

export interface WrkDiagnosis {
  achieved_rps: number;
  connections: number;
  /** Fraction of one CPU nginx ran, and waited runnable, during the step (schedstat, exact). */
  nginx_cpu: number | null;
  nginx_wait: number | null;
  nginx_us_per_request: number | null;
  /** Idle fraction of each CPU of the machine (/proc/stat; whole machine, tick-sampled). */
  machine_idle: number[];
  bound: 'nginx cpu' | 'shared cpus' | 'closed loop latency' | 'unknown';
  explanation: string;
}

export function diagnoseWrk(r: RunRecord): WrkDiagnosis {
  const c = r.counters?.machine ?? r.counters?.server;
  const interval = c?.interval_s ?? r.duration_s;
  const hz = c?.user_hz ?? 100;
  const tasks = c?.server_tasks;
  const run = tasks?.length ? tasks.reduce((s, t) => s + t.run_ns, 0) / 1e9 : null;
  const wait = tasks?.length ? tasks.reduce((s, t) => s + (t.wait_ns ?? 0), 0) / 1e9 : null;
  const workers = Math.max(1, tasks?.length ?? 1);
  const nginx_cpu = run === null ? null : run / interval / workers;
  const nginx_wait = wait === null ? null : wait / interval / workers;
  const n = r.achieved_rps * r.duration_s;
  const machine_idle = (c?.cpu ?? []).map((x) =>
    Math.min(1, (x.idle_jiffies + (x.iowait_jiffies ?? 0)) / (hz * interval)),
  );
  const pct = (x: number | null) => (x === null ? '?' : `${(100 * x).toFixed(0)} %`);
  let bound: WrkDiagnosis['bound'] = 'unknown';
  let explanation = 'no counters to tell what bounded the maximum';
  if (nginx_cpu !== null && nginx_cpu >= 0.9) {
    bound = 'nginx cpu';
    explanation = `nginx ran ${pct(nginx_cpu)} of its CPU: the server path is the bound (the model has it)`;
  } else if (machine_idle.length > 0 && machine_idle.every((x) => x < 0.05)) {
    bound = 'shared cpus';
    explanation = `both vCPUs were busy (idle ${machine_idle.map(pct).join(', ')}) while nginx ran only ${pct(nginx_cpu)} of its CPU and waited ${pct(nginx_wait)} for it: wrk, the softirq work in its context and other tenants of the machine share the 2 vCPUs; the model has no co-tenants and no closed-loop generator, so this maximum is bounded by the lab, not by the path`;
  } else if (nginx_cpu !== null) {
    bound = 'closed loop latency';
    explanation = `CPUs had idle time (${machine_idle.map(pct).join(', ')}) and nginx ran ${pct(nginx_cpu)}: wrk's ${r.connections} connections each wait for their response, so the round-trip latency, not a CPU, set the rate`;
  }
  return {
    achieved_rps: r.achieved_rps,
    connections: r.connections,
    nginx_cpu,
    nginx_wait,
    nginx_us_per_request: run === null || n === 0 ? null : (run * 1e6) / n,
    machine_idle,
    bound,
    explanation,
  };
}
