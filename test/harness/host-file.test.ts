/**
 * `cnisim harness host-file` on fake /proc and /sys trees: a machine tuned as the study's reads back
 * as a host that simulates exactly as the built-in c4.8xlarge; a small virtio VM gets its queue's
 * IRQ from the device's name; what cannot be read is said, and a file that would not load is refused.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostFile } from '../../harness/host-file.ts';
import { readHostFacts } from '../../harness/hostinfo.ts';
import { localFs } from '../../harness/tuning/readback.ts';
import { loadHost } from '../../model/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cns-hostfile-'));
  dirs.push(root);
  for (const [p, v] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), v);
  }
  return root;
}

/** The study's c4.8xlarge as tuned: 36 CPUs, siblings i / i+18, 2 queues, IRQs on 0 and 9, RPS 1-8,10-17, RFS, XPS per node. */
function studyHost(): string {
  const f: Record<string, string> = {
    '/sys/devices/system/cpu/online': '0-35\n',
    '/sys/devices/system/node/node0/cpulist': '0-8,18-26\n',
    '/sys/devices/system/node/node1/cpulist': '9-17,27-35\n',
    '/proc/interrupts':
      '            CPU0       CPU1\n 265:   1000  0  xen-pirq-msi-x  eth0-TxRx-0\n 266:   0  999  xen-pirq-msi-x  eth0-TxRx-1\n 267:  5  0  xen-pirq-msi-x  eth0\n',
    '/proc/irq/265/smp_affinity_list': '0\n',
    '/proc/irq/266/smp_affinity_list': '9\n',
    '/sys/class/net/eth0/queues/rx-0/rps_cpus': '00000000,0003fdfe\n',
    '/sys/class/net/eth0/queues/rx-1/rps_cpus': '00000000,0003fdfe\n',
    '/sys/class/net/eth0/queues/rx-0/rps_flow_cnt': '32768\n',
    '/sys/class/net/eth0/queues/rx-1/rps_flow_cnt': '32768\n',
    '/sys/class/net/eth0/queues/tx-0/xps_cpus': '00000000,07fc01ff\n',
    '/sys/class/net/eth0/queues/tx-1/xps_cpus': '0000000f,f803fe00\n',
    '/sys/class/net/eth0/speed': '10000\n',
    '/proc/sys/net/core/rps_sock_flow_entries': '65536\n',
    '/proc/sys/net/core/netdev_max_backlog': '1000\n',
    '/proc/sys/net/core/netdev_budget': '300\n',
    '/proc/sys/net/core/netdev_budget_usecs': '2000\n',
    '/proc/sys/net/core/dev_weight': '64\n',
  };
  for (let c = 0; c < 36; c++)
    f[`/sys/devices/system/cpu/cpu${c}/topology/thread_siblings_list`] = `${c % 18},${(c % 18) + 18}\n`;
  return tree(f);
}

function read(root: string, extra: Partial<Parameters<typeof hostFile>[0]> = {}) {
  return hostFile({
    view: localFs(root),
    facts: readHostFacts(root),
    interface: 'eth0',
    id: 'read-back',
    base: 'c4.8xlarge',
    readOn: 'test on 2026-11-27',
    ...extra,
  });
}

/** The generated data written as a file and loaded as the model would. */
function load(data: object): ReturnType<typeof loadHost> {
  const d = mkdtempSync(join(tmpdir(), 'cns-hostfile-out-'));
  dirs.push(d);
  const p = join(d, 'host.json');
  writeFileSync(p, JSON.stringify(data));
  return loadHost(p);
}

describe('harness host-file', () => {
  it('reads a machine tuned as the study’s back as a host that simulates exactly as c4.8xlarge', async () => {
    const made = read(studyHost());
    const h = load(made.data);
    const c4 = loadHost('c4.8xlarge');
    expect(h.id).toBe('read-back');
    expect(h.cpus.count).toBe(36);
    expect(h.cpus.numa_nodes).toEqual(['0-8,18-26', '9-17,27-35']);
    expect(h.cpus.smt_sibling_offset).toBe(18);
    expect(h.nic.queues).toBe(2);
    expect(h.nic.irq_cpus).toBe('0,9');
    expect(h.rps_cpus).toBe('1-8,10-17');
    expect(h.rfs.sock_flow_entries).toBe(65536);
    expect(h.rfs.flow_cnt).toBe(32768);
    expect(h.xps_cpus).toEqual(['0-8,18-26', '9-17,27-35']);
    expect(h.mechanisms).toEqual(c4.mechanisms);
    expect(h.apps.nginx.workers).toBe(18);
    expect(h.apps.nginx.cpus).toBe('0-17');
    expect(h.wire.line_rate_gbps).toBe(10);
    // Without ethtool under a fake root: ring and moderation are the base's, and the notes say so.
    expect(made.notes.join('\n')).toMatch(/RX ring size not read/);
    expect(made.notes.join('\n')).toMatch(/interrupt moderation not read/);
    // Same CPU sets, written as lists instead of hex masks, and the base's costs: the same simulation.
    const point = {
      option: 'flannel-vxlan',
      rate_rps: 150_000,
      response_bytes: 350,
      requests: 6000,
      replications: 2,
      workers: 0,
      seed: 5,
    };
    const dir = mkdtempSync(join(tmpdir(), 'cns-hostfile-sim-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'h.json'), JSON.stringify(made.data));
    const a = await simulate({ ...point, host: join(dir, 'h.json') });
    const b = await simulate({ ...point, host: 'c4.8xlarge' });
    expect(a.latency_ms).toEqual(b.latency_ms);
    expect(a.cpu).toEqual(b.cpu);
  }, 60_000);

  it('finds a virtio NIC’s queue IRQ by its device name, and runs a 2-CPU VM without SMT, RPS or XPS', () => {
    const root = tree({
      '/sys/devices/system/cpu/online': '0-1\n',
      '/sys/devices/system/cpu/cpu0/topology/thread_siblings_list': '0\n',
      '/sys/devices/system/cpu/cpu1/topology/thread_siblings_list': '1\n',
      '/proc/interrupts':
        '           CPU0       CPU1\n 38:          0       8041 PCI-MSIX-0000:00:03.0   1-edge      virtio2-input.0\n 39:       6675          0 PCI-MSIX-0000:00:03.0   2-edge      virtio2-output.0\n',
      '/proc/irq/38/smp_affinity_list': '1\n',
      '/proc/irq/39/smp_affinity_list': '0\n',
      '/sys/class/net/eth0/queues/rx-0/rps_cpus': '0\n',
      '/sys/class/net/eth0/queues/rx-0/rps_flow_cnt': '0\n',
      '/sys/class/net/eth0/queues/tx-0/xps_cpus': '0\n',
      '/sys/class/net/eth0/speed': '-1\n',
      '/proc/sys/net/core/rps_sock_flow_entries': '0\n',
    });
    const made = read(root, { device: 'virtio2' });
    const h = load(made.data);
    expect(h.cpus.count).toBe(2);
    expect(h.cpus.smt_sibling_offset).toBe(0);
    expect(h.nic.irq_cpus).toBe('1');
    expect(h.mechanisms.smt).toBe(false);
    expect(h.mechanisms.rps).toBe(false);
    expect(h.mechanisms.rfs).toBe(false);
    expect(h.mechanisms.xps).toBe(false);
    expect(h.apps.tcpkali.cpus).toBe('0-1');
    expect(made.notes.join('\n')).toMatch(/line rate not read .*-1/);
    expect(made.notes.join('\n')).toMatch(/no NUMA information/);
    // The command finds the device behind the interface by its sysfs link, as on a real VM.
    mkdirSync(join(root, 'sys/devices/virtio2'), { recursive: true });
    symlinkSync('../../../devices/virtio2', join(root, 'sys/class/net/eth0/device'));
    const r = cnisim('harness', 'host-file', '--root', root, '--id', 'vm');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^ {2}irq_cpus: "1"$/m);
  });

  it('as a command: writes a file that loads, never over an existing one, and refuses what would not load', () => {
    const root = studyHost();
    const out = join(root, 'out.yaml');
    const r = cnisim('harness', 'host-file', '--root', root, '--id', 'c4-read', '--out', out);
    expect(r.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toMatch(/^# A host file for cnisim/);
    expect(text).toMatch(/^extends: c4.8xlarge$/m);
    expect(loadHost(out).id).toBe('c4-read');
    const again = cnisim('harness', 'host-file', '--root', root, '--id', 'c4-read', '--out', out);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/--out: exists/);
    // IRQ names that match nothing: the queues' IRQ CPUs stay the base's two for one queue: refused.
    const lone = tree({
      '/sys/devices/system/cpu/online': '0-3\n',
      '/proc/interrupts': '           CPU0\n 50:   1   mlx5_comp0@pci:0000:00:05.0\n',
      '/sys/class/net/eth0/queues/rx-0/rps_cpus': '0\n',
    });
    const bad = cnisim('harness', 'host-file', '--root', lone, '--id', 'x');
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(/no IRQ of every receive queue matched/);
    expect(bad.err).toMatch(/nic\.irq_cpus/);
    expect(bad.out).toBe('');
  });

  it('--out in folders that do not exist yet: creates them, still never over a file', () => {
    const root = studyHost();
    const out = join(root, 'hosts', 'web', 'web-16.yaml');
    const r = cnisim('harness', 'host-file', '--root', root, '--id', 'web-16', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(loadHost(out).id).toBe('web-16');
    const again = cnisim('harness', 'host-file', '--root', root, '--id', 'web-16', '--out', out);
    expect(again.code).toBe(3);
    expect(again.err).toMatch(/--out: exists/);
    const blocked = cnisim('harness', 'host-file', '--root', root, '--id', 'x', '--out', join(out, 'x.yaml'));
    expect(blocked.code).toBe(3);
    expect(blocked.err).toMatch(/--out: cannot create its folder .*: a file is in the way/);
  });

  it('refused for no queue IRQ: blames the flag, never points at the temporary file it was checked in', () => {
    const root = tree({
      '/sys/devices/system/cpu/online': '0-1\n',
      '/proc/interrupts': '           CPU0       CPU1\n 38:  0  8041  PCI-MSIX  1-edge  virtio2-input.0\n',
      '/proc/irq/38/smp_affinity_list': '1\n',
      '/sys/class/net/eth0/queues/rx-0/rps_cpus': '0\n',
    });
    const r = cnisim('harness', 'host-file', '--root', root, '--id', 'vm', '--irq-pattern', 'nomatch');
    expect(r.code).toBe(3);
    const error = r.err.trim().split('\n').pop()!;
    expect(error).toMatch(
      /^cnisim: --irq-pattern: no IRQ of every receive queue of eth0 matched \/nomatch\//,
    );
    expect(error).toMatch(/nic\.irq_cpus .*rerun with --irq-pattern/);
    expect(error).toMatch(/\(got "nomatch"\)$/);
    expect(r.err).not.toMatch(/cnisim-host-file-/);
    const noDevice = cnisim('harness', 'host-file', '--root', root, '--id', 'vm');
    expect(noDevice.code).toBe(3);
    expect(noDevice.err).toMatch(/cnisim: --interface: no IRQ .* \(got "eth0"\)$/m);
    expect(noDevice.err).not.toMatch(/cnisim-host-file-/);
  });

  it('--root that does not exist or is no machine root is blamed on --root', () => {
    const missing = cnisim('harness', 'host-file', '--root', join(tmpdir(), 'cns-no-such-root'), '--id', 'x');
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/^cnisim: --root: no such directory/m);
    const empty = tree({ '/etc/hostname': 'x\n' });
    const bare = cnisim('harness', 'host-file', '--root', empty, '--id', 'x');
    expect(bare.code).toBe(3);
    expect(bare.err).toMatch(/^cnisim: --root: has no proc\/ or sys\/ directory/m);
    expect(bare.err).not.toMatch(/--interface/);
  });
});
