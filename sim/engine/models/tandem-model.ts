/**
 * Two single-server FIFO queues in series (a Jackson tandem): Poisson arrivals to stage 1, each
 * departure from stage 1 joins stage 2. Output histogram `sojourn` (arrival at stage 1 to departure
 * from stage 2, ns) and counters customers, sojourn_gt_<i> for the given thresholds, events.
 * Warm-up: the first `warmup` departures from stage 2 are not measured.
 */
import { type DistSpec, sampler } from '../distributions/spec.ts';
import { Histogram } from '../histogram.ts';
import { Queue } from '../queue.ts';
import type { ReplicationOutput } from '../replication.ts';
import { createStream } from '../rng.ts';
import { type EventHandler, Simulator } from '../simulator.ts';

export interface TandemModelParams {
  interarrival: DistSpec;
  service1: DistSpec;
  service2: DistSpec;
  customers: number;
  warmup: number;
  thresholds_ns?: number[];
}

export function tandemModel(p: TandemModelParams, seed: number, replication: number): ReplicationOutput {
  const sim = new Simulator();
  const gap = sampler(createStream(seed, replication, 'arrivals'), p.interarrival);
  const s1 = sampler(createStream(seed, replication, 'service1'), p.service1);
  const s2 = sampler(createStream(seed, replication, 'service2'), p.service2);
  const thresholds = p.thresholds_ns ?? [];
  const gt = new Float64Array(thresholds.length);
  const sojourn = new Histogram();
  const total = p.warmup + p.customers;
  let departed = 0;
  // Stage 2 jobs carry their stage-1 arrival time as token.
  const q2 = new Queue(sim, 1, {
    departed(arrived1) {
      if (departed >= p.warmup) {
        const t = sim.now_ns - arrived1;
        sojourn.record(t);
        for (let i = 0; i < thresholds.length; i++) if (t > thresholds[i]!) gt[i]!++;
      }
      if (++departed >= total) sim.stop();
    },
  });
  const q1 = new Queue(sim, 1, {
    departed(_token, arrived) {
      q2.arrive(s2(), arrived);
    },
  });
  const arrivals: EventHandler = {
    handle() {
      q1.arrive(s1(), 0);
      sim.schedule(gap(), kind, 0, 0);
    },
  };
  const kind = sim.register(arrivals);
  sim.schedule(gap(), kind, 0, 0);
  sim.run();
  const counters: Record<string, number> = { customers: sojourn.count, events: sim.events };
  thresholds.forEach((_, i) => {
    counters[`sojourn_gt_${i}`] = gt[i]!;
  });
  const out = { histograms: { sojourn: sojourn.encode() }, counters };
  sojourn.destroy();
  return out;
}
