/**
 * NET_RX softirq per CPU: the NAPI poll list, netdev_budget and its time limit, the restart limit
 * of __do_softirq and the hand-off to ksoftirqd, and the per-CPU queues that NAPI instances poll:
 * the backlog (RPS/RFS and veth hand-offs, netdev_max_backlog drops), gro_cells (vxlan), the
 * list of ACKs the delayed-ACK timer releases on that CPU, and the veth receive queue of that CPU
 * (host.nic.rx_cpu = sender, nic.ts: polled like a NIC queue, raised by the sender, no hardirq).
 *
 * One poll chunk polls one item (a NIC queue, a backlog, a gro_cells instance, the ACK list or a veth queue) for up
 * to min(weight, budget left) packets, running each packet's stages of this pass back to back inside
 * the chunk (stage-paths.ts): no event per stage or per packet. Items with work left go to the back
 * of the poll list (round robin between NAPI instances); a NIC queue's interrupt is re-enabled when
 * its poll finds the ring empty (napi_complete).
 *
 * Invariants: an item is on at most one poll list at a time (itemScheduled); deferred[cpu] = 1 means
 * softirq work on that CPU waits for its ksoftirqd (task priority) until the list empties or a
 * hardirq exits on it. Cost: O(packets polled) per chunk plus O(1) per item.
 */
import { CLS_SOFTIRQ as CLS_SOFTIRQ_ } from '../../model/compile/assemble.ts';
import * as K from './codes.ts';
import { IntQueue } from './int-queue.ts';
import type { NetworkSim } from './network-sim.ts';
import { Fifo } from './packet-pool.ts';

const CLS_SOFTIRQ = CLS_SOFTIRQ_;
const R_POLL = K.R_POLL;
const ITEM = K.ITEM;
const IT_NIC = K.IT_NIC;
const IT_BACKLOG = K.IT_BACKLOG;
const IT_GRO = K.IT_GRO;
const IT_TIMER = K.IT_TIMER;
const IT_VETH = K.IT_VETH;

export class Softirq {
  private readonly pollList: IntQueue[];
  private readonly itemScheduled: Uint8Array;
  private readonly stride: number;
  private readonly inSoftirq: Uint8Array;
  private readonly budgetLeft: Float64Array;
  private readonly invocationStart: Float64Array;
  private readonly doSoftirqStart: Float64Array;
  private readonly restarts: Int32Array;
  private readonly deferred: Uint8Array;
  private readonly backlog: Fifo[];
  private readonly gro: Fifo[];
  private readonly ackList: IntQueue[];
  private readonly net: NetworkSim;

  constructor(net: NetworkSim) {
    this.net = net;
    const n = net.nCpu;
    this.pollList = Array.from({ length: n }, () => new IntQueue());
    this.stride = Math.max(n, 2 * net.c.queues);
    this.itemScheduled = new Uint8Array(5 * this.stride);
    this.inSoftirq = new Uint8Array(n);
    this.budgetLeft = new Float64Array(n);
    this.invocationStart = new Float64Array(n);
    this.doSoftirqStart = new Float64Array(n);
    this.restarts = new Int32Array(n);
    this.deferred = new Uint8Array(n);
    this.backlog = Array.from({ length: n }, () => new Fifo());
    this.gro = Array.from({ length: n }, () => new Fifo());
    this.ackList = Array.from({ length: n }, () => new IntQueue());
  }

  /** Softirq work runs inline on this CPU (not deferred to ksoftirqd). */
  pendingInline(cpu: number): boolean {
    return this.pollList[cpu]!.length > 0 && this.deferred[cpu] === 0;
  }

  /** ksoftirqd of this CPU has work. */
  deferredWork(cpu: number): boolean {
    return this.pollList[cpu]!.length > 0 && this.deferred[cpu] === 1;
  }

  /** irq_exit: the NIC queue's NAPI instance is scheduled and pending softirqs run inline. */
  afterHardirq(cpu: number, item: number): void {
    this.schedItem(cpu, item);
    this.deferred[cpu] = 0;
  }

  private schedItem(cpu: number, item: number): void {
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    const flagIdx = type * this.stride + idx;
    if (this.itemScheduled[flagIdx]) return;
    this.itemScheduled[flagIdx] = 1;
    this.pollList[cpu]!.push(item);
  }

  /** Raises NET_RX on a CPU for an item (IPI for a remote CPU). */
  private raise(cpu: number, item: number): void {
    this.schedItem(cpu, item);
    if (this.deferred[cpu] === 0) this.net.cpus.kick(cpu, true);
    else this.net.cpus.wakeKsoftirqd(cpu);
  }

  /** Hands packet p to `cpu`'s backlog (gro = false) or gro_cells (gro = true); drops it when full. */
  enqueue(p: number, cpu: number, gro: boolean): void {
    const net = this.net;
    const q = gro ? this.gro[cpu]! : this.backlog[cpu]!;
    if (q.length >= net.c.maxBacklog) {
      net.tcp.drop(p, gro ? 'gro_cells' : 'backlog');
      return;
    }
    net.pool.ready[p] = net.sim.now_ns;
    net.pool.push(q, p);
    this.raise(cpu, (gro ? IT_GRO : IT_BACKLOG) * ITEM + cpu);
  }

  /** netif_rx on `cpu` (veth, rx_cpu = sender): its veth queue is polled by its NET_RX softirq. */
  raiseVeth(cpu: number): void {
    this.raise(cpu, IT_VETH * ITEM + cpu);
  }

  /** Queues a pure ACK to be built and sent from `cpu`'s softirq. */
  sendAck(cpu: number, a: number): void {
    this.ackList[cpu]!.push(a);
    this.raise(cpu, IT_TIMER * ITEM + cpu);
  }

  /** Starts one NAPI poll chunk (net_rx_action iteration). Returns false when nothing to do. */
  startPoll(cpu: number, task: number): boolean {
    const net = this.net;
    const c = net.c;
    const now = net.sim.now_ns;
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
      net.out.timeSqueeze++;
      this.restarts[cpu]!++;
      this.invocationStart[cpu] = now;
      this.budgetLeft[cpu] = c.netdevBudget;
      if (
        task < 0 &&
        (this.restarts[cpu]! >= c.softirqMaxRestart || now - this.doSoftirqStart[cpu]! >= c.softirqMaxTime_ns)
      ) {
        this.deferred[cpu] = 1;
        this.inSoftirq[cpu] = 0;
        net.cpus.wakeKsoftirqd(cpu);
        return false;
      }
    }
    const item = list.shift();
    const cpus = net.cpus;
    cpus.runTask[cpu] = task;
    const factor = cpus.smtFactor(cpu);
    const dur = this.pollItem(cpu, item, factor);
    cpus.beginChunk(cpu, R_POLL, CLS_SOFTIRQ, item, dur);
    return true;
  }

  /** End of a poll chunk of `item`: requeue it if it has work left, else complete it. */
  finishPoll(cpu: number, item: number): void {
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    let more = false;
    if (type === IT_NIC) {
      this.net.nic.sync(idx, this.net.sim.now_ns);
      more = this.net.nic.ring[idx]!.length > 0;
    } else if (type === IT_BACKLOG) more = this.backlog[idx]!.length > 0;
    else if (type === IT_GRO) more = this.gro[idx]!.length > 0;
    else if (type === IT_VETH) more = this.net.nic.vethRing[idx]!.length > 0;
    else more = this.ackList[idx]!.length > 0;
    if (more) this.pollList[cpu]!.push(item);
    else {
      this.itemScheduled[type * this.stride + idx] = 0;
      if (type === IT_NIC) this.net.nic.napiComplete(idx);
    }
    if (this.pollList[cpu]!.length === 0) {
      this.inSoftirq[cpu] = 0;
      this.deferred[cpu] = 0;
    }
  }

  /** Polls one NAPI item: takes packets, runs their stages of this pass, queues their effects. */
  private pollItem(cpu: number, item: number, factor: number): number {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const paths = net.paths;
    const type = Math.floor(item / ITEM);
    const idx = item - type * ITEM;
    const eff = net.cpus.effects[cpu]!;
    const start = net.sim.now_ns;
    let t = 0;
    if (type === IT_TIMER) {
      const acks = this.ackList[idx]!;
      while (acks.length > 0) {
        const p = acks.shift();
        P.ready[p] = start + t;
        t += paths.run(p, cpu, start + t, factor, true);
        eff.push(p);
      }
      return t;
    }
    const quota = Math.min(c.napiWeight, this.budgetLeft[cpu]!);
    let done = 0;
    if (type === IT_NIC || type === IT_VETH) {
      const nic = net.nic;
      let q: Fifo;
      if (type === IT_NIC) {
        nic.sync(idx, start);
        q = nic.ring[idx]!;
        // TX completions of this queue are cleaned in the same poll.
        t += nic.txCleanPending[idx]! * c.txClean_ns * factor;
        nic.txCleanPending[idx] = 0;
      } else q = nic.vethRing[idx]!;
      const measuring = net.measuring;
      const out = net.out;
      const nCpu = net.nCpu;
      while (q.length > 0 && (done === 0 || done + P.frames[q.head]! <= quota)) {
        const p = P.pop(q);
        done += P.frames[p]!;
        if (measuring) {
          // A veth queue holds packets for both hosts of the namespace lab: the host is per packet.
          const host = P.host[p]!;
          const waitStat = net.table.nicWait[1 - host]!;
          waitStat.packets++;
          waitStat.wait.record(start + t - P.ready[p]!);
          out.rxPollCpu[(P.kind[p]! * 2 + host) * nCpu + cpu]!++;
        }
        t += paths.run(p, cpu, start + t, factor, false);
        eff.push(p);
      }
    } else {
      const q = type === IT_BACKLOG ? this.backlog[idx]! : this.gro[idx]!;
      while (q.length > 0 && done < quota) {
        const p = P.pop(q);
        done++;
        t += paths.run(p, cpu, start + t, factor, false);
        eff.push(p);
      }
    }
    this.budgetLeft[cpu]! -= done;
    return t;
  }
}
