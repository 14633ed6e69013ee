/**
 * The namespace lab: builds an option's layout (layout.ts) out of network namespaces, checks that
 * the client reaches the server, starts nginx in the server namespace, and removes all of it.
 *
 * Invariants: everything created is named with the `cns-` prefix; `labDown` finds it by name
 * (not by a state file) so it also cleans up after a crash, and it is idempotent. Processes left
 * in a namespace (nginx) are stopped by pid before the namespace is deleted. ipvlan is probed
 * before use: when the kernel lacks it, the lab refuses, or with `substitute` builds macvlan and
 * says so (option_used/driver); a macvlan lab is never labelled ipvlan.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../cli/errors.ts';
import { CommandError, run, tryRun } from '../exec.ts';
import { generatorArgv, runJsonChild } from '../generator/spawn.ts';
import type { ConnectProbe, HttpProbe } from '../generator/probe.ts';
import { type NginxServer, startNginx } from '../nginx/server.ts';
import { LAB_PREFIX, type LabLayout, type LabOption, labLayout } from './layout.ts';

export class LabError extends Error {
  /** Exit 3: the machine cannot run the lab as asked (not a bug of cnisim). */
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

export interface LabState {
  layout: LabLayout;
  created_at: string;
  dir: string;
  nginx: NginxServer | null;
  /** Why the asked option was replaced, when it was. */
  substitution: string | null;
}

/** Where lab state (nginx config, pid files, state JSON) lives; override with CNISIM_LAB_DIR. */
export function labStateDir(): string {
  return process.env.CNISIM_LAB_DIR ?? join(tmpdir(), 'cnisim-lab');
}

export function listLabNamespaces(prefix = LAB_PREFIX): string[] {
  const r = tryRun(['ip', 'netns', 'list']);
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(prefix));
}

/** Can this process create network namespaces? (root, iproute2, kernel support) */
export function namespacesUsable(): { ok: true } | { ok: false; reason: string } {
  const name = `${LAB_PREFIX}check-${process.pid}`;
  const r = tryRun(['ip', 'netns', 'add', name]);
  if (r.status !== 0) return { ok: false, reason: `cannot create a network namespace: ${r.stderr.trim()}` };
  tryRun(['ip', 'netns', 'del', name]);
  return { ok: true };
}

export interface DriverCheck {
  available: boolean;
  reason: string | null;
}

/** Tries to create a pod interface of `kind` on a veth in a throw-away namespace. */
export function driverAvailable(kind: 'ipvlan' | 'macvlan' | 'vxlan' | 'bridge'): DriverCheck {
  const ns = `${LAB_PREFIX}probe-${process.pid}`;
  tryRun(['ip', 'netns', 'del', ns]);
  try {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', '-n', ns, 'link', 'add', 'cns-p0', 'type', 'veth', 'peer', 'name', 'cns-p1']);
    const args: Record<typeof kind, string[]> = {
      ipvlan: ['link', 'add', 'link', 'cns-p0', 'name', 'cns-t0', 'type', 'ipvlan', 'mode', 'l2'],
      macvlan: ['link', 'add', 'link', 'cns-p0', 'name', 'cns-t0', 'type', 'macvlan', 'mode', 'bridge'],
      vxlan: ['link', 'add', 'cns-t0', 'type', 'vxlan', 'id', '1', 'dstport', '8472', 'nolearning'],
      bridge: ['link', 'add', 'cns-t0', 'type', 'bridge'],
    };
    const r = tryRun(['ip', '-n', ns, ...args[kind]]);
    if (r.status === 0) return { available: true, reason: null };
    return { available: false, reason: `${kind}: ${r.stderr.trim() || `ip exited ${r.status}`}` };
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    tryRun(['ip', 'netns', 'del', ns]);
  }
}

/** Stops every process inside `ns` (by pid) and deletes the namespace; no error if it is gone. */
function deleteNamespace(ns: string): void {
  const pids = tryRun(['ip', 'netns', 'pids', ns])
    .stdout.split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0 && n !== process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (let i = 0; i < 50; i++) {
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    if (alive.length === 0) break;
    if (i === 49) for (const pid of alive) process.kill(pid, 'SIGKILL');
    else tryRun(['sleep', '0.02']);
  }
  tryRun(['ip', 'netns', 'del', ns]);
}

/**
 * Removes labs: all namespaces starting with `prefix` (default: every `cns-` namespace), the
 * processes in them, and their state. Idempotent. Returns the namespaces removed.
 */
export function labDown(prefix: string = LAB_PREFIX): string[] {
  if (!prefix.startsWith(LAB_PREFIX))
    throw new Error(`refusing to remove namespaces outside the ${LAB_PREFIX} prefix`);
  const names = listLabNamespaces(prefix);
  // Pods first, then hosts: deleting a host first would orphan nothing (veths die with either
  // end), but stopping the pods' processes first keeps nginx from logging errors.
  names.sort((x, y) => Number(x.includes('-host')) - Number(y.includes('-host')));
  for (const ns of names) deleteNamespace(ns);
  const dir = labStateDir();
  try {
    for (const f of readdirSync(dir))
      if (f.startsWith(prefix)) rmSync(join(dir, f), { recursive: true, force: true });
  } catch {
    // no state dir
  }
  return names;
}

function stateFile(prefix: string): string {
  return join(labStateDir(), `${prefix}state.json`);
}

export function readLabState(prefix: string): LabState | null {
  try {
    return JSON.parse(readFileSync(stateFile(prefix), 'utf8')) as LabState;
  } catch {
    return null;
  }
}

export async function probeFromClient<T>(
  layout: LabLayout,
  mode: 'probe-connect' | 'probe-http',
  cfg: object,
): Promise<T> {
  const r = await runJsonChild<T & { ok?: boolean; error?: string }>(
    generatorArgv(mode, cfg, { netns: layout.client.netns }),
    15_000,
  );
  if (r.value.ok === false) throw new LabError(r.value.error ?? `${mode} failed`);
  return r.value;
}

export interface LabUpOptions {
  tag?: string;
  /** Build macvlan when ipvlan is asked and missing (records say option_used: macvlan). */
  substitute?: boolean;
  /** Start nginx in the server namespace (default true). */
  nginx?: boolean;
  nginx_cpus?: number[];
  /** Start nginx under SCHED_FIFO 50. */
  rt?: boolean;
  log?: (msg: string) => void;
}

/**
 * Which option really gets built: `option` itself, or macvlan for a missing ipvlan when
 * `substitute` is set. Throws a clear error when the driver is missing and no substitute is allowed.
 */
export function resolveOption(
  option: LabOption,
  substitute: boolean,
  log: (msg: string) => void = () => {},
): { used: LabOption; substitution: string | null } {
  let used: LabOption = option;
  let substitution: string | null = null;
  if (option === 'ipvlan' || option === 'macvlan') {
    const d = driverAvailable(option);
    if (!d.available) {
      if (option === 'ipvlan' && substitute) {
        const m = driverAvailable('macvlan');
        if (!m.available)
          throw new LabError(`neither ipvlan nor macvlan is available: ${d.reason}; ${m.reason}`);
        used = 'macvlan';
        substitution = `ipvlan is not available on this kernel (${d.reason}); built macvlan (bridge mode) instead`;
        log(`lab: ${substitution}. Records say option_used: macvlan, driver: macvlan.`);
      } else {
        throw new InputError(
          'option',
          option,
          `the ${option} driver is not available on this kernel (${d.reason})${option === 'ipvlan' ? '; use --option macvlan, or --substitute to build macvlan in its place (recorded as macvlan)' : ''}`,
        );
      }
    }
  }
  return { used, substitution };
}

export async function labUp(option: LabOption, opts: LabUpOptions = {}): Promise<LabState> {
  const log = opts.log ?? (() => {});
  const { used, substitution } = resolveOption(option, opts.substitute ?? false, log);
  const layout = labLayout(option, opts.tag ?? 'lab', used);
  labDown(layout.prefix); // idempotent up: start from nothing
  const dir = join(labStateDir(), `${layout.prefix}files`);
  try {
    for (const cmd of layout.commands) run(cmd);
    const c = await probeFromClient<ConnectProbe>(layout, 'probe-connect', {
      host: layout.server.ip,
      port: 80,
    });
    if (!c.reachable)
      throw new LabError(
        `${layout.client.netns} cannot reach ${layout.server.ip}:80 (${c.detail}): the lab is broken`,
      );
    log(
      `lab: ${option === used ? option : `${option} (built as ${used})`} up, client ${layout.client.ip} reaches server ${layout.server.ip}`,
    );
    let nginx: NginxServer | null = null;
    if (opts.nginx ?? true) {
      mkdirSync(dir, { recursive: true });
      nginx = await startNginx({
        dir,
        netns: layout.server.netns,
        ip: layout.server.ip,
        worker_cpus: opts.nginx_cpus ?? [1],
        rt: opts.rt ?? false,
        probe: (request) =>
          probeFromClient<HttpProbe>(layout, 'probe-http', { host: layout.server.ip, port: 80, request }),
      });
      log(
        `lab: nginx ${nginx.version} in ${layout.server.netns}: ${nginx.files.small.path} = ${nginx.files.small.response_bytes} bytes, ${nginx.files.large.path} = ${nginx.files.large.response_bytes} bytes`,
      );
    }
    const state: LabState = { layout, created_at: new Date().toISOString(), dir, nginx, substitution };
    mkdirSync(labStateDir(), { recursive: true });
    writeFileSync(stateFile(layout.prefix), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  } catch (e) {
    labDown(layout.prefix);
    if (e instanceof CommandError) throw new LabError(`building the ${used} lab failed: ${e.message}`);
    throw e;
  }
}

export interface LabStatusEntry {
  prefix: string;
  namespaces: string[];
  state: LabState | null;
}

/** Every lab on the machine, grouped by prefix (namespaces without state are crash leftovers). */
export function labStatus(): LabStatusEntry[] {
  const groups = new Map<string, string[]>();
  for (const ns of listLabNamespaces()) {
    const m = /^(cns-.*-)(hostA|hostB|podA|podB)$/.exec(ns);
    const prefix = m?.[1] ?? ns;
    groups.set(prefix, [...(groups.get(prefix) ?? []), ns]);
  }
  return [...groups].map(([prefix, namespaces]) => ({ prefix, namespaces, state: readLabState(prefix) }));
}

/**
 * Installs SIGINT/SIGTERM handlers that run `cleanup` synchronously and exit (130 / 143).
 * Returns a function that removes them.
 */
export function onInterrupt(cleanup: () => void): () => void {
  const handler = (sig: NodeJS.Signals) => {
    process.stderr.write(`\ncnisim: ${sig}: cleaning up the lab\n`);
    try {
      cleanup();
    } finally {
      process.exit(sig === 'SIGINT' ? 130 : 143);
    }
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
