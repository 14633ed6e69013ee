/**
 * harness/trace/parse.ts: ftrace text lines into events, on hand-written lines of every form the
 * parser accepts, on the hand-made trace (streamed in small chunks: the same events as parsed
 * whole), and on two real excerpts of the lab, whose counts per event type were taken with grep.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseSyscallReturn,
  parseTraceLine,
  parseTraceStream,
  parseTraceText,
  type TraceEvent,
} from '../../harness/trace/parse.ts';

const FX = join(import.meta.dirname, 'fixtures', 'ftrace');
const read = (f: string) => readFileSync(join(FX, f), 'utf8');

function collect(text: string): { events: TraceEvent[]; parsed: ReturnType<typeof parseTraceText> } {
  const events: TraceEvent[] = [];
  const parsed = parseTraceText(text, { event: (e) => events.push(e) });
  return { events, parsed };
}

describe('parseTraceLine', () => {
  it('reads a syscall entry and exit, with the task, CPU and timestamp in microseconds', () => {
    expect(
      parseTraceLine(
        '            node-17371   [000] ..... 47361.995511: sys_write(fd: 0x23, buf: 0x1ab1bb78, count: 0x2b)',
      ),
    ).toEqual({ ts_us: 47361995511, cpu: 0, pid: 17371, comm: 'node', type: 'sys_enter', syscall: 'write' });
    expect(parseTraceLine('           nginx-17195   [001] ..... 47361.995596: sys_writev -> 0xee')).toEqual({
      ts_us: 47361995596,
      cpu: 1,
      pid: 17195,
      comm: 'nginx',
      type: 'sys_exit',
      syscall: 'writev',
      ret: 238,
    });
  });

  it('reads sched_switch, with comms holding spaces, dashes and colons', () => {
    expect(
      parseTraceLine(
        '  Web Content-4242  [001] d..2. 10.000001: sched_switch: prev_comm=Web Content prev_pid=4242 prev_prio=120 prev_state=R+ ==> next_comm=memfd:sealed-91 next_pid=16210 next_prio=120',
      ),
    ).toEqual({
      ts_us: 10000001,
      cpu: 1,
      pid: 4242,
      comm: 'Web Content',
      type: 'sched_switch',
      prev_comm: 'Web Content',
      prev_pid: 4242,
      prev_state: 'R+',
      next_comm: 'memfd:sealed-91',
      next_pid: 16210,
    });
    const e = parseTraceLine(
      ' memfd:sealed-91-16210   [000] d..2. 47361.997353: sched_switch: prev_comm=memfd:sealed-91 prev_pid=16210 prev_prio=120 prev_state=S ==> next_comm=node next_pid=17371 next_prio=120',
    );
    expect(e).toMatchObject({ comm: 'memfd:sealed-91', pid: 16210, prev_state: 'S', next_pid: 17371 });
  });

  it('reads sched_waking / sched_wakeup and both IPI events', () => {
    expect(
      parseTraceLine(
        '          <idle>-0       [001] dNh2. 47361.995554: sched_wakeup: comm=nginx pid=17195 prio=120 target_cpu=001',
      ),
    ).toEqual({
      ts_us: 47361995554,
      cpu: 1,
      pid: 0,
      comm: '<idle>',
      type: 'sched_wakeup',
      wakee_comm: 'nginx',
      wakee_pid: 17195,
      target_cpu: 1,
    });
    expect(
      parseTraceLine(
        '            node-17371   [000] d.s7. 47361.995523: ipi_send_cpu: cpu=1 callsite=ttwu_queue_wakelist+0x11d/0x150 callback=generic_smp_call_function_single_interrupt+0x0/0x10',
      ),
    ).toMatchObject({ type: 'ipi_send', cpus: '1', pid: 17371 });
    expect(
      parseTraceLine(
        '            node-1   [000] d.h.. 1.000000: ipi_send_cpumask: cpumask=0-1 callsite=smp_call_function_many_cond+0x1/0x2 callback=0x0',
      ),
    ).toMatchObject({ type: 'ipi_send', cpus: '0-1' });
  });

  it('accepts the record-tgid column, no flags column (irq-info off) and nanosecond timestamps', () => {
    expect(
      parseTraceLine('            node-17371 (  17371) [000] ..... 47361.995511: sys_write -> 0x2b'),
    ).toMatchObject({ comm: 'node', pid: 17371, cpu: 0, ret: 43 });
    expect(
      parseTraceLine(
        '          <idle>-0     (-------) [001] dNh2. 5.000001: sched_wakeup: comm=a pid=3 prio=120 target_cpu=001',
      ),
    ).toMatchObject({
      pid: 0,
      wakee_pid: 3,
    });
    expect(parseTraceLine('            node-17371   [000] 47361.995511: sys_read -> 0x15e')).toMatchObject({
      ts_us: 47361995511,
      ret: 350,
    });
    const ns = parseTraceLine('            node-1   [000] ..... 47361.995511123: sys_read -> 0x1');
    expect(ns!.ts_us).toBeCloseTo(47361995511.123, 3);
  });

  it('keeps other events by name; returns null for comments, blanks and non-events', () => {
    expect(
      parseTraceLine(
        ' kworker/0:1-my-wq-57    [000] ..s1. 1000.000400: netif_rx: dev=cns-wire skbaddr=000000006f8ed43d len=95',
      ),
    ).toEqual({
      ts_us: 1000000400,
      cpu: 0,
      pid: 57,
      comm: 'kworker/0:1-my-wq',
      type: 'other',
      name: 'netif_rx',
    });
    expect(parseTraceLine('# tracer: nop')).toBeNull();
    expect(parseTraceLine('')).toBeNull();
    expect(parseTraceLine('this line is not an event')).toBeNull();
  });

  it('reads syscall returns as signed numbers (-errno in 64-bit two’s complement)', () => {
    expect(parseSyscallReturn('0x2b')).toBe(43);
    expect(parseSyscallReturn('0xfffffffffffffff5')).toBe(-11);
    expect(parseSyscallReturn('0xffffffffffffffff')).toBe(-1);
    expect(parseSyscallReturn('0')).toBe(0);
    expect(parseSyscallReturn('-4')).toBe(-4);
  });
});

describe('parseTraceText / parseTraceStream on the hand-made trace', () => {
  const text = read('hand.trace');

  it('counts events, the header, the wrapped CPU and the line that is not an event', () => {
    const { events, parsed } = collect(text);
    expect(parsed.counts).toMatchObject({ events: 41, unparsed: 1 });
    expect(parsed.counts.unparsed_examples).toEqual(['this line is not an event']);
    expect(parsed.header).toEqual({ entries_in_buffer: 41, entries_written: 43, buffer_started_cpus: [1] });
    const byType = new Map<string, number>();
    for (const e of events) byType.set(e.type, (byType.get(e.type) ?? 0) + 1);
    // Counted in the file: 7 switches, 4 wakings, 4 wakeups, 1 IPI, 12 entries, 12 exits, 1 other.
    expect(Object.fromEntries(byType)).toEqual({
      sched_switch: 7,
      sched_waking: 4,
      sched_wakeup: 4,
      ipi_send: 1,
      sys_enter: 12,
      sys_exit: 12,
      other: 1,
    });
  });

  it('streams in small chunks to exactly the events parsed whole', async () => {
    const whole = collect(text).events;
    async function* chunks() {
      for (let i = 0; i < text.length; i += 7) yield text.slice(i, i + 7);
    }
    const streamed: TraceEvent[] = [];
    const r = await parseTraceStream(chunks(), { event: (e) => streamed.push(e) });
    expect(streamed).toEqual(whole);
    expect(r.header.entries_written).toBe(43);
  });
});

describe('the real excerpts (net-host lab, 8000 and 16000 requests/s)', () => {
  // Counts per event type taken with grep on the fixture files (see fixtures/ftrace/README.md).
  const expected: Record<string, Record<string, number>> = {
    'excerpt-8000.trace': {
      sched_switch: 38,
      sched_waking: 43,
      sched_wakeup: 43,
      ipi_send: 13,
      sys_enter: 767,
      sys_exit: 767,
    },
    'excerpt-16000.trace': {
      sched_switch: 15,
      sched_waking: 10,
      sched_wakeup: 9,
      ipi_send: 5,
      sys_enter: 684,
      sys_exit: 686,
    },
  };
  for (const [file, counts] of Object.entries(expected))
    it(`${file}: every line parses, the counts match grep, and every syscall exit pairs with an entry`, () => {
      const { events, parsed } = collect(read(file));
      expect(parsed.counts.unparsed).toBe(0);
      expect(parsed.counts.events).toBe(parsed.counts.lines);
      const byType: Record<string, number> = {};
      for (const e of events) byType[e.type] = (byType[e.type] ?? 0) + 1;
      expect(byType).toEqual(counts);
      // Per task: an exit closes the entry of the same syscall just before it; only each task's
      // first exit may lack its entry (the syscall began before the excerpt).
      const open = new Map<number, string>();
      const seen = new Set<number>();
      let orphanExits = 0;
      let timeBackwards = 0;
      let last = 0;
      for (const e of events) {
        if (e.ts_us < last) timeBackwards++;
        last = e.ts_us;
        if (e.type === 'sys_enter') {
          expect(open.has(e.pid), `${e.pid} enters ${e.syscall} inside another syscall`).toBe(false);
          open.set(e.pid, e.syscall);
          seen.add(e.pid);
        } else if (e.type === 'sys_exit') {
          const o = open.get(e.pid);
          if (o === undefined) {
            expect(seen.has(e.pid), `${e.pid}: exit of ${e.syscall} without entry, not at its start`).toBe(
              false,
            );
            orphanExits++;
          } else expect(o).toBe(e.syscall);
          open.delete(e.pid);
          seen.add(e.pid);
        }
      }
      expect(timeBackwards).toBe(0);
      expect(orphanExits).toBe(byType.sys_exit! - byType.sys_enter! + open.size);
    });
});
