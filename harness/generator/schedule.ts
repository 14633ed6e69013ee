/**
 * The open-loop send schedule: request i of the whole run is due at start + i/rate and goes on
 * connection i mod N. Each connection thus sends at exactly rate/N per second (tcpkali's -r is the
 * per-connection rate), with the connections' phases spread evenly over one period, and the merged
 * schedule needs no heap: the next due send is always i + 1.
 *
 * Times are integer nanoseconds relative to the generator's start.
 */
export interface Schedule {
  rate_rps: number;
  connections: number;
  /** Sends before `warmup_end_ns` are not measured. */
  warmup_end_ns: number;
  /** Sends scheduled at or after `end_ns` are not made. */
  end_ns: number;
  /** Total number of sends in the run (warm-up included). */
  total: number;
  /** First index whose send is measured. */
  first_measured: number;
}

export function makeSchedule(
  rate_rps: number,
  connections: number,
  warmup_s: number,
  duration_s: number,
): Schedule {
  const warmup_end_ns = Math.round(warmup_s * 1e9);
  const end_ns = warmup_end_ns + Math.round(duration_s * 1e9);
  // index i is due at floor(i * 1e9 / rate); count the i with due time < bound.
  const below = (bound_ns: number) => Math.ceil((bound_ns * rate_rps) / 1e9);
  return {
    rate_rps,
    connections,
    warmup_end_ns,
    end_ns,
    total: below(end_ns),
    first_measured: below(warmup_end_ns),
  };
}

/** Due time of send i, ns after start. */
export function dueNs(s: Schedule, i: number): number {
  return Math.floor((i * 1e9) / s.rate_rps);
}

export function connectionOf(s: Schedule, i: number): number {
  return i % s.connections;
}
