import { compile } from './model/index.ts';
import { NetworkSim } from './sim/net/network-sim.ts';
const c = compile({ option: 'net-host', workload: { rate_rps: 150000, response_bytes: 350 } });
const s = new NetworkSim(c, { requests: 1000, warmupFraction: 0.1, seed: 1, replication: 0 });
const anyS = s as any;
anyS.sendEnd_ns = 1000/150000*1e9; anyS.warmupEnd_ns = 0;
for (let w = 0; w < 18; w++) anyS.scheduleNextSend(w);
for (let i = 0; i < 10; i++) {
  s.sim.run({ max_events: 20000 });
  console.log('now', s.sim.now_ns, 'events', s.sim.events, 'pending', s.sim.pending, 'inflight', s.packetsInFlight);
}
const orig = anyS.onCpuDone.bind(anyS);
let n = 0;
anyS.onCpuDone = (a: number, b: number) => { if (n++ < 12) console.log('cpuDone', a, b, 'running', anyS.running[a], 'item', anyS.runItem[a], 'task', anyS.runTask[a], 'poll', anyS.pollList[a], 'rq', anyS.runq[a], 'end', anyS.chunkEnd[a], 'st', anyS.chunkStart[a]); orig(a, b); };
// re-register is not possible; patch handler array
anyS.sim.handlers[anyS.evCpu] = { handle: (a: number, b: number) => anyS.onCpuDone(a, b) };
s.sim.run({ max_events: 30 });
const hs = anyS.sim.handlers;
hs.forEach((h: any, k: number) => { const o = h.handle.bind(h); hs[k] = { handle: (a: number, b: number) => { if (n++ < 40) console.log('ev', k, a, b); o(a, b); } }; });
s.sim.run({ max_events: 10 });
console.log(anyS.irqPending, anyS.irqEnabled, anyS.ring.map((r: any) => r.length), anyS.lastIrq, anyS.itrLevel);
