/**
 * Benchmark of the packet-path interpreter: one replication in this thread, on one core.
 * `cnisim bench model --option net-host --requests 1e6 --rate 250000 --response-bytes 350 --json`
 * prints {"option","requests","requests_per_s","events_per_s","rss_mb"}: simulated requests per
 * wall-clock second (compile time excluded), events per second, and the resident set size after
 * the run (memory is bounded by packets in flight, so it should not grow with --requests); also
 * `requests_per_cpu_s` from the process CPU time, the fairer figure on a shared machine, and
 * `events_per_request` x `cpu_ns_per_event`, the two factors that bound it.
 */
import type { BenchOption } from '../cli/commands/bench.ts';
import { parsePositive, parsePositiveInt } from '../cli/parse.ts';
import { compile } from '../model/compile/compile.ts';
import { NetworkSim } from '../sim/net/network-sim.ts';

export const name = 'model';
export const describe = 'packet-path interpreter speed: simulated requests/s and events/s on one core, RSS';

export const options: BenchOption[] = [
  {
    flag: 'option',
    value: '<id>',
    description: 'network option (default net-host)',
    parse: (_f, raw) => raw,
  },
  {
    flag: 'requests',
    value: '<n>',
    description: 'requests to simulate (default 1e6)',
    parse: (f, raw) => parsePositiveInt(`--${f}`, raw),
  },
  {
    flag: 'rate',
    value: '<rps>',
    description: 'offered rate (default 250000)',
    parse: (f, raw) => parsePositive(`--${f}`, raw),
  },
  {
    flag: 'response-bytes',
    value: '<n>',
    description: 'response size (default 350)',
    parse: (f, raw) => parsePositiveInt(`--${f}`, raw),
  },
];

export async function run(opts: { json: boolean; [key: string]: unknown }): Promise<object> {
  const option = typeof opts.option === 'string' ? opts.option : 'net-host';
  const requests = typeof opts.requests === 'number' ? opts.requests : 1_000_000;
  const rate = typeof opts.rate === 'number' ? opts.rate : 250_000;
  const bytes =
    typeof opts['response-bytes'] === 'number'
      ? (opts['response-bytes'] as number)
      : typeof opts.responseBytes === 'number'
        ? opts.responseBytes
        : 350;
  const compiled = compile({ option, workload: { rate_rps: rate, response_bytes: bytes } });
  const sim = new NetworkSim(compiled, { requests, warmupFraction: 0.1, seed: 1, replication: 0 });
  const t0 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const out = sim.run();
  const wall_s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  // CPU time of this thread's process: on a shared machine wall time overstates the cost.
  const cpu_s = (cpu.user + cpu.system) / 1e6;
  const result = {
    option,
    requests,
    requests_per_s: Math.round(requests / wall_s),
    events_per_s: Math.round(out.events / wall_s),
    rss_mb: Math.round(process.memoryUsage().rss / 1e5) / 10,
    events_per_request: Math.round((out.events / requests) * 10) / 10,
    wall_s: Math.round(wall_s * 100) / 100,
    cpu_s: Math.round(cpu_s * 100) / 100,
    requests_per_cpu_s: Math.round(requests / cpu_s),
    // Cost per event (engine + interpreter): requests_per_cpu_s = 1e9 / (events_per_request x this).
    cpu_ns_per_event: Math.round((cpu_s * 1e9) / out.events),
  };
  out.latency.destroy();
  out.latencyFromSchedule.destroy();
  for (const b of out.batches) b.destroy();
  return result;
}
