/**
 * One replication of one simulated point, in the shape the engine's `replicate` runs on worker
 * threads: `(params, seed, replication) => ReplicationOutput`. The params carry the normalized
 * (complete, validated) scenario, so workers only run the pure steering and assembly phases.
 * Output: the latency histogram (ns), the latency from schedule (ns) and ten batch histograms (for
 * within-run intervals when there is a single replication), and flat counters: measured counts,
 * drops (`drop.<place>`), per-CPU busy time by class (`busy.<cpuIdx>.<cls>`), wire busy time,
 * per-stage packets/mean/p99, the generator's bursts (`burst.ticks`, `burst.<bin>.count`, ...).
 */
import { fileURLToPath } from 'node:url';
import { assemble } from '../../model/compile/assemble.ts';
import { resolveSteering } from '../../model/compile/resolve-steering.ts';
import type { Scenario } from '../../model/schema/scenario.ts';
import type { ReplicationOutput } from '../engine/replication.ts';
import { mser5 } from '../engine/stats/mser5.ts';
import { NetworkSim } from './network-sim.ts';

export interface ReplicationParams {
  scenario: Scenario;
  requests: number;
  warmupFraction: number;
}

/** Absolute path of this module, for `replicate({ module, exportName: 'runReplication' })`. */
export const REPLICATION_MODULE = fileURLToPath(import.meta.url);

export function runReplication(
  params: ReplicationParams,
  seed: number,
  replication: number,
): ReplicationOutput {
  const compiled = assemble(params.scenario, resolveSteering(params.scenario));
  const sim = new NetworkSim(compiled, {
    requests: params.requests,
    warmupFraction: params.warmupFraction,
    seed,
    replication,
  });
  const out = sim.run();
  const counters: Record<string, number> = {
    sent: out.sentMeasured,
    sent_warmup: out.sentWarmup,
    completed: out.completedMeasured,
    completed_in_window: out.completedInWindow,
    window_ns: out.window_ns,
    retransmits: out.retransmits,
    lost: out.lost,
    events: out.events,
    aborted: out.aborted ? 1 : 0,
    outstanding_warmup: out.outstandingAtWarmup,
    outstanding_end: out.outstandingAtEnd,
    time_squeeze: out.timeSqueeze,
    wire0_ns: out.wireBusy_ns[0]!,
    wire1_ns: out.wireBusy_ns[1]!,
    cpus: out.busy_ns.length / 3,
  };
  // MSER-5 on the batch means of latency (batches of 5 or more requests) checks the fixed warm-up:
  // a truncation well above 0 means the start of the window was still transient. The top 0.1 % of
  // the batches are clipped first: rare retransmission or stall spikes are steady-state events, and
  // unclipped they make MSER cut up to the last spike in the first half (mser5.ts, "Outliers").
  const m = mser5(out.series.subarray(0, out.seriesLength), { winsorize: 0.999 });
  counters.mser_truncate_requests = m.truncate * out.seriesBatch;
  counters.mser_reliable = m.reliable ? 1 : 0;
  for (const [k, v] of Object.entries(out.drops)) counters[`drop.${k}`] = v;
  counters['wakeups.nginx'] = out.wakeups[0]!;
  counters['wakeups.generator'] = out.wakeups[1]!;
  counters['burst.ticks'] = out.burstTicks;
  counters['burst.empty_ticks'] = out.burstEmptyTicks;
  counters['burst.sends'] = out.burstSends;
  for (let b = 0; b < out.burstCount.length; b++) {
    counters[`burst.${b}.count`] = out.burstCount[b]!;
    counters[`burst.${b}.sum_ns`] = out.burstSum_ns[b]!;
  }
  for (let i = 0; i < out.busy_ns.length / 3; i++) {
    for (let k = 0; k < 3; k++) counters[`busy.${i}.${k}`] = out.busy_ns[i * 3 + k]!;
    counters[`ksoftirqd.${i}`] = out.ksoftirqd_ns[i]!;
  }
  out.stages.forEach((s, i) => {
    counters[`stage.${i}.packets`] = s.packets;
    counters[`stage.${i}.cls`] = s.cls;
    counters[`stage.${i}.wait_mean`] = s.wait.mean;
    counters[`stage.${i}.wait_p99`] = s.wait.quantile(0.99);
    counters[`stage.${i}.service_mean`] = s.service.mean;
    counters[`stage.${i}.service_p99`] = s.service.quantile(0.99);
  });
  const histograms: ReplicationOutput['histograms'] = {
    latency: out.latency.encode(),
    latency_from_schedule: out.latencyFromSchedule.encode(),
  };
  out.batches.forEach((b, i) => {
    histograms[`batch${i}`] = b.encode();
    b.destroy();
  });
  out.latency.destroy();
  out.latencyFromSchedule.destroy();
  // Stage names travel once, as counters cannot hold strings: they are recomputed by the caller.
  return { histograms, counters };
}

/** Stage names in the order runReplication numbers them (the order of buildStageTable in run-output.ts). */
export function stageNames(scenario: Scenario): string[] {
  const tx = scenario.option.stages.tx.map((s) => s.name);
  const rx = scenario.option.stages.rx.map((s) => s.name);
  const names: string[] = [];
  for (const h of ['client', 'server']) {
    names.push(h === 'client' ? 'client.app.tcpkali' : 'server.app.nginx');
    for (const n of tx) names.push(`${h}.tx.${n}`);
    names.push(h === 'client' ? 'wire.client_to_server' : 'wire.server_to_client');
    names.push(`${h === 'client' ? 'server' : 'client'}.nic.ring_irq`);
  }
  for (const h of ['client', 'server']) for (const n of rx) names.push(`${h}.rx.${n}`);
  return names;
}
