/**
 * TCP at the socket: delivery of a received packet to its application, the client's ACK of each
 * response (delayed until the next timer tick after delack, or at once from `quickackSegments`
 * full segments), drops and retransmission after the RTO (at least rto_min, doubling per attempt,
 * given up after maxRetries). Request and response segmentation by MSS is in the compiled tables
 * (frames per packet); a packet carries all its frames, and a drop loses and resends it whole.
 *
 * Delayed-ACK timers all have the same delay, so they expire in creation order: one FIFO per host
 * with a single pending timer event at its head, not one event per ACK.
 * Piggybacking (`piggybackAcks`): a delayed ACK still queued when the client writes on its
 * connection, or when a later response's ACK is queued on it, is marked as riding; when its timer
 * expires it is released without a packet.
 * Invariants: ackDue of the FIFO is non-decreasing from head to tail; a packet dropped is either
 * released (ACKs, given-up segments) or has exactly one retransmission event pending.
 * Cost: O(1) per packet (the drop key string is built only on a drop).
 */
import * as K from './codes.ts';
import type { NetworkSim } from './network-sim.ts';
import { Fifo } from './packet-pool.ts';

const CLIENT = K.CLIENT;
const SERVER = K.SERVER;
const K_REQ = K.K_REQ;
const K_ACK = K.K_ACK;
const DIR_TX = K.DIR_TX;

export class Tcp {
  // Delayed ACK timers per host: a FIFO and the due time of each queued ACK (by packet slot).
  private readonly ackTimers: Fifo[] = [new Fifo(), new Fifo()];
  private readonly ackDue: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  private readonly evAck: number;
  /** Piggybacking: the slot of each client connection's waiting delayed ACK, or -1 (by flow). */
  private readonly pendingAck: Int32Array;
  /** Piggybacking: 1 for a queued delayed ACK that rides (its connection wrote since, or a later ACK covers it), by slot. */
  private riding = new Uint8Array(0);
  private readonly evRetx: number;
  /** A pure ACK skips the application's tcp_sendmsg stage (tcp_send_ack builds it in the kernel). */
  private readonly ackFirstStage: number;
  private readonly net: NetworkSim;

  constructor(net: NetworkSim) {
    this.net = net;
    this.ackFirstStage = net.c.tx.length > 1 ? 1 : 0;
    this.pendingAck = new Int32Array(net.c.piggybackAcks ? net.c.connections : 0).fill(-1);
    this.evAck = net.sim.register({ handle: (host) => this.onAckTimer(host) }, 'ack timer');
    this.evRetx = net.sim.register({ handle: (p) => this.onRetransmit(p) }, 'retransmission');
  }

  /** Packet p reached the end of its RX path: hand it to the socket. */
  deliver(p: number): void {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const now = net.sim.now_ns;
    const kind = P.kind[p]!;
    if (kind === K_ACK) {
      P.release(p);
      return;
    }
    P.ready[p] = now;
    if (kind === K_REQ) {
      net.nginx.deliver(p);
      return;
    }
    // A response at the client: ACK it (delayed unless it was several full segments, or at the
    // application's read: ackAtRead), then tcpkali reads it.
    if (this.acksAtRead(p)) {
      net.tcpkali.deliver(p);
      return;
    }
    const rxCpu = P.cpu[p]!;
    const a = this.ackFor(p, rxCpu);
    if (c.delack_ns > 0 && P.frames[p]! < c.quickackSegments) {
      const f = this.ackTimers[CLIENT]!;
      this.ensureCap(CLIENT, a);
      // The delayed-ACK timer expires on the next jiffy boundary after delack: ACKs go out in batches per tick.
      const tick = c.timerTick_ns;
      const due = tick > 0 ? Math.ceil((now + c.delack_ns) / tick) * tick : Math.ceil(now + c.delack_ns);
      this.ackDue[CLIENT]![a] = due;
      if (f.length === 0) net.sim.scheduleAt(due, this.evAck, CLIENT, 0);
      P.push(f, a);
      if (c.piggybackAcks) {
        const conn = P.conn[p]!;
        // A later response's ACK covers the earlier one: the earlier rides along (not sent).
        const old = this.pendingAck[conn]!;
        if (old >= 0) this.riding[old] = 1;
        this.pendingAck[conn] = a;
        this.riding[a] = 0;
      }
    } else {
      net.softirq.sendAck(rxCpu, a);
    }
    net.tcpkali.deliver(p);
  }

  /** Whether response p is ACKed by its reader (ack_at_read_segments) rather than at its arrival. */
  acksAtRead(p: number): boolean {
    const n = this.net.c.ackAtReadSegments;
    return n > 0 && this.net.pool.frames[p]! >= n;
  }

  /** The reader of response p on `cpu` has read it: its ACK leaves from there (tcp_cleanup_rbuf). */
  ackAtRead(p: number, cpu: number): void {
    this.net.softirq.sendAck(cpu, this.ackFor(p, cpu));
  }

  /** A pure ACK of response p, from `cpu`. */
  private ackFor(p: number, cpu: number): number {
    const P = this.net.pool;
    const a = P.alloc();
    P.conn[a] = P.conn[p]!;
    P.kind[a] = K_ACK;
    P.dir[a] = DIR_TX;
    P.host[a] = CLIENT;
    P.stage[a] = this.ackFirstStage;
    P.bytes[a] = 0;
    P.frames[a] = 1;
    P.cpu[a] = cpu;
    return a;
  }

  /**
   * Grows the per-slot arrays of the delayed ACKs to hold slot p: due times of `host`, and the
   * riding marks (used, so grown, only with piggybackAcks).
   */
  private ensureCap(host: number, p: number): void {
    const a = this.ackDue[host]!;
    const growRiding = this.net.c.piggybackAcks && p >= this.riding.length;
    if (p < a.length && !growRiding) return;
    const cap = Math.max(this.net.pool.cap, p + 1);
    if (p >= a.length) {
      const b = new Float64Array(cap);
      b.set(a);
      this.ackDue[host] = b;
    }
    if (growRiding) {
      const r = new Uint8Array(cap);
      r.set(this.riding);
      this.riding = r;
    }
  }

  private onAckTimer(host: number): void {
    const net = this.net;
    const P = net.pool;
    const f = this.ackTimers[host]!;
    const now = net.sim.now_ns;
    const due = this.ackDue[host]!;
    while (f.length > 0 && due[f.head]! <= now) {
      const a = P.pop(f);
      if (net.c.piggybackAcks) {
        if (this.pendingAck[P.conn[a]!] === a) this.pendingAck[P.conn[a]!] = -1;
        if (this.riding[a] === 1) {
          this.riding[a] = 0;
          P.release(a);
          continue;
        }
      }
      net.softirq.sendAck(P.cpu[a]!, a);
    }
    if (f.length > 0) net.sim.scheduleAt(due[f.head]!, this.evAck, host, 0);
  }

  /**
   * The client writes a request on `conn`: a delayed ACK waiting on that connection rides on it
   * (piggyback_acks); its timer entry is then released without sending.
   */
  requestWritten(conn: number): void {
    if (!this.net.c.piggybackAcks) return;
    const a = this.pendingAck[conn]!;
    if (a < 0) return;
    this.riding[a] = 1;
    this.pendingAck[conn] = -1;
  }

  /**
   * Packet p is dropped at `place` at `at_ns` (default now; the NIC replays arrivals a little later,
   * nic.ts), counted from the warm-up's end: ACKs are lost, data is resent after the RTO.
   */
  drop(p: number, place: string, at_ns: number = this.net.sim.now_ns): void {
    const net = this.net;
    const P = net.pool;
    const out = net.out;
    const key = `${P.host[p] === SERVER ? 'server' : 'client'}.${place}`;
    if (at_ns >= net.warmupEnd_ns) out.drops[key] = (out.drops[key] ?? 0) + 1;
    if (P.kind[p] === K_ACK) {
      P.release(p);
      return;
    }
    const r = P.retries[p]! + 1;
    if (r > net.c.maxRetries) {
      out.lost++;
      if (P.t0[p]! >= net.warmupEnd_ns && P.t0[p]! < net.sendEnd_ns) net.outstandingMeasured--;
      net.outstanding--;
      P.release(p);
      return;
    }
    P.retries[p] = r;
    net.sim.scheduleAt(at_ns + net.c.rtoMin_ns * 2 ** (r - 1), this.evRetx, p, 0);
  }

  private onRetransmit(p: number): void {
    const net = this.net;
    const P = net.pool;
    net.out.retransmits++;
    // tcp_retransmit_skb from the timer: straight to the NIC queue of the sender (rare; its CPU cost is not modelled).
    P.host[p] = P.kind[p] === K_REQ ? CLIENT : SERVER;
    P.dir[p] = DIR_TX;
    P.stage[p] = net.c.tx.length;
    net.wire.transmit(p);
  }
}
