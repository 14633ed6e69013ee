import { runReplication } from './sim/net/replication.ts';
import { scenarioOf } from './sim/simulate.ts';
const s = scenarioOf({ option: 'net-host', rate_rps: 80000, response_bytes: 350 });
const t = Date.now();
const o = runReplication({ scenario: s, requests: 4000, warmupFraction: 0.1 }, 3, 0);
console.log(Date.now() - t, o.counters.events, o.counters.sent);
