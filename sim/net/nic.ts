/**
 * The NICs of both hosts, per queue (global index host * queues + q): the RX ring (finite: a frame
 * that does not fit is dropped), interrupt moderation and the interrupt itself, and the count of
 * TX completions that the queue's next NAPI poll cleans.
 *
 * Interrupt moderation: at most one interrupt per interval after the previous one; the interval is
 * fixed (rx-usecs) or, in adaptive mode, one of three levels moved up or down by the bytes per
 * microsecond of the last interval (ixgbevf_update_itr, a documented approximation). The
 * interrupt is disabled from when it fires until the poll that empties the ring (napi_complete in
 * softirq.ts). Invariants: at most one interrupt event pending per queue (irqPending); a ring
 * holds at most ringSize frames. Cost: O(1) per frame and per interrupt.
 */
import * as K from './codes.ts';
import { F_RXQ as F_RXQ_ } from './flow-table.ts';
import type { NetworkSim } from './network-sim.ts';
import { Fifo } from './packet-pool.ts';

const F_RXQ = F_RXQ_;
const CLIENT = K.CLIENT;
const SERVER = K.SERVER;
const DIR_RX = K.DIR_RX;

/** The adaptive ITR level after an interval at `bytesPerUs` (0 lowest latency, 2 bulk). */
export function nextItrLevel(level: number, bytesPerUs: number, lo: number, hi: number): number {
  if (level === 0 && bytesPerUs > lo) return 1;
  if (level === 1 && bytesPerUs > hi) return 2;
  if (level === 1 && bytesPerUs <= lo) return 0;
  if (level === 2 && bytesPerUs <= hi) return 1;
  return level;
}

export class Nic {
  readonly ring: Fifo[];
  /** 1 while the queue may interrupt (cleared when it fires, set again by napi_complete). */
  readonly irqEnabled: Uint8Array;
  private readonly irqPending: Uint8Array;
  private readonly lastIrq: Float64Array;
  private readonly itrLevel: Uint8Array;
  private readonly bytesSinceIrq: Float64Array;
  /** TX completions waiting for the queue's next poll. */
  readonly txCleanPending: Float64Array;
  /** Event kinds: a frame arrives from the wire (a = packet, b = direction), an interrupt fires (a = queue). */
  readonly evArrive: number;
  private readonly evIrq: number;
  private readonly net: NetworkSim;

  constructor(net: NetworkSim) {
    this.net = net;
    const nq = 2 * net.c.queues;
    this.ring = Array.from({ length: nq }, () => new Fifo());
    this.irqEnabled = new Uint8Array(nq).fill(1);
    this.irqPending = new Uint8Array(nq);
    this.lastIrq = new Float64Array(nq).fill(-1e18);
    this.itrLevel = new Uint8Array(nq);
    this.bytesSinceIrq = new Float64Array(nq);
    this.txCleanPending = new Float64Array(nq);
    this.evArrive = net.sim.register({ handle: (p, d) => this.receive(p, d === 0 ? SERVER : CLIENT) });
    this.evIrq = net.sim.register({ handle: (qi) => this.onIrq(qi) });
  }

  /** A packet (one or more frames) arrives at `host`'s NIC. */
  private receive(p: number, host: number): void {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const qi = net.flow[P.conn[p]! * 8 + host * 4 + F_RXQ]!;
    const ring = this.ring[qi]!;
    P.host[p] = host;
    P.dir[p] = DIR_RX;
    P.stage[p] = 0;
    if (ring.length + P.frames[p]! > c.ringSize) {
      net.tcp.drop(p, 'nic_ring');
      return;
    }
    P.ready[p] = net.sim.now_ns;
    P.push(ring, p);
    this.bytesSinceIrq[qi]! += P.bytes[p]! + P.frames[p]! * c.headerBytes;
    if (this.irqEnabled[qi] && !this.irqPending[qi]) this.scheduleIrq(qi);
  }

  private scheduleIrq(qi: number): void {
    const c = this.net.c;
    const sim = this.net.sim;
    let interval = 0;
    if (c.coalescingMode === 1) interval = c.fixedItr_ns;
    else if (c.coalescingMode === 2) interval = c.adaptiveItr_ns[this.itrLevel[qi]!]!;
    this.irqPending[qi] = 1;
    sim.scheduleAt(Math.max(sim.now_ns, this.lastIrq[qi]! + interval), this.evIrq, qi, 0);
  }

  private onIrq(qi: number): void {
    const net = this.net;
    const c = net.c;
    const now = net.sim.now_ns;
    this.irqPending[qi] = 0;
    if (this.ring[qi]!.length === 0) return;
    if (c.coalescingMode === 2) {
      const level = this.itrLevel[qi]!;
      const us = Math.max(1, c.adaptiveItr_ns[level]! / 1000);
      this.itrLevel[qi] = nextItrLevel(
        level,
        this.bytesSinceIrq[qi]! / us,
        c.adaptiveThresholds[0]!,
        c.adaptiveThresholds[1]!,
      );
    }
    this.bytesSinceIrq[qi] = 0;
    this.lastIrq[qi] = now;
    this.irqEnabled[qi] = 0;
    const host = qi >= c.queues ? SERVER : CLIENT;
    const cpu = net.cpuIndex(host, c.irqCpuOfQueue[qi - host * c.queues]!);
    net.cpus.hardirqs[cpu]!.push(qi);
    net.cpus.kick(cpu, true);
  }
}
