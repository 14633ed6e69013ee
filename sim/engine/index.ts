// sim/engine: clock, event list, random streams, distributions, CPU and queue resources, statistics,
// replications. Imports nothing from model/ or sim/net/. This file only re-exports.
export * from './cpu.ts';
export * from './deque.ts';
export * from './distributions/index.ts';
export * from './histogram.ts';
export * from './queue.ts';
export * from './rng.ts';
export * from './simulator.ts';
export * from './replicate.ts';
export * from './replication.ts';
export * from './stats/batch-means.ts';
export * from './stats/confidence.ts';
export * from './stats/mser5.ts';
export * from './stats/normal.ts';
export * from './stats/student-t.ts';
export * from './stats/time-weighted.ts';
export * from './theory/queueing.ts';
