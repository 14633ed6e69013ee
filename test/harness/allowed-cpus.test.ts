import { describe, expect, it } from 'vitest';
import { cpusetFiles, usableCpus } from '../../harness/allowed-cpus.ts';
import { parseCpuListFlag } from '../../harness/cpulist.ts';

/** A fake /proc and /sys: path -> text. */
const fs =
  (files: Record<string, string>) =>
  (path: string): string | null =>
    files[path] ?? null;

describe('the CPUs the lab may pin to', () => {
  it("are the machine's online CPUs, not this process's affinity (a harness under taskset -c 0 may pin to 1)", () => {
    expect(
      usableCpus(fs({ '/sys/devices/system/cpu/online': '0-3\n', '/proc/self/cgroup': '0::/\n' })),
    ).toEqual([0, 1, 2, 3]);
    expect(usableCpus(fs({}))).toBeUndefined();
    // This machine: at least one CPU.
    expect(usableCpus()?.length).toBeGreaterThan(0);
  });
  it("within the cgroup's cpuset where one is set (a container's CPUs), v2 and v1", () => {
    const v2 = fs({
      '/sys/devices/system/cpu/online': '0-7',
      '/proc/self/cgroup': '0::/kubepods/pod1\n',
      '/sys/fs/cgroup/kubepods/pod1/cpuset.cpus.effective': '2-3,6\n',
    });
    expect(usableCpus(v2)).toEqual([2, 3, 6]);
    const v1 = fs({
      '/sys/devices/system/cpu/online': '0-7',
      '/proc/self/cgroup': '4:memory:/x\n3:cpuset:/docker/abc\n0::/\n',
      '/sys/fs/cgroup/cpuset/docker/abc/cpuset.effective_cpus': '0-1',
    });
    expect(usableCpus(v1)).toEqual([0, 1]);
    expect(cpusetFiles('3:cpuset,cpu:/a\n')).toEqual([
      '/sys/fs/cgroup/cpuset/a/cpuset.effective_cpus',
      '/sys/fs/cgroup/cpuset/a/cpuset.cpus',
    ]);
  });
  it('as the CPUs a lab list may name: ranges accepted, the others named', () => {
    expect(parseCpuListFlag('--nginx-cpus', '1-3', [0, 1, 2, 3])).toEqual([1, 2, 3]);
    expect(() => parseCpuListFlag('--nginx-cpus', '1,7-8', [0, 1])).toThrow(
      /--nginx-cpus: names CPUs 7-8, which this host lacks \(it has 0-1\)/,
    );
  });
});
