/**
 * The packet-path interpreter: pushes every packet of every request through the compiled stages of
 * the option, on the CPUs the kernel would use, on top of the engine's event list. This file is the
 * composition root: it builds the parts, runs the warm-up, measurement window and drain, and applies
 * the effects of each finished chunk. One concept per file:
 *
 *   packet-pool.ts     packets as struct-of-arrays slots, intrusive FIFOs
 *   flow-table.ts      per-flow steering of both hosts (RSS queue, RPS/RFS CPU, worker, XPS queue)
 *   cpu-scheduler.ts   CPUs and tasks: chunks, priorities, preemption, run queues, SMT, wake-up
 *   softirq.ts         NAPI poll list, budgets, ksoftirqd hand-off, backlog and gro_cells queues
 *   stage-paths.ts     the stages a packet runs back to back inside one chunk, per-stage statistics
 *   nic.ts             RX rings, arrivals from the wire, interrupt moderation, interrupts, TX
 *                      completions, the veth receive on the sender's CPU (host.nic.rx_cpu)
 *   arrival-queue.ts   packets on the wire to one NIC queue, by arrival time
 *   wire.ts            serialization at line rate, propagation, jitter
 *   draw-buffer.ts     sampler values drawn ahead in blocks (the wire's jitter draws)
 *   tcp.ts             socket delivery, delayed ACKs, drops, RTO retransmission
 *   tcpkali.ts         the client: merged send schedule per worker, writes, reads, latency
 *   nginx.ts           the server workers
 *   stalls.ts          random CPU stalls
 *   run-output.ts      RunSpec, RunOutput, the per-stage statistics table
 *
 * One request: tcpkali worker write (task) -> TX stages (task; a veth backlog pass in softirq for
 * bridge options) -> wire -> server NIC ring (finite) -> coalesced interrupt -> hardirq on the
 * queue's IRQ CPU -> NAPI poll (weight, netdev_budget, time limit) with GRO -> RPS/RFS hand-off to
 * the steered CPU's backlog (finite) -> the option's further passes (gro_cells, veth backlog) ->
 * socket -> nginx worker (wake-up) -> response through the same kinds of stages back to tcpkali,
 * which records latency from the actual write to the read of the response. The client ACKs each
 * response, and the ACK crosses the server's receive path.
 *
 * Effects: a chunk's results (hand-offs, socket deliveries, NIC transmissions, reads) apply when
 * the chunk ends, in the order its packets were processed; each packet carries one pending action.
 * Invariants (checked in debug tests): packets are conserved (created = freed + in flight); every
 * CPU has at most one live completion event. Cost: about 8.6 events per request for net-host and
 * 13.4 for flannel-vxlan on c4.8xlarge at 250k RPS (one per chunk, per due send, per interrupt, and
 * per arrival only when it can raise an interrupt: nic.ts), O(log E) each for E pending events; E
 * stays near the number of busy CPUs + tcpkali workers + pending interrupts; no allocation per
 * packet or per event in steady state. Measured: ~4.5 us of CPU per request for net-host, of which
 * the event list is ~1 us (~130 ns per event with ~100 pending on the shared 2-core machines).
 */
import type { Compiled } from '../../model/compile/assemble.ts';
import { Simulator } from '../engine/simulator.ts';
import * as K from './codes.ts';
import { CpuScheduler } from './cpu-scheduler.ts';
import type { EffectList } from './effect-list.ts';
import { buildFlowTable, globalCpu } from './flow-table.ts';
import { Nginx } from './nginx.ts';
import { Nic } from './nic.ts';
import { PacketPool } from './packet-pool.ts';
import {
  buildStageTable,
  createRunOutput,
  type RunOutput,
  type RunSpec,
  type StageTable,
} from './run-output.ts';
import { Softirq } from './softirq.ts';
import { StagePaths } from './stage-paths.ts';
import { Stalls } from './stalls.ts';
import { Tcp } from './tcp.ts';
import { Tcpkali } from './tcpkali.ts';
import { Wire } from './wire.ts';

export { CLIENT, SERVER } from './codes.ts';
export type { RunOutput, RunSpec, StageStats } from './run-output.ts';

const K_REQ = K.K_REQ;
const A_NONE = K.A_NONE;
const A_BACKLOG = K.A_BACKLOG;
const A_GRO = K.A_GRO;
const A_SOCKET = K.A_SOCKET;
const A_NICTX = K.A_NICTX;
const A_LOSE = K.A_LOSE;
const DIR_TX_ = K.DIR_TX;
const A_READ = K.A_READ;
const A_FREE = K.A_FREE;

export class NetworkSim {
  readonly sim = new Simulator();
  readonly c: Compiled;
  readonly spec: Required<RunSpec>;
  readonly nCpu: number;
  readonly pool = new PacketPool();
  readonly out: RunOutput;
  readonly table: StageTable;
  /** Per-flow steering of both hosts, flows numbered in send order (flow-table.ts). */
  readonly flow: Int32Array;
  // Measurement window and state shared by the parts.
  warmupEnd_ns = 0;
  sendEnd_ns = 0;
  measuring = false;
  /** Requests written and not yet read or lost (all / written in the window). */
  outstanding = 0;
  outstandingMeasured = 0;
  private stopped = false;
  // The parts (constructed in dependency order; each keeps a reference to this object).
  readonly cpus: CpuScheduler;
  readonly softirq: Softirq;
  readonly paths: StagePaths;
  readonly nic: Nic;
  readonly wire: Wire;
  readonly tcp: Tcp;
  readonly tcpkali: Tcpkali;
  readonly nginx: Nginx;
  private readonly stalls: Stalls;

  constructor(compiled: Compiled, spec: RunSpec) {
    const c = compiled;
    this.c = c;
    this.spec = {
      maxInFlight: 2_000_000,
      drain_ns: Math.max(2 * c.rtoMin_ns * 2 + 50e6, 100e6),
      ...spec,
    };
    this.nCpu = c.sharedCpus ? c.cpuCount : 2 * c.cpuCount;
    this.table = buildStageTable(c);
    this.out = createRunOutput(this.nCpu, this.table.stages);
    // Event kinds are registered in this order: CPU chunks, arrivals, interrupts, sends, ACK timers,
    // retransmissions, stalls (the order does not affect results: events are ordered by time, sequence).
    this.cpus = new CpuScheduler(this);
    this.softirq = new Softirq(this);
    this.paths = new StagePaths(this, spec.seed, spec.replication);
    this.nic = new Nic(this);
    this.wire = new Wire(this, spec.seed, spec.replication);
    this.tcpkali = new Tcpkali(this, spec.seed, spec.replication);
    this.flow = buildFlowTable(c, this.tcpkali.connOfRow);
    this.tcp = new Tcp(this);
    this.nginx = new Nginx(this);
    this.stalls = new Stalls(this, spec.seed, spec.replication);
  }

  /** Global CPU index of CPU `cpu` of `host` (the namespace lab's hosts share their CPUs). */
  cpuIndex(host: number, cpu: number): number {
    return globalCpu(this.c, host, cpu);
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
    this.tcpkali.start();
    this.stalls.start();
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

  /** Stops the run (too many packets in flight: an overloaded point). */
  abort(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.out.aborted = true;
    this.sim.stop();
  }

  private beginMeasurement(): void {
    this.measuring = true;
    this.out.outstandingAtWarmup = this.outstanding;
    this.out.busy_ns.fill(0);
    this.out.ksoftirqd_ns.fill(0);
    this.out.wireBusy_ns.fill(0);
  }

  private endMeasurement(): void {
    this.cpus.closeBusy(this.sim.now_ns, this.warmupEnd_ns);
    this.measuring = false;
    this.out.window_ns = this.sendEnd_ns - this.warmupEnd_ns;
    this.out.outstandingAtEnd = this.outstanding;
  }

  /** Applies the pending actions of the packets a chunk processed, in processing order (now = its end). */
  applyEffects(eff: EffectList): void {
    const P = this.pool;
    const now = this.sim.now_ns;
    const items = eff.items;
    const n = eff.n;
    for (let i = 0; i < n; i++) {
      const p = items[i]!;
      if (P.kind[p] === K_REQ && P.t0[p]! < 0) this.tcpkali.written(p, now);
      const a = P.act[p]!;
      P.act[p] = A_NONE;
      if (a === A_BACKLOG) this.softirq.enqueue(p, P.actArg[p]!, false);
      else if (a === A_GRO) this.softirq.enqueue(p, P.actArg[p]!, true);
      else if (a === A_SOCKET) this.tcp.deliver(p);
      else if (a === A_NICTX) this.wire.transmit(p);
      else if (a === A_READ) this.tcpkali.completeRead(p, now);
      else if (a === A_FREE) P.release(p);
      else if (a === A_LOSE) this.loseAtStage(p);
    }
  }

  /** A stage's loss_probability lost packet p: TCP treats it like any drop (the RTO resends it). */
  private loseAtStage(p: number): void {
    const P = this.pool;
    const path = P.dir[p] === DIR_TX_ ? this.c.tx : this.c.rx;
    this.tcp.drop(p, `stage_loss.${path.names[P.actArg[p]!]}`);
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
