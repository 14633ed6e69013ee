/**
 * What one run of the interpreter returns (RunOutput, the raw measurements replication.ts turns into
 * counters and histograms), what it is asked (RunSpec), and the per-stage statistics table.
 *
 * Stage table order (replication.ts's stageNames repeats it from the scenario): for the client then
 * the server host: its application wait, its TX stages, the wire it sends on, the peer's NIC ring +
 * interrupt wait; then the RX stages of the client, then of the server. Every recorded value is in
 * ns within the measurement window. Cost: building is O(stages); recording is in stage-paths.ts.
 */
import type { Compiled } from '../../model/compile/assemble.ts';
import { CLS_HARDIRQ, CLS_SOFTIRQ, CLS_TASK } from '../../model/compile/assemble.ts';
import { BURST_BINS } from '../burst-bins.ts';
import { Histogram } from '../engine/histogram.ts';
import { CLIENT, DIR_RX, DIR_TX, SERVER } from './codes.ts';
import { LogHistogram } from './log-histogram.ts';

export interface RunSpec {
  /** Requests to send (all workers together) after the warm-up fraction; see NetworkSim.run(). */
  requests: number;
  /** Fraction of `requests` discarded as warm-up (the warm-up lasts at least delack + 10 ms). */
  warmupFraction: number;
  seed: number;
  replication: number;
  /** Safety bound: stop when more packets than this are in flight (an overloaded run). */
  maxInFlight?: number;
  /** Extra time after the last send to let responses (and RTO retransmissions) arrive, ns. */
  drain_ns?: number;
}

export interface StageStats {
  name: string;
  cls: number;
  packets: number;
  wait: LogHistogram;
  service: LogHistogram;
}

export interface RunOutput {
  latency: Histogram;
  /** Latency of the same requests from the time each was scheduled to be sent (a late write adds its lateness). */
  latencyFromSchedule: Histogram;
  /** Latency of requests in each tenth of the measurement window (for within-run intervals). */
  batches: Histogram[];
  sentMeasured: number;
  /** Requests written during the warm-up (discarded). */
  sentWarmup: number;
  completedMeasured: number;
  /** Responses read within the measurement window, whenever sent (throughput). */
  completedInWindow: number;
  /** Batch means of measured latencies in completion order, ns (series[0..seriesLength)), batches of seriesBatch. */
  series: Float32Array;
  seriesLength: number;
  seriesBatch: number;
  window_ns: number;
  drops: Record<string, number>;
  retransmits: number;
  lost: number;
  /** busy[cpuIdx * 3 + cls], ns within the measurement window. */
  busy_ns: Float64Array;
  ksoftirqd_ns: Float64Array;
  /**
   * Packets whose first receive pass (NIC queue or veth poll) ran on each CPU, in the window:
   * rxPollCpu[(kind * 2 + receiving host) * cpus + cpuIdx], kind 0 request, 1 response, 2 ACK.
   */
  rxPollCpu: Float64Array;
  wireBusy_ns: Float64Array;
  stages: StageStats[];
  events: number;
  aborted: boolean;
  outstandingAtWarmup: number;
  outstandingAtEnd: number;
  timeSqueeze: number;
  /**
   * The generator's bursts in the window (sim/burst-bins.ts): send-loop ticks, those that released
   * nothing, sends released by them, and per position bin the measured requests and their summed
   * latency from the write (ns).
   */
  burstTicks: number;
  burstEmptyTicks: number;
  /** Wake-ups (sleeping -> runnable) in the window of the nginx workers [0] and the generator's [1], summed over workers. */
  wakeups: Float64Array;
  burstSends: number;
  burstCount: Float64Array;
  burstSum_ns: Float64Array;
}

/** Where each measured place records: indices into RunOutput.stages. */
export interface StageTable {
  stages: StageStats[];
  /** Longest path (tx or rx): the stride of `byPath`. */
  maxStages: number;
  /** byPath[(host * 2 + dir) * maxStages + stage]: the stats of that stage on that host. */
  byPath: StageStats[];
  /** Per sending host: the peer NIC's ring + interrupt wait, the wire, the sending application. */
  nicWait: StageStats[];
  wire: StageStats[];
  appWait: StageStats[];
}

export function buildStageTable(c: Compiled): StageTable {
  const stages: StageStats[] = [];
  const add = (name: string, cls: number): StageStats => {
    const s = { name, cls, packets: 0, wait: new LogHistogram(), service: new LogHistogram() };
    stages.push(s);
    return s;
  };
  const maxStages = Math.max(c.tx.length, c.rx.length);
  const byPath: StageStats[] = new Array(2 * 2 * maxStages);
  const nicWait: StageStats[] = [];
  const appWait: StageStats[] = [];
  const wire: StageStats[] = [];
  const hostName = (h: number) => (h === CLIENT ? 'client' : 'server');
  for (const h of [CLIENT, SERVER]) {
    const hn = hostName(h);
    appWait.push(add(h === CLIENT ? 'client.app.tcpkali' : 'server.app.nginx', CLS_TASK));
    for (let s = 0; s < c.tx.length; s++)
      byPath[(h * 2 + DIR_TX) * maxStages + s] = add(`${hn}.tx.${c.tx.names[s]}`, c.tx.cls[s]!);
    wire.push(add(h === CLIENT ? 'wire.client_to_server' : 'wire.server_to_client', CLS_TASK));
    nicWait.push(add(`${hostName(1 - h)}.nic.ring_irq`, CLS_HARDIRQ));
  }
  for (const h of [CLIENT, SERVER]) {
    const hn = hostName(h);
    for (let s = 0; s < c.rx.length; s++)
      byPath[(h * 2 + DIR_RX) * maxStages + s] = add(`${hn}.rx.${c.rx.names[s]}`, CLS_SOFTIRQ);
  }
  // Unused slots (the shorter path) hold the first stage so the array stays packed and monomorphic.
  for (let i = 0; i < byPath.length; i++) if (byPath[i] === undefined) byPath[i] = stages[0]!;
  return { stages, maxStages, byPath, nicWait, wire, appWait };
}

export function createRunOutput(nCpu: number, stages: StageStats[]): RunOutput {
  return {
    latency: new Histogram(),
    latencyFromSchedule: new Histogram(),
    batches: Array.from({ length: 10 }, () => new Histogram()),
    sentMeasured: 0,
    sentWarmup: 0,
    completedMeasured: 0,
    completedInWindow: 0,
    series: new Float32Array(0),
    seriesLength: 0,
    seriesBatch: 5,
    window_ns: 0,
    drops: {},
    retransmits: 0,
    lost: 0,
    busy_ns: new Float64Array(nCpu * 3),
    ksoftirqd_ns: new Float64Array(nCpu),
    rxPollCpu: new Float64Array(3 * 2 * nCpu),
    wireBusy_ns: new Float64Array(2),
    stages,
    events: 0,
    aborted: false,
    outstandingAtWarmup: 0,
    outstandingAtEnd: 0,
    timeSqueeze: 0,
    burstTicks: 0,
    burstEmptyTicks: 0,
    wakeups: new Float64Array(2),
    burstSends: 0,
    burstCount: new Float64Array(BURST_BINS),
    burstSum_ns: new Float64Array(BURST_BINS),
  };
}
