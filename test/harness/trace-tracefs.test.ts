/**
 * harness/trace/tracefs.ts on a fake tracefs (plain files in a temp directory): what a session
 * writes, and that restore puts every file back as it was, also when opening fails half-way. The
 * real tracefs is checked before and after a live run in trace-lab.test.ts. And the lab lock
 * (harness/trace/lab-lock.ts) on a lock file of its own, never the real one.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { haveCommand } from '../../harness/exec.ts';
import { acquireLabLock, LabLockError, labLockHolders } from '../../harness/trace/lab-lock.ts';
import { openTraceSession, TRACE_EVENTS, TracefsError, tracingUsable } from '../../harness/trace/tracefs.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fake tracefs: every file the session reads, with a state a previous user left behind. */
function fakeTracefs(over: Record<string, string | null> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'cns-tracefs-'));
  dirs.push(root);
  const files: Record<string, string | null> = {
    trace: '# old trace\n',
    tracing_on: '1\n',
    buffer_size_kb: '1408\n',
    'per_cpu/cpu0/buffer_size_kb': '1408\n',
    'per_cpu/cpu1/buffer_size_kb': '1408\n',
    current_tracer: 'function\n',
    trace_clock: '[counter] local global x86-tsc\n',
    set_event: 'irq:irq_handler_entry\n',
    set_event_pid: '',
    'events/irq/irq_handler_entry/enable': '1\n',
    'options/raw': '1\n',
    'options/context-info': '1\n',
    'options/hex': '0\n',
    ...Object.fromEntries(
      TRACE_EVENTS.flatMap((e) => [
        [`events/${e.path}/enable`, '0\n'],
        [`events/${e.path}/filter`, 'none\n'],
      ]),
    ),
    ...over,
  };
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) continue;
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Every file under the fake root, path -> content. */
function snapshot(root: string, rel = '', out: Record<string, string> = {}): Record<string, string> {
  const abs = join(root, rel);
  if (statSync(abs).isDirectory())
    for (const f of readdirSync(abs)) snapshot(root, rel ? `${rel}/${f}` : f, out);
  else out[rel] = readFileSync(abs, 'utf8').trim();
  return out;
}

const file = (root: string, rel: string) => readFileSync(join(root, rel), 'utf8').trim();

describe('openTraceSession on a fake tracefs', () => {
  it('sets exactly what tracing needs, and restore puts every file back', () => {
    const root = fakeTracefs({
      'events/ipi/ipi_send_cpumask/enable': null,
      'events/ipi/ipi_send_cpumask/filter': null,
    });
    const before = snapshot(root);
    const s = openTraceSession({ root, system: false, buffer_kb: 4096 });
    expect(s.missing).toEqual(['ipi/ipi_send_cpumask']);
    expect(s.enabled).toHaveLength(TRACE_EVENTS.length - 1);
    expect(s.buffer_kb).toBe(4096);
    expect(file(root, 'tracing_on')).toBe('0');
    expect(file(root, 'current_tracer')).toBe('nop');
    expect(file(root, 'trace_clock')).toBe('local');
    expect(file(root, 'buffer_size_kb')).toBe('4096');
    expect(file(root, 'options/raw')).toBe('0');
    expect(file(root, 'trace')).toBe('');
    expect(file(root, 'events/irq/irq_handler_entry/enable')).toBe('0');
    for (const e of s.enabled) expect(file(root, `events/${e}/enable`), e).toBe('1');
    s.start();
    expect(file(root, 'tracing_on')).toBe('1');
    s.stop();
    expect(file(root, 'tracing_on')).toBe('0');
    expect(s.restore()).toEqual([]);
    const after = snapshot(root);
    // The trace buffer is emptied (its old content cannot be kept); every other file as before,
    // the trace clock as its selected name.
    expect(after.trace).toBe('');
    expect(after.trace_clock).toBe('counter');
    delete before.trace;
    delete after.trace;
    delete before.trace_clock;
    delete after.trace_clock;
    expect(after).toEqual(before);
    expect(s.restore()).toEqual([]); // idempotent
  });

  it('never shrinks a larger buffer, and handles per-CPU sizes that differ', () => {
    const big = fakeTracefs({ buffer_size_kb: '262147\n' });
    const s = openTraceSession({ root: big, system: false, buffer_kb: 4096 });
    expect(s.buffer_kb).toBe(262147);
    expect(file(big, 'buffer_size_kb')).toBe('262147');
    s.restore();
    const mixed = fakeTracefs({
      buffer_size_kb: 'X\n',
      'per_cpu/cpu0/buffer_size_kb': '1408\n',
      'per_cpu/cpu1/buffer_size_kb': '2816\n',
    });
    const m = openTraceSession({ root: mixed, system: false, buffer_kb: 4096 });
    expect(file(mixed, 'per_cpu/cpu0/buffer_size_kb')).toBe('4096');
    expect(file(mixed, 'per_cpu/cpu1/buffer_size_kb')).toBe('4096');
    m.restore();
    expect(file(mixed, 'per_cpu/cpu0/buffer_size_kb')).toBe('1408');
    expect(file(mixed, 'per_cpu/cpu1/buffer_size_kb')).toBe('2816');
    // A buffer never used yet shows its expanded size: put back at that size.
    const fresh = fakeTracefs({ buffer_size_kb: '7 (expanded: 1408)\n' });
    const f = openTraceSession({ root: fresh, system: false, buffer_kb: 4096 });
    f.restore();
    expect(file(fresh, 'buffer_size_kb')).toBe('1408');
  });

  it('fails with exit 3 and leaves everything as it was when a required event is missing', () => {
    const root = fakeTracefs({ 'events/syscalls/sys_exit_recvfrom/enable': null });
    const before = snapshot(root);
    let err: unknown;
    try {
      openTraceSession({ root, system: false, buffer_kb: 4096 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TracefsError);
    expect((err as TracefsError).exitCode).toBe(3);
    expect((err as Error).message).toMatch(/syscalls\/sys_exit_recvfrom/);
    const after = snapshot(root);
    delete before.trace;
    delete after.trace;
    before.trace_clock = 'counter';
    after.trace_clock = 'counter';
    expect(after).toEqual(before);
  });

  it('says tracing was on only when it found it on in a tracefs already mounted', () => {
    // A fake root counts as mounted already (the session did not mount it): tracing_on 1 there was
    // set by someone. A tracefs the session mounts itself is checked live (trace-lab.test.ts).
    const said: string[] = [];
    const on = openTraceSession({
      root: fakeTracefs(),
      system: false,
      buffer_kb: 1,
      log: (m) => said.push(m),
    });
    on.restore();
    expect(said.join('\n')).toMatch(/tracing was on \(someone else tracing\?\)/);
    said.length = 0;
    const off = fakeTracefs({ tracing_on: '0\n' });
    openTraceSession({ root: off, system: false, buffer_kb: 1, log: (m) => said.push(m) }).restore();
    expect(said.join('\n')).not.toMatch(/tracing was on/);
  });

  it("refuses someone else's event filter or pid filter, and a directory that is not a tracefs", () => {
    const f = fakeTracefs({ 'events/sched/sched_switch/filter': 'prev_pid != 0\n' });
    expect(() => openTraceSession({ root: f, system: false, buffer_kb: 1 })).toThrow(/filter is set/);
    expect(file(f, 'tracing_on')).toBe('1');
    const p = fakeTracefs({ set_event_pid: '123\n' });
    expect(() => openTraceSession({ root: p, system: false, buffer_kb: 1 })).toThrow(/pid filter/);
    expect(() => openTraceSession({ root: tmpdir(), system: false, buffer_kb: 1 })).toThrow(TracefsError);
    const u = tracingUsable('/nonexistent-tracefs');
    expect(u.ok).toBe(false);
  });
});

describe.skipIf(!haveCommand('flock'))('the lab lock (on a lock file of its own)', () => {
  it('is held while acquired, released after, and a second taker waits then fails with exit 3', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cns-lock-'));
    dirs.push(dir);
    const path = join(dir, 'lab.lock');
    const lock = await acquireLabLock({ wait_s: 5, path });
    expect(lock.inherited).toBe(false);
    expect(labLockHolders(path)).toHaveLength(1);
    const t0 = Date.now();
    const second = acquireLabLock({ wait_s: 0.5, path });
    await expect(second).rejects.toBeInstanceOf(LabLockError);
    await expect(second).rejects.toMatchObject({ exitCode: 3 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    lock.release();
    for (let i = 0; i < 50 && labLockHolders(path).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(labLockHolders(path)).toEqual([]);
    const again = await acquireLabLock({ wait_s: 1, path });
    again.release();
  });
});
