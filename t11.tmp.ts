import { simulate } from './sim/simulate.ts';
for (const option of ['net-host', 'flannel-vxlan', 'macvlan']) {
const r = await simulate({ option, host: 'netns-lab', rate_rps: Number(process.env.RATE ?? 10000), response_bytes: 350, requests: 20000, replications: 1, workers: 0 });
console.log(option, r.saturated, r.bottleneck, r.achieved_rps, JSON.stringify(r.latency_ms), JSON.stringify(r.cpu), JSON.stringify(r.drops));
}
