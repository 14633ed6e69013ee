import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { formatCpuList } from '../../harness/cpulist.ts';
import { buildPlan } from '../../harness/plan.ts';
import { nicDevice, queueIrqPattern } from '../../harness/tuning/queue-irqs.ts';
import { localFs, readTuning } from '../../harness/tuning/readback.ts';
import { applyTuning, planTuning, revertTuning } from '../../harness/tuning/tune.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';

/** A fake / laid out like the study's c4.8xlarge: 36 CPUs, 2 NUMA nodes, eth0 with 2 queue pairs. */
function fakeStudyHost(): { root: string; files: Map<string, string> } {
  const root = mkdtempSync(join(tmpdir(), 'cns-fakeroot-'));
  const files = new Map<string, string>();
  const put = (p: string, v: string) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), v);
    files.set(p, v);
  };
  put('/sys/devices/system/cpu/online', '0-35\n');
  put('/sys/devices/system/node/node0/cpulist', '0-8,18-26\n');
  put('/sys/devices/system/node/node1/cpulist', '9-17,27-35\n');
  for (let c = 0; c < 36; c++) {
    const core = c % 18;
    put(`/sys/devices/system/cpu/cpu${c}/topology/thread_siblings_list`, `${core},${core + 18}\n`);
  }
  put(
    '/proc/interrupts',
    '            CPU0       CPU1\n 265:   1000  0  xen-pirq-msi-x  eth0-TxRx-0\n 266:   0  999  xen-pirq-msi-x  eth0-TxRx-1\n 267:  5  0  xen-pirq-msi-x  eth0\n',
  );
  put('/proc/irq/265/smp_affinity_list', '0-35\n');
  put('/proc/irq/266/smp_affinity_list', '0-35\n');
  for (const q of ['rx-0', 'rx-1']) {
    put(`/sys/class/net/eth0/queues/${q}/rps_cpus`, '00000000,00000000\n');
    put(`/sys/class/net/eth0/queues/${q}/rps_flow_cnt`, '0\n');
  }
  for (const q of ['tx-0', 'tx-1']) put(`/sys/class/net/eth0/queues/${q}/xps_cpus`, '00000000,00000000\n');
  put('/proc/sys/net/core/rps_sock_flow_entries', '0\n');
  put('/proc/sys/fs/file-max', '9223372036854775807\n');
  put('/proc/sys/net/ipv4/ip_local_port_range', '32768\t60999\n');
  put('/proc/sys/net/ipv4/tcp_max_tw_buckets', '262144\n');
  put('/proc/sys/net/ipv4/tcp_tw_reuse', '2\n');
  put('/proc/sys/net/ipv4/tcp_fin_timeout', '60\n');
  put('/proc/sys/net/ipv4/tcp_slow_start_after_idle', '1\n');
  put('/proc/sys/net/ipv4/tcp_low_latency', '0\n');
  // no tcp_tw_recycle (gone since 4.12), no sched_migration_cost_ns (debugfs since 5.13)
  return { root, files };
}

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

describe('harness tune on a fake sysfs/procfs', () => {
  it("derives the study's exact settings from the c4.8xlarge topology", () => {
    const { root } = fakeStudyHost();
    roots.push(root);
    const plan = planTuning({ interface: 'eth0', root, port: 80 });
    const w = Object.fromEntries(plan.writes.map((x) => [x.path, x.value]));
    expect(w['/proc/irq/265/smp_affinity_list']).toBe('0');
    expect(w['/proc/irq/266/smp_affinity_list']).toBe('9');
    expect(w['/sys/class/net/eth0/queues/rx-0/rps_cpus']).toBe('00000000,0003fdfe');
    expect(w['/sys/class/net/eth0/queues/rx-1/rps_cpus']).toBe('00000000,0003fdfe');
    expect(w['/sys/class/net/eth0/queues/tx-0/xps_cpus']).toBe('00000000,07fc01ff');
    expect(w['/sys/class/net/eth0/queues/tx-1/xps_cpus']).toBe('0000000f,f803fe00');
    expect(w['/proc/sys/net/core/rps_sock_flow_entries']).toBe('65536');
    expect(w['/sys/class/net/eth0/queues/rx-0/rps_flow_cnt']).toBe('32768');
    expect(w['/proc/sys/net/ipv4/ip_local_port_range']).toBe('2000 65535');
    expect(formatCpuList(plan.topology.primaries)).toBe('0-17');
    // what the kernel lacks is skipped with a warning, never created
    expect(plan.warnings.join('\n')).toMatch(/tcp_tw_recycle: not present/);
    expect(plan.warnings.join('\n')).toMatch(/sched_migration_cost_ns: not present/);
    expect(plan.notrack_apply[0]).toEqual([
      'iptables',
      '-t',
      'raw',
      '-I',
      'PREROUTING',
      '-p',
      'tcp',
      '--dport',
      '80',
      '-j',
      'NOTRACK',
    ]);
  });

  it('apply writes the values, revert restores every file byte for byte', () => {
    const { root, files } = fakeStudyHost();
    roots.push(root);
    const input = { interface: 'eth0', root, port: 80 };
    const plan = planTuning(input);
    const res = applyTuning(plan, input);
    expect(res.commands_run).toEqual([]); // iptables never runs against a fake root
    expect(res.commands_skipped).toHaveLength(2);
    expect(readFileSync(join(root, '/sys/class/net/eth0/queues/rx-0/rps_cpus'), 'utf8')).toBe(
      '00000000,0003fdfe\n',
    );
    // read-back sees the tuning in force
    const t = readTuning(localFs(root), { interfaces: ['eth0'], irqPattern: /^eth0-/ });
    expect(t.rps_cpus?.find((q) => q.queue === 'rx-1')?.mask).toBe('00000000,0003fdfe');
    expect(t.irq_affinity?.map((i) => [i.irq, i.queue, i.cpus])).toEqual([
      [265, 0, '0'],
      [266, 1, '9'],
    ]);
    expect(t.rps_sock_flow_entries).toBe(65536);
    expect(t.sysctls?.['net.ipv4.ip_local_port_range']).toBe('2000 65535');
    // a second apply must not overwrite the saved originals
    expect(() => applyTuning(plan, input)).toThrow(/already applied/);
    const rev = revertTuning(root);
    expect(rev.restored).toBe(plan.writes.length);
    for (const [p, v] of files) expect(readFileSync(join(root, p), 'utf8'), p).toBe(v);
    expect(existsSync(join(root, '/var/lib/cnisim/tune-saved.json'))).toBe(false);
    // nothing saved any more: nothing to do, nothing written
    expect(revertTuning(root)).toMatchObject({ reverted: false, restored: 0 });
    for (const [p, v] of files) expect(readFileSync(join(root, p), 'utf8'), p).toBe(v);
  });

  it('an unknown interface is a clear error', () => {
    const { root } = fakeStudyHost();
    roots.push(root);
    expect(() => planTuning({ interface: 'eth9', root, port: 80 })).toThrow(/no queues for interface eth9/);
  });

  it('never lowers a limit already above the study value, and says it keeps it', () => {
    const { root } = fakeStudyHost(); // fs.file-max 2^63 - 1, tw buckets 262144, port range 32768-60999
    roots.push(root);
    writeFileSync(join(root, '/proc/sys/net/core/rps_sock_flow_entries'), '131072\n');
    writeFileSync(join(root, '/sys/class/net/eth0/queues/rx-0/rps_flow_cnt'), '32768\n');
    const plan = planTuning({ interface: 'eth0', root, port: 80 });
    const w = Object.fromEntries(plan.writes.map((x) => [x.path, x.value]));
    const kept = Object.fromEntries(plan.kept.map((k) => [k.path, [k.current, k.value]]));
    expect(w['/proc/sys/fs/file-max']).toBeUndefined();
    expect(kept['/proc/sys/fs/file-max']).toEqual(['9223372036854775807', '1024000']);
    expect(kept['/proc/sys/net/core/rps_sock_flow_entries']).toEqual(['131072', '65536']);
    expect(kept['/sys/class/net/eth0/queues/rx-0/rps_flow_cnt']).toEqual(['32768', '32768']);
    // below the study's: raised
    expect(w['/proc/sys/net/ipv4/tcp_max_tw_buckets']).toBe('2000000');
    expect(w['/sys/class/net/eth0/queues/rx-1/rps_flow_cnt']).toBe('32768');
    // a range is kept only when it spans the study's 2000-65535
    expect(w['/proc/sys/net/ipv4/ip_local_port_range']).toBe('2000 65535');
    writeFileSync(join(root, '/proc/sys/net/ipv4/ip_local_port_range'), '1024\t65535\n');
    expect(planTuning({ interface: 'eth0', root, port: 80 }).kept.map((k) => k.path)).toContain(
      '/proc/sys/net/ipv4/ip_local_port_range',
    );
    const show = cnisim('harness', 'tune', '--show', '--root', root, '--interface', 'eth0');
    expect(show.code, show.err).toBe(0);
    expect(show.err).toMatch(/file-max 9223372036854775807 already sufficient \(>= 1024000\): kept/);
    expect(show.out).not.toMatch(/file-max/);
  });

  it("finds a virtio NIC's queue IRQ by its device, as host-file does", () => {
    const { root } = fakeStudyHost();
    roots.push(root);
    writeFileSync(
      join(root, '/proc/interrupts'),
      '           CPU0       CPU1\n 37:  0  0  PCI-MSIX-0000:00:03.0  0-edge  virtio2-config\n 38:  0  8041  PCI-MSIX-0000:00:03.0  1-edge  virtio2-input.0\n 39:  6675  0  PCI-MSIX-0000:00:03.0  2-edge  virtio2-output.0\n 40:  0  9  PCI-MSIX-0000:00:03.0  3-edge  virtio2-input.1\n',
    );
    mkdirSync(join(root, '/proc/irq/38'), { recursive: true });
    writeFileSync(join(root, '/proc/irq/38/smp_affinity_list'), '0-35\n');
    mkdirSync(join(root, '/proc/irq/40'), { recursive: true });
    writeFileSync(join(root, '/proc/irq/40/smp_affinity_list'), '0-35\n');
    mkdirSync(join(root, 'sys/devices/virtio2'), { recursive: true });
    symlinkSync('../../../devices/virtio2', join(root, 'sys/class/net/eth0/device'));
    const plan = planTuning({ interface: 'eth0', root, port: 80 });
    const irq = plan.writes.filter((x) => x.path.startsWith('/proc/irq/')).map((x) => [x.path, x.value]);
    expect(irq).toEqual([
      ['/proc/irq/38/smp_affinity_list', '0'],
      ['/proc/irq/40/smp_affinity_list', '9'],
    ]);
    expect(plan.warnings.join('\n')).not.toMatch(/no queue IRQ/);
    // the same lines host-file reads back as the queues' IRQs
    const t = readTuning(localFs(root), {
      interfaces: ['eth0'],
      irqPattern: queueIrqPattern('eth0', nicDevice(root, 'eth0')),
    });
    expect(t.irq_affinity?.map((i) => [i.irq, i.queue])).toEqual([
      [38, 0],
      [40, 1],
    ]);
  });
});

describe('harness tune from the command line, on a fake root', () => {
  const fake = () => {
    const h = fakeStudyHost();
    roots.push(h.root);
    return h;
  };

  it("plan's tune.sh gives each host the NOTRACK rules of its role", () => {
    const { root } = fake();
    const plan = buildPlan({
      server: 'srv',
      client: 'cli',
      option: 'flannel-host-gw',
      driver: 'veth+bridge',
      rates: [50000],
      repeat: 1,
      connections: 3000,
      duration_s: 30,
      target: '10.244.2.5:80',
      response: 'small',
      workers: 18,
      nginx_cpus: [0],
      write_combine: true,
      server_interface: 'eth0',
      client_interface: 'eth0',
      nginx_dir: '/tmp/cnisim-nginx',
    });
    const bin = join(root, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'tune.sh'), plan.files['tune.sh']!);
    // npx cnisim ... -> this checkout's cnisim, on the fake root (never on this machine).
    const cnisimBin = fileURLToPath(new URL('../../bin/cnisim.mjs', import.meta.url));
    writeFileSync(
      join(bin, 'npx'),
      `#!/bin/sh\nshift\nexec "${process.execPath}" "${cnisimBin}" "$@" --root "${root}"\n`,
      { mode: 0o755 },
    );
    const tune = (role: string) =>
      spawnSync('sh', [join(bin, 'tune.sh'), role, 'show'], {
        encoding: 'utf8',
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      });
    const rules = (err: string) => err.split('\n').filter((l) => l.includes('would run: iptables'));
    const server = tune('server');
    expect(server.status, server.stderr).toBe(0);
    expect(rules(server.stderr)).toEqual([
      'harness tune: would run: iptables -t raw -I PREROUTING -p tcp --dport 80 -j NOTRACK',
      'harness tune: would run: iptables -t raw -I OUTPUT -p tcp --sport 80 -j NOTRACK',
    ]);
    // the client's packets come FROM port 80 and go TO it: the server's rules reversed
    const client = tune('client');
    expect(client.status, client.stderr).toBe(0);
    expect(rules(client.stderr)).toEqual([
      'harness tune: would run: iptables -t raw -I PREROUTING -p tcp --sport 80 -j NOTRACK',
      'harness tune: would run: iptables -t raw -I OUTPUT -p tcp --dport 80 -j NOTRACK',
    ]);
  });

  it('revert with nothing saved says so and exits 0, also run twice after an apply', () => {
    const { root, files } = fake();
    const none = cnisim('harness', 'tune', '--revert', '--root', root);
    expect(none.code, none.err).toBe(0);
    expect(none.err).toContain(
      `harness tune: nothing to revert (no saved tuning at ${join(root, 'var/lib/cnisim/tune-saved.json')})`,
    );
    const apply = cnisim('harness', 'tune', '--apply', '--root', root, '--interface', 'eth0');
    expect(apply.code, apply.err).toBe(0);
    // a second apply is refused as invalid input, keeping the originals
    const again = cnisim('harness', 'tune', '--apply', '--root', root, '--interface', 'eth0');
    expect(again.code, again.err).toBe(3);
    expect(again.err).toMatch(/--state: exists: tuning already applied/);
    const first = cnisim('harness', 'tune', '--revert', '--root', root);
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/restored \d+ values/);
    for (const [p, v] of files) expect(readFileSync(join(root, p), 'utf8'), p).toBe(v);
    const second = cnisim('harness', 'tune', '--revert', '--root', root, '--json');
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ reverted: false, restored: 0 });
    expect(second.err).toContain('nothing to revert');
  });

  it('a damaged state file and a root that is no machine are invalid input naming them', () => {
    const { root } = fake();
    const state = join(root, 'var/lib/cnisim/tune-saved.json');
    mkdirSync(dirname(state), { recursive: true });
    writeFileSync(state, '{"saved_at":');
    const bad = cnisim('harness', 'tune', '--revert', '--root', root);
    expect(bad.code, bad.err).toBe(3);
    expect(bad.err).toContain(`${state}: not valid JSON`);
    writeFileSync(state, '{"previous":[]}');
    expect(cnisim('harness', 'tune', '--revert', '--root', root).err).toContain(
      `${state} saved_at: not a saved tuning`,
    );
    const missing = join(root, 'no-such-root');
    for (const mode of ['--revert', '--show', '--apply']) {
      const r = cnisim('harness', 'tune', mode, '--root', missing);
      expect(r.code, `${mode}: ${r.err}`).toBe(3);
      expect(r.err).toContain(`cnisim: --root: no such directory (got ${JSON.stringify(missing)})`);
    }
    const empty = join(root, 'var'); // a directory without proc/ and sys/
    const r = cnisim('harness', 'tune', '--revert', '--root', empty);
    expect(r.code, r.err).toBe(3);
    expect(r.err).toMatch(/--root: has no proc\/ or sys\/ directory/);
  });

  it('--irq-cpus and --rps-cpus take ranges, and refuse CPUs the host lacks', () => {
    const { root } = fake(); // CPUs 0-35
    const show = (...flags: string[]) =>
      cnisim('harness', 'tune', '--show', '--root', root, '--interface', 'eth0', '--json', ...flags);
    const ok = show('--irq-cpus', '0,9', '--rps-cpus', '1-8,10-17');
    expect(ok.code, ok.err).toBe(0);
    const w = Object.fromEntries(
      (JSON.parse(ok.out).plan.writes as { path: string; value: string }[]).map((x) => [x.path, x.value]),
    );
    expect(w['/proc/irq/266/smp_affinity_list']).toBe('9');
    expect(w['/sys/class/net/eth0/queues/rx-0/rps_cpus']).toBe('00000000,0003fdfe');
    const range = show('--irq-cpus', '0-1');
    expect(range.code, range.err).toBe(0);
    expect(JSON.parse(range.out).plan.writes[1]).toMatchObject({
      path: '/proc/irq/266/smp_affinity_list',
      value: '1',
    });
    for (const [flag, value, lacking] of [
      ['--irq-cpus', '40', 'CPU 40'],
      ['--rps-cpus', '1-8,36-37', 'CPUs 36-37'],
    ] as const) {
      const r = show(flag, value);
      expect(r.code, r.err).toBe(3);
      expect(r.err).toContain(
        `cnisim: ${flag}: names ${lacking}, which this host lacks (it has 0-35) (got "${value}")`,
      );
    }
    const junk = show('--rps-cpus', '1-x');
    expect(junk.code, junk.err).toBe(3);
    expect(junk.err).toContain('--rps-cpus: must be a list of CPU numbers and ranges');
    // the library refuses them too
    expect(() => planTuning({ interface: 'eth0', root, port: 80, irq_cpus: [0, 36] })).toThrow(
      /irq_cpus: names CPU 36, which this host lacks \(it has 0-35\)/,
    );
  });
});
