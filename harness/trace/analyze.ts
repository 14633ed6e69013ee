/**
 * Where the lab's two processes spend their time, from an ftrace of sched_switch, sched_waking,
 * sched_wakeup, ipi_send_* and the sys_enter/exit of their I/O syscalls (tracefs.ts enables exactly
 * those). Fed one event at a time (parse.ts streams them), so a 100 MB trace never sits in memory:
 * only the durations kept for the percentiles do (one number per syscall, wake-up and gap).
 *
 * Definitions (docs/harness.md, "Tracing the lab"):
 * - A run is a task's time on its CPU, from the sched_switch that puts it there to the one that
 *   takes it off. A **sleep** is a switch-out in state S (the task waits: in epoll for both
 *   processes); a **wake-up run** starts right after a sleep and ends in the next one.
 * - **Ops** are the syscalls that carry requests: write, read, writev, sendfile64, recvfrom (epoll
 *   is the loop's waiting, not an op). Per wake-up run: `before_first_op` = switch-in to the first
 *   op's entry, `after_last_op` = the last op's exit to the switch-out; runs with no op at all (the
 *   generator's empty timer ticks) are reported by length.
 * - Each syscall's duration (entry to exit of the same task) is filed by what happened inside it,
 *   on its task's CPU and in its context (softirqs included): `ipi_waking` (it woke a task and sent
 *   an IPI, i.e. woke a task on another, idle CPU), `waking` (woke a task, no IPI), `ipi` (an IPI
 *   without a wake-up), `switched_out` (the task left the CPU inside it: the duration includes time
 *   off the CPU), `none` (none of these).
 * - The IPI cost to the waker = p50(ipi_waking) - p50(none) of the same sending syscall (write,
 *   writev, sendfile64) and task.
 * - Wake latency = sched_waking -> sched_wakeup of the generator or the server, only when it was
 *   asleep (its last switch-out was in state S; a wake-up of a task still on its CPU takes a
 *   microsecond and says nothing about the CPU), filed by its target CPU: local or remote, and
 *   idle or busy at the sched_waking.
 * - Server request cycle = from one recvfrom that returned data to the next one, in the same run.
 * - Generator write gaps: consecutive write() calls with no other syscall between are a burst (its
 *   send loop's wake-up writing every due send); the gap from a write's entry to the next one's, by
 *   the 0-based position of the first of the two (sim/burst-bins.ts bins).
 *
 * The task current on a CPU is known from every event line (ftrace prints it), so an event that
 * fires in softirq context inside a write() is charged to that write, as the kernel charges it.
 *
 * Untraced switch-ins: on this project's VMs the kernel records no sched_switch when CPU 1 leaves
 * idle (CPU 0's are recorded; measured on 6.18, Nov 2026), so nginx is seen switched out but never
 * switched in. A task seen current on a CPU while it was switched out was switched in without a
 * trace: its run starts at the later of its sched_wakeup and the CPU's previous event (in practice
 * that sched_wakeup, in the IPI handler before the CPU leaves idle): an upper bound of
 * `before_first_op`; `before_first_op_lower` measures from its first event of the run instead, a
 * lower bound. Where the switch is traced, both are the same. `untraced_switch_ins` counts them.
 */
import { BURST_BINS, burstBin, burstBinRange } from '../../sim/burst-bins.ts';
import type { ParseCounts, TraceEvent, TraceHeader } from './parse.ts';
import { type DurationStat, durationStat } from './stat.ts';

export type Role = 'generator' | 'server';
export const ROLES: readonly Role[] = ['generator', 'server'];

/** The syscalls that carry requests (their first and last bound a wake-up's overhead). */
export const OPS = ['write', 'read', 'writev', 'sendfile64', 'recvfrom'] as const;
const OP_SET: ReadonlySet<string> = new Set(OPS);
/** The syscalls that send, and so wake the peer: the IPI cost is reported for these. */
const SENDS = ['write', 'writev', 'sendfile64'] as const;

export type Inside = 'none' | 'waking' | 'ipi_waking' | 'ipi' | 'switched_out';
export const INSIDE_ORDER: readonly Inside[] = ['none', 'waking', 'ipi_waking', 'ipi', 'switched_out'];

export type WakeTarget = 'remote_idle' | 'remote_busy' | 'local_idle' | 'local_busy';
const TARGET_ORDER: readonly WakeTarget[] = ['remote_idle', 'remote_busy', 'local_idle', 'local_busy'];

export interface TraceRoles {
  generator: { pids: readonly number[]; comm: string };
  server: { pids: readonly number[]; comm: string };
}

export interface SyscallRow extends DurationStat {
  syscall: string;
  inside: Inside;
}

export interface ProcessTrace {
  role: Role;
  comm: string;
  pids: number[];
  /** Switch-outs seen, and of them: sleeps (state S), preemptions (R, R+), others (D, ...). */
  switch_outs: number;
  sleeps: number;
  preemptions: number;
  other_switch_outs: number;
  wakeups_per_s: number;
  preemptions_per_s: number;
  /** Time on its CPU over the traced span (0..1 per task; summed over the role's tasks). */
  cpu_busy_share: number;
  /** Switch-ins the kernel did not trace (the task was seen current while switched out). */
  untraced_switch_ins: number;
  /** Runs from a wake-up to the next sleep. */
  wakeup_runs: number;
  wakeup_run_length: DurationStat;
  before_first_op: DurationStat;
  /** From the task's first event of the run (not the switch-in's estimate) to its first op. */
  before_first_op_lower: DurationStat;
  after_last_op: DurationStat;
  /** Wake-up runs without any op: their whole length. */
  empty_wakeup_runs: DurationStat;
  syscalls: SyscallRow[];
}

export interface IpiCostRow {
  role: Role;
  syscall: string;
  with_ipi: DurationStat;
  without_wake: DurationStat;
  /** p50 with an IPI (that woke a task) minus p50 with no wake-up inside; null when either is empty. */
  ipi_cost_us: number | null;
}

export interface WakeLatencyRow extends DurationStat {
  wakee: Role;
  target: WakeTarget;
}

export interface WriteGapRow extends DurationStat {
  from: number;
  to: number | null;
}

export interface TraceReport {
  /** First to last event, s. */
  span_s: number;
  events: number;
  /** Events the ring buffer overwrote (header entries-written - entries-in-buffer); null: no header. */
  events_lost: number | null;
  /** CPUs whose buffer wrapped (their start is missing). */
  wrapped_cpus: number[];
  unparsed_lines: number;
  /** A syscall exit of a traced task without its entry (one per task at the trace's start is normal). */
  unpaired_exits: number;
  /** An entry followed by another entry of the same task (its exit lost). */
  unpaired_enters: number;
  processes: Record<Role, ProcessTrace>;
  ipi_cost: IpiCostRow[];
  wake_latency: WakeLatencyRow[];
  server_request_cycle: DurationStat;
  generator_write_gaps: {
    bursts: number;
    writes_per_burst_mean: number | null;
    /** Gap after the first write of a burst, and after every later one. */
    first: DurationStat;
    rest: DurationStat;
    by_position: WriteGapRow[];
  };
}

interface OpenSyscall {
  syscall: string;
  ts: number;
  ipi: boolean;
  waking: boolean;
  switched: boolean;
}

interface Task {
  role: Role;
  onCpu: boolean;
  /** A switch of this task was seen (before that, its state is unknown). */
  known: boolean;
  lastOutState: string | null;
  runStart: number | null;
  /** The task's first event in this run (its sched_switch when traced). */
  runFirstEvent: number | null;
  runFromWakeup: boolean;
  lastWakeup: number | null;
  firstOpEnter: number | null;
  lastOpExit: number | null;
  open: OpenSyscall | null;
  lastRecvEnter: number | null;
  burst: { pos: number; last: number } | null;
}

interface RoleAcc {
  busy_us: number;
  switch_outs: number;
  sleeps: number;
  preemptions: number;
  other: number;
  untracedSwitchIns: number;
  wakeupRuns: number[];
  before: number[];
  beforeLower: number[];
  after: number[];
  empty: number[];
  /** syscall -> bucket -> durations */
  durations: Map<string, Map<Inside, number[]>>;
}

function newRoleAcc(): RoleAcc {
  return {
    busy_us: 0,
    switch_outs: 0,
    sleeps: 0,
    preemptions: 0,
    other: 0,
    untracedSwitchIns: 0,
    wakeupRuns: [],
    before: [],
    beforeLower: [],
    after: [],
    empty: [],
    durations: new Map(),
  };
}

/** Appends `x` to the list at `key`, creating it. */
function push<K>(m: Map<K, number[]>, key: K, x: number): void {
  const xs = m.get(key);
  if (xs) xs.push(x);
  else m.set(key, [x]);
}

function bucketOf(o: OpenSyscall): Inside {
  if (o.switched) return 'switched_out';
  if (o.ipi) return o.waking ? 'ipi_waking' : 'ipi';
  return o.waking ? 'waking' : 'none';
}

export class TraceAnalyzer {
  private readonly tasks = new Map<number, Task>();
  private readonly acc: Record<Role, RoleAcc> = { generator: newRoleAcc(), server: newRoleAcc() };
  /** The task current on each CPU (0: idle), from every event line. */
  private readonly current = new Map<number, number>();
  /** Timestamp of each CPU's latest event. */
  private readonly lastOnCpu = new Map<number, number>();
  private readonly pendingWake = new Map<number, { ts: number; target: WakeTarget }>();
  private readonly wake = new Map<string, number[]>();
  private readonly cycles: number[] = [];
  private readonly gaps: number[][] = Array.from({ length: BURST_BINS }, () => []);
  private bursts = 0;
  private burstWrites = 0;
  private firstTs: number | null = null;
  private lastTs = 0;
  private events = 0;
  private unpairedExits = 0;
  private unpairedEnters = 0;

  constructor(private readonly roles: TraceRoles) {
    for (const role of ROLES)
      for (const pid of roles[role].pids)
        this.tasks.set(pid, {
          role,
          onCpu: false,
          known: false,
          lastOutState: null,
          runStart: null,
          runFirstEvent: null,
          runFromWakeup: false,
          lastWakeup: null,
          firstOpEnter: null,
          lastOpExit: null,
          open: null,
          lastRecvEnter: null,
          burst: null,
        });
  }

  event(ev: TraceEvent): void {
    this.events++;
    if (this.firstTs === null) this.firstTs = ev.ts_us;
    this.lastTs = ev.ts_us;
    this.current.set(ev.cpu, ev.pid);
    const t = this.tasks.get(ev.pid);
    const prevOnCpu = this.lastOnCpu.get(ev.cpu) ?? ev.ts_us;
    this.lastOnCpu.set(ev.cpu, ev.ts_us);
    if (t && !t.onCpu) {
      if (!t.known) {
        // Current on its CPU before any switch of it was traced: running since the trace began.
        t.onCpu = true;
        t.runStart = this.firstTs;
      } else {
        this.acc[t.role].untracedSwitchIns++;
        this.switchIn(ev.pid, Math.max(prevOnCpu, t.lastWakeup ?? prevOnCpu), ev.ts_us);
      }
    }
    switch (ev.type) {
      case 'sched_switch':
        this.switchOut(ev.prev_pid, ev.prev_state, ev.ts_us);
        this.switchIn(ev.next_pid, ev.ts_us, ev.ts_us);
        this.current.set(ev.cpu, ev.next_pid);
        return;
      case 'sched_waking': {
        if (t?.open) t.open.waking = true;
        const w = this.tasks.get(ev.wakee_pid);
        if (!w?.known || w.onCpu || w.lastOutState?.[0] !== 'S' || this.pendingWake.has(ev.wakee_pid)) return;
        const local = ev.target_cpu === ev.cpu;
        const cur = this.current.get(ev.target_cpu);
        if (cur === undefined) return; // nothing seen on that CPU yet
        const idle = cur === 0;
        const target: WakeTarget = local
          ? idle
            ? 'local_idle'
            : 'local_busy'
          : idle
            ? 'remote_idle'
            : 'remote_busy';
        this.pendingWake.set(ev.wakee_pid, { ts: ev.ts_us, target });
        return;
      }
      case 'sched_wakeup': {
        const w = this.tasks.get(ev.wakee_pid);
        if (w) w.lastWakeup = ev.ts_us;
        const p = this.pendingWake.get(ev.wakee_pid);
        if (!p) return;
        this.pendingWake.delete(ev.wakee_pid);
        push(this.wake, `${this.tasks.get(ev.wakee_pid)!.role}/${p.target}`, ev.ts_us - p.ts);
        return;
      }
      case 'ipi_send':
        if (t?.open) t.open.ipi = true;
        return;
      case 'sys_enter':
        if (t) this.enter(t, ev.syscall, ev.ts_us);
        return;
      case 'sys_exit':
        if (t) this.exit(t, ev.syscall, ev.ret, ev.ts_us);
        return;
      default:
        return;
    }
  }

  private switchOut(pid: number, state: string, ts: number): void {
    const t = this.tasks.get(pid);
    if (!t) return;
    const a = this.acc[t.role];
    if (t.runStart !== null) a.busy_us += ts - t.runStart;
    a.switch_outs++;
    const s = state[0];
    if (s === 'S') a.sleeps++;
    else if (s === 'R') a.preemptions++;
    else a.other++;
    if (s === 'S' && t.runFromWakeup && t.runStart !== null) {
      a.wakeupRuns.push(ts - t.runStart);
      if (t.firstOpEnter === null) a.empty.push(ts - t.runStart);
      else {
        a.before.push(t.firstOpEnter - t.runStart);
        a.beforeLower.push(t.firstOpEnter - (t.runFirstEvent ?? t.runStart));
        if (t.lastOpExit !== null) a.after.push(ts - t.lastOpExit);
      }
    }
    if (t.open) t.open.switched = true;
    t.onCpu = false;
    t.known = true;
    t.lastOutState = state;
    t.runStart = null;
    t.lastRecvEnter = null;
    t.burst = null;
  }

  /** `start`: the switch-in (or its estimate); `firstEvent`: the task's first event in the run. */
  private switchIn(pid: number, start: number, firstEvent: number): void {
    const t = this.tasks.get(pid);
    if (!t) return;
    this.pendingWake.delete(pid); // its sched_wakeup was not traced
    t.runFromWakeup = t.known && t.lastOutState?.[0] === 'S';
    t.known = true;
    t.onCpu = true;
    t.runStart = start;
    t.runFirstEvent = firstEvent;
    t.firstOpEnter = null;
    t.lastOpExit = null;
  }

  private enter(t: Task, syscall: string, ts: number): void {
    if (t.open) this.unpairedEnters++;
    t.open = { syscall, ts, ipi: false, waking: false, switched: false };
    if (OP_SET.has(syscall) && t.firstOpEnter === null && t.runStart !== null) t.firstOpEnter = ts;
    if (t.role !== 'generator') return;
    if (syscall !== 'write') {
      t.burst = null;
      return;
    }
    this.burstWrites++;
    if (t.burst) {
      this.gaps[burstBin(t.burst.pos)]!.push(ts - t.burst.last);
      t.burst.pos++;
      t.burst.last = ts;
    } else {
      this.bursts++;
      t.burst = { pos: 0, last: ts };
    }
  }

  private exit(t: Task, syscall: string, ret: number, ts: number): void {
    const o = t.open;
    t.open = null;
    if (!o || o.syscall !== syscall) {
      this.unpairedExits++;
      return;
    }
    const byBucket = this.acc[t.role].durations;
    const m = byBucket.get(syscall) ?? new Map<Inside, number[]>();
    byBucket.set(syscall, m);
    push(m, bucketOf(o), ts - o.ts);
    if (OP_SET.has(syscall)) t.lastOpExit = ts;
    if (t.role === 'server' && syscall === 'recvfrom' && ret > 0 && !o.switched) {
      if (t.lastRecvEnter !== null) this.cycles.push(o.ts - t.lastRecvEnter);
      t.lastRecvEnter = o.ts;
    }
  }

  /** The report; `parse` adds what the parser learnt (header, unparsed lines). */
  report(parse?: { header: TraceHeader; counts: ParseCounts }): TraceReport {
    const span_us = this.firstTs === null ? 0 : this.lastTs - this.firstTs;
    const span_s = span_us / 1e6;
    const processes = {} as Record<Role, ProcessTrace>;
    for (const role of ROLES) {
      const a = this.acc[role];
      let busy = a.busy_us;
      for (const t of this.tasks.values())
        if (t.role === role && t.runStart !== null) busy += this.lastTs - t.runStart;
      const syscalls: SyscallRow[] = [];
      for (const name of [...a.durations.keys()].sort())
        for (const inside of INSIDE_ORDER) {
          const xs = a.durations.get(name)!.get(inside);
          if (xs) syscalls.push({ syscall: name, inside, ...durationStat(xs) });
        }
      processes[role] = {
        role,
        comm: this.roles[role].comm,
        pids: [...this.roles[role].pids],
        switch_outs: a.switch_outs,
        sleeps: a.sleeps,
        preemptions: a.preemptions,
        other_switch_outs: a.other,
        wakeups_per_s: span_s > 0 ? a.sleeps / span_s : 0,
        preemptions_per_s: span_s > 0 ? a.preemptions / span_s : 0,
        cpu_busy_share: span_us > 0 ? busy / span_us : 0,
        untraced_switch_ins: a.untracedSwitchIns,
        wakeup_runs: a.wakeupRuns.length,
        wakeup_run_length: durationStat(a.wakeupRuns),
        before_first_op: durationStat(a.before),
        before_first_op_lower: durationStat(a.beforeLower),
        after_last_op: durationStat(a.after),
        empty_wakeup_runs: durationStat(a.empty),
        syscalls,
      };
    }
    const ipi_cost: IpiCostRow[] = [];
    for (const role of ROLES) {
      const d = this.acc[role].durations;
      for (const name of SENDS) {
        const withIpi = d.get(name)?.get('ipi_waking') ?? [];
        if (withIpi.length === 0) continue;
        const without = d.get(name)?.get('none') ?? [];
        const w = durationStat(withIpi);
        const n = durationStat(without);
        ipi_cost.push({
          role,
          syscall: name,
          with_ipi: w,
          without_wake: n,
          ipi_cost_us: w.p50_us !== null && n.p50_us !== null ? w.p50_us - n.p50_us : null,
        });
      }
    }
    const wake_latency: WakeLatencyRow[] = [];
    for (const wakee of ROLES)
      for (const target of TARGET_ORDER) {
        const xs = this.wake.get(`${wakee}/${target}`);
        if (xs) wake_latency.push({ wakee, target, ...durationStat(xs) });
      }
    const by_position: WriteGapRow[] = [];
    for (let b = 0; b < BURST_BINS; b++)
      if (this.gaps[b]!.length > 0) by_position.push({ ...burstBinRange(b), ...durationStat(this.gaps[b]!) });
    const h = parse?.header;
    return {
      span_s,
      events: this.events,
      events_lost:
        h && h.entries_written !== null && h.entries_in_buffer !== null
          ? h.entries_written - h.entries_in_buffer
          : null,
      wrapped_cpus: h ? [...h.buffer_started_cpus] : [],
      unparsed_lines: parse?.counts.unparsed ?? 0,
      unpaired_exits: this.unpairedExits,
      unpaired_enters: this.unpairedEnters,
      processes,
      ipi_cost,
      wake_latency,
      server_request_cycle: durationStat(this.cycles),
      generator_write_gaps: {
        bursts: this.bursts,
        writes_per_burst_mean: this.bursts > 0 ? this.burstWrites / this.bursts : null,
        first: durationStat(this.gaps[0]!),
        rest: durationStat(this.gaps.slice(1).flat()),
        by_position,
      },
    };
  }
}
