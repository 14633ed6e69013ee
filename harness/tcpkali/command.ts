/**
 * The exact tcpkali command line of one step, as the seed study ran it: persistent connections,
 * each sending at total/connections requests per second, the HTTP request given with -em (escapes
 * unescaped by tcpkali), latency measured to the "HTTP/1.1" marker of each response, the full set
 * of percentiles the run records carry.
 */
import { InputError } from '../../cli/errors.ts';
import { shellLine } from '../shell.ts';

export const TCPKALI_PERCENTILES = ['50', '90', '95', '99', '99.5', '99.9', '99.99', '99.999'] as const;

export interface TcpkaliStep {
  /** `host:port` of the server (tcpkali resolves names itself). */
  target: string;
  connections: number;
  /** Total offered requests per second over all connections. */
  total_rps: number;
  duration_s: number;
  /** The complete HTTP request, with real CR LF characters. */
  request: string;
  /** Defaults to `HTTP/1.1`, which starts every response (and must not occur in the body). */
  latency_marker?: string;
  percentiles?: readonly string[];
  /** tcpkali -w; default: let tcpkali pick (one per core). */
  workers?: number;
  /** New connections per second during ramp-up (tcpkali default 100). */
  connect_rate?: number;
  /** tcpkali's --write-combine (on by default in tcpkali: several due messages per write()). */
  write_combine: boolean;
  /** CPU list for `taskset -c`, e.g. `18-35`. */
  taskset_cpus?: string;
  /** Path or name of the binary; default `tcpkali`. */
  binary?: string;
}

/** Escapes a message for tcpkali -e: backslash, CR, LF, tab and other control bytes as \xHH. */
export function tcpkaliEscape(message: string): string {
  let out = '';
  for (const ch of message) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** A rate as tcpkali takes it: plain decimal, at most 6 decimals, no exponent. */
export function formatRate(x: number): string {
  return Number(x.toFixed(6)).toString();
}

export interface TcpkaliCommand {
  argv: string[];
  command_line: string;
  per_connection_rps: number;
}

export function buildTcpkaliCommand(step: TcpkaliStep): TcpkaliCommand {
  if (!Number.isInteger(step.connections) || step.connections <= 0)
    throw new InputError('connections', step.connections, 'must be a whole number greater than 0');
  if (!(step.total_rps > 0)) throw new InputError('rate', step.total_rps, 'must be greater than 0');
  if (!(step.duration_s > 0)) throw new InputError('duration_s', step.duration_s, 'must be greater than 0');
  if (!/^[^\s:]+:\d+$/.test(step.target) && !/^\[[0-9a-fA-F:]+\]:\d+$/.test(step.target))
    throw new InputError('target', step.target, 'must be host:port');
  const marker = step.latency_marker ?? 'HTTP/1.1';
  if (!step.request.includes('\r\n\r\n'))
    throw new InputError('request', step.request, 'is not a complete HTTP request (no blank line)');
  const per = step.total_rps / step.connections;
  if (Number(formatRate(per)) === 0)
    throw new InputError(
      'rate',
      step.total_rps,
      `gives ${per} requests/s per connection, below tcpkali's resolution`,
    );
  const argv: string[] = [];
  if (step.taskset_cpus) argv.push('taskset', '-c', step.taskset_cpus);
  argv.push(step.binary ?? 'tcpkali');
  argv.push('-c', String(step.connections));
  if (step.workers !== undefined) argv.push('-w', String(step.workers));
  argv.push('--connect-rate', String(step.connect_rate ?? Math.max(100, Math.min(10_000, step.connections))));
  argv.push('-r', formatRate(per));
  argv.push('-T', `${formatRate(step.duration_s)}s`);
  argv.push('-em', tcpkaliEscape(step.request));
  argv.push('--latency-marker', marker);
  argv.push('--latency-percentiles', (step.percentiles ?? TCPKALI_PERCENTILES).join(','));
  argv.push(`--write-combine=${step.write_combine ? 'on' : 'off'}`);
  argv.push(step.target);
  return { argv, command_line: shellLine(argv), per_connection_rps: per };
}
