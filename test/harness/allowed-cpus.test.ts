import { describe, expect, it } from 'vitest';
import { allowedCpus, ownAllowedCpus } from '../../harness/allowed-cpus.ts';
import { parseCpuListFlag } from '../../harness/cpulist.ts';

describe('allowed CPUs', () => {
  it("reads a process's affinity from its status file", () => {
    expect(
      allowedCpus('Name:\tnode\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1,4\nMems_allowed:\t1\n'),
    ).toEqual([0, 1, 4]);
    expect(allowedCpus('Name:\tnode\n')).toBeNull();
    // This machine: at least one CPU of its own.
    expect(ownAllowedCpus()?.length).toBeGreaterThan(0);
  });
  it('as the CPUs a lab list may name: ranges accepted, the others named', () => {
    expect(parseCpuListFlag('--nginx-cpus', '1-3', [0, 1, 2, 3])).toEqual([1, 2, 3]);
    expect(() => parseCpuListFlag('--nginx-cpus', '1,7-8', [0, 1])).toThrow(
      /--nginx-cpus: names CPUs 7-8, which this host lacks \(it has 0-1\)/,
    );
  });
});
