/**
 * CPU sets in the kernel's two notations: lists (`0-8,18-26`, smp_affinity_list, cpulist) and
 * hexadecimal masks in 32-bit groups separated by commas (`00000000,0003fdfe`, rps_cpus, xps_cpus).
 */
import { InputError } from '../cli/errors.ts';
import { formatCpuList } from '../model/cpu-mask.ts';

export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  const t = text.trim();
  if (t === '') return out;
  for (const part of t.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new Error(`bad CPU list ${JSON.stringify(text)}`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b > 8191) throw new Error(`bad CPU range ${JSON.stringify(part)}`);
    for (let c = a; c <= b; c++) out.push(c);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

// One formatter for the whole project: the model's (a pure helper with no model dependencies).
export { formatCpuList } from '../model/cpu-mask.ts';

/** `00000000,0003fdfe` -> [1..8, 10..17]. */
export function parseCpuMask(mask: string): number[] {
  const words = mask.trim().split(',');
  const out: number[] = [];
  words.reverse().forEach((w, k) => {
    if (!/^[0-9a-fA-F]{1,8}$/.test(w)) throw new Error(`bad CPU mask ${JSON.stringify(mask)}`);
    const v = Number.parseInt(w, 16);
    for (let b = 0; b < 32; b++) if ((v >>> b) & 1) out.push(k * 32 + b);
  });
  return out.sort((x, y) => x - y);
}

/** CPUs -> mask with `groups` 32-bit words (at least enough for the highest CPU). */
export function formatCpuMask(cpus: readonly number[], groups = 1): string {
  const max = cpus.length ? Math.max(...cpus) : 0;
  const n = Math.max(groups, Math.floor(max / 32) + 1);
  const words = new Array<number>(n).fill(0);
  for (const c of cpus) words[Math.floor(c / 32)]! |= 1 << (c % 32);
  return words
    .map((w) => (w >>> 0).toString(16).padStart(8, '0'))
    .reverse()
    .join(',');
}

/**
 * A command-line CPU list (`1-8,10-17`, ranges allowed as everywhere in the tool), refused as
 * invalid input naming the flag when it does not parse, is empty, or names a CPU outside `online`
 * (when given: the CPUs of the host the list is for).
 */
export function parseCpuListFlag(flag: string, raw: string, online?: readonly number[]): number[] {
  let cpus: number[];
  try {
    cpus = parseCpuList(raw);
  } catch {
    throw new InputError(flag, raw, 'must be a list of CPU numbers and ranges, e.g. 1-8,10-17');
  }
  if (cpus.length === 0) throw new InputError(flag, raw, 'must name at least one CPU');
  if (online) {
    const have = new Set(online);
    const lacking = cpus.filter((c) => !have.has(c));
    if (lacking.length > 0)
      throw new InputError(
        flag,
        raw,
        `names CPU${lacking.length > 1 ? 's' : ''} ${formatCpuList(lacking)}, which this host lacks (it has ${formatCpuList(online)})`,
      );
  }
  return cpus;
}
