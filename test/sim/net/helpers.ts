/** Small runs of the interpreter for mechanism tests: a fixed seed and a modest size. */
import { compile } from '../../../model/compile/compile.ts';
import { NetworkSim, type RunOutput } from '../../../sim/net/network-sim.ts';

export interface Small {
  out: RunOutput;
  /** Softirq busy ns per CPU of the server (index = CPU number). */
  serverSoftirq: number[];
  serverSoftirqPerRequest_ns: number;
  q: (x: number) => number;
}

export function runSmall(
  option: string,
  opts: {
    rate?: number;
    bytes?: number;
    requests?: number;
    connections?: number;
    set?: string[];
    seed?: number;
  } = {},
): Small {
  const c = compile({
    option,
    workload: {
      rate_rps: opts.rate ?? 150000,
      response_bytes: opts.bytes ?? 350,
      connections: opts.connections ?? 6000,
    },
    set: opts.set ?? [],
  });
  const out = new NetworkSim(c, {
    requests: opts.requests ?? 20000,
    warmupFraction: 0.1,
    seed: opts.seed ?? 1,
    replication: 0,
  }).run();
  const n = c.cpuCount;
  const serverSoftirq = Array.from({ length: n }, (_, i) => out.busy_ns[(n + i) * 3 + 1]!);
  const total = serverSoftirq.reduce((a, b) => a + b, 0);
  return {
    out,
    serverSoftirq,
    serverSoftirqPerRequest_ns: total / out.completedMeasured,
    q: (x: number) => out.latency.quantile(x) / 1e6,
  };
}
