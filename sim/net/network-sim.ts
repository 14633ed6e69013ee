/**
 * The packet-path interpreter: pushes every packet of every request through the compiled stages
 * of the option, on the CPUs the kernel would use, on top of the engine's event list.
 *
 * One request: tcpkali worker write (task) -> TX stages (task; a veth backlog pass in softirq for
 * bridge options) -> wire (serialization at line rate in FIFO order, propagation, jitter) -> server
 * NIC ring (finite) -> coalesced interrupt -> hardirq on the queue's IRQ CPU -> NAPI poll (weight,
 * netdev_budget, time limit) with GRO -> RPS/RFS hand-off to the steered CPU's backlog (finite) ->
 * the option's further passes (gro_cells, veth backlog) -> socket -> nginx worker (wake-up, epoll
 * batching) -> response through the same kinds of stages back to tcpkali, which records latency
 * from the actual write to the read of the response. The client ACKs each response (delayed ACK
 * timer, or at once from 2 full segments), and the ACK crosses the server's receive path.
 *
 * CPU model (built here, not in the engine's CpuSet, because NAPI polling needs the poll list,
 * budgets and ksoftirqd hand-off): each CPU runs one chunk at a time; a chunk is one hardirq, one
 * NAPI poll of one instance (up to `weight` packets, all stages of that pass back to back inside
 * one event) or one unit of task work (one request in nginx, one write or read in tcpkali). The
 * chunk's effects (hand-offs, socket deliveries, NIC transmissions) apply when it ends. Hardirq and
 * softirq preempt a running task chunk (preemptive-resume); softirq is not preempted by a hardirq
 * (the hardirq waits for the end of the current poll, at most one poll of `weight` packets).
 * Priority at chunk boundaries: hardirq > softirq (unless deferred to ksoftirqd) > preempted task >
 * run queue (FIFO, a task with more work goes to the back when others wait).
 *
 * Invariants (checked in debug tests): packets are conserved (created = freed + in flight); every
 * CPU has at most one pending completion event, identified by its generation number.
 * Cost: O(log E) per event for E pending events; E stays near the number of CPUs + tcpkali workers
 * + 2 wires + pending interrupts (no per-connection timers: the send schedule of each worker is
 * generated on demand from sorted phases; ACK timers have a constant delay so they form a FIFO).
 */
import type { Compiled } from '../../model/compile/assemble.ts';
import {
  CLS_HARDIRQ as CLS_HARDIRQ_,
  CLS_SOFTIRQ as CLS_SOFTIRQ_,
  CLS_TASK as CLS_TASK_,
  HANDOFF_BACKLOG as HANDOFF_BACKLOG_,
  HANDOFF_GRO_CELLS as HANDOFF_GRO_CELLS_,
  HANDOFF_NONE as HANDOFF_NONE_,
  HANDOFF_RPS as HANDOFF_RPS_,
} from '../../model/compile/assemble.ts';
import { lognormalFromMeanCv } from '../engine/distributions/lognormal.ts';
import { Histogram } from '../engine/histogram.ts';
import { createStream, type Source } from '../engine/rng.ts';
import { Simulator } from '../engine/simulator.ts';
import { LogHistogram } from './log-histogram.ts';
import { EffectList } from './effect-list.ts';
import { buildFlowTable } from './flow-table.ts';
import { IntQueue } from './int-queue.ts';
import { Fifo, PacketPool } from './packet-pool.ts';

// Imported constants copied once: the TypeScript loader turns imported bindings into getters,
// which cost a call on every access in the hot loop.
const CLS_HARDIRQ = CLS_HARDIRQ_;
const CLS_SOFTIRQ = CLS_SOFTIRQ_;
const CLS_TASK = CLS_TASK_;
const HANDOFF_BACKLOG = HANDOFF_BACKLOG_;
const HANDOFF_GRO_CELLS = HANDOFF_GRO_CELLS_;
const HANDOFF_NONE = HANDOFF_NONE_;
const HANDOFF_RPS = HANDOFF_RPS_;

export const CLIENT = 0;
export const SERVER = 1;
const K_REQ = 0;
const K_RESP = 1;
const K_ACK = 2;
const DIR_TX = 0;
const DIR_RX = 1;

// Actions applied at the end of a chunk.
const A_NONE = 0;
const A_BACKLOG = 1;
const A_GRO = 2;
const A_SOCKET = 3;
const A_NICTX = 4;
const A_READ = 5;
const A_FREE = 6;

/** Entries of the MSER batch-mean series before it is coarsened (1 MiB of Float32). */
const SERIES_CAP = 1 << 18;

// Poll-list item types (item = type * ITEM + index).
const ITEM = 1 << 20;
const IT_NIC = 0;
const IT_BACKLOG = 1;
const IT_GRO = 2;
const IT_TIMER = 3;

// What a CPU is doing.
const R_IDLE = 0;
const R_HARDIRQ = 1;
const R_POLL = 2;
const R_TASK = 3;
const R_WAKE = 4;
const R_STALL = 5;

// Tasks.
const T_NGINX = 0;
const T_TCPKALI = 1;
const T_KSOFTIRQD = 2;

export interface RunSpec {
  /** Requests to send (all workers together) after the warm-up fraction; see run(). */
  requests: number;
  /** Fraction of `requests` discarded as warm-up (the warm-up lasts at least delack + 10 ms). */
  warmupFraction: number;
  seed: number;
  replication: number;
  /** Safety bound: stop when more packets than this are in flight (an overloaded run). */
  maxInFlight?: number;
  /** Extra time after the last send to let responses (and RTO retransmissions) arrive, ns. */
  drain_ns?: number;
}

export interface StageStats {
  name: string;
  cls: number;
  packets: number;
  wait: LogHistogram;
  service: LogHistogram;
}

export interface RunOutput {
  latency: Histogram;
  /** Latency of requests in each tenth of the measurement window (for within-run intervals). */
  batches: Histogram[];
  sentMeasured: number;
  /** Requests written during the warm-up (discarded). */
  sentWarmup: number;
  completedMeasured: number;
  /** Responses read within the measurement window, whenever sent (throughput). */
  completedInWindow: number;
  /** Batch means of measured latencies in completion order, ns (series[0..seriesLength)), batches of seriesBatch. */
  series: Float32Array;
  seriesLength: number;
  seriesBatch: number;
  window_ns: number;
  drops: Record<string, number>;
  retransmits: number;
  lost: number;
  /** busy[cpuIdx * 3 + cls], ns within the measurement window. */
  busy_ns: Float64Array;
  ksoftirqd_ns: Float64Array;
  wireBusy_ns: Float64Array;
  stages: StageStats[];
  events: number;
  aborted: boolean;
  outstandingAtWarmup: number;
  outstandingAtEnd: number;
  timeSqueeze: number;
}

export class NetworkSim {
  readonly sim = new Simulator();
  private readonly c: Compiled;
  private readonly pool = new PacketPool();
  private readonly nCpu: number;
  /** Per-connection steering of both hosts, interleaved (flow-table.ts). */
  private readonly flow: Int32Array;
  // CPU state, by cpu index.
  private readonly running: Uint8Array;
  private readonly runCls: Uint8Array;
  private readonly runItem: Int32Array;
  private readonly runTask: Int32Array;
  private readonly gen: Int32Array;
  private readonly chunkStart: Float64Array;
  private readonly chunkEnd: Float64Array;
  private readonly idleSince: Float64Array;
  private readonly stalledUntil: Float64Array;
  private readonly effects: EffectList[];
  private readonly savedEffects: EffectList[];
  private readonly preTask: Int32Array;
  private readonly preRemaining: Float64Array;
  private readonly preCls: Uint8Array;
  private readonly hardirqs: IntQueue[];
  private readonly pollList: IntQueue[];
  private readonly itemScheduled: Uint8Array;
  private readonly inSoftirq: Uint8Array;
  private readonly budgetLeft: Float64Array;
  private readonly invocationStart: Float64Array;
  private readonly doSoftirqStart: Float64Array;
  private readonly restarts: Int32Array;
  private readonly deferred: Uint8Array;
  private readonly runq: IntQueue[];
  private readonly backlog: Fifo[];
  private readonly gro: Fifo[];
  private readonly ackList: IntQueue[];
  // Tasks.
  private readonly taskType: Uint8Array;
  private readonly taskIdx: Int32Array;
  private readonly taskCpu: Int32Array;
  private readonly taskState: Uint8Array; // 0 sleeping, 1 in run queue, 2 on CPU
  private readonly taskWoke: Uint8Array;
  private readonly nginxReady: Fifo[];
  private readonly kaliReads: Fifo[];
  private readonly kaliOrder: Int32Array[];
  private readonly kaliPhase: Float64Array[];
  private readonly kaliDue: Float64Array; // sends that became due
  private readonly kaliSent: Float64Array; // sends written
  private readonly kaliDueTime: IntQueue[];
  private readonly period_ns: number;
  private readonly ksoftirqdTask: Int32Array;
  // NIC, per host * queues + queue.
  private readonly ring: Fifo[];
  private readonly irqEnabled: Uint8Array;
  private readonly irqPending: Uint8Array;
  private readonly lastIrq: Float64Array;
  private readonly itrLevel: Uint8Array;
  private readonly bytesSinceIrq: Float64Array;
  private readonly txCleanPending: Float64Array;
  // Wire per direction (0: client -> server).
  private readonly wireFree = new Float64Array(2);
  // Delayed ACK timers: constant delay, so a FIFO per host.
  private readonly ackTimers: Fifo[] = [new Fifo(), new Fifo()];
  private readonly ackDue: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  // Random streams.
  private readonly jitter: (() => number) | null;
  private readonly stallDur: (() => number) | null;
  private readonly stallSrc: Source;
  // Event kinds.
  private readonly evCpu: number;
  private readonly evArrive: number;
  private readonly evIrq: number;
  private readonly evSend: number;
  private readonly evAck: number;
  private readonly evRetx: number;
  private readonly evStall: number;
  // Measurement.
  private warmupEnd_ns = 0;
  private sendEnd_ns = 0;
  private measuring = false;
  private readonly out: RunOutput;
  private readonly stageIndex: Int32Array; // [host][dir][stage] -> stats index
  private readonly nicWaitStat: number[];
  private readonly appWaitStat: number[];
  private readonly wireStat: number[];
  private outstanding = 0;
  private outstandingMeasured = 0;
  private readonly spec: Required<RunSpec>;
  private stopped = false;

  constructor(compiled: Compiled, spec: RunSpec) {
    const c = compiled;
    this.c = c;
    this.spec = {
      maxInFlight: 2_000_000,
      drain_ns: Math.max(2 * c.rtoMin_ns * 2 + 50e6, 100e6),
      ...spec,
    };
    const nCpu = c.sharedCpus ? c.cpuCount : 2 * c.cpuCount;
    this.nCpu = nCpu;
    this.running = new Uint8Array(nCpu);
    this.runCls = new Uint8Array(nCpu);
    this.runItem = new Int32Array(nCpu);
    this.runTask = new Int32Array(nCpu).fill(-1);
    this.gen = new Int32Array(nCpu);
    this.chunkStart = new Float64Array(nCpu);
    this.chunkEnd = new Float64Array(nCpu);
    this.idleSince = new Float64Array(nCpu).fill(-1e18);
    this.stalledUntil = new Float64Array(nCpu);
    this.effects = Array.from({ length: nCpu }, () => new EffectList());
    this.savedEffects = Array.from({ length: nCpu }, () => new EffectList());
    this.preTask = new Int32Array(nCpu).fill(-1);
    this.preRemaining = new Float64Array(nCpu);
    this.preCls = new Uint8Array(nCpu);
    this.hardirqs = Array.from({ length: nCpu }, () => new IntQueue());
    this.pollList = Array.from({ length: nCpu }, () => new IntQueue());
    this.stride = Math.max(nCpu, 2 * c.queues);
    this.itemScheduled = new Uint8Array(4 * this.stride);
    this.inSoftirq = new Uint8Array(nCpu);
    this.budgetLeft = new Float64Array(nCpu);
    this.invocationStart = new Float64Array(nCpu);
    this.doSoftirqStart = new Float64Array(nCpu);
    this.restarts = new Int32Array(nCpu);
    this.deferred = new Uint8Array(nCpu);
    this.runq = Array.from({ length: nCpu }, () => new IntQueue());
    this.backlog = Array.from({ length: nCpu }, () => new Fifo());
    this.gro = Array.from({ length: nCpu }, () => new Fifo());
    this.ackList = Array.from({ length: nCpu }, () => new IntQueue());

    // Tasks: nginx workers (server), tcpkali workers (client), ksoftirqd per CPU.
    const ng = c.nginx.workers;
    const tk = c.tcpkali.workers;
    const nTask = ng + tk + nCpu;
    this.taskType = new Uint8Array(nTask);
    this.taskIdx = new Int32Array(nTask);
    this.taskCpu = new Int32Array(nTask);
    this.taskState = new Uint8Array(nTask);
    this.taskWoke = new Uint8Array(nTask);
    for (let w = 0; w < ng; w++) {
      this.taskType[w] = T_NGINX;
      this.taskIdx[w] = w;
      this.taskCpu[w] = this.cpuIndex(SERVER, c.nginx.cpuOf[w]!);
    }
    for (let w = 0; w < tk; w++) {
      this.taskType[ng + w] = T_TCPKALI;
      this.taskIdx[ng + w] = w;
      this.taskCpu[ng + w] = this.cpuIndex(CLIENT, c.tcpkali.cpuOf[w]!);
    }
    this.ksoftirqdTask = new Int32Array(nCpu);
    for (let i = 0; i < nCpu; i++) {
      const t = ng + tk + i;
      this.taskType[t] = T_KSOFTIRQD;
      this.taskIdx[t] = i;
      this.taskCpu[t] = i;
      this.ksoftirqdTask[i] = t;
    }
    this.nginxReady = Array.from({ length: ng }, () => new Fifo());
    this.kaliReads = Array.from({ length: tk }, () => new Fifo());

    // tcpkali send schedule: connection i of worker w sends at phase_i + k * period.
    this.period_ns = (c.connections / c.rate_rps) * 1e9;
    const phaseSrc = createStream(spec.seed, spec.replication, 'tcpkali.phase');
    const perWorker: number[][] = Array.from({ length: tk }, () => []);
    const phases = new Float64Array(c.connections);
    for (let conn = 0; conn < c.connections; conn++) {
      phases[conn] = phaseSrc() * this.period_ns;
      perWorker[c.steering.client.appWorker[conn]!]!.push(conn);
    }
    const byPhase = perWorker.map((list) => Int32Array.from(list.sort((a, b) => phases[a]! - phases[b]!)));
    this.kaliPhase = byPhase.map((order) => Float64Array.from(order, (conn) => phases[conn]!));
    // Flows are numbered in send order (P.conn holds this number, not the connection id).
    const connOfRow = new Int32Array(c.connections);
    let row = 0;
    this.kaliOrder = byPhase.map((order) =>
      order.map((conn) => {
        connOfRow[row] = conn;
        return row++;
      }),
    );
    this.flow = buildFlowTable(c, connOfRow);
    this.kaliDue = new Float64Array(tk);
    this.kaliSent = new Float64Array(tk);
    this.kaliDueTime = Array.from({ length: tk }, () => new IntQueue());

    const nq = 2 * c.queues;
    this.ring = Array.from({ length: nq }, () => new Fifo());
    this.irqEnabled = new Uint8Array(nq).fill(1);
    this.irqPending = new Uint8Array(nq);
    this.lastIrq = new Float64Array(nq).fill(-1e18);
    this.itrLevel = new Uint8Array(nq);
    this.bytesSinceIrq = new Float64Array(nq);
    this.txCleanPending = new Float64Array(nq);

    this.jitter =
      c.jitterMean_ns > 0
        ? lognormalFromMeanCv(
            createStream(spec.seed, spec.replication, 'wire.jitter'),
            c.jitterMean_ns,
            c.jitterCv,
          )
        : null;
    this.stallSrc = createStream(spec.seed, spec.replication, 'stalls');
    this.stallDur =
      c.stallRatePerCpu_per_ns > 0 && c.stallMean_ns > 0
        ? lognormalFromMeanCv(
            createStream(spec.seed, spec.replication, 'stalls.duration'),
            c.stallMean_ns,
            c.stallCv,
          )
        : null;

    const sim = this.sim;
    this.evCpu = sim.register({ handle: (a, b) => this.onCpuDone(a, b) });
    this.evArrive = sim.register({ handle: (a, b) => this.onArrive(a, b) });
    this.evIrq = sim.register({ handle: (a) => this.onIrq(a) });
    this.evSend = sim.register({ handle: (a) => this.onSendDue(a) });
    this.evAck = sim.register({ handle: (a) => this.onAckTimer(a) });
    this.evRetx = sim.register({ handle: (a) => this.onRetransmit(a) });
    this.evStall = sim.register({ handle: () => this.onStall() });

    // Stage statistics.
    const stages: StageStats[] = [];
    const add = (name: string, cls: number) => {
      stages.push({ name, cls, packets: 0, wait: new LogHistogram(), service: new LogHistogram() });
      return stages.length - 1;
    };
    const maxStages = Math.max(c.tx.length, c.rx.length);
    this.stageIndex = new Int32Array(2 * 2 * maxStages).fill(-1);
    const stagesOf = (h: number) => (h === CLIENT ? 'client' : 'server');
    this.nicWaitStat = [];
    this.appWaitStat = [];
    this.wireStat = [];
    for (const h of [CLIENT, SERVER]) {
      const hn = stagesOf(h);
      this.appWaitStat.push(add(h === CLIENT ? 'client.app.tcpkali' : 'server.app.nginx', CLS_TASK));
      for (let s = 0; s < c.tx.length; s++)
        this.stageIndex[(h * 2 + DIR_TX) * maxStages + s] = add(`${hn}.tx.${c.tx.names[s]}`, c.tx.cls[s]!);
      this.wireStat.push(add(h === CLIENT ? 'wire.client_to_server' : 'wire.server_to_client', CLS_TASK));
      this.nicWaitStat.push(add(`${hn === 'client' ? 'server' : 'client'}.nic.ring_irq`, CLS_HARDIRQ));
    }
    for (const h of [CLIENT, SERVER]) {
      const hn = stagesOf(h);
      for (let s = 0; s < c.rx.length; s++)
        this.stageIndex[(h * 2 + DIR_RX) * maxStages + s] = add(`${hn}.rx.${c.rx.names[s]}`, CLS_SOFTIRQ);
    }
    this.maxStages = maxStages;

    this.out = {
      latency: new Histogram(),
      batches: Array.from({ length: 10 }, () => new Histogram()),
      sentMeasured: 0,
      sentWarmup: 0,
      completedMeasured: 0,
      completedInWindow: 0,
      series: new Float32Array(0),
      seriesLength: 0,
      seriesBatch: 5,
      window_ns: 0,
      drops: {},
      retransmits: 0,
      lost: 0,
      busy_ns: new Float64Array(nCpu * 3),
      ksoftirqd_ns: new Float64Array(nCpu),
      wireBusy_ns: new Float64Array(2),
      stages,
      events: 0,
      aborted: false,
      outstandingAtWarmup: 0,
      outstandingAtEnd: 0,
      timeSqueeze: 0,
    };
  }

  private readonly maxStages: number;
  private readonly stride: number;
  /** The CPU whose chunk is ending or being dispatched: kicks to it wait for that to finish. */
  private guard = -1;
  private readonly spareEffects: EffectList[] = [];

  cpuIndex(host: number, cpu: number): number {
    return this.c.sharedCpus ? cpu : host * this.c.cpuCount + cpu;
  }

  /** Runs the whole replication and returns its raw measurements. */
  run(): RunOutput {
    const c = this.c;
    const sim = this.sim;
    // Warm-up: a fraction of the run, but at least the delayed-ACK time plus 10 ms, so that the ACK
    // stream (which starts one delack after the first response) is in steady state when measuring starts.
    const duration_ns = (this.spec.requests / c.rate_rps) * 1e9;
    this.warmupEnd_ns = Math.max(duration_ns * this.spec.warmupFraction, c.delack_ns + 10e6);
    this.sendEnd_ns = this.warmupEnd_ns + duration_ns * (1 - this.spec.warmupFraction);
    for (let w = 0; w < c.tcpkali.workers; w++) this.scheduleNextSend(w);
    if (this.stallDur) this.scheduleStall();
    if (!this.stopped) sim.run({ until_ns: this.warmupEnd_ns });
    this.beginMeasurement();
    if (!this.stopped) sim.run({ until_ns: this.sendEnd_ns });
    this.endMeasurement();
    // Drain: no new sends; let measured requests finish (bounded in time).
    const deadline = this.sendEnd_ns + this.spec.drain_ns;
    while (!this.stopped && this.outstandingMeasured > 0 && sim.now_ns < deadline) {
      sim.run({ until_ns: Math.min(deadline, sim.now_ns + 5e6) });
    }
    this.out.events = sim.events;
    return this.out;
  }

  private beginMeasurement(): void {
    this.measuring = true;
    this.out.outstandingAtWarmup = this.outstanding;
    this.out.busy_ns.fill(0);
    this.out.ksoftirqd_ns.fill(0);
    this.out.wireBusy_ns.fill(0);
  }

  private endMeasurement(): void {
    const now = this.sim.now_ns;
    // Close the busy time of chunks still running.
    for (let i = 0; i < this.nCpu; i++) {
      const r = this.running[i]!;
      if (r === R_HARDIRQ || r === R_POLL || r === R_TASK) {
        const from = Math.max(this.chunkStart[i]!, this.warmupEnd_ns);
        const d = Math.max(0, Math.min(now, this.chunkEnd[i]!) - from);
        this.accountBusy(i, this.runCls[i]!, d, r === R_POLL && this.runTask[i]! >= 0);
      }
    }
    this.measuring = false;
    this.out.window_ns = this.sendEnd_ns - this.warmupEnd_ns;
    this.out.outstandingAtEnd = this.outstanding;
  }

  private accountBusy(cpu: number, cls: number, d: number, ksoftirqd: boolean): void {
    this.out.busy_ns[cpu * 3 + cls]! += d;
    if (ksoftirqd) this.out.ksoftirqd_ns[cpu]! += d;
  }

  // ---------------------------------------------------------------- tcpkali send schedule
  private scheduleNextSend(w: number): void {
    const order = this.kaliOrder[w]!;
    if (order.length === 0) return;
    const k = this.kaliDue[w]!;
    const t = this.kaliPhase[w]![k % order.length]! + Math.floor(k / order.length) * this.period_ns;
    if (t >= this.sendEnd_ns) return;
    this.sim.scheduleAt(Math.max(t, this.sim.now_ns), this.evSend, w, 0);
  }

  private onSendDue(w: number): void {
    this.kaliDueTime[w]!.push(this.sim.now_ns);
    this.kaliDue[w]!++;
    this.scheduleNextSend(w);
    this.wakeTask(this.c.nginx.workers + w);
  }

  // ---------------------------------------------------------------- tasks
  private wakeTask(t: number): void {
    if (this.taskState[t] !== 0) return;
    this.taskState[t] = 1;
    this.taskWoke[t] = 1;
    const cpu = this.taskCpu[t]!;
    this.runq[cpu]!.push(t);
    if (this.running[cpu] === R_IDLE && cpu !== this.guard) this.dispatch(cpu);
  }

  private taskHasWork(t: number): boolean {
    const type = this.taskType[t]!;
    const i = this.taskIdx[t]!;
    if (type === T_NGINX) return this.nginxReady[i]!.length > 0;
    if (type === T_TCPKALI) return this.kaliReads[i]!.length > 0 || this.kaliSent[i]! < this.kaliDue[i]!;
    return this.pollList[i]!.length > 0 && this.deferred[i] === 1;
  }

  // ---------------------------------------------------------------- CPU scheduling
  /** Called when something became runnable on `cpu`: start it if idle, preempt a task if needed. */
  private kick(cpu: number, urgent: boolean): void {
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
      const now = this.sim.now_ns;
      this.preTask[cpu] = this.runTask[cpu]!;
      this.preRemaining[cpu] = Math.max(0, this.chunkEnd[cpu]! - now);
      this.preCls[cpu] = this.runCls[cpu]!;
      if (this.measuring)
        this.accountBusy(
          cpu,
          this.runCls[cpu]!,
          Math.max(0, now - Math.max(this.chunkStart[cpu]!, this.warmupEnd_ns)),
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

  private dispatch(cpu: number): void {
    const prev = this.guard;
    this.guard = cpu;
    this.dispatchInner(cpu);
    this.guard = prev;
  }

  private dispatchInner(cpu: number): void {
    const now = this.sim.now_ns;
    if (this.stalledUntil[cpu]! > now) {
      this.startChunk(cpu, R_STALL, 0, -1, this.stalledUntil[cpu]! - now, 0);
      return;
    }
    if (
      this.running[cpu] === R_IDLE &&
      this.c.wakeup_ns > 0 &&
      now - this.idleSince[cpu]! >= this.c.idleThreshold_ns
    ) {
      this.startChunk(cpu, R_WAKE, 0, -1, this.c.wakeup_ns, 0);
      return;
    }
    const hq = this.hardirqs[cpu]!;
    if (hq.length > 0) {
      const q = hq.shift();
      this.startChunk(cpu, R_HARDIRQ, CLS_HARDIRQ, -1, this.c.hardirq_ns, q);
      return;
    }
    if (this.pollList[cpu]!.length > 0 && this.deferred[cpu] === 0) {
      if (this.startPoll(cpu, -1)) return;
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
        if (this.startPoll(cpu, t)) return;
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

  private beginChunk(cpu: number, kind: number, cls: number, item: number, dur: number): void {
    const now = this.sim.now_ns;
    this.running[cpu] = kind;
    this.runCls[cpu] = cls;
    this.runItem[cpu] = item;
    this.chunkStart[cpu] = now;
    this.chunkEnd[cpu] = now + dur;
    this.idleSince[cpu] = Number.POSITIVE_INFINITY;
    this.sim.scheduleAt(now + dur, this.evCpu, cpu, ++this.gen[cpu]!);
  }

  /** SMT: a chunk runs slower while the hyperthread sibling is busy. */
  private smtFactor(cpu: number): number {
    const off = this.c.smtOffset;
    if (off === 0) return 1;
    const n = this.c.cpuCount;
    const base = this.c.sharedCpus ? 0 : cpu >= n ? n : 0;
    const local = cpu - base;
    let sib: number;
    if (local < off) sib = local + off;
    else if (local < 2 * off) sib = local - off;
    else return 1;
    if (sib >= n) return 1;
    const r = this.running[base + sib]!;
    return r === R_HARDIRQ || r === R_POLL || r === R_TASK ? this.c.smtSlowdown : 1;
  }

  private onCpuDone(cpu: number, g: number): void {
    if (g !== this.gen[cpu]) return;
    const now = this.sim.now_ns;
    const kind = this.running[cpu]!;
    if (this.measuring && (kind === R_HARDIRQ || kind === R_POLL || kind === R_TASK)) {
      const d = now - Math.max(this.chunkStart[cpu]!, this.warmupEnd_ns);
      this.accountBusy(cpu, this.runCls[cpu]!, d, kind === R_POLL && this.runTask[cpu]! >= 0);
    }
    this.running[cpu] = R_IDLE;
    this.guard = cpu;
    if (kind === R_HARDIRQ) {
      // The queue's NAPI instance goes on this CPU's poll list; softirq runs on irq exit.
      this.schedItem(cpu, IT_NIC * ITEM + this.runItem[cpu]!);
      this.deferred[cpu] = 0; // irq_exit runs pending softirqs even when ksoftirqd was woken (4.3)
    } else if (kind === R_POLL) {
      this.finishPoll(cpu);
      if (this.runTask[cpu]! >= 0) this.finishTask(cpu); // a ksoftirqd poll: let other tasks take turns
    } else if (kind === R_TASK) {
      this.finishTask(cpu);
    }
    this.applyEffects(cpu);
    this.guard = -1;
    if (this.running[cpu] === R_IDLE) this.dispatch(cpu);
  }

  // ---------------------------------------------------------------- softirq / NAPI
  private schedItem(cpu: number, item: number): void {
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    const flagIdx = type * this.stride + idx;
    if (this.itemScheduled[flagIdx]) return;
    this.itemScheduled[flagIdx] = 1;
    this.pollList[cpu]!.push(item);
  }

  private unschedItem(item: number): void {
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    this.itemScheduled[type * this.stride + idx] = 0;
  }

  /** Raises NET_RX on a CPU for an item (IPI for a remote CPU). */
  private raise(cpu: number, item: number): void {
    this.schedItem(cpu, item);
    if (this.deferred[cpu] === 0) this.kick(cpu, true);
    else this.wakeKsoftirqd(cpu);
  }

  private wakeKsoftirqd(cpu: number): void {
    const t = this.ksoftirqdTask[cpu]!;
    if (this.taskState[t] === 0) {
      this.taskState[t] = 1;
      this.runq[cpu]!.push(t);
      if (this.running[cpu] === R_IDLE && cpu !== this.guard) this.dispatch(cpu);
    }
  }

  /** Starts one NAPI poll chunk (net_rx_action iteration). Returns false when nothing to do. */
  private startPoll(cpu: number, task: number): boolean {
    const c = this.c;
    const now = this.sim.now_ns;
    const list = this.pollList[cpu]!;
    if (list.length === 0) return false;
    if (this.inSoftirq[cpu] === 0) {
      this.inSoftirq[cpu] = 1;
      this.doSoftirqStart[cpu] = now;
      this.invocationStart[cpu] = now;
      this.budgetLeft[cpu] = c.netdevBudget;
      this.restarts[cpu] = 0;
    } else if (this.budgetLeft[cpu]! <= 0 || now - this.invocationStart[cpu]! >= c.budgetTime_ns) {
      // time_squeeze: net_rx_action gives up, NET_RX is raised again; __do_softirq restarts it
      // up to max_restart times within max_time, then leaves the rest to ksoftirqd.
      this.out.timeSqueeze++;
      this.restarts[cpu]!++;
      this.invocationStart[cpu] = now;
      this.budgetLeft[cpu] = c.netdevBudget;
      if (
        task < 0 &&
        (this.restarts[cpu]! >= c.softirqMaxRestart || now - this.doSoftirqStart[cpu]! >= c.softirqMaxTime_ns)
      ) {
        this.deferred[cpu] = 1;
        this.inSoftirq[cpu] = 0;
        this.wakeKsoftirqd(cpu);
        return false;
      }
    }
    const item = list.shift();
    this.runTask[cpu] = task;
    const factor = this.smtFactor(cpu);
    const dur = this.pollItem(cpu, item, factor);
    // Items with work left go to the back of the poll list (round robin between NAPI instances).
    this.beginChunk(cpu, R_POLL, CLS_SOFTIRQ, item, dur);
    return true;
  }

  private finishPoll(cpu: number): void {
    const item = this.runItem[cpu]!;
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    let more = false;
    if (type === IT_NIC) more = this.ring[idx]!.length > 0;
    else if (type === IT_BACKLOG) more = this.backlog[idx]!.length > 0;
    else if (type === IT_GRO) more = this.gro[idx]!.length > 0;
    else more = this.ackList[idx]!.length > 0;
    if (more) this.pollList[cpu]!.push(item);
    else {
      this.unschedItem(item);
      if (type === IT_NIC) {
        // napi_complete: re-enable the queue's interrupt.
        this.irqEnabled[idx] = 1;
      }
    }
    if (this.pollList[cpu]!.length === 0) {
      this.inSoftirq[cpu] = 0;
      this.deferred[cpu] = 0;
    }
  }

  /** Polls one NAPI item: takes packets, runs their stages of this pass, queues their effects. */
  private pollItem(cpu: number, item: number, factor: number): number {
    const c = this.c;
    const P = this.pool;
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    const eff = this.effects[cpu]!;
    const start = this.sim.now_ns;
    let t = 0;
    if (type === IT_TIMER) {
      const acks = this.ackList[idx]!;
      while (acks.length > 0) {
        const p = acks.shift();
        P.ready[p] = start + t;
        t += this.runStages(p, cpu, start + t, factor, true);
        eff.push(p);
      }
      return t;
    }
    const quota = Math.min(c.napiWeight, this.budgetLeft[cpu]!);
    let done = 0;
    if (type === IT_NIC) {
      const q = this.ring[idx]!;
      const host = idx >= c.queues ? SERVER : CLIENT;
      // TX completions of this queue are cleaned in the same poll.
      t += this.txCleanPending[idx]! * c.txClean_ns * factor;
      this.txCleanPending[idx] = 0;
      while (q.length > 0 && (done === 0 || done + P.frames[q.head]! <= quota)) {
        const p = this.pop(q);
        done += P.frames[p]!;
        const w = start + t - P.ready[p]!;
        if (this.measuring) this.recordWait(this.nicWaitStat[1 - host]!, w);
        t += this.runStages(p, cpu, start + t, factor, false);
        eff.push(p);
      }
    } else {
      const q = type === IT_BACKLOG ? this.backlog[idx]! : this.gro[idx]!;
      while (q.length > 0 && done < quota) {
        const p = this.pop(q);
        done++;
        t += this.runStages(p, cpu, start + t, factor, false);
        eff.push(p);
      }
    }
    this.budgetLeft[cpu]! -= done;
    return t;
  }

  private recordWait(stat: number, w: number): void {
    const s = this.out.stages[stat]!;
    s.packets++;
    s.wait.record(w);
  }

  /**
   * Runs packet p's stages from its current one until the next hand-off or the end of its path,
   * on `cpu`; returns the CPU time and sets the packet's action. The first stage's wait is the
   * time since the packet became ready.
   */
  private runStages(p: number, cpu: number, at: number, factor: number, skipWait: boolean): number {
    const c = this.c;
    const P = this.pool;
    const dir = P.dir[p]!;
    const path = dir === DIR_TX ? c.tx : c.rx;
    const host = P.host[p]!;
    let s = P.stage[p]!;
    let t = 0;
    const bytes = P.bytes[p]!;
    const mult = dir === DIR_RX && !c.mech.gro ? P.frames[p]! : 1;
    const base = (host * 2 + dir) * this.maxStages;
    const measuring = this.measuring;
    let first = true;
    for (;;) {
      const perPacket = dir === DIR_RX && s === 0 ? P.frames[p]! : mult;
      const cost = (path.costPerPacket_ns[s]! * perPacket + path.costPerByte_ns[s]! * bytes) * factor;
      if (measuring) {
        const st = this.out.stages[this.stageIndex[base + s]!]!;
        st.packets++;
        st.wait.record(first && !skipWait ? Math.max(0, at + t - P.ready[p]!) : 0);
        st.service.record(cost);
      }
      first = false;
      t += cost;
      s++;
      if (s >= path.length) {
        P.act[p] = dir === DIR_TX ? A_NICTX : A_SOCKET;
        P.cpu[p] = cpu;
        break;
      }
      const h = path.handoff[s]!;
      if (h === HANDOFF_NONE) continue;
      if (h === HANDOFF_RPS) {
        const steer = this.flow[P.conn[p]! * 8 + host * 4 + 1]!; // F_STEER
        if (steer < 0) continue;
        P.act[p] = A_BACKLOG;
        P.actArg[p] = steer;
        break;
      }
      if (h === HANDOFF_BACKLOG) {
        P.act[p] = A_BACKLOG;
        P.actArg[p] = cpu;
        break;
      }
      if (h === HANDOFF_GRO_CELLS) {
        P.act[p] = A_GRO;
        P.actArg[p] = cpu;
        break;
      }
    }
    P.stage[p] = s;
    return t;
  }

  // ---------------------------------------------------------------- task chunks
  private startTaskChunk(cpu: number, t: number): void {
    const c = this.c;
    const P = this.pool;
    const now = this.sim.now_ns;
    const factor = this.smtFactor(cpu);
    const eff = this.effects[cpu]!;
    let dur = 0;
    const type = this.taskType[t]!;
    const w = this.taskIdx[t]!;
    this.taskState[t] = 2;
    const app = type === T_NGINX ? c.nginx : c.tcpkali;
    if (this.taskWoke[t]) {
      dur += app.costPerWakeup_ns * factor;
      this.taskWoke[t] = 0;
    }
    if (type === T_NGINX) {
      const p = this.pop(this.nginxReady[w]!);
      if (this.measuring) this.recordWait(this.appWaitStat[SERVER]!, now - P.ready[p]!);
      dur += (c.nginx.costPerOp_ns + c.nginx.costPerResponseByte_ns * c.responseBytes) * factor;
      // The request becomes the response (the latency timestamp t0 travels with it).
      P.kind[p] = K_RESP;
      P.dir[p] = DIR_TX;
      P.host[p] = SERVER;
      P.stage[p] = 0;
      P.bytes[p] = c.responseBytes;
      P.frames[p] = c.responseSegments;
      P.ready[p] = now + dur;
      dur += this.runStages(p, cpu, now + dur, factor, true);
      eff.push(p);
    } else {
      const reads = this.kaliReads[w]!;
      const dueTimes = this.kaliDueTime[w]!;
      const hasSend = this.kaliSent[w]! < this.kaliDue[w]!;
      const readFirst = reads.length > 0 && (!hasSend || P.ready[reads.head]! <= dueTimes.front());
      if (readFirst) {
        const p = this.pop(reads);
        if (this.measuring) this.recordWait(this.appWaitStat[CLIENT]!, now - P.ready[p]!);
        dur += (c.tcpkali.costPerRead_ns + c.tcpkali.costPerResponseByte_ns * P.bytes[p]!) * factor;
        P.act[p] = A_READ;
        eff.push(p);
      } else {
        const k = this.kaliSent[w]!;
        dueTimes.shift();
        this.kaliSent[w] = k + 1;
        const order = this.kaliOrder[w]!;
        const conn = order[k % order.length]!;
        const p = P.alloc();
        P.conn[p] = conn;
        P.kind[p] = K_REQ;
        P.dir[p] = DIR_TX;
        P.host[p] = CLIENT;
        P.stage[p] = 0;
        P.bytes[p] = c.requestBytes;
        P.frames[p] = c.requestSegments;
        P.t0[p] = -1; // set to the write's completion when the chunk ends
        dur += c.tcpkali.costPerOp_ns * factor;
        P.ready[p] = now + dur;
        dur += this.runStages(p, cpu, now + dur, factor, true);
        eff.push(p);
        this.outstanding++;
      }
    }
    this.runTask[cpu] = t;
    this.beginChunk(cpu, R_TASK, CLS_TASK, -1, dur);
  }

  private finishTask(cpu: number): void {
    const t = this.runTask[cpu]!;
    if (t < 0) return;
    const rq = this.runq[cpu]!;
    // The task is at rq[0] (it was never removed while it had work).
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

  // ---------------------------------------------------------------- effects
  private applyEffects(cpu: number): void {
    const eff = this.effects[cpu]!;
    if (eff.n === 0) return;
    this.effects[cpu] = this.spareEffects.pop() ?? new EffectList();
    const P = this.pool;
    const now = this.sim.now_ns;
    const items = eff.items;
    const n = eff.n;
    for (let i = 0; i < n; i++) {
      const p = items[i]!;
      if (P.kind[p] === K_REQ && P.t0[p]! < 0) {
        P.t0[p] = now;
        if (now >= this.warmupEnd_ns && now < this.sendEnd_ns) {
          this.out.sentMeasured++;
          this.outstandingMeasured++;
        } else if (now < this.warmupEnd_ns) this.out.sentWarmup++;
      }
      const a = P.act[p]!;
      P.act[p] = A_NONE;
      if (a === A_BACKLOG)
        this.enqueueSoftirq(p, P.actArg[p]!, IT_BACKLOG, this.backlog[P.actArg[p]!]!, 'backlog');
      else if (a === A_GRO)
        this.enqueueSoftirq(p, P.actArg[p]!, IT_GRO, this.gro[P.actArg[p]!]!, 'gro_cells');
      else if (a === A_SOCKET) this.deliverSocket(p);
      else if (a === A_NICTX) this.nicTransmit(p);
      else if (a === A_READ) this.completeRead(p);
      else if (a === A_FREE) P.release(p);
    }
    eff.n = 0;
    this.spareEffects.push(eff);
  }

  private enqueueSoftirq(p: number, cpu: number, type: number, q: Fifo, place: string): void {
    if (q.length >= this.c.maxBacklog) {
      this.drop(p, place);
      return;
    }
    this.pool.ready[p] = this.sim.now_ns;
    this.push(q, p);
    this.raise(cpu, type * ITEM + cpu);
  }

  private deliverSocket(p: number): void {
    const c = this.c;
    const P = this.pool;
    const now = this.sim.now_ns;
    const kind = P.kind[p]!;
    if (kind === K_ACK) {
      P.release(p);
      return;
    }
    P.ready[p] = now;
    if (kind === K_REQ) {
      const w = this.flow[P.conn[p]! * 8 + 6]!; // server F_APP
      this.push(this.nginxReady[w]!, p);
      this.wakeTask(w);
      return;
    }
    // A response at the client: ACK it (delayed unless it was several full segments), then tcpkali reads it.
    const rxCpu = P.cpu[p]!;
    const a = P.alloc();
    P.conn[a] = P.conn[p]!;
    P.kind[a] = K_ACK;
    P.dir[a] = DIR_TX;
    P.host[a] = CLIENT;
    P.stage[a] = this.ackFirstStage();
    P.bytes[a] = 0;
    P.frames[a] = 1;
    P.cpu[a] = rxCpu;
    if (c.delack_ns > 0 && P.frames[p]! < c.quickackSegments) {
      const f = this.ackTimers[CLIENT]!;
      this.ensureCap(this.ackDue, CLIENT, a);
      // The delayed-ACK timer expires on the next jiffy boundary after delack: ACKs go out in batches per tick.
      const tick = c.timerTick_ns;
      this.ackDue[CLIENT]![a] =
        tick > 0 ? Math.ceil((now + c.delack_ns) / tick) * tick : Math.ceil(now + c.delack_ns);
      if (f.length === 0) this.sim.scheduleAt(this.ackDue[CLIENT]![a]!, this.evAck, CLIENT, 0);
      this.push(f, a);
    } else {
      this.ackList[rxCpu]!.push(a);
      this.raise(rxCpu, IT_TIMER * ITEM + rxCpu);
    }
    const w = this.flow[P.conn[p]! * 8 + 2]!; // client F_APP
    this.push(this.kaliReads[w]!, p);
    this.wakeTask(c.nginx.workers + w);
  }

  /** A pure ACK skips the application's tcp_sendmsg stage (tcp_send_ack builds it in the kernel). */
  private ackFirstStage(): number {
    return this.c.tx.length > 1 ? 1 : 0;
  }

  private onAckTimer(host: number): void {
    const f = this.ackTimers[host]!;
    const now = this.sim.now_ns;
    const due = this.ackDue[host]!;
    while (f.length > 0 && due[f.head]! <= now) {
      const a = this.pop(f);
      const cpu = this.pool.cpu[a]!;
      this.ackList[cpu]!.push(a);
      this.raise(cpu, IT_TIMER * ITEM + cpu);
    }
    if (f.length > 0) this.sim.scheduleAt(due[f.head]!, this.evAck, host, 0);
  }

  private completeRead(p: number): void {
    const P = this.pool;
    const now = this.sim.now_ns;
    const t0 = P.t0[p]!;
    if (t0 >= this.warmupEnd_ns && t0 < this.sendEnd_ns) {
      const lat = now - t0;
      this.addToSeries(lat);
      this.out.latency.record(lat);
      const b = Math.min(
        9,
        Math.floor(((t0 - this.warmupEnd_ns) / (this.sendEnd_ns - this.warmupEnd_ns)) * 10),
      );
      this.out.batches[b]!.record(lat);
      this.out.completedMeasured++;
      this.outstandingMeasured--;
    }
    if (this.measuring) this.out.completedInWindow++;
    this.outstanding--;
    P.release(p);
  }

  /**
   * Batch means of consecutive measured latencies in completion order (for the MSER warm-up check),
   * ns. Batches start at 5 requests; when the series reaches SERIES_CAP entries, adjacent pairs are
   * averaged and the batch size doubles, so memory stays bounded whatever the run length.
   */
  private addToSeries(lat: number): void {
    this.seriesAcc += lat;
    if (++this.seriesN < this.out.seriesBatch) return;
    const out = this.out;
    if (out.seriesLength === SERIES_CAP) {
      for (let i = 0; i < SERIES_CAP / 2; i++)
        out.series[i] = (out.series[2 * i]! + out.series[2 * i + 1]!) / 2;
      out.seriesLength = SERIES_CAP / 2;
      out.seriesBatch *= 2;
    }
    if (out.seriesLength === out.series.length) {
      const b = new Float32Array(Math.min(SERIES_CAP, Math.max(1024, out.series.length * 2)));
      b.set(out.series);
      out.series = b;
    }
    out.series[out.seriesLength++] = this.seriesAcc / this.seriesN;
    this.seriesAcc = 0;
    this.seriesN = 0;
  }

  private seriesAcc = 0;
  private seriesN = 0;

  // ---------------------------------------------------------------- NIC TX, wire, NIC RX
  private nicTransmit(p: number): void {
    const c = this.c;
    const P = this.pool;
    const host = P.host[p]!;
    const d = host === CLIENT ? 0 : 1;
    const now = this.sim.now_ns;
    const frames = P.frames[p]!;
    const wireBytes = P.bytes[p]! + frames * (c.headerBytes + c.encapBytes + c.frameOverheadBytes);
    const ser = wireBytes * c.wireNsPerByte;
    const start = Math.max(now, this.wireFree[d]!);
    const end = start + ser;
    this.wireFree[d] = end;
    if (this.measuring) this.out.wireBusy_ns[d]! += ser;
    // Whole nanoseconds: the event list rounds times. Jitter is independent per frame, so frames of
    // different flows may overtake each other (separate paths through the fabric); each frame in
    // flight is one pending event, so the event list holds the frames on the wire, not more.
    const arr = Math.ceil(end + c.propagation_ns + (this.jitter ? this.jitter() : 0));
    const tq = this.flow[P.conn[p]! * 8 + host * 4 + 3]!; // F_TXQ
    this.txCleanPending[tq]! += frames;
    if (this.measuring) {
      const st = this.out.stages[this.wireStat[host]!]!;
      st.packets++;
      st.wait.record(start - now);
      st.service.record(arr - start);
    }
    this.sim.scheduleAt(arr, this.evArrive, p, d);
    if (this.pool.live > this.spec.maxInFlight && !this.stopped) {
      this.stopped = true;
      this.out.aborted = true;
      this.sim.stop();
    }
  }

  private ensureCap(arrs: Float64Array[], i: number, p: number): void {
    const a = arrs[i]!;
    if (p < a.length) return;
    const b = new Float64Array(Math.max(this.pool.cap, p + 1));
    b.set(a);
    arrs[i] = b;
  }

  private onArrive(p: number, d: number): void {
    this.nicReceive(p, d === 0 ? SERVER : CLIENT);
  }

  private nicReceive(p: number, host: number): void {
    const c = this.c;
    const P = this.pool;
    const qi = this.flow[P.conn[p]! * 8 + host * 4]!; // F_RXQ
    const ring = this.ring[qi]!;
    P.host[p] = host;
    P.dir[p] = DIR_RX;
    P.stage[p] = 0;
    if (ring.length + P.frames[p]! > c.ringSize) {
      this.drop(p, 'nic_ring');
      return;
    }
    P.ready[p] = this.sim.now_ns;
    this.push(ring, p);
    this.bytesSinceIrq[qi]! += P.bytes[p]! + P.frames[p]! * c.headerBytes;
    if (this.irqEnabled[qi] && !this.irqPending[qi]) this.scheduleIrq(qi);
  }

  /** Interrupt moderation: at most one interrupt per interval after the previous one. */
  private scheduleIrq(qi: number): void {
    const c = this.c;
    const now = this.sim.now_ns;
    let interval = 0;
    if (c.coalescingMode === 1) interval = c.fixedItr_ns;
    else if (c.coalescingMode === 2) interval = c.adaptiveItr_ns[this.itrLevel[qi]!]!;
    this.irqPending[qi] = 1;
    this.sim.scheduleAt(Math.max(now, this.lastIrq[qi]! + interval), this.evIrq, qi, 0);
  }

  private onIrq(qi: number): void {
    const c = this.c;
    const now = this.sim.now_ns;
    this.irqPending[qi] = 0;
    if (this.ring[qi]!.length === 0) return;
    if (c.coalescingMode === 2) {
      // ixgbevf_update_itr: bytes per us of the current interval move the level up or down.
      const level = this.itrLevel[qi]!;
      const us = Math.max(1, c.adaptiveItr_ns[level]! / 1000);
      const bpu = this.bytesSinceIrq[qi]! / us;
      const lo = c.adaptiveThresholds[0]!;
      const hi = c.adaptiveThresholds[1]!;
      if (level === 0 && bpu > lo) this.itrLevel[qi] = 1;
      else if (level === 1 && bpu > hi) this.itrLevel[qi] = 2;
      else if (level === 1 && bpu <= lo) this.itrLevel[qi] = 0;
      else if (level === 2 && bpu <= hi) this.itrLevel[qi] = 1;
    }
    this.bytesSinceIrq[qi] = 0;
    this.lastIrq[qi] = now;
    this.irqEnabled[qi] = 0;
    const host = qi >= c.queues ? SERVER : CLIENT;
    const cpu = this.cpuIndex(host, c.irqCpuOfQueue[qi - host * c.queues]!);
    this.hardirqs[cpu]!.push(qi);
    this.kick(cpu, true);
  }

  // ---------------------------------------------------------------- drops, retransmission
  private drop(p: number, place: string): void {
    const P = this.pool;
    const key = `${P.host[p] === SERVER ? 'server' : 'client'}.${place}`;
    if (this.sim.now_ns >= this.warmupEnd_ns) this.out.drops[key] = (this.out.drops[key] ?? 0) + 1;
    if (P.kind[p] === K_ACK) {
      P.release(p);
      return;
    }
    // The sender retransmits after the RTO (at least rto_min, doubling per attempt).
    const r = P.retries[p]! + 1;
    if (r > this.c.maxRetries) {
      this.out.lost++;
      if (P.t0[p]! >= this.warmupEnd_ns && P.t0[p]! < this.sendEnd_ns) this.outstandingMeasured--;
      this.outstanding--;
      P.release(p);
      return;
    }
    P.retries[p] = r;
    this.sim.schedule(this.c.rtoMin_ns * 2 ** (r - 1), this.evRetx, p, 0);
  }

  private onRetransmit(p: number): void {
    const P = this.pool;
    this.out.retransmits++;
    // tcp_retransmit_skb from the timer: straight to the NIC queue of the sender (rare; its CPU cost is not modelled).
    P.host[p] = P.kind[p] === K_REQ ? CLIENT : SERVER;
    P.dir[p] = DIR_TX;
    P.stage[p] = this.c.tx.length;
    this.nicTransmit(p);
  }

  // ---------------------------------------------------------------- stalls
  private scheduleStall(): void {
    const rate = this.c.stallRatePerCpu_per_ns * this.nCpu;
    const gap = -Math.log1p(-this.stallSrc()) / rate;
    this.sim.schedule(gap, this.evStall, 0, 0);
  }

  private onStall(): void {
    const cpu = Math.min(this.nCpu - 1, Math.floor(this.stallSrc() * this.nCpu));
    const d = Math.ceil(this.stallDur!()); // whole ns: the stalled-until test compares with the clock
    const now = this.sim.now_ns;
    const r = this.running[cpu]!;
    if (r === R_IDLE) {
      this.stalledUntil[cpu] = Math.max(this.stalledUntil[cpu]!, now + d);
    } else {
      // The running chunk is frozen for d: its end moves later (time not charged to any class).
      this.chunkEnd[cpu]! += d;
      this.chunkStart[cpu]! += d;
      this.sim.scheduleAt(this.chunkEnd[cpu]!, this.evCpu, cpu, ++this.gen[cpu]!);
    }
    if (now < this.sendEnd_ns) this.scheduleStall();
  }

  // ---------------------------------------------------------------- FIFO helpers
  private push(q: Fifo, p: number): void {
    const P = this.pool;
    P.next[p] = -1;
    if (q.tail >= 0) P.next[q.tail] = p;
    else q.head = p;
    q.tail = p;
    q.length++;
  }

  private pop(q: Fifo): number {
    const p = q.head;
    q.head = this.pool.next[p]!;
    if (q.head < 0) q.tail = -1;
    q.length--;
    return p;
  }

  /** Packets alive (in queues, on the wire, in chunks). */
  get packetsInFlight(): number {
    return this.pool.live;
  }
}

/** Convenience: compile-time tables in, raw measurements out. */
export function runNetwork(compiled: Compiled, spec: RunSpec): RunOutput {
  return new NetworkSim(compiled, spec).run();
}
