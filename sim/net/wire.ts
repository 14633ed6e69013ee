/**
 * The wire in each direction (0: client -> server, 1: server -> client): frames are serialized at
 * line rate in FIFO order (a frame starts when the previous one has left), then take the
 * propagation delay plus independent jitter per packet, so packets of different flows may overtake
 * each other (separate paths through the fabric). The packet is handed to the receiving NIC with its
 * arrival time (nic.ts `inbound`, which needs an event only when the arrival can raise an interrupt).
 *
 * Invariant: wireFree[d] never decreases. Cost: O(1) per packet plus one jitter draw (drawn ahead in
 * blocks, draw-buffer.ts).
 */
import { lognormalFromMeanCv } from '../engine/distributions/lognormal.ts';
import { createStream } from '../engine/rng.ts';
import * as K from './codes.ts';
import { F_TXQ as F_TXQ_ } from './flow-table.ts';
import { DrawBuffer } from './draw-buffer.ts';
import type { NetworkSim } from './network-sim.ts';

const F_TXQ = F_TXQ_;
const CLIENT = K.CLIENT;

export class Wire {
  private readonly wireFree = new Float64Array(2);
  /** Jitter draws, made ahead in blocks (draw-buffer.ts): the `wire.jitter` stream has no other user. */
  private readonly jitter: DrawBuffer | null;
  private readonly net: NetworkSim;

  constructor(net: NetworkSim, seed: number, replication: number) {
    this.net = net;
    const c = net.c;
    this.jitter =
      c.jitterMean_ns > 0
        ? new DrawBuffer(
            lognormalFromMeanCv(createStream(seed, replication, 'wire.jitter'), c.jitterMean_ns, c.jitterCv),
          )
        : null;
  }

  /** Packet p leaves its host's NIC now (the end of the TX path, or a retransmission). */
  transmit(p: number): void {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const host = P.host[p]!;
    const d = host === CLIENT ? 0 : 1;
    const now = net.sim.now_ns;
    const frames = P.frames[p]!;
    const wireBytes = P.bytes[p]! + frames * (c.headerBytes + c.encapBytes + c.frameOverheadBytes);
    const ser = wireBytes * c.wireNsPerByte;
    const start = Math.max(now, this.wireFree[d]!);
    const end = start + ser;
    this.wireFree[d] = end;
    if (net.measuring) net.out.wireBusy_ns[d]! += ser;
    // Whole nanoseconds: the event list rounds times.
    const arr = Math.ceil(end + c.propagation_ns + (this.jitter ? this.jitter.next() : 0));
    const tq = net.flow[P.conn[p]! * 8 + host * 4 + F_TXQ]!;
    net.nic.txCleanPending[tq]! += frames;
    if (net.measuring) {
      const st = net.table.wire[host]!;
      st.packets++;
      st.wait.record(start - now);
      st.service.record(arr - start);
    }
    net.nic.inbound(p, d, arr);
    if (P.live > net.spec.maxInFlight) net.abort();
  }
}
