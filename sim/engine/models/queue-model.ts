/**
 * GI/G/c/K queue as a replicable model: renewal arrivals, i.i.d. service demands, `servers`
 * FIFO servers, optional capacity K (jobs in system). Used by the queueing-theory tests, the
 * self-check and the benchmark-free replication examples.
 *
 * Warm-up: either a fixed number of departures deleted (statistics reset when it is reached), or
 * 'mser5': the whole run's response-time series is kept and MSER-5 picks the truncation; in that
 * mode the histograms start after the truncation point but the counters (arrivals, drops, areas)
 * cover the whole run.
 *
 * Output histograms: `response` (arrival to departure) and `wait` (arrival to start of service),
 * in ns. Counters: customers, waited (wait > 0), wait_gt_<i> / response_gt_<i> for the given
 * thresholds, arrivals, drops, departures, in_system_start / in_system_end (jobs present when the
 * statistics period began and ended), busy_area_ns (integral of busy servers), area_in_system_ns,
 * elapsed_ns, warmup_customers, events.
 */
import { type DistSpec, sampler } from '../distributions/spec.ts';
import { Histogram } from '../histogram.ts';
import { Queue, type QueueListener } from '../queue.ts';
import type { ReplicationOutput } from '../replication.ts';
import { createStream } from '../rng.ts';
import type { EventHandler } from '../simulator.ts';
import { Simulator } from '../simulator.ts';
import { mser5 } from '../stats/mser5.ts';

export interface QueueModelParams {
  interarrival: DistSpec;
  service: DistSpec;
  servers?: number;
  capacity?: number;
  /** Departures to measure (fixed warm-up), or total departures (mser5). */
  customers: number;
  warmup: number | 'mser5';
  waitThresholds_ns?: number[];
  responseThresholds_ns?: number[];
}

export function queueModel(p: QueueModelParams, seed: number, replication: number): ReplicationOutput {
  if (!Number.isInteger(p.customers) || p.customers < 1)
    throw new RangeError(`customers must be a whole number >= 1 (got ${p.customers})`);
  const sim = new Simulator();
  const nextGap = sampler(createStream(seed, replication, 'arrivals'), p.interarrival);
  const nextService = sampler(createStream(seed, replication, 'service'), p.service);
  const waitT = p.waitThresholds_ns ?? [];
  const respT = p.responseThresholds_ns ?? [];
  const waitGt = new Float64Array(waitT.length);
  const respGt = new Float64Array(respT.length);
  const response = new Histogram();
  const wait = new Histogram();
  const useMser = p.warmup === 'mser5';
  const fixedWarmup = useMser ? 0 : (p.warmup as number);
  if (!useMser && !(Number.isInteger(fixedWarmup) && fixedWarmup >= 0))
    throw new RangeError(`warmup must be a whole number >= 0 or "mser5" (got ${p.warmup})`);
  const total = useMser ? p.customers : fixedWarmup + p.customers;
  const seriesResp = useMser ? new Float64Array(total) : null;
  const seriesWait = useMser ? new Float64Array(total) : null;
  let departed = 0;
  let measured = 0;
  let waited = 0;
  let inSystemAtReset = 0;

  const measure = (r: number, w: number) => {
    response.record(r);
    wait.record(w);
    measured++;
    if (w > 0) waited++;
    for (let i = 0; i < waitT.length; i++) if (w > waitT[i]!) waitGt[i]!++;
    for (let i = 0; i < respT.length; i++) if (r > respT[i]!) respGt[i]!++;
  };

  const listener: QueueListener = {
    departed(_token, arrived, started) {
      const now = sim.now_ns;
      const r = now - arrived;
      const w = started - arrived;
      if (seriesResp && seriesWait) {
        seriesResp[departed] = r;
        seriesWait[departed] = w;
      } else if (departed >= fixedWarmup) measure(r, w);
      departed++;
      if (!useMser && departed === fixedWarmup) {
        queue.resetStats();
        inSystemAtReset = queue.inSystem;
      }
      if (departed >= total) sim.stop();
    },
  };
  const queue = new Queue(sim, p.servers ?? 1, listener, p.capacity ?? Number.POSITIVE_INFINITY);
  const arrivals: EventHandler = {
    handle(n) {
      queue.arrive(nextService(), n);
      sim.schedule(nextGap(), kind, n + 1, 0);
    },
  };
  const kind = sim.register(arrivals);
  sim.schedule(nextGap(), kind, 0, 0);
  sim.run();

  let warmupCustomers = fixedWarmup;
  if (seriesResp && seriesWait) {
    warmupCustomers = mser5(seriesResp).truncate;
    for (let i = warmupCustomers; i < total; i++) measure(seriesResp[i]!, seriesWait[i]!);
  }
  const counters: Record<string, number> = {
    customers: measured,
    waited,
    arrivals: queue.arrivals,
    drops: queue.drops,
    departures: queue.departures,
    in_system_start: inSystemAtReset,
    in_system_end: queue.inSystem,
    busy_area_ns: queue.busyArea_ns(),
    area_in_system_ns: queue.inSystemArea_ns(),
    elapsed_ns: queue.statsElapsed_ns,
    warmup_customers: warmupCustomers,
    events: sim.events,
  };
  waitT.forEach((_, i) => {
    counters[`wait_gt_${i}`] = waitGt[i]!;
  });
  respT.forEach((_, i) => {
    counters[`response_gt_${i}`] = respGt[i]!;
  });
  const out = { histograms: { response: response.encode(), wait: wait.encode() }, counters };
  response.destroy();
  wait.destroy();
  return out;
}
