/**
 * wrk (Debian package, closed loop) for maximum-rate steps: command line and output parser.
 * Closed loop: each connection waits for a response before its next request, so wrk finds the
 * highest rate the server path sustains, and its latencies are NOT open-loop latencies (they
 * suffer coordinated omission): records mark it `loop: closed` with `requested_rps: null`.
 *
 * Parser invariants: "Running ... test @", the thread/connection line, the Latency stats line,
 * the Latency Distribution (50/75/90/99 %), "N requests in T", and "Requests/sec:" must all be
 * present; otherwise a clear error naming what is missing (a cut-off log never parses).
 */
import type { LatencyPercentilesMs } from './run-record.ts';

export class WrkParseError extends Error {
  readonly exitCode = 3;
  constructor(source: string, reason: string) {
    super(`${source}: wrk output: ${reason}`);
    this.name = 'WrkParseError';
  }
}

export interface WrkSummary {
  url: string;
  threads: number;
  connections: number;
  latency_ms: LatencyPercentilesMs;
  latency_mean_ms: number;
  requests: number;
  duration_s: number;
  requests_per_s: number;
  socket_errors: number;
  non_2xx_3xx: number;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };

function ms(value: string, unit: string): number {
  const f = UNIT_MS[unit];
  if (f === undefined) throw new Error(`unknown time unit ${unit}`);
  return Number(value) * f;
}

export function buildWrkCommand(o: {
  url: string;
  threads: number;
  connections: number;
  duration_s: number;
  cpus?: string;
}): string[] {
  return [
    ...(o.cpus ? ['taskset', '-c', o.cpus] : []),
    'wrk',
    `-t${o.threads}`,
    `-c${o.connections}`,
    `-d${Math.round(o.duration_s)}s`,
    '--latency',
    o.url,
  ];
}

export function parseWrkOutput(text: string, source = '<wrk output>'): WrkSummary {
  const need = (re: RegExp, what: string): RegExpExecArray => {
    const m = re.exec(text);
    if (!m) throw new WrkParseError(source, `missing ${what} (cut off, or not wrk --latency output)`);
    return m;
  };
  const run = need(/^Running (\S+) test @ (\S+)\s*$/m, '"Running ... test @" line');
  const tc = need(/^\s+(\d+) threads? and (\d+) connections?\s*$/m, 'threads/connections line');
  const lat = need(
    /^\s+Latency\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+([\d.]+)(us|ms|s|m)\s+[\d.]+%\s*$/m,
    'Latency stats line',
  );
  need(/^\s+Latency Distribution\s*$/m, '"Latency Distribution" (run wrk with --latency)');
  const dist: LatencyPercentilesMs = {};
  for (const [p, key] of [
    ['50', 'p50'],
    ['90', 'p90'],
    ['99', 'p99'],
  ] as const) {
    const m = need(
      new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm'),
      `${p}% line of the latency distribution`,
    );
    dist[key] = ms(m[1]!, m[2]!);
  }
  dist.max = ms(lat[5]!, lat[6]!);
  const done = need(
    /^\s+(\d+) requests in ([\d.]+)(us|ms|s|m), [\d.]+\w*B read\s*$/m,
    '"N requests in T" line',
  );
  const rps = need(/^Requests\/sec:\s+([\d.]+)\s*$/m, '"Requests/sec:" line');
  const sock = /^\s+Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)\s*$/m.exec(text);
  const non2xx = /^\s+Non-2xx or 3xx responses: (\d+)\s*$/m.exec(text);
  return {
    url: run[2]!,
    threads: Number(tc[1]),
    connections: Number(tc[2]),
    latency_ms: dist,
    latency_mean_ms: ms(lat[1]!, lat[2]!),
    requests: Number(done[1]),
    duration_s: ms(done[2]!, done[3]!) / 1000,
    requests_per_s: Number(rps[1]),
    socket_errors: sock ? sock.slice(1, 5).reduce((a, x) => a + Number(x), 0) : 0,
    non_2xx_3xx: non2xx ? Number(non2xx[1]) : 0,
  };
}
