/**
 * `cnisim harness host-file`: a host file for the model read off a real machine: what /proc, /sys
 * and ethtool say of its CPUs (count, NUMA nodes, hyperthread siblings), its NIC (queues, the CPU
 * of each queue's IRQ, ring size, interrupt moderation, line rate) and its steering (RPS, RFS, XPS,
 * backlog and NAPI budgets). It `extends` a base profile (default c4.8xlarge, model/extends.ts):
 * what cannot be read (CPU costs, TCP timers, the wire's propagation) is the base's, and the file
 * says so. Where nginx and the load generator run is a deployment choice, not a fact of the
 * machine: one worker per core on the first thread of each core, marked as an assumption.
 *
 * Pure apart from reading through the FsView (tests pass a fake tree) and the ethtool outputs it is
 * given.
 */
import { parseCpuList, parseCpuMask } from './cpulist.ts';
import type { HostFacts } from './hostinfo.ts';
import { queueIrqPattern } from './tuning/queue-irqs.ts';
import { type FsView, readTuning } from './tuning/readback.ts';
import { formatCpuList } from '../model/cpu-mask.ts';

export interface HostFileInput {
  view: FsView;
  facts: HostFacts;
  interface: string;
  id: string;
  base: string;
  /** Pattern of the NIC's receive-queue IRQ names (default: the interface, or its device's inputs). */
  irqPattern?: RegExp;
  /** The device behind the interface (`virtio2` for virtio-net: its IRQs are `virtio2-input.<q>`). */
  device?: string;
  /** `ethtool -g <if>` and `ethtool -c <if>` output where they could run. */
  ethtoolRing?: string;
  /** Where it was read: host name and date, for the sources. */
  readOn: string;
}

export interface HostFile {
  /** The host file's data (extends, id, description and what was read). */
  data: Record<string, unknown>;
  /** What was not read and stays the base's, and the assumptions made: one line each. */
  notes: string[];
}

export function hostFile(input: HostFileInput): HostFile {
  const { view, facts } = input;
  const iface = input.interface;
  const notes: string[] = [];
  const src = `read from ${input.readOn}`;
  const data: Record<string, unknown> = { extends: input.base, id: input.id };
  const n = facts.cpus;
  if (!(n > 0)) throw new Error('cannot read the online CPUs (/sys/devices/system/cpu/online)');

  // CPUs, NUMA nodes, hyperthread siblings.
  const sib = siblingOffset(view, n);
  const cpus: Record<string, unknown> = {
    count: n,
    numa_nodes:
      facts.numa.length > 0 ? facts.numa.map((x) => formatCpuList(x.cpus)) : [formatCpuList(range(n))],
    smt_sibling_offset: sib.offset,
    source: `${src}: /sys/devices/system/cpu (online, cpu*/topology/thread_siblings_list), /sys/devices/system/node; smt_slowdown: the base's`,
  };
  data.cpus = cpus;
  if (facts.numa.length === 0) notes.push('no NUMA information: one node of all CPUs');
  if (sib.note) notes.push(sib.note);
  const mechanisms: Record<string, boolean> = {};
  if (sib.offset === 0) mechanisms.smt = false;

  // Queues and their IRQs.
  const queues = view
    .list(`/sys/class/net/${iface}/queues`)
    .filter((q) => /^rx-\d+$/.test(q))
    .map((q) => Number(q.slice(3)))
    .sort((a, b) => a - b);
  if (queues.length === 0) throw new Error(`no receive queues under /sys/class/net/${iface}/queues`);
  const device = input.device;
  const pattern = input.irqPattern ?? queueIrqPattern(iface, device);
  const tuning = readTuning(view, { interfaces: [iface], irqPattern: pattern });
  const nic: Record<string, unknown> = { queues: queues.length };
  const irqCpu = queues.map((q) => {
    const hit = (tuning.irq_affinity ?? []).filter((e) => e.queue === q);
    return hit.length > 0 ? parseCpuList(hit[0]!.cpus)[0] : undefined;
  });
  if (irqCpu.every((c) => c !== undefined)) {
    nic.irq_cpus = irqCpu.join(',');
    const spread = (tuning.irq_affinity ?? []).filter(
      (e) => e.queue !== undefined && queues.includes(e.queue) && parseCpuList(e.cpus).length > 1,
    );
    if (spread.length > 0)
      notes.push(
        `IRQ affinity of ${spread.map((e) => e.name).join(', ')} names several CPUs (irqbalance?): the model takes the first of each`,
      );
  } else
    notes.push(
      `no IRQ of every receive queue matched ${pattern} in /proc/interrupts: set nic.irq_cpus (one CPU per queue), or rerun with --irq-pattern`,
    );
  const ring = /Current hardware settings:[\s\S]*?^RX:\s+(\d+)/m.exec(input.ethtoolRing ?? '');
  if (ring) nic.ring_size = Number(ring[1]);
  else notes.push(`RX ring size not read (ethtool -g ${iface}): the base's`);
  const co = tuning.coalescing;
  if (co) {
    if (co['adaptive-rx'] === 1) nic.coalescing = 'adaptive';
    else if ((co['rx-usecs'] ?? 0) > 0) {
      nic.coalescing = 'fixed';
      nic.rx_usecs = co['rx-usecs'];
    } else nic.coalescing = 'off';
  } else notes.push(`interrupt moderation not read (ethtool -c ${iface}): the base's`);
  nic.source = `${src}: /sys/class/net/${iface}/queues, /proc/interrupts and /proc/irq/*/smp_affinity_list${ring ? `, ethtool -g` : ''}${co ? ', ethtool -c' : ''}; costs: the base's`;
  data.nic = nic;

  // Steering: RPS, RFS, XPS.
  const rpsUnion = new Set<number>();
  for (const r of tuning.rps_cpus ?? []) for (const c of safeMask(r.mask)) rpsUnion.add(c);
  data.rps_cpus = rpsUnion.size > 0 ? formatCpuList([...rpsUnion]) : 'none';
  mechanisms.rps = rpsUnion.size > 0;
  const masks = new Set((tuning.rps_cpus ?? []).map((r) => formatCpuList(safeMask(r.mask))));
  if (masks.size > 1)
    notes.push(`rps_cpus differs between queues: the model takes their union (${data.rps_cpus})`);
  const entries = tuning.rps_sock_flow_entries ?? 0;
  const flowCnt = (tuning.rps_flow_cnt ?? []).map((f) => f.entries).find((x) => x > 0) ?? 0;
  mechanisms.rfs = entries > 0 && flowCnt > 0;
  if (mechanisms.rfs)
    data.rfs = {
      sock_flow_entries: pow2(entries),
      flow_cnt: pow2(flowCnt),
      source: `${src}: net.core.rps_sock_flow_entries, queues/rx-*/rps_flow_cnt (rounded up to powers of 2, as the kernel does)`,
    };
  const xps = queues.map((q) => tuning.xps_cpus?.find((x) => x.queue === `tx-${q}`)?.mask);
  const xpsCpus = xps.map((m) => (m === undefined ? [] : safeMask(m)));
  if (xpsCpus.every((c) => c.length > 0)) {
    data.xps_cpus = xpsCpus.map((c) => formatCpuList(c));
    mechanisms.xps = true;
  } else {
    data.xps_cpus = queues.map(() => 'none');
    mechanisms.xps = false;
    if (xpsCpus.some((c) => c.length > 0))
      notes.push('XPS is set on some transmit queues only: the model turns it off (queue by flow hash)');
  }

  // Budgets.
  const sys = tuning.sysctls ?? {};
  const num = (k: string) => (sys[k] !== undefined && /^\d+$/.test(sys[k]!) ? Number(sys[k]) : undefined);
  const napi: Record<string, unknown> = {};
  if (num('net.core.dev_weight') !== undefined) napi.weight = num('net.core.dev_weight');
  if (num('net.core.netdev_budget') !== undefined) napi.netdev_budget = num('net.core.netdev_budget');
  if (num('net.core.netdev_budget_usecs') !== undefined)
    napi.netdev_budget_usecs = num('net.core.netdev_budget_usecs');
  if (Object.keys(napi).length > 0) {
    napi.source = `${src}: net.core.dev_weight, netdev_budget, netdev_budget_usecs`;
    data.napi = napi;
  } else notes.push('NAPI budgets not read: the base’s');
  const backlog = num('net.core.netdev_max_backlog');
  if (backlog !== undefined)
    data.backlog = { netdev_max_backlog: backlog, source: `${src}: net.core.netdev_max_backlog` };
  else notes.push('netdev_max_backlog not read: the base’s');
  data.mechanisms = mechanisms;

  // Line rate.
  const speed = view.readMany([`/sys/class/net/${iface}/speed`]).get(`/sys/class/net/${iface}/speed`);
  const mbps = speed?.ok ? Number(speed.text.trim()) : Number.NaN;
  if (mbps > 0)
    data.wire = {
      line_rate_gbps: mbps / 1000,
      source: `${src}: /sys/class/net/${iface}/speed; propagation and jitter: the base's (calibrate them)`,
    };
  else
    notes.push(
      `line rate not read (/sys/class/net/${iface}/speed: ${speed?.ok ? speed.text.trim() : 'unreadable'}): the base's`,
    );

  // The applications: one worker per core, on each core's first thread (an assumption).
  const firstThreads = sib.offset > 0 ? range(sib.offset) : range(n);
  const apps = {
    nginx: { workers: firstThreads.length, cpus: formatCpuList(firstThreads) },
    tcpkali: { workers: firstThreads.length, cpus: formatCpuList(firstThreads) },
  };
  data.apps = apps;
  notes.push(
    `assumed: nginx and the load generator with one worker per core on CPUs ${formatCpuList(firstThreads)} (set apps.*.workers and cpus to your deployment)`,
  );
  notes.push(
    'inherited from the base: CPU costs, TCP timers, wake-up and stall parameters, propagation and jitter: calibrate them on runs of this host (docs/calibration.md)',
  );
  data.description = `${input.id}: ${n} CPUs, ${queues.length} queue(s) on ${iface}, read from ${input.readOn}`;
  return { data: orderKeys(data), notes };
}

/** The sibling of CPU i is i + k for one k on every CPU with a sibling; else no SMT in the model. */
function siblingOffset(view: FsView, n: number): { offset: number; note?: string } {
  const paths = range(n).map((c) => `/sys/devices/system/cpu/cpu${c}/topology/thread_siblings_list`);
  const got = view.readMany(paths);
  const offsets = new Set<number>();
  let alone = 0;
  for (const [c, p] of paths.entries()) {
    const r = got.get(p);
    if (!r?.ok) return { offset: 0, note: 'hyperthread siblings not read: the model runs without SMT' };
    const s = safeList(r.text);
    if (s.length <= 1) {
      alone++;
      continue;
    }
    if (s.length > 2)
      return { offset: 0, note: `CPU ${c} has ${s.length} threads per core: the model runs without SMT` };
    offsets.add(Math.abs(s[1]! - s[0]!));
  }
  if (offsets.size === 0) return { offset: 0 };
  const k = [...offsets][0]!;
  if (offsets.size > 1 || alone > 0 || 2 * k !== n)
    return {
      offset: 0,
      note: 'hyperthread siblings are not CPU i and i + n/2 on every CPU: the model runs without SMT',
    };
  return { offset: k };
}

function orderKeys(d: Record<string, unknown>): Record<string, unknown> {
  const order = [
    'extends',
    'id',
    'description',
    'cpus',
    'nic',
    'napi',
    'backlog',
    'rps_cpus',
    'rfs',
    'xps_cpus',
    'mechanisms',
    'apps',
    'wire',
  ];
  return Object.fromEntries(order.filter((k) => k in d).map((k) => [k, d[k]]));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function pow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

function safeMask(m: string): number[] {
  try {
    return parseCpuMask(m);
  } catch {
    return [];
  }
}

function safeList(t: string): number[] {
  try {
    return parseCpuList(t);
  } catch {
    return [];
  }
}
