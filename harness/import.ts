/**
 * `harness import`: turns the step directories collected by `harness plan`'s client.sh into run
 * records (source `target`). Each step directory holds meta.json, tcpkali.log, tcpkali.exit,
 * started_at, ended_at and four counter dumps (client/server, before/after).
 *
 * Validity: a tcpkali log that is cut off or in an unknown format, a non-zero exit, no message
 * latency line, tcpkali sending less than 99 % of the requested rate, or responses coming back at
 * less than 97 % of it (tcpkali/record.ts) make the record invalid with the reason. A meta.json that
 * is not valid JSON or not a step's meta is invalid input (exit 3) naming the file: nothing is
 * imported. Counter dumps that are missing or cut off leave `counters` out, with a warning.
 * Counters cover the whole tcpkali process (connection ramp-up included); tcpkali's own figures
 * exclude the ramp-up.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../cli/errors.ts';
import { dumpFs, parseDumpSections, snapshotFromDump } from './counters/dump.ts';
import { diffSnapshots } from './counters/snapshot.ts';
import { parseCpuList } from './cpulist.ts';
import { StepMeta } from './plan.ts';
import { RUN_RECORD_SCHEMA_VERSION, type HostCounters, type RunRecord } from './run-record.ts';
import { shellLine } from './shell.ts';
import { parseTcpkaliSummary, type TcpkaliSummary } from './tcpkali/parse.ts';
import { tcpkaliFields } from './tcpkali/record.ts';
import { readTuning } from './tuning/readback.ts';

function readText(p: string): string | null {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function hostFromDump(
  text: string | null,
  name: string,
  role: 'server' | 'client',
  iface: string,
): RunRecord['hosts']['server'] {
  const h: RunRecord['hosts']['server'] = { name, role, interface: iface };
  if (!text) return h;
  const s = parseDumpSections(text);
  const k = s.get('/proc/sys/kernel/osrelease')?.trim();
  if (k) h.kernel = k;
  const online = s.get('/sys/devices/system/cpu/online');
  if (online) h.cpus = parseCpuList(online).length;
  const numa: { node: number; cpus: number[] }[] = [];
  for (const [key, v] of s) {
    const m = /^\/sys\/devices\/system\/node\/node(\d+)\/cpulist$/.exec(key);
    if (m) numa.push({ node: Number(m[1]), cpus: parseCpuList(v) });
  }
  if (numa.length) h.numa = numa.sort((a, b) => a.node - b.node);
  return h;
}

/** The step's meta.json as client.sh wrote it; anything else is an InputError naming the file. */
export function readStepMeta(dir: string): StepMeta {
  const file = join(dir, 'meta.json');
  const text = readText(file);
  if (text === null) throw new InputError(file, dir, 'cannot read (not a step directory of client.sh)');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InputError(file, text.slice(0, 60), `not valid JSON (${e instanceof Error ? e.message : e})`);
  }
  const r = StepMeta.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    const got = i.path.reduce<unknown>(
      (v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined),
      raw,
    );
    throw new InputError(
      `${file} ${i.path.map(String).join('.') || '(root)'}`,
      got,
      `not a step's meta.json of client.sh: ${i.message}`,
    );
  }
  return r.data;
}

export function importStep(dir: string, run_id: string): RunRecord {
  const meta = readStepMeta(dir);
  const warnings: string[] = [];
  let invalid: string | null = null;

  let summary: TcpkaliSummary | null = null;
  const exit = readText(join(dir, 'tcpkali.exit'))?.trim();
  const log = readText(join(dir, 'tcpkali.log'));
  if (log === null) invalid = 'no tcpkali.log';
  else {
    try {
      summary = parseTcpkaliSummary(log, join(dir, 'tcpkali.log'));
    } catch (e) {
      invalid = e instanceof Error ? e.message : String(e);
    }
  }
  if (!invalid && exit !== undefined && exit !== '0') invalid = `tcpkali exited with status ${exit}`;
  const request_bytes = Buffer.byteLength(meta.request, 'latin1');
  const fields = summary
    ? tcpkaliFields(summary, meta.requested_rps, request_bytes, meta.response_bytes)
    : null;
  if (!invalid && fields?.invalid) invalid = fields.invalid;
  if (fields) warnings.push(...fields.warnings);
  const response_bytes =
    meta.response_bytes ?? (fields?.bytes_per_request ? Math.round(fields.bytes_per_request) : 0);
  const duration_s = summary?.duration_s ?? meta.duration_s;
  const sent_rps = fields?.sent_rps ?? 0;

  let counters: RunRecord['counters'];
  try {
    const f = (iface: string) => (name: string) => name.startsWith(iface);
    const pair = (who: 'client' | 'server', iface: string): HostCounters => {
      const a = readText(join(dir, `${who}-before.txt`));
      const b = readText(join(dir, `${who}-after.txt`));
      if (a === null || b === null) throw new Error(`${who} counter dumps missing`);
      return diffSnapshots(
        snapshotFromDump(a, f(iface), `${who}-before.txt`),
        snapshotFromDump(b, f(iface), `${who}-after.txt`),
      );
    };
    counters = {
      scope: 'per-host',
      note: 'target hosts: counters span the whole tcpkali process, connection ramp-up included; tcpkali figures exclude it',
      server: pair('server', meta.server_interface),
      client: pair('client', meta.client_interface),
    };
  } catch (e) {
    warnings.push(`no counters: ${e instanceof Error ? e.message : String(e)}`);
  }

  const serverBefore = readText(join(dir, 'server-before.txt'));
  const clientBefore = readText(join(dir, 'client-before.txt'));
  const tuningOf = (text: string | null, iface: string) =>
    text === null
      ? undefined
      : readTuning(dumpFs(parseDumpSections(text)), {
          interfaces: [iface],
          irqPattern: new RegExp(`^${iface.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        });
  const version = readText(join(dir, '..', 'tcpkali-version.txt'));
  const started = readText(join(dir, 'started_at'))?.trim();
  const ended = readText(join(dir, 'ended_at'))?.trim();
  const iso = (s: string | undefined) =>
    s && !Number.isNaN(Date.parse(s)) ? new Date(s).toISOString() : null;

  const record: RunRecord = {
    schema_version: RUN_RECORD_SCHEMA_VERSION,
    run_id,
    step_index: meta.step_index,
    repeat: meta.repeat,
    source: 'target',
    started_at: iso(started) ?? new Date(statSync(join(dir, 'meta.json')).mtimeMs).toISOString(),
    ended_at: iso(ended) ?? iso(started) ?? new Date(statSync(join(dir, 'meta.json')).mtimeMs).toISOString(),
    option: meta.option,
    option_used: meta.option,
    driver: meta.driver,
    hosts: {
      server: hostFromDump(serverBefore, meta.server, 'server', meta.server_interface),
      client: hostFromDump(clientBefore, meta.client, 'client', meta.client_interface),
    },
    generator: {
      name: 'tcpkali',
      version: /(\d+\.\d+(?:\.\d+)?)/.exec(version ?? '')?.[1] ?? 'unknown',
      argv: meta.argv,
      command_line: shellLine(meta.argv),
      loop: 'open',
      workers: meta.workers,
      ...(meta.cpus ? { cpus: meta.cpus } : {}),
      write_combine: meta.write_combine,
      kept_up: sent_rps >= 0.99 * meta.requested_rps,
    },
    requested_rps: meta.requested_rps,
    achieved_rps: fields?.achieved_rps ?? 0,
    connections: meta.connections,
    duration_s,
    request_bytes,
    response_bytes,
    requests_sent: fields?.requests_sent ?? 0,
    latency_ms: fields?.latency_ms ?? {},
    latency_kind: 'from_write',
    latency_resolution_ms: 0.1,
    valid: invalid === null,
    invalid_reason: invalid,
    warnings,
  };
  if (summary) record.raw_summary = summary.raw;
  if (fields?.connect_latency_ms) record.connect_latency_ms = fields.connect_latency_ms;
  if (fields?.latency_mean_ms !== undefined) record.latency_mean_ms = fields.latency_mean_ms;
  if (counters) record.counters = counters;
  const st = tuningOf(serverBefore, meta.server_interface);
  const ct = tuningOf(clientBefore, meta.client_interface);
  if (st || ct) record.tuning = { ...(st ? { server: st } : {}), ...(ct ? { client: ct } : {}) };
  return record;
}

/** Step directories under `dir` (those holding a meta.json), in name order. */
export function listStepDirs(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'meta.json')));
}
