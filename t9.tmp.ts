import { compile } from './model/index.ts';
import { NetworkSim } from './sim/net/network-sim.ts';
const c = compile({ option: 'net-host', workload: { rate_rps: 80000, response_bytes: 350 } });
const s = new NetworkSim(c, { requests: 4000, warmupFraction: 0.1, seed: 3, replication: 0 });
const anyS = s as any;
const hs = anyS.sim.handlers; let n = 0;
hs.forEach((h: any, k: number) => { const o = h.handle.bind(h); hs[k] = { handle: (a: number, b: number) => { n++; if (n > 3_000_000 && n < 3_000_030) console.log('ev', k, a, b, s.sim.now_ns, 'run', anyS.running[a], 'gen', anyS.gen[a], 'end', anyS.chunkEnd[a], 'start', anyS.chunkStart[a]); if (n === 3_000_030) process.exit(0); o(a, b); } }; });
s.run();
