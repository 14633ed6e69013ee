/**
 * Phase 2, resolveSteering: for every connection (flow), on each host, which RX queue and IRQ CPU
 * its packets arrive on, which CPU's backlog RPS/RFS hands them to, which CPU the application
 * thread that owns the connection runs on, and which TX queue it sends on. Pure and deterministic.
 *
 * - RSS: Toeplitz hash of the 4-tuple; low 7 bits index a 128-entry indirection table whose
 *   default fill is entry i -> queue i mod queues (ethtool's default spread). RSS off: queue 0.
 * - IRQ affinity: irq_cpus[queue].
 * - RPS: rps_cpus[(hash * len) >>> 32] (get_rps_cpu's reciprocal_scale). RPS off or an empty mask:
 *   -1, meaning the stack runs inline in the NIC poll. RFS (needs RPS on): the sock flow table entry
 *   hash & (entries - 1) holds the CPU of the LAST flow that wrote it (recvmsg), so colliding flows
 *   follow another flow's reader; the target may lie outside rps_cpus (kernel-mechanics.md).
 * - Applications: connection c belongs to worker c mod workers (tcpkali spreads connections evenly;
 *   nginx accept is taken as even), worker w runs on cpus[w mod len] (pinned).
 * - XPS: the TX queue whose mask holds the sending CPU (several: the flow hash picks); no match or
 *   XPS off: reciprocal_scale(hash, queues) as skb_tx_hash.
 * Addresses: client 10.0.0.1 ports 2000.. (ip_local_port_range of the study), server 10.0.0.2:80;
 * more than 63536 connections continue on client 10.0.1.1, 10.0.2.1, ...
 */
import { parseCpuMask } from '../cpu-mask.ts';
import type { Scenario } from '../schema/scenario.ts';
import { parseListKeepingOrder } from './check.ts';
import { ipv4, toeplitz, tupleBytes } from './toeplitz.ts';

export interface FlowSteering {
  /** RSS hash of packets arriving on this host. */
  hash: Uint32Array;
  rxQueue: Uint8Array;
  irqCpu: Int16Array;
  /** Backlog CPU chosen by RPS/RFS, or -1: processed inline in the NIC poll. */
  steerCpu: Int16Array;
  /** Application worker index and its CPU. */
  appWorker: Int32Array;
  appCpu: Int16Array;
  txQueue: Uint8Array;
}

export interface Steering {
  connections: number;
  /** Packets arriving at the server (requests, ACKs) and what the server's nginx uses. */
  server: FlowSteering;
  /** Packets arriving at the client (responses) and what tcpkali uses. */
  client: FlowSteering;
}

const PORTS_PER_IP = 63536;
const SERVER_PORT = 80;

function udiv(hash: number, len: number): number {
  // (u64)hash * len >> 32 without BigInt: hash < 2^32, len < 2^16 -> product < 2^48, exact in a double.
  return Math.floor((hash * len) / 4294967296);
}

function side(s: Scenario, role: 'server' | 'client'): FlowSteering {
  const h = s.host;
  const m = h.mechanisms;
  const n = s.workload.connections;
  const queues = h.nic.queues;
  const irqCpus = parseListKeepingOrder(h.nic.irq_cpus);
  const rpsCpus = m.rps ? parseCpuMask(h.rps_cpus) : [];
  const xps = h.xps_cpus.map((x) => parseCpuMask(x));
  const app = role === 'server' ? h.apps.nginx : h.apps.tcpkali;
  const appCpus = parseCpuMask(app.cpus);
  const reta = Array.from({ length: h.nic.indirection_table_size }, (_, i) => i % queues);
  const out: FlowSteering = {
    hash: new Uint32Array(n),
    rxQueue: new Uint8Array(n),
    irqCpu: new Int16Array(n),
    steerCpu: new Int16Array(n),
    appWorker: new Int32Array(n),
    appCpu: new Int16Array(n),
    txQueue: new Uint8Array(n),
  };
  const server = ipv4('10.0.0.2');
  const sockTable = new Int16Array(h.rfs.sock_flow_entries).fill(-1);
  const useRfs = m.rps && m.rfs;
  for (let c = 0; c < n; c++) {
    const client = (ipv4('10.0.0.1') + Math.floor(c / PORTS_PER_IP) * 256) >>> 0;
    const port = 2000 + (c % PORTS_PER_IP);
    // Packets arriving at the server go client -> server; at the client, server -> client.
    const hash =
      role === 'server'
        ? toeplitz(tupleBytes(client, server, port, SERVER_PORT))
        : toeplitz(tupleBytes(server, client, SERVER_PORT, port));
    out.hash[c] = hash;
    const q = m.rss ? reta[hash & (reta.length - 1)]! : 0;
    out.rxQueue[c] = q;
    out.irqCpu[c] = irqCpus[q]!;
    const worker = c % app.workers;
    out.appWorker[c] = worker;
    const cpu = appCpus[worker % appCpus.length]!;
    out.appCpu[c] = cpu;
    if (useRfs) sockTable[hash & (sockTable.length - 1)] = cpu;
    out.steerCpu[c] = rpsCpus.length > 0 ? rpsCpus[udiv(hash, rpsCpus.length)]! : -1;
    let tq = udiv(hash, queues);
    if (m.xps) {
      const matches = xps.map((mask, i) => (mask.includes(cpu) ? i : -1)).filter((i) => i >= 0);
      if (matches.length > 0) tq = matches[udiv(hash, matches.length)]!;
    }
    out.txQueue[c] = tq;
  }
  if (useRfs) for (let c = 0; c < n; c++) out.steerCpu[c] = sockTable[out.hash[c]! & (sockTable.length - 1)]!;
  return out;
}

export function resolveSteering(s: Scenario): Steering {
  return { connections: s.workload.connections, server: side(s, 'server'), client: side(s, 'client') };
}
