import { simulate } from './sim/simulate.ts';
const t = Date.now();
const req = { option: 'net-host', rate_rps: 80000, response_bytes: 350, requests: 8000, replications: 2, seed: 3 };
const a = await simulate({ ...req, workers: 0 });
console.log('w0', Date.now() - t);
const b = await simulate({ ...req, workers: 2 });
console.log('w2', Date.now() - t, JSON.stringify(a.latency_ms) === JSON.stringify(b.latency_ms));
