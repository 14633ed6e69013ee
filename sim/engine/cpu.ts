/**
 * A set of CPUs, each serving jobs in three priority classes: HARDIRQ (0) above SOFTIRQ (1) above
 * TASK (2), as the kernel runs interrupt handlers above softirqs above threads.
 *
 * Discipline (per CPU)
 * - Preemptive-resume between classes: a job of a higher class preempts a running job of a lower
 *   class at once; the preempted job keeps its remaining work and resumes, at the head of its
 *   class, when no higher-class work is left. No work is lost or repeated.
 * - FIFO within a class, non-preemptive within a class.
 * - Work is rounded to whole nanoseconds at submission so the accounting below is exact.
 *
 * Invariant (work conservation, asserted in tests): for each CPU, busy time so far equals the work
 * of completed jobs plus the work already done on the running and preempted jobs; a CPU is never
 * idle while it has queued work.
 *
 * Completion events carry (cpu, generation); preemption bumps the CPU's generation, so a stale
 * completion is recognised and dropped in O(1) without touching the simulator's cancel set.
 * The listener is called after the CPU has started its next job, so work it submits from
 * `jobDone` queues behind jobs already waiting (FIFO holds).
 * Cost: O(1) per submit, preemption and completion.
 */
import { PairDeque } from './deque.ts';
import type { EventHandler, Simulator } from './simulator.ts';

export const HARDIRQ = 0;
export const SOFTIRQ = 1;
export const TASK = 2;
export const CPU_CLASSES = 3;
export const CPU_CLASS_NAMES = ['hardirq', 'softirq', 'task'] as const;

export interface CpuListener {
  /** A job finished; `sim.now_ns` is its completion time. */
  jobDone(cpu: number, cls: number, token: number): void;
}

const IDLE = -1;

export class CpuSet implements EventHandler {
  readonly count: number;
  private readonly kind: number;
  /** Per CPU: class of the running job or IDLE, its token, remaining work at segment start, segment start. */
  private readonly runCls: Int32Array;
  private readonly runToken: Float64Array;
  private readonly runWork: Float64Array;
  private readonly runStart: Float64Array;
  private readonly generation: Float64Array;
  /** Per CPU and class: queue of (remaining work, token), index cpu * 3 + cls. */
  private readonly queues: PairDeque[];
  /** Per CPU and class: busy time accumulated in finished segments since the last reset. */
  private readonly busyAcc: Float64Array;
  private readonly doneJobs: Float64Array;
  /** Per CPU and class: work submitted since creation (never reset: for the conservation check). */
  private readonly submittedWork: Float64Array;
  private statsStart = 0;

  constructor(
    private readonly sim: Simulator,
    count: number,
    private readonly listener: CpuListener,
  ) {
    if (!Number.isInteger(count) || count < 1)
      throw new RangeError(`count must be a whole number >= 1 (got ${count})`);
    this.count = count;
    this.kind = sim.register(this);
    this.runCls = new Int32Array(count).fill(IDLE);
    this.runToken = new Float64Array(count);
    this.runWork = new Float64Array(count);
    this.runStart = new Float64Array(count);
    this.generation = new Float64Array(count);
    this.queues = Array.from({ length: count * CPU_CLASSES }, () => new PairDeque());
    this.busyAcc = new Float64Array(count * CPU_CLASSES);
    this.doneJobs = new Float64Array(count * CPU_CLASSES);
    this.submittedWork = new Float64Array(count * CPU_CLASSES);
    this.statsStart = sim.now_ns;
  }

  /** Submits a job of `work_ns` in class `cls` on `cpu`; `token` comes back in `jobDone`. */
  submit(cpu: number, cls: number, work_ns: number, token: number): void {
    this.checkCpu(cpu);
    if (!(cls === HARDIRQ || cls === SOFTIRQ || cls === TASK))
      throw new RangeError(`cls must be 0, 1 or 2 (got ${cls})`);
    if (!(work_ns >= 0) || !Number.isFinite(work_ns))
      throw new RangeError(`work_ns must be >= 0 and finite (got ${work_ns})`);
    const work = Math.round(work_ns);
    this.submittedWork[cpu * CPU_CLASSES + cls]! += work;
    const running = this.runCls[cpu]!;
    if (running === IDLE) {
      this.start(cpu, cls, work, token);
    } else if (cls < running) {
      this.preempt(cpu);
      this.start(cpu, cls, work, token);
    } else {
      this.queues[cpu * CPU_CLASSES + cls]!.pushBack(work, token);
    }
  }

  isIdle(cpu: number): boolean {
    this.checkCpu(cpu);
    return this.runCls[cpu] === IDLE;
  }

  busy(cpu: number): boolean {
    return !this.isIdle(cpu);
  }

  /** Class running on `cpu`, or -1 when idle. */
  runningClass(cpu: number): number {
    this.checkCpu(cpu);
    return this.runCls[cpu]!;
  }

  /** Jobs waiting (not running) in class `cls` on `cpu`, preempted ones included. */
  queued(cpu: number, cls: number): number {
    this.checkCpu(cpu);
    return this.queues[cpu * CPU_CLASSES + cls]!.length;
  }

  /** Time `cpu` spent on class `cls` since the last `resetStats` (or creation), up to now. */
  busy_ns(cpu: number, cls: number): number {
    this.checkCpu(cpu);
    let b = this.busyAcc[cpu * CPU_CLASSES + cls]!;
    if (this.runCls[cpu] === cls) b += this.sim.now_ns - Math.max(this.runStart[cpu]!, this.statsStart);
    return b;
  }

  /** busy_ns / elapsed time since the last reset: a fraction 0..1. */
  utilisation(cpu: number, cls: number): number {
    const elapsed = this.sim.now_ns - this.statsStart;
    return elapsed > 0 ? this.busy_ns(cpu, cls) / elapsed : 0;
  }

  /** Jobs of class `cls` completed on `cpu` since the last reset. */
  completed(cpu: number, cls: number): number {
    this.checkCpu(cpu);
    return this.doneJobs[cpu * CPU_CLASSES + cls]!;
  }

  /** Work submitted to `cpu` in class `cls` since creation (not reset by `resetStats`). */
  submitted_ns(cpu: number, cls: number): number {
    this.checkCpu(cpu);
    return this.submittedWork[cpu * CPU_CLASSES + cls]!;
  }

  /** Work not yet done on `cpu` (running remainder plus everything queued), all classes. */
  remainingWork_ns(cpu: number): number {
    this.checkCpu(cpu);
    let w = 0;
    if (this.runCls[cpu] !== IDLE) w += this.runWork[cpu]! - (this.sim.now_ns - this.runStart[cpu]!);
    for (let c = 0; c < CPU_CLASSES; c++) {
      const q = this.queues[cpu * CPU_CLASSES + c]!;
      for (let i = 0; i < q.length; i++) w += q.xAt(i);
    }
    return w;
  }

  /** Starts a new statistics period now (warm-up deletion). Queues and running jobs are untouched. */
  resetStats(): void {
    this.busyAcc.fill(0);
    this.doneJobs.fill(0);
    this.statsStart = this.sim.now_ns;
  }

  get statsStart_ns(): number {
    return this.statsStart;
  }

  /** Completion event of the job running on `cpu` (stale if the generation moved on). */
  handle(cpu: number, gen: number): void {
    if (gen !== this.generation[cpu]) return;
    const cls = this.runCls[cpu]!;
    const token = this.runToken[cpu]!;
    const i = cpu * CPU_CLASSES + cls;
    const now = this.sim.now_ns;
    this.busyAcc[i]! += now - Math.max(this.runStart[cpu]!, this.statsStart);
    this.doneJobs[i]!++;
    this.runCls[cpu] = IDLE;
    this.startNext(cpu);
    this.listener.jobDone(cpu, cls, token);
  }

  private start(cpu: number, cls: number, work: number, token: number): void {
    this.runCls[cpu] = cls;
    this.runToken[cpu] = token;
    this.runWork[cpu] = work;
    this.runStart[cpu] = this.sim.now_ns;
    this.sim.schedule(work, this.kind, cpu, ++this.generation[cpu]!);
  }

  /** Stops the running job, books its segment, and puts its remainder at the head of its class. */
  private preempt(cpu: number): void {
    const cls = this.runCls[cpu]!;
    const now = this.sim.now_ns;
    const done = now - this.runStart[cpu]!;
    this.busyAcc[cpu * CPU_CLASSES + cls]! += now - Math.max(this.runStart[cpu]!, this.statsStart);
    this.queues[cpu * CPU_CLASSES + cls]!.pushFront(this.runWork[cpu]! - done, this.runToken[cpu]!);
    this.generation[cpu]!++;
    this.runCls[cpu] = IDLE;
  }

  private startNext(cpu: number): void {
    for (let c = 0; c < CPU_CLASSES; c++) {
      const q = this.queues[cpu * CPU_CLASSES + c]!;
      if (q.length > 0) {
        const work = q.frontX();
        const token = q.frontY();
        q.popFront();
        this.start(cpu, c, work, token);
        return;
      }
    }
  }

  private checkCpu(cpu: number): void {
    if (!(cpu >= 0 && cpu < this.count && Number.isInteger(cpu)))
      throw new RangeError(`cpu must be a whole number in 0..${this.count - 1} (got ${cpu})`);
  }
}
