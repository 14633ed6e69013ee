/** The link between the two hosts: serialization at line rate, propagation and jitter. */
import { z } from 'zod';
import { NonNegative, NonNegativeInt, Source } from './common.ts';

export const Wire = z.strictObject({
  /** Line rate in Gbit/s; 0 means no serialization limit (a veth in the namespace lab). */
  line_rate_gbps: NonNegative.describe(
    'line rate, Gbit/s; 0 means no serialization limit (a veth in the namespace lab): no wire bottleneck',
  ),
  /** One-way propagation plus switching delay, ns (constant part). */
  propagation_ns: NonNegative.describe('one-way propagation plus switching delay, ns'),
  /** Mean of an extra per-frame delay (gamma distributed, FIFO order kept), ns; 0 = none. */
  jitter_mean_ns: NonNegative,
  /** Coefficient of variation of that extra delay. */
  jitter_cv: NonNegative,
  /** Bytes each frame occupies on the wire beyond the IP packet: Ethernet header 14, FCS 4, preamble 8, gap 12. */
  frame_overhead_bytes: NonNegativeInt,
  source: Source,
});
export type Wire = z.infer<typeof Wire>;
