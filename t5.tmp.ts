import { simulate } from './sim/simulate.ts';
const r = await simulate({ option: process.argv[2] ?? 'net-host', rate_rps: 150000, response_bytes: 350, requests: 60000, replications: 2 });
console.log(JSON.stringify({ ...r, cpu: r.cpu.slice(36, 40), stages: r.stages.slice(0, 3) }, null, 1));
