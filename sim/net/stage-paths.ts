/**
 * Runs a packet through the stages of its path (the option's TX or RX table) that execute back to
 * back on one CPU, inside the chunk that is running: from its current stage up to the next hand-off
 * (RPS/RFS to another CPU's backlog, a veth backlog pass, gro_cells) or the end of the path (the NIC
 * for TX, the socket for RX). Returns the CPU time and sets the packet's pending action, which the
 * chunk applies when it ends (network-sim.ts). Records each stage's wait and service time while
 * measuring.
 *
 * Cost model of a stage: (cost per packet x packets + cost per byte x bytes) x SMT factor, where a
 * multi-segment packet counts once per segment at the first RX stage (the NIC poll sees every frame)
 * and, with GRO off, at every RX stage, and a response written in several writes (nginx
 * response_writes) counts once per write at every TX stage. A stage with a loss_probability above 0
 * loses the packet at its end with that probability (one draw from the `stage.loss` stream per such
 * stage crossed).
 * Cost: O(stages run) per call, no allocation.
 */
import {
  HANDOFF_BACKLOG as HANDOFF_BACKLOG_,
  HANDOFF_GRO_CELLS as HANDOFF_GRO_CELLS_,
  HANDOFF_NONE as HANDOFF_NONE_,
  HANDOFF_RPS as HANDOFF_RPS_,
} from '../../model/compile/assemble.ts';
import { createStream, type Source } from '../engine/rng.ts';
import * as K from './codes.ts';
import { F_STEER as F_STEER_ } from './flow-table.ts';
import type { NetworkSim } from './network-sim.ts';

const HANDOFF_BACKLOG = HANDOFF_BACKLOG_;
const HANDOFF_GRO_CELLS = HANDOFF_GRO_CELLS_;
const HANDOFF_NONE = HANDOFF_NONE_;
const HANDOFF_RPS = HANDOFF_RPS_;
const F_STEER = F_STEER_;
const DIR_TX = K.DIR_TX;
const DIR_RX = K.DIR_RX;
const A_BACKLOG = K.A_BACKLOG;
const A_GRO = K.A_GRO;
const A_SOCKET = K.A_SOCKET;
const A_NICTX = K.A_NICTX;
const A_LOSE = K.A_LOSE;
const K_RESP = K.K_RESP;

export class StagePaths {
  private readonly net: NetworkSim;
  /** Draws for stage losses; used only by stages whose loss_probability is above 0. */
  private readonly lossSrc: Source;

  constructor(net: NetworkSim, seed: number, replication: number) {
    this.net = net;
    this.lossSrc = createStream(seed, replication, 'stage.loss');
  }

  /**
   * Runs packet p's stages on `cpu` starting at time `at`; the first stage's wait is the time since
   * the packet became ready (0 when `skipWait`: it was just created by the code running now).
   */
  run(p: number, cpu: number, at: number, factor: number, skipWait: boolean): number {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const dir = P.dir[p]!;
    const path = dir === DIR_TX ? c.tx : c.rx;
    const host = P.host[p]!;
    let s = P.stage[p]!;
    let t = 0;
    const bytes = P.bytes[p]!;
    const frames = P.frames[p]!;
    const mult = dir === DIR_RX ? (c.mech.gro ? 1 : frames) : P.kind[p] === K_RESP ? c.responseWrites : 1;
    const table = net.table;
    const base = (host * 2 + dir) * table.maxStages;
    const measuring = net.measuring;
    const perPacketCost = path.costPerPacket_ns;
    const perByteCost = path.costPerByte_ns;
    const handoff = path.handoff;
    const loss = path.lossProbability;
    let first = true;
    for (;;) {
      const perPacket = dir === DIR_RX && s === 0 ? frames : mult;
      const cost = (perPacketCost[s]! * perPacket + perByteCost[s]! * bytes) * factor;
      if (measuring) {
        const st = table.byPath[base + s]!;
        st.packets++;
        st.wait.record(first && !skipWait ? Math.max(0, at + t - P.ready[p]!) : 0);
        st.service.record(cost);
      }
      first = false;
      t += cost;
      if (loss[s]! > 0 && this.lossSrc() < loss[s]!) {
        P.act[p] = A_LOSE;
        P.actArg[p] = s;
        P.cpu[p] = cpu;
        s++;
        break;
      }
      s++;
      if (s >= path.length) {
        P.act[p] = dir === DIR_TX ? A_NICTX : A_SOCKET;
        P.cpu[p] = cpu;
        break;
      }
      const h = handoff[s]!;
      if (h === HANDOFF_NONE) continue;
      if (h === HANDOFF_RPS) {
        const steer = net.flow[P.conn[p]! * 8 + host * 4 + F_STEER]!;
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
}
