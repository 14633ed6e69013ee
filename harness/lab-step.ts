/**
 * One step in the namespace lab: the generator runs in the client namespace (pinned), kernel
 * counters are snapshotted when its measured window opens and closes, and the result becomes a
 * run record. Validity is decided here, with the reason, so a consumer never has to guess.
 *
 * Invalid when: the run was abandoned (connection lost, no connection), the generator offered less
 * than 99 % of the requested rate inside the window, measured requests were never answered, any
 * response was not 200, or responses were not the size checked at start. Sends that were late
 * (p99 lag above the limit) but all made keep the record valid with `generator.kept_up: false` and
 * a warning: the from-schedule latency includes the lag, the from-write latency does not.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  diffNetnsTcp,
  diffSnapshots,
  type NetnsSource,
  type Snapshot,
  takeSnapshot,
} from './counters/snapshot.ts';
import {
  GENERATOR_NAME,
  GENERATOR_VERSION,
  type OpenLoopConfig,
  type OpenLoopResult,
} from './generator/generator.ts';
import { generatorArgv, runJsonChild } from './generator/spawn.ts';
import { readHostFacts } from './hostinfo.ts';
import type { LabState } from './lab/lab.ts';
import { childPids, httpRequest, type NginxFile, type NginxServer } from './nginx/server.ts';
import { type Counters, RUN_RECORD_SCHEMA_VERSION, type RunRecord, type Tuning } from './run-record.ts';
import { shellLine } from './shell.ts';
import { tryRun } from './exec.ts';
import { buildWrkCommand, parseWrkOutput, type WrkSummary } from './wrk.ts';
import { buildTcpkaliCommand } from './tcpkali/command.ts';
import type { TcpkaliSummary } from './tcpkali/parse.ts';
import { tcpkaliFields } from './tcpkali/record.ts';
import { runTcpkali } from './tcpkali/run.ts';

export interface LabStepInput {
  state: LabState;
  run_id: string;
  step_index: number;
  repeat: number;
  rate_rps: number;
  connections: number;
  duration_s: number;
  warmup_s: number;
  /** `small` (350-byte response) or `large` (4096-byte body). */
  response: 'small' | 'large';
  generator_cpus: string;
  tuning?: { server?: Tuning; client?: Tuning };
  /** Run the generator under SCHED_FIFO 50. */
  rt?: boolean;
  /** Generator's lag limit, ms (default 5). */
  lag_limit_ms?: number;
}

/** hosts.*.machine of every lab record (calibration keys hosts by it). */
export const LAB_MACHINE = 'cnisim namespace lab (both hosts on one machine)';

export const LAB_COUNTER_NOTE =
  'lab: /proc/stat, /proc/softirqs, /proc/interrupts and /proc/net/softnet_stat are global to the machine, ' +
  'so these counters cover both "hosts" and every other process on it; /proc/stat softirq time is tick-sampled ' +
  'here (use softirq counts and softnet_stat, which are exact); server_tasks is exact per task; ' +
  "TCP counters are per network namespace: server.tcp and client.tcp are those of the server's and the " +
  "client's namespace (hosts.*.netns, where the sockets are), so they cover the lab's traffic and nothing else, " +
  'and machine has none';

/**
 * Where a lab step reads its TCP counters: the server's namespace through nginx's master (a file
 * read), the client's through the generator's pid when known, else by the namespace's name.
 */
function labTcpSources(state: LabState, clientPid?: number): { server: NetnsSource; client: NetnsSource } {
  const { layout } = state;
  return {
    server: state.nginx ? { pid: state.nginx.master_pid } : { netns: layout.server.netns },
    client: clientPid !== undefined ? { pid: clientPid } : { netns: layout.client.netns },
  };
}

function userHz(): number {
  return 100; // USER_HZ is 100 on every Linux architecture the harness targets
}

/** The running nginx of a lab and the file a step asks it for. */
function servedFile(state: LabState, response: 'small' | 'large'): { nginx: NginxServer; file: NginxFile } {
  if (!state.nginx)
    throw new Error(`the ${state.layout.option} lab has no nginx running (lab up without --no-nginx)`);
  return { nginx: state.nginx, file: state.nginx.files[response] };
}

/**
 * The fields that open every lab record, in record order: the step, its times, the option's layout,
 * and both "hosts" (the two namespaces of this machine, so they share the machine's facts).
 */
function labRecordHead(
  input: Pick<LabStepInput, 'state' | 'run_id' | 'step_index' | 'repeat'>,
  started_at: string,
  ended_at: string,
) {
  const { layout } = input.state;
  const facts = readHostFacts();
  const host = (role: 'server' | 'client') => {
    const ep = role === 'server' ? layout.server : layout.client;
    return {
      name: ep.netns,
      role,
      kernel: facts.kernel,
      cpus: facts.cpus,
      numa: facts.numa,
      interface: ep.interface,
      netns: ep.netns,
      machine: LAB_MACHINE,
    };
  };
  return {
    schema_version: RUN_RECORD_SCHEMA_VERSION,
    run_id: input.run_id,
    step_index: input.step_index,
    repeat: input.repeat,
    source: 'lab' as const,
    started_at,
    ended_at,
    option: layout.option,
    option_used: layout.option_used,
    driver: layout.driver,
    pod_mtu: layout.pod_mtu,
    wire_mtu: layout.wire_mtu,
    hosts: { server: host('server'), client: host('client') },
  };
}

/** The first fields of server_app: the nginx that answered. */
function nginxApp(nginx: NginxServer) {
  return { name: 'nginx', version: nginx.version, workers: nginx.worker_cpus.length };
}

/** How a lab generator ran: the exact command, one worker, pinned to the generator CPUs. */
function labCommand(argv: string[], loop: 'open' | 'closed', cpus: string) {
  return { argv, command_line: shellLine(argv), loop, workers: 1, cpus };
}

/**
 * Machine-wide counters of a step, plus the TCP counters of each side's namespace (`server`,
 * `client`: only `tcp`); `span` says what the interval covers when it is more than the window.
 */
function labCounters(before: Snapshot, after: Snapshot, span?: string): Counters {
  return {
    scope: 'machine',
    note: span ? `${LAB_COUNTER_NOTE}; ${span}` : LAB_COUNTER_NOTE,
    machine: diffSnapshots(before, after, userHz()),
    ...diffNetnsTcp(before, after),
  };
}

/** The generator's answer: a result, or `{ok: false, error}` when it failed before running. */
export type GeneratorAnswer = OpenLoopResult | { generator?: undefined; ok: false; error?: string };

/** Decides validity (with the reason) and warnings of a step from the generator's answer. */
export function judgeStep(
  r: GeneratorAnswer,
  requested_rps: number,
  response_bytes: number,
): { invalid: string | null; warnings: string[] } {
  const warnings: string[] = [];
  let invalid: string | null = null;
  if (r.generator !== GENERATOR_NAME) invalid = `generator failed: ${r.error ?? 'no result'}`;
  else if (!r.ok) invalid = `generator abandoned the run: ${r.error ?? r.kept_up_reason ?? 'unknown'}`;
  else if (r.late_sends > 0)
    invalid = `generator fell behind: ${r.kept_up_reason ?? `${r.late_sends} sends late`}`;
  else if (r.sent_rps < 0.99 * requested_rps)
    invalid = `generator fell behind: offered ${r.sent_rps.toFixed(0)} of ${requested_rps} requests/s in the window${r.kept_up_reason ? ` (${r.kept_up_reason})` : ''}`;
  else if (r.measured_answered < r.measured_requests)
    invalid = `${r.measured_requests - r.measured_answered} of ${r.measured_requests} measured requests got no response within the drain time (server saturated or requests lost)`;
  else if (r.non_200 > 0) invalid = `${r.non_200} responses were not 200`;
  else if (r.bytes_per_response !== null && Math.abs(r.bytes_per_response - response_bytes) > 0.5)
    invalid = `responses averaged ${r.bytes_per_response.toFixed(1)} bytes, not the ${response_bytes} checked at start`;
  if (r.generator === GENERATOR_NAME && !r.kept_up && invalid === null)
    warnings.push(
      `generator sends were late (${r.kept_up_reason}); latency_from_schedule_ms includes that lag`,
    );
  return { invalid, warnings };
}

export async function runLabStep(input: LabStepInput): Promise<RunRecord> {
  const { state } = input;
  const { layout } = state;
  const { nginx, file } = servedFile(state, input.response);
  const request = httpRequest(file.path, layout.server.ip);
  const cfg: OpenLoopConfig = {
    host: layout.server.ip,
    port: 80,
    connections: input.connections,
    rate_rps: input.rate_rps,
    duration_s: input.duration_s,
    warmup_s: input.warmup_s,
    request,
    lag_limit_ms: input.lag_limit_ms ?? 5,
  };
  const argv = generatorArgv('run', cfg, {
    netns: layout.client.netns,
    cpus: input.generator_cpus,
    rt: input.rt ?? false,
  });
  const workers = childPids(nginx.master_pid);
  const snapOpts = { pids: workers, netnsTcp: labTcpSources(state) };
  let before: Snapshot | null = null;
  let after: Snapshot | null = null;
  const started_at = new Date().toISOString();
  const timeoutMs = (input.warmup_s + input.duration_s + 3 + 20) * 1000;
  const child = await runJsonChild<GeneratorAnswer>(argv, timeoutMs, (ev, line) => {
    // The generator names its pid at each window edge: its schedstat is sampled with nginx's.
    // The generator is in the client's namespace: its /proc/PID/net/* are that namespace's.
    const opts =
      typeof line.pid === 'number'
        ? { ...snapOpts, clientPids: [line.pid], netnsTcp: labTcpSources(state, line.pid) }
        : snapOpts;
    if (ev === 'window_start') before = takeSnapshot(opts);
    else if (ev === 'window_end') after = takeSnapshot(opts);
  });
  const ended_at = new Date().toISOString();
  const r = child.value;

  const { invalid, warnings } = judgeStep(r, input.rate_rps, file.response_bytes);
  if (state.substitution) warnings.push(state.substitution);
  if (!before || !after)
    warnings.push('no counter snapshots: the generator never opened its measured window');

  const ok = r.generator === GENERATOR_NAME;
  const record: RunRecord = {
    ...labRecordHead(input, started_at, ended_at),
    server_app: {
      ...nginxApp(nginx),
      worker_cpus: nginx.worker_cpus.map(String),
      config_sha256: sha256(nginx.conf),
      path: file.path,
    },
    generator: {
      name: GENERATOR_NAME,
      version: ok ? r.version : GENERATOR_VERSION,
      ...labCommand(argv, 'open', input.generator_cpus),
      write_combine: false,
      ...(ok
        ? {
            kept_up: r.kept_up,
            ...(r.kept_up_reason ? { kept_up_reason: r.kept_up_reason } : {}),
            ...(r.lag_max_ms !== null ? { send_lag_max_ms: r.lag_max_ms } : {}),
            ...(r.lag_p99_ms !== null ? { send_lag_p99_ms: r.lag_p99_ms } : {}),
            ...(r.bursts && r.bursts.ticks_per_s > 0 ? { bursts: r.bursts } : {}),
            cpu_user_s: r.cpu_user_s,
            cpu_system_s: r.cpu_system_s,
          }
        : { kept_up: false, kept_up_reason: invalid ?? 'failed' }),
    },
    requested_rps: input.rate_rps,
    achieved_rps: ok ? r.achieved_rps : 0,
    connections: input.connections,
    duration_s: input.duration_s,
    warmup_s: input.warmup_s,
    request_bytes: Buffer.byteLength(request, 'latin1'),
    response_bytes: file.response_bytes,
    response_body_bytes: file.body_bytes,
    latency_ms: ok ? r.latency_from_write_ms : {},
    latency_kind: 'from_write',
    latency_resolution_ms: 0.001,
    valid: invalid === null,
    invalid_reason: invalid,
    warnings,
  };
  if (input.tuning) record.tuning = input.tuning;
  if (ok) {
    record.requests_sent = r.requests_sent;
    record.responses_received = r.responses_received;
    record.errors = r.non_200;
    record.latency_from_schedule_ms = r.latency_from_schedule_ms;
    if (r.latency_mean_from_write_ms !== null) record.latency_mean_ms = r.latency_mean_from_write_ms;
    record.latency_samples = r.latency_samples;
  }
  if (before && after) {
    record.counters = labCounters(before, after);
  }
  return record;
}

function sha256(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

export interface LabWrkStepInput {
  state: LabState;
  run_id: string;
  step_index: number;
  repeat: number;
  connections: number;
  duration_s: number;
  response: 'small' | 'large';
  generator_cpus: string;
  tuning?: { server?: Tuning; client?: Tuning };
}

/**
 * A maximum-rate step with wrk (closed loop). Counters span the whole wrk process (its connection
 * set-up included). Invalid when wrk fails, its output does not parse, or any request failed.
 */
export function runLabWrkStep(input: LabWrkStepInput): RunRecord {
  const { state } = input;
  const { layout } = state;
  const { nginx, file } = servedFile(state, input.response);
  const wrkArgv = buildWrkCommand({
    url: `http://${layout.server.ip}${file.path}`,
    threads: 1,
    connections: input.connections,
    duration_s: input.duration_s,
    cpus: input.generator_cpus,
  });
  const argv = ['ip', 'netns', 'exec', layout.client.netns, ...wrkArgv];
  const snapOpts = { pids: childPids(nginx.master_pid), netnsTcp: labTcpSources(state) };
  const started_at = new Date().toISOString();
  const before = takeSnapshot(snapOpts);
  const r = tryRun(argv, { timeoutMs: (input.duration_s + 30) * 1000 });
  const after = takeSnapshot(snapOpts);
  const ended_at = new Date().toISOString();
  let invalid: string | null = null;
  let w: WrkSummary | null = null;
  if (r.status !== 0)
    invalid = `wrk failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
  else {
    try {
      w = parseWrkOutput(r.stdout, 'wrk stdout');
    } catch (e) {
      invalid = e instanceof Error ? e.message : String(e);
    }
  }
  if (w && !invalid && (w.socket_errors > 0 || w.non_2xx_3xx > 0))
    invalid = `wrk saw ${w.socket_errors} socket errors and ${w.non_2xx_3xx} non-2xx/3xx responses`;
  const version = /wrk\s+(\S+)/.exec(tryRun(['wrk', '--version']).stdout)?.[1] ?? 'unknown';
  const record: RunRecord = {
    ...labRecordHead(input, started_at, ended_at),
    server_app: {
      ...nginxApp(nginx),
      worker_cpus: nginx.worker_cpus.map(String),
      path: file.path,
    },
    generator: {
      name: 'wrk',
      version,
      ...labCommand(argv, 'closed', input.generator_cpus),
    },
    requested_rps: null,
    achieved_rps: w?.requests_per_s ?? 0,
    connections: input.connections,
    duration_s: w?.duration_s ?? input.duration_s,
    request_bytes: Buffer.byteLength(
      `GET ${file.path} HTTP/1.1\r\nHost: ${layout.server.ip}\r\n\r\n`,
      'latin1',
    ),
    response_bytes: file.response_bytes,
    response_body_bytes: file.body_bytes,
    latency_ms: w?.latency_ms ?? {},
    latency_kind: 'from_write',
    latency_resolution_ms: 0.01,
    valid: invalid === null,
    invalid_reason: invalid,
    warnings: [
      'closed loop (wrk): latencies suffer coordinated omission; use this step for the maximum rate only',
      ...(state.substitution ? [state.substitution] : []),
    ],
    counters: labCounters(before, after, 'counters span the whole wrk process'),
  };
  if (w) {
    record.requests_sent = w.requests;
    record.responses_received = w.requests;
    record.errors = w.socket_errors + w.non_2xx_3xx;
    record.latency_mean_ms = w.latency_mean_ms;
    record.raw_summary = r.stdout;
  }
  if (input.tuning) record.tuning = input.tuning;
  return record;
}

/**
 * A lab step driven by tcpkali (when installed): the exact command of `harness plan`, run in the
 * client namespace. Counters span the whole tcpkali process (ramp-up included).
 */
export async function runLabTcpkaliStep(
  input: Omit<LabStepInput, 'warmup_s' | 'rt' | 'lag_limit_ms'> & {
    tcpkali: { binary: string; version: string };
  },
): Promise<RunRecord> {
  const { state } = input;
  const { layout } = state;
  const { nginx, file } = servedFile(state, input.response);
  const request = httpRequest(file.path, layout.server.ip);
  const cmd = buildTcpkaliCommand({
    target: `${layout.server.ip}:80`,
    connections: input.connections,
    total_rps: input.rate_rps,
    duration_s: input.duration_s,
    request,
    workers: 1,
    write_combine: false,
    taskset_cpus: input.generator_cpus,
    binary: input.tcpkali.binary,
  });
  const prefix = ['ip', 'netns', 'exec', layout.client.netns];
  const snapOpts = { pids: childPids(nginx.master_pid), netnsTcp: labTcpSources(state) };
  const started_at = new Date().toISOString();
  const before = takeSnapshot(snapOpts);
  let summary: TcpkaliSummary | null = null;
  let invalid: string | null = null;
  try {
    summary = (await runTcpkali(cmd, { timeoutMs: (input.duration_s + 60) * 1000, prefix })).summary;
  } catch (e) {
    invalid = e instanceof Error ? e.message : String(e);
  }
  const after = takeSnapshot(snapOpts);
  const ended_at = new Date().toISOString();
  const request_bytes = Buffer.byteLength(request, 'latin1');
  const f = summary ? tcpkaliFields(summary, input.rate_rps, request_bytes, file.response_bytes) : null;
  if (!invalid && f?.invalid) invalid = f.invalid;
  const argv = [...prefix, ...cmd.argv];
  const record: RunRecord = {
    ...labRecordHead(input, started_at, ended_at),
    server_app: {
      ...nginxApp(nginx),
      path: file.path,
    },
    generator: {
      name: 'tcpkali',
      version: input.tcpkali.version,
      ...labCommand(argv, 'open', input.generator_cpus),
      write_combine: false,
      kept_up: f !== null && f.sent_rps >= 0.99 * input.rate_rps,
    },
    requested_rps: input.rate_rps,
    achieved_rps: f?.achieved_rps ?? 0,
    connections: input.connections,
    duration_s: summary?.duration_s ?? input.duration_s,
    request_bytes,
    response_bytes: file.response_bytes,
    response_body_bytes: file.body_bytes,
    requests_sent: f?.requests_sent ?? 0,
    latency_ms: f?.latency_ms ?? {},
    latency_kind: 'from_write',
    latency_resolution_ms: 0.1,
    valid: invalid === null,
    invalid_reason: invalid,
    warnings: [...(f?.warnings ?? []), ...(state.substitution ? [state.substitution] : [])],
    counters: labCounters(
      before,
      after,
      'counters span the whole tcpkali process, connection ramp-up included',
    ),
  };
  if (summary) record.raw_summary = summary.raw;
  if (f?.connect_latency_ms) record.connect_latency_ms = f.connect_latency_ms;
  if (input.tuning) record.tuning = input.tuning;
  return record;
}
