/**
 * The load generator: tcpkali workers on the client. Connection i of a worker writes one request
 * every period (connections / rate) at its own phase (random, or i x period / connections with
 * send_phases even), pipelining without waiting for the response; latency runs from the completion
 * of the actual write to the read of the response.
 *
 * Send schedule: the phases of each worker's connections are sorted once, so its sends in time
 * order are phase[k mod n] + floor(k / n) x period: one pending send event per worker, generated on
 * demand, instead of one timer per connection (60k connections would make a 60k-deep event list).
 * A send that becomes due while the worker is busy waits (its due time is kept: tcpkali's write
 * combining shows up as that wait).
 *
 * Send granularity (host.apps.tcpkali.send_timer.granularity_ns, g): with g > 0 a send due at t
 * becomes due at the next tick boundary ceil(t / g) x g instead, so the sends due within one tick are
 * released together, in due order, and the worker writes them back to back (a generator that sleeps
 * on a millisecond timer, as the lab's Node generator). Latency still runs from the actual write.
 * Whether a send is made at all is decided on its unquantized due time (sends due before the end).
 * g = 0: exact due times.
 *
 * After-burst timer (send_timer.mode after_burst, g > 0): a tick at T releases every send due by T;
 * the timer is re-armed only when the worker has written them all, at the end E of that write, for
 * d = g, or floor(w / g) x g when the next send is due w >= g after E, plus the slack: the next tick
 * is at E + d + slack (a loop that calls setTimeout after its writes, as the lab's Node generator:
 * its period is the burst's length plus the delay, so bursts grow with the rate and the write cost).
 * A tick that finds no send due yet (the delay was rounded down, or the slack is small) releases
 * nothing and re-arms the same way from its own time; it charges no tick cost (an approximation:
 * such ticks are rare once the rate puts a send in every tick).
 *
 * Tick cost (send_timer.cost_ns_per_tick): each release of sends at a new time (a tick) owes the
 * loop's own work once; the worker's next write chunk charges it before the write, so it lengthens
 * the burst (and, after_burst, the period) and loads the CPU, but the latency clock starts after it.
 *
 * Latency from schedule: each request also carries its unquantized due time (P.sched), and its
 * response's read records now - sched besides now - t0 (what an open-loop generator free of
 * coordinated omission reports: a send made late by the timer or a busy worker adds its lateness).
 *
 * Bursts: a send's position is its index among the sends released at the same tick (0 with exact
 * due times, as every send is its own tick); the window's ticks (also those after_burst ticks that
 * released nothing), the sends they released and the latency from the write by position bin
 * (sim/burst-bins.ts) go to RunOutput, as the lab generator reports them.
 *
 * A worker chunk does one write or one read, whichever became ready first. A response ACKed at its
 * read (host.tcp.ack_at_read_segments) sends its ACK when the read completes, from the reader's CPU.
 * Read batching (read_batch connection): the read takes the earliest response and every other response already arrived on the
 * same connection, at the same CPU cost per response, and times them all at the end of the first
 * one's read (P.ready holds that time until completeRead).
 *
 * Flows are numbered in send order (flow-table.ts): flow k of worker w is row start_w + k.
 * Invariants: sent <= due per worker; dueTimes holds the release times of the (due - sent) waiting
 * sends; no request is written before its unquantized due time (P.sched).
 * Cost: O(1) per send and per read besides the events; O(connections log connections) to build.
 */
import { burstBin } from '../burst-bins.ts';
import { createStream } from '../engine/rng.ts';
import * as K from './codes.ts';
import { F_APP as F_APP_ } from './flow-table.ts';
import { IntQueue } from './int-queue.ts';
import { LatencySeries } from './latency-series.ts';
import type { NetworkSim } from './network-sim.ts';
import { Fifo } from './packet-pool.ts';
import type { EffectList } from './effect-list.ts';

const F_APP = F_APP_;
const CLIENT = K.CLIENT;
const K_REQ = K.K_REQ;
const DIR_TX = K.DIR_TX;
const A_READ = K.A_READ;

export class Tcpkali {
  /** Flow numbers of each worker in send order, and their phases (ns). */
  private readonly order: Int32Array[];
  private readonly phase: Float64Array[];
  /** Sends that became due / were written, per worker. */
  private readonly due: Float64Array;
  private readonly sent: Float64Array;
  private readonly dueTimes: IntQueue[];
  /** Position of each waiting send in the burst its tick released (parallel to dueTimes). */
  private readonly duePos: IntQueue[];
  /** Sends released so far at each worker's current tick. */
  private readonly releasedAtTick: Int32Array;
  private readonly reads: Fifo[];
  private readonly period_ns: number;
  /** Send timer granularity (ns); 0 = sends at their exact due times. */
  private readonly tick_ns: number;
  /** After-burst timer: the current tick's time per worker, and whether the next tick awaits the burst's end. */
  private readonly afterBurst: boolean;
  private readonly slack_ns: number;
  private readonly tickAt: Float64Array;
  private readonly rearm: Uint8Array;
  private readonly readBatch: boolean;
  /** Tick cost per worker not yet charged (send_timer.cost_ns_per_tick), and each worker's last release time. */
  private readonly tickCost_ns: number;
  private readonly tickOwed: Uint8Array;
  private readonly lastTick: Float64Array;
  private readonly evSend: number;
  private readonly series: LatencySeries;
  private readonly net: NetworkSim;
  /** connOfRow[flow]: the connection id of each flow number. */
  readonly connOfRow: Int32Array;
  /** Send releases at a new time per worker (timer ticks with g > 0), summed over workers: for mechanism tests. */
  ticks = 0;

  constructor(net: NetworkSim, seed: number, replication: number) {
    this.net = net;
    const c = net.c;
    const tk = c.tcpkali.workers;
    this.period_ns = (c.connections / c.rate_rps) * 1e9;
    this.tick_ns = c.tcpkali.sendGranularity_ns;
    this.afterBurst = c.tcpkali.sendAfterBurst;
    this.slack_ns = c.tcpkali.sendSlack_ns;
    this.tickAt = new Float64Array(tk).fill(Number.NEGATIVE_INFINITY);
    this.rearm = new Uint8Array(tk);
    this.readBatch = c.tcpkali.readBatchPerConnection;
    this.tickCost_ns = c.tcpkali.sendTickCost_ns;
    this.tickOwed = new Uint8Array(tk);
    this.lastTick = new Float64Array(tk).fill(Number.NEGATIVE_INFINITY);
    const phaseSrc = createStream(seed, replication, 'tcpkali.phase');
    const perWorker: number[][] = Array.from({ length: tk }, () => []);
    const phases = new Float64Array(c.connections);
    for (let conn = 0; conn < c.connections; conn++) {
      phases[conn] = c.tcpkali.evenPhases
        ? (conn / c.connections) * this.period_ns
        : phaseSrc() * this.period_ns;
      perWorker[c.steering.client.appWorker[conn]!]!.push(conn);
    }
    const byPhase = perWorker.map((list) => Int32Array.from(list.sort((a, b) => phases[a]! - phases[b]!)));
    this.phase = byPhase.map((order) => Float64Array.from(order, (conn) => phases[conn]!));
    // Flows are numbered in send order (P.conn holds this number, not the connection id).
    const connOfRow = new Int32Array(c.connections);
    let row = 0;
    this.order = byPhase.map((order) =>
      order.map((conn) => {
        connOfRow[row] = conn;
        return row++;
      }),
    );
    this.connOfRow = connOfRow;
    this.due = new Float64Array(tk);
    this.sent = new Float64Array(tk);
    this.dueTimes = Array.from({ length: tk }, () => new IntQueue());
    this.duePos = Array.from({ length: tk }, () => new IntQueue());
    this.releasedAtTick = new Int32Array(tk);
    this.reads = Array.from({ length: tk }, () => new Fifo());
    this.series = new LatencySeries(net.out);
    this.evSend = net.sim.register({ handle: (w) => this.onSendDue(w) }, 'send due');
  }

  /** Schedules the first send of every worker. */
  start(): void {
    for (let w = 0; w < this.order.length; w++) this.scheduleNextSend(w);
  }

  private scheduleNextSend(w: number): void {
    const net = this.net;
    if (this.order[w]!.length === 0) return;
    const t = this.nextDueTime(w);
    if (t >= net.sendEnd_ns) return;
    const g = this.tick_ns;
    if (this.afterBurst) {
      const T = this.tickAt[w]!;
      // Due within the current tick: released now. Before the first tick: the loop starts at t.
      if (t <= T) net.sim.scheduleAt(net.sim.now_ns, this.evSend, w, 0);
      else if (T === Number.NEGATIVE_INFINITY)
        net.sim.scheduleAt(Math.max(t, net.sim.now_ns), this.evSend, w, 0);
      else this.rearm[w] = 1;
      return;
    }
    const at = g > 0 ? Math.ceil(t / g) * g : t;
    net.sim.scheduleAt(Math.max(at, net.sim.now_ns), this.evSend, w, 0);
  }

  /** Unquantized due time of worker w's next send (its `due`-th). */
  private nextDueTime(w: number): number {
    return this.dueTimeOf(w, this.due[w]!);
  }

  /** Unquantized due time of worker w's k-th send (0-based): its schedule. */
  private dueTimeOf(w: number, k: number): number {
    const n = this.order[w]!.length;
    return this.phase[w]![k % n]! + Math.floor(k / n) * this.period_ns;
  }

  /** After-burst timer: the burst of worker w was written by `end`; arms the next tick. */
  private armAfterBurst(w: number, end: number): void {
    this.rearm[w] = 0;
    const g = this.tick_ns;
    const wait = this.nextDueTime(w) - end;
    const d = wait >= g ? Math.floor(wait / g) * g : g;
    this.net.sim.scheduleAt(end + d + this.slack_ns, this.evSend, w, 0);
  }

  private onSendDue(w: number): void {
    const net = this.net;
    const now = net.sim.now_ns;
    const inWindow = now >= net.warmupEnd_ns && now < net.sendEnd_ns;
    if (this.afterBurst) {
      this.tickAt[w] = now;
      // A tick re-armed for floor(wait / g) x g can come before the next send is due: the loop
      // finds nothing due and sleeps again (the lab generator's tick loop never sends early).
      if (this.nextDueTime(w) > now) {
        if (inWindow) {
          net.out.burstTicks++;
          net.out.burstEmptyTicks++;
        }
        this.armAfterBurst(w, now);
        return;
      }
    }
    if (now !== this.lastTick[w]) {
      this.lastTick[w] = now;
      this.ticks++;
      this.releasedAtTick[w] = 0;
      if (inWindow) net.out.burstTicks++;
      if (this.tickCost_ns > 0) this.tickOwed[w] = 1;
    }
    if (inWindow) net.out.burstSends++;
    this.duePos[w]!.push(this.releasedAtTick[w]!++);
    this.dueTimes[w]!.push(now);
    this.due[w]!++;
    this.scheduleNextSend(w);
    net.cpus.wakeTask(net.c.nginx.workers + w);
  }

  hasWork(w: number): boolean {
    return this.reads[w]!.length > 0 || this.sent[w]! < this.due[w]!;
  }

  /** A response reached the socket: worker of its flow reads it. */
  deliver(p: number): void {
    const net = this.net;
    const w = net.flow[net.pool.conn[p]! * 8 + CLIENT * 4 + F_APP]!;
    net.pool.push(this.reads[w]!, p);
    net.cpus.wakeTask(net.c.nginx.workers + w);
  }

  /** One chunk of worker w on `cpu` starting at `now` after `dur` ns already charged; returns its length. */
  runChunk(cpu: number, w: number, now: number, dur: number, factor: number, eff: EffectList): number {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const reads = this.reads[w]!;
    const dueTimes = this.dueTimes[w]!;
    const hasSend = this.sent[w]! < this.due[w]!;
    const readFirst = reads.length > 0 && (!hasSend || P.ready[reads.head]! <= dueTimes.front());
    if (readFirst) {
      if (this.readBatch) return this.readConnection(reads, cpu, now, dur, factor, eff);
      return this.readOne(P.pop(reads), cpu, now, dur, factor, eff);
    }
    const k = this.sent[w]!;
    dueTimes.shift();
    const pos = this.duePos[w]!.shift();
    this.sent[w] = k + 1;
    const order = this.order[w]!;
    const flow = order[k % order.length]!;
    const p = P.alloc();
    P.conn[p] = flow;
    // Its unquantized due time: the schedule, before timer ticks, write combining or a busy worker.
    P.sched[p] = this.dueTimeOf(w, k);
    P.burstPos[p] = pos;
    P.kind[p] = K_REQ;
    P.dir[p] = DIR_TX;
    P.host[p] = CLIENT;
    P.stage[p] = 0;
    P.bytes[p] = c.requestBytes;
    P.frames[p] = c.requestSegments;
    P.t0[p] = -1; // set to the write's completion when the chunk ends
    net.tcp.requestWritten(flow);
    if (this.tickOwed[w] === 1) {
      this.tickOwed[w] = 0;
      dur += this.tickCost_ns * factor;
    }
    dur += c.tcpkali.costPerOp_ns * factor;
    P.ready[p] = now + dur;
    dur += net.paths.run(p, cpu, now + dur, factor, true);
    eff.push(p);
    net.outstanding++;
    if (this.rearm[w] === 1 && this.sent[w] === this.due[w]) this.armAfterBurst(w, now + dur);
    return dur;
  }

  /** The write of request p completed now: its latency clock starts. */
  written(p: number, now: number): void {
    const net = this.net;
    net.pool.t0[p] = now;
    const out = net.out;
    if (now >= net.warmupEnd_ns && now < net.sendEnd_ns) {
      out.sentMeasured++;
      net.outstandingMeasured++;
    } else if (now < net.warmupEnd_ns) out.sentWarmup++;
  }

  /**
   * Read batching: the earliest response and every later one of the same connection in the worker's
   * FIFO (all have arrived), each at the per-response cost; all are timed at the end of the first
   * read (kept in P.ready for completeRead). O(FIFO length).
   */
  private readConnection(
    reads: Fifo,
    cpu: number,
    now: number,
    dur: number,
    factor: number,
    eff: EffectList,
  ): number {
    const P = this.net.pool;
    const conn = P.conn[reads.head]!;
    let stamp = -1;
    let prev = -1;
    let p = reads.head;
    while (p >= 0) {
      const nx = P.next[p]!;
      if (P.conn[p] === conn) {
        P.unlink(reads, prev, p);
        dur = this.readOne(p, cpu, now, dur, factor, eff);
        if (stamp < 0) stamp = now + dur;
        P.ready[p] = stamp;
      } else prev = p;
      p = nx;
    }
    return dur;
  }

  /** Reads response p on `cpu` in a chunk that started at `now` with `dur` already charged; returns the new length. */
  private readOne(p: number, cpu: number, now: number, dur: number, factor: number, eff: EffectList): number {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    if (net.measuring) {
      const st = net.table.appWait[CLIENT]!;
      st.packets++;
      st.wait.record(now - P.ready[p]!);
    }
    P.act[p] = A_READ;
    P.cpu[p] = cpu;
    eff.push(p);
    return dur + (c.tcpkali.costPerRead_ns + c.tcpkali.costPerResponseByte_ns * P.bytes[p]!) * factor;
  }

  /** The read of response p completed now: records the latency of requests written in the window. */
  completeRead(p: number, now: number): void {
    const net = this.net;
    const P = net.pool;
    const out = net.out;
    if (this.readBatch) now = P.ready[p]!;
    const t0 = P.t0[p]!;
    const from = net.warmupEnd_ns;
    const to = net.sendEnd_ns;
    if (t0 >= from && t0 < to) {
      const lat = now - t0;
      this.series.add(lat);
      out.latency.record(lat);
      out.latencyFromSchedule.record(now - P.sched[p]!);
      const bin = burstBin(P.burstPos[p]!);
      out.burstCount[bin]!++;
      out.burstSum_ns[bin]! += lat;
      const b = Math.min(9, Math.floor(((t0 - from) / (to - from)) * 10));
      out.batches[b]!.record(lat);
      out.completedMeasured++;
      net.outstandingMeasured--;
    }
    if (net.measuring) out.completedInWindow++;
    net.outstanding--;
    // The read sends the ACK (ack_at_read_segments), from the reader's CPU.
    if (net.tcp.acksAtRead(p)) net.tcp.ackAtRead(p, P.cpu[p]!);
    P.release(p);
  }
}
