/**
 * Counter snapshots on target hosts, where cnisim does not run: a POSIX shell script that dumps the
 * counter files and the tuning files as `==> <path>` sections (`harness plan` emits it as snap.sh),
 * and the parsers that turn such a dump back into a Snapshot and into a file view for the tuning
 * read-back (`harness import`). One format, both ends.
 */
import { TUNING_SYSCTLS, sysctlPath, type FsView } from '../tuning/readback.ts';
import {
  parseInterrupts,
  parseProcStat,
  parseSchedstat,
  parseSnmp,
  parseSoftirqs,
  parseSoftnetStat,
} from './proc.ts';
import type { Snapshot, TaskSample } from './snapshot.ts';

/** snap.sh: prints a dump on stdout. nginx workers are found with pgrep. */
export function snapshotScript(): string {
  const sysctls = TUNING_SYSCTLS.map(sysctlPath).join(' ');
  return `#!/bin/sh
# cnisim counter snapshot: prints "==> <path>" sections; parsed by \`cnisim harness import\`.
echo "==> time_ns"; awk '{printf "%.0f\\n", $1 * 1e9}' /proc/uptime
for f in /proc/sys/kernel/osrelease /sys/devices/system/cpu/online /proc/stat /proc/softirqs /proc/interrupts \\
         /proc/net/softnet_stat /proc/net/snmp /proc/net/netstat /proc/sys/net/core/rps_sock_flow_entries \\
         /sys/devices/system/node/node*/cpulist ${sysctls}; do
  [ -r "$f" ] && { echo "==> $f"; cat "$f"; }
done
for f in /sys/class/net/*/queues/*/rps_cpus /sys/class/net/*/queues/*/rps_flow_cnt /sys/class/net/*/queues/*/xps_cpus \\
         /proc/irq/*/smp_affinity_list; do
  [ -r "$f" ] && { echo "==> $f"; cat "$f" 2>/dev/null; }
done
for p in $(pgrep -f 'nginx: worker' || true); do
  echo "==> /proc/$p/schedstat"; cat "/proc/$p/schedstat" 2>/dev/null || echo gone
  echo "==> /proc/$p/comm"; cat "/proc/$p/comm" 2>/dev/null || echo gone
  echo "==> /proc/$p/cpus"; awk '/Cpus_allowed_list/ {print $2}' "/proc/$p/status" 2>/dev/null
done
echo "==> end"
`;
}

export function parseDumpSections(text: string): Map<string, string> {
  const sections = new Map<string, string>();
  let current: string | null = null;
  let buf: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^==> (.+)$/.exec(line);
    if (m) {
      if (current !== null) sections.set(current, `${buf.join('\n')}`);
      current = m[1]!.trim();
      buf = [];
    } else buf.push(line);
  }
  if (current !== null) sections.set(current, buf.join('\n'));
  return sections;
}

/** A dump as a file view, so readTuning reads the tuning that was in force on the target. */
export function dumpFs(sections: Map<string, string>): FsView {
  return {
    readMany(paths) {
      const out: ReturnType<FsView['readMany']> = new Map();
      for (const p of paths) {
        const v = sections.get(p);
        out.set(p, v === undefined ? { ok: false, error: 'not in the dump' } : { ok: true, text: v });
      }
      return out;
    },
    list(dir) {
      const pre = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const k of sections.keys()) if (k.startsWith(pre)) names.add(k.slice(pre.length).split('/')[0]!);
      return [...names].sort();
    },
  };
}

/** Parses a dump; `interruptFilter` keeps the NIC queue lines. Throws naming the section on bad content. */
export function snapshotFromDump(
  text: string,
  interruptFilter: (name: string) => boolean,
  source = 'dump',
): Snapshot {
  const sections = parseDumpSections(text);
  if (!sections.has('end')) throw new Error(`${source}: cut off (no "==> end" section)`);
  const need = (k: string) => {
    const v = sections.get(k);
    if (v === undefined) throw new Error(`${source}: no "${k}" section`);
    return v;
  };
  const wrap = <T>(k: string, f: (t: string) => T): T => {
    const text = need(k);
    try {
      return f(text);
    } catch (e) {
      throw new Error(`${source}: ${k}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  const t_ns = Number(need('time_ns').trim());
  if (!Number.isFinite(t_ns) || t_ns <= 0) throw new Error(`${source}: time_ns is not a number`);
  const tasks: TaskSample[] = [];
  for (const [k, v] of sections) {
    const m = /^\/proc\/(\d+)\/schedstat$/.exec(k);
    if (!m || v.trim() === 'gone') continue;
    const pid = Number(m[1]);
    const t: TaskSample = {
      pid,
      comm: sections.get(`/proc/${pid}/comm`)?.trim() ?? '?',
      sched: parseSchedstat(v),
    };
    const cpus = sections.get(`/proc/${pid}/cpus`)?.trim();
    if (cpus) t.cpus_allowed = cpus;
    tasks.push(t);
  }
  return {
    t_ns,
    stat: wrap('/proc/stat', parseProcStat),
    softirqs: wrap('/proc/softirqs', parseSoftirqs),
    interrupts: wrap('/proc/interrupts', parseInterrupts).lines.filter((l) => interruptFilter(l.name)),
    softnet: wrap('/proc/net/softnet_stat', parseSoftnetStat),
    snmp: { ...wrap('/proc/net/snmp', parseSnmp), ...wrap('/proc/net/netstat', parseSnmp) },
    tasks,
    clientTasks: [],
    unreadable: [],
  };
}
