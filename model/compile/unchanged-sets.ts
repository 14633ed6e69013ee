/**
 * `--set` overrides that leave the scenario as it was (`host.nic.rx_usecs=10` on a host whose
 * rx_usecs is 10, `host.rps_cpus=1-8,10-17` where it is `00000000,0003fdfe`): a what-if that is the
 * baseline itself reads as "no effect" when nothing was changed. One that repeats a value beside
 * others that change something (coalescing=fixed with the rx_usecs already there) is no mistake
 * and is not warned about. Pure: the scenario without and with the user's overrides in, a warning
 * (or none) out.
 */
import { parseCpuMask } from '../cpu-mask.ts';
import type { Scenario } from '../schema/scenario.ts';
import { splitSet } from './set.ts';

/** Fields holding a CPU list or mask (model/schema/common.ts CpuMask): equal when they name the same CPUs. */
const MASK_KEYS = new Set(['irq_cpus', 'rps_cpus', 'xps_cpus', 'numa_nodes', 'cpus']);

/** The warning (or none) for `sets`, named as `<label> <path=value>` like inertSetWarnings'. */
export function unchangedSetWarnings(
  before: Scenario,
  after: Scenario,
  sets: readonly string[],
  label = '--set',
): string[] {
  if (!same(before, after, '')) return [];
  // A variant of no overrides (another host only) that is the baseline's scenario all the same.
  if (sets.length === 0)
    return label === '--set'
      ? []
      : [
          `${label.replace(/:$/, '')} changes nothing: its scenario is the baseline's (the same host and settings)`,
        ];
  if (sets.length === 1)
    return [`${label} ${sets[0]} changes nothing: ${splitSet(sets[0]!).path} is that already`];
  const named = label === '--set' ? sets.map((x) => `--set ${x}`).join(', ') : `${label} ${sets.join(';')}`;
  return [
    `${named} change nothing together: the scenario is the same as without them (each sets what is there already, or a later one undoes an earlier one)`,
  ];
}

function same(a: unknown, b: unknown, key: string): boolean {
  if (a === b) return true;
  if (typeof a === 'string' && typeof b === 'string') return MASK_KEYS.has(key) && sameCpus(a, b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  // An array's entries are compared under the array's key (xps_cpus: a mask per queue).
  const sub = (k: string) => (Array.isArray(a) ? key : k);
  return ka.every(
    (k) => k in b && same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], sub(k)),
  );
}

function sameCpus(a: string, b: string): boolean {
  try {
    const x = parseCpuMask(a);
    const y = parseCpuMask(b);
    return x.length === y.length && x.every((c, i) => c === y[i]);
  } catch {
    return false;
  }
}
