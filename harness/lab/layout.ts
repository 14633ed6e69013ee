/**
 * The namespace lab's layout for each network option, as a pure function of (option, tag): the
 * namespaces, addresses and the exact `ip` commands that build it (../shared/reference/lab-notes.md).
 *
 *   hostA ══ cns-wire (veth, 192.168.100.1 ⇄ .2) ══ hostB
 *     │ cns-br0 10.244.1.1/24                          │ cns-br0 10.244.2.1/24
 *   podA 10.244.1.2 (cns-eth0)                       podB 10.244.2.2 (cns-eth0)
 *
 * net-host: client in hostA, nginx in hostB, over the wire. flannel-host-gw: pods behind bridges,
 * routes to the other pod subnet via the other host's wire address, ip_forward on. flannel-vxlan:
 * the same pods, routes through `cns-flannel.1` (vxlan id 1, dstport 8472, nolearning, static
 * neighbour and fdb entries), pod MTU 1450. macvlan / ipvlan: a bridge-mode macvlan (or L2
 * ipvlan) slave of the wire moved into each pod, pod addresses on the wire subnet.
 *
 * Invariants: every namespace is named `cns-<tag>-<short>-<role>` and every interface we create
 * starts with `cns-`, so cleanup can find all of it; nothing is created in the root namespace.
 */
import { InputError } from '../../cli/errors.ts';

export const LAB_OPTIONS = ['net-host', 'flannel-host-gw', 'flannel-vxlan', 'ipvlan', 'macvlan'] as const;
export type LabOption = (typeof LAB_OPTIONS)[number];

export const LAB_PREFIX = 'cns-';

const SHORT: Record<LabOption, string> = {
  'net-host': 'host',
  'flannel-host-gw': 'hgw',
  'flannel-vxlan': 'vxlan',
  ipvlan: 'ipvl',
  macvlan: 'mvl',
};

/** Kernel driver of the pod interface, as run records name it. */
export const DRIVER: Record<LabOption, string> = {
  'net-host': 'none',
  'flannel-host-gw': 'veth+bridge',
  'flannel-vxlan': 'vxlan',
  ipvlan: 'ipvlan',
  macvlan: 'macvlan',
};

export function isLabOption(x: string): x is LabOption {
  return (LAB_OPTIONS as readonly string[]).includes(x);
}

export interface Endpoint {
  /** Namespace the process runs in. */
  netns: string;
  ip: string;
  /** The interface carrying its traffic inside that namespace. */
  interface: string;
}

export interface LabLayout {
  /** The option asked for. */
  option: LabOption;
  /** The option really built (macvlan when ipvlan was asked and substituted). */
  option_used: LabOption;
  driver: string;
  tag: string;
  /** `cns-<tag>-<short>-`: every namespace of this lab starts with it. */
  prefix: string;
  hosts: { a: string; b: string };
  namespaces: string[];
  client: Endpoint;
  server: Endpoint;
  pod_mtu: number;
  wire_mtu: number;
  /** The commands that build the lab, in order. */
  commands: string[][];
}

const WIRE = 'cns-wire';
const WIRE_A = '192.168.100.1';
const WIRE_B = '192.168.100.2';
const VTEP_MAC_A = '02:00:c5:00:00:01';
const VTEP_MAC_B = '02:00:c5:00:00:02';

/** Valid tags keep names short and shell-safe. */
export function checkTag(tag: string): string {
  if (!/^[a-z0-9]{1,12}$/.test(tag))
    throw new InputError(
      '--tag',
      tag,
      "must be 1-12 lowercase letters or digits (it names the lab's namespaces)",
    );
  return tag;
}

export function labPrefix(option: LabOption, tag: string): string {
  return `${LAB_PREFIX}${checkTag(tag)}-${SHORT[option]}-`;
}

/** The layout of `option_used` (pass the substitute when the asked driver is missing). */
export function labLayout(option: LabOption, tag = 'lab', option_used: LabOption = option): LabLayout {
  const prefix = labPrefix(option_used, tag);
  const a = `${prefix}hostA`;
  const b = `${prefix}hostB`;
  const pa = `${prefix}podA`;
  const pb = `${prefix}podB`;
  const cmds: string[][] = [];
  const ipn = (ns: string, ...args: string[]) => cmds.push(['ip', '-n', ns, ...args]);
  const ns = [a, b];
  for (const n of ns) cmds.push(['ip', 'netns', 'add', n]);
  for (const n of ns) ipn(n, 'link', 'set', 'lo', 'up');
  ipn(a, 'link', 'add', WIRE, 'type', 'veth', 'peer', 'name', WIRE, 'netns', b);
  ipn(a, 'addr', 'add', `${WIRE_A}/24`, 'dev', WIRE);
  ipn(b, 'addr', 'add', `${WIRE_B}/24`, 'dev', WIRE);
  ipn(a, 'link', 'set', WIRE, 'up');
  ipn(b, 'link', 'set', WIRE, 'up');
  const base = {
    option,
    option_used,
    driver: DRIVER[option_used],
    tag,
    prefix,
    hosts: { a, b },
    wire_mtu: 1500,
  };

  if (option_used === 'net-host') {
    return {
      ...base,
      namespaces: ns,
      client: { netns: a, ip: WIRE_A, interface: WIRE },
      server: { netns: b, ip: WIRE_B, interface: WIRE },
      pod_mtu: 1500,
      commands: cmds,
    };
  }

  for (const p of [pa, pb]) {
    cmds.push(['ip', 'netns', 'add', p]);
    ipn(p, 'link', 'set', 'lo', 'up');
  }

  if (option_used === 'macvlan' || option_used === 'ipvlan') {
    const dev = option_used === 'macvlan' ? 'cns-mvl0' : 'cns-ipvl0';
    const type =
      option_used === 'macvlan' ? ['type', 'macvlan', 'mode', 'bridge'] : ['type', 'ipvlan', 'mode', 'l2'];
    const podIp = { [pa]: '192.168.100.11', [pb]: '192.168.100.12' };
    for (const [host, pod] of [
      [a, pa],
      [b, pb],
    ] as const) {
      ipn(host, 'link', 'add', 'link', WIRE, 'name', dev, ...type);
      ipn(host, 'link', 'set', dev, 'netns', pod);
      ipn(pod, 'addr', 'add', `${podIp[pod]}/24`, 'dev', dev);
      ipn(pod, 'link', 'set', dev, 'up');
    }
    return {
      ...base,
      namespaces: [...ns, pa, pb],
      client: { netns: pa, ip: podIp[pa]!, interface: dev },
      server: { netns: pb, ip: podIp[pb]!, interface: dev },
      pod_mtu: 1500,
      commands: cmds,
    };
  }

  // flannel-host-gw and flannel-vxlan: pods behind a bridge in each host.
  const vxlan = option_used === 'flannel-vxlan';
  const podMtu = vxlan ? 1450 : 1500;
  const side = [
    {
      host: a,
      pod: pa,
      subnet: '10.244.1',
      wire: WIRE_A,
      peerWire: WIRE_B,
      peerSubnet: '10.244.2',
      mac: VTEP_MAC_A,
      peerMac: VTEP_MAC_B,
    },
    {
      host: b,
      pod: pb,
      subnet: '10.244.2',
      wire: WIRE_B,
      peerWire: WIRE_A,
      peerSubnet: '10.244.1',
      mac: VTEP_MAC_B,
      peerMac: VTEP_MAC_A,
    },
  ];
  for (const s of side) {
    cmds.push(['ip', 'netns', 'exec', s.host, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    ipn(s.host, 'link', 'add', 'cns-br0', 'type', 'bridge');
    ipn(s.host, 'addr', 'add', `${s.subnet}.1/24`, 'dev', 'cns-br0');
    ipn(s.host, 'link', 'set', 'cns-br0', 'up');
    ipn(
      s.host,
      'link',
      'add',
      'cns-veth0',
      'mtu',
      String(podMtu),
      'type',
      'veth',
      'peer',
      'name',
      'cns-eth0',
      'netns',
      s.pod,
    );
    ipn(s.host, 'link', 'set', 'cns-veth0', 'master', 'cns-br0', 'up');
    ipn(s.pod, 'link', 'set', 'cns-eth0', 'mtu', String(podMtu), 'up');
    ipn(s.pod, 'addr', 'add', `${s.subnet}.2/24`, 'dev', 'cns-eth0');
    ipn(s.pod, 'route', 'add', 'default', 'via', `${s.subnet}.1`);
    if (!vxlan) {
      ipn(s.host, 'route', 'add', `${s.peerSubnet}.0/24`, 'via', s.peerWire, 'dev', WIRE);
    } else {
      const vx = 'cns-flannel.1';
      ipn(
        s.host,
        'link',
        'add',
        vx,
        'address',
        s.mac,
        'mtu',
        '1450',
        'type',
        'vxlan',
        'id',
        '1',
        'dev',
        WIRE,
        'local',
        s.wire,
        'dstport',
        '8472',
        'nolearning',
      );
      ipn(s.host, 'addr', 'add', `${s.subnet}.0/32`, 'dev', vx);
      ipn(s.host, 'link', 'set', vx, 'up');
      ipn(s.host, 'neigh', 'add', `${s.peerSubnet}.0`, 'lladdr', s.peerMac, 'dev', vx, 'nud', 'permanent');
      cmds.push([
        'ip',
        'netns',
        'exec',
        s.host,
        'bridge',
        'fdb',
        'append',
        s.peerMac,
        'dev',
        vx,
        'dst',
        s.peerWire,
      ]);
      ipn(s.host, 'route', 'add', `${s.peerSubnet}.0/24`, 'via', `${s.peerSubnet}.0`, 'dev', vx, 'onlink');
    }
  }
  return {
    ...base,
    namespaces: [...ns, pa, pb],
    client: { netns: pa, ip: '10.244.1.2', interface: 'cns-eth0' },
    server: { netns: pb, ip: '10.244.2.2', interface: 'cns-eth0' },
    pod_mtu: podMtu,
    commands: cmds,
  };
}
