/**
 * Per-connection steering of both hosts interleaved in one Int32Array, so that everything the
 * interpreter looks up for a packet of connection `conn` on host `h` sits in one 32-byte run
 * (one cache line) instead of four typed arrays of 60k entries each (four likely cache misses).
 *
 * Layout: flow[row * 8 + host * 4 + F_*] (row: the flow's number, see buildFlowTable), host 0 = client, 1 = server (sim/net/codes.ts), with
 *   F_RXQ    RX queue of packets arriving on that host (global NIC queue index host * queues + q),
 *   F_STEER  backlog CPU chosen by RPS/RFS as a global CPU index, or -1 (processed inline),
 *   F_APP    application worker (tcpkali or nginx worker index on that host),
 *   F_TXQ    TX queue used when that host sends (global NIC queue index).
 * Built once per run from the compiled steering (O(connections)); read-only afterwards.
 */
import type { Compiled } from '../../model/compile/assemble.ts';
import type { FlowSteering } from '../../model/compile/resolve-steering.ts';

export const F_RXQ = 0;
export const F_STEER = 1;
export const F_APP = 2;
export const F_TXQ = 3;

/** Global CPU index of CPU `cpu` of `host`: hosts share CPUs in the namespace lab. */
export function globalCpu(c: Compiled, host: number, cpu: number): number {
  return c.sharedCpus ? cpu : host * c.cpuCount + cpu;
}

/**
 * `connOfRow[r]` is the connection whose steering goes in row r: the interpreter numbers flows in
 * tcpkali's send order (worker by worker, by phase), so consecutive sends of a worker read
 * consecutive rows (a stream the hardware prefetcher follows) instead of random ones.
 */
export function buildFlowTable(c: Compiled, connOfRow: Int32Array): Int32Array {
  const n = c.connections;
  const flow = new Int32Array(n * 8);
  const sides: FlowSteering[] = [c.steering.client, c.steering.server];
  for (let host = 0; host < 2; host++) {
    const s = sides[host]!;
    for (let row = 0; row < n; row++) {
      const conn = connOfRow[row]!;
      const o = row * 8 + host * 4;
      const steer = s.steerCpu[conn]!;
      flow[o + F_RXQ] = host * c.queues + s.rxQueue[conn]!;
      flow[o + F_STEER] = steer < 0 ? -1 : globalCpu(c, host, steer);
      flow[o + F_APP] = s.appWorker[conn]!;
      flow[o + F_TXQ] = host * c.queues + s.txQueue[conn]!;
    }
  }
  return flow;
}
