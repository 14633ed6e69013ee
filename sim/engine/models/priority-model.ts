/**
 * Two Poisson job classes on one CpuSet CPU with preemptive-resume priority: class `high` runs as
 * HARDIRQ, class `low` as TASK. Each class has its own arrival and service streams.
 * Output histograms `response_high`, `response_low` (ns); counters: customers_high/low, busy_high_ns,
 * busy_low_ns, elapsed_ns (after warm-up), events, plus `work_submitted_ns`, `work_remaining_ns` and
 * `busy_total_ns` over the whole run for the work-conservation check.
 * Warm-up: statistics restart after `warmup_ns` of simulated time; the run stops at warmup_ns + duration_ns.
 */
import { CpuSet, HARDIRQ, TASK } from '../cpu.ts';
import { type DistSpec, sampler } from '../distributions/spec.ts';
import { Histogram } from '../histogram.ts';
import type { ReplicationOutput } from '../replication.ts';
import { createStream } from '../rng.ts';
import { type EventHandler, Simulator } from '../simulator.ts';

export interface PriorityModelParams {
  high: { interarrival: DistSpec; service: DistSpec };
  low: { interarrival: DistSpec; service: DistSpec };
  warmup_ns: number;
  duration_ns: number;
}

export function priorityModel(p: PriorityModelParams, seed: number, replication: number): ReplicationOutput {
  const sim = new Simulator();
  const classes = [HARDIRQ, TASK] as const;
  const specs = [p.high, p.low];
  const gap = specs.map((s, i) => sampler(createStream(seed, replication, `arrivals${i}`), s.interarrival));
  const svc = specs.map((s, i) => sampler(createStream(seed, replication, `service${i}`), s.service));
  const hist = [new Histogram(), new Histogram()];
  let measuring = p.warmup_ns === 0;
  const cpus = new CpuSet(sim, 1, {
    // The token is the arrival time.
    jobDone(_cpu, cls, arrived) {
      if (measuring && arrived >= 0) hist[cls === HARDIRQ ? 0 : 1]!.record(sim.now_ns - arrived);
    },
  });
  const arrivals: EventHandler = {
    handle(i) {
      const now = sim.now_ns;
      // Jobs that arrived during warm-up are tagged -1 and not measured.
      cpus.submit(0, classes[i]!, svc[i]!(), measuring ? now : -1);
      sim.schedule(gap[i]!(), kind, i, 0);
    },
  };
  const kind = sim.register(arrivals);
  const warm: EventHandler = {
    handle() {
      measuring = true;
      cpus.resetStats();
    },
  };
  const kwarm = sim.register(warm);
  if (p.warmup_ns > 0) sim.scheduleAt(p.warmup_ns, kwarm, 0, 0);
  sim.schedule(gap[0]!(), kind, 0, 0);
  sim.schedule(gap[1]!(), kind, 1, 0);
  sim.run({ until_ns: p.warmup_ns + p.duration_ns });

  const counters: Record<string, number> = {
    customers_high: hist[0]!.count,
    customers_low: hist[1]!.count,
    busy_high_ns: cpus.busy_ns(0, HARDIRQ),
    busy_low_ns: cpus.busy_ns(0, TASK),
    elapsed_ns: sim.now_ns - cpus.statsStart_ns,
    work_submitted_ns: cpus.submitted_ns(0, HARDIRQ) + cpus.submitted_ns(0, TASK),
    work_remaining_ns: cpus.remainingWork_ns(0),
    events: sim.events,
  };
  const out = {
    histograms: { response_high: hist[0]!.encode(), response_low: hist[1]!.encode() },
    counters,
  };
  for (const h of hist) h.destroy();
  return out;
}
