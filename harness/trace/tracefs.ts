/**
 * Setting up and tearing down the kernel's event tracing (tracefs) for one tracing session.
 *
 * Invariant: `restore()` puts back every tracefs file this session wrote, byte for byte as read
 * before the first write (tracing_on, buffer size, current tracer, trace clock, output options,
 * each event's enable), in reverse order, and unmounts tracefs if the session mounted it. It is
 * synchronous (it runs from a SIGINT handler), idempotent, and best effort per file: one file that
 * cannot be written does not stop the others; the failures are returned. The trace buffer itself
 * is cleared at open and at restore (its previous content cannot be kept).
 *
 * Only the events the analysis needs are enabled (TRACE_EVENTS): scheduler switches and wake-ups,
 * IPI sends, and entry/exit of the lab's I/O syscalls. Other events that were enabled are turned
 * off for the session (and back on at restore), so the trace holds nothing else. Each enabled event
 * costs the traced task time at every occurrence: that is the tracing overhead the reports state.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tryRun } from '../exec.ts';

export const TRACEFS_ROOT = '/sys/kernel/tracing';

export class TracefsError extends Error {
  /** Exit 3: the machine cannot trace as asked (not root, no tracefs), not a bug of cnisim. */
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'TracefsError';
  }
}

export interface TraceEventSpec {
  /** `<subsystem>/<event>` under events/. */
  path: string;
  /** Missing optional events are skipped (the report says so); missing required ones fail. */
  optional: boolean;
}

const SYSCALLS = ['write', 'read', 'writev', 'sendfile64', 'recvfrom', 'epoll_wait', 'epoll_pwait'];

export const TRACE_EVENTS: readonly TraceEventSpec[] = [
  { path: 'sched/sched_switch', optional: false },
  { path: 'sched/sched_waking', optional: false },
  { path: 'sched/sched_wakeup', optional: false },
  // Since Linux 6.6; without them the syscalls cannot be split by IPI.
  { path: 'ipi/ipi_send_cpu', optional: true },
  { path: 'ipi/ipi_send_cpumask', optional: true },
  ...SYSCALLS.flatMap((s) => [
    { path: `syscalls/sys_enter_${s}`, optional: false },
    { path: `syscalls/sys_exit_${s}`, optional: false },
  ]),
];

/** Output options that change the text format parse.ts reads, and the values it needs. */
const FORMAT_OPTIONS: Record<string, string> = {
  raw: '0',
  hex: '0',
  bin: '0',
  'latency-format': '0',
  'context-info': '1',
  fields: '0',
};

/** Clocks counting nanoseconds (the trace's timestamps are then seconds.microseconds). */
const NS_CLOCKS = new Set(['local', 'global', 'perf', 'mono', 'mono_raw', 'boot', 'tai', 'uptime']);

/** What the tests compare before and after a session: every file a session may change. */
export interface TracefsState {
  tracing_on: string;
  buffer_size_kb: string;
  per_cpu_buffer_size_kb: string[];
  current_tracer: string;
  trace_clock: string;
  /** Enabled events as `set_event` lists them, sorted. */
  enabled_events: string[];
  options: Record<string, string>;
}

function read(root: string, rel: string): string {
  return readFileSync(join(root, rel), 'utf8');
}

/** The selected word of a `[selected] other other` file. */
function selected(text: string): string {
  const m = /\[([^\]]+)\]/.exec(text);
  return m ? m[1]! : text.trim();
}

function perCpuDirs(root: string): string[] {
  const out: string[] = [];
  for (let cpu = 0; existsSync(join(root, 'per_cpu', `cpu${cpu}`)); cpu++) out.push(`per_cpu/cpu${cpu}`);
  return out;
}

export function readTracefsState(root = TRACEFS_ROOT): TracefsState {
  const options: Record<string, string> = {};
  for (const o of Object.keys(FORMAT_OPTIONS))
    if (existsSync(join(root, 'options', o))) options[o] = read(root, `options/${o}`).trim();
  return {
    tracing_on: read(root, 'tracing_on').trim(),
    buffer_size_kb: read(root, 'buffer_size_kb').trim(),
    per_cpu_buffer_size_kb: perCpuDirs(root).map((d) => read(root, `${d}/buffer_size_kb`).trim()),
    current_tracer: read(root, 'current_tracer').trim(),
    trace_clock: selected(read(root, 'trace_clock')),
    enabled_events: read(root, 'set_event')
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean)
      .sort(),
    options,
  };
}

function isMounted(root: string): boolean {
  try {
    return readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .some((l) => {
        const f = l.split(' ');
        return f[1] === root && f[2] === 'tracefs';
      });
  } catch {
    return false;
  }
}

/**
 * Can this process trace? Root, and tracefs mounted at `root` or mountable there (a cheap check
 * before building a lab; openTraceSession checks again and mounts).
 */
export function tracingUsable(root = TRACEFS_ROOT): { ok: true } | { ok: false; reason: string } {
  if (process.getuid?.() !== 0) return { ok: false, reason: 'tracing needs root (ftrace through tracefs)' };
  if (existsSync(join(root, 'trace'))) return { ok: true };
  if (!existsSync(root) || isMounted(root))
    return { ok: false, reason: `tracefs is not available at ${root} (kernel without CONFIG_FTRACE?)` };
  return { ok: true };
}

export interface TraceSessionOptions {
  /** tracefs mount point (tests pass a fake directory). */
  root?: string;
  /** Per-CPU ring buffer wanted, KiB: grown to it when smaller, never shrunk. */
  buffer_kb: number;
  /** Check for root and mount tracefs when needed (default true; false for a fake root). */
  system?: boolean;
  log?: (msg: string) => void;
}

export interface TraceSession {
  readonly root: string;
  /** Path of the `trace` file to read after stop(). */
  readonly tracePath: string;
  /** Events enabled, and optional ones this kernel lacks. */
  readonly enabled: string[];
  readonly missing: string[];
  readonly mounted: boolean;
  /** Per-CPU buffer during the session, KiB. */
  readonly buffer_kb: number;
  start(): void;
  stop(): void;
  /** Empties the ring buffer. */
  clear(): void;
  /** Puts everything back (idempotent); returns the files that could not be restored. */
  restore(): string[];
}

/**
 * Opens a session: checks root and tracefs (mounting it when it is not), saves and sets the state,
 * enables the events with tracing off and an empty buffer. On any failure everything done so far
 * is restored before the error is thrown.
 */
export function openTraceSession(opts: TraceSessionOptions): TraceSession {
  const root = opts.root ?? TRACEFS_ROOT;
  const system = opts.system ?? true;
  const log = opts.log ?? (() => {});
  if (system && process.getuid?.() !== 0)
    throw new TracefsError('tracing needs root (ftrace through tracefs): run as root');
  let mounted = false;
  if (!existsSync(join(root, 'trace'))) {
    if (!system) throw new TracefsError(`${root} is not a tracefs (no trace file)`);
    if (isMounted(root) || !existsSync(root))
      throw new TracefsError(`tracefs is not available at ${root} (kernel without CONFIG_FTRACE?)`);
    const r = tryRun(['mount', '-t', 'tracefs', 'nodev', root]);
    if (r.status !== 0 || !existsSync(join(root, 'trace')))
      throw new TracefsError(
        `tracefs is not available: mount -t tracefs nodev ${root} failed: ${r.stderr.trim()}`,
      );
    mounted = true;
    log(`trace: mounted tracefs at ${root} (unmounted afterwards)`);
  }

  /** Files written by this session, with their content before the first write, in write order. */
  const saved: { rel: string; before: string }[] = [];
  const savedRels = new Set<string>();
  const set = (rel: string, value: string, before?: string) => {
    if (!savedRels.has(rel)) {
      saved.push({ rel, before: before ?? read(root, rel).trim() });
      savedRels.add(rel);
    }
    writeFileSync(join(root, rel), value);
  };
  let restored = false;
  const restore = (): string[] => {
    if (restored) return [];
    restored = true;
    const failed: string[] = [];
    const attempt = (what: string, f: () => void) => {
      try {
        f();
      } catch (e) {
        failed.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    attempt('tracing_on', () => writeFileSync(join(root, 'tracing_on'), '0'));
    attempt('trace', () => writeFileSync(join(root, 'trace'), ''));
    for (const { rel, before } of [...saved].reverse())
      if (rel !== 'tracing_on') attempt(rel, () => writeFileSync(join(root, rel), before));
    const on = saved.find((s) => s.rel === 'tracing_on');
    if (on) attempt('tracing_on', () => writeFileSync(join(root, 'tracing_on'), on.before));
    if (mounted) {
      const r = tryRun(['umount', root]);
      if (r.status !== 0) failed.push(`umount ${root}: ${r.stderr.trim()}`);
    }
    return failed;
  };

  try {
    const before = readTracefsState(root);
    // A tracefs mounted just now reads tracing_on 1 (the kernel's default): only one that was
    // mounted already says that someone turned tracing on.
    if (before.tracing_on !== '0' && !mounted)
      log(
        'trace: tracing was on (someone else tracing?): it is off during the session and back on afterwards',
      );
    set('tracing_on', '0');
    if (before.current_tracer !== 'nop') set('current_tracer', 'nop');
    if (!NS_CLOCKS.has(before.trace_clock)) set('trace_clock', 'local', before.trace_clock);
    for (const [o, want] of Object.entries(FORMAT_OPTIONS))
      if (before.options[o] !== undefined && before.options[o] !== want) set(`options/${o}`, want);
    for (const [name, ev] of [
      ['set_event_pid', 'set_event_pid'],
      ['set_event_notrace_pid', 'set_event_notrace_pid'],
    ] as const)
      if (existsSync(join(root, ev)) && read(root, ev).trim() !== '')
        throw new TracefsError(`tracefs has a pid filter in ${name} (someone else tracing?): clear it first`);
    // Everything enabled before goes off for the session (back on at restore).
    for (const e of before.enabled_events) {
      const rel = `events/${e.replace(':', '/')}/enable`;
      if (existsSync(join(root, rel))) set(rel, '0', read(root, rel).trim().slice(0, 1));
    }
    const enabled: string[] = [];
    const missing: string[] = [];
    for (const ev of TRACE_EVENTS) {
      const rel = `events/${ev.path}/enable`;
      if (!existsSync(join(root, rel))) {
        if (ev.optional) {
          missing.push(ev.path);
          continue;
        }
        throw new TracefsError(
          `this kernel has no ${ev.path} trace event (needs CONFIG_FTRACE_SYSCALLS for syscalls)`,
        );
      }
      const filter = join(root, 'events', ev.path, 'filter');
      if (existsSync(filter) && read(root, `events/${ev.path}/filter`).trim() !== 'none')
        throw new TracefsError(`events/${ev.path}/filter is set (someone else tracing?): clear it first`);
      set(rel, '1', read(root, rel).trim().slice(0, 1));
      enabled.push(ev.path);
    }
    // The ring buffer: grown when smaller than asked. `X` means the CPUs' sizes differ (each is
    // saved); `7 (expanded: 1408)` is a buffer never used yet, put back at its expanded size.
    let buffer_kb = opts.buffer_kb;
    const sizes = before.per_cpu_buffer_size_kb.map((s) => Number.parseInt(s, 10));
    const top = before.buffer_size_kb;
    const expanded = /expanded:\s*(\d+)/.exec(top)?.[1];
    const current = expanded ? Number(expanded) : top === 'X' ? Math.min(...sizes) : Number.parseInt(top, 10);
    if (!(current >= opts.buffer_kb)) {
      if (top === 'X') for (const d of perCpuDirs(root)) set(`${d}/buffer_size_kb`, String(opts.buffer_kb));
      else set('buffer_size_kb', String(opts.buffer_kb), expanded ?? top);
    } else buffer_kb = current;
    writeFileSync(join(root, 'trace'), '');
    return {
      root,
      tracePath: join(root, 'trace'),
      enabled,
      missing,
      mounted,
      buffer_kb,
      start: () => writeFileSync(join(root, 'tracing_on'), '1'),
      stop: () => writeFileSync(join(root, 'tracing_on'), '0'),
      clear: () => writeFileSync(join(root, 'trace'), ''),
      restore,
    };
  } catch (e) {
    restore();
    if (e instanceof TracefsError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM')
      throw new TracefsError(`cannot write tracefs (${(e as Error).message}): tracing needs root`);
    throw e;
  }
}
