/**
 * Starting nginx for a run (inside a lab namespace, or on the local host for `harness run` on a
 * target), sizing its two files so the complete responses are exactly 350 bytes and 4096 bytes of
 * body plus headers, checked by real requests, and stopping it.
 *
 * nginx's headers (Date, Last-Modified, ETag, Content-Length...) depend on the body size, so the
 * body of /r350 is found by fixed-point iteration: body = 350 - header bytes of the last response.
 * The files' mtime is fixed so Last-Modified and ETag do not change between runs.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { run, tryRun } from '../exec.ts';
import type { HttpProbe } from '../generator/probe.ts';
import { nginxConfig } from './config.ts';

export const SMALL_PATH = '/r350';
export const SMALL_RESPONSE_BYTES = 350;
export const LARGE_PATH = '/r4096';
export const LARGE_BODY_BYTES = 4096;
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

export interface NginxFile {
  path: string;
  response_bytes: number;
  body_bytes: number;
}

export interface NginxServer {
  dir: string;
  conf: string;
  netns?: string;
  master_pid: number;
  version: string;
  worker_cpus: number[];
  files: { small: NginxFile; large: NginxFile };
}

export class NginxError extends Error {
  /** Exit 3: nginx missing or refusing to start is a property of the machine, not a bug. */
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'NginxError';
  }
}

export function nginxVersion(): string | null {
  const r = tryRun(['nginx', '-v']);
  if (r.status !== 0) return null;
  return /nginx\/(\S+)/.exec(r.stderr + r.stdout)?.[1] ?? 'unknown';
}

/** An HTTP/1.1 GET with the Host header the harness uses everywhere (its size goes in records). */
export function httpRequest(path: string, host: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
}

function writeBody(file: string, bytes: number): void {
  // Filler that can never contain the latency marker "HTTP/1.1".
  writeFileSync(file, Buffer.alloc(bytes, 0x61));
  chmodSync(file, 0o644);
  utimesSync(file, FIXED_MTIME, FIXED_MTIME);
}

function inNs(netns: string | undefined, argv: string[]): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/** Process ids whose parent is `ppid` (nginx workers of a master). */
export function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // the process exited while we looked
    }
  }
  return out;
}

export interface StartNginxOptions {
  dir: string;
  netns?: string;
  ip: string;
  port?: number;
  worker_cpus: number[];
  /** Run nginx under SCHED_FIFO 50 (chrt), as the generator with --rt. */
  rt?: boolean;
  /** Sends one request from the client side and measures the response. */
  probe: (request: string) => Promise<HttpProbe>;
}

export async function startNginx(o: StartNginxOptions): Promise<NginxServer> {
  const version = nginxVersion();
  if (version === null) throw new NginxError('nginx is not installed (Debian: apt-get install nginx-light)');
  const port = o.port ?? 80;
  mkdirSync(join(o.dir, 'www'), { recursive: true });
  for (const d of [o.dir, join(o.dir, 'www')]) chmodSync(d, 0o755);
  const conf = join(o.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig({ dir: o.dir, listen: `${o.ip}:${port}`, worker_cpus: o.worker_cpus }));
  const small = join(o.dir, 'www', SMALL_PATH.slice(1));
  const large = join(o.dir, 'www', LARGE_PATH.slice(1));
  writeBody(small, 112);
  writeBody(large, LARGE_BODY_BYTES);
  const errorLog = join(o.dir, 'error.log');
  const test = tryRun(inNs(o.netns, ['nginx', '-t', '-q', '-c', conf, '-e', errorLog]));
  if (test.status !== 0)
    throw new NginxError(`nginx rejects its configuration: ${(test.stderr || test.stdout).trim()}`);
  const start = tryRun(
    inNs(o.netns, [...(o.rt ? ['chrt', '-f', '50'] : []), 'nginx', '-c', conf, '-e', errorLog]),
  );
  if (start.status !== 0) {
    const log = existsSync(errorLog)
      ? readFileSync(errorLog, 'utf8').trim().split('\n').slice(-2).join(' | ')
      : '';
    throw new NginxError(`nginx will not start: ${(start.stderr || log || `exit ${start.status}`).trim()}`);
  }
  const pidFile = join(o.dir, 'nginx.pid');
  let master = 0;
  for (let i = 0; i < 50 && master === 0; i++) {
    if (existsSync(pidFile)) master = Number(readFileSync(pidFile, 'utf8').trim()) || 0;
    if (master === 0) await new Promise((r) => setTimeout(r, 20));
  }
  if (master === 0) throw new NginxError(`nginx started but wrote no pid file (${pidFile})`);
  const server: NginxServer = {
    dir: o.dir,
    conf,
    master_pid: master,
    version,
    worker_cpus: o.worker_cpus,
    files: {
      small: { path: SMALL_PATH, response_bytes: 0, body_bytes: 0 },
      large: { path: LARGE_PATH, response_bytes: 0, body_bytes: LARGE_BODY_BYTES },
    },
  };
  if (o.netns) server.netns = o.netns;
  try {
    const host = o.ip;
    let body = 112;
    let last: HttpProbe | null = null;
    for (let i = 0; i < 5; i++) {
      last = await o.probe(httpRequest(SMALL_PATH, host));
      if (last.status !== 200) throw new NginxError(`GET ${SMALL_PATH} answered ${last.status}, not 200`);
      if (last.total_bytes === SMALL_RESPONSE_BYTES) break;
      body = SMALL_RESPONSE_BYTES - last.header_bytes;
      if (body <= 0)
        throw new NginxError(
          `nginx headers alone are ${last.header_bytes} bytes: cannot make a 350-byte response`,
        );
      writeBody(small, body);
    }
    if (!last || last.total_bytes !== SMALL_RESPONSE_BYTES)
      throw new NginxError(
        `could not size ${SMALL_PATH} to a ${SMALL_RESPONSE_BYTES}-byte response (last: ${last?.total_bytes})`,
      );
    server.files.small = { path: SMALL_PATH, response_bytes: last.total_bytes, body_bytes: last.body_bytes };
    const big = await o.probe(httpRequest(LARGE_PATH, host));
    if (big.status !== 200 || big.body_bytes !== LARGE_BODY_BYTES)
      throw new NginxError(`GET ${LARGE_PATH} answered ${big.status} with ${big.body_bytes} body bytes`);
    server.files.large = { path: LARGE_PATH, response_bytes: big.total_bytes, body_bytes: big.body_bytes };
  } catch (e) {
    stopNginx(server);
    throw e;
  }
  return server;
}

/** Stops nginx (fast shutdown) and waits for the master to go; idempotent. */
export function stopNginx(server: Pick<NginxServer, 'master_pid'>): void {
  try {
    process.kill(server.master_pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(server.master_pid, 0);
    } catch {
      return;
    }
    run(['sleep', '0.02']);
  }
  try {
    process.kill(server.master_pid, 'SIGKILL');
  } catch {
    // gone
  }
}
