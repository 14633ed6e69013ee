import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCpuList, parseCpuMask, formatCpuList, formatCpuMask } from '../../harness/cpulist.ts';
import { parseInterrupts, parseSnmp, parseSoftnetStat, parseSoftirqs } from '../../harness/counters/proc.ts';
import { diffNetnsTcp, diffSnapshots, takeSnapshot } from '../../harness/counters/snapshot.ts';
import { readHostFacts } from '../../harness/hostinfo.ts';

const root = (n: 'a' | 'b') => join(import.meta.dirname, 'fixtures', `fakeroot-${n}`);

describe('counter snapshots on a fake /proc (fixtures: a real 6.x /proc, b = a plus known increments)', () => {
  const a = takeSnapshot({ root: root('a'), pids: [4242] });
  const b = takeSnapshot({ root: root('b'), pids: [4242] });
  const d = diffSnapshots(a, b);

  it('reads every file', () => {
    expect(a.unreadable).toEqual([]);
    expect(a.stat?.length).toBe(2);
  });
  it('/proc/stat deltas per CPU in jiffies', () => {
    expect(d.cpu?.[0]).toMatchObject({ cpu: 0, user_jiffies: 10, softirq_jiffies: 5, idle_jiffies: 0 });
    expect(d.cpu?.[1]).toMatchObject({ cpu: 1, user_jiffies: 0, idle_jiffies: 100 });
  });
  it('NET_RX / NET_TX deltas per CPU', () => {
    expect(d.softirqs).toEqual([
      { cpu: 0, net_rx: 4000, net_tx: 0 },
      { cpu: 1, net_rx: 8, net_tx: 3 },
    ]);
  });
  it('softnet_stat deltas modulo 2^32 (cpu 0 wraps from fffffff0)', () => {
    expect(d.softnet?.[0]).toMatchObject({ cpu: 0, processed: 4000, time_squeeze: 2, dropped: 0 });
    expect(d.softnet?.[1]).toMatchObject({ cpu: 1, processed: 16 });
  });
  it('TCP counters from /proc/net/snmp', () => {
    expect(d.tcp?.retrans_segs).toBe(7);
    expect(d.tcp?.out_segs).toBe(4000);
    expect(d.tcp?.changed).toEqual({ 'Tcp.OutSegs': 4000, 'Tcp.RetransSegs': 7 });
  });
  it('task CPU time from schedstat, context switches from status (slept 90, preempted 10: the 100 timeslices)', () => {
    expect(d.server_tasks).toEqual([
      {
        pid: 4242,
        comm: 'nginx',
        cpus_allowed: '1',
        run_ns: 4_000_000,
        wait_ns: 500,
        timeslices: 100,
        voluntary_switches: 90,
        involuntary_switches: 10,
      },
    ]);
  });
  it('a missing file is listed as unreadable, its field left out (never zeros)', () => {
    const s = takeSnapshot({ root: '/nonexistent-cnisim-root' });
    expect(s.stat).toBeUndefined();
    expect(s.unreadable.some((u) => u.startsWith('proc/stat:'))).toBe(true);
    expect(diffSnapshots(s, s).cpu).toBeUndefined();
  });
});

describe('TCP counters of other network namespaces (the lab: the sockets are not in ours)', () => {
  // /proc/net/snmp is per namespace: the lab's traffic shows only in the server's and the client's
  // namespace, read through /proc/PID/net/* of a process inside each (here: pid 77 server, 88 client).
  const fakeNs = (n: 'a' | 'b') => {
    const dir = mkdtempSync(join(tmpdir(), 'cns-netns-'));
    dirs.push(dir);
    const net = join(root(n), 'proc', 'net');
    for (const [pid, from] of [
      [77, net],
      [88, join(root('a'), 'proc', 'net')],
    ] as const) {
      mkdirSync(join(dir, 'proc', String(pid), 'net'), { recursive: true });
      for (const f of ['snmp', 'netstat'])
        copyFileSync(join(from, f), join(dir, 'proc', String(pid), 'net', f));
    }
    // The snapshot's own namespace moved too: it must not be read.
    cpSync(join(root(n === 'a' ? 'b' : 'a'), 'proc', 'net'), join(dir, 'proc', 'net'), { recursive: true });
    return dir;
  };
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const netnsTcp = { server: { pid: 77 }, client: { pid: 88 } };

  it("reads /proc/PID/net/snmp and netstat of each side's process, not its own namespace's", () => {
    const a = takeSnapshot({ root: fakeNs('a'), netnsTcp });
    const b = takeSnapshot({ root: fakeNs('b'), netnsTcp });
    expect(a.snmp).toBeUndefined();
    expect(a.netnsSnmp?.server?.['Tcp.OutSegs']).toBe(6222);
    expect(a.unreadable.filter((u) => u.includes('/net/'))).toEqual([]);
    expect(diffSnapshots(a, b).tcp).toBeUndefined();
    const d = diffNetnsTcp(a, b);
    expect(d.server?.tcp).toMatchObject({ out_segs: 4000, retrans_segs: 7 });
    expect(d.server?.tcp?.changed).toEqual({ 'Tcp.OutSegs': 4000, 'Tcp.RetransSegs': 7 });
    expect(d.client?.tcp).toMatchObject({ out_segs: 0, in_segs: 0, changed: {} });
    expect(d.server?.interval_s).toBeGreaterThanOrEqual(0);
  });

  it('a side that cannot be read is left out and listed unreadable (never zeros)', () => {
    const s = takeSnapshot({ root: fakeNs('a'), netnsTcp: { server: { pid: 99 } } });
    expect(s.netnsSnmp?.server).toBeUndefined();
    expect(s.unreadable.some((u) => u.startsWith('proc/99/net/snmp:'))).toBe(true);
    expect(diffNetnsTcp(s, s)).toEqual({});
  });
});

describe('proc parsers', () => {
  it('softirqs with offline CPUs keeps the header CPU numbers', () => {
    const s = parseSoftirqs('      CPU0  CPU3\n  NET_TX: 1 2\n  NET_RX: 10 20\n');
    expect(s.cpus).toEqual([0, 3]);
    expect(s.counts.NET_RX).toEqual([10, 20]);
  });
  it('interrupts: NIC queue lines with their action names; ERR/MIS lines skipped', () => {
    const t =
      '           CPU0       CPU1\n 265:   100   5  PCI-MSI 1-edge  eth0-TxRx-0\n 266:   1   200  PCI-MSI 2-edge  eth0-TxRx-1\nERR:          0\n';
    const p = parseInterrupts(t);
    expect(p.lines.map((l) => [l.irq, l.name, l.per_cpu])).toEqual([
      ['265', 'eth0-TxRx-0', [100, 5]],
      ['266', 'eth0-TxRx-1', [1, 200]],
    ]);
  });
  it('softnet_stat of an old kernel (11 words, no CPU index) numbers rows in order', () => {
    const rows = parseSoftnetStat('0000000a 00000001 00000002 0 0 0 0 0 0 00000005 00000000\n');
    expect(rows[0]).toEqual({
      cpu: 0,
      processed: 10,
      dropped: 1,
      time_squeeze: 2,
      received_rps: 5,
      flow_limit_count: 0,
    });
  });
  it('snmp: a header line without its value line is an error', () => {
    expect(() => parseSnmp('Tcp: A B\nUdp: 1 2\n')).toThrow(/mismatched/);
  });
});

describe('CPU lists and masks', () => {
  it("round-trips the study's masks", () => {
    const rps = parseCpuMask('00000000,0003fdfe');
    expect(formatCpuList(rps)).toBe('1-8,10-17');
    expect(formatCpuMask(rps, 2)).toBe('00000000,0003fdfe');
    expect(formatCpuMask(parseCpuList('9-17,27-35'), 2)).toBe('0000000f,f803fe00');
    expect(formatCpuMask(parseCpuList('0-8,18-26'), 2)).toBe('00000000,07fc01ff');
  });
  it('rejects malformed lists', () => {
    expect(() => parseCpuList('3-1')).toThrow(/bad CPU range/);
    expect(() => parseCpuMask('xyz')).toThrow(/bad CPU mask/);
  });
});

describe('host facts', () => {
  it('reads CPUs and NUMA nodes of the real machine', () => {
    const f = readHostFacts();
    expect(f.cpus).toBeGreaterThan(0);
    expect(f.kernel).toMatch(/^\d+\.\d+/);
  });
});
