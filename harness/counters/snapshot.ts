/**
 * Snapshots of the kernel counters around a step, and their difference as a run record's
 * HostCounters. `root` is `/` on a real host; tests pass a directory laid out like /proc.
 *
 * /proc/net/snmp and /proc/net/netstat are per network namespace: read at `root` they show the
 * namespace of the process taking the snapshot. In the lab the traffic's sockets live in other
 * namespaces, so `netnsTcp` reads them there instead (per side: server, client), from
 * /proc/PID/net/* of a process inside (a file read) or, with no such process, with
 * `ip netns exec NS cat ...` (one fork, a few ms); the root namespace's are then not read at all.
 *
 * Invariants: a delta is after minus before; softnet_stat words are 32-bit and wrap, so their
 * deltas are taken modulo 2^32; a file that cannot be read leaves its field out (never zeros).
 * Cost: a handful of small file reads (well under 1 ms) per snapshot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryRun } from '../exec.ts';
import type { HostCounters } from '../run-record.ts';
import {
  type CpuTimes,
  type InterruptLine,
  parseInterrupts,
  parseProcStat,
  parseSchedstat,
  parseSnmp,
  parseSoftirqs,
  parseSoftnetStat,
  type Schedstat,
  type SoftnetRow,
  type Softirqs,
} from './proc.ts';

export interface TaskSample {
  pid: number;
  comm: string;
  cpus_allowed?: string;
  sched: Schedstat;
  /** /proc/PID/status: context switches because the task slept (voluntary) or was preempted. */
  switches?: { voluntary: number; involuntary: number };
}

export interface Snapshot {
  t_ns: number;
  stat?: CpuTimes[];
  softirqs?: Softirqs;
  interrupts?: InterruptLine[];
  softnet?: SoftnetRow[];
  snmp?: Record<string, number>;
  /** /proc/net/snmp and netstat of other namespaces, per side (`netnsTcp`). */
  netnsSnmp?: { server?: Record<string, number>; client?: Record<string, number> };
  tasks: TaskSample[];
  /** The load generator's own task (its event loop thread), when its pid was given. */
  clientTasks: TaskSample[];
  unreadable: string[];
}

export interface SnapshotOptions {
  root?: string;
  /** Keeps the /proc/interrupts lines of the traffic NIC's queues (by action name). */
  interruptFilter?: (line: InterruptLine) => boolean;
  /** Tasks whose schedstat to sample (nginx workers). */
  pids?: readonly number[];
  /** Client tasks whose schedstat to sample (the lab generator's process). */
  clientPids?: readonly number[];
  /**
   * Read the TCP counters in these namespaces (per side) instead of the snapshot's own: by a pid
   * inside the namespace (/proc/PID/net/snmp under `root`) or by the namespace's name.
   */
  netnsTcp?: { server?: NetnsSource; client?: NetnsSource };
}

/** A network namespace to read /proc/net/* in: a process inside it, or its name (`ip netns`). */
export type NetnsSource = { pid: number } | { netns: string };

function reader(root: string, unreadable: string[]) {
  return <T>(rel: string, parse: (text: string) => T): T | undefined => {
    try {
      return parse(readFileSync(join(root, rel), 'utf8'));
    } catch (e) {
      unreadable.push(`${rel}: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
  };
}

export function takeSnapshot(opts: SnapshotOptions = {}): Snapshot {
  const root = opts.root ?? '/';
  const unreadable: string[] = [];
  const read = reader(root, unreadable);
  const t_ns = Number(process.hrtime.bigint());
  const snap: Snapshot = { t_ns, tasks: [], clientTasks: [], unreadable };
  const stat = read('proc/stat', parseProcStat);
  if (stat) snap.stat = stat;
  const softirqs = read('proc/softirqs', parseSoftirqs);
  if (softirqs) snap.softirqs = softirqs;
  const interrupts = read('proc/interrupts', parseInterrupts);
  if (interrupts) snap.interrupts = interrupts.lines.filter(opts.interruptFilter ?? (() => false));
  const softnet = read('proc/net/softnet_stat', parseSoftnetStat);
  if (softnet) snap.softnet = softnet;
  if (opts.netnsTcp) {
    snap.netnsSnmp = {};
    for (const side of ['server', 'client'] as const) {
      const src = opts.netnsTcp[side];
      const v = src && readNetnsSnmp(read, src, unreadable);
      if (v) snap.netnsSnmp[side] = v;
    }
  } else {
    const snmp = read('proc/net/snmp', parseSnmp);
    const netstat = read('proc/net/netstat', parseSnmp);
    if (snmp || netstat) snap.snmp = { ...snmp, ...netstat };
  }
  for (const pid of opts.pids ?? []) {
    const task = sampleTask(read, pid);
    if (task) snap.tasks.push(task);
  }
  for (const pid of opts.clientPids ?? []) {
    const task = sampleTask(read, pid);
    if (task) snap.clientTasks.push(task);
  }
  return snap;
}

/** snmp and netstat of one namespace, merged; undefined (and listed unreadable) when neither reads. */
function readNetnsSnmp(
  read: ReturnType<typeof reader>,
  src: NetnsSource,
  unreadable: string[],
): Record<string, number> | undefined {
  if ('pid' in src) {
    const snmp = read(`proc/${src.pid}/net/snmp`, parseSnmp);
    const netstat = read(`proc/${src.pid}/net/netstat`, parseSnmp);
    return snmp || netstat ? { ...snmp, ...netstat } : undefined;
  }
  // Both files are pairs of header/value lines, so their concatenation parses as one.
  const r = tryRun(['ip', 'netns', 'exec', src.netns, 'cat', '/proc/net/snmp', '/proc/net/netstat']);
  try {
    if (r.status !== 0) throw new Error(r.stderr.trim() || `exit ${r.status}`);
    return parseSnmp(r.stdout);
  } catch (e) {
    unreadable.push(`netns ${src.netns} /proc/net/snmp: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

function sampleTask(read: ReturnType<typeof reader>, pid: number): TaskSample | undefined {
  const sched = read(`proc/${pid}/schedstat`, parseSchedstat);
  if (!sched) return undefined;
  const comm = read(`proc/${pid}/comm`, (t) => t.trim()) ?? '?';
  const status = read(`proc/${pid}/status`, (t) => t);
  const task: TaskSample = { pid, comm, sched };
  const cpus = status && /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (cpus) task.cpus_allowed = cpus;
  const vol = status && /^voluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1];
  const inv = status && /^nonvoluntary_ctxt_switches:\s*(\d+)/m.exec(status)?.[1];
  if (vol && inv) task.switches = { voluntary: Number(vol), involuntary: Number(inv) };
  return task;
}

const wrap32 = (a: number, b: number) => (b - a + 2 ** 32) % 2 ** 32;
const nonneg = (a: number, b: number) => Math.max(0, b - a);

/** `delta` of each row of `after` and the row of `before` with the same key; rows only in `after` are left out. */
function paired<T, R>(
  before: readonly T[],
  after: readonly T[],
  key: (row: T) => number | string,
  delta: (x: T, y: T) => R,
): R[] {
  return after.flatMap((y) => {
    const x = before.find((row) => key(row) === key(y));
    return x ? [delta(x, y)] : [];
  });
}

/** The counters of a step: after minus before. */
export function diffSnapshots(a: Snapshot, b: Snapshot, user_hz = 100): HostCounters {
  const out: HostCounters = { interval_s: (b.t_ns - a.t_ns) / 1e9, user_hz };
  if (a.stat && b.stat) {
    out.cpu = paired(
      a.stat,
      b.stat,
      (s) => s.cpu,
      (x, y) => ({
        cpu: y.cpu,
        user_jiffies: nonneg(x.user, y.user),
        nice_jiffies: nonneg(x.nice, y.nice),
        system_jiffies: nonneg(x.system, y.system),
        idle_jiffies: nonneg(x.idle, y.idle),
        iowait_jiffies: nonneg(x.iowait, y.iowait),
        irq_jiffies: nonneg(x.irq, y.irq),
        softirq_jiffies: nonneg(x.softirq, y.softirq),
        steal_jiffies: nonneg(x.steal, y.steal),
        guest_jiffies: nonneg(x.guest, y.guest),
        guest_nice_jiffies: nonneg(x.guest_nice, y.guest_nice),
      }),
    );
  }
  if (a.softirqs && b.softirqs) {
    const ax = a.softirqs;
    out.softirqs = b.softirqs.cpus.flatMap((cpu, i) => {
      const j = ax.cpus.indexOf(cpu);
      if (j < 0) return [];
      return [
        {
          cpu,
          net_rx: nonneg(ax.counts.NET_RX![j]!, b.softirqs!.counts.NET_RX![i]!),
          net_tx: nonneg(ax.counts.NET_TX![j]!, b.softirqs!.counts.NET_TX![i]!),
        },
      ];
    });
  }
  if (a.interrupts && b.interrupts) {
    out.interrupts = paired(
      a.interrupts,
      b.interrupts,
      (l) => l.irq,
      (x, y) => ({
        irq: y.irq,
        name: y.name,
        per_cpu: y.per_cpu.map((v, i) => nonneg(x.per_cpu[i] ?? 0, v)),
      }),
    );
  }
  if (a.softnet && b.softnet) {
    out.softnet = paired(
      a.softnet,
      b.softnet,
      (s) => s.cpu,
      (x, y) => ({
        cpu: y.cpu,
        processed: wrap32(x.processed, y.processed),
        dropped: wrap32(x.dropped, y.dropped),
        time_squeeze: wrap32(x.time_squeeze, y.time_squeeze),
        received_rps: wrap32(x.received_rps, y.received_rps),
        flow_limit_count: wrap32(x.flow_limit_count, y.flow_limit_count),
      }),
    );
  }
  const tcp = diffTcp(a.snmp, b.snmp);
  if (tcp) out.tcp = tcp;
  if (b.tasks.length > 0) out.server_tasks = paired(a.tasks, b.tasks, (t) => t.pid, taskDelta);
  if (b.clientTasks.length > 0)
    out.client_tasks = paired(a.clientTasks, b.clientTasks, (t) => t.pid, taskDelta);
  return out;
}

/**
 * TCP counters of the namespaces read with `netnsTcp`, per side, as HostCounters holding only
 * `tcp` (and the interval); a side read at only one edge is left out.
 */
export function diffNetnsTcp(a: Snapshot, b: Snapshot): { server?: HostCounters; client?: HostCounters } {
  const interval_s = (b.t_ns - a.t_ns) / 1e9;
  const out: { server?: HostCounters; client?: HostCounters } = {};
  for (const side of ['server', 'client'] as const) {
    const tcp = diffTcp(a.netnsSnmp?.[side], b.netnsSnmp?.[side]);
    if (tcp) out[side] = { interval_s, tcp };
  }
  return out;
}

/** Tcp/TcpExt deltas of two /proc/net/snmp+netstat readings (after minus before). */
export function diffTcp(
  a: Record<string, number> | undefined,
  b: Record<string, number> | undefined,
): HostCounters['tcp'] {
  if (!a || !b) return undefined;
  const d = (k: string) => (a[k] !== undefined && b[k] !== undefined ? b[k]! - a[k]! : undefined);
  const changed: Record<string, number> = {};
  for (const k of Object.keys(b)) {
    if (!/^(Tcp|TcpExt|IpExt|Udp)\./.test(k)) continue;
    const v = d(k);
    if (
      v !== undefined &&
      v !== 0 &&
      !k.startsWith('Tcp.CurrEstab') &&
      !k.startsWith('Tcp.RtoM') &&
      !k.startsWith('Tcp.MaxConn')
    )
      changed[k] = v;
  }
  const tcp: NonNullable<HostCounters['tcp']> = { changed };
  const set = (field: keyof Omit<NonNullable<HostCounters['tcp']>, 'changed'>, key: string) => {
    const v = d(key);
    if (v !== undefined) tcp[field] = Math.max(0, v);
  };
  set('retrans_segs', 'Tcp.RetransSegs');
  set('out_segs', 'Tcp.OutSegs');
  set('in_segs', 'Tcp.InSegs');
  set('in_errs', 'Tcp.InErrs');
  set('listen_drops', 'TcpExt.ListenDrops');
  set('listen_overflows', 'TcpExt.ListenOverflows');
  set('backlog_drop', 'TcpExt.TCPBacklogDrop');
  return tcp;
}

function taskDelta(x: TaskSample, y: TaskSample) {
  const t = {
    pid: y.pid,
    comm: y.comm,
    run_ns: nonneg(x.sched.run_ns, y.sched.run_ns),
    wait_ns: nonneg(x.sched.wait_ns, y.sched.wait_ns),
    timeslices: nonneg(x.sched.timeslices, y.sched.timeslices),
    ...(x.switches && y.switches
      ? {
          voluntary_switches: nonneg(x.switches.voluntary, y.switches.voluntary),
          involuntary_switches: nonneg(x.switches.involuntary, y.switches.involuntary),
        }
      : {}),
  };
  return y.cpus_allowed ? { ...t, cpus_allowed: y.cpus_allowed } : t;
}
