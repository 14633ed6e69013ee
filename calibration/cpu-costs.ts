/**
 * Step (a) of calibration: CPU cost per packet and per byte of each CPU class (hardirq, softirq,
 * task) from the kernel counters of run records, by regressing busy time on packet and byte rates:
 *
 *   busy_cpu_s_per_s(class) = a + b_pkt * packets_per_s + b_byte * bytes_per_s      (OLS, ols.ts)
 *
 * summed over the server's CPUs. Busy time comes from /proc/stat deltas (jiffies / USER_HZ / interval),
 * packets from softnet_stat `processed`, bytes from (request + response bytes) x achieved rate.
 * The per-byte term is dropped when every record has the same response size (it is then collinear
 * with the packet rate); the intercept absorbs background load.
 *
 * Trust: /proc/stat splits time into irq/softirq only with IRQ time accounting; the lab notes found
 * it tick-sampled and off by large factors in the namespace lab, where counters also cover the whole
 * machine (scope `machine`). Such records are not used here; the reason is reported instead.
 */
import type { HostCounters, RunRecord } from '../harness/run-record.ts';
import type { CpuClassName } from '../sim/result.ts';
import { ols } from './ols.ts';
import type { LabelledRecord } from './records.ts';

export interface ClassCost {
  cls: CpuClassName;
  cost_ns_per_packet: { value: number; se: number };
  cost_ns_per_byte: { value: number; se: number } | null;
  background_cpus: { value: number; se: number };
  r2: number;
  points: number;
}

export interface CpuCostFit {
  /** One entry per class fitted; empty when no trustworthy counters. */
  classes: ClassCost[];
  /** Why records were not used, or why nothing was fitted. */
  notes: string[];
  records_used: string[];
}

interface Obs {
  file: string;
  pps: number;
  bps: number;
  busy: Record<CpuClassName, number>;
}

/** Why a record's counters cannot be used, or null when they can. */
export function counterTrustProblem(r: RunRecord): string | null {
  const c = r.counters;
  if (!c) return 'no counters';
  if (c.scope === 'machine') return 'counters cover the whole machine (lab), not one host';
  const s = c.server;
  if (!s) return 'no server counters';
  if (!s.cpu || s.cpu.length === 0) return 'no /proc/stat deltas';
  if (!s.softnet || s.softnet.length === 0) return 'no softnet_stat deltas (packet counts)';
  if (!(s.interval_s > 0)) return 'interval_s is 0';
  const irq = s.cpu.reduce((a, x) => a + x.irq_jiffies, 0);
  const softirq = s.cpu.reduce((a, x) => a + x.softirq_jiffies, 0);
  if (softirq === 0 && irq === 0) return '/proc/stat shows no irq or softirq time (no IRQ time accounting)';
  return null;
}

function observe(file: string, r: RunRecord, s: HostCounters): Obs {
  const hz = s.user_hz ?? 100;
  const cpus = s.cpu ?? [];
  const sum = (f: (x: (typeof cpus)[number]) => number) =>
    cpus.reduce((a, x) => a + f(x), 0) / hz / s.interval_s;
  const packets = (s.softnet ?? []).reduce((a, x) => a + x.processed, 0);
  return {
    file,
    pps: packets / s.interval_s,
    bps: (r.request_bytes + r.response_bytes) * r.achieved_rps,
    busy: {
      hardirq: sum((x) => x.irq_jiffies),
      softirq: sum((x) => x.softirq_jiffies),
      task: sum((x) => x.user_jiffies + x.system_jiffies + x.nice_jiffies),
    },
  };
}

export function fitCpuCosts(records: readonly LabelledRecord[]): CpuCostFit {
  const obs: Obs[] = [];
  // Records whose counters are not used, by reason: one note per reason, not one per record.
  const untrusted = new Map<string, string[]>();
  for (const lr of records) {
    const why = counterTrustProblem(lr.record);
    if (why !== null) {
      untrusted.set(why, [...(untrusted.get(why) ?? []), lr.file]);
      continue;
    }
    obs.push(observe(lr.file, lr.record, lr.record.counters!.server!));
  }
  const notes = [...untrusted].map(([why, files]) =>
    files.length === 1
      ? `${files[0]}: counters not used: ${why}`
      : `counters of ${files.length} records not used (${files[0]} and ${files.length - 1} more): ${why}`,
  );
  if (obs.length === 0) {
    return {
      classes: [],
      notes: [...summarise(notes), 'CPU costs not fitted: no record has trustworthy server counters'],
      records_used: [],
    };
  }
  const sizes = new Set(obs.map((o) => Math.round((o.bps / Math.max(o.pps, 1)) * 1000)));
  const withBytes = sizes.size > 1;
  const p = withBytes ? 3 : 2;
  if (obs.length <= p) {
    return {
      classes: [],
      notes: [
        ...summarise(notes),
        `CPU costs not fitted: ${obs.length} records with counters, need more than ${p}`,
      ],
      records_used: obs.map((o) => o.file),
    };
  }
  const X = obs.map((o) => (withBytes ? [1, o.pps, o.bps] : [1, o.pps]));
  const names = withBytes ? ['intercept', 'packets_per_s', 'bytes_per_s'] : ['intercept', 'packets_per_s'];
  const classes: ClassCost[] = [];
  for (const cls of ['hardirq', 'softirq', 'task'] as const) {
    const y = obs.map((o) => o.busy[cls]);
    try {
      const f = ols(X, y, names);
      classes.push({
        cls,
        cost_ns_per_packet: { value: f.coef[1]! * 1e9, se: f.se[1]! * 1e9 },
        cost_ns_per_byte: withBytes ? { value: f.coef[2]! * 1e9, se: f.se[2]! * 1e9 } : null,
        background_cpus: { value: f.coef[0]!, se: f.se[0]! },
        r2: f.r2,
        points: obs.length,
      });
      if (f.coef[1]! < 0)
        notes.push(`${cls}: negative cost per packet fitted; the counters may not separate this class`);
    } catch (err) {
      notes.push(`${cls}: not fitted (${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (!withBytes)
    notes.push('cost per byte not fitted: all records have the same request and response sizes');
  return { classes, notes: summarise(notes), records_used: obs.map((o) => o.file) };
}

/** Keeps at most 5 per-record notes plus a count, so a large run does not flood the profile. */
function summarise(notes: string[]): string[] {
  if (notes.length <= 6) return notes;
  return [...notes.slice(0, 5), `... and ${notes.length - 5} more records with the same kind of note`];
}
