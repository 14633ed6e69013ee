/**
 * ftrace's text output (`/sys/kernel/tracing/trace`), one line at a time, into typed events.
 *
 * Line format (the default `trace` output; `record-tgid` adds a `(tgid)` column, `irq-info off`
 * drops the flags column, both are accepted):
 *
 *     <comm>-<pid>  [<cpu>] <flags> <seconds.micros>: <event>: <details>
 *     <comm>-<pid>  [<cpu>] <flags> <seconds.micros>: sys_write(fd: 0x1f, buf: ..., count: 0x2b)
 *     <comm>-<pid>  [<cpu>] <flags> <seconds.micros>: sys_write -> 0x2b
 *
 * `<comm>-<pid>` is the task current on that CPU when the event fired (softirq and IRQ work is
 * charged to whoever was interrupted; `<idle>-0` is the idle task). A comm may itself contain
 * dashes, colons or spaces (`memfd:sealed-91-16210`): the pid is after the last dash before the
 * CPU column. Comment lines (`#`) carry the header (`entries-in-buffer/entries-written`) and the
 * `##### CPU n buffer started ####` marks that say a CPU's oldest events were overwritten.
 *
 * Cost: one pass over each line with indexOf/charCodeAt, no regular expression per line; traces of
 * 100+ MB are streamed (parseTraceStream), never held in memory.
 */

interface EventHead {
  /** Timestamp in microseconds (ftrace's clock: `local` by default, any ns clock works). */
  ts_us: number;
  cpu: number;
  /** The task current on `cpu` (0: idle). */
  pid: number;
  comm: string;
}

export type TraceEvent =
  | (EventHead & {
      type: 'sched_switch';
      prev_comm: string;
      prev_pid: number;
      /** `S` sleeping, `D` uninterruptible, `R`/`R+` preempted (still runnable), ... */
      prev_state: string;
      next_comm: string;
      next_pid: number;
    })
  | (EventHead & {
      type: 'sched_waking' | 'sched_wakeup';
      wakee_comm: string;
      wakee_pid: number;
      target_cpu: number;
    })
  /** ipi_send_cpu (`cpus` is the CPU number) or ipi_send_cpumask (`cpus` is the mask as printed). */
  | (EventHead & { type: 'ipi_send'; cpus: string })
  /** A syscall entry; `syscall` without the `sys_` prefix (`write`, `epoll_pwait`). */
  | (EventHead & { type: 'sys_enter'; syscall: string })
  /** A syscall exit with its return value (negative: -errno). */
  | (EventHead & { type: 'sys_exit'; syscall: string; ret: number })
  /** Any other event (netif_rx, softirq_entry, ...): kept by name, not analysed. */
  | (EventHead & { type: 'other'; name: string });

export interface TraceHeader {
  /** From `# entries-in-buffer/entries-written: a/b`: b - a events were overwritten (lost). */
  entries_in_buffer: number | null;
  entries_written: number | null;
  /** CPUs whose buffer wrapped: their first events are missing (`##### CPU n buffer started ####`). */
  buffer_started_cpus: number[];
}

export interface ParseCounts {
  lines: number;
  events: number;
  /** Non-comment, non-empty lines that are not events (reported, never silently dropped). */
  unparsed: number;
  /** The first few unparsed lines, for the error message. */
  unparsed_examples: string[];
}

export interface TraceSink {
  event(ev: TraceEvent): void;
}

const SPACE = 32;

/** Integer after `key` in `s` (from `from`), up to the next non-digit; NaN when absent. */
function intAfter(s: string, key: string, from = 0): number {
  const i = s.indexOf(key, from);
  if (i < 0) return Number.NaN;
  let j = i + key.length;
  const start = j;
  if (s.charCodeAt(j) === 45) j++; // '-'
  while (j < s.length) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j > start ? Number(s.slice(start, j)) : Number.NaN;
}

/** The text between `key` and `end` (comms may contain spaces). */
function between(s: string, key: string, end: string, from = 0): { value: string; next: number } | null {
  const i = s.indexOf(key, from);
  if (i < 0) return null;
  const j = s.indexOf(end, i + key.length);
  if (j < 0) return null;
  return { value: s.slice(i + key.length, j), next: j };
}

/** A syscall's return as printed (`0x2b`, `0xfffffffffffffff5` for -11, or decimal): a signed number. */
export function parseSyscallReturn(raw: string): number {
  const s = raw.trim();
  if (s.startsWith('0x')) {
    // 64-bit two's complement: negative returns are -errno, which fits the low 32 bits.
    if (s.length === 18 && s.charCodeAt(2) >= 56 /* '8' */) return Number.parseInt(s.slice(10), 16) | 0;
    return Number.parseInt(s.slice(2), 16);
  }
  return Number(s);
}

/** `47361.995476` (seconds) in microseconds, exact for 6 decimals. */
function parseTimestampUs(s: string): number {
  const dot = s.indexOf('.');
  if (dot < 0) return Number(s) * 1e6;
  const frac = s.slice(dot + 1);
  return Number(s.slice(0, dot)) * 1e6 + Number(frac) * 10 ** (6 - frac.length);
}

/** Index of the `[cpu]` column's `[`: the first `[digits]` preceded by a space or `)`. */
function cpuColumn(line: string): number {
  let i = line.indexOf('[');
  while (i > 0) {
    const before = line.charCodeAt(i - 1);
    if (before === SPACE || before === 41 /* ')' */) {
      let j = i + 1;
      while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
      if (j > i + 1 && line.charCodeAt(j) === 93 /* ']' */) return i;
    }
    i = line.indexOf('[', i + 1);
  }
  return -1;
}

/**
 * One line of `trace` into an event; null for comments, blank lines, and lines that are not
 * events (the caller counts those). Header lines go to parseTraceHeaderLine.
 */
export function parseTraceLine(line: string): TraceEvent | null {
  let p = 0;
  while (p < line.length && line.charCodeAt(p) === SPACE) p++;
  if (p >= line.length || line.charCodeAt(p) === 35 /* '#' */) return null;
  const br = cpuColumn(line);
  if (br < 0) return null;
  let head = line.slice(p, br).trimEnd();
  if (head.endsWith(')')) head = head.slice(0, head.lastIndexOf('(')).trimEnd(); // record-tgid
  const dash = head.lastIndexOf('-');
  if (dash < 0) return null;
  const comm = head.slice(0, dash);
  const pid = Number(head.slice(dash + 1));
  const close = line.indexOf(']', br);
  const cpu = Number(line.slice(br + 1, close));
  // flags (optional), then the timestamp ending in ':'
  let q = close + 1;
  while (line.charCodeAt(q) === SPACE) q++;
  let tokEnd = line.indexOf(' ', q);
  if (tokEnd < 0) return null;
  if (line.charCodeAt(tokEnd - 1) !== 58 /* ':' */) {
    q = tokEnd;
    while (line.charCodeAt(q) === SPACE) q++;
    tokEnd = line.indexOf(' ', q);
    if (tokEnd < 0 || line.charCodeAt(tokEnd - 1) !== 58) return null;
  }
  const ts_us = parseTimestampUs(line.slice(q, tokEnd - 1));
  if (!Number.isFinite(ts_us) || !Number.isFinite(pid) || !Number.isFinite(cpu)) return null;
  // event name: up to ':' (details follow), '(' (syscall entry) or ' ' (syscall exit ` -> ret`)
  const n0 = tokEnd + 1;
  let n1 = n0;
  let c = 0;
  while (n1 < line.length) {
    c = line.charCodeAt(n1);
    if (c === 58 || c === 40 || c === SPACE) break;
    n1++;
  }
  const name = line.slice(n0, n1);
  const base = { ts_us, cpu, pid, comm };
  if (name.startsWith('sys_')) {
    const syscall = name.slice(4);
    if (c === 40) return { ...base, type: 'sys_enter', syscall };
    const arrow = line.indexOf('-> ', n1);
    if (arrow >= 0)
      return { ...base, type: 'sys_exit', syscall, ret: parseSyscallReturn(line.slice(arrow + 3)) };
    return { ...base, type: 'other', name };
  }
  const details = line.slice(n1 + 2);
  switch (name) {
    case 'sched_switch': {
      const prev = between(details, 'prev_comm=', ' prev_pid=');
      const next = prev && between(details, '==> next_comm=', ' next_pid=', prev.next);
      if (!prev || !next) return null;
      const stateAt = details.indexOf('prev_state=', prev.next);
      const stateEnd = details.indexOf(' ', stateAt);
      return {
        ...base,
        type: 'sched_switch',
        prev_comm: prev.value,
        prev_pid: intAfter(details, ' prev_pid=', prev.next),
        prev_state: stateAt < 0 ? '' : details.slice(stateAt + 11, stateEnd < 0 ? undefined : stateEnd),
        next_comm: next.value,
        next_pid: intAfter(details, ' next_pid=', next.next),
      };
    }
    case 'sched_waking':
    case 'sched_wakeup': {
      const w = between(details, 'comm=', ' pid=');
      if (!w) return null;
      return {
        ...base,
        type: name,
        wakee_comm: w.value,
        wakee_pid: intAfter(details, ' pid=', w.next),
        target_cpu: intAfter(details, 'target_cpu=', w.next),
      };
    }
    case 'ipi_send_cpu':
    case 'ipi_send_cpumask': {
      const key = name === 'ipi_send_cpu' ? 'cpu=' : 'cpumask=';
      const i = details.indexOf(key);
      const j = details.indexOf(' ', i);
      return {
        ...base,
        type: 'ipi_send',
        cpus: i < 0 ? '' : details.slice(i + key.length, j < 0 ? undefined : j),
      };
    }
    default:
      return { ...base, type: 'other', name };
  }
}

/** Folds a comment line into the header (entries counts, wrapped CPU buffers). */
export function parseTraceHeaderLine(line: string, header: TraceHeader): void {
  const e = line.indexOf('entries-in-buffer/entries-written:');
  if (e >= 0) {
    const rest = line.slice(e + 34).trim();
    const slash = rest.indexOf('/');
    header.entries_in_buffer = Number.parseInt(rest.slice(0, slash), 10);
    header.entries_written = Number.parseInt(rest.slice(slash + 1), 10);
    return;
  }
  const b = line.indexOf('CPU ');
  if (line.startsWith('#####') && b >= 0 && line.includes('buffer started'))
    header.buffer_started_cpus.push(Number.parseInt(line.slice(b + 4), 10));
}

export function emptyHeader(): TraceHeader {
  return { entries_in_buffer: null, entries_written: null, buffer_started_cpus: [] };
}

/** Parses one line into the sink, the header or the counts. */
function feed(line: string, sink: TraceSink, header: TraceHeader, counts: ParseCounts): void {
  counts.lines++;
  const ev = parseTraceLine(line);
  if (ev) {
    counts.events++;
    sink.event(ev);
    return;
  }
  const t = line.trimStart();
  if (t.startsWith('#')) parseTraceHeaderLine(t, header);
  else if (t !== '') {
    counts.unparsed++;
    if (counts.unparsed_examples.length < 3) counts.unparsed_examples.push(line);
  }
}

/** Parses a whole trace held in a string (tests, small traces). */
export function parseTraceText(text: string, sink: TraceSink): { header: TraceHeader; counts: ParseCounts } {
  const header = emptyHeader();
  const counts: ParseCounts = { lines: 0, events: 0, unparsed: 0, unparsed_examples: [] };
  let start = 0;
  while (start < text.length) {
    let nl = text.indexOf('\n', start);
    if (nl < 0) nl = text.length;
    feed(text.slice(start, nl), sink, header, counts);
    start = nl + 1;
  }
  return { header, counts };
}

/**
 * Parses a trace streamed in string chunks (a `createReadStream(path, { encoding: 'utf8' })` of
 * the tracefs `trace` file or a saved copy): memory stays at one chunk plus one line.
 */
export async function parseTraceStream(
  chunks: AsyncIterable<string>,
  sink: TraceSink,
): Promise<{ header: TraceHeader; counts: ParseCounts }> {
  const header = emptyHeader();
  const counts: ParseCounts = { lines: 0, events: 0, unparsed: 0, unparsed_examples: [] };
  let carry = '';
  for await (const chunk of chunks) {
    const text = carry + chunk;
    let start = 0;
    let nl = text.indexOf('\n');
    while (nl >= 0) {
      feed(text.slice(start, nl), sink, header, counts);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  }
  if (carry !== '') feed(carry, sink, header, counts);
  return { header, counts };
}
