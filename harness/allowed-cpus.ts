/**
 * The CPUs the lab's nginx workers and generator may be pinned to: the machine's online CPUs
 * (/sys/devices/system/cpu/online), within the cpuset of cnisim's cgroup when one is readable (a
 * container's CPUs; taskset to a CPU outside it fails). Not this process's own affinity: a harness
 * started under `taskset -c 0` may still pin its children to CPU 1. A CPU outside these would leave
 * a task unpinned (nginx's worker_cpu_affinity falls back silently) or fail the step (taskset), so
 * the harness refuses such a list before it builds anything (parseCpuListFlag with these as `online`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCpuList } from './cpulist.ts';

type Read = (path: string) => string | null;

const readOrNull: Read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/**
 * The files that may hold this process's cpuset, from the text of /proc/self/cgroup: cgroup v2
 * (`0::/path`: cpuset.cpus.effective) and v1 (`N:cpuset:/path`: cpuset.effective_cpus, cpuset.cpus).
 */
export function cpusetFiles(cgroup: string, root = '/sys/fs/cgroup'): string[] {
  const out: string[] = [];
  for (const line of cgroup.split('\n')) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line.trim());
    if (!m) continue;
    const [controllers, path] = [m[1]!, m[2]!];
    if (controllers === '') out.push(join(root, path, 'cpuset.cpus.effective'));
    else if (controllers.split(',').includes('cpuset'))
      out.push(
        join(root, 'cpuset', path, 'cpuset.effective_cpus'),
        join(root, 'cpuset', path, 'cpuset.cpus'),
      );
  }
  return out;
}

/** Online CPUs within the cgroup's cpuset; undefined where the online CPUs cannot be read. */
export function usableCpus(read: Read = readOrNull): number[] | undefined {
  const online = read('/sys/devices/system/cpu/online');
  if (online === null) return undefined;
  const cpus = parseCpuList(online);
  const cgroup = read('/proc/self/cgroup');
  for (const f of cgroup === null ? [] : cpusetFiles(cgroup)) {
    const text = read(f)?.trim();
    if (!text) continue;
    const set = new Set(parseCpuList(text));
    return cpus.filter((c) => set.has(c));
  }
  return cpus;
}
