/**
 * `harness trace --lab`: builds one option's lab, and per rate runs the open-loop generator twice
 * with the same configuration, first untraced and then with ftrace on (tracefs.ts) for exactly its
 * measured window, analyses the trace (parse.ts, analyze.ts) and removes the lab.
 *
 * Where the trace sits: the generator warms up for `warmup_s + (duration_s - trace_s) / 2` and
 * measures `trace_s`, i.e. the middle `trace_s` of a `duration_s` window after the usual warm-up;
 * tracing is switched on and off by the generator's own window events. Its latency figures then
 * cover exactly the traced interval, so the untraced run's p50 against the traced run's is the
 * tracing overhead on a whole request (the generator stops sending when the trace ends).
 *
 * Order: what can be refused cheaply is refused before tracefs is touched: the --keep-trace
 * directory is created first (cli/out-file.ts prepareOutDir), and the option's driver is probed (ipvlan,
 * macvlan) before the session mounts tracefs, enables events and grows the buffer.
 *
 * Cleanup: the lab lock is held throughout (lab-lock.ts); tracefs is restored and the lab removed
 * in a `finally` and from a SIGINT/SIGTERM handler (harness/lab/lab.ts onInterrupt), in that order.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GENERATOR_NAME, type OpenLoopConfig } from '../generator/generator.ts';
import { generatorArgv, runJsonChild } from '../generator/spawn.ts';
import { prepareOutDir } from '../../cli/out-file.ts';
import { type LabState, labDown, labUp, onInterrupt, resolveOption } from '../lab/lab.ts';
import { checkTag, LAB_PREFIX, type LabOption } from '../lab/layout.ts';
import { type GeneratorAnswer, judgeStep } from '../lab-step.ts';
import { childPids, httpRequest } from '../nginx/server.ts';
import { TraceAnalyzer, type TraceReport } from './analyze.ts';
import { acquireLabLock, type LabLock } from './lab-lock.ts';
import { parseTraceStream } from './parse.ts';
import { openTraceSession, type TraceSession } from './tracefs.ts';

export interface LabTraceInput {
  option: LabOption;
  rates: number[];
  /** The window whose middle `trace_s` is traced, s (after `warmup_s`). */
  duration_s: number;
  trace_s: number;
  warmup_s: number;
  connections: number;
  response: 'small' | 'large';
  generator_cpus: string;
  nginx_cpus: number[];
  /** Per-CPU ring buffer, KiB (grown to it when smaller, never shrunk). */
  buffer_kb: number;
  /** How long to wait for the lab lock, s. */
  lock_wait_s: number;
  /** Lab name tag (default `trace`, so a lab brought up by `lab up` is left alone). */
  tag?: string;
  substitute?: boolean;
  /** Keep each raw trace here as `trace-<option>-<rate>rps.txt`. */
  keep_trace_dir?: string;
  log: (msg: string) => void;
}

/** One generator run's figures (its measured window is the traced interval, traced or not). */
export interface GeneratorRun {
  traced: boolean;
  valid: boolean;
  invalid_reason: string | null;
  pid: number | null;
  window_s: number;
  achieved_rps: number;
  /** Requests the generator wrote while the window was open, whenever due (a backlog is written at once). */
  writes_in_window: number | null;
  latency_p50_ms: number | null;
  latency_p90_ms: number | null;
  latency_p99_ms: number | null;
  cpu_us_per_request: number | null;
}

export interface LabTraceReport {
  option: LabOption;
  option_used: LabOption;
  rate_rps: number;
  connections: number;
  response_bytes: number;
  trace_s: number;
  /** Seconds the generator sent before the traced window. */
  warmup_before_trace_s: number;
  buffer_kb: number;
  events_enabled: string[];
  events_missing: string[];
  untraced: GeneratorRun;
  traced: GeneratorRun;
  /** What tracing adds: the generator's p50 (from the write) traced / untraced, same window. */
  tracing_overhead: {
    p50_untraced_ms: number | null;
    p50_traced_ms: number | null;
    p50_ratio: number | null;
    note: string;
  };
  trace: TraceReport | null;
  warnings: string[];
}

export const TRACING_OVERHEAD_NOTE =
  'tracing inflates every traced operation: each enabled event (sched switch/wake-up, IPI, syscall entry and exit) ' +
  'costs the traced task time when it fires, so syscall durations, wake-up overheads and latencies in the trace are ' +
  'upper bounds; the generator p50 traced against untraced (same rate, same window) shows the inflation on a whole request';

/** Runs the generator once; with a session, tracing covers exactly its measured window. */
async function runGenerator(
  state: LabState,
  input: LabTraceInput,
  rate_rps: number,
  session: TraceSession | null,
): Promise<{ run: GeneratorRun; pid: number | null }> {
  const { layout } = state;
  const file = state.nginx!.files[input.response];
  const warmup_s = input.warmup_s + (input.duration_s - input.trace_s) / 2;
  const cfg: OpenLoopConfig = {
    host: layout.server.ip,
    port: 80,
    connections: input.connections,
    rate_rps,
    duration_s: input.trace_s,
    warmup_s,
    request: httpRequest(file.path, layout.server.ip),
    lag_limit_ms: 5,
  };
  const argv = generatorArgv('run', cfg, { netns: layout.client.netns, cpus: input.generator_cpus });
  let pid: number | null = null;
  let tracing = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    clearTimeout(timer);
    if (tracing) session?.stop();
    tracing = false;
  };
  let answer: GeneratorAnswer;
  let failed: unknown = null;
  try {
    const child = await runJsonChild<GeneratorAnswer>(
      argv,
      (warmup_s + input.trace_s + 3 + 20) * 1000,
      (ev, line) => {
        // Inside a stream listener: a throw here would escape every finally, so it is kept.
        try {
          if (ev === 'window_start') {
            pid = typeof line.pid === 'number' ? line.pid : null;
            if (session) {
              session.start();
              tracing = true;
              // The window's end event stops it; this bounds it if that line never comes.
              timer = setTimeout(stop, (input.trace_s + 1) * 1000);
            }
          } else if (ev === 'window_end') stop();
        } catch (e) {
          failed ??= e;
        }
      },
    );
    answer = child.value;
  } finally {
    stop();
  }
  if (failed !== null) throw failed;
  const { invalid } = judgeStep(answer, rate_rps, file.response_bytes);
  const r = answer.generator === GENERATOR_NAME ? answer : null;
  return {
    pid,
    run: {
      traced: session !== null,
      valid: invalid === null,
      invalid_reason: invalid,
      pid,
      window_s: input.trace_s,
      achieved_rps: r?.achieved_rps ?? 0,
      writes_in_window: r?.writes_in_window ?? null,
      latency_p50_ms: r?.latency_from_write_ms.p50 ?? null,
      latency_p90_ms: r?.latency_from_write_ms.p90 ?? null,
      latency_p99_ms: r?.latency_from_write_ms.p99 ?? null,
      cpu_us_per_request: r?.cpu_per_request_us ?? null,
    },
  };
}

/** Reads the session's trace (saving a copy when asked) through the analyser. */
async function analyzeTrace(
  session: TraceSession,
  analyzer: TraceAnalyzer,
  keep: string | null,
): Promise<TraceReport> {
  let source = session.tracePath;
  if (keep) {
    await pipeline(createReadStream(session.tracePath), createWriteStream(keep));
    source = keep;
  }
  const parsed = await parseTraceStream(
    createReadStream(source, { encoding: 'utf8', highWaterMark: 1 << 20 }),
    analyzer,
  );
  return analyzer.report(parsed);
}

function warningsOf(r: LabTraceReport, trace_s: number): string[] {
  const w: string[] = [];
  for (const run of [r.untraced, r.traced])
    if (!run.valid)
      w.push(`${run.traced ? 'traced' : 'untraced'} generator run invalid: ${run.invalid_reason}`);
  if (r.events_missing.length > 0)
    w.push(`this kernel lacks ${r.events_missing.join(', ')}: syscalls are not split by IPI`);
  const t = r.trace;
  if (!t) return w;
  if (t.events_lost) w.push(`${t.events_lost} events were overwritten (buffer too small: raise --buffer-kb)`);
  if (t.wrapped_cpus.length > 0)
    w.push(`the buffer of CPU ${t.wrapped_cpus.join(', ')} wrapped: its start is missing`);
  if (t.unparsed_lines > 0) w.push(`${t.unparsed_lines} trace lines did not parse`);
  if (t.span_s < 0.8 * trace_s) w.push(`the trace spans ${t.span_s.toFixed(3)} s of the ${trace_s} s asked`);
  return w;
}

export async function runLabTrace(input: LabTraceInput): Promise<LabTraceReport[]> {
  const tag = checkTag(input.tag ?? 'trace');
  const prefix = `${LAB_PREFIX}${tag}-`;
  const log = input.log;
  if (input.keep_trace_dir) prepareOutDir('--keep-trace', input.keep_trace_dir);
  const lock: LabLock = await acquireLabLock({ wait_s: input.lock_wait_s, log });
  let session: TraceSession | null = null;
  let labBuilt = false;
  const restoreTracing = () => {
    for (const f of session?.restore() ?? []) log(`trace: could not restore ${f}`);
  };
  let cleaned = false;
  const cleanup = () => {
    if (cleaned) return;
    cleaned = true;
    restoreTracing();
    if (labBuilt) labDown(prefix);
    lock.release();
  };
  const removeHandler = onInterrupt(cleanup);
  // Also when the process dies of an uncaught error (cleanup is synchronous and idempotent).
  process.once('exit', cleanup);
  const reports: LabTraceReport[] = [];
  try {
    // A missing driver is refused before tracefs is touched (labUp probes again: a few ip commands).
    resolveOption(input.option, input.substitute ?? false);
    session = openTraceSession({ buffer_kb: input.buffer_kb, log });
    log(
      `trace: events ${session.enabled.length} enabled${session.missing.length ? ` (${session.missing.join(', ')} missing)` : ''}, buffer ${session.buffer_kb} KiB per CPU`,
    );
    labBuilt = true;
    const state = await labUp(input.option, {
      tag,
      nginx_cpus: input.nginx_cpus,
      ...(input.substitute ? { substitute: true } : {}),
      log,
    });
    const file = state.nginx!.files[input.response];
    for (const rate_rps of input.rates) {
      log(`trace: ${input.option} ${rate_rps} requests/s: untraced run`);
      const untraced = await runGenerator(state, input, rate_rps, null);
      log(`trace: ${input.option} ${rate_rps} requests/s: traced run (${input.trace_s} s traced)`);
      const traced = await runGenerator(state, input, rate_rps, session);
      let trace: TraceReport | null = null;
      if (traced.pid !== null) {
        log('trace: analysing');
        const analyzer = new TraceAnalyzer({
          generator: { pids: [traced.pid], comm: basename(process.execPath).slice(0, 15) },
          server: { pids: childPids(state.nginx!.master_pid), comm: 'nginx' },
        });
        const keep = input.keep_trace_dir
          ? join(input.keep_trace_dir, `trace-${input.option}-${rate_rps}rps.txt`)
          : null;
        trace = await analyzeTrace(session, analyzer, keep);
        if (keep) log(`trace: raw trace kept in ${keep}`);
      }
      session.clear();
      const p50u = untraced.run.latency_p50_ms;
      const p50t = traced.run.latency_p50_ms;
      const report: LabTraceReport = {
        option: input.option,
        option_used: state.layout.option_used,
        rate_rps,
        connections: input.connections,
        response_bytes: file.response_bytes,
        trace_s: input.trace_s,
        warmup_before_trace_s: input.warmup_s + (input.duration_s - input.trace_s) / 2,
        buffer_kb: session.buffer_kb,
        events_enabled: session.enabled,
        events_missing: session.missing,
        untraced: untraced.run,
        traced: traced.run,
        tracing_overhead: {
          p50_untraced_ms: p50u,
          p50_traced_ms: p50t,
          p50_ratio: p50u !== null && p50t !== null && p50u > 0 ? p50t / p50u : null,
          note: TRACING_OVERHEAD_NOTE,
        },
        trace,
        warnings: [],
      };
      if (traced.pid === null) report.warnings.push('the traced run never opened its window: nothing traced');
      if (state.substitution) report.warnings.push(state.substitution);
      report.warnings.push(...warningsOf(report, input.trace_s));
      for (const w of report.warnings) log(`trace: warning: ${w}`);
      reports.push(report);
    }
  } finally {
    cleanup();
    removeHandler();
    process.off('exit', cleanup);
  }
  return reports;
}
