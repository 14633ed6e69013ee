/**
 * Parsers of the kernel counter files the harness samples before and after each step. Pure: text
 * in, numbers out, so they are tested on fixtures. Formats:
 * - /proc/stat `cpuN user nice system idle iowait irq softirq steal guest guest_nice` (USER_HZ ticks);
 * - /proc/softirqs: a header of CPUn columns, then `NAME: count count ...`;
 * - /proc/interrupts: a header of CPUn columns, then `IRQ: count... chip hwirq name`;
 * - /proc/net/softnet_stat: one line per CPU of 32-bit hex words: processed, dropped, time_squeeze,
 *   0 x5, cpu_collision, received_rps, flow_limit_count, (6.x: backlog length, cpu index, ...);
 * - /proc/net/snmp and /proc/net/netstat: pairs of `Proto: names...` / `Proto: values...` lines;
 * - /proc/PID/schedstat: `run_ns wait_ns timeslices`.
 */

export interface CpuTimes {
  cpu: number;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guest_nice: number;
}

export function parseProcStat(text: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).map(Number);
    if (v.length < 7 || v.some((x) => !Number.isFinite(x)))
      throw new Error(`/proc/stat: bad line ${JSON.stringify(line)}`);
    out.push({
      cpu: Number(m[1]),
      user: v[0]!,
      nice: v[1]!,
      system: v[2]!,
      idle: v[3]!,
      iowait: v[4]!,
      irq: v[5]!,
      softirq: v[6]!,
      steal: v[7] ?? 0,
      guest: v[8] ?? 0,
      guest_nice: v[9] ?? 0,
    });
  }
  if (out.length === 0) throw new Error('/proc/stat: no cpuN lines');
  return out;
}

/** Columns of a `CPU0 CPU1 ...` header: the CPU numbers in order (offline CPUs are absent). */
function headerCpus(header: string | undefined, file: string): number[] {
  const cpus = (header ?? '')
    .trim()
    .split(/\s+/)
    .map((h) => /^CPU(\d+)$/.exec(h)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number);
  if (cpus.length === 0) throw new Error(`${file}: no CPU header`);
  return cpus;
}

/** Softirq counts: name (NET_RX, NET_TX, ...) to a count per CPU number. */
export interface Softirqs {
  cpus: number[];
  counts: Record<string, number[]>;
}

export function parseSoftirqs(text: string): Softirqs {
  const lines = text.split('\n');
  const cpus = headerCpus(lines[0], '/proc/softirqs');
  const counts: Record<string, number[]> = {};
  for (const line of lines.slice(1)) {
    const m = /^\s*([A-Z_]+):\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2]!.trim().split(/\s+/).slice(0, cpus.length).map(Number);
    if (v.length !== cpus.length || v.some((x) => !Number.isFinite(x)))
      throw new Error(`/proc/softirqs: bad line ${JSON.stringify(line)}`);
    counts[m[1]!] = v;
  }
  if (!counts.NET_RX || !counts.NET_TX) throw new Error('/proc/softirqs: no NET_RX/NET_TX lines');
  return { cpus, counts };
}

export interface InterruptLine {
  irq: string;
  per_cpu: number[];
  /** The action name (last column), e.g. `virtio1-input.0`, `eth0-TxRx-3`. */
  name: string;
  /** Everything after the counts (chip, hwirq, trigger, name). */
  description: string;
}

export function parseInterrupts(text: string): { cpus: number[]; lines: InterruptLine[] } {
  const rows = text.split('\n');
  const cpus = headerCpus(rows[0], '/proc/interrupts');
  const lines: InterruptLine[] = [];
  for (const row of rows.slice(1)) {
    const m = /^\s*([^:\s]+):(.*)$/.exec(row);
    if (!m) continue;
    const fields = m[2]!.trim().split(/\s+/);
    const counts: number[] = [];
    for (let i = 0; i < cpus.length && i < fields.length && /^\d+$/.test(fields[i]!); i++)
      counts.push(Number(fields[i]));
    if (counts.length !== cpus.length) continue; // ERR:, MIS: carry one number
    const description = fields.slice(cpus.length).join(' ');
    lines.push({ irq: m[1]!, per_cpu: counts, name: fields[fields.length - 1] ?? '', description });
  }
  return { cpus, lines };
}

export interface SoftnetRow {
  cpu: number;
  processed: number;
  dropped: number;
  time_squeeze: number;
  received_rps: number;
  flow_limit_count: number;
}

export function parseSoftnetStat(text: string): SoftnetRow[] {
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  return rows.map((l, i) => {
    const w = l.trim().split(/\s+/);
    if (w.length < 10 || w.some((x) => !/^[0-9a-f]+$/i.test(x)))
      throw new Error(`/proc/net/softnet_stat: bad line ${JSON.stringify(l)}`);
    const h = (k: number) => Number.parseInt(w[k] ?? '0', 16);
    // Since 5.10 the 13th word is the CPU index (rows of offline CPUs are skipped).
    return {
      cpu: w.length >= 13 ? h(12) : i,
      processed: h(0),
      dropped: h(1),
      time_squeeze: h(2),
      received_rps: h(9),
      flow_limit_count: w.length >= 11 ? h(10) : 0,
    };
  });
}

/** /proc/net/snmp or /proc/net/netstat: `Proto.Name` to value. */
export function parseSnmp(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i]!.trim().split(/\s+/);
    const values = lines[i + 1]!.trim().split(/\s+/);
    const proto = names[0]?.replace(/:$/, '');
    if (!proto || values[0] !== names[0] || names.length !== values.length)
      throw new Error(`snmp: mismatched header/value lines near ${JSON.stringify(lines[i])}`);
    for (let k = 1; k < names.length; k++) out[`${proto}.${names[k]}`] = Number(values[k]);
  }
  return out;
}

export interface Schedstat {
  run_ns: number;
  wait_ns: number;
  timeslices: number;
}

export function parseSchedstat(text: string): Schedstat {
  const v = text.trim().split(/\s+/).map(Number);
  if (v.length < 3 || v.some((x) => !Number.isFinite(x)))
    throw new Error(`schedstat: bad content ${JSON.stringify(text)}`);
  return { run_ns: v[0]!, wait_ns: v[1]!, timeslices: v[2]! };
}
