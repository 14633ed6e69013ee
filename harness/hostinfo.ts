/**
 * What a run record says about a host: kernel, online CPUs, NUMA layout, read from /proc and /sys
 * under `root` (tests pass a fake tree).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { parseCpuList } from './cpulist.ts';

export interface HostFacts {
  kernel: string;
  cpus: number;
  numa: { node: number; cpus: number[] }[];
}

export function readHostFacts(root = '/'): HostFacts {
  let kernel = release();
  try {
    kernel = readFileSync(join(root, 'proc/sys/kernel/osrelease'), 'utf8').trim() || kernel;
  } catch {
    // keep os.release()
  }
  let cpus = 0;
  try {
    cpus = parseCpuList(readFileSync(join(root, 'sys/devices/system/cpu/online'), 'utf8')).length;
  } catch {
    cpus = 0;
  }
  const numa: HostFacts['numa'] = [];
  try {
    for (const d of readdirSync(join(root, 'sys/devices/system/node'))) {
      const m = /^node(\d+)$/.exec(d);
      if (!m) continue;
      numa.push({
        node: Number(m[1]),
        cpus: parseCpuList(readFileSync(join(root, 'sys/devices/system/node', d, 'cpulist'), 'utf8')),
      });
    }
  } catch {
    // no NUMA information (containers, some VMs)
  }
  numa.sort((a, b) => a.node - b.node);
  return { kernel, cpus, numa };
}
