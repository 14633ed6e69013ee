import { describe, expect, it } from 'vitest';
import { labLayout, labPrefix, LAB_OPTIONS, LAB_PREFIX } from '../../harness/lab/layout.ts';
import { cpuMask, nginxConfig } from '../../harness/nginx/config.ts';

describe('lab layouts', () => {
  it('every namespace and every created interface carries the cns- prefix', () => {
    for (const o of LAB_OPTIONS) {
      const l = labLayout(o, 'x1');
      for (const ns of l.namespaces) expect(ns.startsWith(`${LAB_PREFIX}x1-`)).toBe(true);
      for (const c of l.commands) {
        const i = c.indexOf('add');
        // `ip -n NS link add NAME ...` / `link add link WIRE name NAME ...`
        if (c[3] === 'link' && c[4] === 'add') {
          const name = c[5] === 'link' ? c[8] : c[5];
          expect(name?.startsWith(LAB_PREFIX), c.join(' ')).toBe(true);
        }
        if (c[1] === 'netns' && c[2] === 'add') expect(c[3]?.startsWith(LAB_PREFIX)).toBe(true);
        expect(i).not.toBe(-2);
      }
    }
  });
  it('nothing is created in the root namespace: every ip command names a namespace', () => {
    for (const o of LAB_OPTIONS)
      for (const c of labLayout(o).commands)
        expect(c[1] === '-n' || (c[1] === 'netns' && (c[2] === 'add' || c[2] === 'exec')), c.join(' ')).toBe(
          true,
        );
  });
  it('vxlan is flannel-style: id 1, port 8472, nolearning, static fdb, pod MTU 1450', () => {
    const l = labLayout('flannel-vxlan');
    const flat = l.commands.map((c) => c.join(' '));
    expect(
      flat.some((c) => /type vxlan id 1 dev cns-wire local 192\.168\.100\.1 dstport 8472 nolearning/.test(c)),
    ).toBe(true);
    expect(
      flat.some((c) => /bridge fdb append 02:00:c5:00:00:02 dev cns-flannel\.1 dst 192\.168\.100\.2/.test(c)),
    ).toBe(true);
    expect(l.pod_mtu).toBe(1450);
    expect(l.driver).toBe('vxlan');
  });
  it('host-gw routes the peer pod subnet via the peer wire address', () => {
    const flat = labLayout('flannel-host-gw').commands.map((c) => c.join(' '));
    expect(flat).toContain('ip -n cns-lab-hgw-hostA route add 10.244.2.0/24 via 192.168.100.2 dev cns-wire');
  });
  it('a substituted ipvlan lab is named and described as macvlan', () => {
    const l = labLayout('ipvlan', 'lab', 'macvlan');
    expect(l.option).toBe('ipvlan');
    expect(l.option_used).toBe('macvlan');
    expect(l.driver).toBe('macvlan');
    expect(l.prefix).toBe(labPrefix('macvlan', 'lab'));
    expect(l.commands.flat().includes('ipvlan')).toBe(false);
  });
  it('rejects tags that would make unsafe names', () => {
    expect(() => labLayout('net-host', 'a b')).toThrow(/tag/);
  });
});

describe('nginx config', () => {
  it('pins one worker per CPU, no access log, long keep-alive', () => {
    const c = nginxConfig({ dir: '/tmp/x/', listen: '10.244.2.2:80', worker_cpus: [0, 3] });
    expect(c).toMatch(/worker_processes 2;/);
    expect(c).toMatch(/worker_cpu_affinity 1 1000;/);
    expect(c).toMatch(/access_log off;/);
    expect(c).toMatch(/keepalive_requests 1000000000;/);
    expect(c).toMatch(/listen 10\.244\.2\.2:80/);
    expect(c).toMatch(/root \/tmp\/x\/www;/);
  });
  it('masks as nginx writes them', () => {
    expect([0, 1, 17].map(cpuMask)).toEqual(['1', '10', `1${'0'.repeat(17)}`]);
  });
});
