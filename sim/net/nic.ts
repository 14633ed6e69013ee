/**
 * The NICs of both hosts, per queue (global index host * queues + q): the RX ring (finite: a frame
 * that does not fit is dropped), interrupt moderation and the interrupt itself, and the count of
 * TX completions that the queue's next NAPI poll cleans.
 *
 * Interrupt moderation: at most one interrupt per interval after the previous one; the interval is
 * fixed (rx-usecs) or, in adaptive mode, one of three levels moved up or down by the bytes per
 * microsecond of the last interval (ixgbevf_update_itr, a documented approximation). The
 * interrupt is disabled from when it fires until the poll that empties the ring (napi_complete in
 * softirq.ts).
 *
 * Arrivals without an event each: a packet leaving the wire (wire.ts) joins the queue's `inFlight`
 * list (arrival-queue.ts) with its arrival time. It enters the ring when something looks at the
 * ring (`sync`: the queue's poll, the end of that poll, the interrupt) or, when the interrupt is
 * enabled and not yet scheduled, at an arrival event scheduled for the earliest packet in flight,
 * since only then can an arrival change what happens next (it schedules the interrupt). `sync` replays the arrivals up to
 * now in (time, transmission) order with their own times (ready time, ring occupancy for the drop
 * test, drop time), so the ring is the same as with one event per arrival; only arrivals at the
 * very nanosecond of a poll or interrupt may now be seen by it where the event list could have
 * ordered them after it.
 *
 * Invariants: at most one interrupt event pending per queue (irqPending); a ring holds at most
 * ringSize frames; while a queue's interrupt is enabled and not pending, an arrival event is
 * scheduled no later than its earliest packet in flight (flightEvAt). Cost: O(1 + packets it
 * overtakes on the wire) per packet, O(1) per interrupt; one event per interrupt-enabling arrival.
 *
 * Receive on the sender's CPU (host.nic.rx_cpu = sender, a veth pair): veth_xmit -> netif_rx queues
 * the packet to the backlog of the CPU that is sending, and that CPU's NET_RX softirq receives it
 * (drivers/net/veth.c, net/core/dev.c netif_rx / enqueue_to_backlog). Then an arriving packet joins
 * the per-CPU `vethRing` of the CPU that ran its last transmit stage (P.cpu; on hosts that do not
 * share CPUs, the same CPU number on the receiving host) and raises NET_RX there: no interrupt, no
 * moderation, no TX completions. The ring holds at most ringSize frames (the lab profile sets it to
 * netdev_max_backlog); a drop counts as `nic_ring`. The poll is the same as a NIC queue's (the RX
 * path's first stage), item IT_VETH in softirq.ts.
 */
import * as K from './codes.ts';
import { F_RXQ as F_RXQ_ } from './flow-table.ts';
import type { NetworkSim } from './network-sim.ts';
import { ArrivalQueue } from './arrival-queue.ts';
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
  /** Packets on the wire to each queue, by arrival time (not yet in the ring). */
  private readonly inFlight: ArrivalQueue[];
  /** Time of the earliest arrival event pending for each queue (+Infinity: none). */
  private readonly flightEvAt: Float64Array;
  /** 1 while the queue may interrupt (cleared when it fires, set again by napi_complete). */
  private readonly irqEnabled: Uint8Array;
  private readonly irqPending: Uint8Array;
  private readonly lastIrq: Float64Array;
  private readonly itrLevel: Uint8Array;
  private readonly bytesSinceIrq: Float64Array;
  /** Per global CPU: packets received on that CPU's veth backlog (rx_cpu = sender only). */
  readonly vethRing: Fifo[];
  /** TX completions waiting for the queue's next poll. */
  readonly txCleanPending: Float64Array;
  /**
   * Event kinds: a frame arrives from the wire for a veth receive (a = packet, b = direction); the
   * earliest packet in flight to a queue arrives (a = queue); an interrupt fires (a = queue).
   */
  readonly evArrive: number;
  private readonly evFlight: number;
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
    this.vethRing = Array.from({ length: net.c.rxOnSenderCpu ? net.nCpu : 0 }, () => new Fifo());
    this.inFlight = Array.from({ length: nq }, () => new ArrivalQueue());
    this.flightEvAt = new Float64Array(nq).fill(Number.POSITIVE_INFINITY);
    this.evArrive = net.sim.register(
      { handle: (p, d) => this.receiveOnSender(p, d === 0 ? SERVER : CLIENT) },
      'veth arrival',
    );
    this.evFlight = net.sim.register({ handle: (qi) => this.onFlight(qi) }, 'nic arrival');
    this.evIrq = net.sim.register({ handle: (qi) => this.onIrq(qi) }, 'nic interrupt');
  }

  /** Packet p left the wire of direction d (0: to the server) and reaches the peer's NIC at `at_ns`. */
  inbound(p: number, d: number, at_ns: number): void {
    const net = this.net;
    if (net.c.rxOnSenderCpu) {
      net.sim.scheduleAt(at_ns, this.evArrive, p, d);
      return;
    }
    const host = d === 0 ? SERVER : CLIENT;
    const qi = net.flow[net.pool.conn[p]! * 8 + host * 4 + F_RXQ]!;
    this.inFlight[qi]!.push(at_ns, p);
    if (this.irqEnabled[qi] && !this.irqPending[qi]) this.watch(qi);
  }

  /** Schedules an arrival event for the earliest packet in flight to qi unless one comes as early. */
  private watch(qi: number): void {
    const h = this.inFlight[qi]!;
    if (h.length === 0) return;
    const t = h.minTime();
    if (t < this.flightEvAt[qi]!) {
      this.flightEvAt[qi] = t;
      this.net.sim.scheduleAt(t, this.evFlight, qi, 0);
    }
  }

  private onFlight(qi: number): void {
    const now = this.net.sim.now_ns;
    if (now >= this.flightEvAt[qi]!) this.flightEvAt[qi] = Number.POSITIVE_INFINITY;
    this.sync(qi, now);
    if (this.irqEnabled[qi] && !this.irqPending[qi]) this.watch(qi);
  }

  /** Moves the packets that have arrived at queue qi by `now` into its ring, in arrival order. */
  sync(qi: number, now: number): void {
    const h = this.inFlight[qi]!;
    while (h.length > 0 && h.minTime() <= now) {
      const at = h.minTime();
      const p = h.minPacket();
      h.pop();
      this.receive(p, qi, at);
    }
  }

  /** A packet (one or more frames) arrives at queue qi at `at` (<= now). */
  private receive(p: number, qi: number, at: number): void {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    if (!this.enqueue(this.ring[qi]!, p, qi >= c.queues ? SERVER : CLIENT, at)) return;
    this.bytesSinceIrq[qi]! += P.bytes[p]! + P.frames[p]! * c.headerBytes;
    if (this.irqEnabled[qi] && !this.irqPending[qi]) this.scheduleIrq(qi, at);
  }

  /** napi_complete: the poll found the ring of qi empty; the queue may interrupt again. */
  napiComplete(qi: number): void {
    this.irqEnabled[qi] = 1;
    this.watch(qi);
  }

  /** veth: packet p joins the receive queue of the CPU that sent it, whose softirq polls it. */
  private receiveOnSender(p: number, host: number): void {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const sender = P.cpu[p]!;
    const cpu = c.sharedCpus ? sender : net.cpuIndex(host, sender % c.cpuCount);
    if (this.enqueue(this.vethRing[cpu]!, p, host, net.sim.now_ns)) net.softirq.raiseVeth(cpu);
  }

  /**
   * Packet p arrives at `host` at `at` into `ring` (a NIC queue's or a CPU's veth queue), or is
   * dropped there (`nic_ring`) when its frames do not fit; returns whether it was queued.
   */
  private enqueue(ring: Fifo, p: number, host: number, at: number): boolean {
    const net = this.net;
    const P = net.pool;
    P.host[p] = host;
    P.dir[p] = DIR_RX;
    P.stage[p] = 0;
    if (ring.length + P.frames[p]! > net.c.ringSize) {
      net.tcp.drop(p, 'nic_ring', at);
      return false;
    }
    P.ready[p] = at;
    P.push(ring, p);
    return true;
  }

  /** The first frame since the interrupt was enabled arrived at `at`: the interrupt fires after moderation. */
  private scheduleIrq(qi: number, at: number): void {
    const c = this.net.c;
    const sim = this.net.sim;
    let interval = 0;
    if (c.coalescingMode === 1) interval = c.fixedItr_ns;
    else if (c.coalescingMode === 2) interval = c.adaptiveItr_ns[this.itrLevel[qi]!]!;
    this.irqPending[qi] = 1;
    sim.scheduleAt(Math.max(sim.now_ns, at, this.lastIrq[qi]! + interval), this.evIrq, qi, 0);
  }

  private onIrq(qi: number): void {
    const net = this.net;
    const c = net.c;
    const now = net.sim.now_ns;
    // Arrivals up to now came while the interrupt was pending: they join the ring without scheduling another.
    this.sync(qi, now);
    this.irqPending[qi] = 0;
    if (this.ring[qi]!.length === 0) {
      this.watch(qi);
      return;
    }
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
