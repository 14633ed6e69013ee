/**
 * A host profile: the machine (CPUs, NUMA, hyperthreads, NIC), its kernel tuning (IRQ affinity,
 * RPS, RFS, XPS, NAPI, backlog, coalescing, TCP timers), the applications on it (nginx on the
 * server, tcpkali on the client; both hosts use the same profile) and the default wire.
 * Every group carries a `source` for its numbers. `mechanisms` switches each mechanism on or off.
 */
import { z } from 'zod';
import { CpuMask, NonNegative, NonNegativeInt, PositiveInt, Source } from './common.ts';
import { Wire } from './wire.ts';

export const Mechanisms = z.strictObject({
  rss: z.boolean().describe('hash flows over the RX queues (off: everything on queue 0)'),
  rps: z.boolean().describe('steer packets to rps_cpus backlogs after the NIC poll'),
  rfs: z.boolean().describe('steer a flow to the CPU of the thread that reads it'),
  xps: z.boolean().describe('pick the TX queue by the sending CPU (off: by flow hash)'),
  gro: z.boolean().describe('merge the segments of one response within a NAPI poll'),
  coalescing: z.boolean().describe('interrupt throttling (off: one interrupt per arrival)'),
  napi_budget: z.boolean().describe('weight / netdev_budget / time limit (off: unlimited polls)'),
  ksoftirqd: z.boolean().describe('hand softirq work to ksoftirqd after the restart limit'),
  backlog_limit: z.boolean().describe('drop when a backlog holds netdev_max_backlog packets'),
  ring_limit: z.boolean().describe('drop when the NIC RX ring is full'),
  delayed_ack: z.boolean().describe('pure ACKs after the delayed-ACK timer (off: immediate ACK)'),
  smt: z.boolean().describe('hyperthread siblings slow each other down when both are busy'),
  idle_wakeup: z.boolean().describe('an idle CPU needs time to wake up before it runs work'),
  stalls: z.boolean().describe('random CPU stalls (hypervisor steal, long kernel sections)'),
});
export type Mechanisms = z.infer<typeof Mechanisms>;

export const HostProfile = z.strictObject({
  id: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/),
  description: z.string(),
  /** true: the client and server "hosts" share one machine's CPUs (namespace lab). */
  shared_cpus: z.boolean(),
  cpus: z.strictObject({
    count: PositiveInt,
    numa_nodes: z.array(CpuMask).min(1),
    /** CPU i and i + offset are hyperthread siblings; 0 = no SMT. */
    smt_sibling_offset: NonNegativeInt,
    /** Service-time factor when the sibling is busy too (>= 1). */
    smt_slowdown: z.number().min(1),
    source: Source,
  }),
  nic: z.strictObject({
    queues: PositiveInt,
    ring_size: PositiveInt,
    indirection_table_size: PositiveInt,
    /** IRQ CPU of each RX/TX queue vector, one per queue (`0,9`). */
    irq_cpus: CpuMask,
    /** Interrupt moderation: adaptive (ixgbevf dynamic ITR), fixed (rx_usecs), off. */
    coalescing: z.enum(['adaptive', 'fixed', 'off']),
    /** Minimum interval between interrupts of one queue for `fixed`, us. */
    rx_usecs: NonNegative,
    /** The adaptive levels, us (ixgbevf: 10 = 100k int/s, 50 = 20k, 84 = 12k). */
    adaptive_levels_us: z.array(NonNegative).length(3),
    /** Bytes per us of interval at which adaptive moderation moves up a level (ixgbevf: 10 and 20). */
    adaptive_thresholds_bytes_per_us: z.array(NonNegative).length(2),
    hardirq_cost_ns: NonNegative,
    /** TX completion cleaning, per transmitted frame, done in the queue's NAPI poll. */
    tx_clean_cost_ns_per_frame: NonNegative,
    /**
     * Where a received packet's first softirq pass runs: `irq` on the queue's IRQ CPU after a
     * hardirq (a real NIC), `sender` on the CPU that ran the packet's last transmit stage, as
     * softirq with no hardirq (a veth pair: veth_xmit -> netif_rx queues the packet to the sending
     * CPU's backlog, whose NET_RX runs at local_bh_enable right after the send). Sim: sim/net/nic.ts.
     */
    rx_cpu: z.enum(['irq', 'sender']).default('irq'),
    source: Source,
  }),
  napi: z.strictObject({
    weight: PositiveInt,
    netdev_budget: PositiveInt,
    netdev_budget_usecs: NonNegative,
    source: Source,
  }),
  softirq: z.strictObject({
    max_restart: PositiveInt,
    max_time_us: NonNegative,
    source: Source,
  }),
  backlog: z.strictObject({ netdev_max_backlog: PositiveInt, source: Source }),
  rps_cpus: CpuMask,
  rfs: z.strictObject({
    sock_flow_entries: PositiveInt,
    flow_cnt: PositiveInt,
    source: Source,
  }),
  /** XPS mask per TX queue. */
  xps_cpus: z.array(CpuMask),
  tcp: z.strictObject({
    /** IP + TCP header bytes including timestamps (20 + 20 + 12). */
    header_bytes: PositiveInt,
    /**
     * Delayed-ACK timer, ns: Linux's is 40 ms (TCP_DELACK_MIN) to 200 ms (TCP_DELACK_MAX); above 1 s
     * is refused (a unit slip: the warm-up waits for it, 1e15 ran minutes of warm-up).
     */
    delack_ns: NonNegative.max(1e9, 'at most 1e9 ns (1 s): Linux delays an ACK 40 to 200 ms'),
    /** Timers (delayed ACK) expire on jiffies: 1e6 ns at HZ=1000, 4e6 at HZ=250. */
    timer_tick_ns: NonNegative,
    rto_min_ns: NonNegative.max(
      60e9,
      'at most 60e9 ns (60 s): the Linux RTO runs 200 ms to 120 s (TCP_RTO_MAX); a minimum above 60 s is a unit slip',
    ),
    /** Retransmissions of one segment before the connection would give up (bounds the simulation). */
    max_retries: PositiveInt,
    /** An ACK goes out at once when this many full segments are unacknowledged. */
    quickack_segments: PositiveInt,
    /**
     * When > 0, the client ACKs a response of at least this many segments when its application
     * reads it, from the reader's CPU, instead of by the delayed-ACK timer (Linux tcp_cleanup_rbuf:
     * in ping-pong mode, two pushed segments since the last ACK (ICSK_ACK_PUSHED2) make the read send
     * the ACK at once). Default 0: off. Sim: sim/net/tcp.ts, tcpkali.ts.
     */
    ack_at_read_segments: z.number().int().min(0).default(0),
    /**
     * A delayed ACK still waiting when the client writes its next request on that connection rides
     * on the request and is not sent on its own (Linux: a segment that carries the ACK clears the
     * delayed-ACK timer, tcp_event_ack_sent). Default false: every delayed ACK leaves on its own.
     * Sim: sim/net/tcp.ts.
     */
    piggyback_acks: z.boolean().default(false),
    source: Source,
  }),
  cpu_wakeup: z.strictObject({
    /** Idle longer than this and the CPU is in a deeper state. */
    idle_threshold_ns: NonNegative,
    /** Time from the event to the CPU running it, when it was idle. */
    wakeup_ns: NonNegative,
    source: Source,
  }),
  stalls: z.strictObject({
    rate_per_cpu_per_s: NonNegative,
    duration_mean_ns: NonNegative,
    duration_cv: NonNegative,
    source: Source,
  }),
  apps: z.strictObject({
    nginx: z.strictObject({
      workers: PositiveInt,
      cpus: CpuMask,
      cost_ns_per_request: NonNegative,
      cost_ns_per_response_byte: NonNegative,
      cost_ns_per_wakeup: NonNegative,
      /**
       * Writes per response (default 1): 2 when nginx writes the headers (writev) and then the body
       * (sendfile) and TCP_NODELAY pushes each at once (no tcp_nopush), as the lab's nginx does (its
       * wire shows a 238 B and a 112 B segment per 350 B response). Each write runs the TX stages'
       * per-packet costs and adds a segment (per-byte costs are unchanged). Sim: stage-paths.ts.
       */
      response_writes: PositiveInt.default(1),
      epoll_max_events: PositiveInt,
      source: Source,
    }),
    tcpkali: z.strictObject({
      workers: PositiveInt,
      cpus: CpuMask,
      connections: PositiveInt,
      request_bytes: PositiveInt,
      cost_ns_per_write: NonNegative,
      cost_ns_per_read: NonNegative,
      cost_ns_per_response_byte: NonNegative,
      cost_ns_per_wakeup: NonNegative,
      /**
       * The share of cost_ns_per_wakeup charged after the generator's work, when it has run out of
       * reads and writes and goes back to sleep (default 0: all of it before its first operation).
       * An event loop (the lab's Node generator) wakes from epoll_wait, runs the callbacks of what
       * is ready at once (reads stamp their latency there), and then does the iteration's own work
       * (timers, re-arming, bookkeeping) before it sleeps again: that part delays no response, but
       * what arrives meanwhile is read in the same wake-up. Sim: sim/net/cpu-scheduler.ts.
       */
      wakeup_cost_after_share: z.number().min(0).max(1).default(0),
      source: Source,
      /**
       * Timer granularity of the generator's send loop: a send due at t is written at the next
       * multiple of granularity_ns, and the sends due within one tick go out back to back in due
       * order. 0 = at the exact due time (tcpkali's libev loop nearly does). Sim: sim/net/tcpkali.ts.
       * `mode` (default grid): `grid`, ticks at the multiples of granularity_ns; `after_burst`, the
       * timer is re-armed when the burst of due sends has been written, for granularity_ns (or for
       * the whole multiples of it until the next send is due, when that is later), plus slack_ns:
       * a generator that calls setTimeout after writing (Node: a delay below 1 ms is 1 ms, counted
       * from the call), so the tick period is the burst's length plus the delay, and the bursts grow
       * with the rate and with the cost of a write. `cost_ns_per_tick` (default 0): CPU work of the
       * send loop at each tick (timer processing, one event-loop iteration), charged before the
       * tick's first write, so it lengthens the tick and loads the CPU but is not in the latency
       * (which runs from the write); with granularity_ns 0 every send is its own tick.
       */
      /**
       * How responses are read: `response` (default), one read per response; `connection`, one
       * read takes every response already arrived on that connection and they are all timed at
       * the end of the first one's read (a loop that reads a socket's whole buffer and then stamps
       * each response in it, as the lab's Node generator: one 'data' event per chunk). The CPU cost
       * per response is the same either way. Sim: sim/net/tcpkali.ts.
       */
      read_batch: z.enum(['response', 'connection']).default('response'),
      /**
       * When each connection sends within the period (connections / rate): `random` (default),
       * at a phase drawn uniformly per connection (tcpkali: each connection's rate timer starts
       * when it is established); `even`, connection c at c x period / connections, so that the
       * merged schedule is one send every 1 / rate (the lab's open-loop generator: request i due
       * at i / rate on connection i mod connections, harness/generator/schedule.ts).
       * Sim: sim/net/tcpkali.ts.
       */
      send_phases: z.enum(['random', 'even']).default('random'),
      send_timer: z
        .strictObject({
          granularity_ns: NonNegative,
          mode: z.enum(['grid', 'after_burst']).default('grid'),
          slack_ns: NonNegative.default(0),
          cost_ns_per_tick: NonNegative.default(0),
          source: Source,
        })
        .default({
          mode: 'grid',
          slack_ns: 0,
          cost_ns_per_tick: 0,
          granularity_ns: 0,
          source: "default: sends at their exact due times, as tcpkali's libev loop nearly does",
        }),
    }),
  }),
  mechanisms: Mechanisms,
  wire: Wire,
});
export type HostProfile = z.infer<typeof HostProfile>;
