/**
 * Reads back the tuning in force, from /proc and /sys, for a run record: IRQ affinity of the NIC's
 * queues, rps_cpus / xps_cpus / rps_flow_cnt per queue, rps_sock_flow_entries, the sysctls that
 * matter for the study, interrupt coalescing (ethtool -c) and NOTRACK rules (iptables-save).
 *
 * A view (`FsView`) abstracts where files are read: a root directory (a real host, or a fake tree
 * in tests), or a network namespace (the lab: /sys/class/net and net.* sysctls are per namespace,
 * so they are read through one `ip netns exec <ns> sh` call). Unreadable files are listed in
 * `unreadable`, never reported as defaults.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { haveCommand, tryRun } from '../exec.ts';
import type { Tuning } from '../run-record.ts';
import { queueIrqLines } from './queue-irqs.ts';

export interface FsView {
  /** Contents of each absolute path, or an error message. */
  readMany(paths: readonly string[]): Map<string, { ok: true; text: string } | { ok: false; error: string }>;
  list(dir: string): string[];
  /** Command prefix that runs a program where this view reads (for ethtool, iptables-save). */
  exec?: string[];
}

export function localFs(root = '/'): FsView {
  const view: FsView = {
    readMany(paths) {
      const out: ReturnType<FsView['readMany']> = new Map();
      for (const p of paths) {
        try {
          out.set(p, { ok: true, text: readFileSync(join(root, p), 'utf8') });
        } catch (e) {
          out.set(p, { ok: false, error: (e as NodeJS.ErrnoException).code ?? String(e) });
        }
      }
      return out;
    },
    list(dir) {
      try {
        return readdirSync(join(root, dir)).sort();
      } catch {
        return [];
      }
    },
  };
  if (root === '/') view.exec = [];
  return view;
}

const SEP = '--cnisim-file--';

/** Reads inside a network namespace (ip netns exec remounts /sys for it). */
export function netnsFs(ns: string): FsView {
  return {
    readMany(paths) {
      const script = `for f in "$@"; do echo "${SEP} $f"; if cat "$f" 2>/dev/null; then :; else echo "${SEP}ERR"; fi; done`;
      const r = tryRun(['ip', 'netns', 'exec', ns, 'sh', '-c', script, 'sh', ...paths]);
      const out: ReturnType<FsView['readMany']> = new Map();
      const chunks = r.stdout.split(`${SEP} `).slice(1);
      for (const c of chunks) {
        const nl = c.indexOf('\n');
        const path = c.slice(0, nl);
        const body = c.slice(nl + 1);
        out.set(
          path,
          body.includes(`${SEP}ERR`) ? { ok: false, error: 'unreadable' } : { ok: true, text: body },
        );
      }
      for (const p of paths) if (!out.has(p)) out.set(p, { ok: false, error: r.stderr.trim() || 'not read' });
      return out;
    },
    list(dir) {
      const r = tryRun(['ip', 'netns', 'exec', ns, 'ls', '-1', dir]);
      return r.status === 0
        ? r.stdout
            .split('\n')
            .filter((s) => s !== '')
            .sort()
        : [];
    },
    exec: ['ip', 'netns', 'exec', ns],
  };
}

/**
 * Reads from `primary`, and from `fallback` what `primary` cannot read: in the lab, sysctls that
 * exist only in the initial namespace (net.core.netdev_max_backlog, rps_sock_flow_entries, ...)
 * are global and are read from the root.
 */
export function fallbackFs(primary: FsView, fallback: FsView): FsView {
  const view: FsView = {
    readMany(paths) {
      const first = primary.readMany(paths);
      const missing = paths.filter((p) => !first.get(p)?.ok);
      if (missing.length > 0) for (const [p, v] of fallback.readMany(missing)) if (v.ok) first.set(p, v);
      return first;
    },
    list: (dir) => primary.list(dir),
  };
  if (primary.exec) view.exec = primary.exec;
  return view;
}

/** Sysctls recorded with every step (the study's list plus what shapes the receive path). */
export const TUNING_SYSCTLS = [
  'net.core.netdev_max_backlog',
  'net.core.netdev_budget',
  'net.core.netdev_budget_usecs',
  'net.core.dev_weight',
  'net.core.somaxconn',
  'net.core.busy_poll',
  'net.core.busy_read',
  'net.core.rmem_max',
  'net.core.wmem_max',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_wmem',
  'net.ipv4.tcp_max_syn_backlog',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_slow_start_after_idle',
  'net.ipv4.tcp_low_latency',
  'net.ipv4.tcp_autocorking',
  'net.ipv4.ip_forward',
  'fs.file-max',
  'kernel.sched_migration_cost_ns',
  'kernel.sched_rt_runtime_us',
] as const;

export const sysctlPath = (name: string) => `/proc/sys/${name.replace(/\./g, '/')}`;

export interface ReadTuningOptions {
  /** Interfaces whose queues to read (the traffic NIC, or the lab's wire and pod interfaces). */
  interfaces: readonly string[];
  /** Where /proc/interrupts and /proc/irq live (global even in the lab); default: the same view. */
  irqView?: FsView;
  /** Action-name pattern of the NIC's queue IRQs; default: lines naming one of the interfaces. */
  irqPattern?: RegExp;
  sysctls?: readonly string[];
}

export function readTuning(view: FsView, opts: ReadTuningOptions): Tuning {
  const unreadable: string[] = [];
  const tuning: Tuning = { origin: 'read-back' };
  const get = (m: ReturnType<FsView['readMany']>, p: string): string | undefined => {
    const r = m.get(p);
    if (r?.ok) return r.text.trim();
    unreadable.push(`${p}: ${r && !r.ok ? r.error : 'not read'}`);
    return undefined;
  };

  // Queues of each interface.
  const queuePaths: {
    iface: string;
    queue: string;
    kind: 'rps_cpus' | 'xps_cpus' | 'rps_flow_cnt';
    path: string;
  }[] = [];
  for (const iface of opts.interfaces) {
    for (const q of view.list(`/sys/class/net/${iface}/queues`)) {
      const base = `/sys/class/net/${iface}/queues/${q}`;
      if (q.startsWith('rx-')) {
        queuePaths.push({ iface, queue: q, kind: 'rps_cpus', path: `${base}/rps_cpus` });
        queuePaths.push({ iface, queue: q, kind: 'rps_flow_cnt', path: `${base}/rps_flow_cnt` });
      } else if (q.startsWith('tx-'))
        queuePaths.push({ iface, queue: q, kind: 'xps_cpus', path: `${base}/xps_cpus` });
    }
  }
  const sysctls = opts.sysctls ?? TUNING_SYSCTLS;
  const paths = [
    ...queuePaths.map((q) => q.path),
    '/proc/sys/net/core/rps_sock_flow_entries',
    ...sysctls.map(sysctlPath),
  ];
  const got = view.readMany(paths);
  tuning.rps_cpus = [];
  tuning.xps_cpus = [];
  tuning.rps_flow_cnt = [];
  for (const q of queuePaths) {
    const v = get(got, q.path);
    if (v === undefined) continue;
    if (q.kind === 'rps_flow_cnt')
      tuning.rps_flow_cnt.push({ interface: q.iface, queue: q.queue, entries: Number(v) });
    else tuning[q.kind]!.push({ interface: q.iface, queue: q.queue, mask: v });
  }
  const flow = get(got, '/proc/sys/net/core/rps_sock_flow_entries');
  if (flow !== undefined) tuning.rps_sock_flow_entries = Number(flow);
  tuning.sysctls = {};
  for (const s of sysctls) {
    const r = got.get(sysctlPath(s));
    if (r?.ok) tuning.sysctls[s] = r.text.trim().replace(/\s+/g, ' ');
    else unreadable.push(`${sysctlPath(s)}: ${r && !r.ok ? r.error : 'not read'}`);
  }

  // IRQ affinity of the NIC's queue interrupts.
  const irqView = opts.irqView ?? view;
  const interrupts = irqView.readMany(['/proc/interrupts']).get('/proc/interrupts');
  tuning.irq_affinity = [];
  if (interrupts?.ok) {
    const pattern =
      opts.irqPattern ??
      new RegExp(opts.interfaces.map((i) => i.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|') || '^$');
    const lines = queueIrqLines(interrupts.text, pattern);
    const aff = irqView.readMany(lines.map((l) => `/proc/irq/${l.irq}/smp_affinity_list`));
    for (const l of lines) {
      const v = get(aff, `/proc/irq/${l.irq}/smp_affinity_list`);
      if (v === undefined) continue;
      const entry: NonNullable<Tuning['irq_affinity']>[number] = { irq: l.irq, name: l.name, cpus: v };
      if (l.queue !== undefined) entry.queue = l.queue;
      tuning.irq_affinity.push(entry);
    }
  } else unreadable.push('/proc/interrupts: unreadable');

  // Coalescing and NOTRACK need programs; only where the view can run them.
  tuning.coalescing = null;
  if (view.exec !== undefined) {
    const iface = opts.interfaces[0];
    if (iface && haveCommand('ethtool')) {
      const r = tryRun([...view.exec, 'ethtool', '-c', iface]);
      if (r.status === 0) {
        const c: Record<string, number> = {};
        for (const l of r.stdout.split('\n')) {
          const m = /^([a-z-]+):\s+(-?\d+)\s*$/.exec(l.trim());
          if (m) c[m[1]!] = Number(m[2]);
        }
        tuning.coalescing = c;
      } else unreadable.push(`ethtool -c ${iface}: ${r.stderr.trim() || `exit ${r.status}`}`);
    } else if (iface) unreadable.push('ethtool -c: ethtool is not installed');
    if (haveCommand('iptables-save')) {
      const r = tryRun([...view.exec, 'iptables-save', '-t', 'raw']);
      if (r.status === 0)
        tuning.notrack_rules = r.stdout.split('\n').filter((l) => /NOTRACK|--notrack/.test(l));
      else unreadable.push(`iptables-save -t raw: ${r.stderr.trim() || `exit ${r.status}`}`);
    } else unreadable.push('iptables-save: not installed (NOTRACK rules not read)');
  }
  tuning.unreadable = unreadable;
  return tuning;
}
