/**
 * The CPUs this process may run on (its affinity, `Cpus_allowed_list` in /proc/self/status): the
 * CPUs `taskset` can pin the lab's nginx workers and generator to. A CPU outside them would leave a
 * task unpinned (nginx's worker_cpu_affinity falls back silently) or fail the step (taskset), so the
 * harness refuses such a list before it builds anything (parseCpuListFlag with these as `online`).
 */
import { readFileSync } from 'node:fs';
import { parseCpuList } from './cpulist.ts';

/** The allowed CPUs from the text of a /proc/<pid>/status file; null when it has no such line. */
export function allowedCpus(status: string): number[] | null {
  const m = /^Cpus_allowed_list:\s*(\S+)\s*$/m.exec(status);
  return m ? parseCpuList(m[1]!) : null;
}

/**
 * This process's allowed CPUs; undefined where /proc cannot tell (not Linux). For
 * parseCpuListFlag's `online` (harness/cpulist.ts).
 */
export function ownAllowedCpus(): number[] | undefined {
  try {
    return allowedCpus(readFileSync('/proc/self/status', 'utf8')) ?? undefined;
  } catch {
    return undefined;
  }
}
