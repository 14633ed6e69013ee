/**
 * Where the interpreter's events go: one replication with every event handler wrapped (the
 * engine's `replaceHandler`), counting events per simulated request by kind (a CPU chunk's end by
 * what the chunk ran: NAPI poll of a NIC queue, a backlog, gro_cells, the ACK list or a veth queue;
 * a task chunk by its task; a hardirq; a wake-up; a stale completion of a preempted chunk) and
 * timing each handler with the chunks it starts (performance.now pairs; the measured cost of a pair
 * is subtracted). Also how many chunk ends start that CPU's next chunk at once: the events a design
 * that folded back-to-back chunks into one event could save (docs/model.md, "Limits").
 * `cnisim bench model-events --option flannel-vxlan --json` prints
 * {"option","requests","events_per_request","by_kind":[{"kind","per_request","ns_per_event"}],
 * "chunk_ends_per_request","back_to_back_per_request","requests_written","instrumented_ns_per_request"},
 * per request written (a short run's minimum warm-up writes more than --requests).
 * Instrumented: the times are inflated by the wrapping; compare kinds with each other, not with
 * `bench model`.
 */
import type { BenchOption } from '../cli/commands/bench.ts';
import { compile } from '../model/compile/compile.ts';
import * as K from '../sim/net/codes.ts';
import { NetworkSim } from '../sim/net/network-sim.ts';
import { options as modelOptions } from './model.ts';

export const name = 'model-events';
export const describe =
  'where the interpreter’s events go: events per request by kind, time per event by kind';

/** bench model's flags (--option, --requests, --rate), with this benchmark's default run length. */
export const options: BenchOption[] = modelOptions
  .filter((o) => o.flag !== 'response-bytes')
  .map((o) => (o.flag === 'requests' ? { ...o, description: 'requests to simulate (default 2e5)' } : o));

const RUNNING = ['idle', 'hardirq', 'poll', 'task', 'wake-up', 'stall'];
const ITEMS = ['NIC queue', 'backlog', 'gro_cells queue', 'ACK list', 'veth queue'];
const TASKS = ['nginx', 'generator', 'ksoftirqd'];

export async function run(opts: { json: boolean; [key: string]: unknown }): Promise<object> {
  const option = typeof opts.option === 'string' ? opts.option : 'net-host';
  const requests = typeof opts.requests === 'number' ? opts.requests : 200_000;
  const rate = typeof opts.rate === 'number' ? opts.rate : 250_000;
  const compiled = compile({ option, workload: { rate_rps: rate, response_bytes: 350 } });
  const net = new NetworkSim(compiled, { requests, warmupFraction: 0.1, seed: 1, replication: 0 });
  const sim = net.sim;
  const cpus = net.cpus;
  const now = () => performance.now();
  let pairMs = 0;
  for (let i = 0; i < 100_000; i++) {
    const a = now();
    pairMs += now() - a;
  }
  pairMs /= 100_000;
  const count = new Map<string, number>();
  const time = new Map<string, number>();
  let chunkEnds = 0;
  let backToBack = 0;
  // What a CPU's completion event ends, read before its handler changes the CPU's state.
  const chunkKind = (cpu: number, gen: number): string => {
    if (gen !== cpus.gen[cpu]) return 'cpu: stale completion (preempted chunk)';
    const r = cpus.running[cpu]!;
    if (r === K.R_POLL) {
      const via = cpus.runTask[cpu]! >= 0 ? ' in ksoftirqd' : '';
      return `cpu: poll (${ITEMS[Math.floor(cpus.runItem[cpu]! / K.ITEM)]})${via}`;
    }
    if (r === K.R_TASK) return `cpu: ${TASKS[cpus.taskType[cpus.runTask[cpu]!]!]} task`;
    return `cpu: ${RUNNING[r]}`;
  };
  for (let kind = 0; kind < sim.kinds; kind++) {
    const label = sim.kindName(kind);
    const isCpu = kind === cpus.ev;
    const inner = sim.replaceHandler(kind, { handle: () => undefined });
    sim.replaceHandler(kind, {
      handle: (a, b) => {
        const key = isCpu ? chunkKind(a, b) : label;
        const live = isCpu && b === cpus.gen[a];
        const t0 = now();
        inner.handle(a, b);
        time.set(key, (time.get(key) ?? 0) + (now() - t0 - pairMs));
        count.set(key, (count.get(key) ?? 0) + 1);
        if (live) {
          chunkEnds++;
          if (cpus.running[a] !== K.R_IDLE) backToBack++;
        }
      },
    });
  }
  const t0 = now();
  const out = net.run();
  const totalMs = now() - t0;
  // Per request written (a short run's minimum warm-up sends more than --requests).
  const written = out.sentWarmup + out.sentMeasured;
  const per = (n: number) => Math.round((n / written) * 1000) / 1000;
  const byKind = [...count.entries()]
    .map(([kind, n]) => ({
      kind,
      per_request: per(n),
      ns_per_event: Math.round(((time.get(kind) ?? 0) / n) * 1e6),
    }))
    .sort((a, b) => b.per_request - a.per_request);
  out.latency.destroy();
  out.latencyFromSchedule.destroy();
  for (const b of out.batches) b.destroy();
  return {
    option,
    requests,
    rate_rps: rate,
    events_per_request: per(out.events),
    by_kind: byKind,
    chunk_ends_per_request: per(chunkEnds),
    back_to_back_per_request: per(backToBack),
    requests_written: written,
    instrumented_ns_per_request: Math.round((totalMs * 1e6) / written),
  };
}
