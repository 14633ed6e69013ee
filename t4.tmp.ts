import { compile } from './model/index.ts';
import { NetworkSim } from './sim/net/network-sim.ts';
const o = process.argv[2] ?? 'net-host';
const sets = process.argv.slice(3);
const c = compile({ option: o, workload: { rate_rps: Number(process.env.RATE ?? 150000), response_bytes: Number(process.env.RB ?? 350) }, set: sets });
const out = new NetworkSim(c, { requests: Number(process.env.N ?? 50000), warmupFraction: 0.1, seed: 1, replication: 0 }).run();
const q = (x: number) => (out.latency.quantile(x) / 1e6).toFixed(3);
console.log(o, 'p50', q(0.5), 'p90', q(0.9), 'p99', q(0.99), 'max', q(1), JSON.stringify(out.drops), 'sq', out.timeSqueeze);
for (const s of out.stages) if (s.packets) console.log(s.name.padEnd(45), s.packets, 'wait', (s.wait.mean/1e3).toFixed(1), (s.wait.quantile(0.99)/1e3).toFixed(1), 'svc', (s.service.mean/1e3).toFixed(1), (s.service.quantile(0.99)/1e3).toFixed(1));
