import { compile } from './model/index.ts';
import { NetworkSim } from './sim/net/network-sim.ts';
const c = compile({ option: 'net-host', workload: { rate_rps: 250000, response_bytes: 350 } });
const t = performance.now();
const s = new NetworkSim(c, { requests: Number(process.env.N ?? 200000), warmupFraction: 0.1, seed: 1, replication: 0 });
const out = s.run();
const ms = performance.now() - t;
console.log('req/s', (Number(process.env.N ?? 200000) / ms * 1000).toFixed(0), 'ev', out.events, 'rss', (process.memoryUsage().rss/1e6).toFixed(0), 'heap', (process.memoryUsage().heapUsed/1e6).toFixed(0));
