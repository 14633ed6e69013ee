/**
 * Phase 3, assemble: flat typed-array tables and plain numbers the interpreter runs without any
 * lookup by name. Pure. Units: ns, bytes.
 *
 * Path tables: `tx` (application write to NIC queue) and `rx` (NIC ring to socket) of the option,
 * the same on both hosts (the study ran tcpkali and nginx each in a container of the option).
 * Hand-off codes: see HANDOFF_*.
 */
import { parseCpuMask } from '../cpu-mask.ts';
import type { Scenario } from '../schema/scenario.ts';
import { parseListKeepingOrder } from './check.ts';
import type { Steering } from './resolve-steering.ts';

export const HANDOFF_NONE = 0;
export const HANDOFF_NIC = 1;
export const HANDOFF_RPS = 2;
export const HANDOFF_BACKLOG = 3;
export const HANDOFF_GRO_CELLS = 4;
const HANDOFF_CODE = {
  none: HANDOFF_NONE,
  nic: HANDOFF_NIC,
  rps: HANDOFF_RPS,
  backlog: HANDOFF_BACKLOG,
  gro_cells: HANDOFF_GRO_CELLS,
} as const;

export const CLS_HARDIRQ = 0;
export const CLS_SOFTIRQ = 1;
export const CLS_TASK = 2;

export interface PathTable {
  length: number;
  names: readonly string[];
  handoff: Int8Array;
  costPerPacket_ns: Float64Array;
  costPerByte_ns: Float64Array;
  /** Probability that each stage loses a packet (option `loss_probability`); all 0 in most options. */
  lossProbability: Float64Array;
  /** CPU class of each stage (CLS_*), as the option file declares it. */
  cls: Int8Array;
}

export interface AppTable {
  workers: number;
  /** CPU of each worker. */
  cpuOf: Int16Array;
  costPerOp_ns: number;
  costPerResponseByte_ns: number;
  costPerWakeup_ns: number;
  /** Share of the wake-up cost charged when the task runs out of work, before it sleeps (0: all before its first operation). */
  wakeupAfterShare: number;
  /** tcpkali: cost of a read; nginx: epoll batch size. */
  costPerRead_ns: number;
  epollMaxEvents: number;
  /** tcpkali: sends leave at multiples of this (the generator's timer granularity); 0 = at their due times. */
  sendGranularity_ns: number;
  /** tcpkali: the timer is re-armed after each burst (send_timer.mode after_burst) instead of a fixed grid. */
  sendAfterBurst: boolean;
  /** tcpkali: lateness added to each re-armed timer (after_burst), ns. */
  sendSlack_ns: number;
  /** tcpkali: CPU work of the send loop per tick, before the tick's first write, ns. */
  sendTickCost_ns: number;
  /** tcpkali: one read takes every response already arrived on its connection (read_batch connection). */
  readBatchPerConnection: boolean;
  /** tcpkali: connection phases spread evenly over the period (send_phases even) instead of drawn at random. */
  evenPhases: boolean;
}

export interface Compiled {
  scenario: Scenario;
  steering: Steering;
  cpuCount: number;
  sharedCpus: boolean;
  smtOffset: number;
  smtSlowdown: number;
  queues: number;
  irqCpuOfQueue: Int16Array;
  /** true: a received packet is polled on the CPU that sent it, with no hardirq (veth, host.nic.rx_cpu). */
  rxOnSenderCpu: boolean;
  ringSize: number;
  /** 0 = off, 1 = fixed, 2 = adaptive. */
  coalescingMode: number;
  fixedItr_ns: number;
  adaptiveItr_ns: Float64Array;
  adaptiveThresholds: Float64Array;
  hardirq_ns: number;
  txClean_ns: number;
  napiWeight: number;
  netdevBudget: number;
  budgetTime_ns: number;
  softirqMaxRestart: number;
  softirqMaxTime_ns: number;
  maxBacklog: number;
  mss: number;
  headerBytes: number;
  encapBytes: number;
  frameOverheadBytes: number;
  delack_ns: number;
  timerTick_ns: number;
  rtoMin_ns: number;
  maxRetries: number;
  quickackSegments: number;
  /** Responses of at least this many segments are ACKed at the client's read (0: off). */
  ackAtReadSegments: number;
  /** host.tcp.piggyback_acks (with delayed ACKs on). */
  piggybackAcks: boolean;
  idleThreshold_ns: number;
  wakeup_ns: number;
  stallRatePerCpu_per_ns: number;
  stallMean_ns: number;
  stallCv: number;
  wireNsPerByte: number;
  propagation_ns: number;
  jitterMean_ns: number;
  jitterCv: number;
  tx: PathTable;
  rx: PathTable;
  nginx: AppTable;
  tcpkali: AppTable;
  rate_rps: number;
  requestBytes: number;
  responseBytes: number;
  connections: number;
  /** Frames per response and per request on the wire (MSS segmentation). */
  /** Writes per response: the TX stages' per-packet costs are paid this many times. */
  responseWrites: number;
  responseSegments: number;
  requestSegments: number;
  mech: Scenario['host']['mechanisms'];
}

function path(stages: Scenario['option']['stages']['tx']): PathTable {
  return {
    length: stages.length,
    names: stages.map((s) => s.name),
    handoff: Int8Array.from(stages.map((s) => HANDOFF_CODE[s.handoff])),
    costPerPacket_ns: Float64Array.from(stages.map((s) => s.cost_ns_per_packet)),
    costPerByte_ns: Float64Array.from(stages.map((s) => s.cost_ns_per_byte)),
    lossProbability: Float64Array.from(stages.map((s) => s.loss_probability)),
    cls: Int8Array.from(
      stages.map((s) => (s.cls === 'hardirq' ? CLS_HARDIRQ : s.cls === 'softirq' ? CLS_SOFTIRQ : CLS_TASK)),
    ),
  };
}

export function assemble(s: Scenario, steering: Steering): Compiled {
  const h = s.host;
  const m = h.mechanisms;
  const mss = s.option.mtu - h.tcp.header_bytes;
  const responsePayload = s.workload.response_bytes + s.workload.response_header_bytes;
  const ngCpus = parseCpuMask(h.apps.nginx.cpus);
  const tkCpus = parseCpuMask(h.apps.tcpkali.cpus);
  const ng = h.apps.nginx;
  const tk = h.apps.tcpkali;
  return {
    scenario: s,
    steering,
    cpuCount: h.cpus.count,
    sharedCpus: h.shared_cpus,
    smtOffset: m.smt ? h.cpus.smt_sibling_offset : 0,
    smtSlowdown: h.cpus.smt_slowdown,
    queues: h.nic.queues,
    irqCpuOfQueue: Int16Array.from(parseListKeepingOrder(h.nic.irq_cpus)),
    rxOnSenderCpu: h.nic.rx_cpu === 'sender',
    ringSize: m.ring_limit ? h.nic.ring_size : Number.POSITIVE_INFINITY,
    coalescingMode: !m.coalescing || h.nic.coalescing === 'off' ? 0 : h.nic.coalescing === 'fixed' ? 1 : 2,
    fixedItr_ns: h.nic.rx_usecs * 1000,
    adaptiveItr_ns: Float64Array.from(h.nic.adaptive_levels_us.map((u) => u * 1000)),
    adaptiveThresholds: Float64Array.from(h.nic.adaptive_thresholds_bytes_per_us),
    hardirq_ns: h.nic.hardirq_cost_ns,
    txClean_ns: h.nic.tx_clean_cost_ns_per_frame,
    napiWeight: m.napi_budget ? h.napi.weight : Number.POSITIVE_INFINITY,
    netdevBudget: m.napi_budget ? h.napi.netdev_budget : Number.POSITIVE_INFINITY,
    budgetTime_ns: m.napi_budget ? h.napi.netdev_budget_usecs * 1000 : Number.POSITIVE_INFINITY,
    softirqMaxRestart: m.ksoftirqd ? h.softirq.max_restart : Number.POSITIVE_INFINITY,
    softirqMaxTime_ns: m.ksoftirqd ? h.softirq.max_time_us * 1000 : Number.POSITIVE_INFINITY,
    maxBacklog: m.backlog_limit ? h.backlog.netdev_max_backlog : Number.POSITIVE_INFINITY,
    mss,
    headerBytes: h.tcp.header_bytes,
    encapBytes: s.option.encap_bytes,
    frameOverheadBytes: s.wire.frame_overhead_bytes,
    delack_ns: m.delayed_ack ? h.tcp.delack_ns : 0,
    timerTick_ns: h.tcp.timer_tick_ns,
    rtoMin_ns: h.tcp.rto_min_ns,
    maxRetries: h.tcp.max_retries,
    quickackSegments: h.tcp.quickack_segments,
    ackAtReadSegments: m.delayed_ack ? h.tcp.ack_at_read_segments : 0,
    piggybackAcks: m.delayed_ack && h.tcp.piggyback_acks,
    idleThreshold_ns: h.cpu_wakeup.idle_threshold_ns,
    wakeup_ns: m.idle_wakeup ? h.cpu_wakeup.wakeup_ns : 0,
    stallRatePerCpu_per_ns: m.stalls ? h.stalls.rate_per_cpu_per_s / 1e9 : 0,
    stallMean_ns: h.stalls.duration_mean_ns,
    stallCv: h.stalls.duration_cv,
    wireNsPerByte: s.wire.line_rate_gbps > 0 ? 8 / s.wire.line_rate_gbps : 0,
    propagation_ns: s.wire.propagation_ns,
    jitterMean_ns: s.wire.jitter_mean_ns,
    jitterCv: s.wire.jitter_cv,
    tx: path(s.option.stages.tx),
    rx: path(s.option.stages.rx),
    nginx: {
      workers: ng.workers,
      cpuOf: Int16Array.from({ length: ng.workers }, (_, w) => ngCpus[w % ngCpus.length]!),
      costPerOp_ns: ng.cost_ns_per_request,
      costPerResponseByte_ns: ng.cost_ns_per_response_byte,
      costPerWakeup_ns: ng.cost_ns_per_wakeup,
      wakeupAfterShare: 0,
      costPerRead_ns: 0,
      epollMaxEvents: ng.epoll_max_events,
      sendGranularity_ns: 0,
      sendAfterBurst: false,
      sendSlack_ns: 0,
      sendTickCost_ns: 0,
      readBatchPerConnection: false,
      evenPhases: false,
    },
    tcpkali: {
      workers: tk.workers,
      cpuOf: Int16Array.from({ length: tk.workers }, (_, w) => tkCpus[w % tkCpus.length]!),
      costPerOp_ns: tk.cost_ns_per_write,
      costPerResponseByte_ns: tk.cost_ns_per_response_byte,
      costPerWakeup_ns: tk.cost_ns_per_wakeup,
      wakeupAfterShare: tk.wakeup_cost_after_share,
      costPerRead_ns: tk.cost_ns_per_read,
      epollMaxEvents: 1 << 30,
      sendGranularity_ns: tk.send_timer.granularity_ns,
      sendAfterBurst: tk.send_timer.mode === 'after_burst' && tk.send_timer.granularity_ns > 0,
      sendSlack_ns: tk.send_timer.slack_ns,
      sendTickCost_ns: tk.send_timer.cost_ns_per_tick,
      readBatchPerConnection: tk.read_batch === 'connection',
      evenPhases: tk.send_phases === 'even',
    },
    rate_rps: s.workload.rate_rps,
    requestBytes: s.workload.request_bytes,
    responseBytes: responsePayload,
    connections: s.workload.connections,
    // Each write beyond the first pushes a segment of its own (nginx: headers, then the body).
    responseSegments: Math.max(1, Math.ceil(responsePayload / mss)) + ng.response_writes - 1,
    responseWrites: ng.response_writes,
    requestSegments: Math.max(1, Math.ceil(s.workload.request_bytes / mss)),
    mech: m,
  };
}
