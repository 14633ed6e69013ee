/**
 * The plain-text report of one traced rate (`harness trace --lab` without --json): a heading, the
 * tracing overhead, then one table per question (per-process wake-ups and their overhead, syscall
 * durations by what happened inside, the IPI cost to the waker, wake latencies, the server's
 * request cycle, the generator's write gaps by burst position). Units are in every column name.
 */
import { formatTable } from '../../cli/output.ts';
import type { DurationStat } from './stat.ts';
import type { LabTraceReport } from './lab-trace.ts';

const f1 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(1));
const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(3));

function statColumns<R extends DurationStat>(prefix = '') {
  return [
    { header: `${prefix}count`, value: (r: R) => r.count },
    { header: `${prefix}mean_us`, value: (r: R) => f1(r.mean_us), align: 'right' as const },
    { header: `${prefix}p50_us`, value: (r: R) => f1(r.p50_us), align: 'right' as const },
    { header: `${prefix}p90_us`, value: (r: R) => f1(r.p90_us), align: 'right' as const },
  ];
}

export function formatLabTraceReport(r: LabTraceReport): string {
  const out: string[] = [];
  const option = r.option === r.option_used ? r.option : `${r.option} (built as ${r.option_used})`;
  const t = r.trace;
  out.push(
    `# ${option} at ${r.rate_rps} requests/s, ${r.response_bytes}-byte responses, ${r.connections} connections: ` +
      (t
        ? `${t.span_s.toFixed(3)} s traced after ${r.warmup_before_trace_s} s of load, ${t.events} events (${t.events_lost ? `${t.events_lost} lost` : 'none lost'})`
        : 'no trace'),
  );
  out.push(
    `# tracing overhead: generator p50 from the write ${f3(r.tracing_overhead.p50_untraced_ms)} ms untraced, ` +
      `${f3(r.tracing_overhead.p50_traced_ms)} ms traced (x${r.tracing_overhead.p50_ratio?.toFixed(2) ?? '-'}), same rate and window; ` +
      'every traced operation below is inflated by tracing',
  );
  for (const w of r.warnings) out.push(`# warning: ${w}`);
  out.push('');
  out.push(
    formatTable(
      [r.untraced, r.traced],
      [
        { header: 'generator_run', value: (g) => (g.traced ? 'traced' : 'untraced'), align: 'left' },
        { header: 'achieved_rps', value: (g) => g.achieved_rps, digits: 0 },
        { header: 'p50_ms', value: (g) => f3(g.latency_p50_ms), align: 'right' },
        { header: 'p90_ms', value: (g) => f3(g.latency_p90_ms), align: 'right' },
        { header: 'p99_ms', value: (g) => f3(g.latency_p99_ms), align: 'right' },
        { header: 'cpu_us_per_request', value: (g) => f1(g.cpu_us_per_request), align: 'right' },
        { header: 'valid', value: (g) => (g.valid ? 'yes' : `NO: ${g.invalid_reason}`), align: 'left' },
      ],
    ),
  );
  if (!t) return `${out.join('\n')}\n`;
  const procs = [t.processes.generator, t.processes.server];
  // One row per figure, one column per process (too many figures for one row per process).
  const fig = (name: string, f: (p: (typeof procs)[number]) => string | number) => ({ name, f });
  const figures = [
    fig('pids', (p) => `${p.comm} ${p.pids.join(',')}`),
    fig('wakeups_per_s', (p) => p.wakeups_per_s.toFixed(0)),
    fig('preemptions_per_s', (p) => p.preemptions_per_s.toFixed(0)),
    fig('cpu_busy_share', (p) => p.cpu_busy_share.toFixed(3)),
    fig('wakeup_runs', (p) => p.wakeup_runs),
    fig('untraced_switch_ins', (p) => p.untraced_switch_ins),
    fig('wakeup_run_p50_us', (p) => f1(p.wakeup_run_length.p50_us)),
    fig('before_first_op_mean_us', (p) => f1(p.before_first_op.mean_us)),
    fig('before_first_op_p50_us', (p) => f1(p.before_first_op.p50_us)),
    fig('before_first_op_lower_p50_us', (p) => f1(p.before_first_op_lower.p50_us)),
    fig('after_last_op_mean_us', (p) => f1(p.after_last_op.mean_us)),
    fig('after_last_op_p50_us', (p) => f1(p.after_last_op.p50_us)),
    fig('empty_wakeup_runs', (p) => p.empty_wakeup_runs.count),
    fig('empty_wakeup_run_p50_us', (p) => f1(p.empty_wakeup_runs.p50_us)),
  ];
  out.push(
    formatTable(figures, [
      { header: 'per_process', value: (x) => x.name, align: 'left' },
      ...procs.map((p) => ({
        header: p.role,
        value: (x: (typeof figures)[number]) => String(x.f(p)),
        align: 'right' as const,
      })),
    ]),
  );
  const sys = procs.flatMap((p) => p.syscalls.map((s) => ({ ...s, role: p.role })));
  out.push(
    formatTable(sys, [
      { header: 'process', value: (s) => s.role, align: 'left' },
      { header: 'syscall', value: (s) => s.syscall, align: 'left' },
      { header: 'inside', value: (s) => s.inside, align: 'left' },
      ...statColumns<(typeof sys)[number]>(),
    ]),
  );
  if (t.ipi_cost.length > 0)
    out.push(
      formatTable(t.ipi_cost, [
        { header: 'waker', value: (c) => c.role, align: 'left' },
        { header: 'syscall', value: (c) => c.syscall, align: 'left' },
        { header: 'with_ipi_count', value: (c) => c.with_ipi.count },
        { header: 'with_ipi_p50_us', value: (c) => f1(c.with_ipi.p50_us), align: 'right' },
        { header: 'no_wake_count', value: (c) => c.without_wake.count },
        { header: 'no_wake_p50_us', value: (c) => f1(c.without_wake.p50_us), align: 'right' },
        { header: 'ipi_cost_us', value: (c) => f1(c.ipi_cost_us), align: 'right' },
      ]),
    );
  if (t.wake_latency.length > 0)
    out.push(
      formatTable(t.wake_latency, [
        { header: 'wakee', value: (w) => w.wakee, align: 'left' },
        { header: 'target_cpu', value: (w) => w.target, align: 'left' },
        ...statColumns<(typeof t.wake_latency)[number]>('waking_to_wakeup_'),
      ]),
    );
  const g = t.generator_write_gaps;
  out.push(
    formatTable(
      [
        { what: 'server request cycle (recvfrom to recvfrom)', ...t.server_request_cycle },
        { what: "generator write gap after a burst's first write", ...g.first },
        { what: 'generator write gap after later writes', ...g.rest },
        ...g.by_position.slice(1).map((b) => ({
          what: `generator write gap after position ${b.from}${b.to === b.from ? '' : `-${b.to ?? ''}`}`,
          ...b,
        })),
      ],
      [
        { header: 'interval', value: (x) => x.what, align: 'left' },
        ...statColumns<DurationStat & { what: string }>(),
      ],
    ),
  );
  out.push(
    `# generator bursts: ${g.bursts}, ${g.writes_per_burst_mean?.toFixed(2) ?? '-'} writes per burst; ` +
      `unpaired syscall exits ${t.unpaired_exits} (one per task at the trace's start is normal), entries ${t.unpaired_enters}`,
  );
  return `${out.join('\n')}\n`;
}
