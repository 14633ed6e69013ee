import { compile } from './model/index.ts';
import { NetworkSim } from './sim/net/network-sim.ts';
for (const o of ['net-host','ipvlan','flannel-host-gw','flannel-vxlan']) {
  const c = compile({ option: o, workload: { rate_rps: 150000, response_bytes: 350 } });
  const t = performance.now();
  const out = new NetworkSim(c, { requests: 100000, warmupFraction: 0.1, seed: 1, replication: 0 }).run();
  const ms = performance.now() - t;
  const q = (x: number) => (out.latency.quantile(x) / 1e6).toFixed(3);
  const busy = out.busy_ns; const w = out.window_ns;
  const cpu = (i: number) => [0,1,2].map(k => (busy[i*3+k]!/w*100).toFixed(0)).join('/');
  console.log(o, 'n', out.latency.count, 'p50', q(0.5), 'p99', q(0.99), 'p99.9', q(0.999), 'max', q(1), 'ms', ms.toFixed(0), 'ev', out.events, 'drops', JSON.stringify(out.drops), 'srv cpu0', cpu(36), 'cpu1', cpu(37), 'cpu9', cpu(45), 'cli0', cpu(0), 'sq', out.timeSqueeze, 'sent', out.sentMeasured, 'done', out.completedMeasured);
}
