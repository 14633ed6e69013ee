/**
 * The run record: ONE step of a run (one option, one rate, one repeat) as measured by the harness
 * on target hosts, in the namespace lab, or transcribed from a published table. A directory of
 * records is a run. This zod schema is the single source of the TypeScript type and of the
 * published JSON Schema (`runRecordJsonSchema()`).
 *
 * Invariants:
 * - Every field name carries its unit (`_ms`, `_s`, `_rps`, `_bytes`, `_jiffies`, `_ns`).
 * - Counters are DELTAS over the measured interval (after minus before), never raw totals.
 * - Tuning is what was READ BACK from /proc and /sys at the start of the step, not what was asked.
 * - `option` is the id that was asked for; `driver` and `option_used` say what really ran (a macvlan
 *   run asked as ipvlan has option "ipvlan", option_used "macvlan", driver "macvlan").
 * - A record with `valid: false` carries `invalid_reason`; consumers must skip it for fitting.
 *
 * Versioning: `schema_version` is bumped on any incompatible change; optional fields may be added
 * within a version.
 */
import { z } from 'zod';

export const RUN_RECORD_SCHEMA_VERSION = 1 as const;

const count = z.number().int().nonnegative();
const nonneg = z.number().nonnegative();

/** Latency percentiles in milliseconds; keys as in sim/result.ts (`p99_5` is p99.5). Any may be missing. */
export const LatencyPercentilesMs = z
  .object({
    p50: nonneg.optional(),
    p90: nonneg.optional(),
    p95: nonneg.optional(),
    p99: nonneg.optional(),
    p99_5: nonneg.optional(),
    p99_9: nonneg.optional(),
    p99_99: nonneg.optional(),
    p99_999: nonneg.optional(),
    max: nonneg.optional(),
  })
  .strict();
export type LatencyPercentilesMs = z.infer<typeof LatencyPercentilesMs>;

export const NumaNode = z.object({ node: count, cpus: z.array(count) }).strict();

export const Host = z
  .object({
    /** Host name (lab: the namespace name, e.g. `cns-hostA`). */
    name: z.string().min(1),
    role: z.enum(['server', 'client']),
    /** `uname -r`, e.g. `6.1.0-18-amd64`; absent for published tables that do not say. */
    kernel: z.string().optional(),
    /** Online CPUs. */
    cpus: count.optional(),
    numa: z.array(NumaNode).optional(),
    /** The interface carrying the traffic (lab: the wire veth inside the host namespace). */
    interface: z.string().optional(),
    /** Network namespace the host lives in (lab only). */
    netns: z.string().optional(),
    /** Instance type or machine description (e.g. `c4.8xlarge`). */
    machine: z.string().optional(),
  })
  .strict();
export type Host = z.infer<typeof Host>;

export const IrqAffinity = z
  .object({
    irq: count,
    /** The action name in /proc/interrupts, e.g. `eth0-TxRx-0`, `virtio0-input.0`. */
    name: z.string(),
    /** Queue index when the name says it. */
    queue: count.optional(),
    /** /proc/irq/N/smp_affinity_list as read, e.g. `0` or `1-8,10-17`. */
    cpus: z.string(),
  })
  .strict();

export const QueueMask = z
  .object({
    interface: z.string(),
    /** `rx-0`, `tx-3`. */
    queue: z.string(),
    /** The hexadecimal mask exactly as read (commas kept), e.g. `0003fdfe` or `0`. */
    mask: z.string(),
  })
  .strict();

export const RpsFlowCnt = z.object({ interface: z.string(), queue: z.string(), entries: count }).strict();

export const Tuning = z
  .object({
    /** `read-back` from /proc and /sys at the step's start, or `described` (published tables). */
    origin: z.enum(['read-back', 'described']),
    irq_affinity: z.array(IrqAffinity).optional(),
    rps_cpus: z.array(QueueMask).optional(),
    xps_cpus: z.array(QueueMask).optional(),
    /** /proc/sys/net/core/rps_sock_flow_entries. */
    rps_sock_flow_entries: count.optional(),
    rps_flow_cnt: z.array(RpsFlowCnt).optional(),
    /** sysctl name (dotted, e.g. `net.core.somaxconn`) to the value as read (whitespace-normalised). */
    sysctls: z.record(z.string(), z.string()).optional(),
    /** `ethtool -c` fields when readable (e.g. `rx-usecs`: 0); null when the driver does not say. */
    coalescing: z.record(z.string(), z.number()).nullable().optional(),
    /** Connection-tracking bypass (iptables raw NOTRACK) rules in force, as printed by iptables-save. */
    notrack_rules: z.array(z.string()).optional(),
    /** Files that could not be read (path: reason), so a missing value is never mistaken for a default. */
    unreadable: z.array(z.string()).optional(),
    /** Free text for published tables. */
    description: z.string().optional(),
  })
  .strict();
export type Tuning = z.infer<typeof Tuning>;

/**
 * cnisim-openloop's send-loop bursts over the measured window (generator/burst-stats.ts): loop
 * wake-ups per second (also those that found nothing due), sends per non-empty wake-up, and the
 * mean latency from the write by 0-based position in the burst, in bins [from, to] (to null:
 * open-ended).
 */
export const GeneratorBursts = z
  .object({
    ticks_per_s: nonneg,
    empty_ticks_per_s: nonneg,
    sends_per_tick_mean: nonneg,
    by_position: z.array(
      z.object({ from: count, to: count.nullable(), requests: count, latency_mean_ms: nonneg }).strict(),
    ),
  })
  .strict();
export type GeneratorBursts = z.infer<typeof GeneratorBursts>;

export const Generator = z
  .object({
    /** `tcpkali`, `cnisim-openloop` (harness/generator) or `wrk` (closed loop, maximum-rate steps). */
    name: z.enum(['tcpkali', 'cnisim-openloop', 'wrk']),
    version: z.string(),
    /** Exact argv, with the taskset/chrt/ip-netns prefix when one was used. */
    argv: z.array(z.string()),
    /** The same as one shell-quoted line, for people. */
    command_line: z.string(),
    /** Open loop (tcpkali, cnisim-openloop) or closed loop (wrk). */
    loop: z.enum(['open', 'closed']),
    workers: count.optional(),
    /** CPU list the generator was pinned to (taskset -c), if any. */
    cpus: z.string().optional(),
    /** tcpkali `--write-combine` choice; cnisim-openloop never combines. */
    write_combine: z.boolean().optional(),
    /** Did the generator offer the requested schedule? false = the load it offered was lower or late. */
    kept_up: z.boolean().optional(),
    kept_up_reason: z.string().optional(),
    /** Largest lag of a send behind its scheduled time, ms (cnisim-openloop). */
    send_lag_max_ms: nonneg.optional(),
    /** 99th percentile of send lag behind schedule, ms (cnisim-openloop). */
    send_lag_p99_ms: nonneg.optional(),
    /** The generator's own CPU time over the step (getrusage / /proc/pid/stat). */
    cpu_user_s: nonneg.optional(),
    cpu_system_s: nonneg.optional(),
    /** Bursts of the send loop and latency by position in them (cnisim-openloop). */
    bursts: GeneratorBursts.optional(),
  })
  .strict();
export type Generator = z.infer<typeof Generator>;

export const ServerApp = z
  .object({
    name: z.string(),
    version: z.string().optional(),
    workers: count.optional(),
    /** CPUs the workers were pinned to, one entry per worker (nginx worker_cpu_affinity). */
    worker_cpus: z.array(z.string()).optional(),
    /** Config file contents or a digest of it. */
    config_sha256: z.string().optional(),
    /** The URL path requested, e.g. `/r350`. */
    path: z.string().optional(),
  })
  .strict();

export const CpuStatDelta = z
  .object({
    cpu: count,
    user_jiffies: count,
    nice_jiffies: count,
    system_jiffies: count,
    idle_jiffies: count,
    iowait_jiffies: count,
    irq_jiffies: count,
    softirq_jiffies: count,
    steal_jiffies: count,
    guest_jiffies: count.optional(),
    guest_nice_jiffies: count.optional(),
  })
  .strict();

export const SoftirqDelta = z.object({ cpu: count, net_rx: count, net_tx: count }).strict();

export const InterruptLineDelta = z
  .object({
    /** The first column of /proc/interrupts (a number or a name like `NMI`). */
    irq: z.string(),
    /** The action name (last column), e.g. `virtio1-input.0`. */
    name: z.string(),
    /** Delta per CPU, index = CPU number. */
    per_cpu: z.array(count),
  })
  .strict();

export const SoftnetDelta = z
  .object({
    cpu: count,
    processed: count,
    dropped: count,
    time_squeeze: count,
    received_rps: count,
    flow_limit_count: count.optional(),
  })
  .strict();

export const TaskSchedDelta = z
  .object({
    pid: count,
    /** Process name (comm), e.g. `nginx`. */
    comm: z.string(),
    /** CPUs the task may run on (Cpus_allowed_list). */
    cpus_allowed: z.string().optional(),
    /** /proc/PID/schedstat field 1: time on CPU, ns. */
    run_ns: count,
    /** field 2: time waiting on a run queue, ns. */
    wait_ns: count,
    /** field 3: timeslices run. */
    timeslices: count,
    /**
     * /proc/PID/status: switches away because the task slept (voluntary: each is followed by a
     * wake-up) and because it was preempted (involuntary); timeslices count both.
     */
    voluntary_switches: count.optional(),
    involuntary_switches: count.optional(),
  })
  .strict();

export const TcpCounters = z
  .object({
    retrans_segs: count.optional(),
    out_segs: count.optional(),
    in_segs: count.optional(),
    in_errs: count.optional(),
    listen_drops: count.optional(),
    listen_overflows: count.optional(),
    backlog_drop: count.optional(),
    /** Every Tcp:/TcpExt:/IpExt: counter that changed, keyed `Tcp.RetransSegs`, `TcpExt.TCPBacklogDrop`. */
    changed: z.record(z.string(), z.number().int()).optional(),
  })
  .strict();

export const HostCounters = z
  .object({
    /** Seconds between the before and after snapshots (wall clock, CLOCK_MONOTONIC). */
    interval_s: nonneg,
    /** USER_HZ, the unit of the *_jiffies fields (100 on Linux). */
    user_hz: z.number().int().positive().optional(),
    cpu: z.array(CpuStatDelta).optional(),
    softirqs: z.array(SoftirqDelta).optional(),
    /** Only the lines of the traffic NIC's queues (empty in the lab: veth has no IRQs). */
    interrupts: z.array(InterruptLineDelta).optional(),
    softnet: z.array(SoftnetDelta).optional(),
    /** nginx workers (or any server task) CPU time. */
    server_tasks: z.array(TaskSchedDelta).optional(),
    /**
     * The same for the lab's load generator (its main thread: the event loop; libuv and V8 helper
     * threads are not in it), so that its wake-ups (timeslices) can be compared with the model's.
     */
    client_tasks: z.array(TaskSchedDelta).optional(),
    tcp: TcpCounters.optional(),
  })
  .strict();
export type HostCounters = z.infer<typeof HostCounters>;

export const Counters = z
  .object({
    /**
     * `per-host`: `server` and `client` were read on each host. `machine`: the lab, where /proc/stat,
     * /proc/softirqs, /proc/interrupts and softnet_stat are global to the machine and so cover both
     * "hosts" and anything else running on it; the values are in `machine`, except the TCP
     * counters, which are per network namespace: in the lab `server` and `client` hold only `tcp`
     * (and `interval_s`), read in the server's and the client's namespace (`hosts.*.netns`).
     */
    scope: z.enum(['per-host', 'machine']),
    note: z.string().optional(),
    server: HostCounters.optional(),
    client: HostCounters.optional(),
    machine: HostCounters.optional(),
  })
  .strict();
export type Counters = z.infer<typeof Counters>;

/**
 * A step of an open-loop maximum-rate search (harness/max-rate-search.ts): its verdict under the
 * simulator's rule and the search's bracket after it. The last step of a search says the result.
 */
export const MaxRateSearchStep = z
  .object({
    method: z.literal('open-loop bisection'),
    /** Identifies the search: option and repeat. */
    search_id: z.string().min(1),
    /** Position of this step in its search, from 0. */
    step: count,
    /** The rule a rate must meet to count as carried. */
    rule: z.string(),
    verdict: z.enum(['carried', 'failed']),
    reason: z.string(),
    /** A disturbed failure (the server waited for its CPU) that was offered again: it moved nothing. */
    retried: z.boolean().optional(),
    /** Highest carried and lowest failed offered rate after this step (null: none yet). */
    carried_rps: nonneg.nullable(),
    failing_rps: nonneg.nullable(),
    /** True on the search's last step, which then carries the result. */
    final: z.boolean(),
    max_rate_rps: nonneg.nullable(),
    done_reason: z.string().nullable(),
  })
  .strict();
export type MaxRateSearchStep = z.infer<typeof MaxRateSearchStep>;

export const RunRecord = z
  .object({
    schema_version: z.literal(RUN_RECORD_SCHEMA_VERSION),
    /** Identifies the run (the directory); shared by all its steps. */
    run_id: z.string().min(1),
    /** Position of this step in the run's interleaved order, from 0. */
    step_index: count,
    /** Repeat number of this (option, rate) point, from 0. */
    repeat: count,
    source: z.enum(['lab', 'target', 'published-table']),
    /** Where a published-table record comes from (e.g. `seed study table 2`). */
    citation: z.string().optional(),
    /** ISO 8601 UTC. */
    started_at: z.iso.datetime(),
    ended_at: z.iso.datetime(),

    /** The option id asked for: net-host, flannel-host-gw, flannel-vxlan, ipvlan, macvlan, ... */
    option: z.string().min(1),
    /** The option id that really ran (differs from `option` only when a substitute was used). */
    option_used: z.string().min(1),
    /** Kernel driver of the pod interface really used: `none` (host network), `veth+bridge`, `vxlan`, `macvlan`, `ipvlan`. */
    driver: z.string().min(1),
    /** MTU of the pod-side interface and of the wire. */
    pod_mtu: count.optional(),
    wire_mtu: count.optional(),

    hosts: z.object({ server: Host, client: Host }).strict(),
    tuning: z.object({ server: Tuning.optional(), client: Tuning.optional() }).strict().optional(),
    server_app: ServerApp.optional(),
    generator: Generator,

    /** Total offered request rate asked for; null for a closed-loop maximum-rate step (wrk). */
    requested_rps: nonneg.nullable(),
    /** Responses received per second over the measured interval. */
    achieved_rps: nonneg,
    connections: z.number().int().positive(),
    /** Measured interval (ramp-up and warm-up excluded). */
    duration_s: z.number().positive(),
    warmup_s: nonneg.optional(),
    /** Complete HTTP request size on the wire (TCP payload). */
    request_bytes: count,
    /** Complete HTTP response size (headers plus body), as checked by a real request. */
    response_bytes: count,
    response_body_bytes: count.optional(),
    requests_sent: count.optional(),
    responses_received: count.optional(),
    /** Connection errors, resets, non-200 responses. */
    errors: count.optional(),

    /** The primary latency: percentiles in ms. */
    latency_ms: LatencyPercentilesMs,
    /** Which latency `latency_ms` is: from the actual write (as tcpkali) or from the scheduled send time. */
    latency_kind: z.enum(['from_write', 'from_schedule']),
    /** The generator's resolution: 0.1 for tcpkali, 0.001 for cnisim-openloop. */
    latency_resolution_ms: z.number().positive(),
    /** The other latency when the generator measures both (cnisim-openloop: from the scheduled send time). */
    latency_from_schedule_ms: LatencyPercentilesMs.optional(),
    latency_mean_ms: nonneg.optional(),
    /** Number of latency samples behind the percentiles. */
    latency_samples: count.optional(),
    /** tcpkali --latency-connect. */
    connect_latency_ms: LatencyPercentilesMs.optional(),

    counters: Counters.optional(),

    valid: z.boolean(),
    /** Why the record must not be used for fitting; null or absent when valid. */
    invalid_reason: z.string().nullable().optional(),
    warnings: z.array(z.string()).optional(),
    /** Present when the step belongs to an open-loop maximum-rate search (`--max-rate open-loop`). */
    max_rate_search: MaxRateSearchStep.optional(),
    /** The generator's raw summary (tcpkali stdout), kept for audit. */
    raw_summary: z.string().optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (!r.valid && !r.invalid_reason)
      ctx.addIssue({ code: 'custom', path: ['invalid_reason'], message: 'required when valid is false' });
    if (Date.parse(r.ended_at) < Date.parse(r.started_at))
      ctx.addIssue({ code: 'custom', path: ['ended_at'], message: 'is before started_at' });
    if (r.counters?.scope === 'machine' && !r.counters.machine)
      ctx.addIssue({
        code: 'custom',
        path: ['counters', 'machine'],
        message: 'required when scope is machine',
      });
  });
export type RunRecord = z.infer<typeof RunRecord>;

/** JSON Schema (draft 2020-12) of one run record, for tools outside TypeScript. */
export function runRecordJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunRecord, { target: 'draft-2020-12', io: 'input' }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: `https://cnisim.dev/schema/run-record-v${RUN_RECORD_SCHEMA_VERSION}.json`,
    title: 'cnisim run record',
    description: 'One step of a harness run (one option, rate and repeat). See docs/harness.md.',
  };
}
