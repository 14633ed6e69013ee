/**
 * Parser of tcpkali's final summary, every format from 0.7 (2015-12) to 1.1 and later (see
 * ../shared/reference/tcpkali-output.txt, section A2):
 *   0.7      "Latency at percentiles: a/b/c (95/99/99.5%)" + "Mean and max latencies: m/x (mean/max)",
 *            no "Packet rate estimate" line;
 *   0.8-0.9  "Packet rate estimate" line, per-kind latency lines, labels printed "%.1f" (95.0/99.0/99.5%);
 *   1.0      labels echoed as typed (95/99/99.5%);
 *   1.1+     " ms" before the label list.
 * Latency values are milliseconds with 0.1 ms resolution in every version.
 *
 * Invariants: the summary block runs from "Total data sent:" to "Test duration:"; every line in it
 * must be one tcpkali prints, in tcpkali's order. Lines outside it (stderr lines such as
 * "Destination:", "Ramped up...", a rate-search result after the block) are ignored. A missing
 * line, an unknown line inside the block, or a block cut off before "Test duration" is an error
 * naming the line: never a partial result. A "#" prefix on every summary line (logs saved by
 * scripts) is stripped.
 */
import type { LatencyPercentilesMs } from '../run-record.ts';

export class TcpkaliParseError extends Error {
  readonly exitCode = 3;
  constructor(
    readonly source: string,
    readonly line: number | null,
    reason: string,
  ) {
    super(`${source}${line === null ? '' : `:${line}`}: tcpkali summary: ${reason}`);
    this.name = 'TcpkaliParseError';
  }
}

export type TcpkaliFormat = '0.7' | '0.8-1.0' | '1.1+' | '0.8+';

export interface TcpkaliLatency {
  /** `message`, `connect` or `firstbyte`; 0.7's single kind-less line is `message`. */
  kind: 'message' | 'connect' | 'firstbyte';
  /** Labels exactly as printed ("95", "99.5", "95.0"), with their values in ms. */
  points: { label: string; percentile: number; ms: number }[];
  /** The same, keyed as run records key them (p95, p99_5, max for 100); labels with no key are omitted. */
  percentiles_ms: LatencyPercentilesMs;
}

export interface TcpkaliSummary {
  format: TcpkaliFormat;
  sent_bytes: number;
  received_bytes: number;
  bandwidth_per_channel_mbps: number;
  aggregate_in_mbps: number;
  aggregate_out_mbps: number;
  message_rate_in_mps?: number;
  message_rate_out_mps?: number;
  /** read()/write() syscalls per second: NOT packets (see reference A). */
  packet_rate_in?: number;
  packet_rate_out?: number;
  latencies: TcpkaliLatency[];
  /** 0.7 only. */
  latency_mean_ms?: number;
  latency_max_ms?: number;
  duration_s: number;
  /** The summary lines as parsed (prefix stripped), for the record's raw_summary. */
  raw: string;
}

const NUM = '(-?\\d+(?:\\.\\d+)?(?:e[-+]?\\d+)?)';
/** An arrow glyph (⇅ ↓ ↑), or whatever a re-encoded log turned it into: anything but space, digit, comma. */
const ARROW = '[^\\s\\d,/()]*';

const PERCENTILE_KEY: Record<string, keyof LatencyPercentilesMs> = {
  '50': 'p50',
  '90': 'p90',
  '95': 'p95',
  '99': 'p99',
  '99.5': 'p99_5',
  '99.9': 'p99_9',
  '99.99': 'p99_99',
  '99.999': 'p99_999',
  '100': 'max',
};

/** Maps a printed percentile label to its record key ("95.0" and "95" both give p95). */
export function percentileKey(label: string): keyof LatencyPercentilesMs | undefined {
  const x = Number(label);
  if (!Number.isFinite(x)) return undefined;
  return PERCENTILE_KEY[String(x)];
}

const RE = {
  sent: /^Total data sent:\s+.*?\((\d+) bytes\)$|^Total data sent:\s+(\d+) bytes$/,
  received: /^Total data received:\s+.*?\((\d+) bytes\)$|^Total data received:\s+(\d+) bytes$/,
  perChannel: new RegExp(`^Bandwidth per channel:\\s+${NUM}${ARROW} Mbps \\(${NUM} kBps\\)$`),
  aggregate: new RegExp(`^Aggregate bandwidth:\\s+${NUM}${ARROW},\\s+${NUM}${ARROW} Mbps$`),
  messageRate: new RegExp(`^Aggregate message rate:\\s+${NUM}${ARROW},\\s+${NUM}${ARROW} mps$`),
  packetRate: new RegExp(
    `^Packet rate estimate:\\s+${NUM}${ARROW},\\s+${NUM}${ARROW} \\((\\d+)${ARROW},\\s+(\\d+)${ARROW} TCP MSS/op\\)$`,
  ),
  latency:
    /^(TCP connect latency|First byte latency|Message latency|Latency) at percentiles:\s+([\d./]+)( ms)? \(([\d./]+)%\)$/,
  meanMax: new RegExp(`^Mean and max latencies:\\s+${NUM}/${NUM} \\(mean/max\\)$`),
  duration: new RegExp(`^Test duration:\\s+${NUM} s\\.$`),
};

const KIND: Record<string, TcpkaliLatency['kind']> = {
  'TCP connect latency': 'connect',
  'First byte latency': 'firstbyte',
  'Message latency': 'message',
  Latency: 'message',
};

function num(s: string | undefined): number {
  return Number(s);
}

/** Parses the final summary out of tcpkali's combined or stdout-only output. */
export function parseTcpkaliSummary(text: string, source = '<tcpkali output>'): TcpkaliSummary {
  // The live status line is redrawn with \r; keep only what follows the last \r of each line.
  const all = text.split('\n').map((l) => {
    const i = l.lastIndexOf('\r');
    return (i >= 0 ? l.slice(i + 1) : l).trimEnd();
  });
  const start = all.findIndex((l) => /^#?Total data sent:/.test(l));
  if (start < 0)
    throw new TcpkaliParseError(source, null, 'no "Total data sent:" line (is this tcpkali output?)');
  const prefix = all[start]!.startsWith('#') ? '#' : '';
  const lines: { n: number; text: string }[] = [];
  let end = -1;
  for (let i = start; i < all.length; i++) {
    let l = all[i]!;
    if (prefix) {
      if (!l.startsWith(prefix)) break;
      l = l.slice(prefix.length);
    }
    lines.push({ n: i + 1, text: l });
    if (/^Test duration:/.test(l)) {
      end = i;
      break;
    }
  }
  if (end < 0) {
    const last = lines[lines.length - 1];
    throw new TcpkaliParseError(
      source,
      last?.n ?? null,
      'cut off: no "Test duration:" line after the summary (the run did not finish or the log is truncated)',
    );
  }

  let k = 0;
  const next = () => lines[k];
  const expect = (re: RegExp, what: string): RegExpExecArray => {
    const l = next();
    if (!l) throw new TcpkaliParseError(source, null, `missing "${what}" line`);
    const m = re.exec(l.text);
    if (!m) throw new TcpkaliParseError(source, l.n, `expected "${what}", got ${JSON.stringify(l.text)}`);
    k++;
    return m;
  };
  const optional = (re: RegExp): RegExpExecArray | null => {
    const l = next();
    const m = l ? re.exec(l.text) : null;
    if (m) k++;
    return m;
  };

  const sent = expect(RE.sent, 'Total data sent: <size> (<N> bytes)');
  const received = expect(RE.received, 'Total data received: <size> (<N> bytes)');
  const perChannel = expect(RE.perChannel, 'Bandwidth per channel: <x>⇅ Mbps (<y> kBps)');
  const aggregate = expect(RE.aggregate, 'Aggregate bandwidth: <in>↓, <out>↑ Mbps');
  const messageRate = optional(RE.messageRate);
  const packetRate = optional(RE.packetRate);

  const latencies: TcpkaliLatency[] = [];
  let withMs: boolean | null = null;
  let kindless = false;
  for (let m = optional(RE.latency); m; m = optional(RE.latency)) {
    const line = lines[k - 1]!;
    const values = m[2]!.split('/');
    const labels = m[4]!.split('/');
    if (values.length !== labels.length || values.some((v) => v === '' || !Number.isFinite(Number(v))))
      throw new TcpkaliParseError(source, line.n, `${values.length} values for ${labels.length} percentiles`);
    const ms = m[3] !== undefined;
    if (withMs !== null && withMs !== ms)
      throw new TcpkaliParseError(source, line.n, 'latency lines disagree on the " ms" unit');
    withMs = ms;
    if (m[1] === 'Latency') kindless = true;
    const points = labels.map((label, i) => ({ label, percentile: Number(label), ms: Number(values[i]) }));
    const percentiles_ms: LatencyPercentilesMs = {};
    for (const p of points) {
      const key = percentileKey(p.label);
      if (key) percentiles_ms[key] = p.ms;
    }
    latencies.push({ kind: KIND[m[1]!]!, points, percentiles_ms });
  }
  const meanMax = optional(RE.meanMax);
  const duration = expect(RE.duration, 'Test duration: <s> s.');
  if (k !== lines.length) throw new TcpkaliParseError(source, lines[k]!.n, 'unexpected line in the summary');

  let format: TcpkaliFormat;
  if (kindless || meanMax) {
    if (packetRate || withMs)
      throw new TcpkaliParseError(source, null, 'mixes the 0.7 latency lines with lines of later versions');
    format = '0.7';
  } else if (!packetRate) {
    throw new TcpkaliParseError(
      source,
      null,
      'missing "Packet rate estimate" line (printed by 0.8 and later)',
    );
  } else if (withMs) format = '1.1+';
  // 0.8-0.9 print labels "95.0", 1.0 echoes what was typed: not separable in general.
  else if (latencies.length > 0) format = '0.8-1.0';
  else format = '0.8+';

  const summary: TcpkaliSummary = {
    format,
    sent_bytes: num(sent[1] ?? sent[2]),
    received_bytes: num(received[1] ?? received[2]),
    bandwidth_per_channel_mbps: num(perChannel[1]),
    aggregate_in_mbps: num(aggregate[1]),
    aggregate_out_mbps: num(aggregate[2]),
    latencies,
    duration_s: num(duration[1]),
    raw: lines.map((l) => l.text).join('\n'),
  };
  if (messageRate) {
    summary.message_rate_in_mps = num(messageRate[1]);
    summary.message_rate_out_mps = num(messageRate[2]);
  }
  if (packetRate) {
    summary.packet_rate_in = num(packetRate[1]);
    summary.packet_rate_out = num(packetRate[2]);
  }
  if (meanMax) {
    summary.latency_mean_ms = num(meanMax[1]);
    summary.latency_max_ms = num(meanMax[2]);
  }
  if (!(summary.duration_s > 0))
    throw new TcpkaliParseError(source, lines[lines.length - 1]!.n, 'test duration is not positive');
  return summary;
}
