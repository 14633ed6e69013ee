/** The load tcpkali offers: a constant message rate spread over persistent connections. */
import { z } from 'zod';
import { NonNegativeInt, PositiveInt } from './common.ts';

export const Workload = z.strictObject({
  /** Total offered requests per second (connections x per-connection rate, tcpkali -r semantics). */
  rate_rps: z.number().positive(),
  /** TCP payload of one HTTP response (headers included), bytes. */
  response_bytes: PositiveInt,
  /** TCP payload of one request, bytes (the study's graphs imply about 37 B). */
  request_bytes: PositiveInt,
  /** Persistent connections; each sends at rate_rps / connections. */
  connections: PositiveInt,
  /** Extra HTTP header bytes added to each response on top of response_bytes (0: response_bytes is the whole payload). */
  response_header_bytes: NonNegativeInt,
});
export type Workload = z.infer<typeof Workload>;

/** What a scenario or the CLI may give; the rest comes from the host profile at normalize time. */
export const WorkloadInput = Workload.partial().extend({
  rate_rps: z.number().positive(),
  response_bytes: PositiveInt,
});
export type WorkloadInput = z.infer<typeof WorkloadInput>;
