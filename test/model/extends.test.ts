import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inputError } from './helpers/input-error.ts';
import { mergeOver } from '../../model/extends.ts';
import { HOSTS_DIR, loadHost, loadOption } from '../../model/load.ts';
import { simulate } from '../../sim/simulate.ts';
import { cnisim } from '../cli/helpers/run-cnisim.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/hosts/16-vcpu-4-queues.yaml', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cnisim-extends-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('mergeOver', () => {
  it('merges objects key by key at any depth and replaces arrays and scalars whole', () => {
    const base = { a: 1, o: { x: 1, y: { z: 2, w: 3 } }, l: [1, 2, 3] };
    expect(mergeOver(base, { o: { y: { z: 9 } }, l: [7], n: 'new' })).toEqual({
      a: 1,
      o: { x: 1, y: { z: 9, w: 3 } },
      l: [7],
      n: 'new',
    });
    expect(base.o.y.z).toBe(2);
  });
});

describe('a host that extends a built-in', () => {
  it('is the built-in with the fields it sets replaced (the example host)', () => {
    const c4 = loadHost('c4.8xlarge');
    const h = loadHost(EXAMPLE);
    expect(h.id).toBe('16-vcpu-4-queues');
    expect(h.cpus.count).toBe(16);
    expect(h.nic.queues).toBe(4);
    expect(h.mechanisms.rps).toBe(false);
    expect(h.mechanisms.stalls).toBe(c4.mechanisms.stalls);
    // Inherited: what the file does not set, inside groups it does set too.
    expect(h.nic.hardirq_cost_ns).toBe(c4.nic.hardirq_cost_ns);
    expect(h.nic.ring_size).toBe(c4.nic.ring_size);
    expect(h.apps.nginx.cost_ns_per_request).toBe(c4.apps.nginx.cost_ns_per_request);
    expect(h.apps.tcpkali.request_bytes).toBe(c4.apps.tcpkali.request_bytes);
    expect(h.wire).toEqual(c4.wire);
    expect(h.tcp).toEqual(c4.tcp);
  });

  it('simulates with its own steering: RPS and RFS off, softirq only on the four IRQ CPUs', async () => {
    const r = await simulate({
      option: 'net-host',
      host: EXAMPLE,
      rate_rps: 40000,
      response_bytes: 350,
      requests: 8000,
      replications: 2,
      workers: 0,
      seed: 3,
    });
    expect(r.host).toBe('16-vcpu-4-queues');
    expect(r.saturated).toBe(false);
    expect(r.cpu).toHaveLength(32);
    const server = r.cpu.filter((c) => c.host === 'server');
    // net-host's receive work all runs in the NIC poll on the queue's IRQ CPU (no RPS hand-off), and
    // TX completions are cleaned there too: no other server CPU does softirq work.
    for (const c of server) {
      if (c.cpu <= 3) expect(c.softirq).toBeGreaterThan(0);
      else expect(c.softirq).toBe(0);
    }
    // nginx runs on its 8 CPUs only.
    for (const c of server) if (c.cpu >= 8) expect(c.task).toBe(0);
    // Its costs are c4.8xlarge's: said, since no fitted profile replaces them.
    expect(r.warnings?.join('\n')).toMatch(
      /host 16-vcpu-4-queues extends c4.8xlarge: .*calibrate on runs of this host/,
    );
  });

  it('resolves a chain of files, the base path relative to the file', () => {
    file('base.yaml', 'extends: c4.8xlarge\nid: base\nnic:\n  ring_size: 2048\n');
    const sub = file('sub.yaml', 'extends: ./base.yaml\nid: sub\nbacklog:\n  netdev_max_backlog: 5000\n');
    const h = loadHost(sub);
    expect(h.id).toBe('sub');
    expect(h.nic.ring_size).toBe(2048);
    expect(h.backlog.netdev_max_backlog).toBe(5000);
    expect(h.description).toBe('sub: base with changes');
  });

  it('refuses, naming the field: no own id, an unknown base, a cycle, inherited masks naming missing CPUs', () => {
    expect(inputError(() => loadHost(file('noid.yaml', 'extends: c4.8xlarge\n'))).field).toBe('host.id');
    // A path that does not exist says so, rather than listing the built-in ids.
    expect(inputError(() => loadHost(join(dir, 'missing.yaml'))).reason).toBe('no such host profile file');
    expect(inputError(() => loadOption('./missing.yaml')).reason).toBe('no such network option file');
    expect(inputError(() => loadHost('c5.large')).reason).toMatch(
      /^unknown host profile \(built-in: c4.8xlarge/,
    );
    const unknown = inputError(() => loadHost(file('unk.yaml', 'extends: nope\nid: x\n')));
    expect(unknown.field).toBe('host.extends');
    expect(unknown.value).toBe('nope');
    file('c1.yaml', 'extends: c2.yaml\nid: c1\n');
    const c2 = file('c2.yaml', 'extends: c1.yaml\nid: c2\n');
    expect(inputError(() => loadHost(c2)).message).toMatch(
      /extends itself: .*c2\.yaml -> .*c1\.yaml -> .*c2\.yaml/,
    );
    // 16 CPUs but c4.8xlarge's masks: every inherited field that names CPUs 16-35, in one message.
    const small = inputError(() =>
      loadHost(file('small.yaml', 'extends: c4.8xlarge\nid: small\ncpus:\n  count: 16\n')),
    );
    expect(small.field).toBe('host.cpus.count');
    expect(small.message).toContain(
      'cpus.numa_nodes, rps_cpus, xps_cpus, apps.nginx.cpus, apps.tcpkali.cpus',
    );
    expect(small.message).toContain('inherited from c4.8xlarge');
    // A merged value the schema refuses is named by its path as in a whole file.
    const bad = inputError(() =>
      loadHost(file('bad.yaml', 'extends: c4.8xlarge\nid: bad\nnic:\n  ring_size: -1\n')),
    );
    expect(bad.field).toBe('host.nic.ring_size');
  });

  it('works for options too: the stages inherited, the MTU replaced', () => {
    const vx = loadOption('flannel-vxlan');
    const o = loadOption(file('opt.yaml', 'extends: flannel-vxlan\nid: vxlan-jumbo\nmtu: 8950\n'));
    expect(o.id).toBe('vxlan-jumbo');
    expect(o.mtu).toBe(8950);
    expect(o.stages).toEqual(vx.stages);
  });
});

describe('hosts --show / options --show', () => {
  it('prints a built-in as its file is written, and a file of yours resolved, loadable as a whole host', () => {
    const builtin = cnisim('hosts', '--show', 'c4.8xlarge');
    expect(builtin.code).toBe(0);
    expect(builtin.out).toBe(readFileSync(join(HOSTS_DIR, 'c4.8xlarge.yaml'), 'utf8'));
    const mine = cnisim('hosts', '--show', EXAMPLE);
    expect(mine.code).toBe(0);
    expect(mine.out).not.toMatch(/^extends:/m);
    expect(loadHost(file('resolved.yaml', mine.out))).toEqual(loadHost(EXAMPLE));
    const json = cnisim('options', '--show', 'ipvlan', '--json');
    expect(JSON.parse(json.out)).toEqual(loadOption('ipvlan'));
    const unknown = cnisim('hosts', '--show', 'nope');
    expect(unknown.code).toBe(3);
    expect(unknown.err).toMatch(/--show: unknown host profile/);
  });

  it('refuses a file a simulation would refuse, naming the field (it printed it as valid)', () => {
    const q4 = cnisim('hosts', '--show', file('q4.yaml', 'id: q4\nextends: c4.8xlarge\nnic:\n  queues: 4\n'));
    expect(q4.code).toBe(3);
    expect(q4.err).toMatch(/host\.nic\.irq_cpus: needs one CPU per queue \(4 queues\)/);
    const nh2 = cnisim('options', '--show', file('nh2.yaml', 'id: nh2\nextends: net-host\nrx_passes: 2\n'));
    expect(nh2.code).toBe(3);
    expect(nh2.err).toMatch(/option\.rx_passes/);
  });
});

describe('sources of values a file sets', () => {
  it('say which values the file set where it gives no source of its own (they described the base’s numbers)', () => {
    const h = loadHost(file('src.yaml', 'extends: c4.8xlarge\nid: src\nnic:\n  ring_size: 2048\n'));
    expect(h.nic.source).toMatch(
      /^ring_size set by this file \(no source given\); otherwise c4\.8xlarge's: /,
    );
    // A group it does not touch keeps the base's text; one it gives a source keeps its own.
    expect(h.backlog.source).toBe(loadHost('c4.8xlarge').backlog.source);
    const own = loadHost(
      file('src2.yaml', 'extends: c4.8xlarge\nid: src2\nnic:\n  ring_size: 2048\n  source: "ethtool -g"\n'),
    );
    expect(own.nic.source).toBe('ethtool -g');
  });
});

describe('a host reference that is not a model file', () => {
  it('says why: a folder, an extension in capitals or another one, or missing', () => {
    const upper = file('H.YAML', 'id: h\n');
    expect(inputError(() => loadHost(upper)).reason).toMatch(
      /must be named \.yaml, \.yml or \.json \(lower case\)/,
    );
    expect(inputError(() => loadHost(file('h.txt', 'id: h\n'))).reason).toMatch(/must be named/);
    expect(inputError(() => loadHost(dir)).reason).toBe('is a folder, not a host profile file');
    expect(inputError(() => loadOption(join(dir, 'none.yaml'))).reason).toBe('no such network option file');
  });
});
