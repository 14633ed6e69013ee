/**
 * The server: nginx workers, each pinned to a CPU, each with the requests its connections delivered
 * in arrival order. One chunk serves one request: cost per operation plus per response byte (plus
 * the wake-up cost when the worker was asleep, charged by cpu-scheduler.ts); the request turns into
 * the response (the tcpkali write time t0 travels with it), which runs its TX stages in the same
 * chunk. Invariant: a worker with requests ready is in its CPU's run queue or running.
 * Cost: O(1) per request besides the stages.
 */
import * as K from './codes.ts';
import type { EffectList } from './effect-list.ts';
import { F_APP as F_APP_ } from './flow-table.ts';
import type { NetworkSim } from './network-sim.ts';
import { Fifo } from './packet-pool.ts';

const F_APP = F_APP_;
const SERVER = K.SERVER;
const K_RESP = K.K_RESP;
const DIR_TX = K.DIR_TX;

export class Nginx {
  private readonly ready: Fifo[];
  private readonly net: NetworkSim;

  constructor(net: NetworkSim) {
    this.net = net;
    this.ready = Array.from({ length: net.c.nginx.workers }, () => new Fifo());
  }

  hasWork(w: number): boolean {
    return this.ready[w]!.length > 0;
  }

  /** A request reached the socket: the worker of its flow is woken. */
  deliver(p: number): void {
    const net = this.net;
    const w = net.flow[net.pool.conn[p]! * 8 + SERVER * 4 + F_APP]!;
    net.pool.push(this.ready[w]!, p);
    net.cpus.wakeTask(w);
  }

  /** One request of worker w on `cpu` starting at `now` after `dur` ns already charged; returns its length. */
  runChunk(cpu: number, w: number, now: number, dur: number, factor: number, eff: EffectList): number {
    const net = this.net;
    const c = net.c;
    const P = net.pool;
    const p = P.pop(this.ready[w]!);
    if (net.measuring) {
      const st = net.table.appWait[SERVER]!;
      st.packets++;
      st.wait.record(now - P.ready[p]!);
    }
    dur += (c.nginx.costPerOp_ns + c.nginx.costPerResponseByte_ns * c.responseBytes) * factor;
    P.kind[p] = K_RESP;
    P.dir[p] = DIR_TX;
    P.host[p] = SERVER;
    P.stage[p] = 0;
    P.bytes[p] = c.responseBytes;
    P.frames[p] = c.responseSegments;
    P.ready[p] = now + dur;
    dur += net.paths.run(p, cpu, now + dur, factor, true);
    eff.push(p);
    return dur;
  }
}
