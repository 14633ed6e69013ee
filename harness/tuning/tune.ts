/**
 * The study's tuning, generalised from its c4.8xlarge to any host's topology, as a list of file
 * writes (and NOTRACK iptables rules) that can be shown, applied and reverted exactly:
 *   - IRQ affinity: the IRQ of NIC queue i goes to the first CPU of NUMA node i mod nodes (0 and 9);
 *   - RPS: every queue steers to the first hyperthread of every core except the IRQ CPUs (1-8,10-17);
 *   - XPS: TX queue i is used by the CPUs of NUMA node i mod nodes (0-8,18-26 / 9-17,27-35);
 *   - RFS: rps_sock_flow_entries 65536, rps_flow_cnt = 65536 / RX queues (32768);
 *   - sysctls for many connections (fs.file-max, port range, tw buckets, tw_reuse, fin_timeout,
 *     slow start after idle, tcp_low_latency; tcp_tw_recycle only where the kernel still has it),
 *     kernel.sched_migration_cost_ns = 10 ms (for taskset-pinned tcpkali);
 *   - NOTRACK rules for the HTTP port in the raw table.
 * Limits it raises (file-max, port range, tw buckets, RFS table sizes) are never lowered: a host
 * already above the study's value keeps its own (`kept`), since a smaller limit could only make
 * the host fail where it did not. Queue IRQs are found as `harness host-file` finds them
 * (queue-irqs.ts: the interface's names, or its virtio device's inputs), each pinned by its queue
 * number.
 *
 * `root` points at a filesystem tree laid out like / (tests use a fake one; never the real one).
 * Apply saves every previous value, byte for byte, in a state file before writing; revert writes
 * them back and removes the state file. Apply refuses to run over an existing state file so the
 * original values can never be overwritten by tuned ones. Revert with no state file has nothing to
 * do and says so (`reverted: false`), so a script may run it twice; a damaged state file is invalid
 * input naming it. Files the kernel lacks are skipped with a warning, not created. CPU overrides
 * naming CPUs the host lacks are invalid input.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../cli/errors.ts';
import { readJsonFile } from '../../cli/read-json.ts';
import { formatCpuList, formatCpuMask, parseCpuList } from '../cpulist.ts';
import { run } from '../exec.ts';
import { nicDevice, queueIrqLines, queueIrqPattern } from './queue-irqs.ts';
import { sysctlPath } from './readback.ts';

export interface TuneInput {
  interface: string;
  /** Filesystem root; `/` on a real host. */
  root: string;
  /** TCP port of the HTTP server (NOTRACK rules). */
  port: number;
  /** `server` tracks --dport port inbound; `client` tracks --sport port inbound. Default server. */
  role?: 'server' | 'client';
  /** Overrides of the derived CPU sets. */
  irq_cpus?: number[];
  rps_cpus?: number[];
  rps_sock_flow_entries?: number;
}

export interface TuneWrite {
  path: string;
  value: string;
  what: string;
}

/** A limit left as it is: the current value already reaches the study's. */
export interface TuneKept {
  path: string;
  current: string;
  /** The study's value, which the current one reaches. */
  value: string;
  what: string;
}

export interface TunePlan {
  writes: TuneWrite[];
  kept: TuneKept[];
  /** iptables commands of apply and of revert. */
  notrack_apply: string[][];
  notrack_revert: string[][];
  warnings: string[];
  topology: { cpus: number[]; nodes: { node: number; cpus: number[] }[]; primaries: number[] };
}

export const STUDY_SYSCTLS: Record<string, string> = {
  'fs.file-max': '1024000',
  'net.ipv4.ip_local_port_range': '2000 65535',
  'net.ipv4.tcp_max_tw_buckets': '2000000',
  'net.ipv4.tcp_tw_reuse': '1',
  'net.ipv4.tcp_tw_recycle': '1',
  'net.ipv4.tcp_fin_timeout': '10',
  'net.ipv4.tcp_slow_start_after_idle': '0',
  'net.ipv4.tcp_low_latency': '1',
  'kernel.sched_migration_cost_ns': '10000000',
};

/** How a raised limit is compared: one number, or a range that must span the study's. */
type Raise = 'at-least' | 'range';

/** The study's sysctls that are limits it raises (the others are settings it sets as they are). */
const RAISED_SYSCTLS: Record<string, Raise> = {
  'fs.file-max': 'at-least',
  'net.ipv4.ip_local_port_range': 'range',
  'net.ipv4.tcp_max_tw_buckets': 'at-least',
};

/** Whether `current` already reaches `target` (BigInt: file-max is often 2^63 - 1). */
export function limitReached(current: string, target: string, raise: Raise): boolean {
  const nums = (t: string) => t.trim().split(/\s+/);
  const c = nums(current);
  const t = nums(target);
  if (![...c, ...t].every((x) => /^\d+$/.test(x))) return false;
  if (raise === 'at-least') return c.length === 1 && t.length === 1 && BigInt(c[0]!) >= BigInt(t[0]!);
  return c.length === 2 && t.length === 2 && BigInt(c[0]!) <= BigInt(t[0]!) && BigInt(c[1]!) >= BigInt(t[1]!);
}

function read(root: string, path: string): string | null {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch {
    return null;
  }
}

/** CPUs, NUMA nodes and first hyperthreads of the host under `root` (no CPUs when unreadable). */
export function hostTopology(root: string): TunePlan['topology'] {
  const online = read(root, '/sys/devices/system/cpu/online');
  const cpus = online ? parseCpuList(online) : [];
  const nodes: TunePlan['topology']['nodes'] = [];
  let dirs: string[] = [];
  try {
    dirs = readdirSync(join(root, '/sys/devices/system/node'));
  } catch {
    dirs = [];
  }
  for (const d of dirs) {
    const m = /^node(\d+)$/.exec(d);
    const list = m ? read(root, `/sys/devices/system/node/${d}/cpulist`) : null;
    if (m && list) nodes.push({ node: Number(m[1]), cpus: parseCpuList(list) });
  }
  nodes.sort((a, b) => a.node - b.node);
  if (nodes.length === 0) nodes.push({ node: 0, cpus });
  // The first hyperthread of each core: a CPU that is the lowest of its thread siblings.
  const primaries = cpus.filter((c) => {
    const sib = read(root, `/sys/devices/system/cpu/cpu${c}/topology/thread_siblings_list`);
    return sib === null || Math.min(...parseCpuList(sib)) === c;
  });
  return { cpus, nodes, primaries };
}

/** Queue IRQs of the interface from /proc/interrupts (lines of no queue left out), in file order. */
function queueIrqs(root: string, pattern: RegExp): { irq: number; name: string; queue: number }[] {
  return queueIrqLines(read(root, '/proc/interrupts') ?? '', pattern).flatMap((l) =>
    l.queue === undefined ? [] : [{ irq: l.irq, name: l.name, queue: l.queue }],
  );
}

export function planTuning(input: TuneInput): TunePlan {
  const { root } = input;
  const warnings: string[] = [];
  const topo = hostTopology(root);
  if (topo.cpus.length === 0) throw new Error(`cannot read the online CPUs under ${root}`);
  // An override naming a CPU the host lacks would pin an IRQ or steer packets nowhere.
  for (const [field, cpus] of [
    ['irq_cpus', input.irq_cpus],
    ['rps_cpus', input.rps_cpus],
  ] as const) {
    const lacking = (cpus ?? []).filter((c) => !topo.cpus.includes(c));
    if (cpus?.length === 0) throw new InputError(field, '', 'must name at least one CPU');
    if (lacking.length > 0)
      throw new InputError(
        field,
        formatCpuList(cpus!),
        `names CPU${lacking.length > 1 ? 's' : ''} ${formatCpuList(lacking)}, which this host lacks (it has ${formatCpuList(topo.cpus)})`,
      );
  }
  const groups = Math.max(1, Math.ceil((Math.max(...topo.cpus) + 1) / 32));
  const writes: TuneWrite[] = [];
  const kept: TuneKept[] = [];
  const add = (path: string, value: string, what: string, raise?: Raise) => {
    const current = read(root, path);
    if (current === null) warnings.push(`${path}: not present on this kernel, skipped (${what})`);
    else if (raise && limitReached(current, value, raise))
      kept.push({ path, current: current.trim().replace(/\s+/g, ' '), value, what });
    else writes.push({ path, value, what });
  };

  const pattern = queueIrqPattern(input.interface, nicDevice(root, input.interface));
  const irqs = queueIrqs(root, pattern);
  if (irqs.length === 0)
    warnings.push(`no queue IRQ matched ${pattern} in /proc/interrupts: IRQ affinity left alone`);
  const irqCpus = input.irq_cpus ?? topo.nodes.map((n) => n.cpus[0]!).filter((c) => c !== undefined);
  // By queue number, so a driver with separate rx and tx IRQs of a queue pins both to one CPU.
  const cpuOfQueue = (q: number) => irqCpus[q % irqCpus.length]!;
  for (const q of irqs) {
    const cpu = cpuOfQueue(q.queue);
    add(`/proc/irq/${q.irq}/smp_affinity_list`, String(cpu), `IRQ of ${q.name} on CPU ${cpu}`);
  }

  let queues: string[] = [];
  try {
    queues = readdirSync(join(root, `/sys/class/net/${input.interface}/queues`)).sort();
  } catch {
    throw new Error(`no queues for interface ${input.interface} under ${join(root, 'sys/class/net')}`);
  }
  const rx = queues.filter((q) => q.startsWith('rx-'));
  const tx = queues.filter((q) => q.startsWith('tx-'));
  const used = new Set(irqs.map((q) => cpuOfQueue(q.queue)));
  const rpsCpus = input.rps_cpus ?? topo.primaries.filter((c) => !used.has(c));
  const rpsMask = formatCpuMask(rpsCpus, groups);
  const entries = input.rps_sock_flow_entries ?? 65536;
  for (const q of rx) {
    const base = `/sys/class/net/${input.interface}/queues/${q}`;
    add(`${base}/rps_cpus`, rpsMask, `RPS of ${q} to CPUs ${formatCpuList(rpsCpus)}`);
    add(
      `${base}/rps_flow_cnt`,
      String(Math.floor(entries / Math.max(1, rx.length))),
      `RFS table of ${q}`,
      'at-least',
    );
  }
  tx.forEach((q, i) => {
    const node = topo.nodes[i % topo.nodes.length]!;
    add(
      `/sys/class/net/${input.interface}/queues/${q}/xps_cpus`,
      formatCpuMask(node.cpus, groups),
      `XPS: CPUs ${formatCpuList(node.cpus)} (NUMA node ${node.node}) send on ${q}`,
    );
  });
  add('/proc/sys/net/core/rps_sock_flow_entries', String(entries), 'RFS global flow table', 'at-least');
  for (const [name, value] of Object.entries(STUDY_SYSCTLS))
    add(sysctlPath(name), value, `sysctl ${name}`, RAISED_SYSCTLS[name]);

  const dir = (input.role ?? 'server') === 'server' ? '--dport' : '--sport';
  const out = (input.role ?? 'server') === 'server' ? '--sport' : '--dport';
  const rule = (op: '-I' | '-D', chain: string, flag: string) => [
    'iptables',
    '-t',
    'raw',
    op,
    chain,
    '-p',
    'tcp',
    flag,
    String(input.port),
    '-j',
    'NOTRACK',
  ];
  return {
    writes,
    kept,
    notrack_apply: [rule('-I', 'PREROUTING', dir), rule('-I', 'OUTPUT', out)],
    notrack_revert: [rule('-D', 'PREROUTING', dir), rule('-D', 'OUTPUT', out)],
    warnings,
    topology: topo,
  };
}

export const SavedTuning = z.object({
  saved_at: z.string(),
  interface: z.string(),
  /** Previous contents, byte for byte. */
  previous: z.array(z.object({ path: z.string(), value: z.string() })),
  notrack_revert: z.array(z.array(z.string())),
});
export type SavedTuning = z.infer<typeof SavedTuning>;

export function defaultStateFile(root: string): string {
  return join(root, '/var/lib/cnisim/tune-saved.json');
}

export interface ApplyResult {
  written: TuneWrite[];
  commands_run: string[][];
  commands_skipped: string[][];
  state_file: string;
}

/** Writes the plan, after saving every previous value. iptables runs only when root is `/`. */
export function applyTuning(
  plan: TunePlan,
  input: TuneInput,
  stateFile = defaultStateFile(input.root),
): ApplyResult {
  if (existsSync(stateFile))
    throw new Error(
      `${stateFile} exists: tuning already applied (revert it first, so the original values are kept)`,
    );
  const previous = plan.writes.map((w) => ({ path: w.path, value: read(input.root, w.path) ?? '' }));
  const saved: SavedTuning = {
    saved_at: new Date().toISOString(),
    interface: input.interface,
    previous,
    notrack_revert: plan.notrack_revert,
  };
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify(saved, null, 2)}\n`);
  const written: TuneWrite[] = [];
  for (const w of plan.writes) {
    writeFileSync(join(input.root, w.path), `${w.value}\n`);
    written.push(w);
  }
  const real = input.root === '/';
  const commands_run: string[][] = [];
  if (real)
    for (const c of plan.notrack_apply) {
      run(c);
      commands_run.push(c);
    }
  return { written, commands_run, commands_skipped: real ? [] : plan.notrack_apply, state_file: stateFile };
}

/** The state file apply wrote; null when there is none; invalid input naming it when damaged. */
export function readSavedTuning(stateFile: string): SavedTuning | null {
  if (!existsSync(stateFile)) return null;
  return readJsonFile(stateFile, stateFile, SavedTuning, 'a saved tuning of harness tune --apply');
}

export interface RevertResult {
  /** False when there was no saved tuning: nothing was written. */
  reverted: boolean;
  restored: number;
  commands_run: string[][];
  state_file: string;
}

/** Writes back every saved value exactly and removes the state file; no state file: nothing to do. */
export function revertTuning(root: string, stateFile = defaultStateFile(root)): RevertResult {
  const saved = readSavedTuning(stateFile);
  if (saved === null) return { reverted: false, restored: 0, commands_run: [], state_file: stateFile };
  for (const p of saved.previous) writeFileSync(join(root, p.path), p.value);
  const commands_run: string[][] = [];
  if (root === '/')
    for (const c of saved.notrack_revert) {
      try {
        run(c);
        commands_run.push(c);
      } catch {
        // the rule was already gone
      }
    }
  rmSync(stateFile);
  return { reverted: true, restored: saved.previous.length, commands_run, state_file: stateFile };
}
