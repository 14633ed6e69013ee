/**
 * The CPUs of both hosts and the tasks that run on them (nginx workers, tcpkali workers, one
 * ksoftirqd per CPU), as struct-of-arrays indexed by global CPU index and task id.
 *
 * Each CPU runs one chunk at a time: a hardirq, one NAPI poll of one instance (softirq.ts), one unit
 * of task work (one request in nginx, one write or read in tcpkali), a wake-up from idle, or a stall.
 * A chunk is one event: the engine calls `onCpuDone` at its end, which accounts the busy time,
 * finishes the poll or task, applies the chunk's effects (network-sim.ts) and dispatches the next
 * chunk. Priority at chunk boundaries: hardirq > softirq (unless deferred to ksoftirqd) > preempted
 * task > run queue (FIFO; a task with more work goes to the back when others wait). Hardirq and
 * softirq preempt a running task chunk (preemptive-resume: the rest of its time and its effects
 * are kept aside); softirq is not preempted by a hardirq (the hardirq waits at most one poll).
 * An app task woken from sleep pays its cost per wake-up: all of it before its first operation, or
 * with wakeup_cost_after_share s, (1 - s) of it there and s in a chunk of its own when it has run
 * out of work (it stays runnable until then, and work that arrives meanwhile needs no new wake-up).
 * Wake-ups in the measurement window are counted per app (RunOutput.wakeups).
 *
 * Invariants: every CPU has at most one live completion event, the one whose generation equals
 * gen[cpu] (older ones are skipped when they fire: that is how preemption and stalls cancel
 * without the engine's cancel set); while a chunk ends or is dispatched on CPU `guard`, kicks to
 * that CPU wait for the dispatch that follows; taskState is 0 sleeping, 1 in its CPU's run queue,
 * 2 running (still at the front of the run queue).
 * Cost: O(1) per chunk besides the event (run queues and the hardirq list are ring buffers).
 */
import { CLS_HARDIRQ as CLS_HARDIRQ_, CLS_TASK as CLS_TASK_ } from '../../model/compile/assemble.ts';
import * as K from './codes.ts';
import { EffectList } from './effect-list.ts';
import { IntQueue } from './int-queue.ts';
import type { NetworkSim } from './network-sim.ts';

// Imported constants copied once: vitest's module transform turns imported bindings into getters.
const CLS_HARDIRQ = CLS_HARDIRQ_;
const CLS_TASK = CLS_TASK_;
const R_IDLE = K.R_IDLE;
const R_HARDIRQ = K.R_HARDIRQ;
const R_POLL = K.R_POLL;
const R_TASK = K.R_TASK;
const R_WAKE = K.R_WAKE;
const R_STALL = K.R_STALL;
const T_NGINX = K.T_NGINX;
const T_TCPKALI = K.T_TCPKALI;
const T_KSOFTIRQD = K.T_KSOFTIRQD;
const IT_NIC = K.IT_NIC;
const ITEM = K.ITEM;

export class CpuScheduler {
  readonly n: number;
  // What each CPU runs.
  readonly running: Uint8Array;
  readonly runCls: Uint8Array;
  readonly runItem: Int32Array;
  readonly runTask: Int32Array;
  readonly gen: Int32Array;
  readonly chunkStart: Float64Array;
  readonly chunkEnd: Float64Array;
  readonly idleSince: Float64Array;
  readonly stalledUntil: Float64Array;
  /** Packets whose actions apply when the current chunk ends (swapped aside on preemption). */
  readonly effects: EffectList[];
  private readonly savedEffects: EffectList[];
  private readonly spareEffects: EffectList[] = [];
  private readonly preTask: Int32Array;
  private readonly preRemaining: Float64Array;
  private readonly preCls: Uint8Array;
  /** Queues whose interrupt is waiting for this CPU. */
  readonly hardirqs: IntQueue[];
  private readonly runq: IntQueue[];
  /** The CPU whose chunk is ending or being dispatched: kicks to it wait for that to finish. */
  guard = -1;
  // Tasks.
  readonly taskType: Uint8Array;
  readonly taskIdx: Int32Array;
  readonly taskCpu: Int32Array;
  private readonly taskState: Uint8Array;
  private readonly taskWoke: Uint8Array;
  /** Wake-up cost (ns) a task owes when it runs out of work, before it sleeps (wakeup_cost_after_share). */
  private readonly trailOwed: Float64Array;
  private readonly ksoftirqdTask: Int32Array;
  /** Event kind of chunk completions. */
  readonly ev: number;
  private readonly net: NetworkSim;

  constructor(net: NetworkSim) {
    this.net = net;
    const c = net.c;
    const n = net.nCpu;
    this.n = n;
    this.running = new Uint8Array(n);
    this.runCls = new Uint8Array(n);
    this.runItem = new Int32Array(n);
    this.runTask = new Int32Array(n).fill(-1);
    this.gen = new Int32Array(n);
    this.chunkStart = new Float64Array(n);
    this.chunkEnd = new Float64Array(n);
    this.idleSince = new Float64Array(n).fill(-1e18);
    this.stalledUntil = new Float64Array(n);
    this.effects = Array.from({ length: n }, () => new EffectList());
    this.savedEffects = Array.from({ length: n }, () => new EffectList());
    this.preTask = new Int32Array(n).fill(-1);
    this.preRemaining = new Float64Array(n);
    this.preCls = new Uint8Array(n);
    this.hardirqs = Array.from({ length: n }, () => new IntQueue());
    this.runq = Array.from({ length: n }, () => new IntQueue());

    // Tasks: nginx workers (server), tcpkali workers (client), ksoftirqd per CPU.
    const ng = c.nginx.workers;
    const tk = c.tcpkali.workers;
    const nTask = ng + tk + n;
    this.taskType = new Uint8Array(nTask);
    this.taskIdx = new Int32Array(nTask);
    this.taskCpu = new Int32Array(nTask);
    this.taskState = new Uint8Array(nTask);
    this.taskWoke = new Uint8Array(nTask);
    this.trailOwed = new Float64Array(nTask);
    for (let w = 0; w < ng; w++) {
      this.taskType[w] = T_NGINX;
      this.taskIdx[w] = w;
      this.taskCpu[w] = net.cpuIndex(K.SERVER, c.nginx.cpuOf[w]!);
    }
    for (let w = 0; w < tk; w++) {
      this.taskType[ng + w] = T_TCPKALI;
      this.taskIdx[ng + w] = w;
      this.taskCpu[ng + w] = net.cpuIndex(K.CLIENT, c.tcpkali.cpuOf[w]!);
    }
    this.ksoftirqdTask = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = ng + tk + i;
      this.taskType[t] = T_KSOFTIRQD;
      this.taskIdx[t] = i;
      this.taskCpu[t] = i;
      this.ksoftirqdTask[i] = t;
    }
    this.ev = net.sim.register({ handle: (cpu, g) => this.onCpuDone(cpu, g) }, 'cpu chunk end');
  }

  // ---------------------------------------------------------------- tasks
  wakeTask(t: number): void {
    if (this.taskState[t] !== 0) return;
    this.taskState[t] = 1;
    this.taskWoke[t] = 1;
    const app = this.taskType[t] === T_NGINX ? this.net.c.nginx : this.net.c.tcpkali;
    if (app.wakeupAfterShare > 0) this.trailOwed[t] = app.costPerWakeup_ns * app.wakeupAfterShare;
    if (this.net.measuring) this.net.out.wakeups[this.taskType[t] === T_NGINX ? 0 : 1]!++;
    const cpu = this.taskCpu[t]!;
    this.runq[cpu]!.push(t);
    if (this.running[cpu] === R_IDLE && cpu !== this.guard) this.dispatch(cpu);
  }

  /** Wakes the CPU's ksoftirqd (no wake-up cost is charged to it). */
  wakeKsoftirqd(cpu: number): void {
    const t = this.ksoftirqdTask[cpu]!;
    if (this.taskState[t] === 0) {
      this.taskState[t] = 1;
      this.runq[cpu]!.push(t);
      if (this.running[cpu] === R_IDLE && cpu !== this.guard) this.dispatch(cpu);
    }
  }

  private taskHasWork(t: number): boolean {
    return this.trailOwed[t]! > 0 || this.appHasWork(t);
  }

  /** Reads, writes or requests waiting for task t (or deferred softirq work, for ksoftirqd). */
  private appHasWork(t: number): boolean {
    const type = this.taskType[t]!;
    const i = this.taskIdx[t]!;
    if (type === T_NGINX) return this.net.nginx.hasWork(i);
    if (type === T_TCPKALI) return this.net.tcpkali.hasWork(i);
    return this.net.softirq.deferredWork(i);
  }

  // ---------------------------------------------------------------- scheduling
  /** Called when something became runnable on `cpu`: start it if idle, preempt a task if urgent. */
  kick(cpu: number, urgent: boolean): void {
    if (cpu === this.guard) return;
    const r = this.running[cpu]!;
    if (r === R_IDLE) {
      this.dispatch(cpu);
      return;
    }
    if (
      urgent &&
      r === R_TASK &&
      this.runTask[cpu]! >= 0 &&
      this.taskType[this.runTask[cpu]!] !== T_KSOFTIRQD
    ) {
      // Preemptive-resume: remember the rest of the task chunk and its effects.
      const net = this.net;
      const now = net.sim.now_ns;
      this.preTask[cpu] = this.runTask[cpu]!;
      this.preRemaining[cpu] = Math.max(0, this.chunkEnd[cpu]! - now);
      this.preCls[cpu] = this.runCls[cpu]!;
      if (net.measuring)
        this.accountBusy(
          cpu,
          this.runCls[cpu]!,
          Math.max(0, now - Math.max(this.chunkStart[cpu]!, net.warmupEnd_ns)),
          false,
        );
      const tmp = this.savedEffects[cpu]!;
      this.savedEffects[cpu] = this.effects[cpu]!;
      this.effects[cpu] = tmp;
      this.gen[cpu]!++;
      this.running[cpu] = R_IDLE;
      this.dispatch(cpu);
    }
  }

  dispatch(cpu: number): void {
    const prev = this.guard;
    this.guard = cpu;
    this.dispatchInner(cpu);
    this.guard = prev;
  }

  private dispatchInner(cpu: number): void {
    const net = this.net;
    const c = net.c;
    const now = net.sim.now_ns;
    if (this.stalledUntil[cpu]! > now) {
      this.startChunk(cpu, R_STALL, 0, -1, this.stalledUntil[cpu]! - now, 0);
      return;
    }
    if (this.running[cpu] === R_IDLE && c.wakeup_ns > 0 && now - this.idleSince[cpu]! >= c.idleThreshold_ns) {
      this.startChunk(cpu, R_WAKE, 0, -1, c.wakeup_ns, 0);
      return;
    }
    const hq = this.hardirqs[cpu]!;
    if (hq.length > 0) {
      const q = hq.shift();
      this.startChunk(cpu, R_HARDIRQ, CLS_HARDIRQ, -1, c.hardirq_ns, q);
      return;
    }
    const softirq = net.softirq;
    if (softirq.pendingInline(cpu)) {
      if (softirq.startPoll(cpu, -1)) return;
    }
    if (this.preTask[cpu]! >= 0) {
      const t = this.preTask[cpu]!;
      this.preTask[cpu] = -1;
      const tmp = this.effects[cpu]!;
      this.effects[cpu] = this.savedEffects[cpu]!;
      this.savedEffects[cpu] = tmp;
      this.runTask[cpu] = t;
      this.beginChunk(cpu, R_TASK, this.preCls[cpu]!, -1, this.preRemaining[cpu]!);
      return;
    }
    const rq = this.runq[cpu]!;
    while (rq.length > 0) {
      const t = rq.front();
      if (!this.taskHasWork(t)) {
        rq.shift();
        this.taskState[t] = 0;
        continue;
      }
      if (this.taskType[t] === T_KSOFTIRQD) {
        if (softirq.startPoll(cpu, t)) return;
        rq.shift();
        this.taskState[t] = 0;
        continue;
      }
      this.startTaskChunk(cpu, t);
      return;
    }
    this.running[cpu] = R_IDLE;
    this.runTask[cpu] = -1;
    this.idleSince[cpu] = now;
  }

  private startChunk(cpu: number, kind: number, cls: number, task: number, dur: number, item: number): void {
    this.runTask[cpu] = task;
    this.beginChunk(cpu, kind, cls, item, dur);
  }

  /** Starts a chunk of `dur` ns now; its completion event carries a new generation. */
  beginChunk(cpu: number, kind: number, cls: number, item: number, dur: number): void {
    const sim = this.net.sim;
    const now = sim.now_ns;
    this.running[cpu] = kind;
    this.runCls[cpu] = cls;
    this.runItem[cpu] = item;
    this.chunkStart[cpu] = now;
    this.chunkEnd[cpu] = now + dur;
    this.idleSince[cpu] = Number.POSITIVE_INFINITY;
    sim.scheduleAt(now + dur, this.ev, cpu, ++this.gen[cpu]!);
  }

  /** SMT: a chunk runs slower while the hyperthread sibling is busy. */
  smtFactor(cpu: number): number {
    const c = this.net.c;
    const off = c.smtOffset;
    if (off === 0) return 1;
    const n = c.cpuCount;
    const base = c.sharedCpus ? 0 : cpu >= n ? n : 0;
    const local = cpu - base;
    let sib: number;
    if (local < off) sib = local + off;
    else if (local < 2 * off) sib = local - off;
    else return 1;
    if (sib >= n) return 1;
    const r = this.running[base + sib]!;
    return r === R_HARDIRQ || r === R_POLL || r === R_TASK ? c.smtSlowdown : 1;
  }

  private startTaskChunk(cpu: number, t: number): void {
    const net = this.net;
    const c = net.c;
    const now = net.sim.now_ns;
    const factor = this.smtFactor(cpu);
    let dur = 0;
    const type = this.taskType[t]!;
    const w = this.taskIdx[t]!;
    this.taskState[t] = 2;
    const app = type === T_NGINX ? c.nginx : c.tcpkali;
    if (this.taskWoke[t]) {
      const share = app.wakeupAfterShare;
      dur += (share > 0 ? app.costPerWakeup_ns * (1 - share) : app.costPerWakeup_ns) * factor;
      this.taskWoke[t] = 0;
    }
    if (this.trailOwed[t]! > 0 && !this.appHasWork(t)) {
      // Out of work: the rest of the wake-up's cost, then sleep (unless work arrived meanwhile).
      dur += this.trailOwed[t]! * factor;
      this.trailOwed[t] = 0;
      this.runTask[cpu] = t;
      this.beginChunk(cpu, R_TASK, CLS_TASK, -1, dur);
      return;
    }
    const eff = this.effects[cpu]!;
    if (type === T_NGINX) dur = net.nginx.runChunk(cpu, w, now, dur, factor, eff);
    else dur = net.tcpkali.runChunk(cpu, w, now, dur, factor, eff);
    this.runTask[cpu] = t;
    this.beginChunk(cpu, R_TASK, CLS_TASK, -1, dur);
  }

  private finishTask(cpu: number): void {
    const t = this.runTask[cpu]!;
    if (t < 0) return;
    const rq = this.runq[cpu]!;
    // The task is at the front of the run queue (it was never removed while it had work).
    if (rq.length > 0 && rq.front() === t) rq.shift();
    if (this.taskHasWork(t)) {
      this.taskState[t] = 1;
      if (rq.length > 0) rq.push(t);
      else rq.unshift(t);
    } else {
      this.taskState[t] = 0;
    }
    this.runTask[cpu] = -1;
  }

  accountBusy(cpu: number, cls: number, d: number, ksoftirqd: boolean): void {
    const out = this.net.out;
    out.busy_ns[cpu * 3 + cls]! += d;
    if (ksoftirqd) out.ksoftirqd_ns[cpu]! += d;
  }

  /** Adds the measured part of the chunks still running at `now` (end of the window). */
  closeBusy(now: number, from_ns: number): void {
    for (let i = 0; i < this.n; i++) {
      const r = this.running[i]!;
      if (r === R_HARDIRQ || r === R_POLL || r === R_TASK) {
        const from = Math.max(this.chunkStart[i]!, from_ns);
        const d = Math.max(0, Math.min(now, this.chunkEnd[i]!) - from);
        this.accountBusy(i, this.runCls[i]!, d, r === R_POLL && this.runTask[i]! >= 0);
      }
    }
  }

  private onCpuDone(cpu: number, g: number): void {
    if (g !== this.gen[cpu]) return;
    const net = this.net;
    const now = net.sim.now_ns;
    const kind = this.running[cpu]!;
    if (net.measuring && (kind === R_HARDIRQ || kind === R_POLL || kind === R_TASK)) {
      const d = now - Math.max(this.chunkStart[cpu]!, net.warmupEnd_ns);
      this.accountBusy(cpu, this.runCls[cpu]!, d, kind === R_POLL && this.runTask[cpu]! >= 0);
    }
    this.running[cpu] = R_IDLE;
    this.guard = cpu;
    if (kind === R_HARDIRQ) {
      // The queue's NAPI instance goes on this CPU's poll list; softirq runs on irq exit, even when
      // ksoftirqd was woken (4.3).
      net.softirq.afterHardirq(cpu, IT_NIC * ITEM + this.runItem[cpu]!);
    } else if (kind === R_POLL) {
      net.softirq.finishPoll(cpu, this.runItem[cpu]!);
      if (this.runTask[cpu]! >= 0) this.finishTask(cpu); // a ksoftirqd poll: let other tasks take turns
    } else if (kind === R_TASK) {
      this.finishTask(cpu);
    }
    const eff = this.effects[cpu]!;
    if (eff.n > 0) {
      // Effects may start chunks on other CPUs, which push to their own lists: this one is swapped
      // out first so that nothing appends to the list being applied.
      this.effects[cpu] = this.spareEffects.pop() ?? new EffectList();
      net.applyEffects(eff);
      eff.n = 0;
      this.spareEffects.push(eff);
    }
    this.guard = -1;
    if (this.running[cpu] === R_IDLE) this.dispatch(cpu);
  }

  /** A stall of `d` ns hits `cpu` now (stalls.ts). */
  stall(cpu: number, d: number, now: number): void {
    if (this.running[cpu] === R_IDLE) {
      this.stalledUntil[cpu] = Math.max(this.stalledUntil[cpu]!, now + d);
    } else {
      // The running chunk is frozen for d: its end moves later (time not charged to any class).
      this.chunkEnd[cpu]! += d;
      this.chunkStart[cpu]! += d;
      this.net.sim.scheduleAt(this.chunkEnd[cpu]!, this.ev, cpu, ++this.gen[cpu]!);
    }
  }
}
