/**
 * The run-record fields a tcpkali summary gives, shared by lab steps run with tcpkali and by
 * `harness import` of target runs. tcpkali counts bytes, not requests: requests sent = sent bytes /
 * request size and responses = received bytes / response size (exact when every response has the
 * size checked at start). Invalid when there is no message-latency line, tcpkali offered less
 * than 99 % of the requested rate (its pacer drops backlog beyond 2 s: reference B), or the
 * responses came back at less than 97 % of it (`CARRIED_FRACTION`, the rule the open-loop
 * generator's steps and the maximum-rate search use): tcpkali's latency percentiles only cover the
 * responses that arrived, so a saturated server would otherwise pass with a fraction of its load.
 * Without a known response size the received bytes are divided by the bytes seen per request, so
 * the achieved rate equals the sent rate and this check cannot fail.
 */
import { CARRIED_FRACTION } from '../max-rate-search.ts';
import type { LatencyPercentilesMs } from '../run-record.ts';
import type { TcpkaliSummary } from './parse.ts';

export interface TcpkaliFields {
  achieved_rps: number;
  sent_rps: number;
  requests_sent: number;
  /** Received bytes per request sent: the response size tcpkali actually saw. */
  bytes_per_request: number | null;
  latency_ms: LatencyPercentilesMs;
  connect_latency_ms?: LatencyPercentilesMs;
  latency_mean_ms?: number;
  invalid: string | null;
  warnings: string[];
}

export function tcpkaliFields(
  s: TcpkaliSummary,
  requested_rps: number,
  request_bytes: number,
  response_bytes: number | null,
): TcpkaliFields {
  const warnings: string[] = [];
  const sent = s.sent_bytes / request_bytes;
  const bytes_per_request = sent > 0 ? s.received_bytes / sent : null;
  const resp = response_bytes ?? (bytes_per_request === null ? 0 : Math.round(bytes_per_request));
  if (
    response_bytes !== null &&
    bytes_per_request !== null &&
    Math.abs(bytes_per_request - response_bytes) / response_bytes > 0.02
  )
    warnings.push(
      `received ${bytes_per_request.toFixed(1)} bytes per request sent, not the ${response_bytes} expected`,
    );
  const sent_rps = sent / s.duration_s;
  const achieved_rps = resp > 0 ? s.received_bytes / resp / s.duration_s : 0;
  const message = s.latencies.find((l) => l.kind === 'message');
  let invalid: string | null = null;
  if (!message) invalid = 'tcpkali printed no message latency line (was --latency-marker given?)';
  else if (sent_rps < 0.99 * requested_rps)
    invalid = `tcpkali offered ${sent_rps.toFixed(0)} of ${requested_rps} requests/s (client CPU-bound or pacing backlog dropped)`;
  else if (achieved_rps < CARRIED_FRACTION * requested_rps)
    invalid = `responses came back at ${achieved_rps.toFixed(0)} of ${requested_rps} requests/s requested (< ${100 * CARRIED_FRACTION} %: received ${s.received_bytes} bytes / ${resp} per response / ${s.duration_s} s; server saturated or responses lost)`;
  const f: TcpkaliFields = {
    achieved_rps,
    sent_rps,
    requests_sent: Math.round(sent),
    bytes_per_request,
    latency_ms: message?.percentiles_ms ?? {},
    invalid,
    warnings,
  };
  const connect = s.latencies.find((l) => l.kind === 'connect');
  if (connect) f.connect_latency_ms = connect.percentiles_ms;
  if (s.latency_mean_ms !== undefined) f.latency_mean_ms = s.latency_mean_ms;
  return f;
}
