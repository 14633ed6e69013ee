/**
 * Per-request figures derived from a run record, for the summary table and for tests: NET_RX
 * softirqs, packets through the backlog (softnet processed), server task CPU and generator CPU per
 * request. All divide by the requests the generator wrote inside the measured window, which is
 * the interval the counters cover.
 */
import type { RunRecord } from './run-record.ts';

export interface StepSummary {
  step: number;
  option: string;
  option_used: string;
  repeat: number;
  rate_rps: number | null;
  achieved_rps: number;
  p50_ms: number | undefined;
  p99_ms: number | undefined;
  p99_9_ms: number | undefined;
  sched_p99_ms: number | undefined;
  net_rx_per_req: number | null;
  softnet_per_req: number | null;
  server_cpu_us_per_req: number | null;
  generator_cpu_us_per_req: number | null;
  kept_up: boolean | undefined;
  valid: boolean;
  invalid_reason: string | null;
}

export function summarizeRecord(r: RunRecord): StepSummary {
  const c = r.counters?.machine ?? r.counters?.server;
  const n = r.requests_sent ?? 0;
  const per = (x: number | undefined) => (x === undefined || n === 0 ? null : x / n);
  const sum = <T>(xs: T[] | undefined, f: (x: T) => number) =>
    xs ? xs.reduce((a, x) => a + f(x), 0) : undefined;
  const gen =
    r.generator.cpu_user_s !== undefined && r.generator.cpu_system_s !== undefined
      ? (r.generator.cpu_user_s + r.generator.cpu_system_s) * 1e6
      : undefined;
  const tasks = sum(c?.server_tasks, (t) => t.run_ns);
  return {
    step: r.step_index,
    option: r.option,
    option_used: r.option_used,
    repeat: r.repeat,
    rate_rps: r.requested_rps,
    achieved_rps: r.achieved_rps,
    p50_ms: r.latency_ms.p50,
    p99_ms: r.latency_ms.p99,
    p99_9_ms: r.latency_ms.p99_9,
    sched_p99_ms: r.latency_from_schedule_ms?.p99,
    net_rx_per_req: per(sum(c?.softirqs, (s) => s.net_rx)),
    softnet_per_req: per(sum(c?.softnet, (s) => s.processed)),
    server_cpu_us_per_req: per(tasks === undefined ? undefined : tasks / 1000),
    generator_cpu_us_per_req: per(gen),
    kept_up: r.generator.kept_up,
    valid: r.valid,
    invalid_reason: r.invalid_reason ?? null,
  };
}
