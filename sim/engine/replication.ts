/**
 * The contract between a replicable model and the replication runner. A model is a function
 * `(params, seed, replication) => ReplicationOutput` exported by name from a module; it must draw
 * all randomness from streams keyed on (seed, replication, component) so that its output depends
 * on nothing else. The output is plain data (encoded histograms and numeric counters) so it
 * crosses worker_threads boundaries by structured clone.
 */
import type { EncodedHistogram } from './histogram.ts';

export interface ReplicationOutput {
  histograms: Record<string, EncodedHistogram>;
  counters: Record<string, number>;
}

export type ReplicationModel<P = unknown> = (
  params: P,
  seed: number,
  replication: number,
) => ReplicationOutput | Promise<ReplicationOutput>;
