/**
 * A network option (net-host, flannel-vxlan, ...): the ordered kernel stages a packet crosses on
 * the sending host (tx) and on the receiving host (rx), each with its cost and where it runs.
 * Adding an option means adding a data file in model/options/; the simulator reads these tables.
 *
 * Hand-offs (what precedes a stage):
 *   nic       the first rx stage: NIC ring -> interrupt (coalesced) -> NAPI poll on the queue's IRQ CPU
 *   rps       netif_receive_skb: with RPS/RFS, enqueue to the steered CPU's backlog (finite); without, inline
 *   backlog   netif_rx (veth): enqueue to the CURRENT CPU's backlog, a new softirq pass (finite)
 *   gro_cells vxlan decap: the vxlan device's gro_cells NAPI on the current CPU, a new softirq pass (finite)
 *   none      runs right after the previous stage, on the same CPU, in the same pass
 */
import { z } from 'zod';
import { CpuClass, NonNegative, PositiveInt, Source } from './common.ts';

export const Handoff = z.enum(['none', 'nic', 'rps', 'backlog', 'gro_cells']);
export type Handoff = z.infer<typeof Handoff>;

export const RunsOn = z.enum(['app', 'irq', 'rps', 'current']);
export type RunsOn = z.infer<typeof RunsOn>;

export const Stage = z.strictObject({
  /** Unique within the option; `--set option.stages.<name>.cost_ns_per_packet=...` addresses it. */
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'lower_snake_case'),
  handoff: Handoff,
  runs_on: RunsOn,
  cls: CpuClass,
  /** CPU time per packet (per frame for the nic stage, per GRO-merged packet after it), ns. */
  cost_ns_per_packet: NonNegative,
  /** CPU time per payload byte, ns. */
  cost_ns_per_byte: NonNegative,
  /**
   * Probability that this stage loses a packet, 0..1 (default 0). A stand-in for losses whose
   * mechanism the model lacks (the seed study suspected a vxlan bug behind its 200 ms tails): the
   * packet is dropped at the stage's end and TCP resends it after the RTO. Calibrated from the
   * fraction of requests in the retransmission tail; drops the model does explain (full backlogs,
   * full rings) need no such parameter.
   */
  loss_probability: z.number().min(0).max(1).default(0),
  source: Source,
});
export type Stage = z.infer<typeof Stage>;

export const NetworkOption = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  description: z.string(),
  /** MTU of the pod interface (sets the MSS), B: IPv4's minimum 68 to its largest packet 65535. */
  mtu: z.number().int().min(68).max(65535),
  /** Bytes of encapsulation each frame carries on the wire (VXLAN: 50). */
  encap_bytes: z.number().int().nonnegative(),
  /** Receive passes after the NIC poll, for documentation and checks (ipvlan 1, bridge 2, vxlan 3). */
  rx_passes: PositiveInt,
  stages: z.strictObject({
    /** Sender: from the application's write to the NIC queue. */
    tx: z.array(Stage).min(1),
    /** Receiver: from the NIC ring to the socket. */
    rx: z.array(Stage).min(1),
  }),
  source: Source,
});
export type NetworkOption = z.infer<typeof NetworkOption>;
